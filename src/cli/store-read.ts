import { ConfigError, StoreError } from '../errors.ts';
import { openStore, type StoreDb } from '../store/open-store.ts';
import { RUN_KINDS } from '../store/queries.ts';
import { storePath } from '../store/store-path.ts';

/**
 * What `runs`, `show` and `stats` share: opening the store for reading (from `--store`,
 * `CONCLAVE_STORE` or the default), reading `--since`, and printing times.
 */

/**
 * Opens the store the user means for reading, and runs `read` over it; the store is closed after.
 * A missing store is a {@link StoreError} saying no run has been recorded there yet.
 *
 * @example
 * ```ts
 * const n = withStore(opts.store, (db, file) => countRuns(db));
 * ```
 */
export function withStore<T>(store: string | undefined, read: (db: StoreDb, file: string) => T): T {
  const file = storePath({ store });
  if (file === undefined)
    throw new StoreError('(off)', 'CONCLAVE_STORE is "off": there is no store to read', 'Give the store with --store PATH, or unset CONCLAVE_STORE.');
  const db = openStore(file, { readonly: true });
  try {
    return read(db, file);
  } finally {
    db.close();
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since WHEN`: an age (`30m`, `2h`, `1d`, `1w`: that long before `now`) or an ISO date or time
 * (`2026-12-01`, `2026-12-01T12:00Z`); epoch ms. Anything else is a {@link ConfigError} naming the flag.
 *
 * @example
 * ```ts
 * parseSince('2h', Date.parse('2026-12-07T12:00Z')); // Date.parse('2026-12-07T10:00Z')
 * ```
 */
/** `--kind`, checked against the kinds the store records: an unknown one would list nothing, silently. */
export function checkKind(kind: string | undefined): void {
  if (kind !== undefined && !(RUN_KINDS as readonly string[]).includes(kind)) throw new ConfigError('--kind', `one of ${RUN_KINDS.join(', ')}`, kind);
}

export function parseSince(value: string, now = Date.now()): number {
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (age) return now - Number(age[1]) * UNIT_MS[age[2]!]!;
  const t = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isNaN(t))
    throw new ConfigError('--since', 'an age such as 30m, 2h, 1d or 1w, or an ISO date or time such as 2026-12-01 or 2026-12-01T12:00Z', value);
  return t;
}

/**
 * Checks a limit option: a whole number from 1 to 1,000,000, else a {@link ConfigError} naming the flag.
 *
 * @example
 * ```ts
 * checkLimit('--limit', opts.limit);
 * ```
 */
export function checkLimit(flag: string, n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 1_000_000)) throw new ConfigError(flag, 'an integer from 1 to 1,000,000', n);
}

/**
 * An epoch-ms wall-clock time, in UTC.
 *
 * @example
 * ```ts
 * utc(Date.parse('2026-12-07T01:53:37Z')); // '2026-12-07 01:53:37'
 * ```
 */
export function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * A trace time: virtual ms from 0 in sim mode, a wall-clock time of day (UTC) in threads mode.
 *
 * @example
 * ```ts
 * traceTime(123.456, 'sim'); // '   123.46 ms'
 * ```
 */
export function traceTime(t: number, mode: string | null): string {
  return mode === 'threads' ? new Date(t).toISOString().slice(11, 23) : `${t.toFixed(2).padStart(9)} ms`;
}

/**
 * The filters `runs` and `stats` share: which runs (protocol, age, kind), how to print, which store.
 *
 * @example
 * ```ts
 * const o: StoreFilterOptions = { protocol: 'raft', since: '2h', json: true };
 * ```
 */
export interface StoreFilterOptions {
  readonly protocol?: string;
  /** An age (2h, 1d) or an ISO date. */
  readonly since?: string;
  readonly kind?: string;
  readonly json?: boolean;
  readonly store?: string;
  /** The clock `--since 2h` counts back from (default: now). */
  readonly now?: number;
}
