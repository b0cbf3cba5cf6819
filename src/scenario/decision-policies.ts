/**
 * `decision_policies:` (tutorial exercise 18): named classes of decision (routine, important,
 * critical, emergency), each with the algorithm, threshold and timeout a decision of that class
 * is judged by, and what happens around it (human oversight, audit trail, expert review). A
 * task (`task.policy`) or a workflow stage (`policy`) names its class. The schema is pure; what
 * a protocol honours of a class is said by `src/swarm/enterprise-settings.ts`.
 */
import { z } from 'zod';
import { MAX_VOTING_TIMEOUT_MS } from './bounds.ts';
import { duration, expecting, nonEmptyString, oneOf, strictMapping, threshold, type IssueParams } from './fields.ts';

/**
 * The classes of decision a scenario may define, in increasing order of care.
 *
 * @example
 * ```ts
 * POLICY_CLASSES.includes('critical'); // true
 * ```
 */
export const POLICY_CLASSES = ['routine', 'important', 'critical', 'emergency'] as const;

/**
 * A class of decision.
 *
 * @example
 * ```ts
 * const c: PolicyClass = 'critical';
 * ```
 */
export type PolicyClass = (typeof POLICY_CLASSES)[number];

/**
 * What a human overseer's silence means once `oversight_timeout` has passed: `reject` (default)
 * the decision has no consensus; `approve` it stands as voted; `escalate` it is counted as
 * escalated (no consensus, like `escalation: record`).
 *
 * @example
 * ```ts
 * const t: OversightTimeoutOutcome = 'reject';
 * ```
 */
export type OversightTimeoutOutcome = 'approve' | 'reject' | 'escalate';

/** Default `oversight_timeout`: as long as the default voting timeout. */
export const DEFAULT_OVERSIGHT_TIMEOUT_MS = 60_000;

/**
 * One class of decision, normalised (durations in ms; `audit_required` is read as `audit_trail`).
 *
 * @example
 * ```ts
 * const critical: DecisionPolicy = { algorithm: 'byzantine_supermajority', threshold: 0.75, timeoutMs: 300_000, audit_trail: true, human_oversight: true, oversightTimeoutMs: 60_000, on_timeout: 'reject' };
 * ```
 */
export interface DecisionPolicy {
  /** Replaces `consensus.algorithm` for the class's decisions. */
  algorithm?: string;
  /** Replaces `consensus.threshold`. */
  threshold?: number;
  /** From `timeout`: replaces `consensus.voting_timeout`. */
  timeoutMs?: number;
  /** Every vote of the class's decisions is traced, even with per-vote tracing off (`traceVotes: false`). */
  audit_trail?: boolean;
  /** Holds each decision, after its vote, until the oversight hook approves or rejects it. */
  human_oversight?: boolean;
  /** From `oversight_timeout` (default {@link DEFAULT_OVERSIGHT_TIMEOUT_MS}), set when `human_oversight` is. */
  oversightTimeoutMs?: number;
  /** Set when `human_oversight` is; default `reject`. */
  on_timeout?: OversightTimeoutOutcome;
  /** Needs the experts in the decision's domain to agree with the outcome. */
  expert_review?: boolean;
  /** Warned about: see `enterpriseWarnings`. */
  leader_override?: boolean;
  /** Warned about: see `enterpriseWarnings`. */
  emergency_contacts?: unknown;
}

const flag = () => z.boolean(expecting('true or false'));

