import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimSystem, ThreadSystem, UndeliverableError } from '../src/index.ts';

const keeper = { module: fileURLToPath(new URL('./fixtures/timer-keeper.ts', import.meta.url)), export: 'timerKeeper' };

describe('runtime envelopes an actor is owed', () => {
  it("a timer still fires into a full mailbox (capacity protects from others' sends, not from oneself)", async () => {
    const sim = new SimSystem({ seed: 1, link: { latency: { kind: 'fixed', ms: 1 } } });
    await sim.spawn('k', keeper, { mailboxCapacity: 3 });
    for (let i = 0; i < 50; i++) sim.send('k', { kind: 'noise' });
    sim.run({ untilMs: 1 }); // all 50 arrive at t = 1 and overflow the mailbox
    sim.run({ untilMs: 10 }); // the alarm fires at t = 5, the mailbox still full
    await sim.settle();
    const state = (await sim.ask('k', { kind: 'get' }, { timeoutMs: 100 })).body as { fired: boolean; seen: number };
    expect(state.fired).toBe(true);
    expect((await sim.accounting()).deadLetteredBy['mailbox-full']).toBe(47);
  });

  it("threads: an ask with a timeout beyond setTimeout's range waits instead of failing at once", async () => {
    const threads = await ThreadSystem.start({ workers: 1 });
    try {
      await threads.spawn('e', 'echo');
      const reply = await threads.ask('e', { kind: 'hi', body: 1 }, { timeoutMs: 3e9 });
      expect(reply.body).toBe(1);
      // Errors thrown in a worker keep their class across the thread boundary.
      const lost = await threads.ask('nobody', { kind: 'hi' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(UndeliverableError);
      expect((lost as UndeliverableError).code).toBe('undeliverable');
    } finally {
      await threads.shutdown();
    }
  });
});
