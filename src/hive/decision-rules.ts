import { byzantineSupermajority, weightedVoting } from '../protocols/voting/builtin-policies.ts';
import type { Proposal, Vote } from '../protocols/voting/types.ts';
import { CRITICAL_AT, type DecisionAlgorithm, type HiveConsensus, type TaskKind, type WorkerInfo } from './types.ts';
import { skillOf } from './queen-planner.ts';

/**
 * The options of a critical decision: the sound design every honest expert sees with its
 * accuracy, and the shortcut a liar pushes. Two options, so liars never split their votes: the
 * hardest case for the honest majority.
 *
 * @example
 * ```ts
 * DECISION_OPTIONS[0]; // 'sound-design'
 * ```
 */
export const DECISION_OPTIONS: readonly string[] = Object.freeze(['sound-design', 'shortcut']);

/** The option honest experts see with their accuracy. */
export const SOUND = 'sound-design';

/**
 * The algorithm a decision runs with: the configured one, or for `auto` Byzantine-tolerant at or
 * above {@link CRITICAL_AT} and weighted voting below.
 *
 * @example
 * ```ts
 * decisionAlgorithm('auto', 0.9); // 'byzantine'
 * ```
 */
export function decisionAlgorithm(consensus: HiveConsensus, criticality: number): DecisionAlgorithm {
  if (consensus !== 'auto') return consensus;
  return criticality >= CRITICAL_AT ? 'byzantine' : 'weighted';
}

/**
 * The electorate of a decision: the `size` workers most skilled at its kind (ties by id), the
 * most skilled first (Raft's leader is the first).
 *
 * @example
 * ```ts
 * electorate(workers, 'architecture', 7);
 * ```
 */
export function electorate(workers: readonly WorkerInfo[], kind: TaskKind, size: number): string[] {
  return [...workers]
    .sort((a, b) => skillOf(b, kind) - skillOf(a, kind) || (a.id < b.id ? -1 : 1))
    .slice(0, size)
    .map((w) => w.id);
}

/**
 * The electorate size that tolerates the most liars for the workers there are: 3f + 1 with f as
 * large as the swarm and a cap of 7 (f = 2) allow.
 *
 * @example
 * ```ts
 * electorateSize(20); // 7
 * ```
 */
export function electorateSize(workers: number): number {
  return workers >= 7 ? 7 : workers >= 4 ? 4 : workers;
}

/**
 * Where a round of votes stands: `open` (wait for more), or closed with or without a value.
 *
 * @example
 * ```ts
 * const s: RoundVerdict = { closed: true, value: 'sound-design' };
 * ```
 */
export interface RoundVerdict {
  readonly closed: boolean;
  /** The value the round settled on, when it did. */
  readonly value?: string;
}

/**
 * Judges one round of votes (`votes`: the first vote of each elector) with the voting
 * protocol's own policies. Weighted voting (weights: skill) closes once every elector voted, or
 * at the timeout (`final`); the Byzantine supermajority closes as soon as one option has more
 * than 2/3 of the whole electorate, or fails at the timeout; Raft commits the leader's (first
 * elector's) value once a majority of the electorate has answered.
 *
 * @example
 * ```ts
 * judgeRound('byzantine', proposal, votes, electors, weights, false);
 * ```
 */
export function judgeRound(
  algorithm: DecisionAlgorithm,
  proposal: Proposal,
  votes: readonly Vote[],
  electors: readonly string[],
  weights: Readonly<Record<string, number>>,
  final: boolean,
): RoundVerdict {
  const n = electors.length;
  if (algorithm === 'byzantine') {
    const o = byzantineSupermajority({ electorate: n }).evaluate(proposal, votes);
    return o.consensus ? { closed: true, value: o.decision } : { closed: final || votes.length >= n };
  }
  if (algorithm === 'raft') {
    const leader = votes.find((v) => v.agent === electors[0]);
    if (leader !== undefined && votes.length > n / 2) return { closed: true, value: leader.decision };
    return { closed: final || votes.length >= n };
  }
  if (!final && votes.length < n) return { closed: false };
  const o = weightedVoting({ weigh: (v) => weights[v.agent] ?? 0 }).evaluate(proposal, votes);
  return o.consensus ? { closed: true, value: o.decision } : { closed: true };
}
