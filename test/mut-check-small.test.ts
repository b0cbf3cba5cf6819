import { describe, expect, it } from 'vitest';
import { isAdversaryBehaviour } from '../src/check/adversary-behaviour.ts';
import { HiveDecisionMonitor } from '../src/check/hive-decisions.ts';
import { SeqFlags, SeqStrings } from '../src/check/seq-flags.ts';
import { violationText } from '../src/check/violation.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The checkers' small helpers one call at a time (issue 20's mutation testing): the bit set and
 * string column the bounded PBFT checker keeps per request, the test that tells an adversary's
 * behaviour from a spawn event, and the hive's "zero architectural mistakes" monitor.
 */

describe('SeqFlags', () => {
  it('answers for the numbers added and no others, across bytes and bits', () => {
    const f = new SeqFlags();
    for (const n of [0, 7, 8, 9, 511]) f.add(n);
    for (const n of [0, 7, 8, 9, 511]) expect(f.has(n), `${n}`).toBe(true);
    for (const n of [1, 6, 10, 15, 16, 510, 512]) expect(f.has(n), `${n}`).toBe(false);
  });

  it('grows past its first 512 numbers, doubling until the number fits, and keeps what it held', () => {
    const f = new SeqFlags();
    f.add(3);
    f.add(512); // the first byte past the initial 64
    f.add(100_000); // many doublings at once
    expect([3, 512, 100_000].map((n) => f.has(n))).toEqual([true, true, true]);
    expect([4, 513, 99_999, 100_001, 1_000_000].map((n) => f.has(n))).toEqual([false, false, false, false, false]);
  });

  it('grows to hold a number whose byte is exactly twice its size (the doubling stops past it, not at it)', () => {
    const f = new SeqFlags();
    f.add(1024); // byte 128: the first doubling of 64 gives 128, one short
    expect([f.has(1024), f.has(1023)]).toEqual([true, false]);
    const s = new SeqStrings([]);
    s.set(128, 'x'); // index 128 of a 64-long column
    expect(s.get(128)).toBe('x');
  });

  it('keeps numbers it cannot hold as bits beside them: negative, fractional, past 2^28 - 1', () => {
    const f = new SeqFlags();
    expect(f.has(-1)).toBe(false); // nothing beside yet
    for (const n of [-1, 2.5, 2 ** 28, 2 ** 40]) f.add(n);
    for (const n of [-1, 2.5, 2 ** 28, 2 ** 40]) expect(f.has(n), `${n}`).toBe(true);
    // None of them set a bit: their neighbours and truncations stay unseen.
    for (const n of [0, 1, 2, 3, 2 ** 28 - 1, -2]) expect(f.has(n), `${n}`).toBe(false);
    f.add(2 ** 28 - 1); // the largest kept as a bit
    expect(f.has(2 ** 28 - 1)).toBe(true);
  });
});

describe('SeqStrings', () => {
  it('maps numbers to strings, sharing one table (and its index) between columns', () => {
    const table: string[] = [];
    const a = new SeqStrings(table);
    const b = new SeqStrings(table);
    a.set(1, 'incr k1');
    a.set(2, 'incr k2');
    b.set(5, 'incr k2');
    b.set(0, 'incr k1');
    expect(table).toEqual(['incr k1', 'incr k2']); // each distinct string once
    expect([a.get(0), a.get(1), a.get(2), a.get(3)]).toEqual([undefined, 'incr k1', 'incr k2', undefined]);
    expect([b.get(0), b.get(5), b.get(1)]).toEqual(['incr k1', 'incr k2', undefined]);
    // A column made later over the same table finds the strings already there.
    const c = new SeqStrings(table);
    c.set(9, 'incr k2');
    expect(table).toHaveLength(2);
    expect(c.get(9)).toBe('incr k2');
  });

  it('starts from a table that already holds strings, and overwrites a number', () => {
    const table = ['get k', 'put k'];
    const s = new SeqStrings(table);
    s.set(4, 'put k');
    expect(table).toEqual(['get k', 'put k']);
    expect(s.get(4)).toBe('put k');
    s.set(4, 'get k');
    expect(s.get(4)).toBe('get k');
    s.set(6, 'cas k');
    expect(table).toEqual(['get k', 'put k', 'cas k']);
    expect([s.get(4), s.get(5), s.get(6)]).toEqual(['get k', undefined, 'cas k']);
  });

  it('grows past 64 numbers and keeps the others beside: negative, fractional, past 2^28 - 1', () => {
    const s = new SeqStrings([]);
    s.set(63, 'a');
    s.set(64, 'b');
    s.set(10_000, 'c');
    expect([s.get(63), s.get(64), s.get(10_000), s.get(65), s.get(9_999), s.get(20_000)]).toEqual(['a', 'b', 'c', undefined, undefined, undefined]);
    expect(s.get(-1)).toBeUndefined(); // nothing beside yet
    s.set(-1, 'neg');
    s.set(1.5, 'half');
    s.set(2 ** 28, 'big');
    expect([s.get(-1), s.get(1.5), s.get(2 ** 28), s.get(1), s.get(0)]).toEqual(['neg', 'half', 'big', undefined, undefined]);
  });
});

describe('isAdversaryBehaviour', () => {
  it.each([
    ['/app/dist/adversary/byzantine-replica.js#byzantineReplica', true],
    ['C:\\app\\src\\adversary\\lay-faults.ts#someExport', true],
    ['/app/src/hive/byzantine-worker.ts#byzantineWorker', true],
    ['byzantine-voter#byzantineVoter', true],
    ['/app/dist/protocols/pbft/replica.js#pbftReplica', false],
    ['/app/dist/adversary/README', false], // in the folder but no export named
    ['/app/dist/adversary/sub/x.js', false],
    ['/app/dist/adversaryx/y.js#z', false],
    ['pbft-replica', false],
  ])('%s -> %s', (behaviour, expected) => {
    expect(isAdversaryBehaviour(behaviour)).toBe(expected);
  });
});

describe('HiveDecisionMonitor', () => {
  const vote = (decision: string, agent: string, value: string): TraceEvent => ({
    t: 0,
    type: 'emit',
    actor: agent,
    event: { hive: 'vote', decision, agent, value },
  });
  const decide = (decision: string, value: string, extra: Record<string, unknown> = {}): TraceEvent => ({
    t: 0,
    type: 'emit',
    actor: 'queen',
    event: { hive: 'decision', decision, value, critical: true, consensus: true, ...extra },
  });
  const spawn = (actor: string, behaviour: string): TraceEvent => ({ t: 0, type: 'spawn', actor, behaviour, host: 0 });
  const run = (events: TraceEvent[], byzantine?: string[]) => {
    const m = new HiveDecisionMonitor(byzantine ? { byzantine } : undefined);
    events.forEach((e, i) => m.observe(e, i + 10));
    return { m, found: m.finish() };
  };

  it('a decision against the honest majority is reported, with every honest vote position and the decision', () => {
    const { m, found } = run([vote('d1', 'w1', 'A'), vote('d1', 'w2', 'A'), vote('d1', 'liar', 'B'), vote('d1', 'w3', 'B'), decide('d1', 'B')], ['liar']);
    expect(found).toEqual([
      {
        property: 'zero-architectural-mistakes',
        decision: 'd1',
        at: 14,
        positions: [10, 11, 13, 14],
        detail: 'critical decision d1 took "B" but 2 of 3 honest expert votes chose "A" (liars: liar)',
      },
    ]);
    expect([m.judged, m.unjudged]).toEqual([1, 0]);
  });

  it('the honest majority taken is judged and not reported', () => {
    const { m, found } = run([vote('d1', 'w1', 'A'), vote('d1', 'w2', 'A'), vote('d1', 'w3', 'B'), decide('d1', 'A')]);
    expect(found).toEqual([]);
    expect([m.judged, m.unjudged]).toEqual([1, 0]);
  });

  it('a tie or a plurality is no majority: not judged, counted as unjudged', () => {
    const tie = run([vote('d1', 'w1', 'A'), vote('d1', 'w2', 'B'), decide('d1', 'B')]);
    expect([tie.found, tie.m.judged, tie.m.unjudged]).toEqual([[], 0, 1]);
    const plurality = run([vote('d2', 'w1', 'A'), vote('d2', 'w2', 'A'), vote('d2', 'w3', 'B'), vote('d2', 'w4', 'C'), decide('d2', 'B')]);
    expect([plurality.found, plurality.m.judged, plurality.m.unjudged]).toEqual([[], 0, 1]);
    const none = run([decide('d3', 'A')]);
    expect([none.found, none.m.judged, none.m.unjudged]).toEqual([[], 0, 1]);
  });

  it("only an agent's first vote counts (a later, different one is an equivocation), per decision", () => {
    const { found } = run([vote('d1', 'w1', 'A'), vote('d1', 'w1', 'B'), vote('d1', 'w2', 'B'), vote('d2', 'w1', 'B'), decide('d1', 'B')]);
    expect(found).toEqual([]); // d1: w1 A, w2 B: no majority; w1's B and its d2 vote do not count
    const again = run([vote('d1', 'w1', 'A'), vote('d1', 'w1', 'B'), vote('d1', 'w2', 'A'), decide('d1', 'B')]);
    expect(again.found.map((f) => f.detail)).toEqual(['critical decision d1 took "B" but 2 of 2 honest expert votes chose "A" (liars: none named)']);
  });

  it('liars are those named and those spawned with an adversary behaviour; their votes do not count', () => {
    const events = [
      spawn('w0', '/app/src/hive/byzantine-worker.ts#byzantineWorker'),
      spawn('w1', '/app/src/hive/worker.ts#hiveWorker'),
      vote('d1', 'w0', 'B'),
      vote('d1', 'w8', 'B'),
      vote('d1', 'w1', 'A'),
      decide('d1', 'B'),
    ];
    const { found } = run(events, ['w8']);
    // Sorted by name, not in the order they became known.
    expect(found.map((f) => f.detail)).toEqual(['critical decision d1 took "B" but 1 of 1 honest expert votes chose "A" (liars: w0, w8)']);
  });

  it('reads only critical decisions taken by consensus, and well-formed votes', () => {
    const votes = [vote('d1', 'w1', 'A'), vote('d1', 'w2', 'A')];
    for (const extra of [{ critical: false }, { consensus: false }, { critical: 'yes' }, { value: 7 }, { decision: 3 }, { hive: 'summary' }]) {
      const { m, found } = run([...votes, decide('d1', 'B', extra)]);
      expect([found, m.judged, m.unjudged], JSON.stringify(extra)).toEqual([[], 0, 0]);
    }
    const malformed: TraceEvent[] = [
      { t: 0, type: 'emit', actor: 'w3', event: { hive: 'vote', decision: 'd1', agent: 'w3', value: 5 } },
      { t: 0, type: 'emit', actor: 'w4', event: { hive: 'vote', decision: 7, agent: 'w4', value: 'B' } },
      { t: 0, type: 'emit', actor: 'w5', event: { hive: 'other', decision: 'd1', agent: 'w5', value: 'B' } },
    ];
    const { found } = run([vote('d1', 'w1', 'A'), ...malformed, decide('d1', 'B')]);
    expect(found.map((f) => f.detail)).toEqual(['critical decision d1 took "B" but 1 of 1 honest expert votes chose "A" (liars: none named)']);
  });

  it('positions are sorted, whatever order the honest votes came in', () => {
    const m = new HiveDecisionMonitor();
    m.observe(vote('d1', 'w2', 'A'), 30);
    m.observe(vote('d1', 'w1', 'A'), 5);
    m.observe(vote('d1', 'w3', 'A'), 12);
    m.observe(decide('d1', 'B'), 40);
    expect(m.finish().map((f) => f.positions)).toEqual([[5, 12, 30, 40]]);
  });
});

describe('violationText', () => {
  const v = { checker: 'pbft-safety', kind: 'safety' as const, property: 'agreement', detail: 'seq 7: two results' };
  it('names checker and property, where, the other events involved, and what', () => {
    expect(violationText({ ...v, at: 412, positions: [390, 412] })).toBe('pbft-safety · agreement @ event 412 (390, 412): seq 7: two results');
    // One position that is `at` itself adds nothing; one that is not is listed.
    expect(violationText({ ...v, at: 412, positions: [412] })).toBe('pbft-safety · agreement @ event 412: seq 7: two results');
    expect(violationText({ ...v, at: 412, positions: [390] })).toBe('pbft-safety · agreement @ event 412 (390): seq 7: two results');
    // `at` first among several (an event judged later than it came): still listed.
    expect(violationText({ ...v, at: 412, positions: [412, 500] })).toBe('pbft-safety · agreement @ event 412 (412, 500): seq 7: two results');
  });

  it('without a position; and a checker named after its one property is named once', () => {
    expect(violationText(v)).toBe('pbft-safety · agreement: seq 7: two results');
    expect(violationText({ ...v, positions: [3] })).toBe('pbft-safety · agreement (3): seq 7: two results');
    expect(violationText({ ...v, checker: 'accounting', property: 'accounting', at: 0 })).toBe('accounting @ event 0: seq 7: two results');
  });
});
