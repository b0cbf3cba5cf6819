import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import { Mailbox } from '../src/actors/mailbox.ts';
import { type Behaviour, registerBehaviour, SimSystem } from '../src/index.ts';

/**
 * A mailbox's capacity protects an actor from what others send, never from its own timers; and
 * the exemption a timer gets lasts for that one envelope only. runtime-timers.test.ts meant to
 * show the first through a whole system, but its mailbox had drained by the time the timer
 * fired; these tests fill the mailbox in the very time step the timer fires.
 */

/** An envelope named by `id` (kept in `kind`: the runtime's ids are numbers). */
const env = (id: string, from = 'other'): Envelope => ({
  id: 0,
  from,
  to: 'me',
  kind: id,
  body: undefined,
  corr: undefined,
  re: undefined,
  via: undefined,
  hops: undefined,
});

function box(capacity: number) {
  const overflowed: string[] = [];
  let arrivals = 0;
  const mb = new Mailbox(capacity, { onOverflow: (e) => overflowed.push(e.kind), onArrival: () => arrivals++ });
  return { mb, overflowed, arrivals: () => arrivals };
}

describe('Mailbox capacity and the runtime exemption', () => {
  it('an envelope posted into a full mailbox overflows; one the runtime posts is queued anyway', () => {
    const { mb, overflowed, arrivals } = box(2);
    mb.post(env('a'));
    mb.post(env('b'));
    mb.post(env('c')); // full: overflows
    mb.postOwn(env('timer', 'me'));
    expect(overflowed).toEqual(['c']);
    expect(mb.size).toBe(3);
    expect(arrivals()).toBe(3);
    expect([mb.take().kind, mb.take().kind, mb.take().kind]).toEqual(['a', 'b', 'timer']);
  });

  it('the exemption ends with the runtime envelope: the next ordinary post into the full mailbox overflows', () => {
    const { mb, overflowed } = box(1);
    mb.post(env('a'));
    mb.postOwn(env('t1', 'me'));
    mb.post(env('b'));
    mb.postOwn(env('t2', 'me'));
    mb.post(env('c'));
    expect(overflowed).toEqual(['b', 'c']);
    expect(mb.drainAll().map((e) => e.kind)).toEqual(['a', 't1', 't2']);
  });

  it('the exemption ends even when the owner throws while the runtime envelope is queued', () => {
    let fail = true;
    const overflowed: string[] = [];
    const mb = new Mailbox(1, {
      onOverflow: (e) => overflowed.push(e.kind),
      onArrival: () => {
        if (fail) throw new Error('owner failed');
      },
    });
    expect(() => mb.postOwn(env('t', 'me'))).toThrow('owner failed');
    fail = false;
    mb.post(env('a')); // capacity 1, one waiting: must overflow, not ride on a stale exemption
    expect(overflowed).toEqual(['a']);
    expect(mb.size).toBe(1);
  });

  it('once closed, a mailbox takes nothing more: not queued, not overflowed, no arrival', () => {
    const { mb, overflowed, arrivals } = box(1);
    mb.post(env('a'));
    mb.close();
    mb.post(env('b'));
    mb.postOwn(env('t', 'me'));
    expect([mb.size, overflowed, arrivals()]).toEqual([1, [], 1]);
  });

  it('capacity counts what waits, not what arrived: a taken envelope frees its place', () => {
    const { mb, overflowed } = box(1);
    mb.post(env('a'));
    mb.take();
    mb.post(env('b'));
    expect(overflowed).toEqual([]);
    expect(mb.size).toBe(1);
  });
});

/** On `arm`, floods its own mailbox with `n` envelopes and arms a timer to fire in the same time step they arrive. */
const flooder: Behaviour<{ alarms: number; noise: number }> = {
  init: () => ({ alarms: 0, noise: 0 }),
  receive(state, e, ctx) {
    if (e.kind === 'arm') {
      for (let i = 0; i < (e.body as number); i++) ctx.send(ctx.self, { kind: 'noise' });
      // Sent after the noise, so it fires after the noise lands (same time, later sequence).
      ctx.setTimer('alarm', 1, { kind: 'alarm' });
    } else if (e.kind === 'alarm') state.alarms++;
    else if (e.kind === 'noise') state.noise++;
  },
};
registerBehaviour('mailbox-capacity-flooder', flooder);

describe('a timer fires into a mailbox that is full at that moment', () => {
  it('is queued and handled, and ordinary envelopes after it still overflow', async () => {
    const sim = new SimSystem({ seed: 1, link: { latency: { kind: 'fixed', ms: 1 } } });
    await sim.spawn('k', 'mailbox-capacity-flooder', { mailboxCapacity: 3 });
    sim.send('k', { kind: 'arm', body: 10 }); // arrives at t=1; noise and alarm both at t=2
    sim.run({ untilMs: 2 });
    expect(await sim.snapshot('k')).toEqual({ alarms: 1, noise: 3 });
    expect(sim.accountingNow().deadLetteredBy['mailbox-full']).toBe(7);
    sim.send('k', { kind: 'arm', body: 10 }); // a second round: the first alarm's exemption is long over
    await sim.settle();
    expect(await sim.snapshot('k')).toEqual({ alarms: 2, noise: 6 });
    expect(sim.accountingNow().deadLetteredBy['mailbox-full']).toBe(14);
  });
});
