import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimSystem } from '../src/index.ts';

const counter = { module: fileURLToPath(new URL('./fixtures/durable-counter.ts', import.meta.url)), export: 'durableCounter' };

describe('sim faults: crash, recover, durable state, partitions', () => {
  it('a crashed actor loses its mailbox and state but keeps its durable store; a wipe loses that too', async () => {
    const sim = new SimSystem({ seed: 1, keepTrace: true });
    await sim.spawn('c', counter);
    for (let i = 0; i < 3; i++) sim.send('c', { kind: 'inc' });
    await sim.settle();
    sim.send('c', { kind: 'inc' }); // still in flight when it crashes
    expect(sim.faults.crash('c')).toBe(true);
    await sim.settle();
    const acc = await sim.accounting();
    expect(acc.deadLetteredBy['actor-stopped']).toBe(1);
    sim.faults.recover('c');
    expect((await sim.ask('c', { kind: 'get' }, { timeoutMs: 100 })).body).toEqual({ n: 3, restored: 3 });
    sim.faults.crash('c');
    sim.faults.recover('c', { wipe: true });
    expect((await sim.ask('c', { kind: 'get' }, { timeoutMs: 100 })).body).toEqual({ n: 0, restored: 0 });
    expect(sim.recorder.events.filter((e) => e.type === 'stop' && e.reason === 'crashed')).toHaveLength(2);
    expect(() => sim.faults.recover('c')).toThrow(/crashed or stopped/);
    expect(() => sim.faults.recover('nobody')).toThrow(/never spawned/);
  });

  it('a partition drops what crosses it, names the fault, and heals', async () => {
    const sim = new SimSystem({ seed: 1, keepTrace: true });
    for (const id of ['a', 'b', 'c']) await sim.spawn(id, counter);
    sim.faults.partition([['a'], ['b', 'c']]);
    sim.send('a', { kind: 'tell', body: 'b' }); // crosses: dropped
    sim.send('b', { kind: 'tell', body: 'c' }); // same side: delivered
    await sim.settle();
    sim.faults.heal();
    sim.send('a', { kind: 'tell', body: 'b' });
    await sim.settle();
    const acc = await sim.accounting();
    expect(acc.droppedBy).toEqual({ partition: 1 });
    expect(acc.sent).toBe(acc.delivered + acc.dropped + acc.deadLettered + acc.inFlight);
    expect(((await sim.ask('b', { kind: 'get' }, { timeoutMs: 100 })).body as { n: number }).n).toBe(1);
    expect(((await sim.ask('c', { kind: 'get' }, { timeoutMs: 100 })).body as { n: number }).n).toBe(1);
    expect(sim.recorder.events.filter((e) => e.type === 'fault').map((e) => (e as { fault: string }).fault)).toEqual(['partition', 'heal']);
    expect(() => sim.faults.partition([['a'], ['a']])).toThrow(/one group only/);
  });

  it('faults can be laid on a run in virtual time with at()', async () => {
    const sim = new SimSystem({ seed: 1, keepTrace: true, link: { latency: { kind: 'fixed', ms: 1 } } });
    for (const id of ['a', 'b']) await sim.spawn(id, counter);
    const crashes: number[] = [];
    sim.at(10, () => {
      sim.faults.crash('b');
      crashes.push(sim.now());
    });
    const cancelled = sim.at(5, () => crashes.push(-1));
    cancelled();
    sim.at(20, () => sim.faults.recover('b'));
    for (let t = 0; t < 30; t += 2) sim.at(t, () => sim.send('a', { kind: 'tell', body: 'b' }));
    sim.run({ untilMs: 40 });
    expect(crashes).toEqual([10]);
    const acc = await sim.accounting();
    // Sends reaching b while it was down (t = 11..20) were dead-lettered, the rest counted.
    expect(acc.deadLetteredBy['actor-stopped']).toBeGreaterThan(0);
    expect(((await sim.ask('b', { kind: 'get' }, { timeoutMs: 100 })).body as { n: number }).n).toBe(15 - (acc.deadLetteredBy['actor-stopped'] ?? 0));
    expect(() => sim.at(-1, () => undefined)).toThrow(/at\.delayMs/);
  });

  it('the network can duplicate envelopes (counted as sent by the fault) and reorder them', async () => {
    const gossip = { module: fileURLToPath(new URL('./fixtures/gossip.ts', import.meta.url)), export: 'gossip' };
    const sim = new SimSystem({ seed: 4, keepTrace: true, link: { latency: { kind: 'uniform', minMs: 1, maxMs: 10 }, duplicateRate: 0.2, fifo: false } });
    for (const id of ['a', 'b']) await sim.spawn(id, gossip);
    sim.send('a', { kind: 'tell', body: { to: 'b', n: 200 } });
    await sim.settle();
    const heard = ((await sim.snapshot('b')) as { heard: { id: number; body: number }[] }).heard;
    const dups = sim.recorder.events.filter((e) => e.type === 'duplicate' && e.kind === 'heard').length;
    expect(dups).toBeGreaterThan(10);
    // The request itself may be duplicated too (then a tells b twice as many times).
    const sent = new Set(heard.map((h) => h.id)).size; // the copies carry the original's id
    expect(sent % 200).toBe(0);
    expect(heard).toHaveLength(sent + dups);
    const ids = heard.map((h) => h.id); // a's envelope ids grow in the order it sent them
    expect(ids.some((v, i) => i > 0 && v < ids[i - 1])).toBe(true); // overtaken at least once
    const acc = await sim.accounting();
    expect(acc.sent).toBe(acc.delivered + acc.dropped + acc.deadLettered + acc.inFlight);
    // With per-link order kept (the default), nothing overtakes.
    const fifo = new SimSystem({ seed: 4, link: { latency: { kind: 'uniform', minMs: 1, maxMs: 10 } } });
    for (const id of ['a', 'b']) await fifo.spawn(id, gossip);
    fifo.send('a', { kind: 'tell', body: { to: 'b', n: 200 } });
    await fifo.settle();
    const inOrder = ((await fifo.snapshot('b')) as { heard: { body: number }[] }).heard.map((h) => h.body);
    expect(inOrder).toEqual([...inOrder].sort((x, y) => x - y));
    expect(() => new SimSystem({ link: { latency: { kind: 'fixed', ms: 1 }, duplicateRate: 2 } })).toThrow(/duplicateRate/);
  });
});

