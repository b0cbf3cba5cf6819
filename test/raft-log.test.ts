import { describe, expect, it } from 'vitest';
import { SessionedMachine } from '../src/protocols/raft/client-sessions.ts';
import { isKvCommand, KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import {
  append,
  entriesFrom,
  firstIndexOfTerm,
  lastIndex,
  lastIndexOfTerm,
  lastTerm,
  termAt,
  termsOf,
  truncateFrom,
  type RaftLog,
} from '../src/protocols/raft/log.ts';
import { resolveRaftProps } from '../src/protocols/raft/messages.ts';

const noop = { op: 'noop' } as const;
const logOf = (...terms: number[]): RaftLog => terms.map((term) => ({ term, command: noop }));

describe('raft log helpers', () => {
  it('indexes from 1, with index 0 of term 0', () => {
    const log = logOf(1, 1, 2);
    expect(lastIndex(log)).toBe(3);
    expect(lastTerm(log)).toBe(2);
    expect(termAt(log, 0)).toBe(0);
    expect(termAt(log, 3)).toBe(2);
    expect(termAt(log, 4)).toBeUndefined();
    expect(lastTerm([])).toBe(0);
  });

  it('truncates from an index, appends, and slices batches', () => {
    const log = logOf(1, 1, 2, 2, 3);
    truncateFrom(log, 4);
    expect(termsOf(log)).toEqual([1, 1, 2]);
    truncateFrom(log, 10); // beyond the end: nothing to delete
    expect(lastIndex(log)).toBe(3);
    append(log, logOf(4, 4));
    expect(termsOf(log)).toEqual([1, 1, 2, 4, 4]);
    expect(termsOf(entriesFrom(log, 2, 2))).toEqual([1, 2]);
    expect(entriesFrom(log, 6, 64)).toEqual([]);
  });

  it('finds the first and last index of a term (the fast back-off hints)', () => {
    const log = logOf(1, 2, 2, 2, 5);
    expect(firstIndexOfTerm(log, 4)).toBe(2);
    expect(firstIndexOfTerm(log, 1)).toBe(1);
    expect(lastIndexOfTerm(log, 2)).toBe(4);
    expect(lastIndexOfTerm(log, 3)).toBe(0);
    expect(lastIndexOfTerm(log, 7)).toBe(0);
  });
});

describe('kv state machine', () => {
  it('applies put, get and cas', () => {
    const machine = new KeyValueMachine();
    const kv = new SessionedMachine(machine);
    expect(kv.apply(1, { op: 'put', key: 'a', value: '1' }).result).toEqual({ ok: true, value: null });
    expect(kv.apply(2, { op: 'get', key: 'a' }).result).toEqual({ ok: true, value: '1' });
    expect(kv.apply(3, { op: 'cas', key: 'a', expected: '0', value: '2' }).result).toEqual({ ok: false, value: '1' });
    expect(kv.apply(4, { op: 'cas', key: 'a', expected: '1', value: '2' }).result).toEqual({ ok: true, value: '1' });
    expect(kv.apply(5, { op: 'noop' }).result).toBeNull(); // Raft's own entries pass the machine by
    expect(machine.get('a')).toBe('2');
  });

  it('tells well-formed commands from malformed ones', () => {
    expect(isKvCommand({ op: 'put', key: 'k', value: 'v' })).toBe(true);
    expect(isKvCommand({ op: 'get', key: 'k' })).toBe(true);
    expect(isKvCommand({ op: 'cas', key: 'k', expected: null, value: 'v' })).toBe(true);
    expect(isKvCommand({ op: 'put', key: 'k' })).toBe(false);
    expect(isKvCommand({ op: 'noop' })).toBe(false);
    expect(isKvCommand(null)).toBe(false);
  });

  it('applies a (client, seq) once and returns the stored result to a retry, with several in flight', () => {
    const machine = new KeyValueMachine();
    const kv = new SessionedMachine(machine);
    kv.apply(1, { op: 'put', key: 'k', value: 'a' }, 'c', 1, 1);
    kv.apply(2, { op: 'put', key: 'k', value: 'b' }, 'c', 3, 1); // seq 2 still pending
    const again = kv.apply(3, { op: 'put', key: 'k', value: 'a' }, 'c', 1, 1);
    expect(again).toEqual({ result: { ok: true, value: null }, index: 1, duplicate: true });
    expect(kv.apply(4, { op: 'put', key: 'k', value: 'c' }, 'c', 2, 1).duplicate).toBe(false); // late, but new
    expect(machine.get('k')).toBe('c');
    kv.apply(5, { op: 'put', key: 'x', value: 'y' }, 'c', 4, 4); // 1..3 acknowledged: forgotten
    expect(kv.lookup('c', 2)).toBe('forgotten');
    expect(kv.apply(6, { op: 'put', key: 'k', value: 'b' }, 'c', 3, 4).duplicate).toBe(true);
    expect(machine.get('k')).toBe('c');
  });
});

describe('raft props', () => {
  it('fills defaults and names a bad field', () => {
    expect(resolveRaftProps({ peers: ['a', 'b', 'c'] })).toMatchObject({
      electionTimeoutMinMs: 150,
      electionTimeoutMaxMs: 300,
      heartbeatMs: 50,
      maxBatch: 64,
      maxInflight: 4,
      preVote: true,
      checkQuorum: true,
      stateMachine: 'kv',
    });
    expect(() => resolveRaftProps({ peers: ['a'], maxInflight: 0 })).toThrow(/maxInflight/);
    expect(() => resolveRaftProps({ peers: ['a'], preVote: 'yes' as never })).toThrow(/preVote/);
    expect(() => resolveRaftProps({ peers: ['a'], electionTimeoutMinMs: 100, electionTimeoutMaxMs: 50 })).toThrow(/electionTimeoutMaxMs/);
    expect(() => resolveRaftProps({ peers: ['a', 'b'] }, 'c')).toThrow(/includes this node/);
    expect(() => resolveRaftProps({ peers: [] })).toThrow(/peers/);
  });
});
