import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { Swarm, type ScenarioResult, type TopologySpec } from '../src/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/** Voters who always see the truth: every decision must come out "PostgreSQL", whatever the routes. */
const yaml = (task: string, at: [string, string, string]) => `
name: switching
agents:
  - { role: researcher, count: 3, accuracy: 1 }
  - { role: coder, count: 4, accuracy: 1 }
  - { role: tester, count: 3, accuracy: 1 }
topology: mesh
consensus: { algorithm: supermajority, voting_timeout: 30s }
task: { question: Which database?, options: [PostgreSQL, MongoDB, DynamoDB], truth: PostgreSQL, ${task} }
schedule:
  - { at: ${at[0]}, switch_topology: hierarchical }
  - { at: ${at[1]}, switch_topology: star }
  - { at: ${at[2]}, switch_topology: ring }
`;

/** Every envelope sent once is delivered exactly once (by id), and nothing else is delivered. */
function exactlyOnce(events: readonly TraceEvent[]): { sent: number; problems: string[] } {
  const sent = new Map<number, number>();
  const delivered = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'send') sent.set(e.id, (sent.get(e.id) ?? 0) + 1);
    if (e.type === 'deliver') delivered.set(e.id, (delivered.get(e.id) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const [id, n] of sent) if (n !== 1 || delivered.get(id) !== 1) problems.push(`${id}: sent ${n}, delivered ${delivered.get(id) ?? 0}`);
  for (const id of delivered.keys()) if (!sent.has(id)) problems.push(`${id}: delivered, never sent`);
  return { sent: sent.size, problems: problems.slice(0, 10) };
}

for (const mode of ['sim', 'threads'] as const) {
  describe(`voting while the topology goes mesh -> hierarchical -> star -> ring (${mode})`, () => {
    it('loses and duplicates nothing, and every decision is still right', async () => {
      const events: TraceEvent[] = [];
      let r: ScenarioResult;
      if (mode === 'sim') {
        // Virtual time: the scenario's schedule switches at exact instants.
        r = await runScenario(parseScenario(yaml('decisions: 60, in_flight: 3', ['20ms', '45ms', '70ms'])), {
          seed: 9,
          traceLevel: 'full',
          onEvent: (e) => events.push(e),
        });
      } else {
        // Wall clock: switch from the API once 100 decisions have been seen since the previous
        // switch landed, and wind the workload down after 100 more on the ring. Counting from the
        // landing matters: a switch can wait behind heavy traffic on a loaded machine, and the
        // workload is open-ended so that no topology runs out of decisions to carry.
        const next: TopologySpec[] = ['hierarchical', 'star', 'ring'];
        let decided = 0;
        let switching = false;
        let switchError: unknown;
        let swarm: Swarm | undefined;
        swarm = await Swarm.start(parseScenario(yaml('decisions: 1000000, in_flight: 2', ['1h', '1h', '1h']).replace(/schedule:[\s\S]*$/, '')), {
          seed: 9,
          mode,
          workers: 2,
          traceLevel: 'full',
          onEvent: (e) => {
            events.push(e);
            if (e.type !== 'emit' || e.event.type !== 'decided' || switching || ++decided < 100) return;
            if (next.length === 0) return swarm!.stop();
            switching = true;
            swarm!.switchTopology(next.shift()!).then(
              () => {
                switching = false;
                decided = 0;
              },
              (err: unknown) => {
                switchError = err;
              },
            );
          },
        });
        r = await swarm.run();
        expect(switchError).toBeUndefined();
      }
      expect(r.topologySwitches.map((w) => w.to)).toEqual(['mesh', 'hierarchical', 'star', 'ring']);
      const { sent, problems } = exactlyOnce(events);
      expect(problems).toEqual([]);
      expect(sent).toBe(r.messages.sent);
      expect(r.accountingImbalance).toBe(0);
      expect(r.messages).toMatchObject({ dropped: 0, deadLettered: 0, inFlight: 0 });
      expect(r.decisions.timedOut).toBe(0);
      expect(r.decisions.decided).toBe(r.decisions.attempted);
      expect(r.quality).toBe(1);
      expect(r.safetyViolations).toEqual([]);
      // Decisions were taken in every epoch, and the routes showed: the ring relays, the mesh does not.
      const epochs = Object.fromEntries(r.topologyEpochs.map((e) => [e.kind, e]));
      for (const kind of ['mesh', 'hierarchical', 'star', 'ring']) expect(epochs[kind].decisions).toBeGreaterThan(0);
      // Sim attributes every hop to its epoch exactly; threads reads the counters at the switch,
      // from cuts the workers publish at the end of their turns, so the edges blur a little.
      if (mode === 'sim') expect(epochs.mesh.linksPerMessage).toBe(1);
      expect(epochs.ring.linksPerMessage).toBeGreaterThan(epochs.mesh.linksPerMessage + 0.2);
    });
  });
}
