import { describe, expect, it } from 'vitest';
import { accountingImbalance, registerBehaviour, SimSystem, type Behaviour, type LinkModel, type MessageAccounting, type SimOptions } from '../src/index.ts';

interface GossipProps {
  peers: string[];
  ghostRate: number;
  failEvery?: number;
}

/**
 * Load generator. On `burst` (body: n) sends n rumors with 2 hops to random peers; on a rumor with
 * hops left, forwards it to one random peer. A small share of sends go to ids nobody spawned. With
 * `failEvery`, throws on every failEvery-th envelope (after sending).
 */
const gossip: Behaviour<number, GossipProps> = {
  init: () => 0,
  receive(n, env, ctx) {
    const { peers, ghostRate, failEvery } = ctx.props;
    const pick = () => (ctx.random() < ghostRate ? `ghost-${Math.floor(ctx.random() * 3)}` : peers[Math.floor(ctx.random() * peers.length)]);
    if (env.kind === 'burst') {
      for (let i = 0; i < (env.body as number); i++) ctx.send(pick(), { kind: 'rumor', body: 2 });
    } else if (env.kind === 'rumor' && (env.body as number) > 0) {
      ctx.send(pick(), { kind: 'rumor', body: (env.body as number) - 1 });
    }
    if (failEvery && (n + 1) % failEvery === 0) throw new Error(`planned failure at ${n + 1}`);
    return n + 1;
  },
};
registerBehaviour('acc-gossip', gossip);

const IDS = Array.from({ length: 20 }, (_, i) => `n${i}`);
const SMALL = new Set(['n0', 'n1', 'n2', 'n3', 'n4']);

async function build(options: SimOptions, failEvery?: number) {
  const sim = new SimSystem({ keepTrace: true, ...options });
  for (const id of IDS) {
    await sim.spawn(id, 'acc-gossip', {
      props: { peers: IDS.filter((p) => p !== id), ghostRate: 0.02, failEvery: id === 'n5' ? failEvery : undefined },
      mailboxCapacity: SMALL.has(id) ? 8 : undefined,
      supervision: { strategy: 'restart', maxFailures: 1_000_000 },
    });
  }
  return sim;
}

function expectBalanced(m: MessageAccounting) {
  expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
  expect(accountingImbalance(m)).toBe(0);
}

const countTrace = (sim: SimSystem, pred: (e: (typeof sim.recorder.events)[number]) => boolean) => sim.recorder.events.filter(pred).length;
/** Dead letters the trace accounts for: one event each, or counted in a per-turn summary. */
const tracedDeadLetters = (sim: SimSystem): number =>
  sim.recorder.events.reduce((n, e) => n + (e.type === 'dead-letter' ? 1 : e.type === 'dead-letters-summarised' ? e.count : 0), 0);

describe('message accounting under load (sim mode)', () => {
  it('20 actors, ~50k envelopes, drops, overflows and unknown ids: the identity holds mid-run and at the end', async () => {
    const sim = await build({ seed: 21, link: { latency: { kind: 'fixed', ms: 1 }, dropRate: 0.05 } });
    let midRunChecks = 0;
    for (let round = 0; round < 45; round++) {
      for (const id of IDS) sim.send(id, { kind: 'burst', body: 33 });
      // Step through the round: bursts land, rumors hop twice.
      for (let k = 0; k < 3; k++) {
        sim.run({ maxSteps: 1 });
        const mid = sim.accountingNow();
        expect(mid.inFlight).toBeGreaterThan(0);
        expectBalanced(mid);
        midRunChecks++;
      }
    }
    sim.run();
    const end = sim.accountingNow();
    expect(midRunChecks).toBe(135);
    expect(end.inFlight).toBe(0);
    expectBalanced(end);
    expect(end.sent).toBeGreaterThan(50_000);
    expect(end.droppedBy['link-drop']).toBeGreaterThan(0);
    expect(end.dropped).toBe(end.droppedBy['link-drop']);
    expect(end.droppedBy['link-drop']).toBe(countTrace(sim, (e) => e.type === 'drop'));
    // Roughly 5% of sends are dropped.
    expect(end.dropped / end.sent).toBeGreaterThan(0.04);
    expect(end.dropped / end.sent).toBeLessThan(0.06);
    expect(end.deadLetteredBy['mailbox-full']).toBeGreaterThan(0);
    expect(end.deadLetteredBy['unknown-actor']).toBeGreaterThan(0);
    expect(end.deadLettered).toBe(tracedDeadLetters(sim));
    // What actors handled matches what was delivered.
    const handled = (await Promise.all(IDS.map((id) => sim.snapshot<number>(id)))).reduce((a, b) => a + b, 0);
    expect(handled).toBe(end.delivered);
    const result = await sim.shutdown();
    expect(result.accountingImbalance).toBe(0);
  });

  it('holds at every single time step under uniform latency with per-link overrides (heap path)', async () => {
    const link: LinkModel = {
      latency: { kind: 'uniform', minMs: 1, maxMs: 6 },
      overrides: [
        { to: 'n0', latency: { kind: 'fixed', ms: 2 } },
        { from: 'n7', latency: { kind: 'exponential', meanMs: 3 } },
      ],
      dropRate: 0.05,
    };
    const sim = await build({ seed: 4, link });
    for (let round = 0; round < 4; round++) for (const id of IDS) sim.send(id, { kind: 'burst', body: 40 });
    let steps = 0;
    let sawInFlight = false;
    while (sim.run({ maxSteps: 1 }) === 1) {
      steps++;
      const m = sim.accountingNow();
      if (m.inFlight > 0) sawInFlight = true;
      expectBalanced(m);
    }
    const end = sim.accountingNow();
    expect(steps).toBeGreaterThan(100);
    expect(sawInFlight).toBe(true);
    expect(end.inFlight).toBe(0);
    expectBalanced(end);
    expect(end.droppedBy['link-drop']).toBe(countTrace(sim, (e) => e.type === 'drop'));
    expect(end.droppedBy['link-drop']).toBeGreaterThan(0);
    expect(end.deadLetteredBy['unknown-actor']).toBeGreaterThan(0);
  });

  it('holds when actors fail and restart under load and when actors with full mailboxes are stopped mid-run', async () => {
    const sim = await build({ seed: 9, link: { latency: { kind: 'fixed', ms: 1 }, dropRate: 0.05 } }, 50);
    for (const id of IDS) sim.send(id, { kind: 'burst', body: 60 });
    sim.run({ maxSteps: 1 });
    for (const id of IDS) sim.send(id, { kind: 'burst', body: 60 });
    sim.run({ maxSteps: 2 });
    const before = sim.accountingNow();
    expect(before.inFlight).toBeGreaterThan(0);
    expectBalanced(before);
    // Stop two busy actors while envelopes wait for them and more are on the way.
    await sim.stop('n1');
    await sim.stop('n10');
    expectBalanced(sim.accountingNow());
    sim.run();
    const end = sim.accountingNow();
    expect(end.inFlight).toBe(0);
    expectBalanced(end);
    expect(end.deadLetteredBy['actor-stopped']).toBeGreaterThan(0);
    expect(countTrace(sim, (e) => e.type === 'restart')).toBeGreaterThan(0);
    expect(end.deadLettered).toBe(tracedDeadLetters(sim));
    expect((await sim.shutdown()).accountingImbalance).toBe(0);
  });
});
