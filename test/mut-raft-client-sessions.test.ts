import { describe, expect, it } from 'vitest';
import { SessionedMachine } from '../src/protocols/raft/client-sessions.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import type { MachineCommand, StateMachine } from '../src/protocols/raft/state-machine.ts';

/**
 * `client-sessions.ts`: duplicate detection by (client, seq), what `lowestPending` forgets (both
 * ways of walking), Raft's own entries passing the machine by, and the sessions in a snapshot.
 */

const put = (k: string, v: string) => ({ op: 'put', key: k, value: v });

/** A counter that records every command it applies. */
class Recorder implements StateMachine {
  readonly seen: MachineCommand[] = [];
  accepts(c: unknown): c is MachineCommand {
    return true;
  }
  isRead(): boolean {
    return false;
  }
  apply(c: MachineCommand): unknown {
    this.seen.push(c);
    return this.seen.length;
  }
  read(): unknown {
    return this.seen.length;
  }
}

/** A session of client c holding results for `seqs`, each applied at index 10 + seq. */
function withResults(seqs: number[]): SessionedMachine {
  const m = new SessionedMachine(new Recorder());
  for (const q of seqs) m.apply(10 + q, { op: 'x', q }, 'c', q);
  return m;
}
const kept = (m: SessionedMachine) => [...m.sessions.get('c')!.results.keys()];

describe('lookup', () => {
  it('an unknown client: undefined; a seq applied: its result and index; one not applied: undefined', () => {
    const m = new SessionedMachine();
    expect(m.lookup('c', 1)).toBeUndefined();
    m.apply(4, put('k', 'v'), 'c', 2);
    expect(m.lookup('c', 2)).toEqual({ result: { ok: true, value: null }, index: 4 });
    expect(m.lookup('c', 3)).toBeUndefined();
  });

  it('a seq below the client\u2019s lowestPending is forgotten; at it, it is looked up', () => {
    const m = withResults([3, 4]);
    m.apply(20, { op: 'x' }, 'c', 5, 4);
    expect(m.lookup('c', 3)).toBe('forgotten');
    expect(m.lookup('c', 4)).toEqual({ result: 2, index: 14 });
    expect(m.lookup('c', 0)).toBe('forgotten');
  });
});

