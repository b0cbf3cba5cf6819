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
 *   16 B x n per command (taken as 24 B x n). Each node also holds state per peer (its peer list,
 *   a copy per node, and per-peer indexes): 1,000 and 2,000 nodes x 1 command peaked at 375 MB
 *   and 1.13 GB of RSS, ~245 B x n^2 (taken as 256 B x n^2), so a 10,000-node cluster (25 GB)
 *   is refused by this estimate rather than left to die of a full heap while it spawns.
 * Wall time, from the same runs without gc (per decision): voting 20 us + 10 us x n + 0.06 ns x n^2
 * (measured again after the coordinator's per-vote checks became O(1): 5 agents x 100,000
 * decisions 3.2 s; 10,000 and 20,000 agents x 10 decisions 1.2 s and 2.7 s; 100,000 x 5 8.2 s,
 * x 16 25.9 s: the n^2 term is a vote's cost rising with the heap and the queue, not an
 * algorithm), PBFT 3.5 us x n^2 (32 x 1,000: 3.8 s), Raft 50 us x n (200 x 2,000: 20 s) plus
 * 4.5 us x n^2 once for the first election (every candidate asks every node: 1,000 and 2,000
 * nodes x 1 command 3.5 s and 17.6 s). A run given a `duration` decides about 200 times per
 * simulated second per decision in flight (5 agents, 1 s: 204 decisions; in_flight 8: 1,540).
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
  /** Why the cost grows faster than the swarm, where it does (said when a run is refused). */
  readonly why?: string;
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
  const perDecisionSeconds = pbft ? 3.5e-6 * n * n : raft ? 50e-6 * n : 20e-6 + 10e-6 * n + 6e-11 * n * n;
  // A Raft node keeps its own copy of the membership and indexes per peer: n^2 in all.
  const agentBytes = BYTES_PER_AGENT * n + (raft ? 256 * n * n : 0);
  const decisionBytes = perDecisionBytes * decisions;
  return {
    agents: n,
    decisions,
    bytes: BASE_BYTES + agentBytes + decisionBytes,
    seconds: perDecisionSeconds * decisions + (raft ? 4.5e-6 * n * n : 0),
    budgetBytes: budget.bytes ?? memoryBudget(),
    budgetSeconds: budget.seconds ?? MAX_ESTIMATED_SECONDS,
    dominant: agentBytes >= decisionBytes && n > 1_000 ? 'agents' : 'decisions',
    ...(raft ? { why: 'every Raft node keeps state for every other: memory grows with the square of the cluster' } : {}),
    ...(pbft ? { why: 'every PBFT request sends messages between every pair of replicas: cost grows with the square of the cluster' } : {}),
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
    got: `${count(f.agents)} agent${f.agents === 1 ? '' : 's'} x ${count(f.decisions)} decision${f.decisions === 1 ? '' : 's'}, estimated at ${bytes(f.bytes)} and ${duration(f.seconds)}${f.why ? ` (${f.why})` : ''}`,
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
