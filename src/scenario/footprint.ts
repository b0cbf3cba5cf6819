/**
 * What a scenario will cost this machine, estimated before anything is spawned, so that a
 * scenario too big for it is refused at once with the estimate (or run anyway with `--force`)
 * instead of dying with "Invalid array length", running out of heap, or running for hours with
 * no output.
 *
 * How the figures were measured (Node 20.20.2, this project's 2-core machines, sim mode, the
 * machine shared with other work, so times vary about 3x): each size was run once with
 * `--expose-gc`, calling `gc()` every 2,000 to 20,000 trace events and keeping the largest
 * `heapUsed` above the heap before the run (memory that stays reachable, not garbage):
 * - voting, mesh: 2,000 agents x 10 decisions 6.3 MB, 10,000 agents 25.7 MB -> 2.6-3.1 KB per
 *   agent (taken as 4 KB); 5 agents x 10,000 decisions 3.5 MB, x 100,000 decisions 20.6 MB ->
 *   ~190 B per decision (taken as 256 B);
 * - PBFT: 32 replicas x 1,000 requests 12.8 MB -> 12.5 B x n^2 per request (taken as 16 B x n^2);
 * - Raft: 200 nodes x 200 / 1,000 commands 5.6 / 8.2 MB -> 3.3 KB per command at n = 200, i.e.
 *   16 B x n per command (taken as 24 B x n).
 * Wall time, from the same runs without gc (per decision): voting 70 us + 6 us x n + 3 ns x n^2
 * (5 x 100,000 decisions 9.6 s; 50 x 20,000 6.3 s; 10,000 and 20,000 agents x 10 decisions
 * 2.8 s and 11.6 s: the n^2 is the tally), PBFT 3.5 us x n^2 (32 x 1,000: 3.8 s), Raft
 * 50 us x n (200 x 2,000: 20 s). A run given a `duration` decides about 200 times per simulated
 * second per decision in flight (5 agents, 1 s: 204 decisions; in_flight 8: 1,540).
 */
import { getHeapStatistics } from 'node:v8';
import { totalmem } from 'node:os';
import { count } from './bounds.ts';
import type { Scenario } from './schema.ts';

/** Heap the runtime itself holds before a run (modules, pools, the system). */
const BASE_BYTES = 64 * 2 ** 20;
const BYTES_PER_AGENT = 4 * 1024;
const BYTES_PER_DECISION = 256;
/** Decisions per simulated millisecond per decision in flight, for runs given a duration. */
const DECISIONS_PER_MS = 0.2;

/**
 * The share of the machine a run may plan to use: 75% of the smaller of V8's heap limit (a sim
 * run lives in one heap) and the physical memory; the rest is garbage headroom.
 */
export const MEMORY_SHARE = 0.75;

/** Longest estimated run accepted without `--force`: an hour of wall clock. */
export const MAX_ESTIMATED_SECONDS = 3_600;

/**
 * A scenario's estimated cost.
 *
 * @example
 * ```ts
 * const f: Footprint = { agents: 5, decisions: 200, bytes: 68e6, seconds: 0.1, budgetBytes: 3.2e9, budgetSeconds: 3600, dominant: 'agents' };
 * ```
 */
export interface Footprint {
  readonly agents: number;
  /** `task.decisions`, or what `task.duration` is estimated to hold. */
  readonly decisions: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly budgetBytes: number;
  readonly budgetSeconds: number;
  /** Which setting drives the cost: where an error points. */
  readonly dominant: 'agents' | 'decisions';
}

/**
 * Estimates a scenario's memory and wall time from the figures above.
 *
 * @example
 * ```ts
 * estimateFootprint(scenario).bytes; // e.g. 67,637,248 for examples/db-choice.yml
 * ```
 */
export function estimateFootprint(s: Scenario, budget: { bytes?: number; seconds?: number } = {}): Footprint {
  const n = s.agents.reduce((sum, g) => sum + g.count, 0);
  const { task } = s;
  // A workflow decides once per stage, in its own right.
  const decisions = Math.max(
    task.decisions ?? Math.max(1, Math.ceil((task.durationMs ?? 0) * DECISIONS_PER_MS * task.inFlight)),
    s.workflow?.stages.length ?? 0,
  );
  const algorithm = s.consensus.algorithm;
  const pbft = algorithm === 'byzantine_tolerant' || algorithm === 'pbft';
  const raft = algorithm === 'raft';
  const perDecisionBytes = BYTES_PER_DECISION + (pbft ? 16 * n * n : raft ? 24 * n : 0);
  const perDecisionSeconds = pbft ? 3.5e-6 * n * n : raft ? 50e-6 * n : 70e-6 + 6e-6 * n + 3e-9 * n * n;
  const agentBytes = BYTES_PER_AGENT * n;
  const decisionBytes = perDecisionBytes * decisions;
  return {
    agents: n,
    decisions,
    bytes: BASE_BYTES + agentBytes + decisionBytes,
    seconds: perDecisionSeconds * decisions,
    budgetBytes: budget.bytes ?? memoryBudget(),
    budgetSeconds: budget.seconds ?? MAX_ESTIMATED_SECONDS,
    dominant: agentBytes >= decisionBytes && n > 1_000 ? 'agents' : 'decisions',
  };
}

/**
 * The bytes a run may plan to use on this machine ({@link MEMORY_SHARE} of the smaller of the
 * heap limit and physical memory).
 *
 * @example
 * ```ts
 * memoryBudget(); // 3,259,148,288 with a 4 GB heap limit
 * ```
 */
export function memoryBudget(): number {
  return MEMORY_SHARE * Math.min(getHeapStatistics().heap_size_limit, totalmem());
}

/**
 * Whether the estimate is over budget, and how to say so: `undefined` when it fits.
 *
 * @example
 * ```ts
 * const over = overBudget(estimateFootprint(scenario));
 * if (over) console.error(over.expected, over.got);
 * ```
 */
export function overBudget(f: Footprint): { expected: string; got: string } | undefined {
  if (f.bytes <= f.budgetBytes && f.seconds <= f.budgetSeconds) return undefined;
  return {
    expected: `a run this machine can hold: at most ${bytes(f.budgetBytes)} of memory (${Math.round(MEMORY_SHARE * 100)}% of the ${bytes(f.budgetBytes / MEMORY_SHARE)} this process may use) and about ${duration(f.budgetSeconds)} of wall-clock time`,
    got: `${count(f.agents)} agent${f.agents === 1 ? '' : 's'} x ${count(f.decisions)} decision${f.decisions === 1 ? '' : 's'}, estimated at ${bytes(f.bytes)} and ${duration(f.seconds)}`,
  };
}

/** `3.2 GB`, `68 MB`, `912 KB`. */
export function bytes(n: number): string {
  if (n >= 2 ** 40) return `${(n / 2 ** 40).toFixed(1)} TB`;
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${Math.round(n / 2 ** 20)} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}

/** `3 s`, `12 min`, `5.2 h`, `41 days`. */
function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 2) return `${Number((seconds / 3_600).toFixed(1))} h`;
  return `${count(Math.round(seconds / 86_400))} days`;
}
