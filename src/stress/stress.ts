import { availableParallelism } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runShare, type SeedShare, type StressOutcome } from './run-case.ts';
import type { StressPlan } from './schedule.ts';

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
  /** Runs that did not finish their work (liveness; with more faults than tolerated, expected). */
  readonly unfinished: number[];
  /** Runs where decisions stayed unreached well after the last fault ended (termination after heal). */
  readonly notTerminated: number[];
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
export async function runStress(plan: StressPlan, o: { runs: number; seed: number; workers?: number; mainThread?: boolean; onProgress?: (done: number, runs: number) => void }): Promise<StressReport> {
  // A threads-mode run uses every core already (its actors on worker threads): one at a time.
  const workers = plan.mode === 'threads' ? 1 : Math.max(1, Math.min(o.workers ?? availableParallelism(), o.runs));
  const here = workers === 1 || o.mainThread !== false;
  const pooled = here ? workers - 1 : workers;
  const started = performance.now();
  const outcomes: StressOutcome[] = new Array(o.runs);
  let done = 0;
  let allIn!: () => void;
  const complete = new Promise<void>((resolve) => (allIn = resolve));
  const finished = (outcome: StressOutcome) => {
    outcomes[outcome.seed - o.seed] = outcome;
    o.onProgress?.(++done, o.runs);
    if (done === o.runs) allIn();
  };
  const share: SeedShare = { plan, seed: o.seed, runs: o.runs, next: new Int32Array(new SharedArrayBuffer(4)) };
  const pool = pooled === 0 ? undefined : new Piscina({ filename: new URL('./pool-worker.mjs', import.meta.url).href, minThreads: pooled, maxThreads: pooled });
  try {
    // A pool thread's failure is kept and thrown below, even when this thread did the rest.
    let failed: { error: unknown } | undefined;
    const helping = Promise.all(Array.from({ length: pooled }, () => helpOnPool(pool!, share, finished))).catch((error: unknown) => {
      failed = { error };
    });
    // Yield between runs here: the pool's outcomes arrive as messages on this thread.
    if (here) await runShare(share, finished, pooled > 0 ? () => setImmediate() : undefined);
    // Done when every outcome is in: a pool thread still starting up has nothing left to do.
    await Promise.race([complete, helping]);
    if (failed !== undefined) throw failed.error;
  } finally {
    await pool?.destroy();
  }
  return summarize(plan, o.seed, workers, outcomes, performance.now() - started);
}

/**
 * One pool thread's part: it runs seeds from the shared counter until none is left, posting
 * each outcome on a port of its own as it finishes, then `null`. Resolves when that `null` came
 * (a port keeps its order; the task's own answer travels on another channel and may overtake
 * the last outcomes), rejects if the task fails.
 */
async function helpOnPool(pool: Piscina, share: SeedShare, finished: (outcome: StressOutcome) => void): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const drained = new Promise<void>((resolve) => {
    port1.on('message', (m: StressOutcome | null) => (m === null ? resolve() : finished(m)));
  });
  try {
    await Promise.all([pool.run({ ...share, port: port2 }, { transferList: [port2] }), drained]);
  } finally {
    port1.close();
  }
}

function summarize(plan: StressPlan, seed: number, workers: number, outcomes: StressOutcome[], wallMs: number): StressReport {
  const violations: Record<string, number> = {};
  let attempted = 0, decided = 0, detected = 0;
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
    plan, runs: outcomes.length, seed, workers,
    decisions: { attempted, decided }, violations, byChecker,
    unfinished: outcomes.filter((r) => r.error === undefined && r.decided < r.attempted).map((r) => r.seed),
    notTerminated: outcomes.filter((r) => r.liveness.length > 0).map((r) => r.seed),
    slowestRecovery, unreplacedCrashes,
    failing: outcomes.filter((r) => r.violations.length > 0 || r.error !== undefined).map((r) => ({ seed: r.seed, violations: r.violations, ...(r.error ? { error: r.error } : {}), scenario: r.scenario })),
    detected, slowest, wallMs: Math.round(wallMs), traceHashes: outcomes.map((r) => r.traceHash),
  };
}
