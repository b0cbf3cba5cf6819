import type { BallotSecurity, VoteSecurity } from '../protocols/voting/vote-security.ts';
import type { Scenario } from '../scenario/index.ts';

/**
 * What a voting swarm's actors are told of the scenario's `security:` and `audit:` sections:
 * the voters how to cast a ballot (sign it, encrypt it), the coordinator what to enforce and
 * record. Nothing (undefined) for a scenario without the sections, so such a run's props, and
 * its trace, are what they were before the sections existed.
 *
 * @example
 * ```ts
 * const { ballot, coordinator } = voteSecurityPlan(scenario);
 * ```
 */
export function voteSecurityPlan(scenario: Pick<Scenario, 'security' | 'audit'>): { ballot?: BallotSecurity; coordinator?: VoteSecurity } {
  const s = scenario.security;
  const a = scenario.audit?.enabled === false ? undefined : scenario.audit;
  const ballot: BallotSecurity = { ...(s?.agentAuthentication ? { sign: true } : {}), ...(s?.voteEncryption ? { encrypt: true } : {}) };
  const coordinator: VoteSecurity = {
    ...ballot,
    ...(a?.decisionJustification ? { justify: true } : {}),
    ...(a?.detailedLogging ? { detailedLogging: true } : {}),
    ...(a?.complianceCheck ? { compliance: true } : {}),
    ...(s?.byzantineDetection === false ? { detectByzantine: false } : {}),
  };
  return {
    ...(Object.keys(ballot).length > 0 ? { ballot } : {}),
    ...(Object.keys(coordinator).length > 0 ? { coordinator } : {}),
  };
}
