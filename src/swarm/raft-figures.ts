import type { ActorId } from '../actors/envelope.ts';

/**
 * What a Raft run adds to a scenario result: who led each term and when, and for every crash of
 * a leader how long the cluster went without one.
 *
 * @example
 * ```ts
 * for (const f of result.raft!.failovers) console.log(`${f.crashed} crashed; new leader after ${f.ms} ms`);
 * ```
 */
export interface RaftFigures {
  readonly leaders: { term: number; leader: ActorId; at: number }[];
  readonly failovers: { crashed: ActorId; at: number; newLeader: ActorId | null; ms: number | null }[];
  /** Client sends beyond the first of each command (redirects and timeouts). */
  retries: number;
  /** Messages honest nodes and the client refused (`raft-rejected`), by reason: what a faulty member sent. */
  readonly rejected: Record<string, number>;
}
