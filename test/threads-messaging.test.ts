import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingImbalance, createPrng, ThreadSystem, type TraceEvent } from '../src/index.ts';

const preload = [fileURLToPath(new URL('./fixtures/thread-behaviours.ts', import.meta.url))];

describe('threads mode messaging', () => {
  let sys: ThreadSystem;
  const events: TraceEvent[] = [];
  beforeAll(async () => {
    sys = await ThreadSystem.start({ workers: 2, preload, mailboxCapacity: 1_000_000 });
    sys.trace$.subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    const r = await sys.shutdown();
    expect(r.accountingImbalance).toBe(0);
  });

  it('keeps per-sender order across workers and within one worker', async () => {
    await sys.spawn('rec', 'test-order-recorder', { worker: 1 });
    await sys.spawn('far', 'test-sequencer', { props: { target: 'rec' }, worker: 0 });
    await sys.spawn('near', 'test-sequencer', { props: { target: 'rec' }, worker: 1 });
    sys.send('far', { kind: 'start', body: 5_000 });
    sys.send('near', { kind: 'start', body: 5_000 });
    await sys.settle();
    const record = (await sys.ask('rec', { kind: 'get' }, { timeoutMs: 5_000 })).body as Record<string, number[]>;
    const expected = Array.from({ length: 5_000 }, (_, i) => i);
    expect(record.far).toEqual(expected);
    expect(record.near).toEqual(expected);
  });

  it('accounts for every envelope under load: sent = delivered + dropped + dead-lettered + in flight', async () => {
    const sinks = ['s0', 's1', 's2', 's3'];
    for (const [i, s] of sinks.entries()) await sys.spawn(s, 'sink', { worker: i % 2, mailboxCapacity: i === 3 ? 50 : 1_000_000 });
    for (let p = 0; p < 4; p++) await sys.spawn(`spray${p}`, 'test-spray', { props: { targets: [...sinks, 'nobody'], batch: 100 }, worker: p % 2 });
    const before = await sys.accounting();
    for (let p = 0; p < 4; p++) sys.send(`spray${p}`, { kind: 'start', body: 20_000 });

    // Mid-run, the published counters show envelopes in flight (read from shared memory while
    // the workers run; each loop iteration yields to the event loop).
    let sawInFlight = false;
    for (let i = 0; i < 100_000 && !sawInFlight; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if ((await sys.accounting()).inFlight > 0) sawInFlight = true;
    }
    await sys.settle();
    const acc = await sys.accounting();
    expect(sawInFlight).toBe(true);
    expect(acc.inFlight).toBe(0);
    expect(accountingImbalance(acc)).toBe(0);
    const sent = acc.sent - before.sent;
    // 4 sprayers x 20,000 rounds x 5 targets, plus their own "more" messages and the 4 starts.
    expect(sent).toBeGreaterThanOrEqual(4 * 20_000 * 5);
    expect((acc.deadLetteredBy['unknown-actor'] ?? 0) - (before.deadLetteredBy['unknown-actor'] ?? 0)).toBe(4 * 20_000);
    expect(acc.deadLetteredBy['mailbox-full'] ?? 0).toBeGreaterThan(0);
    let total = 0;
    for (const s of sinks) total += (await sys.ask(s, { kind: 'get' }, { timeoutMs: 5_000 })).body as number;
    expect(total + (acc.deadLetteredBy['mailbox-full'] ?? 0)).toBe(4 * 20_000 * 4);
  });

  it('settle() returns only when nothing is left to do (a worker mid-message is not quiet)', async () => {
    await sys.spawn('settle-producer', 'producer', { props: { target: 'settle-sink', batch: 1024 }, worker: 0 });
    await sys.spawn('settle-sink', 'sink', { worker: 1 });
    const rnd = createPrng(99);
    let expected = 0;
    for (let i = 0; i < 60; i++) {
      const n = 1 + Math.floor(rnd() * 150_000);
      expected += n;
      sys.send('settle-producer', { kind: 'start', body: n });
      await sys.settle();
      // Nothing may still be on its way: the count is exact right after settle().
      expect((await sys.ask('settle-sink', { kind: 'get' }, { timeoutMs: 5_000 })).body).toBe(expected);
    }
  });

  it('dead-letters a body that cannot cross threads, naming the field, and delivers the rest', async () => {
    await sys.spawn('leak-target', 'test-order-recorder', { worker: 1 });
    await sys.spawn('leaker', 'test-leaky', { props: { target: 'leak-target' }, worker: 0 });
    const before = (await sys.accounting()).deadLetteredBy['not-serializable'] ?? 0;
    sys.send('leaker', { kind: 'go' });
    await sys.settle();
    const acc = await sys.accounting();
    expect((acc.deadLetteredBy['not-serializable'] ?? 0) - before).toBe(1);
    const record = (await sys.ask('leak-target', { kind: 'get' }, { timeoutMs: 5_000 })).body as Record<string, number[]>;
    expect(record.leaker).toEqual([1, 2]);
    const dl = events.find((e) => e.type === 'dead-letter' && e.reason === 'not-serializable');
    expect(dl && dl.type === 'dead-letter' && dl.detail).toMatch(/body\.nested\.callback/);
  });

  it('reports unknown behaviours and bad module paths clearly, and keeps running', async () => {
    await expect(sys.spawn('x1', 'no-such-behaviour')).rejects.toThrow(/Unknown behaviour "no-such-behaviour".*Known behaviour ids:.*echo/);
    await expect(sys.spawn('x2', { module: '/nope/missing.ts', export: 'b' })).rejects.toThrow(/Cannot load behaviour "b" from module "\/nope\/missing.ts"/);
    await expect(sys.spawn('x1', 'echo')).resolves.toBeUndefined();
    expect((await sys.ask('x1', { kind: 'k', body: 'still alive' }, { timeoutMs: 5_000 })).body).toBe('still alive');
  });
});
