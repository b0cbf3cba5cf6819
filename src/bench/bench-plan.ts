import type { BenchAlgorithm } from './bench-algorithms.ts';
import type { BenchFaults } from './bench-faults.ts';

/**
 * What `conclave bench` measures: every algorithm at every size, `iterations` independent runs
 * each (run i with seed `seed + i`, the same seeds for every algorithm and size), with one
 * workload and one fault load for all.
 *
 * @example
 * ```ts
 * const plan: BenchPlan = {
 *   algorithms: ['simple_majority', 'raft'], agents: [3, 5], iterations: 2, mode: 'sim',
 *   workload: { decisions: 50 }, inFlight: 1, topology: 'mesh', faults: NO_FAULTS, seed: 1,
 * };
 * ```
 */
export interface BenchPlan {
  readonly algorithms: readonly BenchAlgorithm[];
  readonly agents: readonly number[];
  readonly iterations: number;
  readonly mode: 'sim' | 'threads';
  /** Per run: a number of decisions, or (voting algorithms only) as many as fit in a duration (virtual ms in sim mode). */
  readonly workload: { readonly decisions: number } | { readonly durationMs: number };
  /** Decisions (requests, commands) open at once. */
  readonly inFlight: number;
  /** How votes are routed (voting algorithms); Raft and PBFT members talk to each other directly. */
  readonly topology: BenchTopology;
  readonly faults: BenchFaults;
  readonly seed: number;
  /**
   * Sim mode: threads running iterations (this one and a piscina pool of the others; default one
   * per core). Threads mode: worker threads of each run (default one per core).
   */
  readonly workers?: number;
}

/**
 * The topologies a bench may route votes over.
 *
 * @example
 * ```ts
 * BENCH_TOPOLOGIES.includes('ring'); // true
 * ```
 */
export const BENCH_TOPOLOGIES = Object.freeze(['mesh', 'star', 'ring', 'hierarchical'] as const);

/**
 * One of {@link BENCH_TOPOLOGIES}.
 *
 * @example
 * ```ts
 * const t: BenchTopology = 'star';
 * ```
 */
export type BenchTopology = (typeof BENCH_TOPOLOGIES)[number];

/**
 * Decisions per run when neither `--decisions` nor `--duration` is given: enough for a stable
 * median, a meaningful p99 and a wall-clock time long enough not to be start-up noise, few
 * enough that the default bench (5 algorithms x 4 sizes x 10 iterations) takes under a minute
 * on 2 cores.
 *
 * @example
 * ```ts
 * const plan = { ...rest, workload: { decisions: DEFAULT_BENCH_DECISIONS } };
 * ```
 */
export const DEFAULT_BENCH_DECISIONS = 1000;
