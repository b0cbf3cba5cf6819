import { ConfigError } from '../errors.ts';
import { MAX_DURATION_MS } from './bounds.ts';

/**
 * The forms a duration may take, as error messages list them.
 *
 * @example
 * ```ts
 * throw new ConfigError('task.duration', DURATION_FORMS, value);
 * ```
 */
export const DURATION_FORMS = 'a duration such as "500ms", "2s", "1.5s", "2m" or "1h", or a number of milliseconds >= 0';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)$/;

/**
 * Reads a duration without throwing: milliseconds, or `undefined` when `value` is not one of the
 * {@link DURATION_FORMS} or is not finite (`"999…9s"` reads as Infinity: it is refused, not run
 * forever). For callers (such as the scenario schema) that report errors their own way; the
 * range is theirs to check (see {@link durationIssue}).
 *
 * @example
 * ```ts
 * tryParseDuration('1.5s'); // 1500
 * tryParseDuration('soon'); // undefined
 * tryParseDuration(1e308);  // undefined (Infinity ms)
 * ```
 */
export function tryParseDuration(value: unknown): number | undefined {
  const ms = readMs(value);
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

/** Milliseconds as written, possibly infinite or NaN; undefined when not a duration's form at all. */
function readMs(value: unknown): number | undefined {
  // A bare number means milliseconds, everywhere (scenarios and configuration files alike): the
  // Raft settings users copy (`election_timeout_min: 1000`) are written that way. A small bare
  // voting timeout is named in the run's warnings (see bare-duration-warnings.ts).
  if (typeof value === 'number') return value >= 0 || Number.isNaN(value) ? roundMs(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value.trim());
  return match ? roundMs(Number(match[1]) * UNIT_MS[match[2]]) : undefined;
}

/**
 * The range a duration must lie in, as messages say it.
 *
 * @example
 * ```ts
 * durationRange({ positive: true, maxMs: 3_600_000 }); // 'a duration greater than 0 and at most 1h (3,600,000 ms)'
 * ```
 */
export function durationRange(o: { positive?: boolean; maxMs?: number } = {}): string {
  const max = o.maxMs ?? MAX_DURATION_MS;
  return `a duration ${o.positive ? 'greater than 0 and at most' : 'from 0 to'} ${hours(max)} (${max.toLocaleString('en-US')} ms)`;
}

/**
 * What is wrong with a duration: `undefined` (nothing), `'form'` (not a duration: say
 * {@link DURATION_FORMS}) or `'range'` (a duration, but NaN, infinite, zero where it must be
 * positive, or above the cap: say {@link durationRange}).
 *
 * @example
 * ```ts
 * durationIssue('2s', {});          // undefined
 * durationIssue('soon', {});        // 'form'
 * durationIssue('999999999h', {});  // 'range'
 * ```
 */
export function durationIssue(value: unknown, o: { positive?: boolean; maxMs?: number } = {}): 'form' | 'range' | undefined {
  const ms = readMs(value);
  if (ms === undefined) return 'form';
  if (!Number.isFinite(ms) || ms > (o.maxMs ?? MAX_DURATION_MS) || (o.positive && ms === 0)) return 'range';
  return undefined;
}

/**
 * Reads a duration as milliseconds: `'500ms'`, `'2s'`, `'1.5s'`, `'2m'`, `'1h'`, or a bare finite
 * number >= 0 meaning milliseconds, at most `maxMs` (24 h by default). Anything else is a ConfigError
 * naming `path` and the accepted forms or range.
 *
 * @example
 * ```ts
 * parseDuration('2m', 'task.duration');        // 120000
 * parseDuration(1000, 'consensus.raft.election_timeout_min'); // 1000 (milliseconds)
 * parseDuration('soon', 'schedule[0].at');      // throws ConfigError at "schedule[0].at"
 * parseDuration('25h', 'faults.crash[0].at');   // throws: a duration from 0 to 24h (86,400,000 ms)
 * ```
 */
export function parseDuration(value: unknown, path: string, o: { maxMs?: number } = {}): number {
  const issue = durationIssue(value, o);
  if (issue !== undefined) throw new ConfigError(path, issue === 'form' ? DURATION_FORMS : durationRange(o), value);
  return readMs(value)!;
}

/** `86400000` -> `'24h'`, `90000` -> `'90s'`: the cap as a user would write it. */
function hours(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

/** Drops binary floating-point noise (1.1 s is 1100 ms, not 1100.0000000000002) while keeping microseconds. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
