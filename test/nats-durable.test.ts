/**
 * A Raft member's "disk" survives kill -9 of the node process hosting it: each node ships its
 * actors' durable changes to the coordinator before anything they cover leaves (src/net/
 * node-run.ts), and a member restarted on a live node starts from that mirror, with its term,
 * vote and log, instead of empty (an amnesiac member is beyond Raft's fault model, and the
 * checkers then report what it breaks). On the real NATS server, the kill triggered by the k-th
 * acknowledgement the client gets, never by a sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingImbalance } from '../src/actors/counters.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { natsSystemFactory } from '../src/net/nats-system.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { HostCrash } from '../src/scheduler/actor-system.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { NATS_URL, NO_NATS, startNodes, stopNodes, swarmId, type NodeProcess } from './nats-nodes.ts';

const RAFT = `
name: raft-kill-node
agents: [{ role: node, count: 5 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 600, in_flight: 8 }
`;

describe.skipIf(NO_NATS)('Raft across node processes: kill -9 of a node hosting members', () => {
  const swarm = swarmId('durable');
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = await startNodes(swarm, ['d1', 'd2', 'd3']);
  }, 120_000);
  afterAll(async () => {
    await stopNodes(nodes);
  });

  it("the leader's node killed: its members restart on live nodes with their term and log, a new leader takes over, every command is acknowledged, 0 safety violations, books exact", async () => {
    const events: TraceEvent[] = [];
    let system: ThreadSystem | undefined;
    let kill: Promise<HostCrash> | undefined;
    let victims: string[] = [];
    let acks = 0;
    let trigger = -1;
    let leader: string | undefined;
    let leaderKilled = false;
    const result = await runScenario(parseScenario(RAFT), {
      seed: 11,
      mode: 'threads',
      createSystem: natsSystemFactory({ url: NATS_URL, swarm, nodes: 3 }),
      onSystem: (s) => (system = s as ThreadSystem),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'emit' && e.event.type === 'raft-leader') leader = e.actor;
        if (e.type !== 'emit' || e.event.type !== 'client-ok' || ++acks !== 150) return;
        trigger = events.length - 1;
        // The node hosting the leader (the case: a new leader must take over), unless the
        // client is there too (its loss would abort its commands in flight): then another member's.
        const client = system!.workerOf('client');
        const host = [leader, 'node_002', 'node_003'].map((m) => system!.workerOf(m!)).find((h) => h !== client)!;
        leaderKilled = system!.workerOf(leader!) === host;
        victims = ['node_001', 'node_002', 'node_003', 'node_004', 'node_005'].filter((n) => system!.workerOf(n) === host);
        kill = system!.killWorker(host);
      },
    });
    const crash = await kill!;
    expect(victims.length).toBeGreaterThan(0);
    expect([...crash.restarted].sort()).toEqual(victims);
    expect(result.hostCrashes).toHaveLength(1);
    // Each victim restarted from its mirror: the restart says so, and the role the member
    // announced at init on its new host (just before the runtime records its spawn there) has
    // the term and the log its durable store gave it, not 0 and empty.
    for (const v of victims) {
      const restart = events.find((e, i) => i > trigger && e.type === 'restart' && e.actor === v);
      expect(restart && restart.type === 'restart' && restart.reason).toMatch(/durable state restored from its mirror/);
      const spawned = events.findIndex((e, i) => i > trigger && e.type === 'spawn' && e.actor === v);
      expect(spawned).toBeGreaterThan(trigger);
      const role = events.slice(0, spawned).findLast((e) => e.type === 'emit' && e.actor === v && e.event.type === 'raft-role') as
        | { event: { term: number; lastIndex: number } }
        | undefined;
      expect(role?.event.term).toBeGreaterThan(0);
      expect(role?.event.lastIndex).toBeGreaterThan(0);
    }
    // A new leader on a live node when the leader's node was killed.
    const after = events
      .slice(trigger)
      .filter((e) => e.type === 'emit' && e.event.type === 'raft-leader')
      .map((e) => (e as { actor: string }).actor);
    if (leaderKilled) expect(after.some((l) => !victims.includes(l))).toBe(true);
    expect(result.safetyViolations).toEqual([]);
    expect(result.decisions.decided).toBe(600);
    expect(accountingImbalance(result.messages)).toBe(0);
  }, 240_000);
});
