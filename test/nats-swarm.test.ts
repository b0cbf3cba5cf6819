/**
 * One swarm across node processes on the real NATS server: a voting scenario on three
 * `conclave node` processes decides what sim mode decides for the same seed, with exact books;
 * a batch signed by a foreign key is refused and counted; bad input fails fast and clearly.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { encodeFrame, NodeIdentity } from '../src/net/batch-frame.ts';
import { NatsLauncher } from '../src/net/nats-launcher.ts';
import { NatsSwarmError } from '../src/net/nats-error.ts';
import { startNatsSystem, natsSystemFactory } from '../src/net/nats-system.ts';
import { swarmSubjects, WIRE_VERSION } from '../src/net/subjects.ts';
import { SwarmNode } from '../src/net/swarm-node.ts';
import { accountingImbalance } from '../src/actors/counters.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { NATS_URL, NO_NATS, startNode, startNodes, stopNodes, swarmId, type NodeProcess } from './nats-nodes.ts';

/** Each decision's outcome, from the trace: decided value, or why not. */
function outcomes(events: TraceEvent[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'emit' || e.event.type !== 'decided') continue;
    const ev = e.event as { decision: string; consensus: boolean; value?: unknown };
    m.set(ev.decision, ev.consensus ? `decided ${String(ev.value)}` : 'no consensus');
  }
  return m;
}

