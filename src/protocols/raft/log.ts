import type { LogEntry } from './messages.ts';

/**
 * A Raft log: a plain array where array slot `i - start - 1` holds the entry of index `i` (Raft
 * indices start at 1). `start` is the last index compacted away behind a snapshot (thesis
 * chapter 5) and `startTerm` its term; both are absent (0) until the first compaction, so a log
 * that never compacted is an ordinary array where slot `i - 1` holds index `i`. A plain array
 * with two optional fields, not a class, because it lives in the actor's durable store, which
 * holds plain data; the node appends to it in place.
 *
 * @example
 * ```ts
 * const log: RaftLog = [];
 * append(log, [{ term: 1, command: { op: 'noop' } }]);
 * lastIndex(log); // 1
 * ```
 */
export type RaftLog = LogEntry[] & { start?: number; startTerm?: number };

/** A log to read: an array of entries, maybe compacted (see RaftLog). */
type LogView = readonly LogEntry[] & { readonly start?: number; readonly startTerm?: number };

/**
 * The last index compacted away (0 when nothing was): the log holds `logStart(log) + 1` on.
 *
 * @example
 * ```ts
 * logStart([]); // 0
 * ```
 */
export function logStart(log: LogView): number {
  return log.start ?? 0;
}

/**
 * The entry at `index`, or undefined when it was compacted away or lies beyond the end.
 *
 * @example
 * ```ts
 * entryAt(log, lastIndex(log))?.term;
 * ```
 */
export function entryAt(log: LogView, index: number): LogEntry | undefined {
  const start = log.start ?? 0;
  return index > start ? log[index - start - 1] : undefined;
}

/**
 * Drops the entries up to `index` (included), which a snapshot now covers; no-op when `index`
 * is not past the start. `index` must be held by the log (its term is kept as `startTerm`).
 *
 * @example
 * ```ts
 * compactTo(log, 10_000); // logStart(log) is now 10_000; lastIndex unchanged
 * ```
 */
export function compactTo(log: RaftLog, index: number): void {
  const start = log.start ?? 0;
  if (index <= start) return;
  const term = termAt(log, index);
  if (term === undefined) throw new RangeError(`compactTo(${index}): the log holds ${start + 1}..${lastIndex(log)}`);
  log.splice(0, index - start);
  log.start = index;
  log.startTerm = term;
}

/**
 * Empties the log and makes it start after `index` of `term` (a snapshot installed over a log
 * that does not hold its last entry: every entry is discarded, thesis Figure 5.3 step 7).
 *
 * @example
 * ```ts
 * resetTo(log, 20_000, 7); // lastIndex(log) 20_000, lastTerm(log) 7
 * ```
 */
export function resetTo(log: RaftLog, index: number, term: number): void {
  log.length = 0;
  log.start = index;
  log.startTerm = term;
}

/**
 * The index of the last entry (0 when empty).
 *
 * @example
 * ```ts
 * lastIndex([]); // 0
 * ```
 */
export function lastIndex(log: LogView): number {
  return (log.start ?? 0) + log.length;
}

/**
 * The term of the entry at `index`: 0 for index 0, the compaction's term at its start,
 * undefined beyond the end or before the start (compacted away).
 *
 * @example
 * ```ts
 * termAt([{ term: 2, command: { op: 'noop' } }], 1); // 2
 * termAt([], 0); // 0
 * ```
 */
export function termAt(log: LogView, index: number): number | undefined {
  const start = log.start ?? 0;
  if (index === start) return start === 0 ? 0 : log.startTerm;
  return index > start ? log[index - start - 1]?.term : undefined;
}

/**
 * The term of the last entry (0 when empty): with lastIndex, what the up-to-date rule compares.
 *
 * @example
 * ```ts
 * lastTerm([{ term: 2, command: { op: 'noop' } }]); // 2
 * ```
 */
export function lastTerm(log: LogView): number {
  return log.length === 0 ? (log.startTerm ?? 0) : log[log.length - 1].term;
}

/**
 * Deletes the entry at `index` and all that follow it (a conflict, Figure 2 step 3).
 *
 * @example
 * ```ts
 * truncateFrom(log, 5); // lastIndex(log) is now 4 (or less, if it was shorter)
 * ```
 */
export function truncateFrom(log: RaftLog, index: number): void {
  const start = log.start ?? 0;
  if (index <= start + log.length) log.length = Math.max(0, index - 1 - start);
}

/**
 * Appends entries at the end.
 *
 * @example
 * ```ts
 * append(log, [{ term: 3, command: { op: 'put', key: 'k', value: 'v' } }]);
 * ```
 */
export function append(log: RaftLog, entries: readonly LogEntry[]): void {
  for (let i = 0; i < entries.length; i++) log.push(entries[i]);
}

/**
 * The entries from `from` (1-based, inclusive, past the log's start), at most `max` of them: a batch to send.
 *
 * @example
 * ```ts
 * entriesFrom(log, 3, 64); // entries 3..66 (as many as exist)
 * ```
 */
export function entriesFrom(log: LogView, from: number, max: number): LogEntry[] {
  const at = from - 1 - (log.start ?? 0);
  return log.slice(at, at + max);
}

/**
 * The first index holding `term`, searching back from `index` (held by the log) to the log's
 * first entry (the follower's conflict hint).
 *
 * @example
 * ```ts
 * firstIndexOfTerm(log, 7); // e.g. 5, when entries 5..7 are all of the term of entry 7
 * ```
 */
export function firstIndexOfTerm(log: LogView, index: number): number {
  const start = log.start ?? 0;
  const term = termAt(log, index);
  let i = index;
  while (i > start + 1 && log[i - start - 2].term === term) i--;
  return i;
}

/**
 * The last index holding `term`, or 0 when the log has no entry of that term (the leader's side
 * of the fast back-off). Terms never decrease along a log, so the search stops early.
 *
 * @example
 * ```ts
 * lastIndexOfTerm(log, 2); // 0 if no entry of term 2
 * ```
 */
export function lastIndexOfTerm(log: LogView, term: number): number {
  const start = log.start ?? 0;
  for (let i = start + log.length; i > start; i--) {
    const t = log[i - start - 1].term;
    if (t === term) return i;
    if (t < term) return 0;
  }
  return start > 0 && log.startTerm === term ? start : 0;
}

/**
 * The term of each index the log holds (logStart + 1..lastIndex), as the `raft-leader` trace
 * event carries it (with `base`: logStart, and `baseTerm`).
 *
 * @example
 * ```ts
 * termsOf(log); // [1, 1, 2, 4]
 * ```
 */
export function termsOf(log: LogView): number[] {
  return log.map((e) => e.term);
}
