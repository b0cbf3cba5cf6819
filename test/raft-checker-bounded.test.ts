import { describe, expect, it } from 'vitest';
import { RaftSafetyMonitor } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The Raft checker on a long run (issue 18): what it holds stays bounded by the snapshot
 * interval, not by the number of commands, and what it forgets does not blind it to violations
 * that happen past the horizon, to acknowledgements of commands applied behind it, or to stale
 * reads of values it no longer holds. Hand-built traces: three nodes apply every command in
 * order and snapshot every `every` indexes, a client invokes and is acknowledged.
 */
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: 0, type: 'emit', actor, event });
const NODES = ['n1', 'n2', 'n3'];
const digest = (i: number) => i.toString(16).padStart(64, '0');

/** The events of one command at `index`: invoked, committed, applied by every node, acknowledged; snapshots on the grid. */
function* command(index: number, every: number, opts: { ackFirst?: boolean; readEvery?: number } = {}): Generator<TraceEvent> {
  const seq = index;
  const key = `k${seq % 4}`;
  const value = `c:${seq}`;
  const cmd = { op: 'put', key, value };
  yield emit('client', { type: 'client-invoke', client: 'c', seq, f: 'write', key, value });
  yield emit('n1', { type: 'raft-commit', index, term: 1, leaderTerm: 1 });
  const ack = emit('client', { type: 'client-ok', client: 'c', seq, f: 'write', key, value, index });
  if (opts.ackFirst) yield ack;
  for (const n of NODES) yield emit(n, { type: 'raft-apply', index, term: 1, command: cmd, client: 'c', seq });
  if (!opts.ackFirst) yield ack;
  if (index % every === 0)
    for (const n of NODES) yield emit(n, { type: 'raft-snapshot', how: 'taken', index, term: 1, digest: digest(index), chars: 1, logStart: index + 1 });
}

function run(commands: number, every: number): RaftSafetyMonitor {
  const m = new RaftSafetyMonitor();
  m.observe(emit('n1', { type: 'raft-leader', term: 1, lastIndex: 0, terms: [] }));
  for (let i = 1; i <= commands; i++) for (const e of command(i, every)) m.observe(e);
  return m;
}

/**
 * 300 commands, then command c#301 (invoked as k1=c:301) applied at index 301 as `applied`, no-ops
 * up to 400 and a snapshot there on every node: seq 301's index is behind the horizon, unacknowledged.
 */
function appliedBehindHorizon(applied: { key: string; value: string }): RaftSafetyMonitor {
  const m = run(300, 100);
  m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 301, f: 'write', key: 'k1', value: 'c:301' }));
  for (const n of NODES) m.observe(emit(n, { type: 'raft-apply', index: 301, term: 1, command: { op: 'put', ...applied }, client: 'c', seq: 301 }));
  for (const n of NODES) for (let i = 302; i <= 400; i++) m.observe(emit(n, { type: 'raft-apply', index: i, term: 1, command: { op: 'noop' } }));
  for (const n of NODES) m.observe(emit(n, { type: 'raft-snapshot', how: 'taken', index: 400, term: 1, digest: digest(400), chars: 1, logStart: 401 }));
  return m;
}

describe('raft checker memory on a long run', () => {
  it('holds about one snapshot interval of indexes and a handful of commands and writes, whatever the length', () => {
    const short = run(2_000, 100).held();
    const long = run(20_000, 100).held();
    expect(long.horizon).toBe(20_000);
    expect(short.horizon).toBe(2_000);
    // Indexes at or past the horizon, and the highest committed one: 2 maps of 1 entry each.
    expect(long.indexes).toBe(short.indexes);
    expect(long.indexes).toBeLessThanOrEqual(2);
    expect(long.commands).toBe(0);
    // Writes: per key, those a read could still return (at or past the last acknowledged one), pruned in batches of 64.
    expect(short.writes).toBeLessThanOrEqual(4 * 64);
    expect(long.writes).toBeLessThanOrEqual(4 * 64);
  });

  it('a node that never snapshots holds the horizon back: its indexes stay', () => {
    const m = run(500, 100);
    m.observe(emit('n4', { type: 'raft-apply', index: 1, term: 1, command: { op: 'noop' } }));
    for (const e of command(501, 100)) m.observe(e);
    expect(m.held().horizon).toBe(500);
    for (let i = 502; i <= 700; i++) for (const e of command(i, 100)) m.observe(e);
    expect(m.held().horizon).toBe(500);
    expect(m.held().indexes).toBeGreaterThanOrEqual(2 * 200);
    expect(m.finish()).toEqual([]);
  });
});

