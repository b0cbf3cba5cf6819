import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimSystem, type TraceEvent } from '../src/index.ts';

const probe = { module: fileURLToPath(new URL('./fixtures/fault-probe.ts', import.meta.url)), export: 'faultProbe' };
type ProbeState = { got: { n: number; from: string; at: number }[]; fired: number[] };

async function system(ids: string[], latencyMs = 1): Promise<SimSystem> {
  const sim = new SimSystem({ seed: 7, keepTrace: true, link: { latency: { kind: 'fixed', ms: latencyMs } } });
  for (const id of ids) await sim.spawn(id, probe);
  return sim;
}
const state = async (sim: SimSystem, id: string) => (await sim.ask(id, { kind: 'get' }, { timeoutMs: 10_000 })).body as ProbeState;
const faults = (sim: SimSystem) =>
  sim.recorder.events.filter((e): e is Extract<TraceEvent, { type: 'fault' }> => e.type === 'fault').map((e) => `${e.fault}: ${e.detail}`);
const drops = (sim: SimSystem) => sim.recorder.events.filter((e): e is Extract<TraceEvent, { type: 'drop' }> => e.type === 'drop');
async function balanced(sim: SimSystem) {
  const a = await sim.accounting();
  expect(a.sent).toBe(a.delivered + a.dropped + a.deadLettered + a.inFlight);
  return a;
}

