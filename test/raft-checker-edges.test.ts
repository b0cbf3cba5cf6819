import { describe, expect, it } from 'vitest';
import { checkRaftSafety, RaftSafetyMonitor } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The Raft checker's finer rules on hand-built traces, beside test/raft-checkers.test.ts: the
 * positions each violation names, which logs disagree, the bounds and orders the monitor keeps,
 * and the floors of reads. Each case pins a rule mutation testing showed unheld (test/MUTATION.md).
 */
const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
const put = (key: string, value: string) => ({ op: 'put', key, value });
const leader = (actor: string, term: number, terms: number[]) => emit(0, actor, { type: 'raft-leader', term, lastIndex: terms.length, terms });
const commit = (actor: string, index: number, term: number, leaderTerm = term) => emit(0, actor, { type: 'raft-commit', index, term, leaderTerm });
const apply = (actor: string, index: number, term: number, command: unknown, client?: string, seq?: number) =>
  emit(0, actor, { type: 'raft-apply', index, term, command, ...(client ? { client, seq } : {}) });
const invoke = (client: string, seq: number, key: string, value: string) => emit(0, client, { type: 'client-invoke', client, seq, f: 'write', key, value });
const ok = (client: string, seq: number, extra: Record<string, unknown> = {}) => emit(0, client, { type: 'client-ok', client, seq, f: 'write', ...extra });
const readInvoke = (client: string, seq: number, key: string) => emit(0, client, { type: 'client-invoke', client, seq, f: 'read', key });
const readOk = (client: string, seq: number, key: string, value: string | null) => emit(0, client, { type: 'client-ok', client, seq, f: 'read', key, value });
const spawn = (actor: string): TraceEvent => ({ t: 0, type: 'spawn', actor, behaviour: 'raft-node', host: 0 });
const brief = (events: TraceEvent[]) => checkRaftSafety(events).map((v) => [v.property, v.detail, v.at, v.positions]);

describe('raft checker: positions and details', () => {
  it("election safety names the first leader's event and the second's", () => {
    expect(brief([leader('n1', 1, []), apply('n1', 1, 1, { op: 'noop' }), leader('n2', 1, [])])).toEqual([
      ['election-safety', 'term 1 has more than one leader: n1 and then n2 (t=0)', 2, [0, 2]],
    ]);
  });

  it('state-machine safety: two commits and two applies at one index, each with the earlier event', () => {
    expect(brief([commit('n1', 1, 1), commit('n2', 1, 2, 2)])).toEqual([
      ['state-machine-safety', 'index 1 committed with term 1 by n1 and with term 2 by n2', 1, [0, 1]],
    ]);
    expect(brief([apply('n1', 1, 1, put('k', 'a')), apply('n2', 1, 1, put('k', 'b'))])).toEqual([
      [
        'state-machine-safety',
        'index 1: n1 applied 1:{"op":"put","key":"k","value":"a"} (t=0) but n2 applied 1:{"op":"put","key":"k","value":"b"} (t=0)',
        1,
        [0, 1],
      ],
    ]);
  });

  it('apply order names what was next, and a spawn starts a replica over at 1', () => {
    expect(brief([apply('n1', 1, 1, { op: 'noop' }), apply('n1', 3, 1, { op: 'noop' })])).toEqual([
      ['apply-order', 'n1 applied index 3 when 2 was next (t=0)', 1, [1]],
    ]);
    expect(brief([apply('n1', 1, 1, { op: 'noop' }), spawn('n1'), apply('n1', 1, 1, { op: 'noop' })])).toEqual([]);
    // Another node's spawn does not reset n1.
    expect(brief([apply('n1', 1, 1, { op: 'noop' }), spawn('n2'), apply('n1', 1, 1, { op: 'noop' })]).map((v) => v[0])).toEqual(['apply-order']);
  });

  it('leader append-only: only indexes the leader held when elected; the detail names both terms', () => {
    expect(brief([leader('n1', 3, [1, 2]), commit('n1', 2, 3, 3)])).toEqual([
      ['leader-append-only', 'n1, leader of term 3, committed index 2 as term 3, but its log held term 2 there when it was elected', 1, [0, 1]],
    ]);
    // Index 3 is past its log: new in its term, nothing to compare. Another leader's commits are not its own.
    expect(brief([leader('n1', 3, [1, 2]), commit('n1', 3, 3, 3)])).toEqual([]);
    expect(brief([leader('n1', 3, [1, 2]), leader('n2', 4, [1, 2]), commit('n2', 2, 2, 4)])).toEqual([]);
    expect(brief([leader('n1', 3, [1, 2]), commit('n2', 2, 5, 3)]).map((v) => v[0])).toEqual([]);
  });
});