describe('raft checker past its horizon still sees', () => {
  it('two different applies at an index past the horizon: state-machine safety', () => {
    const m = run(1_000, 100);
    m.observe(emit('n1', { type: 'raft-apply', index: 1_001, term: 1, command: { op: 'noop' } }));
    m.observe(emit('n2', { type: 'raft-apply', index: 1_001, term: 2, command: { op: 'noop' } }));
    expect(m.finish().map((v) => v.property)).toEqual(['state-machine-safety']);
  });

  it('a new leader of a later term without the last committed entry, though it is behind the horizon: leader completeness', () => {
    const m = run(1_000, 100);
    // Index 1,000 is the horizon and the highest committed index: kept. A leader whose log (compacted to 900) ends at 999.
    m.observe(emit('n2', { type: 'raft-leader', term: 2, lastIndex: 999, terms: Array(99).fill(1), base: 900, baseTerm: 1 }));
    expect(m.finish().map((v) => [v.property, v.detail])).toEqual([
      ['leader-completeness', 'n2 led term 2 without index 1000 of term 1, committed in term 1 by n1 (its log has no such index)'],
    ]);
  });

  it('an ack that comes after the horizon passed its command is judged against what was applied', () => {
    /** Command seq 301 applied at index 301 as `applied`, then indexes up to 400 and a snapshot there on every node. */
    const behind = (applied: string) => {
      const m = appliedBehindHorizon({ key: 'k1', value: applied });
      expect(m.held().horizon).toBe(400);
      m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 301, f: 'write', key: 'k1', value: 'c:301', index: 301 }));
      return m.finish().map((v) => [v.property, v.detail]);
    };
    expect(behind('c:301')).toEqual([]);
    expect(behind('x')).toEqual([['acked-command-lost', 'c#301 was invoked as k1=c:301 but applied as {"op":"put","key":"k1","value":"x"} at index 301']]);
  });

  it('a read returning a value its checker has forgotten is stale', () => {
    const m = run(1_000, 100);
    // k1 was last written (and acknowledged) at index 997; c:1 was written to it at index 1, long forgotten.
    m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 5_000, f: 'read', key: 'k1' }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 5_000, f: 'read', key: 'k1', value: 'c:1' }));
    const [v] = m.finish();
    expect(v.property).toBe('stale-read');
    expect(v.detail).toMatch(
      /^c#5000 read k1 = c:1 \(t=0\), a value no write to k1 applied at index \d+ or later has \(the write at index 997 was acknowledged before the read began\)$/,
    );
    // ... and the latest value is not.
    const ok = run(1_000, 100);
    ok.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 5_000, f: 'read', key: 'k1' }));
    ok.observe(emit('client', { type: 'client-ok', client: 'c', seq: 5_000, f: 'read', key: 'k1', value: 'c:997' }));
    expect(ok.finish()).toEqual([]);
  });

  it('a read in flight keeps the writes it may return: an older value than the latest, newer than its floor, is fine', () => {
    const m = run(100, 1_000);
    m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 9_000, f: 'read', key: 'k1' })); // floor 97
    for (let i = 101; i <= 2_000; i++) for (const e of command(i, 1_000)) m.observe(e);
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 9_000, f: 'read', key: 'k1', value: 'c:101' }));
    expect(m.finish()).toEqual([]);
  });
});

