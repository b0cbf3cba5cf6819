/**
 * `monitoring:` (tutorial exercise 18): the thresholds at which a run raises alerts while it goes.
 * The alerts themselves are raised by `src/monitoring/alert-watcher.ts`, from the trace.
 */
import { z } from 'zod';
import { duration, expecting, integer, nonEmptyString, probability, strictMapping, type IssueParams } from './fields.ts';

/**
 * Where alerts are sent (`monitoring.channels`): the terminal (stderr), a JSON-lines file, a
 * webhook (a Slack-compatible JSON body `{ text, alert }`), e-mail over SMTP.
 *
 * @example
 * ```ts
 * const c: AlertChannelSpec = { type: 'webhook', url: 'https://hooks.slack.com/services/T/B/X' };
 * ```
 */
export type AlertChannelSpec =
  | { readonly type: 'terminal' }
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'webhook'; readonly url: string }
  | { readonly type: 'email'; readonly host: string; readonly port: number; readonly from: string; readonly to: readonly string[]; readonly secure: boolean };

const channel = z.union(
  [
    z.literal('terminal'),
    strictMapping({ type: z.literal('terminal') }, 'a terminal channel { type: terminal }'),
    strictMapping({ type: z.literal('file'), path: nonEmptyString('a file path') }, 'a file channel { type: file, path }'),
    strictMapping(
      {
        type: z.literal('webhook'),
        url: z
          .string()
          .url(expecting('an http(s) URL'))
          .refine((u) => /^https?:\/\//.test(u), expecting('an http(s) URL')),
      },
      'a webhook channel { type: webhook, url }',
    ),
    strictMapping(
      {
        type: z.literal('email'),
        host: nonEmptyString('an SMTP host'),
        port: integer(1, 65_535).optional(),
        from: nonEmptyString('a sender address'),
        to: z.union([nonEmptyString('an address'), z.array(nonEmptyString('an address')).min(1)]),
        secure: z.boolean(expecting('true or false')).optional(),
      },
      'an email channel { type: email, host, port, from, to }',
    ),
  ],
  expecting('terminal, { type: file, path }, { type: webhook, url } or { type: email, host, port, from, to }'),
);

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
  /** `leader-storm`: this many leader elections or view changes within `withinMs` (run clock). */
  leaderStorm?: { changes: number; withinMs: number };
  /** `dead-letters`: raised once the run has dead-lettered more envelopes than this. */
  deadLetters?: number;
  /** A rule notifies the channels at most once per this many ms of wall clock (default 60 s); every alert is still recorded. */
  cooldownMs?: number;
  /** Where alerts are sent besides the result and the store. */
  channels?: AlertChannelSpec[];
  /** Attempts per alert and channel before the channel is reported failing (default 3), and the first wait between them (doubling; default 500 ms). */
  retries?: number;
  retryBackoffMs?: number;
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
    leader_change_storm: strictMapping(
      { changes: integer(2, 1_000_000), within: duration({ positive: true }) },
      'a mapping { changes: N, within: DURATION }',
    ).optional(),
    dead_letters_threshold: integer(0, 2 ** 31 - 1).optional(),
    alert_cooldown: duration().optional(),
    channels: z.array(channel).optional(),
    retries: integer(1, 10).optional(),
    retry_backoff: duration({ positive: true, maxMs: 60_000 }).optional(),
  },
  'a monitoring mapping { slow_consensus_threshold, failure_rate_threshold, byzantine_detection, leader_change_storm, dead_letters_threshold, alert_cooldown, channels, ... }',
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
    if (m.leader_change_storm !== undefined) out.leaderStorm = { changes: m.leader_change_storm.changes, withinMs: m.leader_change_storm.within };
    if (m.dead_letters_threshold !== undefined) out.deadLetters = m.dead_letters_threshold;
    if (m.alert_cooldown !== undefined) out.cooldownMs = m.alert_cooldown;
    if (m.channels !== undefined) out.channels = m.channels.map(channelSpec);
    if (m.retries !== undefined) out.retries = m.retries;
    if (m.retry_backoff !== undefined) out.retryBackoffMs = m.retry_backoff;
    return out;
  });

/** 1 - 0.95 is 0.050000000000000044: keep the share the user meant. */
const round = (x: number): number => Math.round(x * 1e9) / 1e9;

/** A channel as written, normalised (`terminal` alone, one address or a list, SMTP's default port). */
function channelSpec(c: z.infer<typeof channel>): AlertChannelSpec {
  if (c === 'terminal' || c.type === 'terminal') return { type: 'terminal' };
  if (c.type === 'email')
    return { type: 'email', host: c.host, port: c.port ?? 25, from: c.from, to: typeof c.to === 'string' ? [c.to] : c.to, secure: c.secure ?? false };
  return c;
}
