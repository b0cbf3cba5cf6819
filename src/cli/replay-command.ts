import type { TraceEvent } from '../actors/trace-event.ts';
import { violationText, type Violation } from '../check/violation.ts';
import { ConclaveError, ConfigError } from '../errors.ts';
import { loadScenarioFile, parseScenario, withScenarioLine, type Scenario } from '../scenario/index.ts';
import type { EventCuts } from '../adversary/event-cuts.ts';
import { drawRun, raftCutAdversary } from '../stress/index.ts';
import { runScenario } from '../swarm/run-scenario.ts';
import { bold, count, dim, heading, red, yellow } from '../text/format.ts';
import { brokenRunEnd, RunRecorder, scenarioRunEnd, scenarioRunStart } from '../store/index.ts';
import { exitCodeForError } from './exit-codes.ts';
import { printSummary } from './run-command.ts';
import { stressOptionsText, stressPlan, type StressCommandOptions } from './stress-command.ts';
import { UsageError } from './usage-error.ts';

/**
 * Options of `conclave replay`, as commander parses them: a scenario file's seed, or the
 * options of the `conclave stress` campaign a run came from (its scenario is drawn from them
 * and the seed, exactly as stress drew it).
 *
 * @example
 * ```ts
 * await replayCommand(undefined, { protocol: 'pbft', agents: 4, byzantine: 2, decisions: 30, seed: 7 }, console.log);
 * await replayCommand('failing.yml', { around: 5, json: true }, console.log);
 * ```
 */
export interface ReplayCommandOptions
  extends Partial<Pick<StressCommandOptions, 'protocol' | 'agents' | 'byzantine' | 'failureRate' | 'faults' | 'decisions' | 'implementation' | 'search'>> {
  readonly seed?: number;
  /** Trace events shown before and after each violation's proving event (default 10). */
  readonly around?: number;
  /** Violations whose trace window is printed (default 10; `--json` has every one). */
  readonly violations?: number;
  /** Record every send and delivery too (trace level `full`). */
  readonly full?: boolean;
  /** Termination after heal: ms a decision may stay unreached once the faults end. */
  readonly bound?: number;
  readonly json?: boolean;
  /** The run store to record the replay in (the CLI resolves --store and the default); absent or false: not recorded. */
  readonly store?: string | false;
  /** The command line, for the store's record. */
  readonly argv?: readonly string[];
}

/** What `conclave stress` uses when these are not given: the replay must draw the same scenario. */
const STRESS_DEFAULTS = { agents: 7, decisions: 100 };
const STRESS_KEYS = ['protocol', 'agents', 'byzantine', 'failureRate', 'faults', 'decisions', 'implementation', 'search'] as const;

/**
 * `conclave replay`: reruns one run in sim mode keeping its trace, runs the checkers, and prints
 * the result, every violation with the trace events around the one that proves it, and the
 * trace hash (equal hashes: identical replays). Returns the exit code: 1 when the run broke
 * safety, else 0 (bad input throws a ConclaveError, exit code 2).
 */
export async function replayCommand(file: string | undefined, o: ReplayCommandOptions, out: (line: string) => void): Promise<number> {
  const { scenario, seed, how, adversary } = await replayedScenario(file, o);
  const events: TraceEvent[] = [];
  const recorder =
    typeof o.store === 'string' ? RunRecorder.start(o.store, scenarioRunStart(scenario, { kind: 'replay', mode: 'sim', seed, argv: o.argv })) : undefined;
  await recorder?.ready();
  const result = await runScenario(scenario, {
    seed,
    mode: 'sim',
    traceLevel: o.full ? 'full' : 'events',
    terminationBoundMs: o.bound,
    onSystem: adversary && ((s) => adversary.attach(s.faults)),
    onEvent: (e) => {
      events.push(e);
      recorder?.onEvent(e);
      adversary?.observe(e);
    },
  }).catch(async (e: unknown) => {
    await recorder?.finish(brokenRunEnd(e, e instanceof ConclaveError ? exitCodeForError(e) : 1));
    throw withScenarioLine(e, scenario.file);
  });
  const exitCode = result.safetyViolations.length > 0 ? 1 : 0;
  await recorder?.finish(scenarioRunEnd(result, exitCode));
  const around = o.around ?? 10;
  const findings = [...result.safetyViolations, ...result.livenessViolations];
  if (o.json) {
    out(JSON.stringify({ result, events: events.length, violations: findings.map((v) => ({ ...v, trace: windowOf(events, v, around) })) }, null, 2));
  } else {
    printSummary(result, scenario, [], undefined, out);
    printFindings(findings, events, { around, shown: o.violations ?? 10 }, out);
    out(heading('Replay'));
    out(
      `  trace sha256 ${bold(result.traceHash)} · ${events.length} events${scenario.mode === 'threads' ? dim(' (the scenario says threads: replayed in sim mode)') : ''}`,
    );
    out(dim(`  again: ${how}`));
  }
  if (recorder) {
    const line =
      recorder.error !== undefined
        ? `  store        not fully recorded: ${recorder.error} (${recorder.file})`
        : `  stored as ${recorder.id} · conclave show ${recorder.id}`;
    if (o.json) process.stderr.write(`${line}\n`);
    else out(dim(line));
  }
  return exitCode;
}

/**
 * The scenario to replay and its seed: a file's (the seed from --seed or the file), or a stress
 * run's, with the adversary that run had if it reacted to its trace (the guided Raft search).
 */
