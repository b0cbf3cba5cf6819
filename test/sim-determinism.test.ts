import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registerBehaviour, SimSystem, type Behaviour, type LinkModel, type RunResult, type TraceEvent } from '../src/index.ts';

/**
 * Gossip with random choices: on `go` or `rumor` (body: hops left), picks a random peer and passes
 * the rumor on with one hop less; sometimes emits, sometimes arms a timer that re-starts a rumor.
 */
const gossiper: Behaviour<{ heard: number; picks: string[] }, { peers: string[] }> = {
  init: () => ({ heard: 0, picks: [] }),
  receive(state, env, ctx) {
    if (env.kind !== 'go' && env.kind !== 'rumor' && env.kind !== 'wake') return;
    state.heard++;
    const hops = env.kind === 'rumor' ? (env.body as number) : 30;
    if (hops <= 0) return;
    const peers = ctx.props.peers;
    const peer = peers[Math.floor(ctx.random() * peers.length)];
    state.picks.push(peer);
    ctx.send(peer, { kind: 'rumor', body: hops - 1 });
    const r = ctx.random();
    if (r < 0.2) ctx.emit({ note: 'picked', peer, hops });
    else if (r > 0.97 && env.kind !== 'wake') ctx.setTimer('wake', 5 + Math.floor(ctx.random() * 20), { kind: 'wake' });
  },
};
registerBehaviour('det-gossiper', gossiper);

const IDS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'];
const UNIFORM: LinkModel = { latency: { kind: 'uniform', minMs: 1, maxMs: 8 } };

async function scenario(seed: number, link: LinkModel = UNIFORM): Promise<{ result: RunResult; events: TraceEvent[]; states: unknown[] }> {
  const sim = new SimSystem({ seed, link, traceLevel: 'full', keepTrace: true });
  for (const id of IDS) await sim.spawn(id, 'det-gossiper', { props: { peers: IDS.filter((p) => p !== id) } });
  for (const id of IDS) sim.send(id, { kind: 'go' });
  sim.run();
  const states = await Promise.all(IDS.map((id) => sim.snapshot(id)));
  const result = await sim.shutdown();
  return { result, events: sim.recorder.events, states };
}

const drops = (events: TraceEvent[]) => events.filter((e) => e.type === 'drop');

describe('sim determinism', () => {
  it('the same seed reproduces the run exactly: same trace hash, same events, same states, same accounting', async () => {
    const a = await scenario(7);
    const b = await scenario(7);
    // The scenario is not trivial: many sends, emits and random picks.
    expect(a.events.filter((e) => e.type === 'send').length).toBeGreaterThan(150);
    expect(a.events.some((e) => e.type === 'emit')).toBe(true);
    expect(a.result.traceEvents).toBe(a.events.length);
    expect(a.result.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.events).toEqual(a.events);
    expect(b.states).toEqual(a.states);
    expect(b.result.messages).toEqual(a.result.messages);
    expect(b.result.elapsedMs).toBe(a.result.elapsedMs);
  });

  it('a different seed gives a different run (hash, random picks)', async () => {
    const a = await scenario(7);
    const c = await scenario(8);
    expect(c.result.traceHash).not.toBe(a.result.traceHash);
    expect(c.states).not.toEqual(a.states);
  });

  it('the trace hash is the sha256 of the trace, one JSON line per event', async () => {
    const a = await scenario(7);
    const h = createHash('sha256');
    for (const e of a.events) h.update(JSON.stringify(e) + '\n');
    expect(a.result.traceHash).toBe(h.digest('hex'));
  });

  it('with link dropRate 0.1, the same seed drops the same envelopes', async () => {
    const link: LinkModel = { ...UNIFORM, dropRate: 0.1 };
    const a = await scenario(7, link);
    const b = await scenario(7, link);
    expect(drops(a.events).length).toBeGreaterThan(0);
    expect(drops(b.events)).toEqual(drops(a.events));
    expect(b.result.messages.droppedBy).toEqual(a.result.messages.droppedBy);
    expect(a.result.messages.droppedBy['link-drop']).toBe(drops(a.events).length);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    // Another seed drops other envelopes.
    const c = await scenario(8, link);
    expect(drops(c.events).map((e) => e.id)).not.toEqual(drops(a.events).map((e) => e.id));
  });

  it('the same seed with a fixed latency (the FIFO lane) is also reproducible', async () => {
    const link: LinkModel = { latency: { kind: 'fixed', ms: 3 } };
    const a = await scenario(7, link);
    const b = await scenario(7, link);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.events).toEqual(a.events);
    expect((await scenario(8, link)).result.traceHash).not.toBe(a.result.traceHash);
  });
});
