import { describe, expect, it } from 'vitest';
import { CoordinatorFailedError, parseScenario, Swarm } from '../src/index.ts';

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

  it('a coordinator that fails ends the run at once with the reason, not at a timeout', async () => {
    let swarm: Swarm | undefined;
    let left = false;
    swarm = await Swarm.start(parseScenario(`
name: headless
agents: [{ role: analyst, count: 3, accuracy: 1 }]
consensus: { voting_timeout: 1h }
task: { question: q, options: [A, B], decisions: 50 }
`), {
      onEvent: (e) => {
        // Pull the coordinator out of the topology under it (Swarm.leaveTopology refuses to).
        if (!left && e.type === 'emit' && e.event.type === 'decided') {
          left = true;
          void swarm!.system.leaveTopology('coordinator');
        }
      },
    });
    await expect(swarm.leaveTopology('coordinator')).rejects.toThrow(/cannot leave/);
    const started = performance.now();
    await expect(swarm.run()).rejects.toThrow(CoordinatorFailedError);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('bad configurations fail before anything runs', async () => {
    const esc = parseScenario(`
name: esc
agents: [{ role: a, count: 3 }]
consensus: { algorithm: adaptive, escalation: wait }
task: { question: q, options: [A, B], risk: critical }
`);
    await expect(Swarm.start(esc)).rejects.toThrow(/consensus\.escalation/);
    const sched = parseScenario(`
name: sched
agents: [{ role: a, count: 3 }]
task: { question: q, options: [A, B] }
schedule: [{ at: 1s, switch_topology: { type: star, hub: nobody } }]
`);
    await expect(Swarm.start(sched)).rejects.toThrow(/schedule\[0\]\.switch_topology\.hub/);
    const self = parseScenario(`
name: self
agents: [{ role: a, count: 3 }]
consensus: { algorithm: adaptive, adaptive: { low: adaptive } }
task: { question: q, options: [A, B] }
`);
    await expect(Swarm.start(self)).rejects.toThrow(/consensus\.adaptive\.low/);
    const fine = parseScenario('name: fine\nagents: [{ role: a, count: 3 }]\ntask: { question: q, options: [A, B] }\n');
    await expect(Swarm.start(fine, { traceFile: '/no/such/dir/trace.jsonl' })).rejects.toThrow(/--trace/);
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
