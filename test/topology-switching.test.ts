import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimSystem, ThreadSystem, SystemStoppedError, ConfigError, NoTopologyError, type ActorSystem, type TraceEvent } from '../src/index.ts';

const gossip = { module: fileURLToPath(new URL('./fixtures/gossip.ts', import.meta.url)), export: 'gossip' };
const ids = Array.from({ length: 12 }, (_, i) => `m${i}`);

/** Every envelope of kind `heard` sent exactly once and delivered exactly once, by id. */
function exactlyOnce(events: readonly TraceEvent[]): { sent: number; problems: string[] } {
  const sent = new Map<number, number>();
  const delivered = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'send' && e.kind === 'heard') sent.set(e.id, (sent.get(e.id) ?? 0) + 1);
    if (e.type === 'deliver' && e.kind === 'heard') delivered.set(e.id, (delivered.get(e.id) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const [id, n] of sent) if (n !== 1 || delivered.get(id) !== 1) problems.push(`envelope ${id}: sent ${n}, delivered ${delivered.get(id) ?? 0}`);
  for (const id of delivered.keys()) if (!sent.has(id)) problems.push(`envelope ${id} delivered but never sent`);
  return { sent: sent.size, problems };
}

/** Traffic and broadcasts while the topology goes mesh -> hierarchical -> star -> ring. */
async function switchUnderLoad(system: ActorSystem & { recorder: { events: readonly TraceEvent[] | undefined } }, pump: () => Promise<void>) {
  for (const id of ids) await system.spawn(id, gossip);
  await system.switchTopology('mesh', { members: ids });
  for (const [round, spec] of (['hierarchical', 'star', 'ring'] as const).entries()) {
    for (let i = 0; i < ids.length; i++) system.send(ids[i], { kind: 'tell', body: { to: ids[(i * 5 + 7) % ids.length], n: 50 } });
    system.send(ids[round], { kind: 'shout', body: round });
    await pump();
    await system.switchTopology(spec);
  }
  await system.settle();
  const result = await system.shutdown();
  return { result, ...exactlyOnce(system.recorder.events!) };
}

let open: ActorSystem | undefined;
afterEach(async () => {
  await open?.shutdown();
  open = undefined;
});

describe('switching topology while envelopes are in flight', () => {
  it('sim: none lost, none duplicated, relays on the new routes', async () => {
    const sim = new SimSystem({ seed: 3, traceLevel: 'full', keepTrace: true });
    // Run a little of each round so the switch finds envelopes half-way along their routes.
    const { result, sent, problems } = await switchUnderLoad(sim, async () => void sim.run({ untilMs: sim.now() + 4 }));
    expect(problems).toEqual([]);
    expect(sent).toBe(3 * ids.length * 50 + 3 * (ids.length - 1));
    expect(result.accountingImbalance).toBe(0);
    expect(result.messages.deadLettered + result.messages.dropped).toBe(0);
    expect(result.topology.switches.map((s) => s.to)).toEqual(['mesh', 'hierarchical', 'star', 'ring']);
    // The switch really caught envelopes in flight: some were sent before a switch and delivered after it.
    const events = sim.recorder.events!;
    const switchAt = events.findIndex((e) => e.type === 'topology' && e.to === 'star');
    const sentBefore = new Set(
      events
        .slice(0, switchAt)
        .filter((e) => e.type === 'send')
        .map((e) => (e as { id: number }).id),
    );
    const straddling = events.slice(switchAt).filter((e) => e.type === 'deliver' && sentBefore.has(e.id));
    expect(straddling.length).toBeGreaterThan(0);
    // Routing shows in the figures: a mesh relays nothing, the others do.
    const byKind = Object.fromEntries(result.topology.epochs.map((e) => [e.kind, e]));
    expect(byKind.mesh.relayed).toBe(0);
    expect(byKind.hierarchical.relayed).toBeGreaterThan(0);
  });

  it('threads: none lost, none duplicated across two workers', async () => {
    const threads = await ThreadSystem.start({ workers: 2, traceLevel: 'full', keepTrace: true });
    open = threads;
    const { result, sent, problems } = await switchUnderLoad(threads, async () => undefined);
    open = undefined;
    expect(problems).toEqual([]);
    expect(sent).toBe(3 * ids.length * 50 + 3 * (ids.length - 1));
    expect(result.accountingImbalance).toBe(0);
    expect(result.messages.deadLettered + result.messages.dropped).toBe(0);
    expect(result.messages.relayed).toBeGreaterThan(0);
  });
});

describe('broadcast on the spanning structure', () => {
  for (const spec of ['mesh', 'star', 'ring', 'hierarchical'] as const) {
    it(`${spec}: every other member hears it once, for n - 1 envelopes`, async () => {
      const sim = new SimSystem({ seed: 1 });
      for (const id of ids) await sim.spawn(id, gossip);
      await sim.switchTopology(spec, { members: ids });
      sim.send('m4', { kind: 'shout', body: 'x' });
      await sim.settle();
      const heard = await Promise.all(ids.map(async (id) => ((await sim.snapshot(id)) as { heard: unknown[] }).heard.length));
      expect(heard).toEqual(ids.map((id) => (id === 'm4' ? 0 : 1)));
      const acc = await sim.accounting();
      expect(acc.sent - 1).toBe(ids.length - 1); // minus the 'shout' itself
      expect(acc.relayed).toBe(0); // copies travel tree edges, never relayed
    });
  }

  it('a broadcast in flight survives many switches: every member still hears it once', async () => {
    const sim = new SimSystem({ seed: 1 });
    const ring = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const id of ring) await sim.spawn(id, gossip);
    await sim.switchTopology('ring', { members: ring });
    sim.send('r0', { kind: 'shout', body: 'far' });
    sim.run({ maxSteps: 3 }); // the copies are a few links along the ring
    for (let i = 0; i < 40; i++) await sim.switchTopology(i % 2 ? 'ring' : 'star');
    await sim.settle();
    const heard = await Promise.all(
      ring.map(async (id) => ((await sim.snapshot(id)) as { heard: { body: unknown }[] }).heard.filter((h) => h.body === 'far').length),
    );
    expect(heard).toEqual(ring.map((id) => (id === 'r0' ? 0 : 1)));
  });

  it('without a topology, broadcasting is an error the supervisor sees', async () => {
    const sim = new SimSystem({ seed: 1, keepTrace: true });
    await sim.spawn('lonely', gossip);
    sim.send('lonely', { kind: 'shout', body: 1 });
    await sim.settle();
    const failure = sim.recorder.events!.find((e) => e.type === 'failure');
    expect(failure && 'error' in failure && failure.error).toMatch(/no topology is installed/);
    expect(new NoTopologyError('x', true).message).toMatch(/not a member/);
  });
});

