import { describe, expect, it } from 'vitest';
import { PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import { SeqFlags, SeqStrings } from '../src/check/seq-flags.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The PBFT checker on a long run (issue 18): what it holds stays bounded by the checkpoint
 * interval, not by the number of requests, and what it forgets does not blind it to a second
 * execution of an old request, a wrong result accepted, or a disagreement past the horizon.
 * Hand-built traces: a client issues one request per seq, four replicas commit and execute it,
 * the client accepts, and every replica checkpoints every `every` seqs.
 */
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: 0, type: 'emit', actor, event });
const REPLICAS = ['p0', 'p1', 'p2', 'p3'];
const result = (ts: number) => `v${ts}`;

function* slot(seq: number, every: number, accepted = result(seq)): Generator<TraceEvent> {
  const key = `c#${seq}#incr k${seq % 4}`;
  yield emit('c', { type: 'pbft-request', client: 'c', ts: seq, op: `incr k${seq % 4}` });
  for (const r of REPLICAS) yield emit(r, { type: 'pbft-committed', view: 0, seq, digest: `d${seq}`, requests: [key] });
  for (const r of REPLICAS) yield emit(r, { type: 'pbft-executed', seq, request: key, result: result(seq) });
  yield emit('c', { type: 'pbft-accepted', client: 'c', ts: seq, result: accepted });
  if (seq % every === 0) for (const r of REPLICAS) yield emit(r, { type: 'pbft-checkpoint', seq, digest: `s${seq}` });
}

function run(requests: number, every: number, wrongAt?: number): PbftSafetyMonitor {
  const m = new PbftSafetyMonitor();
  for (let seq = 1; seq <= requests; seq++) for (const e of slot(seq, every, seq === wrongAt ? 'forged' : undefined)) m.observe(e);
  return m;
}

describe('pbft checker memory on a long run', () => {
  it('holds about one checkpoint interval of seqs and requests, whatever the length', () => {
    const short = run(2_000, 100).held();
    const long = run(20_000, 100).held();
    expect([short.horizon, long.horizon]).toEqual([2_000, 20_000]);
    // Seq 2,000 (20,000) itself is kept: its commit and its executions.
    expect(long).toEqual({ ...short, horizon: 20_000 });
    expect(long.seqs).toBe(2);
    // Request 20,000 (at the horizon, not behind it): its result, its acceptance, where each replica executed it; nothing open.
    expect(long.requests).toBe(1 + 1 + REPLICAS.length);
    expect(run(20_000, 100).finish({ expectLiveness: true })).toEqual([]);
  });

  it('a replica that never checkpoints holds the horizon back', () => {
    const m = run(300, 100);
    m.observe(emit('p9', { type: 'pbft-committed', view: 0, seq: 301, digest: 'd301', requests: [] }));
    for (let seq = 302; seq <= 600; seq++) for (const e of slot(seq, 100)) m.observe(e);
    expect(m.held().horizon).toBe(300);
    expect(m.held().seqs).toBeGreaterThan(2 * 299);
  });
});

describe('pbft checker past its horizon still sees', () => {
  it('a wrong result accepted, judged when its seq falls behind the horizon', () => {
    const m = run(250, 100, 220);
    expect(m.violations.map((v) => [v.property, v.detail])).toEqual([]);
    for (let seq = 251; seq <= 300; seq++) for (const e of slot(seq, 100)) m.observe(e);
    expect(m.violations.map((v) => [v.property, v.detail])).toEqual([
      ['result-integrity', 'c#220 accepted result "forged", but p0 executed it with result "v220"'],
    ]);
    expect(m.finish()).toHaveLength(1);
  });

  it('a replica executing a request again long after its first execution: integrity', () => {
    const m = run(1_000, 100);
    m.observe(emit('p2', { type: 'pbft-executed', seq: 1_001, request: 'c#5#incr k1', result: 'v5' }));
    expect(m.finish().map((v) => [v.property, v.detail])).toEqual([
      ['integrity', 'p2 executed c#5 twice without restarting: first at a seq behind the horizon (1000), again at seq 1001'],
    ]);
  });

  it('a replica restarted may execute old requests again', () => {
    const m = run(1_000, 100);
    m.observe({ t: 0, type: 'restart', actor: 'p2', host: 0 } as TraceEvent);
    m.observe(emit('p2', { type: 'pbft-executed', seq: 1_001, request: 'c#5#incr k1', result: 'v5' }));
    expect(m.finish()).toEqual([]);
  });

  it('two honest commits that differ at a seq past the horizon: agreement', () => {
    const m = run(1_000, 100);
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 1_001, op: 'incr k1' }));
    m.observe(emit('p0', { type: 'pbft-committed', view: 0, seq: 1_001, digest: 'a', requests: ['c#1001#incr k1'] }));
    m.observe(emit('p1', { type: 'pbft-committed', view: 1, seq: 1_001, digest: 'b', requests: ['c#1001#incr k1'] }));
    expect(m.finish().map((v) => v.property)).toEqual(['agreement']);
  });

  it('a request committed with another operation than issued, even when issued long before: validity', () => {
    const m = run(1_000, 100);
    m.observe(emit('p0', { type: 'pbft-committed', view: 0, seq: 1_001, digest: 'x', requests: ['c#7#incr k9'] }));
    expect(m.finish().map((v) => [v.property, v.detail])).toEqual([['validity', 'p0 committed c#7#incr k9 at seq 1001 (view 0), a request no client issued']]);
  });

  it('liveness names the requests never accepted, in issue order, counting every request issued', () => {
    const m = run(500, 100);
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 501, op: 'incr k1' }));
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 502, op: 'incr k2' }));
    expect(m.finish({ expectLiveness: true }).map((v) => v.detail)).toEqual(['2 of 502 requests never accepted: c#501, c#502']);
  });
});

