import { describe, expect, it } from 'vitest';
import { checkRaftSafety } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';
import { appliedIn } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

/**
 * A Raft node lists what one step applied in one `raft-apply {index, entries}` event (the first
 * entry at `index`), not one event per entry. The checker reads each entry at its own index, as
 * it reads the one-entry form (`raft-apply {index, term, command}`) other implementations and
 * hand-written traces give, and the two forms can meet in one trace.
 */
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: 0, type: 'emit', actor, event });
const put = (key: string, value: string) => ({ op: 'put', key, value });
const batch = (actor: string, index: number, entries: { term: number; command: unknown; client?: string; seq?: number }[]) =>
  emit(actor, { type: 'raft-apply', index, entries });
const apply1 = (actor: string, index: number, command: unknown) => emit(actor, { type: 'raft-apply', index, term: 1, command });
const brief = (events: TraceEvent[]) => checkRaftSafety(events).map((v) => [v.property, v.detail, v.at]);

describe('raft checker: batched applies', () => {
  it('each entry of a batch is judged at its own index: a conflict in the middle names that index', () => {
    const events = [
      batch('n1', 1, [
        { term: 1, command: put('a', '1') },
        { term: 1, command: put('b', '2') },
        { term: 1, command: put('c', '3') },
      ]),
      emit('n2', { type: 'raft-apply', index: 1, term: 1, command: put('a', '1') }),
      batch('n2', 2, [
        { term: 1, command: put('b', 'X') },
        { term: 1, command: put('c', '3') },
      ]),
    ];
    expect(brief(events)).toEqual([
      ['state-machine-safety', 'index 2: n1 applied 1:{"op":"put","key":"b","value":"2"} (t=0) but n2 applied 1:{"op":"put","key":"b","value":"X"} (t=0)', 2],
    ]);
  });

  it('apply order runs across batches: a batch starting past the next index is a gap', () => {
    const events = [batch('n1', 1, [{ term: 1, command: put('a', '1') }]), batch('n1', 3, [{ term: 1, command: put('c', '3') }])];
    expect(brief(events)).toEqual([['apply-order', 'n1 applied index 3 when 2 was next (t=0)', 1]]);
    const inOrder = [batch('n1', 1, [{ term: 1, command: put('a', '1') }]), batch('n1', 2, [{ term: 1, command: put('b', '2') }])];
    expect(brief(inOrder)).toEqual([]);
  });

  it('an acknowledgement is judged against the batch entry that applied its command, client and seq included', () => {
    const invoke = emit('c', { type: 'client-invoke', client: 'c', seq: 2, f: 'write', key: 'b', value: 'c:2' });
    const applied = batch('n1', 1, [
      { term: 1, command: put('a', 'c:1'), client: 'c', seq: 1 },
      { term: 1, command: put('b', 'c:2'), client: 'c', seq: 2 },
    ]);
    expect(brief([invoke, applied, emit('c', { type: 'client-ok', client: 'c', seq: 2, f: 'write', index: 2 })])).toEqual([]);
    // The same ack naming index 1, where the batch put another command: lost.
    const wrong = brief([invoke, applied, emit('c', { type: 'client-ok', client: 'c', seq: 2, f: 'write', index: 1 })]);
    expect(wrong.map(([p]) => p)).toEqual(['acked-command-lost']);
  });
});

describe('raft checker: a malformed raft-apply is judged, never thrown on', () => {
  it('entries that are null, a string or a number are read as the one-entry form; null entries as empty ones', () => {
    for (const entries of [null, 'abc', 7]) {
      const found = brief([emit('n1', { type: 'raft-apply', index: 1, term: 1, command: put('a', '1'), entries }), apply1('n2', 1, put('a', '1'))]);
      expect(found, JSON.stringify(entries)).toEqual([]);
    }
    const found = brief([batch('n1', 1, [null as never, { term: 1, command: put('b', '2') }]), apply1('n2', 1, put('a', '1'))]);
    expect(found.map(([p, d]) => [p, d])).toEqual([
      ['state-machine-safety', 'index 1: n1 applied undefined:undefined (t=0) but n2 applied 1:{"op":"put","key":"a","value":"1"} (t=0)'],
    ]);
  });
});

describe('raft nodes batch what one step applies', () => {
  it('a 3-node cluster applies 200 commands in fewer events than entries, every index once per node and in order', async () => {
    const c = await RaftCluster.start({ seed: 5, n: 3, link: { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } });
    await c.startClient({ commands: 200, window: 32 });
    expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
    c.runFor(300);
    expect(c.monitor.finish()).toEqual([]);
    const events = c.sim.recorder.events.flatMap((e) => (e.type === 'emit' && e.event.type === 'raft-apply' ? [{ actor: e.actor, event: e.event }] : []));
    for (const node of c.nodes) {
      const mine = events.filter((e) => e.actor === node);
      const indexes = mine.flatMap((e) => appliedIn(e.event).map((a) => a.index));
      expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, i) => i + 1));
      expect(indexes.length).toBeGreaterThanOrEqual(200);
      expect(mine.length).toBeLessThan(indexes.length);
    }
  });
});