describe('sim faults: isolation of an actor', () => {
  it('isolate(id) drops everything it sends from then on (fault isolated), while it still receives', async () => {
    const sim = new SimSystem({ seed: 1, keepTrace: true });
    await sim.spawn('liar', 'relay', { props: { next: 'honest', maxHops: 100 } });
    await sim.spawn('honest', 'sink');
    sim.send('liar', { kind: 'token', body: 0 });
    await sim.settle();
    expect(await sim.snapshot('honest')).toBe(1);
    sim.faults.isolate('liar', 'proven to lie');
    sim.faults.isolate('liar', 'again'); // once is enough
    sim.send('liar', { kind: 'token', body: 0 });
    await sim.settle();
    expect(await sim.snapshot('honest')).toBe(1); // nothing more got through
    expect(await sim.snapshot('liar')).toEqual({ seen: 2 }); // but it still receives
    const acc = await sim.accounting();
    expect(acc.droppedBy.isolated).toBeGreaterThan(0);
    expect(sim.recorder.events.filter((e) => e.type === 'fault' && e.fault === 'isolated')).toHaveLength(1);
    expect(sim.recorder.events.filter((e) => e.type === 'drop' && e.fault === 'isolated').every((e) => e.type === 'drop' && e.from === 'liar')).toBe(true);
    expect(() => sim.faults.isolate('nobody', 'x')).toThrow(/never spawned/);
  });
});
