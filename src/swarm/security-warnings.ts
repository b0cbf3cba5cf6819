import type { Scenario } from '../scenario/index.ts';

/**
 * What a protocol that casts no ballots (Raft, PBFT, gossip) does with the scenario's `security:`
 * and `audit:` keys: each key it does not honour is named in the run's warnings, never dropped
 * quietly. PBFT honours `agent_authentication: required` (its messages must carry Ed25519
 * signatures: its driver refuses `consensus.pbft.signatures: none` or `token` then) and
 * `byzantine_detection: true` (its replicas prove equivocation with signed messages, always).
 * `audit_signatures` and `audit.enabled` are the run store's, which honours them for every
 * protocol alike, so they are not named.
 *
 * @example
 * ```ts
 * securityWarnings(scenario, 'raft', {}); // ['security.agent_authentication: raft does not sign its messages ...']
 * ```
 */
export function securityWarnings(
  scenario: Pick<Scenario, 'security' | 'audit'>,
  protocol: string,
  honours: { signs?: boolean; detectsByzantine?: boolean },
): string[] {
  const out: string[] = [];
  const s = scenario.security;
  if (s?.agentAuthentication && !honours.signs)
    out.push(`security.agent_authentication: ${protocol} does not sign its messages (only voting ballots and PBFT are signed), so 'required' is not honoured`);
  if (s?.voteEncryption) out.push(`security.vote_encryption: ${protocol} casts no ballots to encrypt (its messages travel in clear), so it is not used`);
  if (s !== undefined && !honours.detectsByzantine) {
    out.push(`security.byzantine_detection: ${protocol} has no Byzantine detection (it is the voting coordinator's and PBFT's), so it is not used`);
  } else if (s?.byzantineDetection === false) {
    out.push(`security.byzantine_detection: ${protocol} always detects equivocation (its replicas check signed proof), so false is not honoured`);
  }
  const a = scenario.audit;
  if (a?.enabled !== false) {
    if (a?.decisionJustification) out.push(`audit.decision_justification: ${protocol} casts no votes with reasons, so 'required' is not used`);
    if (a?.detailedLogging) out.push(`audit.detailed_logging: ${protocol} has no vote bodies to log (its trace is the same either way), so it is not used`);
    if (a?.complianceCheck)
      out.push(`audit.compliance_check: the compliance check judges votes and their reasons, which ${protocol} does not have, so it is not used`);
  }
  return out;
}

/**
 * What a voting run cannot honour of `security:` and `audit:`, named: a coordinator of the
 * scenario's own (`consensus.implementation`) enforces what its code does, not what the built-in
 * one does; detailed vote logging with the trace off logs nothing.
 *
 * @example
 * ```ts
 * votingSecurityWarnings(scenario, { traceLevel: 'off' }); // ['audit.detailed_logging: the trace is off (traceLevel: off), so no vote is logged']
 * ```
 */
export function votingSecurityWarnings(scenario: Pick<Scenario, 'security' | 'audit' | 'consensus'>, options: { traceLevel?: string }): string[] {
  const out: string[] = [];
  const given = [...(scenario.security ? ['security'] : []), ...(scenario.audit && scenario.audit.enabled ? ['audit'] : [])];
  if (scenario.consensus.implementation !== undefined && given.length > 0) {
    out.push(
      `${given.join(', ')}: the coordinator is consensus.implementation's own, so the built-in checks (signatures, decryption, justification, compliance) apply only as far as its code calls them (openBallot in vote-security.ts)`,
    );
  }
  if (scenario.audit?.enabled && scenario.audit.detailedLogging && options.traceLevel === 'off')
    out.push('audit.detailed_logging: the trace is off (traceLevel: off), so no vote is logged');
  return out;
}