describe('membership and requests', () => {
  it('join and leave rebuild the routes; traffic through a leaving member still arrives', async () => {
    const sim = new SimSystem({ seed: 2, traceLevel: 'full', keepTrace: true });
    for (const id of ['hub', 'a', 'b', 'c']) await sim.spawn(id, gossip);
    await sim.switchTopology({ type: 'ring', bidirectional: false }, { members: ['hub', 'a', 'b', 'c'] });
    sim.send('a', { kind: 'tell', body: { to: 'hub', n: 20 } }); // a -> b -> c -> hub
    sim.run({ maxSteps: 2 });
    const left = await sim.leaveTopology('b');
    expect(left).toMatchObject({ reason: 'leave b', members: 3, to: 'ring' });
    await sim.spawn('d', gossip);
    await sim.joinTopology('d');
    expect(sim.topology!.members).toEqual(['hub', 'a', 'c', 'd']);
    await sim.settle();
    expect(((await sim.snapshot('hub')) as { heard: unknown[] }).heard).toHaveLength(20);
    expect(exactlyOnce(sim.recorder.events!).problems).toEqual([]);
    await expect(sim.leaveTopology('nobody')).rejects.toThrow(ConfigError);
    await expect(sim.joinTopology('a')).rejects.toThrow(/not already a member/);
    await expect(sim.joinTopology('ghost')).rejects.toThrow(/spawn it first/);
  });

  it("threads: join and leave rebuild every worker's routes", async () => {
    const threads = await ThreadSystem.start({ workers: 2, traceLevel: 'full', keepTrace: true });
    open = threads;
    for (const id of ['hub', 'a', 'b', 'c']) await threads.spawn(id, gossip);
    await threads.switchTopology({ type: 'ring', bidirectional: false }, { members: ['hub', 'a', 'b', 'c'] });
    threads.send('a', { kind: 'tell', body: { to: 'hub', n: 500 } }); // a -> b -> c -> hub
    await threads.leaveTopology('b');
    await threads.spawn('d', gossip);
    await threads.joinTopology({ id: 'd', role: 'late' });
    expect(threads.topology!.members).toEqual(['hub', 'a', 'c', 'd']);
    threads.send('d', { kind: 'shout', body: 'hi' });
    await threads.settle();
    const heard = async (id: string) => ((await threads.snapshot(id)) as { heard: { body: unknown }[] }).heard;
    expect((await heard('hub')).filter((h) => typeof h.body === 'number')).toHaveLength(500);
    for (const id of ['hub', 'a', 'c']) expect((await heard(id)).filter((h) => h.body === 'hi')).toHaveLength(1);
    expect((await heard('b')).filter((h) => h.body === 'hi')).toHaveLength(0);
    const result = await threads.shutdown();
    open = undefined;
    expect(exactlyOnce(threads.recorder.events!).problems).toEqual([]);
    expect(result.accountingImbalance).toBe(0);
    expect(result.topology.switches.map((s) => s.reason)).toEqual(['api', 'leave b', 'join d']);
  });

  it('an actor can request a switch; a bad request is traced, not thrown', async () => {
    const sim = new SimSystem({ seed: 2, keepTrace: true });
    for (const id of ids) await sim.spawn(id, gossip);
    await sim.switchTopology('mesh', { members: ids });
    sim.send('m1', { kind: 'switch', body: { type: 'star', hub: 'm1' } });
    sim.send('m2', { kind: 'switch', body: 'torus' });
    await sim.settle();
    expect(sim.topology!.spec).toEqual({ type: 'star', hub: 'm1' });
    const rejected = sim.recorder.events!.find((e) => e.type === 'topology-rejected');
    expect(rejected).toMatchObject({ actor: 'm2', spec: 'torus' });
  });

  it('bad specs and switches after shutdown are clear errors', async () => {
    const sim = new SimSystem({ seed: 2 });
    await expect(sim.switchTopology('ring')).rejects.toThrow(/members/);
    await expect(sim.switchTopology({ type: 'star', hub: 'zed' }, { members: ['a', 'b'] })).rejects.toThrow(/topology\.hub/);
    await expect(sim.switchTopology({ type: 'hierarchical', teams: 0 }, { members: ['a', 'b'] })).rejects.toThrow(/topology\.teams/);
    await sim.shutdown();
    await expect(sim.switchTopology('mesh', { members: ['a'] })).rejects.toThrow(SystemStoppedError);
    const threads = await ThreadSystem.start({ workers: 1 });
    const closing = threads.shutdown();
    await expect(threads.switchTopology('mesh', { members: ['a'] })).rejects.toThrow(SystemStoppedError);
    await closing;
  });
});