describe('SeqFlags and SeqStrings: dense where they can be, exact everywhere', () => {
  it('answer for any number, dense or not', () => {
    const f = new SeqFlags();
    for (const n of [0, 7, 8, 1_000_000, -1, 2.5, 2 ** 30]) f.add(n);
    for (const n of [0, 7, 8, 1_000_000, -1, 2.5, 2 ** 30]) expect(f.has(n)).toBe(true);
    for (const n of [1, 6, 9, 999_999, -2, 2.4, 2 ** 30 + 1]) expect(f.has(n)).toBe(false);
    const table: string[] = [];
    const a = new SeqStrings(table);
    const b = new SeqStrings(table);
    a.set(3, 'x');
    b.set(100_000, 'x');
    a.set(-5, 'y');
    expect([a.get(3), b.get(100_000), a.get(-5), a.get(4), b.get(3)]).toEqual(['x', 'x', 'y', undefined, undefined]);
    expect(table).toEqual(['x']); // -5 is held beside, not interned
  });
});

describe('pbft checker: the horizon and closed requests, exactly', () => {
  it("the horizon's own seq is still judged: a commit or an execution that differs there is agreement", () => {
    const commit = run(1_000, 100);
    commit.observe(emit('p9', { type: 'pbft-committed', view: 1, seq: 1_000, digest: 'other', requests: ['c#1000#incr k0'] }));
    expect(commit.finish().map((v) => v.property)).toEqual(['agreement']);
    const execute = run(1_000, 100);
    execute.observe(emit('p9', { type: 'pbft-executed', seq: 1_000, request: 'c#999#incr k3', result: 'v999' }));
    expect(execute.finish().map((v) => v.property)).toEqual(['agreement']);
  });

  it('a request accepted only after the horizon passed its execution is judged at the next checkpoint', () => {
    const m = run(250, 100);
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 251, op: 'incr k3' }));
    for (const r of REPLICAS) m.observe(emit(r, { type: 'pbft-executed', seq: 251, request: 'c#251#incr k3', result: 'v251' }));
    for (let seq = 252; seq <= 300; seq++) for (const e of slot(seq, 100)) m.observe(e);
    expect(m.held().horizon).toBe(300);
    m.observe(emit('c', { type: 'pbft-accepted', client: 'c', ts: 251, result: 'forged' }));
    for (let seq = 301; seq <= 400; seq++) for (const e of slot(seq, 100)) m.observe(e);
    expect(m.violations.map((v) => v.detail)).toEqual(['c#251 accepted result "forged", but p0 executed it with result "v251"']);
  });

  it('a closed request is not reopened by its request seen again, nor judged again by a second acceptance', () => {
    const m = run(1_000, 100);
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 5, op: 'incr k1' }));
    m.observe(emit('c', { type: 'pbft-accepted', client: 'c', ts: 5, result: 'v5' }));
    expect(m.held().requests).toBe(1 + 1 + REPLICAS.length);
    expect(m.finish({ expectLiveness: true })).toEqual([]);
  });

  it('a request key with no timestamp in it is one request: executed twice by a replica, integrity', () => {
    const m = new PbftSafetyMonitor();
    m.observe(emit('p0', { type: 'pbft-executed', seq: 1, request: 'noop', result: '' }));
    m.observe(emit('p0', { type: 'pbft-executed', seq: 2, request: 'noop', result: '' }));
    m.observe(emit('p0', { type: 'pbft-executed', seq: 3, request: 'other', result: '' }));
    expect(m.finish().map((v) => [v.property, v.detail])).toEqual([
      ['integrity', 'p0 executed noop twice without restarting: first at event 0, again at seq 2'],
    ]);
  });
});

describe('pbft checker: a request seen after its acceptance', () => {
  it('is not left open for liveness (threads mode can show a request late)', () => {
    const m = new PbftSafetyMonitor();
    m.observe(emit('c', { type: 'pbft-accepted', client: 'c', ts: 1, result: 'v1' }));
    m.observe(emit('c', { type: 'pbft-request', client: 'c', ts: 1, op: 'incr k1' }));
    expect(m.finish({ expectLiveness: true }).filter((v) => v.property === 'liveness')).toEqual([]);
  });
});
