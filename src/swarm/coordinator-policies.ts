import type { DecisionClassRules } from '../protocols/voting/decision-class.ts';
import { voteAlgorithmFor, type DecisionPolicy, type PolicyClass } from '../scenario/decision-policies.ts';
import type { Scenario } from '../scenario/index.ts';

/**
 * The class rules a voting coordinator is given: a class's algorithm as the vote that judges
 * it (`byzantine_tolerant` counted as `byzantine_supermajority`).
 *
 * @example
 * ```ts
 * coordinatorPolicies(scenario); // { critical: { algorithm: 'byzantine_supermajority', human_oversight: true, ... } }
 * ```
 */
export function coordinatorPolicies(scenario: Scenario): Record<string, DecisionClassRules> | undefined {
  const policies = scenario.decision_policies;
  if (policies === undefined || Object.keys(policies).length === 0) return undefined;
  const out: Record<string, DecisionClassRules> = {};
  for (const [name, p] of Object.entries(policies) as [PolicyClass, DecisionPolicy][]) {
    const { leader_override: _l, emergency_contacts: _e, algorithm, ...rules } = p;
    out[name] = { ...rules, ...(algorithm !== undefined ? { algorithm: voteAlgorithmFor(algorithm) } : {}) };
  }
  return out;
}