describe('raft checker: log matching', () => {
  const matching = (a: number[], b: number[]) =>
    brief([leader('n1', 9, a), leader('n2', 10, b)])
      .filter((v) => v[0] === 'log-matching')
      .map((v) => v[1]);

  it('judges the highest index where the two logs hold the same term, against everything before it', () => {
    expect(matching([1, 3], [2, 3])).toEqual(['n1 (term 9) and n2 (term 10) both hold term 3 at index 2 but differ at index 1']);
    expect(matching([2, 1, 3], [1, 1, 3])).toEqual(['n1 (term 9) and n2 (term 10) both hold term 3 at index 3 but differ at index 1']);
    expect(matching([1, 1, 2, 5], [1, 2, 2])).toEqual(['n1 (term 9) and n2 (term 10) both hold term 2 at index 3 but differ at index 2']);
  });

  it('logs that differ only at their ends, or share a prefix, match', () => {
    expect(matching([1, 2], [1, 3])).toEqual([]);
    expect(matching([1, 2], [1, 2, 3])).toEqual([]);
    expect(matching([], [1])).toEqual([]);
    expect(matching([4], [5])).toEqual([]);
  });

  it("names the earlier leader's event", () => {
    const v = checkRaftSafety([leader('n1', 2, [1, 2]), apply('n3', 1, 1, 'x'), leader('n2', 3, [2, 2])]).find((x) => x.property === 'log-matching');
    expect([v?.at, v?.positions]).toEqual([2, [0, 2]]);
  });
});