describe('raft checker: acknowledgements judged as they can be', () => {
  it('an ack before its apply waits for it: the apply that comes is judged against it', () => {
    const m = new RaftSafetyMonitor();
    for (const e of command(1, 100, { ackFirst: true })) m.observe(e);
    expect(m.held().commands).toBe(0);
    expect(m.finish()).toEqual([]);
    const wrong = new RaftSafetyMonitor();
    wrong.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }));
    wrong.observe(emit('client', { type: 'client-ok', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1', index: 1 }));
    wrong.observe(emit('n1', { type: 'raft-apply', index: 1, term: 1, command: { op: 'put', key: 'k1', value: 'x' }, client: 'c', seq: 1 }));
    expect(wrong.finish().map((v) => [v.property, v.detail, v.at])).toEqual([
      ['acked-command-lost', 'c#1 was invoked as k1=c:1 but applied as {"op":"put","key":"k1","value":"x"} at index 1', 1],
    ]);
  });

  it('an ack whose command is never applied is judged at the end, at its own position', () => {
    const m = new RaftSafetyMonitor();
    m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }));
    expect(m.violations).toEqual([]);
    expect(m.finish().map((v) => [v.property, v.detail, v.at])).toEqual([['acked-command-lost', 'c#1 acknowledged (t=0) but never applied', 1]]);
  });

  it('a command given up (client-info) is no longer held', () => {
    const m = new RaftSafetyMonitor();
    m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }));
    expect(m.held().commands).toBe(1);
    m.observe(emit('client', { type: 'client-info', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1', attempts: 3, reason: 'timeout' }));
    expect(m.held().commands).toBe(0);
  });

  it('a repeated ack naming no index, of a command judged already, is not taken for a lost one', () => {
    const m = new RaftSafetyMonitor();
    for (const e of command(1, 100)) m.observe(e);
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }));
    expect(m.finish()).toEqual([]);
  });
});