describe('sim network faults: one-way cuts, network conditions, pauses, skewed clocks', () => {
  it('a one-way cut drops only what goes one way, names the fault, and heals', async () => {
    const sim = await system(['a', 'b']);
    sim.faults.block([['a', 'b']], 'one-way: a cannot reach b');
    sim.send('a', { kind: 'send', body: { to: 'b', n: 3 } });
    sim.send('b', { kind: 'send', body: { to: 'a', n: 2 } });
    await sim.settle();
    sim.faults.heal();
    sim.send('a', { kind: 'send', body: { to: 'b', n: 1 } });
    await sim.settle();
    expect((await state(sim, 'a')).got).toHaveLength(2);
    expect((await state(sim, 'b')).got).toHaveLength(1);
    expect(drops(sim).map((d) => `${d.from}->${d.to} ${d.fault}`)).toEqual(Array(3).fill('a->b partition'));
    expect((await balanced(sim)).droppedBy).toEqual({ partition: 3 });
    expect(faults(sim)).toEqual(['partition: one-way: a cannot reach b', 'heal: partition healed']);
    expect(() => sim.faults.block([['a'] as unknown as [string, string]], 'bad')).toThrow(/block\[0\].*pair \[from, to\]/);
  });

  it('a network condition changes latency on the links it names, for as long as it lasts', async () => {
    const sim = await system(['a', 'b', 'c']);
    sim.faults.setNetwork('slow-b', { to: new Set(['b']), latency: { kind: 'fixed', ms: 40 } });
    sim.send('a', { kind: 'send', body: { to: 'b', n: 1 } });
    sim.send('a', { kind: 'send', body: { to: 'c', n: 1 } });
    await sim.settle();
    const [toB] = (await state(sim, 'b')).got;
    const [toC] = (await state(sim, 'c')).got;
    // Both were sent when `a` received its `send` (at 1 ms: the system's own sends take a link too).
    expect(toB.at - toC.at).toBe(39);
    sim.faults.setNetwork('slow-b', undefined);
    const before = sim.now();
    sim.send('a', { kind: 'send', body: { to: 'b', n: 1 } });
    await sim.settle();
    expect((await state(sim, 'b')).got[1].at - before).toBe(2);
    expect(faults(sim)).toEqual(['network: slow-b', 'network-end: slow-b']);
  });

  it('a lossy network drops envelopes under fault "drop", a duplicating one delivers copies; the books balance', async () => {
    const sim = await system(['a', 'b']);
    sim.faults.setNetwork('lossy', { dropRate: 0.3 });
    sim.send('a', { kind: 'send', body: { to: 'b', n: 200 } });
    await sim.settle();
    const lossy = await balanced(sim);
    const got = (await state(sim, 'b')).got.length;
    expect(lossy.droppedBy.drop).toBeGreaterThan(30);
    expect(got + lossy.droppedBy.drop).toBe(200);
    expect(drops(sim).every((d) => d.fault === 'drop')).toBe(true);
    sim.faults.setNetwork('lossy', undefined);
    sim.faults.setNetwork('echoes', { duplicateRate: 0.5 });
    sim.send('a', { kind: 'send', body: { to: 'b', n: 100 } });
    await sim.settle();
    const copies = sim.recorder.events.filter((e) => e.type === 'duplicate').length;
    expect(copies).toBeGreaterThan(20);
    expect((await state(sim, 'b')).got.length - got).toBe(100 + copies);
    await balanced(sim);
  });

  it('reordering lets later envelopes overtake earlier ones on a link; without it the link keeps order', async () => {
    const order = async (reorder: boolean) => {
      const sim = new SimSystem({ seed: 3, link: { latency: { kind: 'uniform', minMs: 1, maxMs: 20 } } });
      for (const id of ['a', 'b']) await sim.spawn(id, probe);
      if (reorder) sim.faults.setNetwork('shuffle', { reorder: true });
      sim.send('a', { kind: 'send', body: { to: 'b', n: 50 } });
      await sim.settle();
      return (await state(sim, 'b')).got.map((g) => g.n);
    };
    const inOrder = Array.from({ length: 50 }, (_, i) => i);
    expect(await order(false)).toEqual(inOrder);
    const shuffled = await order(true);
    expect(shuffled).not.toEqual(inOrder);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(inOrder);
  });

  it('a paused actor receives nothing and fires no timer until it resumes; nothing is lost', async () => {
    const sim = await system(['a', 'b']);
    sim.send('b', { kind: 'arm', body: { ms: 10 } });
    sim.run({ untilMs: 2 });
    sim.faults.pause('b', 50);
    const pausedAt = sim.now();
    sim.send('a', { kind: 'send', body: { to: 'b', n: 5 } });
    await sim.settle();
    const b = await state(sim, 'b');
    expect(b.got).toHaveLength(5);
    expect(b.got.every((g) => g.at >= pausedAt + 50)).toBe(true);
    expect(b.got.map((g) => g.n)).toEqual([0, 1, 2, 3, 4]);
    expect(b.fired).toEqual([pausedAt + 50]);
    expect(faults(sim)).toEqual([`pause: b for 50 ms`, 'resume: b']);
    expect((await balanced(sim)).dropped).toBe(0);
    expect(() => sim.faults.pause('nobody', 5)).toThrow(/never spawned/);
  });

  it("a skewed clock makes an actor's timers fire faster or slower, and can be put right", async () => {
    const sim = await system(['fast', 'slow', 'right']);
    sim.faults.skewClock('fast', 4);
    sim.faults.skewClock('slow', 0.5);
    const armedAt = sim.now() + 1; // the `arm` takes the 1 ms link
    for (const id of ['fast', 'slow', 'right']) sim.send(id, { kind: 'arm', body: { ms: 100 } });
    await sim.settle();
    sim.run();
    expect((await state(sim, 'fast')).fired).toEqual([armedAt + 25]);
    expect((await state(sim, 'slow')).fired).toEqual([armedAt + 200]);
    expect((await state(sim, 'right')).fired).toEqual([armedAt + 100]);
    sim.faults.skewClock('fast', undefined);
    const again = sim.now() + 1;
    sim.send('fast', { kind: 'arm', body: { ms: 100 } });
    sim.run();
    expect((await state(sim, 'fast')).fired[1]).toBe(again + 100);
    expect(faults(sim)).toEqual(['clock-skew: fast x4', 'clock-skew: slow x0.5', 'clock-skew-end: fast']);
    expect(() => sim.faults.skewClock('fast', 0)).toThrow(/rate.*> 0/);
  });
});
