/**
 * An alert a run raised while it went (`monitoring:` thresholds crossed).
 */

/**
 * Which rule raised an alert: a decision slower than `slow_consensus_threshold`, the share of
 * decisions closed without consensus over `failure_rate_threshold` (or under `min_success_rate`),
 * an agent newly caught lying (`byzantine_detection`), leader elections or view changes in a
 * storm (`leader_change_storm`), dead letters over `dead_letters_threshold`, a safety violation
 * found by the run's checkers (always, whatever the configuration).
 *
 * @example
 * ```ts
 * const rule: AlertRule = 'slow-consensus';
 * ```
 */
export type AlertRule = 'slow-consensus' | 'failure-rate' | 'byzantine-detected' | 'leader-storm' | 'dead-letters' | 'safety-violation';

/**
 * One alert. `at` is ms since the run's first trace event (virtual in sim mode, so the same seed
 * raises the same alerts at the same times); `value` is what was measured and `threshold` what
 * it crossed, in the rule's unit (ms for slow-consensus, a share 0..1 for failure-rate; for
 * byzantine-detected the number of agents detected so far, against 0; leader-storm the changes
 * within the window against the configured count; dead-letters the envelopes dead-lettered;
 * safety-violation the violations found, against 0).
 *
 * @example
 * ```ts
 * const a: AlertRecord = { at: 1200, rule: 'slow-consensus', value: 1200, threshold: 1000, message: 'decision d1 took 1,200 ms (slow-consensus threshold 1,000 ms)', decision: 'd1' };
 * ```
 */
export interface AlertRecord {
  readonly at: number;
  readonly rule: AlertRule;
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
  /** The decision it is about (slow-consensus; failure-rate: the decision whose close crossed it). */
  readonly decision?: string;
  /** The agent it is about (byzantine-detected). */
  readonly agent?: string;
  /** Notifications of this rule held back by its cooldown since the last one sent (set by the channels' dispatcher). */
  readonly suppressed?: number;
}
