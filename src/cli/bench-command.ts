import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { benchAlgorithm, DEFAULT_BENCH_ALGORITHMS } from '../bench/bench-algorithms.ts';
import { NO_FAULTS, parseBenchFaults } from '../bench/bench-faults.ts';
import { benchHtml } from '../bench/bench-html.ts';
import { benchMarkdown } from '../bench/bench-markdown.ts';
import { BENCH_TOPOLOGIES, DEFAULT_BENCH_DECISIONS, type BenchPlan, type BenchTopology } from '../bench/bench-plan.ts';
import type { BenchReport } from '../bench/bench-report.ts';
import { benchTable } from '../bench/bench-table.ts';
import { progressBar } from '../bench/progress.ts';
import { runBench } from '../bench/run-bench.ts';
import { ConclaveError, ConfigError } from '../errors.ts';
import { type DashboardServing, dashboardLine } from './dashboard-serving.ts';
import { didYouMean, parseDuration } from '../scenario/index.ts';
import { dim } from '../text/format.ts';
import { brokenRunEnd, ReportRecorder, type RunEnd } from '../store/index.ts';
import { exitCodeForError } from './exit-codes.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { BenchTask } from '../bench/bench-iteration.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';

/**
 * Options of `conclave bench` as typed (strings; numbers are accepted too). Everything has a
 * default: the five algorithms at 3, 5, 7 and 9 agents, 10 iterations each, sim mode,
 * {@link DEFAULT_BENCH_DECISIONS} decisions per run one at a time, mesh, no faults, seed 1.
 *
 * @example
 * ```ts
 * await benchCommand({ algorithms: 'raft,simple_majority', agents: '3,5', iterations: '2', decisions: '50', output: 'b.json' }, console.log);
 * ```
 */
export interface BenchCommandOptions {
  readonly algorithms?: string;
  readonly agents?: string;
  readonly iterations?: string | number;
  readonly mode?: string;
  /** As many decisions as fit in this duration per run, every algorithm (virtual time in sim mode). */
  readonly duration?: string;
  readonly decisions?: string | number;
  readonly inFlight?: string | number;
  readonly topology?: string;
  readonly faults?: string;
  readonly seed?: string | number;
  readonly workers?: string | number;
  /** The JSON report's path (default `consensus_benchmark.json`). */
  readonly output?: string;
  /** Also write the report as a self-contained HTML page here. */
  readonly html?: string;
  /** Also write the table as Markdown (for a README). */
  readonly markdown?: string;
  /** Print the report as JSON on stdout instead of the table. */
  readonly json?: boolean;
  /** The command line as typed (without `node` and the script), for the report. */
  readonly argv?: readonly string[];
  /** The run store to record the benchmark in (the CLI resolves --store and the default); absent or false: not recorded. */
  readonly store?: string | false;
  /** Watch the bench live on the dashboard (`--dashboard [port]`): runs one at a time in this process, their figures include the feed's cost. */
  readonly dashboard?: DashboardServing;
}

/**
 * `conclave bench`: runs the bench, prints the table (or the JSON), writes the JSON file and,
 * with `html`, the HTML page; progress goes to `progress` (stderr). Returns the exit code: 1
 * when a run broke safety or failed outright, else 0. Bad options throw a ConfigError naming
 * the option (exit code 2).
 *
 * @example
 * ```ts
 * process.exitCode = await benchCommand({ iterations: '3', html: 'report.html' }, console.log, process.stderr);
 * ```
 */
export async function benchCommand(
  o: BenchCommandOptions,
  out: (line: string) => void,
  progress?: { isTTY?: boolean; write(s: string): unknown },
): Promise<number> {
  const plan = benchPlanFrom(o);
  // Watched, a sim bench runs here one run at a time: a pool of --workers would not be used.
  if (o.dashboard !== undefined && plan.mode === 'sim' && o.workers !== undefined && Number(o.workers) > 1)
    throw new ConfigError(
      '--workers',
      '1 with --dashboard in sim mode (a watched bench runs one run at a time in this process, where the dashboard is)',
      o.workers,
    );
  const output = o.output ?? 'consensus_benchmark.json';
  const bar = progress && !o.json ? progressBar(progress, 'runs') : undefined;
  const recorder =
    typeof o.store === 'string'
      ? ReportRecorder.start(o.store, {
          kind: 'bench',
          name: `bench ${plan.algorithms.join(',')}`,
          protocol: plan.algorithms.join(','),
          mode: plan.mode,
          agents: Math.max(...plan.agents),
          scenarioResolved: plan,
          argv: o.argv,
          detailLimit: 0,
          signed: true,
        })
      : undefined;
  const dash =
    o.dashboard === undefined
      ? undefined
      : await (await import('../dashboard/live-dashboard.ts')).LiveDashboard.start({
          ...o.dashboard,
          runId: recorder?.id ?? `bench-${process.pid}`,
          label: `bench ${plan.algorithms.join(',')}`,
          mode: plan.mode,
          protocol: plan.algorithms.join(','),
        });
  if (dash) progress?.write(`${dashboardLine(dash, 'this bench')} (watched, its runs go one at a time here and their figures include the feed's cost)\n`);
  const report = await runBench(plan, {
    command: commandLine(o.argv),
    ...(dash
      ? {
          watch: (task: BenchTask) => ({
            onSystem: (s: ActorSystem) => dash.nextRun(s, `group ${task.group + 1}, seed ${task.seed}`),
            onEvent: (e: TraceEvent) => dash.observe(e),
          }),
        }
      : {}),
    ...(o.faults ? { faultsSpec: o.faults } : {}),
    onProgress: (done, total) => {
      recorder?.progress(done, total);
      bar?.update(done, total);
    },
  }).catch(async (e: unknown) => {
    await dash?.finish('broken');
    recorder?.finish(brokenRunEnd(e, e instanceof ConclaveError ? exitCodeForError(e) : 1));
    throw e;
  });
  await dash?.finish('completed');
  bar?.end();
  write(output, `${JSON.stringify(report, null, 2)}\n`);
  if (o.html) write(o.html, benchHtml(report));
  if (o.markdown) write(o.markdown, benchMarkdown(report));
  if (o.json) out(JSON.stringify(report, null, 2));
  else {
    for (const line of benchTable(report)) out(line);
    out(dim(`wrote     ${[output, o.html, o.markdown].filter(Boolean).join(' · ')}`));
  }
  const exitCode = broken(report) ? 1 : 0;
  if (recorder) {
    recorder.finish({ status: exitCode === 0 ? 'completed' : 'violated', exitCode, result: JSON.stringify(report), findings: benchFindings(report) });
    (o.json ? (l: string) => progress?.write(`${l}\n`) : out)(dim(`stored as ${recorder.id} · conclave show ${recorder.id}`));
  }
  return exitCode;
}