describe('raft checker: leader completeness', () => {
  it('at most five reports per leader', () => {
    const commits = [1, 2, 3, 4, 5, 6, 7].map((i) => commit('n1', i, 1));
    const v = checkRaftSafety([leader('n1', 1, []), ...commits, leader('n2', 2, [])]).filter((x) => x.property === 'leader-completeness');
    expect(v).toHaveLength(5);
    expect(v[0]).toEqual({
      property: 'leader-completeness',
      detail: 'n2 led term 2 without index 1 of term 1, committed in term 1 by n1 (its log has no such index)',
      at: 8,
      positions: [1, 8],
    });
    expect(v.map((x) => x.detail.match(/index (\d)/)![1])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('a leader holding another term at the index is named with it', () => {
    expect(checkRaftSafety([commit('n1', 1, 1), leader('n2', 2, [2])]).map((x) => x.detail)).toEqual([
      'n2 led term 2 without index 1 of term 1, committed in term 1 by n1 (its log has term 2 there)',
    ]);
  });

  it('an entry seen committed in an earlier term than before binds the leaders in between, once', () => {
    const m = new RaftSafetyMonitor();
    for (const e of [leader('n3', 3, []), leader('n5', 5, []), commit('n4', 1, 1, 4)]) m.observe(e);
    expect(m.violations.map((v) => v.detail)).toEqual(['n5 led term 5 without index 1 of term 1, committed in term 4 by n4 (its log has no such index)']);
    m.observe(commit('n2', 1, 1, 2)); // now n3 (term 3) is bound too; n5 was judged already
    expect(m.violations.map((v) => v.detail.slice(0, 13))).toEqual(['n5 led term 5', 'n3 led term 3']);
    m.observe(commit('n2', 1, 1, 2)); // the same again, and a later-term commit: nothing new
    m.observe(commit('n6', 1, 1, 6));
    expect(m.violations).toHaveLength(2);
  });

  it('a leader of the same term as the commit is not judged by it', () => {
    expect(checkRaftSafety([leader('n1', 2, []), commit('n1', 1, 2, 2), leader('n2', 2, [])]).map((v) => v.property)).toEqual(['election-safety']);
  });
});

describe('raft checker: acknowledged writes and read floors', () => {
  it("an ack at an index where nothing was applied, and one whose index holds another client's op", () => {
    expect(brief([invoke('c', 1, 'k', 'v'), ok('c', 1, { index: 9 })])).toEqual([
      ['acked-command-lost', 'c#1 acknowledged (t=0) but nothing applied at index 9', 1, [1]],
    ]);
    expect(brief([apply('n1', 1, 1, put('k', 'v'), 'd', 1), invoke('c', 1, 'k', 'v'), ok('c', 1, { index: 1 })])).toEqual([
      ['acked-command-lost', 'c#1 acknowledged (t=0) but index 1 applied 1:{"op":"put","key":"k","value":"v"} instead', 2, [0, 2]],
    ]);
    expect(brief([apply('n1', 1, 1, put('k', 'v'), 'c', 2), ok('c', 1, { index: 1 })]).map((v) => v[0])).toEqual(['acked-command-lost']);
  });

  it('an op applied twice (a retry) is found at its first index', () => {
    const events = [invoke('c', 1, 'k', 'v'), apply('n1', 1, 1, put('k', 'v'), 'c', 1), apply('n1', 2, 1, put('k', 'v'), 'c', 1), ok('c', 1)];
    expect(brief(events)).toEqual([]);
    // The floor a later read gets is that first index: a read of the value is fresh.
    expect(brief([...events, readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'v')])).toEqual([]);
  });

  it('the read floor is the highest acknowledged write, never lowered by an older ack', () => {
    const writes = [
      invoke('c', 1, 'k', 'a'),
      apply('n1', 1, 1, put('k', 'a'), 'c', 1),
      invoke('c', 2, 'k', 'b'),
      apply('n1', 2, 1, put('k', 'b'), 'c', 2),
      ok('c', 2),
      ok('c', 1),
    ];
    expect(brief([...writes, readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'a')]).map((v) => v[1])).toEqual([
      'r#1 read k = a, written at index 1 (t=0), but the write at index 2 was acknowledged before the read began',
    ]);
    expect(brief([...writes, readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'b')])).toEqual([]);
    // The floor is per key: a read of another key is not bound by it.
    expect(brief([...writes, readInvoke('r', 1, 'j'), readOk('r', 1, 'j', null)])).toEqual([]);
  });

  it('an ack names its key (or the invoke does) and its index (or the apply does)', () => {
    // Key and index on the ack itself, no invoke seen.
    const own = [
      apply('n1', 1, 1, put('k', 'a'), 'c', 1),
      apply('n1', 2, 1, put('k', 'b'), 'c', 2),
      ok('c', 2, { key: 'k', index: 2 }),
      readInvoke('r', 1, 'k'),
      readOk('r', 1, 'k', 'a'),
    ];
    expect(brief(own).map((v) => v[0])).toEqual(['stale-read']);
    // Neither key nor invoke: no floor.
    const none = [
      apply('n1', 1, 1, put('k', 'a'), 'c', 1),
      apply('n1', 2, 1, put('k', 'b'), 'c', 2),
      ok('c', 2, { index: 2 }),
      readInvoke('r', 1, 'k'),
      readOk('r', 1, 'k', 'a'),
    ];
    expect(brief(none)).toEqual([]);
  });

  it('a value is placed where it was first written; cas writes count, other ops and non-string values do not', () => {
    const first = [
      invoke('c', 1, 'k', 'v'),
      apply('n1', 1, 1, put('k', 'v'), 'c', 1),
      apply('n1', 2, 1, { op: 'cas', key: 'k', value: 'w', expect: 'v' }, 'c', 2),
      ok('c', 1),
      ok('c', 2, { key: 'k' }),
    ];
    expect(brief([...first, readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'w')])).toEqual([]);
    const v = brief([...first, apply('n1', 3, 1, put('k', 'v'), 'c', 3), ok('c', 3, { key: 'k' }), readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'v')]);
    expect(v.map((x) => x[1])).toEqual(['r#1 read k = v, written at index 1 (t=0), but the write at index 3 was acknowledged before the read began']);
    expect(brief([apply('n1', 1, 1, { op: 'get', key: 'k', value: 'x' }), readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'x')]).map((x) => x[1])).toEqual([
      'r#1 read k = x (t=0), a value no applied write to k has',
    ]);
    expect(brief([apply('n1', 1, 1, { op: 'put', key: 'k', value: 7 }), readInvoke('r', 1, 'k'), readOk('r', 1, 'k', '7')]).map((x) => x[0])).toEqual([
      'stale-read',
    ]);
    // A value written to another key is not a value of this one.
    expect(brief([apply('n1', 1, 1, put('j', 'x')), readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'x')]).map((x) => x[0])).toEqual(['stale-read']);
  });

  it('a read is judged once, and one invoked before the trace began not at all', () => {
    expect(brief([readOk('r', 1, 'k', 'nothing')])).toEqual([]);
    expect(brief([readInvoke('r', 1, 'k'), readOk('r', 1, 'k', 'nothing'), readOk('r', 1, 'k', 'nothing')]).map((v) => v[0])).toEqual(['stale-read']);
    // A null read with no acknowledged write is fine.
    expect(brief([readInvoke('r', 1, 'k'), readOk('r', 1, 'k', null)])).toEqual([]);
  });
});
