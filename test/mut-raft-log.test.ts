import { describe, expect, it } from 'vitest';
import {
  append,
  compactTo,
  entriesFrom,
  entryAt,
  firstIndexOfTerm,
  lastIndex,
  lastIndexOfTerm,
  lastTerm,
  logStart,
  type RaftLog,
  resetTo,
  termAt,
  termsOf,
  truncateFrom,
} from '../src/protocols/raft/log.ts';
import type { LogEntry } from '../src/protocols/raft/messages.ts';

/**
 * The log helpers of `log.ts` at their edges, on plain logs and on compacted ones (a log that
 * starts after a snapshot's index): every index past either end, the start itself, an empty log
 * behind a snapshot. The Raft node reads its log only through these, so an off-by-one here is an
 * off-by-one in every rule built on them.
 */

/** An entry of `term` whose key names its index, so a test sees which entry it got. */
const at = (index: number, term: number): LogEntry => ({ term, command: { op: 'put', key: `i${index}`, value: '' } });
/** A log holding `terms` at indices start + 1, start + 2, ...; compacted behind `start` (of `startTerm`) when start > 0. */
function logOf(terms: number[], start = 0, startTerm = 0): RaftLog {
  const log: RaftLog = terms.map((t, i) => at(start + 1 + i, t));
  if (start > 0) {
    log.start = start;
    log.startTerm = startTerm;
  }
  return log;
}
const keys = (entries: readonly LogEntry[]) => entries.map((e) => (e.command as unknown as { key: string }).key);

describe('a log that never compacted', () => {
  it('starts at 0: index 0 is of term 0, entries from index 1', () => {
    const log = logOf([1, 2, 2]);
    expect([logStart(log), lastIndex(log), lastTerm(log)]).toEqual([0, 3, 2]);
    expect([termAt(log, 0), termAt(log, 1), termAt(log, 3), termAt(log, 4)]).toEqual([0, 1, 2, undefined]);
    expect([entryAt(log, 0), entryAt(log, 1), entryAt(log, 3), entryAt(log, 4)]).toEqual([undefined, at(1, 1), at(3, 2), undefined]);
    expect([logStart([]), lastIndex([]), lastTerm([]), termAt([], 0), termAt([], 1)]).toEqual([0, 0, 0, 0, undefined]);
  });

  it('compactTo(0) and compactTo a negative index change nothing, not even add a start', () => {
    const log = logOf([1, 2]);
    compactTo(log, 0);
    compactTo(log, -1);
    expect(log).toEqual(logOf([1, 2]));
    expect([log.start, log.startTerm]).toEqual([undefined, undefined]);
  });
});

