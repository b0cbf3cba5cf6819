/**
 * Benchmark runner: `npm run bench -- [suite...]` (no suite: all of them). Prints a table per
 * suite and writes every result, with the machine it ran on, to bench/results/latest.json.
 *
 * A suite is a module under bench/ whose default export is `(log) => Promise<SuiteReport>`;
 * registering one is one line in SUITES below.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem, platform, arch } from 'node:os';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable, type SuiteReport } from './harness.ts';

type SuiteFn = (log: (line: string) => void) => Promise<SuiteReport>;

interface SuiteEntry {
  readonly summary: string;
  readonly load: () => Promise<{ default: SuiteFn }>;
  /** Runs with `--expose-gc` (the runner re-executes itself with it when needed). */
  readonly needsGc?: boolean;
}

/** Every known suite, in the order `npm run bench` runs them. Add a suite here (one line). */
const SUITES: Record<string, SuiteEntry> = {
  messaging: { summary: 'in-thread and cross-worker envelope throughput vs raw baselines', load: () => import('./messaging.ts') },
  memory: { summary: 'heap bytes per idle actor (100,000 actors, sim mode)', load: () => import('./memory.ts'), needsGc: true },
  topology: {
    summary: 'topology switch time (sim 20 / 1,000 / 10,000 actors, threads 1,000) and broadcast cost per topology',
    load: () => import('./topology.ts'),
  },
  voting: {
    summary: 'decisions/min of simple_majority, supermajority, weighted_voting at n = 3-9, sim and threads, 1 and 64 in flight',
    load: () => import('./voting.ts'),
  },
  raft: {
    summary: 'committed commands/min of Raft at n = 3-9, sim and threads, 1 in flight and window 256; leader failover time (median, p99)',
    load: () => import('./raft.ts'),
  },
  stress: {
    summary: 'conclave stress runs/min (PBFT n = 7, 100 requests, random fault schedules) on the piscina pool vs serial',
    load: () => import('./stress.ts'),
  },
  long: {
    summary: 'long runs with every checker on: peak RSS of voting, Raft and PBFT at two sizes ten times apart (LONG_SIZES=issue for the full ones)',
    load: () => import('./long.ts'),
  },
  scale: {
    summary: 'swarm size: voting at 10,000 / 30,000 / 100,000 agents (wall, peak RSS), 1,000,000 idle actors (heap); a process per figure',
    load: () => import('./scale.ts'),
  },
  store: {
    summary: 'cost of recording a run in the run store: 20,000 decisions x 5 votes, recorded vs not (wall clock and CPU)',
    load: () => import('./store.ts'),
  },
  security: {
    summary:
      'decisions/min of a voting swarm (n = 5, 64 in flight) with ballots encrypted (X25519 + AES-256-GCM), signed (Ed25519), both and neither, sim and threads',
    load: () => import('./security.ts'),
  },
  hive: {
    summary: 'hive subtasks/min in sim (20 workers in 4 teams, 200 in 20), runHiveObjective cost, 1,000-seed zero-architectural-mistakes sweep',
    load: () => import('./hive.ts'),
  },
  nats: {
    summary:
      'one swarm across 3 local node processes on NATS: envelopes/s host to host vs raw NATS pub/sub of the same signed frames and vs threads mode; voting n = 5 (64 in flight) decisions/min across nodes vs threads',
    load: () => import('./nats.ts'),
  },
  learning: {
    summary:
      'ReasoningBank learning across 15 sessions (each its own process) vs greedy, fixed, random and the oracle; convergence, regret, recovery after a change (writes bench/results/learning.html)',
    load: () => import('./learning.ts'),
  },
  dashboard: {
    summary: 'cost of serving a run live on the dashboard (conclave run --dashboard): the same sim run watched and unwatched, decisions/min',
    load: () => import('./dashboard.ts'),
  },
  'graph-layout': {
    summary: "the dashboard page's force layout (d3-force), per step at 50, 200, 1,000 and 5,000 nodes",
    load: () => import('./graph-layout.ts'),
  },
  'dashboard-page': {
    summary: "the dashboard page's frame time in Chromium with 200, 1,000 and 5,000 agents (needs /usr/bin/chromium)",
    load: () => import('./dashboard-page.ts'),
  },
  pbft: {
    summary:
      'committed requests/min of PBFT at n = 4-13, sim and threads, signed (scheme reported) and unsigned, 1 in flight and window 512; view change time after a primary crash (median, p99)',
    load: () => import('./pbft.ts'),
  },
};

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(here);
const resultsFile = `${here}/results/latest.json`;
const previousFile = `${here}/results/previous.json`;

function usage(): string {
  const names = Object.keys(SUITES);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: npm run bench -- [suite...]',
    '       npx tsx bench/run.ts [suite...]',
    '',
    'Runs the named benchmark suites (all of them when none is named), prints a table per suite',
    `and writes the results with machine info to ${relative(process.cwd(), resultsFile) || resultsFile}`,
    `(the results it replaces move to ${relative(process.cwd(), previousFile) || previousFile}: conclave analyze compares the two).`,
    'Targets are printed as PASS/BELOW beside the figures; they are never asserted.',
    'Exit code: 0 ok, 1 a suite failed or a correctness check failed (its figures are marked INVALID), 2 bad arguments.',
    '',
    'Suites:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${SUITES[n].summary}${SUITES[n].needsGc ? ' (runs with --expose-gc)' : ''}`),
    '',
    'Options:',
    '  -h, --help  this text',
  ].join('\n');
}

