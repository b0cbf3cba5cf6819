import { availableParallelism } from 'node:os';
import { runOnSharedPool, type TaskRunner } from '../sweep/shared-pool.ts';
import { runStressCase, type StressOutcome, type StressWatch } from './run-case.ts';
import type { StressPlan } from './schedule.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * What a stress campaign found.
 *
 * @example
 * ```ts
 * const report = await runStress(plan, { runs: 200, seed: 1 });
 * if (report.failing.length > 0) process.exitCode = 1;
 * ```
 */
export interface StressReport {
  readonly plan: StressPlan;
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
  readonly decisions: { attempted: number; decided: number };
  /** Safety violations by property, over all runs. */
  readonly violations: Record<string, number>;
  /** Safety violations by the checker that found them. */
  readonly byChecker: Record<string, number>;
  /**
   * Runs that left decisions without an end (liveness; with more faults than tolerated,
   * expected). A vote that closed at its timeout or without consensus has ended: not counted.
   */
  readonly unfinished: number[];
  /** Runs where decisions stayed unreached well after the last fault ended (termination after heal). */
  readonly notTerminated: number[];
  /**
   * Of those, the runs whose liars stayed within the protocol's bound (their other faults always
   * do, and ended): a stall there is a bug. Each with its first finding and what reproduces it.
   */
  readonly stalled: { seed: number; detail: string; scenario: string }[];
  /** The slowest leader (or primary) recovery over all runs: ms from its crash to a successor. */
  readonly slowestRecovery: { seed: number; ms: number } | null;
  /** Leader crashes no successor followed (the leader came back first, or the run ended). */
  readonly unreplacedCrashes: number;
  /** Runs whose safety checkers found something, or that failed outright: each with what reproduces it. */
  readonly failing: { seed: number; violations: StressOutcome['violations']; error?: string; scenario: string }[];
  readonly detected: number;
  readonly slowest: { seed: number; wallMs: number };
  readonly wallMs: number;
  /** Per run, in seed order: its trace hash (equal for equal seeds, serial or parallel). */
  readonly traceHashes: string[];
}

/** What pool threads run: one stress run. */
const RUNNER: TaskRunner = { module: moduleUrl('./run-case.ts', import.meta.url).href, export: 'runStressCase' };

/**
 * Runs `runs` stress runs (seeds `seed`, `seed + 1`, ...) in sim mode on `workers` threads (one
 * per core by default): this thread and a piscina pool of `workers - 1` more (1 runs them all
 * here, one after another), and sums up what the checkers found. With `mainThread: false` the
 * pool has all `workers` threads and this thread runs none (it stays free, for a live display
 * say). `onProgress(done, runs)` is called as runs finish.
 *
 * This thread takes part because it would otherwise only wait: on 2 cores a pool of 2 threads
 * left one core to start-up costs (tsx loading the sources in each thread) and to waiting for
 * the slower thread at the end. Every thread takes the next seed from a shared counter when it
 * is free, so none waits while seeds are left, whatever each thread's speed; each run depends
 * on its seed alone, so where it ran changes nothing in its outcome.
 *
 * @example
 * ```ts
 * const report = await runStress({ protocol: 'pbft', agents: 7, faults: ['byzantine', 'crash'], decisions: 100 }, { runs: 100, seed: 1 });
 * ```
 */
export async function runStress(
  plan: StressPlan,
  o: {
    runs: number;
    seed: number;
    workers?: number;
    mainThread?: boolean;
    onProgress?: (done: number, runs: number) => void;
    /** Watches each run as it goes: the runs then go one at a time in this thread (where the watcher is). */
    watch?: (seed: number) => StressWatch;
  },
): Promise<StressReport> {
  // A threads-mode run uses every core already (its actors on worker threads): one at a time.
  const workers = plan.mode === 'threads' || o.watch ? 1 : Math.max(1, Math.min(o.workers ?? availableParallelism(), o.runs));
  const watch = o.watch;
  const started = performance.now();
  const tasks = Array.from({ length: o.runs }, (_, i) => ({ plan, seed: o.seed + i }));
  const run = watch ? (t: { plan: StressPlan; seed: number }) => runStressCase(t, watch(t.seed)) : runStressCase;
  const outcomes = await runOnSharedPool(tasks, { threads: workers, run, runner: RUNNER, mainThread: watch ? true : o.mainThread, onProgress: o.onProgress });
  return summarize(plan, o.seed, workers, outcomes, performance.now() - started);
}

function summarize(plan: StressPlan, seed: number, workers: number, outcomes: StressOutcome[], wallMs: number): StressReport {
  const violations: Record<string, number> = {};
  let attempted = 0,
    decided = 0,
    detected = 0;
  const byChecker: Record<string, number> = {};
  let slowest = { seed, wallMs: 0 };
  let slowestRecovery: StressReport['slowestRecovery'] = null;
  let unreplacedCrashes = 0;
  for (const r of outcomes) {
    attempted += r.attempted;
    decided += r.decided;
    detected += r.detected;
    for (const v of r.violations) {
      violations[v.property] = (violations[v.property] ?? 0) + 1;
      byChecker[v.checker] = (byChecker[v.checker] ?? 0) + 1;
    }
    if (r.wallMs > slowest.wallMs) slowest = { seed: r.seed, wallMs: Math.round(r.wallMs) };
    unreplacedCrashes += r.unreplaced;
    if (r.recoveryMs !== null && (slowestRecovery === null || r.recoveryMs > slowestRecovery.ms)) slowestRecovery = { seed: r.seed, ms: r.recoveryMs };
  }
  return {
    plan,
    runs: outcomes.length,
    seed,
    workers,
    decisions: { attempted, decided },
    violations,
    byChecker,
    unfinished: outcomes.filter((r) => r.error === undefined && r.unclosed > 0).map((r) => r.seed),
    notTerminated: outcomes.filter((r) => r.liveness.length > 0).map((r) => r.seed),
    stalled: outcomes.filter((r) => r.liveness.length > 0 && r.withinBound).map((r) => ({ seed: r.seed, detail: r.liveness[0].detail, scenario: r.scenario })),
    slowestRecovery,
    unreplacedCrashes,
    failing: outcomes
      .filter((r) => r.violations.length > 0 || r.error !== undefined)
      .map((r) => ({ seed: r.seed, violations: r.violations, ...(r.error ? { error: r.error } : {}), scenario: r.scenario })),
    detected,
    slowest,
    wallMs: Math.round(wallMs),
    traceHashes: outcomes.map((r) => r.traceHash),
  };
}
