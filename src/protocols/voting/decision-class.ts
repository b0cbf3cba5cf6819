/**
 * A decision's class (`decision_policies` in a scenario), as the coordinator applies it: which
 * algorithm, threshold and timeout judge the decision, whether its votes are all traced, whether
 * the experts in its domain must agree, whether a person must approve it. Plain data, so it
 * travels to a coordinator in a worker.
 */
import type { ActorId } from '../../actors/envelope.ts';
import type { Outcome, Vote } from './types.ts';

/**
 * The rules of one class, as the coordinator reads them (the scenario's `DecisionPolicy` with
 * its algorithm already a voting algorithm).
 *
 * @example
 * ```ts
 * const critical: DecisionClassRules = { algorithm: 'byzantine_supermajority', timeoutMs: 300_000, human_oversight: true, oversightTimeoutMs: 60_000, on_timeout: 'reject' };
 * ```
 */
export interface DecisionClassRules {
  readonly algorithm?: string;
  readonly threshold?: number;
  readonly timeoutMs?: number;
  readonly audit_trail?: boolean;
  readonly human_oversight?: boolean;
  readonly oversightTimeoutMs?: number;
  readonly on_timeout?: 'approve' | 'reject' | 'escalate';
  readonly expert_review?: boolean;
}

/**
 * What a run counts per class: every decision of the class is attempted once and closes one way.
 *
 * @example
 * ```ts
 * result.byPolicy; // { critical: { attempted: 2, decided: 1, noConsensus: 1, timedOut: 0, escalated: 0 } }
 * ```
 */
export interface PolicyClassCounts {
  attempted: number;
  decided: number;
  noConsensus: number;
  timedOut: number;
  escalated: number;
}

/**
 * Zeroed counts.
 *
 * @example
 * ```ts
 * emptyClassCounts().attempted; // 0
 * ```
 */
export const emptyClassCounts = (): PolicyClassCounts => ({ attempted: 0, decided: 0, noConsensus: 0, timedOut: 0, escalated: 0 });

/**
 * Expert review: a decision that reached consensus stands only if the experts in its domain who
 * voted (agents whose expertise lists the domain) chose the same value by a strict majority of
 * their non-abstaining votes. No expert voted: the review cannot approve it, so no consensus.
 *
 * @example
 * ```ts
 * reviewByExperts({ consensus: true, decision: 'A', strength: 0.6 }, votes, 'security', { agent_1: ['security'] });
 * ```
 */
export function reviewByExperts(
  outcome: Outcome,
  votes: readonly Vote[],
  domain: string | undefined,
  experts: Readonly<Record<ActorId, readonly string[]>> | undefined,
): Outcome {
  if (!outcome.consensus) return outcome;
  const theirs = votes.filter((v) => v.decision !== 'abstain' && domain !== undefined && (experts?.[v.agent] ?? []).includes(domain));
  if (theirs.length === 0) return { consensus: false, strength: outcome.strength, reason: `expert review: no expert in ${domain ?? '(no domain)'} voted` };
  const agree = theirs.filter((v) => v.decision === outcome.decision).length;
  if (agree * 2 > theirs.length) return outcome;
  return { consensus: false, strength: outcome.strength, reason: `expert review: ${agree} of ${theirs.length} experts in ${domain} chose ${outcome.decision}` };
}

/**
 * Votes per option, abstentions left out (what an overseer is shown).
 *
 * @example
 * ```ts
 * tallyOf([{ decision: 'A' }, { decision: 'A' }, { decision: 'abstain' }] as Vote[]); // { A: 2 }
 * ```
 */
export function tallyOf(votes: readonly Vote[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of votes) if (v.decision !== 'abstain') out[v.decision] = (out[v.decision] ?? 0) + 1;
  return out;
}
