/**
 * Error messages stay readable whatever the input: a scenario may hold a 100,000-entry option
 * list or a megabyte-long key, and an error that quotes it whole (one once ran to 989,045
 * characters) buries the one thing it should say. These helpers shorten what a message quotes.
 */

/** Entries a message lists before it says "… and N more". */
export const LISTED_ENTRIES = 10;

/** Longest stretch of user text (a key, a path, a value) a message quotes. */
export const QUOTED_CHARS = 120;

/**
 * `text`, cut to `max` characters with an ellipsis and the length it had.
 *
 * @example
 * ```ts
 * clip('a'.repeat(1000), 20); // 'aaaaaaaaaaaaaaaaaaa… (1,000 characters)'
 * clip('short');              // 'short'
 * ```
 */
export function clip(text: string, max = QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}… (${text.length.toLocaleString('en-US')} characters)`;
}

/**
 * The first {@link LISTED_ENTRIES} values, quoted as JSON and comma-separated, then how many
 * more there are.
 *
 * @example
 * ```ts
 * listText(['a', 'b']);                         // '"a", "b"'
 * listText(Array.from({ length: 100_000 }, String)); // '"0", "1", … "9", … and 99,990 more'
 * ```
 */
export function listText(values: readonly unknown[], max = LISTED_ENTRIES): string {
  const shown = values
    .slice(0, max)
    .map((v) => clip(JSON.stringify(v) ?? String(v), 40))
    .join(', ');
  return values.length > max ? `${shown}, … and ${(values.length - max).toLocaleString('en-US')} more` : shown;
}
