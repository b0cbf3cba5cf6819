import { describe, expect, it } from 'vitest';
import {
  checkElectionSafety,
  checkLeaderAppendOnly,
  checkLeaderCompleteness,
  checkLogMatching,
  checkNoAckedCommandLost,
  checkRaftSafety,
  checkStaleReads,
  checkStateMachineSafety,
  RaftSafetyMonitor,
} from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
const put = (key: string, value: string) => ({ op: 'put', key, value });
const leader = (t: number, actor: string, term: number, terms: number[]) => emit(t, actor, { type: 'raft-leader', term, lastIndex: terms.length, terms });
const commit = (t: number, actor: string, index: number, term: number, leaderTerm = term) => emit(t, actor, { type: 'raft-commit', index, term, leaderTerm });
const apply = (t: number, actor: string, index: number, term: number, command: unknown, client?: string, seq?: number) =>
  emit(t, actor, { type: 'raft-apply', index, term, command, ...(client ? { client, seq } : {}) });
const invoke = (t: number, client: string, seq: number, key: string, value: string) =>
  emit(t, client, { type: 'client-invoke', client, seq, f: 'write', key, value });
const ok = (t: number, client: string, seq: number, index?: number) =>
  emit(t, client, { type: 'client-ok', client, seq, f: 'write', ...(index ? { index } : {}) });

/** A clean run: n1 leads term 1 and commits a no-op and c#1; n2 takes over in term 2 with both. */
const good: TraceEvent[] = [
  leader(10, 'n1', 1, []),
  commit(12, 'n1', 1, 1),
  apply(12, 'n1', 1, 1, { op: 'noop' }),
  invoke(13, 'c', 1, 'k1', 'c:1'),
  commit(15, 'n1', 2, 1),
  apply(15, 'n1', 2, 1, put('k1', 'c:1'), 'c', 1),
  ok(16, 'c', 1, 2),
  apply(20, 'n2', 1, 1, { op: 'noop' }),
  apply(20, 'n2', 2, 1, put('k1', 'c:1'), 'c', 1),
  { t: 30, type: 'stop', actor: 'n1', reason: 'crashed' },
  leader(40, 'n2', 2, [1, 1]),
  commit(42, 'n2', 1, 1, 2),
  commit(42, 'n2', 2, 1, 2),
  commit(42, 'n2', 3, 2, 2),
  apply(42, 'n2', 3, 2, { op: 'noop' }),
  // n1 restarts: it rebuilds its state machine from index 1.
  { t: 50, type: 'spawn', actor: 'n1', behaviour: 'raft', host: 0 },
  apply(55, 'n1', 1, 1, { op: 'noop' }),
  apply(55, 'n1', 2, 1, put('k1', 'c:1'), 'c', 1),
  apply(55, 'n1', 3, 2, { op: 'noop' }),
];

