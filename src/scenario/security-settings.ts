/**
 * A scenario's `security:` and `audit:` sections (the tutorial's enterprise configuration writes
 * them under `consensus:`; the top level takes them too, but not both places at once). Pure
 * schema and types: what each key does is in the voting ballot code (`vote-security.ts`), the
 * coordinator and the drivers of the other protocols, which honour a key or name it in the run's
 * warnings.
 */
import { z } from 'zod';
import { expecting, strictMapping, type IssueParams } from './fields.ts';

/**
 * What a run's `security:` section asks for, normalised.
 *
 * @example
 * ```ts
 * const s: SecuritySettings = { agentAuthentication: true, voteEncryption: true, byzantineDetection: true, auditSignatures: true };
 * ```
 */
export interface SecuritySettings {
  /**
   * `agent_authentication: required`: every vote is signed by its voter with the key the runtime
   * holds for it (`ctx.sign`), over the decision, the coordinator and the whole vote, and the
   * coordinator refuses (and counts, as `unsigned` / `bad-signature`) any vote that is not signed
   * by the agent it names, that agent being its sender. PBFT: its messages must be signed
   * (`consensus.pbft.signatures: none` is refused). `none` (default): votes are not signed.
   */
  readonly agentAuthentication: boolean;
  /**
   * `vote_encryption: true`: each vote travels encrypted for the coordinator alone
   * (`ctx.encryptFor`: X25519, HKDF, AES-256-GCM), so relays and other members see only
   * ciphertext; what does not decrypt is refused as `undecryptable`, a vote in clear as
   * `unencrypted`.
   */
  readonly voteEncryption: boolean;
  /**
   * `byzantine_detection`: the voting coordinator's detection of lying voters (two different
   * votes for one decision, a vote for no option, a forged signature), reported as
   * `byzantineDetected`. On by default; `false` turns the reporting off (the votes are still
   * refused: refusing is safety, not detection).
   */
  readonly byzantineDetection: boolean;
  /**
   * `audit_signatures: true`: the run store signs its audit chain (each stored record signed, so
   * a changed or removed record is detected). Parsed and carried here for the run store; the
   * protocols do not read it.
   */
  readonly auditSignatures: boolean;
}

/**
 * What a run's `audit:` section asks for, normalised.
 *
 * @example
 * ```ts
 * const a: AuditSettings = { enabled: true, detailedLogging: true, decisionJustification: true, complianceCheck: true };
 * ```
 */
export interface AuditSettings {
  /**
   * `enabled` (default true once the section is given): the section's master switch. With
   * `false`, every other audit key must be off (one that is on is refused, naming both), and the
   * run store keeps no audit record of the run's decisions.
   */
  readonly enabled: boolean;
  /**
   * `detailed_logging: true`: each `vote` trace event carries the whole vote as counted (every
   * field, the signature when votes are signed, the weight it was given) instead of the default
   * summary (agent, role, vote, reason, confidence); votes are traced even when the run's options
   * turn vote events off (benchmarks do).
   */
  readonly detailedLogging: boolean;
  /** `decision_justification: required`: a vote without a non-empty `reason` is refused and counted as `unjustified`. */
  readonly decisionJustification: boolean;
  /**
   * `compliance_check: true`: every decision that reached consensus is checked: at least the
   * consensus threshold (0.5 when none is set) of its counted votes are justified, and the policy
   * that decided it is recorded. A decision that fails is a finding in the result's `compliance`.
   */
  readonly complianceCheck: boolean;
}

const onOff = (what: string) => z.boolean(expecting(what));

const securitySection = strictMapping(
  {
    agent_authentication: z.enum(['required', 'none'], expecting('"required" (every vote signed by its voter) or "none"')).optional(),
    vote_encryption: onOff('true (votes encrypted for the coordinator) or false').optional(),
    byzantine_detection: onOff('true (report voters caught lying) or false').optional(),
    audit_signatures: onOff('true (the run store signs its audit chain) or false').optional(),
  },
  'a security mapping { agent_authentication, vote_encryption, byzantine_detection, audit_signatures }',
).transform(
  (s): SecuritySettings => ({
    agentAuthentication: s.agent_authentication === 'required',
    voteEncryption: s.vote_encryption ?? false,
    byzantineDetection: s.byzantine_detection ?? true,
    auditSignatures: s.audit_signatures ?? false,
  }),
);

const AUDIT_SWITCHES = ['detailed_logging', 'decision_justification', 'compliance_check'] as const;

const auditSection = strictMapping(
  {
    enabled: onOff('true or false').optional(),
    detailed_logging: onOff('true (vote events carry the whole vote) or false').optional(),
    decision_justification: z.enum(['required', 'optional'], expecting('"required" (a vote needs a reason) or "optional"')).optional(),
    compliance_check: onOff('true (check every decided decision) or false').optional(),
  },
  'an audit mapping { enabled, detailed_logging, decision_justification, compliance_check }',
)
  .superRefine((a, ctx) => {
    if (a.enabled !== false) return;
    for (const key of AUDIT_SWITCHES) {
      const on = key === 'decision_justification' ? a[key] === 'required' : a[key] === true;
      if (on)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key === 'decision_justification' ? '"optional"' : 'false'} (audit.enabled is false)`,
          input: a[key],
          params: { hint: 'Set audit.enabled: true to use it, or leave it out.' } satisfies IssueParams,
        });
    }
  })
  .transform(
    (a): AuditSettings => ({
      enabled: a.enabled ?? true,
      detailedLogging: a.detailed_logging ?? false,
      decisionJustification: a.decision_justification === 'required',
      complianceCheck: a.compliance_check ?? false,
    }),
  );

/**
 * The `security:` section's schema (in either place).
 *
 * @example
 * ```ts
 * securitySchema.parse({ agent_authentication: 'required' }).agentAuthentication; // true
 * ```
 */
export const securitySchema = securitySection;

/**
 * The `audit:` section's schema (in either place).
 *
 * @example
 * ```ts
 * auditSchema.parse({ decision_justification: 'required' }).decisionJustification; // true
 * ```
 */
export const auditSchema = auditSection;

/**
 * Takes `security` and `audit` from `consensus` (where the tutorial writes them) or the top level,
 * refusing a section given in both places at the second one. `consensus` loses the keys (they are
 * not a custom policy's parameters).
 *
 * @example
 * ```ts
 * const { security, audit } = placeSecuritySections(raw, ctx);
 * ```
 */
export function placeSecuritySections(
  s: { security?: SecuritySettings; audit?: AuditSettings; consensus: object },
  ctx: z.RefinementCtx,
): { security?: SecuritySettings; audit?: AuditSettings } {
  const consensus = s.consensus as { security?: SecuritySettings; audit?: AuditSettings };
  const out: { security?: SecuritySettings; audit?: AuditSettings } = {};
  for (const key of ['security', 'audit'] as const) {
    const top = s[key];
    const nested = consensus[key];
    delete consensus[key];
    if (top !== undefined && nested !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['consensus', key],
        message: `one ${key} section: under consensus or at the top level, not both`,
        input: nested,
        params: { gotText: `a second ${key} section (one is at the top level)`, hint: `Merge the two into one ${key}: mapping.` } satisfies IssueParams,
      });
      continue;
    }
    const section = top ?? nested;
    if (section !== undefined) (out as Record<string, unknown>)[key] = section;
  }
  return out;
}