describe('raft checker: exactly what it holds, and where the horizon lies', () => {
  it('per key, the writes since the last acknowledged one, pruned each time 64 are held: 2 + (n - 64) mod 62 for n writes', () => {
    // No read in flight: each pruning (during the apply of a write) keeps the last acknowledged write and the new one.
    const held = (n: number) => 2 + ((n - 64) % 62);
    expect(run(2_000, 100).held().writes).toBe(4 * held(500));
    expect(run(20_000, 100).held().writes).toBe(4 * held(5_000));
    expect(run(4 * 63, 100).held().writes).toBe(4 * 63);
  });

  it('counts each command it holds once, wherever it waits', () => {
    const m = new RaftSafetyMonitor();
    const invoke = (seq: number) => m.observe(emit('client', { type: 'client-invoke', client: 'c', seq, f: 'write', key: 'k', value: `c:${seq}` }));
    for (const seq of [1, 2, 3, 4]) invoke(seq);
    expect(m.held().commands).toBe(4);
    m.observe(emit('n1', { type: 'raft-apply', index: 1, term: 1, command: { op: 'put', key: 'k', value: 'c:1' }, client: 'c', seq: 1 }));
    expect(m.held().commands).toBe(5); // invoked 4, applied and not acknowledged 1
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 2, f: 'write', key: 'k', value: 'c:2', index: 2 }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 3, f: 'write', key: 'k', value: 'c:3' }));
    expect(m.held().commands).toBe(7); // and two acks waiting, one for its index and one for its command
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 1, f: 'write', key: 'k', value: 'c:1', index: 1 }));
    expect(m.held().commands).toBe(5); // seq 1 judged: neither invoked nor applied any more
    m.observe(emit('client', { type: 'client-invoke', client: 'c', seq: 5, f: 'read', key: 'k' }));
    expect(m.held().commands).toBe(6);
    // Judged out of order: seq 2 and 3 below seq 1's watermark would go, seq 4 is judged ahead of them (held until they are).
    m.observe(emit('n1', { type: 'raft-apply', index: 2, term: 1, command: { op: 'put', key: 'k', value: 'c:2' }, client: 'c', seq: 2 }));
    m.observe(emit('n1', { type: 'raft-apply', index: 3, term: 1, command: { op: 'put', key: 'k', value: 'c:3' }, client: 'c', seq: 3 }));
    expect(m.held().commands).toBe(2); // invoked seq 4, the read
    expect(m.finish()).toEqual([]);
  });

  it("the horizon's own index is still judged: two different applies there are caught", () => {
    const m = run(1_000, 100);
    m.observe(emit('n4', { type: 'raft-apply', index: 1_000, term: 7, command: { op: 'noop' } }));
    expect(m.finish().map((v) => v.property)).toEqual(['apply-order', 'state-machine-safety']);
  });

  it('a commit past the highest one lets the old highest go once it is behind the horizon', () => {
    const m = run(1_000, 100);
    expect(m.held().indexes).toBe(2);
    m.observe(emit('n1', { type: 'raft-commit', index: 1_001, term: 1, leaderTerm: 1 }));
    expect(m.held().indexes).toBe(3); // 1,000 (the horizon, committed and applied) and 1,001
    const again = run(1_000, 100);
    for (const n of NODES)
      again.observe(emit(n, { type: 'raft-snapshot', how: 'taken', index: 1_100, term: 1, digest: digest(1_100), chars: 1, logStart: 1_101 }));
    expect(again.held()).toMatchObject({ horizon: 1_100, indexes: 1 }); // only the highest commit (1,000) is left
    again.observe(emit('n1', { type: 'raft-commit', index: 1_101, term: 1, leaderTerm: 1 }));
    expect(again.held().indexes).toBe(1); // 1,000 went, 1,101 came
  });

  it('a commit behind the horizon is not held, and is not compared', () => {
    const m = run(1_000, 100);
    m.observe(emit('n2', { type: 'raft-commit', index: 500, term: 9, leaderTerm: 9 }));
    expect(m.held().indexes).toBe(2);
    expect(m.finish()).toEqual([]);
  });

  it('two reads in flight on one key keep the writes the older may return', () => {
    const m = run(100, 1_000);
    const read = (seq: number) => m.observe(emit('client', { type: 'client-invoke', client: 'c', seq, f: 'read', key: 'k1' }));
    read(9_000); // floor 97
    for (let i = 101; i <= 1_000; i++) for (const e of command(i, 1_000)) m.observe(e);
    read(9_001); // floor 997
    for (let i = 1_001; i <= 2_000; i++) for (const e of command(i, 1_000)) m.observe(e);
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 9_000, f: 'read', key: 'k1', value: 'c:101' }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 9_001, f: 'read', key: 'k1', value: 'c:997' }));
    expect(m.finish()).toEqual([]);
  });

  it('a command judged out of order is not taken for judged before it is', () => {
    const m = new RaftSafetyMonitor();
    for (const seq of [1, 2]) m.observe(emit('client', { type: 'client-invoke', client: 'c', seq, f: 'write', key: 'k', value: `c:${seq}` }));
    // seq 2 applied and acknowledged (judged) first; then seq 1 acknowledged naming no index, and never applied: lost.
    m.observe(emit('n1', { type: 'raft-apply', index: 1, term: 1, command: { op: 'put', key: 'k', value: 'c:2' }, client: 'c', seq: 2 }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 2, f: 'write', key: 'k', value: 'c:2', index: 1 }));
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 1, f: 'write', key: 'k', value: 'c:1' }));
    expect(m.finish().map((v) => v.detail)).toEqual(['c#1 acknowledged (t=0) but never applied']);
  });

  it('an ack naming an index past the horizon is not judged against its command applied behind it', () => {
    const m = appliedBehindHorizon({ key: 'k1', value: 'c:301' });
    // The noops (no client) hold nothing; seq 301 is held, applied behind the horizon.
    expect(m.held().commands).toBe(2);
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 301, f: 'write', key: 'k1', value: 'c:301', index: 450 }));
    expect(m.finish().map((v) => v.detail)).toEqual(['c#301 acknowledged (t=0) but nothing applied at index 450']);
  });

  it('an ack naming an index behind the horizon that its command was not applied at cannot be judged, and raises nothing', () => {
    const m = appliedBehindHorizon({ key: 'k1', value: 'c:301' });
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 301, f: 'write', key: 'k1', value: 'c:301', index: 350 }));
    expect(m.finish()).toEqual([]);
  });

  it('an ack naming no index, of a command applied behind the horizon as another key: acked-command-lost', () => {
    const m = appliedBehindHorizon({ key: 'k2', value: 'c:301' });
    m.observe(emit('client', { type: 'client-ok', client: 'c', seq: 301, f: 'write', key: 'k1', value: 'c:301' }));
    expect(m.finish().map((v) => v.detail)).toEqual(['c#301 was invoked as k1=c:301 but applied as {"op":"put","key":"k2","value":"c:301"} at index 301']);
  });

  it("a snapshot whose last entry's term is not the one applied there: state-machine safety, naming the apply", () => {
    const m = new RaftSafetyMonitor();
    m.observe(emit('n1', { type: 'raft-apply', index: 1, term: 1, command: { op: 'noop' } }));
    m.observe(emit('n2', { type: 'raft-snapshot', how: 'installed', index: 1, term: 2, digest: digest(1), chars: 1, logStart: 2 }));
    expect(m.finish().map((v) => [v.property, v.detail, v.positions])).toEqual([
      ['state-machine-safety', 'n2 installed a snapshot up to index 1 of term 2, but n1 applied 1:{"op":"noop"} there', [0, 1]],
    ]);
  });
});
