/**
 * `monitoring:` (tutorial exercise 18): the thresholds at which a run raises alerts while it goes.
 * The alerts themselves are raised by `src/monitoring/alert-watcher.ts`, from the trace.
 */
import { z } from 'zod';
import { duration, expecting, probability, strictMapping, type IssueParams } from './fields.ts';

/**
 * The alert thresholds, normalised (one name per rule: `max_consensus_time` is read as
 * `slow_consensus_threshold`, `min_success_rate` as `1 - failure_rate_threshold`).
 *
 * @example
 * ```ts
 * const m: MonitoringConfig = { slowConsensusMs: 60_000, failureRate: 0.05, byzantineDetection: true, performanceAlerts: true };
 * ```
 */
export interface MonitoringConfig {
  /** A decision that takes longer than this (ms, virtual in sim mode) raises `slow-consensus`. */
  slowConsensusMs?: number;
  /** When the share of decisions closed without consensus goes above this, `failure-rate` is raised. */
  failureRate?: number;
  /** Each agent newly caught lying raises `byzantine-detected`. */
  byzantineDetection?: boolean;
  /** As written; figures are always measured (a warning says so when it is false). */
  consensusMetrics?: boolean;
  /** Default true; false turns off the slow-consensus and failure-rate alerts. */
  performanceAlerts?: boolean;
}

/**
 * The `monitoring` mapping.
 *
 * @example
 * ```ts
 * monitoring.parse({ slow_consensus_threshold: '60s', min_success_rate: 0.95 }); // { slowConsensusMs: 60000, failureRate: 0.05 }
 * ```
 */
export const monitoring = strictMapping(
  {
    consensus_metrics: z.boolean(expecting('true or false')).optional(),
    performance_alerts: z.boolean(expecting('true or false')).optional(),
    slow_consensus_threshold: duration({ positive: true }).optional(),
    max_consensus_time: duration({ positive: true }).optional(),
    failure_rate_threshold: probability().optional(),
    min_success_rate: probability().optional(),
    byzantine_detection: z.boolean(expecting('true or false')).optional(),
  },
  'a monitoring mapping { slow_consensus_threshold, failure_rate_threshold, byzantine_detection, ... }',
)
  .superRefine((m, ctx) => {
    const pairs = [
      ['slow_consensus_threshold', 'max_consensus_time'],
      ['failure_rate_threshold', 'min_success_rate'],
    ] as const;
    for (const [a, b] of pairs) {
      if (m[a] !== undefined && m[b] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [b],
          message: `either ${a} or ${b}, not both (they set one rule)`,
          input: m[b],
          params: { gotText: 'both', hint: `Remove ${b}.` } satisfies IssueParams,
        });
      }
    }
  })
  .transform((m): MonitoringConfig => {
    const out: MonitoringConfig = {};
    const slow = m.slow_consensus_threshold ?? m.max_consensus_time;
    if (slow !== undefined) out.slowConsensusMs = slow;
    const rate = m.failure_rate_threshold ?? (m.min_success_rate === undefined ? undefined : round(1 - m.min_success_rate));
    if (rate !== undefined) out.failureRate = rate;
    if (m.byzantine_detection !== undefined) out.byzantineDetection = m.byzantine_detection;
    if (m.consensus_metrics !== undefined) out.consensusMetrics = m.consensus_metrics;
    if (m.performance_alerts !== undefined) out.performanceAlerts = m.performance_alerts;
    return out;
  });

/** 1 - 0.95 is 0.050000000000000044: keep the share the user meant. */
const round = (x: number): number => Math.round(x * 1e9) / 1e9;
