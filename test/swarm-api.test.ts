import { describe, expect, it } from 'vitest';
import { parseScenario, Swarm } from '../src/index.ts';

describe('Swarm: a running scenario rewired from outside', () => {
  it('threads: switchTopology mid-run from the API, nothing lost, every decision right', async () => {
    let decided = 0;
    let reached: () => void = () => undefined;
    const hundred = new Promise<void>((resolve) => (reached = resolve));
    const swarm = await Swarm.start(parseScenario(`
name: api-switch
agents: [{ role: analyst, count: 6, accuracy: 1 }]
topology: star
task: { question: q, options: [A, B], truth: A, duration: 2s, in_flight: 2 }
`), {
      mode: 'threads', workers: 2, traceVotes: false,
      onEvent: (e) => {
        if (e.type === 'emit' && e.event.type === 'decided' && ++decided === 100) reached();
      },
    });
    expect(swarm.system.topology?.kind).toBe('star');
    const running = swarm.run();
    await hundred;
    const ring = await swarm.switchTopology('ring', 'operator asked');
    expect(ring).toMatchObject({ from: 'star', to: 'ring', reason: 'operator asked' });
    const r = await running;
    expect(r.topologySwitches.map((s) => s.to)).toEqual(['star', 'ring']);
    expect(r.topologyEpochs[1].decisions).toBeGreaterThan(0);
    expect(r.decisions.timedOut).toBe(0);
    expect(r.quality).toBe(1);
    expect(r.accountingImbalance).toBe(0);
    expect(r.messages).toMatchObject({ dropped: 0, deadLettered: 0, inFlight: 0 });
    expect(await swarm.run()).toBe(r); // run() happens once
    await expect(swarm.switchTopology('mesh')).rejects.toThrow(/shut down/);
  });

  it('a bad scenario fails before anything is spawned', async () => {
    const bad = parseScenario(`
name: bad
agents: [{ role: a, count: 2 }]
topology: { type: star, hub: nobody }
task: { question: q, options: [A, B] }
`);
    await expect(Swarm.start(bad)).rejects.toThrow(/topology\.hub/);
  });
});