async function replayedScenario(
  file: string | undefined,
  o: ReplayCommandOptions,
): Promise<{ scenario: Scenario; seed: number; how: string; adversary?: EventCuts }> {
  const given = STRESS_KEYS.filter((k) => o[k] !== undefined);
  if (file !== undefined) {
    if (given.length > 0)
      throw new ConfigError(
        `--${given[0] === 'failureRate' ? 'failure-rate' : given[0]}`,
        'either a scenario file or the stress options (--protocol, --agents, ...), not both',
        o[given[0]],
      );
    const scenario = await loadScenarioFile(file);
    const seed = o.seed ?? scenario.seed ?? 1;
    return { scenario, seed, how: `conclave replay ${file} --seed ${seed}` };
  }
  if (o.protocol === undefined) {
    const flag = given.length > 0 ? `--${given[0] === 'failureRate' ? 'failure-rate' : given[0]}` : undefined;
    throw new UsageError(
      'conclave replay',
      flag
        ? `${flag} describes a stress run: give its --protocol too (and its --seed)`
        : 'give a scenario file, or a stress run: its --protocol, its options and its --seed',
    );
  }
  if (o.seed === undefined)
    throw new UsageError('conclave replay', 'give --seed: the seed of the stress run to replay (conclave stress prints it for each failing run)');
  const plan = stressPlan({ ...STRESS_DEFAULTS, ...Object.fromEntries(given.map((k) => [k, o[k]])), protocol: o.protocol });
  const options = stressOptionsText({ ...o, protocol: plan.protocol, agents: plan.agents, decisions: plan.decisions });
  const drawn = drawRun(plan, o.seed);
  return {
    scenario: parseScenario(drawn.scenario),
    seed: o.seed,
    how: `conclave replay ${options} --seed ${o.seed}`,
    ...(drawn.cuts ? { adversary: raftCutAdversary(drawn.cuts, o.seed) } : {}),
  };
}

/** Each finding, then the trace around its proving event: that event marked ▶, others it names •. */
function printFindings(findings: readonly Violation[], events: readonly TraceEvent[], o: { around: number; shown: number }, out: (line: string) => void): void {
  if (findings.length === 0) return;
  const { around } = o;
  // Safety and liveness counted apart: the summary above counts safety violations only.
  const safety = findings.filter((v) => v.kind === 'safety').length;
  const liveness = findings.length - safety;
  out(heading(`Findings: ${count(safety, 'safety violation')}${liveness > 0 ? `, ${count(liveness, 'liveness finding')}` : ''}`));
  for (const v of findings.slice(0, o.shown)) {
    out('');
    out(`  ${v.kind === 'safety' ? red(violationText(v)) : yellow(`[liveness] ${violationText(v)}`)}`);
    if (v.at === undefined) continue;
    const window = windowOf(events, v, around);
    if (window.length > 0 && window[0].at > 0) out(dim(`       ... ${window[0].at} earlier events`));
    const width = String(events.length).length;
    for (const { at, event } of window) {
      const mark = at === v.at ? '▶' : v.positions?.includes(at) ? '•' : ' ';
      const line = `    ${mark} #${String(at).padStart(width)}  ${eventText(event)}`;
      out(mark === '▶' ? bold(line) : mark === '•' ? line : dim(line));
    }
    // Other events it names, outside the window: listed after it, so every proof is in view.
    for (const at of v.positions ?? []) {
      if (Math.abs(at - v.at) > around && events[at] !== undefined) out(`    • #${String(at).padStart(width)}  ${eventText(events[at])}`);
    }
  }
  if (findings.length > o.shown)
    out(dim(`\n  ... and ${findings.length - o.shown} more (--violations N shows more; --json has every one with its trace window)`));
}

/** The events `around` before and after the violation's proving event, with their positions. */
function windowOf(events: readonly TraceEvent[], v: Violation, around: number): { at: number; event: TraceEvent }[] {
  if (v.at === undefined) return [];
  const from = Math.max(0, v.at - around);
  return events.slice(from, v.at + around + 1).map((event, i) => ({ at: from + i, event }));
}

/** Characters of a field's value shown, at most. */
const VALUE_CHARS = 60;

/**
 * One trace event on one line: time, actor (or sender), type (an emit's own type), then its
 * other fields as `key=value`, long values cut short.
 *
 * @example
 * ```ts
 * eventText({ t: 12.5, type: 'emit', actor: 'node_002', event: { type: 'pbft-committed', seq: 3, digest: 'ab12' } });
 * // '    12.500 ms  node_002      pbft-committed  seq=3 digest=ab12'
 * ```
 */
export function eventText(e: TraceEvent): string {
  const { t, type, ...rest } = e as TraceEvent & Record<string, unknown>;
  const fields: Record<string, unknown> = type === 'emit' ? { ...(rest.event as Record<string, unknown>) } : { ...rest };
  const kind = type === 'emit' ? String(fields.type ?? 'emit') : type;
  delete fields.type;
  const who = String(rest.actor ?? rest.from ?? rest.at ?? '$system');
  for (const key of ['actor', 'from']) if (fields[key] === who) delete fields[key];
  const text = Object.entries(fields).map(([k, v]) => {
    const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
    return `${k}=${s.length > VALUE_CHARS ? `${s.slice(0, VALUE_CHARS - 1)}…` : s}`;
  });
  return `${t.toFixed(3).padStart(10)} ms  ${who.padEnd(12)}  ${kind.padEnd(15)} ${text.join(' ')}`;
}
