import { describe, expect, it } from 'vitest';
import { parseScenario, Swarm } from '../src/index.ts';

describe('Swarm: a running scenario rewired from outside', () => {
  it('threads: switchTopology mid-run from the API, nothing lost, every decision right', async () => {
    let decided = 0;
    let reached: () => void = () => undefined;
    const hundred = new Promise<void>((resolve) => (reached = resolve));
    let onRing = -1;
    let swarm: Swarm | undefined;
    // An open-ended workload (an hour), stopped once the ring has carried 50 decisions.
    swarm = await Swarm.start(
      parseScenario(`
name: api-switch
agents: [{ role: analyst, count: 6, accuracy: 1 }]
topology: star
task: { question: q, options: [A, B], truth: A, duration: 1h, in_flight: 2 }
`),
      {
        mode: 'threads',
        workers: 2,
        traceVotes: false,
        onEvent: (e) => {
          if (e.type === 'topology' && e.to === 'ring') onRing = 0;
          if (e.type !== 'emit' || e.event.type !== 'decided') return;
          if (++decided === 100) reached();
          if (onRing >= 0 && ++onRing === 50) swarm!.stop();
        },
      },
    );
    expect(swarm.system.topology?.kind).toBe('star');
    const running = swarm.run();
    await hundred;
    const ring = await swarm.switchTopology('ring', 'operator asked');
    expect(ring).toMatchObject({ from: 'star', to: 'ring', reason: 'operator asked' });
    const r = await running;
    expect(r.topologySwitches.map((s) => s.to)).toEqual(['star', 'ring']);
    expect(r.topologyEpochs[1].decisions).toBeGreaterThanOrEqual(50);
    expect(r.decisions.timedOut).toBe(0);
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.quality).toBe(1);
    expect(r.accountingImbalance).toBe(0);
    expect(r.messages).toMatchObject({ dropped: 0, deadLettered: 0, inFlight: 0 });
    expect(await swarm.run()).toBe(r); // run() happens once
    await expect(swarm.switchTopology('mesh')).rejects.toThrow(/shut down/);
    swarm.stop(); // harmless once ended
  });

  it('stop() winds the workload down: no new decisions, those in flight close, the report is whole', async () => {
    let swarm: Swarm | undefined;
    let decided = 0;
    swarm = await Swarm.start(
      parseScenario(`
name: wind-down
agents: [{ role: analyst, count: 5, accuracy: 1 }]
task: { question: q, options: [A, B], truth: A, decisions: 1000000, in_flight: 4 }
`),
      {
        seed: 3,
        onEvent: (e) => {
          if (e.type === 'emit' && e.event.type === 'decided' && ++decided === 40) swarm!.stop();
        },
      },
    );
    const r = await swarm.run();
    // The four in flight when it was asked to stop still close; nothing further opens.
    expect(r.decisions.attempted).toBeGreaterThanOrEqual(40);
    expect(r.decisions.attempted).toBeLessThanOrEqual(40 + 4);
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(decided).toBe(r.decisions.attempted);
    expect(r.quality).toBe(1);
    expect(r.messages).toMatchObject({ dropped: 0, deadLettered: 0, inFlight: 0 });
  });

  it('a coordinator that fails ends the run at once with its report and the reason, not at a timeout', async () => {
    let swarm: Swarm | undefined;
    let left = false;
    swarm = await Swarm.start(
      parseScenario(`
name: headless
agents: [{ role: analyst, count: 3, accuracy: 1 }]
consensus: { voting_timeout: 1h }
task: { question: q, options: [A, B], decisions: 50 }
`),
      {
        onEvent: (e) => {
          // Pull the coordinator out of the topology under it (Swarm.leaveTopology refuses to).
          if (!left && e.type === 'emit' && e.event.type === 'decided') {
            left = true;
            void swarm!.system.leaveTopology('coordinator');
          }
        },
      },
    );
    await expect(swarm.leaveTopology('coordinator')).rejects.toThrow(/cannot leave/);
    // Every run ends with a report: a failed one, with the coordinator's failure as the reason.
    // (A run that hung instead would trip the test's timeout; no wall-clock bound is asserted.)
    const result = await swarm.run();
    expect(result.status).toBe('failed');
    expect(result.failure?.kind).toBe('coordinator-failed');
    expect(result.failure?.message).toMatch(/coordinator stopped during the run/);
    expect(result.decisions.decided + result.decisions.noConsensus).toBeGreaterThanOrEqual(1);
    // It failed opening the next decision, before proposing it: that one was never attempted.
    expect(result.decisions.attempted).toBe(result.decisions.decided + result.decisions.noConsensus + result.decisions.timedOut + result.decisions.aborted);
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
