import { describe, expect, it } from 'vitest';
import {
  accountingImbalance,
  AskTimeoutError,
  registerBehaviour,
  SimSystem,
  UndeliverableError,
  type Behaviour,
  type LinkModel,
  type TraceEvent,
} from '../src/index.ts';

/** Records the body of every `data` envelope, in processing order. */
const recorder: Behaviour<number[]> = {
  init: () => [],
  receive(state, env) {
    if (env.kind === 'data') state.push(env.body as number);
  },
};
registerBehaviour('ovf-recorder', recorder);

const FIXED: LinkModel = { latency: { kind: 'fixed', ms: 1 } };

type DeadLetterEvent = Extract<TraceEvent, { type: 'dead-letter' }>;
const deadLetters = (events: readonly TraceEvent[]) => events.filter((e): e is DeadLetterEvent => e.type === 'dead-letter');

describe('bounded mailbox overflow', () => {
  it('a burst of 20 landing in one time step on a mailbox of 5: 5 processed, 15 dead-lettered mailbox-full', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 5 });
    // The library producer sends `body` data envelopes in one receive (batch >= 20).
    await sim.spawn('prod', 'producer', { props: { target: 'rec', batch: 20 } });
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();

    // The first five in send order fit; the rest overflow.
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4]);
    const acc = sim.accountingNow();
    expect(acc.deadLetteredBy['mailbox-full']).toBe(15);
    expect(acc.deadLettered).toBe(15);

    const dl = deadLetters(sim.recorder.events);
    expect(dl).toHaveLength(15);
    for (const e of dl) {
      expect(e).toMatchObject({ reason: 'mailbox-full', from: 'prod', to: 'rec', kind: 'data', detail: 'capacity 5', t: 2 });
    }
    expect(new Set(dl.map((e) => e.id)).size).toBe(15);

    const result = await sim.shutdown();
    expect(result.messages.inFlight).toBe(0);
    expect(result.messages.sent).toBe(21); // start + 20 data
    expect(result.messages.delivered).toBe(6); // start + 5 data
    expect(accountingImbalance(result.messages)).toBe(0);
    expect(result.accountingImbalance).toBe(0);
  });

  it('SimOptions.mailboxCapacity sets the default for every actor', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, mailboxCapacity: 5 });
    await sim.spawn('rec', 'ovf-recorder');
    await sim.spawn('prod', 'producer', { props: { target: 'rec', batch: 20 } });
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4]);
    expect(sim.accountingNow().deadLetteredBy['mailbox-full']).toBe(15);
    expect(accountingImbalance(sim.accountingNow())).toBe(0);
  });

  it('a spawn option overrides the system default capacity', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, mailboxCapacity: 5 });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 50 });
    await sim.spawn('prod', 'producer', { props: { target: 'rec', batch: 20 } });
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();
    expect(await sim.snapshot<number[]>('rec')).toHaveLength(20);
    expect(sim.accountingNow().deadLetteredBy['mailbox-full']).toBeUndefined();
  });

  it('capacity bounds what waits at once, not the lifetime total: batches spread over time steps all fit', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 5 });
    // batch 5: five data per turn, each batch lands in its own time step and is drained there.
    await sim.spawn('prod', 'producer', { props: { target: 'rec', batch: 5 } });
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();
    // The producer numbers data 0..batch-1 within each batch.
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    expect(sim.accountingNow().deadLettered).toBe(0);
  });

  it('a second burst after the mailbox drained again gets 5 in', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 5 });
    await sim.spawn('prod', 'producer', { props: { target: 'rec', batch: 20 } });
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();
    sim.send('prod', { kind: 'start', body: 20 });
    await sim.settle();
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    const acc = sim.accountingNow();
    expect(acc.deadLetteredBy['mailbox-full']).toBe(30);
    expect(accountingImbalance(acc)).toBe(0);
  });

  it('an ask from outside that overflows a full mailbox fails at once with UndeliverableError (mailbox-full)', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 5 });
    for (let i = 0; i < 5; i++) sim.send('rec', { kind: 'data', body: i });
    const err = await sim.ask('rec', { kind: 'get' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UndeliverableError);
    expect((err as UndeliverableError).reason).toBe('mailbox-full');
    expect(sim.now()).toBe(1); // failed on arrival, not at the timeout
    await sim.settle();
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4]);
    expect(sim.accountingNow().deadLetteredBy['mailbox-full']).toBe(1);
  });

  it('the runtime keeps working after overflows (later messages to the same actor are processed)', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('rec', 'ovf-recorder', { mailboxCapacity: 5 });
    for (let i = 0; i < 8; i++) sim.send('rec', { kind: 'data', body: i });
    await sim.settle();
    sim.send('rec', { kind: 'data', body: 99 });
    await sim.settle();
    expect(await sim.snapshot('rec')).toEqual([0, 1, 2, 3, 4, 99]);
    // rec never replies: the ask times out (the actor is alive, so it is not undeliverable).
    await expect(sim.ask('rec', { kind: 'noop' }, { timeoutMs: 10 })).rejects.toBeInstanceOf(AskTimeoutError);
    expect(accountingImbalance(sim.accountingNow())).toBe(0);
  });
});