describe('apply', () => {
  it('without a client, or without a seq, the command is applied with no session', () => {
    const r = new Recorder();
    const m = new SessionedMachine(r);
    expect(m.apply(1, { op: 'a' })).toEqual({ result: 1, index: 1, duplicate: false });
    expect(m.apply(2, { op: 'b' }, 'c')).toEqual({ result: 2, index: 2, duplicate: false });
    expect(m.apply(3, { op: 'c' }, undefined, 1)).toEqual({ result: 3, index: 3, duplicate: false });
    expect(m.sessions.size).toBe(0);
  });

  it('a new client starts at lowestPending 0; a second apply of a seq is a duplicate with the first result and index', () => {
    const r = new Recorder();
    const m = new SessionedMachine(r);
    expect(m.apply(5, { op: 'a' }, 'c', 0)).toEqual({ result: 1, index: 5, duplicate: false });
    expect(m.sessions.get('c')!.lowestPending).toBe(0);
    expect(m.apply(9, { op: 'a' }, 'c', 0)).toEqual({ result: 1, index: 5, duplicate: true });
    expect(r.seen).toHaveLength(1);
  });

  it('a seq below lowestPending is a duplicate with no result (it was acknowledged), and is not applied', () => {
    const r = new Recorder();
    const m = new SessionedMachine(r);
    m.apply(1, { op: 'a' }, 'c', 5, 5);
    expect(m.apply(2, { op: 'a' }, 'c', 4)).toEqual({ result: null, index: 0, duplicate: true });
    expect(r.seen).toHaveLength(1);
  });

  it('lowestPending forgets the results below it, walking the seqs when the gap is no more than the results kept', () => {
    const m = withResults([1, 2, 3, 4]);
    m.apply(30, { op: 'x' }, 'c', 5, 3); // gap 3 <= 4 results
    expect(kept(m)).toEqual([3, 4, 5]);
    expect(m.sessions.get('c')!.lowestPending).toBe(3);
    const n = withResults([1, 2, 3]);
    n.apply(30, { op: 'x' }, 'c', 5, 3); // gap 3 = 3 results
    expect(kept(n)).toEqual([3, 5]);
  });

  it('lowestPending forgets the results below it, walking the map when the gap is longer', () => {
    const m = withResults([2, 7, 9]);
    m.apply(30, { op: 'x' }, 'c', 10, 9); // gap 9 > 3 results
    expect(kept(m)).toEqual([9, 10]);
    expect(m.sessions.get('c')!.lowestPending).toBe(9);
  });

  it('a lowestPending at or below the one known changes nothing', () => {
    const m = withResults([1, 2, 3]);
    m.apply(30, { op: 'x' }, 'c', 4, 2);
    m.apply(31, { op: 'x' }, 'c', 5, 2);
    m.apply(32, { op: 'x' }, 'c', 6, 1);
    expect(kept(m)).toEqual([2, 3, 4, 5, 6]);
    expect(m.sessions.get('c')!.lowestPending).toBe(2);
  });

  it('each client has its own session', () => {
    const m = new SessionedMachine(new Recorder());
    m.apply(1, { op: 'a' }, 'c', 1);
    expect(m.apply(2, { op: 'a' }, 'd', 1)).toEqual({ result: 2, index: 2, duplicate: false });
  });

  it('Raft\u2019s own entries pass the machine by, with a null result, and are remembered like any other', () => {
    const r = new Recorder();
    const m = new SessionedMachine(r);
    expect(m.apply(1, { op: 'noop' })).toEqual({ result: null, index: 1, duplicate: false });
    expect(m.apply(2, { op: 'config', members: ['n1'] }, 'c', 1)).toEqual({ result: null, index: 2, duplicate: false });
    expect(r.seen).toEqual([]);
  });

  it('the key-value store is the default machine', () => {
    const m = new SessionedMachine();
    expect(m.machine).toBeInstanceOf(KeyValueMachine);
  });
});

describe('snapshots', () => {
  it('canSnapshot needs both snapshot and restore', () => {
    const both = Object.assign(new Recorder(), { snapshot: () => 0, restore: () => {} });
    const onlySnapshot = Object.assign(new Recorder(), { snapshot: () => 0 });
    const onlyRestore = Object.assign(new Recorder(), { restore: () => {} });
    expect([both, onlySnapshot, onlyRestore, new Recorder()].map((x) => new SessionedMachine(x).canSnapshot())).toEqual([true, false, false, false]);
  });

  it('snapshot lists the machine\u2019s state and each session (lowestPending, results by seq)', () => {
    const m = new SessionedMachine();
    m.apply(1, put('a', '1'), 'c', 1);
    m.apply(2, put('a', '2'), 'c', 2, 2);
    m.apply(3, put('b', '3'), 'd', 7);
    expect(m.snapshot()).toEqual({
      machine: [
        ['a', '2'],
        ['b', '3'],
      ],
      sessions: [
        ['c', 2, [[2, { ok: true, value: '1' }, 2]]],
        ['d', 0, [[7, { ok: true, value: null }, 3]]],
      ],
    });
  });

  it('restore replaces the machine and the sessions with the snapshot\u2019s', () => {
    const m = new SessionedMachine();
    m.apply(1, put('z', '1'), 'old', 1);
    m.restore({ machine: [['a', '2']], sessions: [['c', 2, [[2, 'r', 5]]]] });
    expect((m.machine as KeyValueMachine).snapshot()).toEqual([['a', '2']]);
    expect([...m.sessions.keys()]).toEqual(['c']);
    expect(m.lookup('c', 2)).toEqual({ result: 'r', index: 5 });
    expect(m.lookup('c', 1)).toBe('forgotten');
    const again = new SessionedMachine();
    again.restore(m.snapshot());
    expect(again.snapshot()).toEqual(m.snapshot());
  });
});
