/**
 * `conclave node --workers N`: one process offers N hosts to a swarm, each a worker thread with
 * its own connection, heartbeats and NodeRun, named NAME-w1 ... NAME-wN. On the real NATS server:
 * a voting scenario placed on a two-thread node and a one-thread node decides what sim mode
 * decides, envelopes cross between the two threads of one process too, and SIGTERM makes both
 * threads leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingImbalance } from '../src/actors/counters.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import type { NatsLauncher } from '../src/net/nats-launcher.ts';
import { natsSystemFactory } from '../src/net/nats-system.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { NATS_URL, NO_NATS, startNode, stopNodes, swarmId, type NodeProcess } from './nats-nodes.ts';

const decided = (events: TraceEvent[]) =>
  new Map(
    events.flatMap((e) =>
      e.type === 'emit' && e.event.type === 'decided' ? [[String(e.event.decision), `${e.event.consensus}:${e.event.value}`] as const] : [],
    ),
  );

describe.skipIf(NO_NATS)('a node process with --workers 2 on NATS', () => {
  const swarm = swarmId('workers');
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = [await startNode(swarm, 'multi', ['--workers', '2']), await startNode(swarm, 'single')];
    // Each thread of `multi` says when it joined (startNode waited for the first): wait for the second too.
    await new Promise<void>((resolve) => {
      const joined = () => (nodes[0].output().match(/joined swarm/g) ?? []).length >= 2;
      if (joined()) return resolve();
      nodes[0].child.stdout!.on('data', () => joined() && resolve());
    });
  }, 120_000);
  afterAll(async () => {
    await stopNodes(nodes);
  });

  it('offers two hosts from one process: the run uses both threads and the other node, and decides what sim decides', async () => {
    const scenario = await loadScenarioFile('examples/db-choice.yml');
    const simEvents: TraceEvent[] = [];
    await runScenario(scenario, { seed: 11, mode: 'sim', onEvent: (e) => simEvents.push(e) });
    const events: TraceEvent[] = [];
    let launcher: NatsLauncher | undefined;
    let system: ThreadSystem | undefined;
    const r = await runScenario(scenario, {
      seed: 11,
      mode: 'threads',
      onEvent: (e) => events.push(e),
      createSystem: natsSystemFactory({ url: NATS_URL, swarm, nodes: 3 }, (l) => (launcher = l)),
      onSystem: (s) => (system = s as ThreadSystem),
    });
    const hosts = launcher!.report();
    expect(hosts.map((n) => n.name)).toEqual(['multi-w1', 'multi-w2', 'single']);
    // The two threads are one process: the same pid, another than the single node's.
    const pids = launcher!.nodes.map((n) => n.pid);
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[0]);
    expect(decided(events)).toEqual(decided(simEvents));
    expect(r.safetyViolations).toEqual([]);
    expect(accountingImbalance(r.messages)).toBe(0);
    // Every host, both threads of `multi` included, received envelopes from another host.
    const ledgers = system!.hostLedgers();
    expect(ledgers).toHaveLength(3);
    for (const l of ledgers) expect(l.cut.received.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 240_000);

  it('SIGTERM: both threads leave the swarm and the process exits 0', async () => {
    const multi = nodes[0];
    multi.child.kill('SIGTERM');
    expect(await multi.exited).toEqual({ code: 0, signal: null });
    expect(multi.output()).toMatch(/node "multi-w1" leaves \(SIGTERM\)/);
    expect(multi.output()).toMatch(/node "multi-w2" leaves \(SIGTERM\)/);
  }, 60_000);
});
