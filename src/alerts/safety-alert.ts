import type { AlertRecord } from '../monitoring/alert-record.ts';

/**
 * The `safety-violation` alert of a run whose checkers found violations (raised always, whatever
 * the `monitoring:` section says), or undefined for a safe run. `at` is the run's end (ms of its
 * clock since its first event): the checkers' verdict comes with the result.
 *
 * @example
 * ```ts
 * const a = safetyAlert(result.safetyViolations.map((v) => v.message), result.elapsedMs);
 * ```
 */
export function safetyAlert(violations: readonly string[], at: number): AlertRecord | undefined {
  if (violations.length === 0) return undefined;
  const first = violations[0];
  return {
    at,
    rule: 'safety-violation',
    value: violations.length,
    threshold: 0,
    message: `${violations.length} safety violation${violations.length === 1 ? '' : 's'}: ${first.length > 300 ? `${first.slice(0, 297)}...` : first}${violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''}`,
  };
}
