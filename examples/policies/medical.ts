/**
 * An evidence-weighted consensus policy for medical decisions: a vote backed by a systematic review
 * outweighs several expert opinions, at least two medical experts must take part, and the
 * evidence must have been peer reviewed.
 *
 * Use it with `consensus: { algorithm: medical_consensus, policy: { module: /abs/path/medical.ts } }`.
 * Votes may carry `evidence_level`, `agent_weight` and `peer_reviewed`; anything missing or odd
 * falls back to the weakest reading rather than failing.
 */
import type { Outcome, Proposal, Vote } from '../../src/protocols/voting/types.ts';

/**
 * The name this policy registers under.
 *
 * @example
 * ```ts
 * name; // 'medical_consensus'
 * ```
 */
export const name = 'medical_consensus';

/**
 * How much each level of evidence weighs; unknown or missing levels weigh like expert opinion.
 *
 * @example
 * ```ts
 * EVIDENCE_WEIGHTS.rct; // 4
 * ```
 */
export const EVIDENCE_WEIGHTS: Readonly<Record<string, number>> = { systematic_review: 5, rct: 4, cohort: 3, case_control: 2, expert_opinion: 1 };

/**
 * Settings.
 *
 * @example
 * ```ts
 * MEDICAL.threshold; // 0.75
 * ```
 */
export const MEDICAL = { threshold: 0.75, min_medical_experts: 2, min_peer_reviewed: 2 } as const;

const EXPERT = /medical|doctor|clinician/i;

/**
 * Consensus iff at least 2 medical experts voted, the best option has at least 75% of the
 * evidence-weighted votes, and at least 2 votes were peer reviewed. Abstentions carry no opinion
 * and no evidence, so they count for nothing here.
 *
 * @example
 * ```ts
 * evaluate(proposal, votes); // { consensus: true, decision: 'treatment_a', strength: 0.8, evidence_quality: 'high', peer_review_status: true, ... }
 * ```
 */
export function evaluate(proposal: Proposal, votes: readonly Vote[]): Outcome {
  const cast = votes.filter((v) => proposal.options.includes(v.decision));
  const experts = cast.filter((v) => EXPERT.test(String(v.role)) || EXPERT.test(String(v.agent))).length;
  const peer_review_status = cast.filter((v) => v.peer_reviewed === true).length >= MEDICAL.min_peer_reviewed;
  const extras = { evidence_quality: evidenceQuality(cast), peer_review_status, medical_experts: experts };

  const byOption = new Map<string, number>();
  let total = 0;
  for (const v of cast) {
    const w = evidenceWeight(v) * agentWeight(v);
    byOption.set(v.decision, (byOption.get(v.decision) ?? 0) + w);
    total += w;
  }
  let decision: string | undefined;
  let best = 0;
  for (const option of proposal.options) {
    const w = byOption.get(option) ?? 0;
    if (w > best) [decision, best] = [option, w];
  }
  const strength = total > 0 ? best / total : 0;
  const outcome = { decision, strength, ...extras };

  if (experts < MEDICAL.min_medical_experts) {
    return { consensus: false, ...outcome, reason: `insufficient medical experts (${experts} of ${MEDICAL.min_medical_experts})` };
  }
  if (!peer_review_status) return { consensus: false, ...outcome, reason: 'peer review missing' };
  if (strength < MEDICAL.threshold - 1e-12) return { consensus: false, ...outcome, reason: `below threshold ${MEDICAL.threshold} (${strength.toFixed(4)})` };
  return { consensus: true, ...outcome };
}

function evidenceWeight(v: Vote): number {
  const level = v.evidence_level;
  return typeof level === 'string' && Object.hasOwn(EVIDENCE_WEIGHTS, level) ? EVIDENCE_WEIGHTS[level] : 1;
}

function agentWeight(v: Vote): number {
  const w = v.agent_weight;
  return typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : 1;
}

function evidenceQuality(votes: readonly Vote[]): 'high' | 'good' | 'moderate' | 'low' {
  const levels = new Set(votes.map((v) => v.evidence_level));
  if (levels.has('systematic_review')) return 'high';
  if (levels.has('rct')) return 'good';
  if (levels.has('cohort')) return 'moderate';
  return 'low';
}