const policyClass = strictMapping(
  {
    algorithm: nonEmptyString(
      'an algorithm name (simple_majority, supermajority, weighted_voting, byzantine_supermajority, byzantine_tolerant, raft, ...)',
    ).optional(),
    threshold: threshold().optional(),
    timeout: duration({ positive: true, maxMs: MAX_VOTING_TIMEOUT_MS }).optional(),
    audit_trail: flag().optional(),
    audit_required: flag().optional(),
    human_oversight: flag().optional(),
    oversight_timeout: duration({ positive: true, maxMs: MAX_VOTING_TIMEOUT_MS }).optional(),
    on_timeout: oneOf(['approve', 'reject', 'escalate']).optional(),
    leader_override: flag().optional(),
    expert_review: flag().optional(),
    emergency_contacts: z.unknown().optional(),
  },
  'a decision policy { algorithm, threshold, timeout, human_oversight, ... }',
)
  .superRefine((p, ctx) => {
    if (p.audit_trail !== undefined && p.audit_required !== undefined && p.audit_trail !== p.audit_required) {
      ctx.addIssue({
        code: 'custom',
        path: ['audit_required'],
        message: 'the same value as audit_trail (they are one setting)',
        input: p.audit_required,
        params: { hint: 'Keep one of audit_trail / audit_required.' } satisfies IssueParams,
      });
    }
    for (const key of ['oversight_timeout', 'on_timeout'] as const) {
      if (p[key] !== undefined && p.human_oversight !== true) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'human_oversight: true beside it (it says what a held decision does when nobody answers)',
          input: p[key],
          params: { gotText: `${key} without human_oversight` } satisfies IssueParams,
        });
      }
    }
  })
  .transform(({ timeout, audit_required, audit_trail, oversight_timeout, on_timeout, human_oversight, ...rest }): DecisionPolicy => {
    const out: DecisionPolicy = { ...rest };
    if (timeout !== undefined) out.timeoutMs = timeout;
    const audit = audit_trail ?? audit_required;
    if (audit !== undefined) out.audit_trail = audit;
    if (human_oversight !== undefined) out.human_oversight = human_oversight;
    if (human_oversight) {
      out.oversightTimeoutMs = oversight_timeout ?? DEFAULT_OVERSIGHT_TIMEOUT_MS;
      out.on_timeout = on_timeout ?? 'reject';
    }
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as DecisionPolicy;
  });

/**
 * The `decision_policies` mapping: class name -> its policy.
 *
 * @example
 * ```ts
 * decisionPolicies.parse({ critical: { algorithm: 'supermajority', human_oversight: true } }).critical?.on_timeout; // 'reject'
 * ```
 */
export const decisionPolicies = strictMapping(
  Object.fromEntries(POLICY_CLASSES.map((c) => [c, policyClass.optional()])) as Record<PolicyClass, z.ZodOptional<typeof policyClass>>,
  `a mapping of decision class (${POLICY_CLASSES.join(', ')}) -> policy`,
).transform((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as DecisionPolicies);

/**
 * The classes a scenario defines.
 *
 * @example
 * ```ts
 * const p: DecisionPolicies = { routine: { algorithm: 'simple_majority', threshold: 0.6, timeoutMs: 30_000 } };
 * ```
 */
export type DecisionPolicies = Partial<Record<PolicyClass, DecisionPolicy>>;

/**
 * A reference to a class (`task.policy`, a stage's `policy`).
 *
 * @example
 * ```ts
 * policyClassName.parse('critical'); // 'critical'
 * ```
 */
export const policyClassName = oneOf(POLICY_CLASSES);

/**
 * The voting algorithm that judges a vote for a class whose `algorithm` names a protocol: PBFT
 * (`byzantine_tolerant` / `pbft`) is a conversation among replicas that a single vote cannot run,
 * so a vote of that class is counted with PBFT's quorum rule instead (`byzantine_supermajority`:
 * more than two thirds of the electorate, which no f < n/3 liars can swing). Every other name is
 * returned as written (`raft` is refused by the voting driver where a class that says it is used).
 *
 * @example
 * ```ts
 * voteAlgorithmFor('byzantine_tolerant'); // 'byzantine_supermajority'
 * voteAlgorithmFor('supermajority');      // 'supermajority'
 * ```
 */
export function voteAlgorithmFor(algorithm: string): string {
  return algorithm === 'byzantine_tolerant' || algorithm === 'pbft' ? 'byzantine_supermajority' : algorithm;
}
