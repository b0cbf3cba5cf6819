/**
 * The same scenario files, run across three node processes on the real NATS server: Raft with a
 * leader crash and a partition laid by the scenario, PBFT with Byzantine members, and a voting
 * swarm whose schedule switches the topology mid-run (the two-phase epoch switch across nodes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { accountingImbalance } from '../src/actors/counters.ts';
import { natsSystemFactory } from '../src/net/nats-system.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/index.ts';
import { runHive } from '../src/hive/run-hive.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { NATS_URL, NO_NATS, startNodes, stopNodes, swarmId, type NodeProcess } from './nats-nodes.ts';

describe.skipIf(NO_NATS)('protocols across three node processes on NATS', () => {
  const swarm = swarmId('proto');
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = await startNodes(swarm, ['p1', 'p2', 'p3']);
  }, 120_000);
  afterAll(async () => {
    await stopNodes(nodes);
  });
  const across = () => natsSystemFactory({ url: NATS_URL, swarm, nodes: 3 });

  it('Raft: a leader crash and a partition laid by the scenario, then healed; 0 safety violations, books exact', async () => {
    const scenario = await loadScenarioFile('examples/raft-deployment.yml');
    const events: TraceEvent[] = [];
    const r = await runScenario(scenario, { seed: 3, mode: 'threads', createSystem: across(), onEvent: (e) => events.push(e) });
    expect(r.safetyViolations).toEqual([]);
    expect(r.decisions.decided).toBeGreaterThan(0);
    // Raft heartbeats until the system stops, so a few envelopes may be in flight at the last cut: measured, and in the identity.
    expect(accountingImbalance(r.messages)).toBe(0);
    // The trace shows the partition and more than one leader over the run (the crashed one's successor).
    expect(events.some((e) => e.type === 'fault' && e.fault === 'partition')).toBe(true);
    const leaders = new Set(events.filter((e) => e.type === 'emit' && e.event.type === 'raft-leader').map((e) => (e as { actor: string }).actor));
    expect(leaders.size).toBeGreaterThan(1);
  }, 240_000);

  it('PBFT with an equivocating primary and a lying backup: 0 safety violations, books exact', async () => {
    const scenario = await loadScenarioFile('examples/pbft-ledger.yml');
    const r = await runScenario(scenario, { seed: 7, mode: 'threads', createSystem: across() });
    expect(r.safetyViolations).toEqual([]);
    expect(r.decisions.decided).toBeGreaterThan(0);
    // Replicas' timers (view change, checkpoints) may have envelopes in flight at the last cut: measured, and in the identity.
    expect(accountingImbalance(r.messages)).toBe(0);
  }, 240_000);

  it('a scheduled topology switch across three nodes loses and duplicates nothing', async () => {
    const scenario = await loadScenarioFile('examples/market-entry.yml');
    const r = await runScenario(scenario, { seed: 42, mode: 'threads', createSystem: across() });
    expect(r.topologySwitches.length).toBeGreaterThan(0);
    expect(r.safetyViolations).toEqual([]);
    // Nothing lost: every envelope sent was delivered (no fault in this scenario drops any).
    expect(r.messages.sent).toBe(r.messages.delivered);
    expect(r.messages.deadLettered).toBe(0);
    expect(r.messages.dropped).toBe(0);
    expect(accountingImbalance(r.messages)).toBe(0);
  }, 240_000);

  it('the hive: a queen, 4 leads and 20 workers spread over the three nodes finish the objective, 0 safety findings, books exact', async () => {
    let system: ThreadSystem | undefined;
    const r = await runHive(
      { objective: 'Document the API', seed: 2, mode: 'threads' },
      { createSystem: across(), onSystem: (s) => (system = s as ThreadSystem) },
    );
    expect(r.objectives[0].status).toBe('done');
    expect(r.safety).toEqual([]);
    expect(r.accountingImbalance).toBe(0);
    const ledgers = system!.hostLedgers();
    expect(ledgers).toHaveLength(3);
    expect(ledgers.map((l) => l.actors.length).reduce((a, b) => a + b, 0)).toBe(25);
    expect(ledgers.every((l) => l.actors.length > 0 && l.cut.received.reduce((a, b) => a + b, 0) > 0)).toBe(true);
  }, 240_000);

  it('a partition between nodes laid by the scenario (host 0 | hosts 1, 2), then healed: Raft recovers, every command acknowledged, the trace shows it', async () => {
    const scenario = parseScenario(`
name: raft-node-partition
agents: [{ role: node, count: 5 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 2000, in_flight: 8 }
faults:
  partition: [{ at: 300ms, duration: 1s, hosts: [[0], [1, 2]] }]
`);
    const events: TraceEvent[] = [];
    let system: ThreadSystem | undefined;
    const r = await runScenario(scenario, {
      seed: 5,
      mode: 'threads',
      createSystem: across(),
      onSystem: (s) => (system = s as ThreadSystem),
      onEvent: (e) => events.push(e),
    });
    const faults = events.filter((e) => e.type === 'fault').map((e) => (e as { fault: string; detail: string }).fault);
    expect(faults).toEqual(expect.arrayContaining(['partition-hosts', 'partition', 'heal']));
    expect(faults.indexOf('heal')).toBeGreaterThan(faults.indexOf('partition'));
    // The groups are the actors on each side: node 0's against nodes 1 and 2's.
    const split = events.find((e) => e.type === 'fault' && e.fault === 'partition') as { detail: string };
    const [left, right] = split.detail.split(' | ').map((g) => g.split(','));
    expect(left.every((a) => system!.workerOf(a) === 0)).toBe(true);
    expect(right.every((a) => system!.workerOf(a) !== 0)).toBe(true);
    expect(r.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(r.decisions.decided).toBe(2000);
    expect(r.safetyViolations).toEqual([]);
    expect(accountingImbalance(r.messages)).toBe(0);
  }, 240_000);
});
