import type { LogEntry } from './messages.ts';

/**
 * A Raft log: a plain array where array slot `i - 1` holds the entry of index `i` (Raft indices
 * start at 1; index 0 is the empty prefix, of term 0). A plain array, not a class, because it
 * lives in the actor's durable store, which holds plain data; the node appends to it in place.
 *
 * @example
 * ```ts
 * const log: RaftLog = [];
 * append(log, [{ term: 1, command: { op: 'noop' } }]);
 * lastIndex(log); // 1
 * ```
 */
export type RaftLog = LogEntry[];

/**
 * The index of the last entry (0 when empty).
 *
 * @example
 * ```ts
 * lastIndex([]); // 0
 * ```
 */
export function lastIndex(log: readonly LogEntry[]): number {
  return log.length;
}

/**
 * The term of the entry at `index`: 0 for index 0, undefined beyond the end.
 *
 * @example
 * ```ts
 * termAt([{ term: 2, command: { op: 'noop' } }], 1); // 2
 * termAt([], 0); // 0
 * ```
 */
export function termAt(log: readonly LogEntry[], index: number): number | undefined {
  if (index === 0) return 0;
  return log[index - 1]?.term;
}

/**
 * The term of the last entry (0 when empty): with lastIndex, what the up-to-date rule compares.
 *
 * @example
 * ```ts
 * lastTerm([{ term: 2, command: { op: 'noop' } }]); // 2
 * ```
 */
export function lastTerm(log: readonly LogEntry[]): number {
  return log.length === 0 ? 0 : log[log.length - 1].term;
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
  if (index <= log.length) log.length = Math.max(0, index - 1);
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
 * The entries from `from` (1-based, inclusive), at most `max` of them: a batch to send.
 *
 * @example
 * ```ts
 * entriesFrom(log, 3, 64); // entries 3..66 (as many as exist)
 * ```
 */
export function entriesFrom(log: readonly LogEntry[], from: number, max: number): LogEntry[] {
  return log.slice(from - 1, from - 1 + max);
}

/**
 * The first index holding `term`, searching back from `index` (the follower's conflict hint).
 *
 * @example
 * ```ts
 * firstIndexOfTerm(log, 7); // e.g. 5, when entries 5..7 are all of the term of entry 7
 * ```
 */
export function firstIndexOfTerm(log: readonly LogEntry[], index: number): number {
  const term = log[index - 1].term;
  let i = index;
  while (i > 1 && log[i - 2].term === term) i--;
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
export function lastIndexOfTerm(log: readonly LogEntry[], term: number): number {
  for (let i = log.length; i >= 1; i--) {
    const t = log[i - 1].term;
    if (t === term) return i;
    if (t < term) return 0;
  }
  return 0;
}

/**
 * The term of each index 1..lastIndex, as the `raft-leader` trace event carries it.
 *
 * @example
 * ```ts
 * termsOf(log); // [1, 1, 2, 4]
 * ```
 */
export function termsOf(log: readonly LogEntry[]): number[] {
  return log.map((e) => e.term);
}