/** A benchmark's findings as the store keeps them: each group that broke safety or failed. */
function benchFindings(report: BenchReport): RunEnd['findings'] {
  return report.results.flatMap((g) => {
    const where = `${g.algorithm} n=${g.agents}`;
    if (g.status === 'failed') return [{ kind: 'safety' as const, checker: 'run', text: `${where}: failed`, detail: JSON.stringify(g) }];
    if (g.status !== 'measured') return [];
    return [
      ...(g.safetyViolations > 0
        ? [
            {
              kind: 'safety' as const,
              checker: 'safety',
              text: `${where}: ${g.safetyViolations} safety violations`,
              detail: JSON.stringify({ algorithm: g.algorithm, agents: g.agents, safetyViolations: g.safetyViolations }),
            },
          ]
        : []),
      ...g.errors.map((e) => ({ kind: 'safety' as const, checker: 'run', text: `${where} seed ${e.seed}: ${e.error}`, detail: JSON.stringify(e) })),
    ];
  });
}

/** A run that broke safety, or failed outright. */
function broken(report: BenchReport): boolean {
  return report.results.some((g) => g.status === 'failed' || (g.status === 'measured' && (g.safetyViolations > 0 || g.errors.length > 0)));
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * The plan `conclave bench` makes of its options, with defaults filled in; bad input is a
 * ConfigError naming the option (and the list entry: `--agents[1]`).
 *
 * @example
 * ```ts
 * benchPlanFrom({ algorithms: 'raft', agents: '3,5' }).iterations; // 10
 * benchPlanFrom({ agents: '1' }); // throws: Invalid configuration at "--agents[0]": expected an integer from 2 to 200, got "1".
 * ```
 */
export function benchPlanFrom(o: BenchCommandOptions): BenchPlan {
  const algorithms =
    o.algorithms === undefined
      ? DEFAULT_BENCH_ALGORITHMS
      : [...new Set(list(o.algorithms, '--algorithms').map((a, i) => benchAlgorithm(a, `--algorithms[${i}]`)))];
  const agents = o.agents === undefined ? [3, 5, 7, 9] : list(o.agents, '--agents').map((a, i) => integer(a, `--agents[${i}]`, 2, 200));
  const mode = o.mode ?? 'sim';
  if (mode !== 'sim' && mode !== 'threads') throw new ConfigError('--mode', 'sim or threads', mode);
  if (o.duration !== undefined && o.decisions !== undefined) throw new ConfigError('--duration', 'either --duration or --decisions, not both', o.duration);
  const workload =
    o.duration !== undefined
      ? { durationMs: durationOf(o.duration) }
      : { decisions: o.decisions === undefined ? DEFAULT_BENCH_DECISIONS : integer(o.decisions, '--decisions', 1, 10_000_000) };
  const faults = o.faults === undefined ? NO_FAULTS : parseBenchFaults(o.faults);
  // Crashes, partitions, pauses and network faults are laid on the simulation's clock.
  return {
    algorithms,
    agents,
    mode,
    workload,
    faults,
    iterations: o.iterations === undefined ? 10 : integer(o.iterations, '--iterations', 1, 100_000),
    inFlight: o.inFlight === undefined ? 1 : integer(o.inFlight, '--in-flight', 1, 100_000),
    topology: topologyOf(o.topology ?? 'mesh'),
    seed: o.seed === undefined ? 1 : integer(o.seed, '--seed', 0, 2 ** 31 - 1),
    ...(o.workers === undefined ? {} : { workers: integer(o.workers, '--workers', 1, 256) }),
  };
}

function list(value: string, option: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(option, 'a comma-separated list (e.g. 3,5,7)', value);
  return items;
}

function integer(value: string | number, option: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new ConfigError(option, `an integer from ${min} to ${max}`, value);
  return n;
}

/** A duration per run: every algorithm's workload keeps going until then (a vote opens decisions, a client sends requests). */
function durationOf(value: string): number {
  const ms = parseDuration(value, '--duration');
  if (!(ms > 0)) throw new ConfigError('--duration', 'a duration above zero, such as "5s" or "500ms"', value);
  return ms;
}

function topologyOf(value: string): BenchTopology {
  if ((BENCH_TOPOLOGIES as readonly string[]).includes(value)) return value as BenchTopology;
  const near = didYouMean(value, BENCH_TOPOLOGIES);
  throw new ConfigError('--topology', `${near ? `${near} (did you mean it?), or ` : ''}one of ${BENCH_TOPOLOGIES.join(', ')}`, value);
}

/** The command line as typed, quoting what a shell would split. */
function commandLine(argv: readonly string[] | undefined): string {
  if (argv === undefined) return 'conclave bench';
  return ['conclave', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}
