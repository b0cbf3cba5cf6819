/**
 * The numbers in `consensus.pbft` and `consensus.raft`, checked when the file is loaded. The
 * drivers read these sections (their keys, shapes and meaning stay theirs) when a run starts, and
 * check only a lower bound; here every number gets its upper bound too, with the file's line.
 */
import { ConfigError } from '../errors.ts';
import { count, MAX_PROTOCOL_SETTING } from './bounds.ts';
import { parseDuration } from './duration.ts';

/** Integer settings and their least value. */
const INTEGERS: Readonly<Record<'pbft' | 'raft', Readonly<Record<string, number>>>> = {
  pbft: { f: 0, checkpoint_interval: 1, log_window: 1, max_batch: 1, max_inflight: 1 },
  raft: { max_batch: 1 },
};

/** Duration settings (capped at 24 h like every duration). */
const DURATIONS: Readonly<Record<'pbft' | 'raft', readonly string[]>> = {
  pbft: ['view_change_timeout'],
  raft: ['election_timeout_min', 'election_timeout_max', 'heartbeat'],
};

/**
 * Throws a ConfigError naming the field for the first protocol setting out of range; values of
 * the wrong kind (a string where a number goes) are left for the driver, which says what it takes.
 *
 * @example
 * ```ts
 * checkProtocolNumbers({ pbft: { checkpoint_interval: 1e15 } }); // throws at "consensus.pbft.checkpoint_interval"
 * ```
 */
export function checkProtocolNumbers(consensus: Record<string, unknown>): void {
  for (const protocol of ['pbft', 'raft'] as const) {
    const section = consensus[protocol];
    if (typeof section !== 'object' || section === null || Array.isArray(section)) continue;
    const s = section as Record<string, unknown>;
    for (const [key, min] of Object.entries(INTEGERS[protocol])) {
      const v = s[key];
      if (typeof v === 'number' && !(Number.isInteger(v) && v >= min && v <= MAX_PROTOCOL_SETTING)) {
        throw new ConfigError(`consensus.${protocol}.${key}`, `an integer from ${min} to ${count(MAX_PROTOCOL_SETTING)}`, v);
      }
    }
    for (const key of DURATIONS[protocol]) if (s[key] !== undefined) parseDuration(s[key], `consensus.${protocol}.${key}`);
  }
}
