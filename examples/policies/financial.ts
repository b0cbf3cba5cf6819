/**
 * A risk-adjusted consensus policy for financial decisions: the riskier the voters judge the
 * decision, the larger the agreement it needs, and nothing passes without stress testing.
 *
 * Use it with `consensus: { algorithm: financial_risk_consensus, policy: { module: /abs/path/financial.ts } }`.
 * Votes may carry `risk_assessment: { score }` (0..1, default 0.5), `stress_test_passed` and
 * `confidence`; anything missing or odd falls back to a cautious reading rather than failing.
 */
import type { Outcome, Proposal, Vote } from '../../src/protocols/voting/types.ts';

/**
 * The name this policy registers under.
 *
 * @example
 * ```ts
 * name; // 'financial_risk_consensus'
 * ```
 */
export const name = 'financial_risk_consensus';

/**
 * Settings.
 *
 * @example
 * ```ts
 * FINANCIAL.max_risk; // 0.15
 * ```
 */
export const FINANCIAL = { max_risk: 0.15, high_risk_threshold: 0.8, threshold: 0.6 } as const;

/**
 * Consensus iff at least half of the votes passed a stress test and the best option's share of
 * the total confidence reaches the threshold: 0.8 when the mean risk score is above 0.15, else
 * 0.6. Abstentions carry no assessment and are left out of every count.
 *
 * @example
 * ```ts
 * evaluate(proposal, votes); // { consensus: true, decision: 'invest', strength: 0.65, risk_level: 'low', total_risk_score: 0.02, threshold_used: 0.6 }
 * ```
 */
export function evaluate(proposal: Proposal, votes: readonly Vote[]): Outcome {
  const cast = votes.filter((v) => proposal.options.includes(v.decision));
  const risk = cast.length > 0 ? cast.reduce((sum, v) => sum + riskScore(v), 0) / cast.length : 0;
  const threshold_used = risk > FINANCIAL.max_risk ? FINANCIAL.high_risk_threshold : FINANCIAL.threshold;
  const risk_level = risk > 0.1 ? 'high' : risk > 0.05 ? 'moderate' : 'low';

  const byOption = new Map<string, number>();
  let total = 0;
  for (const v of cast) {
    const c = confidence(v);
    byOption.set(v.decision, (byOption.get(v.decision) ?? 0) + c);
    total += c;
  }
  let decision: string | undefined;
  let best = 0;
  for (const option of proposal.options) {
    const c = byOption.get(option) ?? 0;
    if (c > best) [decision, best] = [option, c];
  }
  const strength = total > 0 ? best / total : 0;
  const outcome = { decision, strength, risk_level, total_risk_score: risk, threshold_used };

  if (cast.length === 0) return { consensus: false, ...outcome, reason: 'no votes' };
  const stressed = cast.filter((v) => v.stress_test_passed === true).length;
  if (stressed < cast.length / 2) return { consensus: false, ...outcome, reason: 'insufficient stress testing' };
  if (strength < threshold_used - 1e-12) return { consensus: false, ...outcome, reason: `below threshold ${threshold_used} (${strength.toFixed(4)})` };
  return { consensus: true, ...outcome };
}

/** The voter's risk score, 0.5 (unknown, so cautious) when missing or not a number in [0, 1]. */
function riskScore(v: Vote): number {
  const score = (v.risk_assessment as { score?: unknown } | undefined)?.score;
  return typeof score === 'number' && score >= 0 && score <= 1 ? score : 0.5;
}

/** The vote's confidence, 0 when missing or not a number in [0, 1]. */
function confidence(v: Vote): number {
  const c = v.confidence;
  return typeof c === 'number' && c >= 0 && c <= 1 ? c : 0;
}