describe('a compacted log (start 5 of term 2, entries 6..8)', () => {
  const log = () => logOf([2, 3, 3], 5, 2);

  it('termAt: the snapshot term at the start, undefined before it and past the end', () => {
    const l = log();
    expect([termAt(l, 4), termAt(l, 5), termAt(l, 6), termAt(l, 8), termAt(l, 9)]).toEqual([undefined, 2, 2, 3, undefined]);
    expect([logStart(l), lastIndex(l), lastTerm(l)]).toEqual([5, 8, 3]);
  });

  it('entryAt: nothing at or before the start, the entries 6..8, nothing past the end', () => {
    const l = log();
    expect([entryAt(l, 4), entryAt(l, 5), entryAt(l, 6), entryAt(l, 8), entryAt(l, 9)]).toEqual([undefined, undefined, at(6, 2), at(8, 3), undefined]);
  });

  it('an empty log behind a snapshot: its last index and term are the snapshot’s', () => {
    const l = logOf([], 5, 2);
    expect([lastIndex(l), lastTerm(l), termAt(l, 5), termAt(l, 6)]).toEqual([5, 2, 2, undefined]);
  });

  it('entriesFrom counts from the start', () => {
    const l = log();
    expect(keys(entriesFrom(l, 6, 2))).toEqual(['i6', 'i7']);
    expect(keys(entriesFrom(l, 7, 64))).toEqual(['i7', 'i8']);
    expect(keys(entriesFrom(l, 8, 1))).toEqual(['i8']);
    expect(entriesFrom(l, 9, 64)).toEqual([]);
  });

  it('truncateFrom: from the last index drops one, past the end nothing, at or before the start all', () => {
    const l = log();
    truncateFrom(l, 9);
    expect(keys(l)).toEqual(['i6', 'i7', 'i8']);
    truncateFrom(l, 8);
    expect(keys(l)).toEqual(['i6', 'i7']);
    truncateFrom(l, 7);
    expect(keys(l)).toEqual(['i6']);
    const m = log();
    truncateFrom(m, 3);
    expect([m.length, lastIndex(m), logStart(m)]).toEqual([0, 5, 5]);
  });

  it('truncateFrom never lengthens a log', () => {
    const l = logOf([1, 1]);
    truncateFrom(l, 10);
    truncateFrom(l, 3);
    expect(l.length).toBe(2);
  });

  it('compactTo drops the entries up to the index and keeps its term as the start term', () => {
    const l = log();
    compactTo(l, 7);
    expect([l.start, l.startTerm, keys(l)]).toEqual([7, 3, ['i8']]);
    compactTo(l, 7); // not past the start: nothing
    compactTo(l, 6);
    expect([l.start, l.startTerm, keys(l)]).toEqual([7, 3, ['i8']]);
    compactTo(l, 8);
    expect([l.start, l.startTerm, l.length, lastIndex(l), lastTerm(l)]).toEqual([8, 3, 0, 8, 3]);
  });

  it('compactTo an index the log does not hold is refused, naming what it holds', () => {
    expect(() => compactTo(log(), 9)).toThrow(new RangeError('compactTo(9): the log holds 6..8'));
    expect(() => compactTo(logOf([1]), 2)).toThrow(new RangeError('compactTo(2): the log holds 1..1'));
  });

  it('compactTo on a log that never compacted', () => {
    const l = logOf([1, 1, 2]);
    compactTo(l, 2);
    expect([l.start, l.startTerm, keys(l)]).toEqual([2, 1, ['i3']]);
  });

  it('resetTo empties the log and starts it after the index', () => {
    const l = log();
    resetTo(l, 20, 7);
    expect([l.length, l.start, l.startTerm, lastIndex(l), lastTerm(l)]).toEqual([0, 20, 7, 20, 7]);
  });
});

describe('append and termsOf', () => {
  it('append adds exactly the entries given, in order', () => {
    const l = logOf([1]);
    append(l, [at(2, 1), at(3, 2)]);
    append(l, []);
    expect(keys(l)).toEqual(['i1', 'i2', 'i3']);
    expect(termsOf(l)).toEqual([1, 1, 2]);
  });
});

describe('the fast back-off hints', () => {
  it('firstIndexOfTerm walks back to the first entry of the term, stopping at the log’s first entry', () => {
    const l = logOf([1, 2, 2, 2, 5]);
    expect([firstIndexOfTerm(l, 4), firstIndexOfTerm(l, 2), firstIndexOfTerm(l, 5), firstIndexOfTerm(l, 1)]).toEqual([2, 2, 5, 1]);
    const c = logOf([3, 3, 4], 5, 3); // entries 6, 7 of term 3 (and the compacted 5 too)
    expect([firstIndexOfTerm(c, 7), firstIndexOfTerm(c, 6), firstIndexOfTerm(c, 8)]).toEqual([6, 6, 8]);
  });

  it('lastIndexOfTerm finds the last entry of the term, or 0', () => {
    const l = logOf([1, 2, 2, 2, 5]);
    expect([lastIndexOfTerm(l, 1), lastIndexOfTerm(l, 2), lastIndexOfTerm(l, 5), lastIndexOfTerm(l, 3), lastIndexOfTerm(l, 7), lastIndexOfTerm(l, 0)]).toEqual([
      1, 4, 5, 0, 0, 0,
    ]);
    expect(lastIndexOfTerm([], 1)).toBe(0);
  });

  it('on a compacted log: the start when only the snapshot holds the term, else 0', () => {
    const c = logOf([3, 4], 5, 2);
    expect([lastIndexOfTerm(c, 2), lastIndexOfTerm(c, 3), lastIndexOfTerm(c, 4), lastIndexOfTerm(c, 1)]).toEqual([5, 6, 7, 0]);
    expect(lastIndexOfTerm(logOf([], 5, 2), 2)).toBe(5);
    expect(lastIndexOfTerm(logOf([], 5, 2), 3)).toBe(0);
    expect(lastIndexOfTerm(logOf([2, 2], 5, 2), 2)).toBe(7);
  });
});