describe('raft safety checkers (hand-made traces)', () => {
  it('pass a good trace', () => {
    expect(checkRaftSafety(good)).toEqual([]);
  });

  it('election safety: two leaders in one term fail', () => {
    const bad = [...good, leader(60, 'n3', 2, [1, 1])];
    const v = checkElectionSafety(bad);
    expect(v).toHaveLength(1);
    expect(v[0].detail).toMatch(/term 2 has more than one leader: n2 and then n3/);
  });

  it('state-machine safety: two different applies at one index fail (and two different commits)', () => {
    const bad = [...good, apply(60, 'n3', 2, 1, put('k1', 'evil'), 'c', 1)];
    expect(checkStateMachineSafety(bad)).toEqual([
      expect.objectContaining({ property: 'state-machine-safety', detail: expect.stringMatching(/index 2: n1 applied .* but n3 applied/) }),
    ]);
    const sameCommandOtherTerm = [...good, apply(60, 'n3', 3, 3, { op: 'noop' })];
    expect(checkStateMachineSafety(sameCommandOtherTerm)).toHaveLength(1);
    expect(checkStateMachineSafety([...good, commit(60, 'n3', 3, 3, 3)])).toHaveLength(1);
  });

  it('leader completeness: a leader missing a committed entry fails, in either trace order', () => {
    // n3 leads term 3 with a log whose index 2 is of term 2, not the committed term-1 entry.
    const bad = [...good, leader(60, 'n3', 3, [1, 2])];
    const v = checkLeaderCompleteness(bad);
    expect(v.map((x) => x.detail)).toEqual([
      expect.stringMatching(/n3 led term 3 without index 2 of term 1, committed in term 1/),
      expect.stringMatching(/n3 led term 3 without index 3 of term 2/),
    ]);
    // The commit may appear after the later leader's election in the trace.
    const lateCommit = [leader(1, 'n1', 1, []), leader(5, 'n2', 2, []), commit(6, 'n1', 1, 1)];
    expect(checkLeaderCompleteness(lateCommit)).toHaveLength(1);
    // An entry committed only in a later term binds only leaders after that term.
    expect(checkLeaderCompleteness([leader(1, 'n2', 2, []), commit(6, 'n3', 1, 1, 3)])).toEqual([]);
  });

  it('no acknowledged command lost: an acked command never applied, or applied as something else, fails', () => {
    const never = [...good, invoke(60, 'c', 2, 'k2', 'c:2'), ok(70, 'c', 2)];
    expect(checkNoAckedCommandLost(never)).toEqual([expect.objectContaining({ detail: expect.stringMatching(/c#2 acknowledged .* never applied/) })]);
    const elsewhere = [...good, invoke(60, 'c', 2, 'k2', 'c:2'), ok(70, 'c', 2, 3)];
    expect(checkNoAckedCommandLost(elsewhere)[0].detail).toMatch(/index 3 applied .*noop.* instead/);
    const altered = [invoke(1, 'c', 1, 'k1', 'c:1'), apply(2, 'n1', 1, 1, put('k1', 'forged'), 'c', 1), ok(3, 'c', 1, 1)];
    expect(checkNoAckedCommandLost(altered)[0].detail).toMatch(/invoked as k1=c:1 but applied as/);
  });

  it('stale reads: a read older than an acknowledged write, or of a value never written, fails; reads are not acks', () => {
    const readInvoke = (t: number, client: string, seq: number, key: string) => emit(t, client, { type: 'client-invoke', client, seq, f: 'read', key });
    const readOk = (t: number, client: string, seq: number, key: string, value: string | null) =>
      emit(t, client, { type: 'client-ok', client, seq, f: 'read', key, value });
    // c#2 writes k1=c:2 at index 4 and is acknowledged; a later read must not see c:1 (index 2).
    const base = [...good, invoke(60, 'c', 2, 'k1', 'c:2'), commit(61, 'n2', 4, 2, 2), apply(61, 'n2', 4, 2, put('k1', 'c:2'), 'c', 2), ok(62, 'c', 2, 4)];
    const fresh = [...base, readInvoke(70, 'r', 1, 'k1'), readOk(72, 'r', 1, 'k1', 'c:2')];
    expect(checkRaftSafety(fresh)).toEqual([]); // and the read's ok is not judged as a lost write
    const stale = [...base, readInvoke(70, 'r', 1, 'k1'), readOk(72, 'r', 1, 'k1', 'c:1')];
    expect(checkStaleReads(stale)).toEqual([
      expect.objectContaining({ detail: expect.stringMatching(/r#1 read k1 = c:1, written at index 2 .* index 4 was acknowledged/) }),
    ]);
    const invented = [...base, readInvoke(70, 'r', 1, 'k1'), readOk(72, 'r', 1, 'k1', 'nobody')];
    expect(checkStaleReads(invented)[0].detail).toMatch(/a value no applied write to k1 has/);
    const lostWrite = [...base, readInvoke(70, 'r', 1, 'k1'), readOk(72, 'r', 1, 'k1', null)];
    expect(checkStaleReads(lostWrite)[0].detail).toMatch(/read k1 as null/);
    // A read concurrent with the write (invoked before its ack) may see either value.
    const concurrent = [
      ...good,
      invoke(60, 'c', 2, 'k1', 'c:2'),
      readInvoke(60, 'r', 1, 'k1'),
      commit(61, 'n2', 4, 2, 2),
      apply(61, 'n2', 4, 2, put('k1', 'c:2'), 'c', 2),
      ok(62, 'c', 2, 4),
      readOk(63, 'r', 1, 'k1', 'c:1'),
    ];
    expect(checkStaleReads(concurrent)).toEqual([]);
  });

  it('apply order: a gap or a repeat without a restart fails', () => {
    const gap = [apply(1, 'n1', 1, 1, { op: 'noop' }), apply(2, 'n1', 3, 1, { op: 'noop' })];
    expect(checkRaftSafety(gap).map((v) => v.property)).toEqual(['apply-order']);
    const repeat = [apply(1, 'n1', 1, 1, { op: 'noop' }), apply(2, 'n1', 1, 1, { op: 'noop' })];
    expect(checkRaftSafety(repeat).map((v) => v.property)).toEqual(['apply-order']);
  });

  it('the monitor judges incrementally; finish() adds the acknowledged-command judgement once', () => {
    const m = new RaftSafetyMonitor();
    for (const e of [...good, leader(60, 'n3', 2, [1, 1])]) m.observe(e);
    expect(m.violations.map((v) => v.property)).toEqual(['election-safety']);
    m.observe(ok(70, 'c', 9));
    expect(m.finish().map((v) => v.property)).toEqual(['election-safety', 'acked-command-lost']);
    expect(m.finish()).toHaveLength(2);
    expect(m.leaders.get(2)).toEqual(['n2', 'n3']);
  });
});

describe('log matching and leader append-only', () => {
  it('log matching: two leaders agree on term 2 at index 3 but not on index 1 -> violation', () => {
    const bad = [leader(10, 'n1', 2, [1, 1, 2]), leader(20, 'n2', 3, [2, 1, 2])];
    expect(checkLogMatching(bad)).toEqual([
      expect.objectContaining({ property: 'log-matching', detail: expect.stringMatching(/term 2 at index 3 but differ at index 1/) }),
    ]);
    expect(checkLogMatching([leader(10, 'n1', 2, [1, 1, 2]), leader(20, 'n2', 3, [1, 1, 2, 3])])).toEqual([]);
    expect(checkLogMatching(good)).toEqual([]);
  });

  it('leader append-only: a leader committing, as another term, an index it already held -> violation', () => {
    const bad = [leader(10, 'n1', 3, [1, 2]), commit(12, 'n1', 2, 3, 3)];
    expect(checkLeaderAppendOnly(bad)).toEqual([expect.objectContaining({ property: 'leader-append-only' })]);
    expect(checkLeaderAppendOnly([leader(10, 'n1', 3, [1, 2]), commit(12, 'n1', 2, 2, 3), commit(12, 'n1', 3, 3, 3)])).toEqual([]);
    expect(checkLeaderAppendOnly(good)).toEqual([]);
  });
});
