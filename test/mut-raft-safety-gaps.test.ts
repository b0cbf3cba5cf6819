import { describe, expect, it } from 'vitest';
import { checkRaftSafety, RaftSafetyMonitor } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * Rules of the Raft checker that the mutation run of stop 29 found unpinned (test/MUTATION.md,
 * "src/check/raft-safety.ts"): the wording of a third leader in one term, leader completeness
 * against a leader whose log was compacted, finding a leader's own log by its term when it led
 * twice, what a given-up command leaves held, the finish-time order of acks never applied, and
 * the positions and watermark of judged acks.
 */
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: 0, type: 'emit', actor, event });
const leader = (actor: string, term: number, terms: number[], extra: Record<string, unknown> = {}) =>
  emit(actor, { type: 'raft-leader', term, lastIndex: terms.length, terms, ...extra });
const commit = (actor: string, index: number, term: number, leaderTerm = term) => emit(actor, { type: 'raft-commit', index, term, leaderTerm });
const apply = (actor: string, index: number, term: number, command: unknown, client?: string, seq?: number) =>
  emit(actor, { type: 'raft-apply', index, entries: [{ term, command, ...(client ? { client, seq } : {}) }] });
const invoke = (client: string, seq: number, key: string, value: string) => emit(client, { type: 'client-invoke', client, seq, f: 'write', key, value });
const ok = (client: string, seq: number, extra: Record<string, unknown> = {}) => emit(client, { type: 'client-ok', client, seq, f: 'write', ...extra });
const brief = (events: TraceEvent[]) => checkRaftSafety(events).map((v) => [v.property, v.detail, v.at, v.positions]);
const monitor = (events: TraceEvent[]) => {
  const m = new RaftSafetyMonitor();
  for (const e of events) m.observe(e);
  return m;
};

describe('raft checker: the gaps of the stop-29 mutation run', () => {
  it('a third leader in one term is named after the two before it, comma-separated', () => {
    const found = brief([leader('n1', 2, []), leader('n2', 2, []), leader('n3', 2, [])]);
    expect(found.map(([, detail]) => detail)).toEqual([
      'term 2 has more than one leader: n1 and then n2 (t=0)',
      'term 2 has more than one leader: n1, n2 and then n3 (t=0)',
    ]);
  });

  it('leader completeness does not judge an index behind a later leader’s compacted base (its snapshot holds it)', () => {
    // Index 5 committed in term 1; n2 is elected in term 3 with its log compacted up to index 10
    // (term 2) and one entry after it: index 5 is in its snapshot, not missing from its log.
    const events = [commit('n1', 5, 1), leader('n2', 3, [3], { base: 10, baseTerm: 2 })];
    expect(brief(events)).toEqual([]);
    // The same leader without the compaction lacks index 5: reported, so the case above is judged.
    expect(brief([commit('n1', 5, 1), leader('n2', 3, [3])]).map(([p]) => p)).toEqual(['leader-completeness']);
  });

  it("leader append-only reads the log of the committing leader's own term when it led twice", () => {
    // n1 led term 1 holding index 3 of term 1; term 2's leader replaced it with a term-2 entry;
    // n1, elected again in term 3 with [1, 1, 2], commits index 3 as term 2: its own entry then.
    const events = [leader('n1', 1, [1, 1, 1]), leader('n2', 2, [1, 1, 2]), leader('n1', 3, [1, 1, 2]), commit('n1', 3, 2, 3)];
    expect(brief(events)).toEqual([]);
    // Committing index 3 as term 1 in term 3 is what its term-3 log did not hold.
    expect(brief([leader('n1', 1, [1, 1, 1]), leader('n1', 3, [1, 1, 2]), commit('n1', 3, 1, 3)]).map(([p, d]) => [p, d])).toEqual([
      ['leader-append-only', 'n1, leader of term 3, committed index 3 as term 1, but its log held term 2 there when it was elected'],
    ]);
  });

  it('a command given up (client-fail, as client-info) leaves nothing held', () => {
    const failed = monitor([invoke('c', 1, 'k', 'c:1'), emit('c', { type: 'client-fail', client: 'c', seq: 1, f: 'write' })]);
    expect(failed.held().commands).toBe(0);
    const info = monitor([invoke('c', 1, 'k', 'c:1'), emit('c', { type: 'client-info', client: 'c', seq: 1, f: 'write' })]);
    expect(info.held().commands).toBe(0);
    const read = monitor([
      emit('c', { type: 'client-invoke', client: 'c', seq: 2, f: 'read', key: 'k' }),
      emit('c', { type: 'client-fail', client: 'c', seq: 2, f: 'read' }),
    ]);
    expect(read.held().commands).toBe(0);
    // Still in flight: held.
    expect(monitor([invoke('c', 1, 'k', 'c:1')]).held().commands).toBe(1);
  });

  it('acks never applied are reported at finish in the order they came, whichever table held them', () => {
    // The first names no index (held by command), the second names one (held by index).
    const events = [invoke('c', 1, 'a', 'c:1'), invoke('c', 2, 'b', 'c:2'), ok('c', 1), ok('c', 2, { index: 7 })];
    expect(brief(events)).toEqual([
      ['acked-command-lost', 'c#1 acknowledged (t=0) but never applied', 2, [2]],
      ['acked-command-lost', 'c#2 acknowledged (t=0) but nothing applied at index 7', 3, [3]],
    ]);
  });

  it('an ack whose index applied another write names the apply as the earlier position', () => {
    const events = [invoke('c', 1, 'k', 'c:1'), apply('n1', 1, 1, { op: 'put', key: 'k', value: 'other' }, 'c', 1), ok('c', 1, { index: 1 })];
    expect(brief(events)).toEqual([
      ['acked-command-lost', 'c#1 was invoked as k=c:1 but applied as {"op":"put","key":"k","value":"other"} at index 1', 2, [1, 2]],
    ]);
  });

  it('commands judged out of order are held until the ones before them are, and a repeated ack adds nothing', () => {
    const events = [
      invoke('c', 1, 'k', 'c:1'),
      invoke('c', 2, 'k', 'c:2'),
      apply('n1', 1, 1, { op: 'put', key: 'k', value: 'c:2' }, 'c', 2),
      ok('c', 2, { index: 1 }),
    ];
    const m = monitor(events);
    // seq 2 judged before seq 1: remembered beside the watermark, with seq 1 still invoked.
    expect(m.held().commands).toBe(2);
    m.observe(apply('n1', 2, 1, { op: 'put', key: 'k', value: 'c:1' }, 'c', 1));
    m.observe(ok('c', 1, { index: 2 }));
    expect(m.held().commands).toBe(0);
    // A repeated ack of seq 1, below the watermark now: judged by its index again, nothing held.
    m.observe(ok('c', 1, { index: 2 }));
    expect(m.held().commands).toBe(0);
    expect(m.finish()).toEqual([]);
  });
});
