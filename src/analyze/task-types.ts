import { ConfigError } from '../errors.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';

/**
 * How a kind of task changes what `conclave optimize` accepts and how generous the timeouts it
 * derives are. The kinds are the ones users name (`routine_decisions`, `technical_decisions`,
 * `critical_decisions`), and a task's risk level maps onto them as adaptive consensus maps risk
 * onto algorithms (low: simple majority, medium: weighted voting, high: Byzantine):
 *
 * | task type | also read from          | success floor (expertise) | voting timeout | candidates |
 * |-----------|-------------------------|---------------------------|----------------|------------|
 * | (none)    |                         | 99 % (80 %)               | 3 x p99        | every measured group |
 * | routine   | routine_decisions, low  | 95 % (75 %)               | 2 x p99 (aggressive) | every measured group |
 * | technical | technical_decisions, medium, complex | 99 % (80 %)  | 3 x p99 | groups whose decision quality is measured (a vote on options: not Raft or PBFT) |
 * | critical  | critical_decisions, high, critical | 99.9 % (90 %)  | 5 x p99 | speed and reliability: Byzantine-tolerant groups only (PBFT); expertise: votes whose liar bound is at least 1 |
 *
 * The expertise floor is lower: a weighted vote whose experts do not carry the threshold ends
 * without consensus (the bench's weighted votes reach about 85 % of their decisions), and for an
 * expert question no answer (a re-vote, a human) is better than a wrong one, so what counts there
 * is how often a decision reached is right, and how many wrong ones were made.
 *
 * @example
 * ```ts
 * const rule: TaskTypeRule = taskTypeRule('critical_decisions');
 * rule.successFloor; // 0.999
 * ```
 */
export interface TaskTypeRule {
  /** `null` when no task type was given. */
  readonly id: 'routine' | 'technical' | 'critical' | null;
  /** As the output names it: `routine decisions`, or `no task type`. */
  readonly label: string;
  /** Groups whose success rate is below this are not recommended (speed, reliability). */
  readonly successFloor: number;
  /** The same for the expertise target. */
  readonly expertiseFloor: number;
  /** The voting timeout is this many times the worst measured p99 consensus time. */
  readonly timeoutFactor: number;
  readonly candidates: 'all' | 'quality' | 'byzantine';
  /** The rule in one sentence, for the output. */
  readonly summary: string;
  /** Said beside the recommendation (critical risk: adaptive consensus escalates such decisions). */
  readonly note?: string;
}

const RULES: Readonly<Record<'none' | 'routine' | 'technical' | 'critical', TaskTypeRule>> = {
  none: {
    id: null,
    label: 'no task type',
    successFloor: 0.99,
    expertiseFloor: 0.8,
    timeoutFactor: 3,
    candidates: 'all',
    summary: 'no task type: success rate at least 99 % (expertise: 80 %), voting timeout 3 x the worst p99',
  },
  routine: {
    id: 'routine',
    label: 'routine decisions',
    successFloor: 0.95,
    expertiseFloor: 0.75,
    timeoutFactor: 2,
    candidates: 'all',
    summary: 'routine decisions (low stakes): success rate at least 95 % (expertise: 75 %), an aggressive voting timeout (2 x the worst p99)',
  },
  technical: {
    id: 'technical',
    label: 'technical decisions',
    successFloor: 0.99,
    expertiseFloor: 0.8,
    timeoutFactor: 3,
    candidates: 'quality',
    summary:
      'technical decisions (complex, expert input): only algorithms that vote on the options (their decision quality is measured), success rate at least 99 % (expertise: 80 %), voting timeout 3 x the worst p99',
  },
  critical: {
    id: 'critical',
    label: 'critical decisions',
    successFloor: 0.999,
    expertiseFloor: 0.9,
    timeoutFactor: 5,
    candidates: 'byzantine',
    summary:
      'critical decisions (high stakes, members may lie): Byzantine tolerance required (for expertise: a vote whose liar bound is at least 1), success rate at least 99.9 % (expertise: 90 %), a generous voting timeout (5 x the worst p99: a timed-out critical decision costs more than a slow one)',
  },
};

/** Every spelling `--task-type` takes, and the rule it means. */
const ALIASES: Readonly<Record<string, keyof typeof RULES>> = {
  routine: 'routine',
  routine_decisions: 'routine',
  low: 'routine',
  technical: 'technical',
  technical_decisions: 'technical',
  medium: 'technical',
  complex: 'technical',
  critical: 'critical',
  critical_decisions: 'critical',
  high: 'critical',
};

/**
 * The task types `--task-type` takes, with their aliases.
 *
 * @example
 * ```ts
 * TASK_TYPE_NAMES.includes('critical_decisions'); // true
 * ```
 */
export const TASK_TYPE_NAMES: readonly string[] = Object.freeze(Object.keys(ALIASES));

/**
 * The rule of a task type (see {@link TaskTypeRule}); `undefined` gives the rule of no task
 * type. An unknown one is a ConfigError at `path` that suggests what a typo meant.
 *
 * @example
 * ```ts
 * taskTypeRule('routine_decisions').timeoutFactor; // 2
 * taskTypeRule(undefined).successFloor;            // 0.99
 * taskTypeRule('critcal');                         // throws: critical (did you mean it?), or one of ...
 * ```
 */
export function taskTypeRule(value: string | undefined, path = '--task-type'): TaskTypeRule {
  if (value === undefined) return RULES.none;
  const key = ALIASES[value.trim().toLowerCase()];
  if (key === undefined) {
    const near = didYouMean(value, TASK_TYPE_NAMES);
    throw new ConfigError(path, `${near ? `${near} (did you mean it?), or ` : ''}one of ${TASK_TYPE_NAMES.join(', ')}`, value);
  }
  const rule = RULES[key];
  // Critical risk: adaptive consensus hands these to a human by default; say so.
  return value.trim().toLowerCase() === 'critical'
    ? {
        ...rule,
        note: 'at risk "critical", adaptive consensus escalates a decision to a human by default (consensus.adaptive.critical: escalate); this pick is for when the swarm decides anyway',
      }
    : rule;
}
