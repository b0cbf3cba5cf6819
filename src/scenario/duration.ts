import { ConfigError } from '../errors.ts';

/**
 * The forms a duration may take, as error messages list them.
 *
 * @example
 * ```ts
 * throw new ConfigError('task.duration', DURATION_FORMS, value);
 * ```
 */
export const DURATION_FORMS = 'a duration such as "500ms", "2s", "1.5s", "2m" or "1h", or a number of seconds >= 0';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)$/;

/**
 * Reads a duration without throwing: milliseconds, or `undefined` when `value` is not one of the
 * {@link DURATION_FORMS}. For callers (such as the scenario schema) that report errors their own way.
 *
 * @example
 * ```ts
 * tryParseDuration('1.5s'); // 1500
 * tryParseDuration('soon'); // undefined
 * ```
 */
export function tryParseDuration(value: unknown): number | undefined {
  // A bare number means seconds: that is what the configuration users already have writes
  // (`voting_timeout: 60`), and guessing milliseconds would turn one minute into 60 ms.
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? roundMs(value * 1_000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value.trim());
  return match ? roundMs(Number(match[1]) * UNIT_MS[match[2]]) : undefined;
}

/**
 * Reads a duration as milliseconds: `'500ms'`, `'2s'`, `'1.5s'`, `'2m'`, `'1h'`, or a bare finite
 * number >= 0 meaning seconds. Anything else is a ConfigError naming `path` and the accepted forms.
 *
 * @example
 * ```ts
 * parseDuration('2m', 'task.duration');        // 120000
 * parseDuration(60, 'consensus.voting_timeout'); // 60000 (seconds)
 * parseDuration('soon', 'schedule[0].at');      // throws ConfigError at "schedule[0].at"
 * ```
 */
export function parseDuration(value: unknown, path: string): number {
  const ms = tryParseDuration(value);
  if (ms === undefined) throw new ConfigError(path, DURATION_FORMS, value);
  return ms;
}

/** Drops binary floating-point noise (1.1 s is 1100 ms, not 1100.0000000000002) while keeping microseconds. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