describe.skipIf(NO_NATS)('a voting swarm across three node processes on NATS', () => {
  const swarm = swarmId('vote');
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = await startNodes(swarm, ['n1', 'n2', 'n3']);
  }, 120_000);
  afterAll(async () => {
    await stopNodes(nodes);
  });

  it('decides what sim mode decides for the same seed, with every envelope accounted for on every node', async () => {
    const scenario = await loadScenarioFile('examples/db-choice.yml');
    const simEvents: TraceEvent[] = [];
    const sim = await runScenario(scenario, { seed: 11, mode: 'sim', onEvent: (e) => simEvents.push(e) });
    const natsEvents: TraceEvent[] = [];
    let launcher: NatsLauncher | undefined;
    let system: ThreadSystem | undefined;
    const across = await runScenario(scenario, {
      seed: 11,
      mode: 'threads',
      onEvent: (e) => natsEvents.push(e),
      createSystem: natsSystemFactory({ url: NATS_URL, swarm, nodes: 3 }, (l) => (launcher = l)),
      onSystem: (s) => (system = s as ThreadSystem),
    });
    const ledgers = system!.hostLedgers();

    // The same decisions: each voter's opinions come from its own seeded stream, and each sees
    // the proposals in the coordinator's order (per-sender FIFO holds across nodes).
    const simOutcomes = outcomes(simEvents);
    expect(simOutcomes.size).toBe(200);
    expect(outcomes(natsEvents)).toEqual(simOutcomes);
    expect(across.decisions.decided).toBe(sim.decisions.decided);
    expect(across.safetyViolations).toEqual([]);

    // Exact books: over the whole swarm and node by node.
    expect(across.messages.inFlight).toBe(0);
    expect(accountingImbalance(across.messages)).toBe(0);
    expect(across.messages.sent).toBeGreaterThan(1_000);
    expect(launcher!.report().map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(ledgers).toHaveLength(3);
    expect(ledgers.every((l) => l.actors.length > 0)).toBe(true);
    const sum = ledgers.reduce((a, l) => ({ sent: a.sent + l.cut.sent, delivered: a.delivered + l.cut.delivered }), { sent: 0, delivered: 0 });
    expect(sum).toEqual({ sent: across.messages.sent, delivered: across.messages.delivered });
    // Envelopes really crossed nodes: every node received from another.
    for (const l of ledgers) expect(l.cut.received.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 240_000);

  it("refuses a batch signed by a key that is not the sending node's, counts it, and never delivers it", async () => {
    const { system, launcher } = await startNatsSystem({ url: NATS_URL, swarm, nodes: 3 }, { seed: 3 });
    try {
      await system.spawn('tally', 'counter', { worker: 1 });
      system.send('tally', { kind: 'inc' });
      await system.settle({ timeoutMs: 30_000 });
      // A forger on the bus: a frame claiming to come from host 0, signed with its own key.
      const forger = await connect({ servers: NATS_URL });
      const forged = { id: 1, from: 'n1-actor', to: 'tally', kind: 'inc', body: 99 };
      forger.publish(swarmSubjects(swarm).envelopes(launcher.run, 1), encodeFrame(0, [forged], NodeIdentity.generate()));
      await forger.flush();
      await forger.close();
      await system.settle({ timeoutMs: 30_000 });
      const count = await system.ask('tally', { kind: 'get' }, { timeoutMs: 10_000 });
      expect(count.body).toBe(1);
      const acc = await system.accounting();
      expect(accountingImbalance(acc)).toBe(0);
      expect(launcher.links[1].refused.batches).toBe(1);
      expect(launcher.links[1].refused.lastReason).toMatch(/signature does not verify with host 0's key/);
      expect(launcher.links[0].refused.batches).toBe(0);
    } finally {
      await system.shutdown();
    }
  }, 120_000);
});

describe.skipIf(NO_NATS)('bad input across NATS fails fast, naming the problem', () => {
  it('an unreachable server', async () => {
    const t0 = performance.now();
    await expect(NatsLauncher.connect({ url: 'nats://127.0.0.1:1', swarm: 'x' })).rejects.toThrow(/cannot reach the NATS server at nats:\/\/127.0.0.1:1/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it('a swarm nobody joined', async () => {
    const err = await NatsLauncher.connect({ url: NATS_URL, swarm: swarmId('empty'), nodes: 2, joinTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsSwarmError);
    expect((err as Error).message).toMatch(/0 idle node\(s\) of the 2 needed answered within 500 ms \(nobody joined it\)/);
  });

  it('a node name already taken in the swarm (the CLI exits 2)', async () => {
    const swarm = swarmId('dup');
    const first = await SwarmNode.join({ url: NATS_URL, swarm, name: 'twin' });
    try {
      await expect(SwarmNode.join({ url: NATS_URL, swarm, name: 'twin' })).rejects.toThrow(/a node named "twin" already joined swarm/);
      const second = await startNode(swarm, 'twin').catch((e: Error) => e);
      expect(second).toBeInstanceOf(Error);
      expect((second as Error).message).toMatch(/exited \(2\) before joining[\s\S]*already joined/);
    } finally {
      await first.leave('test over');
    }
  }, 60_000);

  it('a node that speaks another wire version', async () => {
    const swarm = swarmId('old');
    const old = await connect({ servers: NATS_URL });
    old.subscribe(swarmSubjects(swarm).who, {
      callback: (_e, msg) => {
        msg.respond(JSON.stringify({ type: 'here', name: 'ancient', version: WIRE_VERSION - 1, pid: 1, run: undefined, index: undefined }));
      },
    });
    await old.flush();
    try {
      await expect(NatsLauncher.connect({ url: NATS_URL, swarm, nodes: 1, joinTimeoutMs: 5_000 })).rejects.toThrow(
        /node "ancient" \(pid 1\) of swarm .* speaks wire version 0; this coordinator speaks 1/,
      );
    } finally {
      await old.close();
    }
  });

  it('conclave node: an unreachable server (with one host thread or several) and a bad --workers exit 2 with the reason', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
    const down = cli(['node', '--nats', 'nats://127.0.0.1:1', '--swarm', 'x']);
    expect(down.status).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the NATS server at nats:\/\/127.0.0.1:1/);
    const downThreads = cli(['node', '--nats', 'nats://127.0.0.1:1', '--swarm', 'x', '--workers', '2']);
    expect(downThreads.status).toBe(2);
    expect(downThreads.stderr.trim().split('\n')).toHaveLength(1);
    expect(downThreads.stderr).toMatch(/cannot reach the NATS server at nats:\/\/127.0.0.1:1/);
    const workers = cli(['node', '--nats', NATS_URL, '--swarm', 'x', '--workers', '0']);
    expect(workers.status).toBe(2);
    expect(workers.stderr).toMatch(/--workers must be an integer from 1 to 64 \(got "0"\)/);
    const orphan = cli(['run', '--swarm', 'x']);
    expect(orphan.status).toBe(2);
    expect(orphan.stderr).toMatch(/--swarm.*only together with --nats URL/);
  }, 120_000);

  it('a swarm id that is not a subject token', async () => {
    await expect(NatsLauncher.connect({ url: NATS_URL, swarm: 'a.b' })).rejects.toThrow(/--swarm "a.b" is not usable as a NATS subject token/);
  });
});
