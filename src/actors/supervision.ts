import { ConfigError } from '../errors.ts';

/**
 * What the supervisor does when `receive` throws.
 *
 * @example
 * ```ts
 * const strategy: SupervisionStrategy = 'resume';
 * await system.spawn('c', 'counter', { supervision: { strategy } });
 * ```
 */
export type SupervisionStrategy = 'resume' | 'restart' | 'stop';

/**
 * The decision actually taken for one failure: the strategy, or `escalate` once over the limit.
 *
 * @example
 * ```ts
 * const d: SupervisionDirective = decide({ strategy: 'resume', maxFailures: 0, windowMs: 1000 }, [], 0); // 'escalate'
 * ```
 */
export type SupervisionDirective = SupervisionStrategy | 'escalate';

/**
 * How an actor is supervised. `maxFailures` failures within `windowMs` are tolerated; the next one
 * escalates: the actor stops and the escalation is reported in the trace and the run result.
 *
 * @example
 * ```ts
 * const policy: SupervisionPolicy = { strategy: 'restart', maxFailures: 3, windowMs: 1000 };
 * ```
 */
export interface SupervisionPolicy {
  readonly strategy: SupervisionStrategy;
  readonly maxFailures: number;
  readonly windowMs: number;
}

/**
 * The default: restart, at most 3 failures per second, then escalate.
 *
 * @example
 * ```ts
 * await system.spawn('c', 'counter', { supervision: { ...DEFAULT_SUPERVISION, maxFailures: 10 } });
 * ```
 */
export const DEFAULT_SUPERVISION: SupervisionPolicy = { strategy: 'restart', maxFailures: 3, windowMs: 1000 };

/** Fills in defaults and validates; `path` names the field in errors. */
export function resolveSupervision(p: Partial<SupervisionPolicy> | undefined, path = 'supervision'): SupervisionPolicy {
  const out = { ...DEFAULT_SUPERVISION, ...p };
  if (!['resume', 'restart', 'stop'].includes(out.strategy)) throw new ConfigError(`${path}.strategy`, `'resume' | 'restart' | 'stop'`, out.strategy);
  if (!Number.isInteger(out.maxFailures) || out.maxFailures < 0) throw new ConfigError(`${path}.maxFailures`, 'an integer >= 0', out.maxFailures);
  if (!(out.windowMs > 0)) throw new ConfigError(`${path}.windowMs`, 'a number of ms > 0', out.windowMs);
  return out;
}

/**
 * Pure supervision decision. `history` holds the times of earlier failures (oldest first) and is
 * updated in place to drop those outside the window and add this one.
 *
 * @example
 * ```ts
 * decide(DEFAULT_SUPERVISION, [], 0); // 'restart'
 * ```
 */
export function decide(policy: SupervisionPolicy, history: number[], now: number): SupervisionDirective {
  while (history.length > 0 && now - history[0] >= policy.windowMs) history.shift();
  history.push(now);
  if (policy.strategy === 'stop') return 'stop';
  return history.length > policy.maxFailures ? 'escalate' : policy.strategy;
}
