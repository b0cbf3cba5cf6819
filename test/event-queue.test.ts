import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type SimEvent } from '../src/scheduler/event-queue.ts';

/**
 * The simulation's event queue against the simplest correct one: a list sorted by (time, seq).
 * Every interleaving of pushes (with repeated times, so seq decides), pops, cancellations and
 * compactions must hand out the same events in the same order: a run's determinism rests on it.
 */
const event = (time: number, seq: number): SimEvent => ({ time, seq, env: undefined, fire: undefined, owner: undefined, cancelled: false });

type Op = { op: 'push'; time: number } | { op: 'pop' } | { op: 'cancel'; pick: number } | { op: 'compact' };

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), time: fc.integer({ min: 0, max: 40 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const) }) },
  ),
  { maxLength: 3_000 },
);

describe('EventQueue', () => {
  it('pops in (time, seq) order under any mix of pushes, pops, cancellations and compactions', () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const q = new EventQueue();
        let reference: SimEvent[] = [];
        let seq = 0;
        for (const o of list) {
          if (o.op === 'push') {
            const ev = event(o.time, ++seq);
            q.push(ev);
            reference.push(ev);
            reference.sort((a, b) => a.time - b.time || a.seq - b.seq);
          } else if (o.op === 'pop') {
            expect(q.pop()).toBe(reference.shift());
          } else if (o.op === 'cancel') {
            if (reference.length > 0) reference[o.pick % reference.length].cancelled = true;
          } else {
            q.compact();
            reference = reference.filter((e) => !e.cancelled);
          }
          expect(q.size).toBe(reference.length);
          expect(q.peek()).toBe(reference[0]);
        }
        while (reference.length > 0) expect(q.pop()).toBe(reference.shift());
        expect(q.pop()).toBeUndefined();
        expect(q.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('grows past its first capacity and keeps the order (10,000 events, times repeating)', () => {
    const q = new EventQueue();
    for (let i = 0; i < 10_000; i++) q.push(event((i * 7919) % 97, i));
    let last = event(-1, -1);
    for (let i = 0; i < 10_000; i++) {
      const ev = q.pop()!;
      expect(ev.time > last.time || (ev.time === last.time && ev.seq > last.seq)).toBe(true);
      last = ev;
    }
    expect(q.size).toBe(0);
  });
});
