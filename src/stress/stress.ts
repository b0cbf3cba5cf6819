import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { runStressCase, type StressOutcome } from './run-case.ts';
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
  /** Runs that did not finish their work (liveness; with more faults than tolerated, expected). */
  readonly unfinished: number[];
  /** Runs whose safety checkers found something, or that failed outright: each with what reproduces it. */
  readonly failing: { seed: number; violations: StressOutcome['violations']; error?: string; scenario: string }[];
  readonly detected: number;
  readonly slowest: { seed: number; wallMs: number };
  readonly wallMs: number;
  /** Per run, in seed order: its trace hash (equal for equal seeds, serial or parallel). */
  readonly traceHashes: string[];
}

/**
 * Runs `runs` stress runs (seeds `seed`, `seed + 1`, ...) in sim mode, on a piscina pool of
 * `workers` threads (one per core by default; 1 runs them here, one after another), and sums
 * up what the checkers found. `onProgress(done, runs)` is called as runs finish.
 *
 * @example
 * ```ts
 * const report = await runStress({ protocol: 'pbft', agents: 7, faults: ['byzantine', 'crash'], decisions: 100 }, { runs: 100, seed: 1 });
 * ```
 */
export async function runStress(plan: StressPlan, o: { runs: number; seed: number; workers?: number; onProgress?: (done: number, runs: number) => void }): Promise<StressReport> {
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.runs));
  const started = performance.now();
  const seeds = Array.from({ length: o.runs }, (_, i) => o.seed + i);
  let done = 0;
  const tick = (outcome: StressOutcome) => {
    o.onProgress?.(++done, o.runs);
    return outcome;
  };
  let outcomes: StressOutcome[];
  if (workers === 1) {
    outcomes = [];
    for (const seed of seeds) outcomes.push(tick(await runStressCase({ plan, seed })));
  } else {
    const pool = new Piscina({ filename: new URL('./pool-worker.mjs', import.meta.url).href, minThreads: workers, maxThreads: workers });
    try {
      outcomes = await Promise.all(seeds.map(async (seed) => tick((await pool.run({ plan, seed })) as StressOutcome)));
    } finally {
      await pool.destroy();
    }
  }
  return summarize(plan, o.seed, workers, outcomes, performance.now() - started);
}

function summarize(plan: StressPlan, seed: number, workers: number, outcomes: StressOutcome[], wallMs: number): StressReport {
  const violations: Record<string, number> = {};
  let attempted = 0, decided = 0, detected = 0;
  let slowest = { seed, wallMs: 0 };
  for (const r of outcomes) {
    attempted += r.attempted;
    decided += r.decided;
    detected += r.detected;
    for (const v of r.violations) violations[v.property] = (violations[v.property] ?? 0) + 1;
    if (r.wallMs > slowest.wallMs) slowest = { seed: r.seed, wallMs: Math.round(r.wallMs) };
  }
  return {
    plan, runs: outcomes.length, seed, workers,
    decisions: { attempted, decided }, violations,
    unfinished: outcomes.filter((r) => r.error === undefined && r.decided < r.attempted).map((r) => r.seed),
    failing: outcomes.filter((r) => r.violations.length > 0 || r.error !== undefined).map((r) => ({ seed: r.seed, violations: r.violations, ...(r.error ? { error: r.error } : {}), scenario: r.scenario })),
    detected, slowest, wallMs: Math.round(wallMs), traceHashes: outcomes.map((r) => r.traceHash),
  };
}