function parseArgs(argv: readonly string[]): string[] {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    process.exit(0);
  }
  const known = Object.keys(SUITES);
  const flags = argv.filter((a) => a.startsWith('-'));
  if (flags.length > 0) {
    console.error(`Unknown option${flags.length > 1 ? 's' : ''}: ${flags.join(', ')}\n\n${usage()}`);
    process.exit(2);
  }
  const unknown = argv.filter((a) => !(a in SUITES));
  if (unknown.length > 0) {
    console.error(`Unknown suite${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Known suites: ${known.join(', ')}.\nRun with --help for usage.`);
    process.exit(2);
  }
  const chosen = argv.length === 0 ? known : argv;
  return [...new Set(chosen)];
}

/** Re-executes this runner under `node --expose-gc --import tsx` when a chosen suite needs gc. */
function reexecWithGc(argv: readonly string[]): never {
  const tsx = import.meta.resolve('tsx');
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', tsx, fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit',
    cwd: repoRoot,
    env: { ...process.env, CONCLAVE_BENCH_REEXEC: '1' },
  });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}

function machine() {
  return {
    cores: availableParallelism(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${platform()} ${arch()}`,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
    /** 1/5/15-minute load averages when the run started: other work on the machine skews figures. */
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const chosen = parseArgs(argv);
  const hasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if (!hasGc && chosen.some((s) => SUITES[s].needsGc)) {
    if (process.env.CONCLAVE_BENCH_REEXEC) throw new Error('re-executed with --expose-gc but global.gc is still missing');
    reexecWithGc(argv);
  }

  const info = machine();
  console.log(`Conclave benchmarks — ${info.cores} cores (${info.cpu}), Node ${info.node}, ${info.platform}, ${info.date}`);
  console.log(
    `Load average at start: ${info.loadAverage.join(' / ')} (1/5/15 min)${info.loadAverage[0] > 0.5 ? ' — the machine was busy in the last minute: figures may be noisy' : ''}`,
  );
  const reports: (SuiteReport & { durationMs: number; loadAverageAfter: number[] })[] = [];
  const failures: { suite: string; error: string }[] = [];
  let exitCode = 0;

  for (const name of chosen) {
    console.log(`\n== ${name} ==`);
    const t0 = performance.now();
    try {
      const { default: run } = await SUITES[name].load();
      const report = await run((line) => console.log(line));
      const durationMs = performance.now() - t0;
      reports.push({ ...report, durationMs, loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))) });
      if (report.description) console.log(`\n${report.description}\n`);
      console.log(renderTable(report));
      const notes = report.rows.filter((r) => r.note).map((r) => `  ${r.task}: ${r.note}`);
      if (notes.length > 0) console.log(`\nNotes:\n${notes.join('\n')}`);
      for (const n of report.notes ?? []) console.log(`  ${n}`);
      const failed = report.checks.filter((c) => !c.ok);
      if (report.checks.length > 0) {
        // Each suite checks its own things (books balanced, no violation, same traces...): name them.
        const kinds = [...new Set(report.checks.map((c) => c.name.replace(/^sample \d+( \w+)?: /, '')))];
        console.log(
          `\nChecks: ${report.checks.length - failed.length}/${report.checks.length} passed (${kinds.slice(0, 4).join('; ')}${kinds.length > 4 ? '; ...' : ''})`,
        );
      }
      for (const c of failed) console.log(`  FAILED ${c.name}: ${c.detail}`);
      if (failed.length > 0) exitCode = 1;
      console.log(`(${name}: ${(durationMs / 1000).toFixed(1)} s)`);
    } catch (e) {
      const err = e as Error;
      console.error(`Suite ${name} failed: ${err.stack ?? err.message}`);
      failures.push({ suite: name, error: err.message });
      exitCode = 1;
    }
  }

  const results = reports.flatMap((rep) =>
    rep.rows.map((r) => ({
      suite: rep.suite,
      task: r.task,
      unit: r.unit,
      better: r.better,
      median: r.invalid ? null : r.median,
      p25: r.invalid ? null : r.p25,
      p75: r.invalid ? null : r.p75,
      min: r.invalid ? null : r.min,
      max: r.invalid ? null : r.max,
      samples: r.samples,
      perIteration: r.perIteration,
      baseline: r.baseline ?? null,
      ratio: r.invalid ? null : (r.ratio ?? null),
      targets: r.invalid ? [] : (r.targets ?? []),
      note: r.note,
      invalid: r.invalid,
    })),
  );
  mkdirSync(dirname(resultsFile), { recursive: true });
  // The last results stay beside the new ones, so a change can be compared with what came before.
  const hadPrevious = existsSync(resultsFile);
  if (hadPrevious) renameSync(resultsFile, previousFile);
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ machine: info, suites: chosen, results, checks: reports.flatMap((r) => r.checks.map((c) => ({ suite: r.suite, ...c }))), failures, suiteRuns: reports.map((r) => ({ suite: r.suite, durationMs: Math.round(r.durationMs), loadAverageAfter: r.loadAverageAfter, description: r.description })) }, null, 2)}\n`,
  );
  console.log(`\nWrote ${results.length} results to ${relative(process.cwd(), resultsFile)}${exitCode ? ' (with failures: see above)' : ''}`);
  if (hadPrevious)
    console.log(
      `The previous results are in ${relative(process.cwd(), previousFile)}: conclave analyze ${relative(process.cwd(), previousFile)} ${relative(process.cwd(), resultsFile)} compares them.`,
    );
  return exitCode;
}

// Exit explicitly: a suite that leaves a handle open must not keep the runner alive.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
