/**
 * Losing a node process mid-run, on the real NATS server: kill -9 is noticed by missed
 * heartbeats, SIGTERM by the node's own leave; either way its actors restart on live nodes by
 * their supervision, what died with it is dead-lettered with a reason, and the books over the
 * whole swarm stay exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { accountingImbalance } from '../src/actors/counters.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { startNatsSystem } from '../src/net/nats-system.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { NATS_URL, NO_NATS, startNodes, stopNodes, swarmId, type NodeProcess } from './nats-nodes.ts';

describe.skipIf(NO_NATS)('a node process lost mid-run', () => {
  let nodes: NodeProcess[] = [];
  let system: ThreadSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
    await stopNodes(nodes);
  });

  /** Three nodes, a stream from host 0 to host 1 flowing, and the process hosting host 1. */
  async function streaming(prefix: string): Promise<{ victim: NodeProcess; crash: Promise<TraceEvent> }> {
    const swarm = swarmId(prefix);
    nodes = await startNodes(swarm, ['n1', 'n2', 'n3']);
    const started = await startNatsSystem({ url: NATS_URL, swarm, nodes: 3 }, { seed: 5 });
    system = started.system;
    const crash = firstValueFrom(system.trace$.pipe(filter((e) => e.type === 'host-crash')));
    await system.spawn('producer', 'producer', { props: { target: 'sink', batch: 256 }, worker: 0 });
    await system.spawn('sink', 'sink', { worker: 1, mailboxCapacity: 5_000_000 });
    await system.spawn('helper', 'echo', { worker: 1 });
    await system.spawn('fragile', 'echo', { worker: 1, supervision: { strategy: 'stop' } });
    await system.spawn('bystander', 'counter', { worker: 2 });
    system.send('producer', { kind: 'start', body: 5_000_000 });
    for (;;) {
      const got = await system.ask('sink', { kind: 'get' }, { timeoutMs: 10_000 });
      if ((got.body as number) > 20_000) break;
    }
    const victim = nodes.find((n) => n.name === started.launcher.nodes[1].name)!;
    return { victim, crash };
  }

  it('kill -9: detected by missed heartbeats, actors restarted elsewhere, losses dead-lettered host-crashed, books exact', async () => {
    const { victim, crash } = await streaming('kill');
    victim.child.kill('SIGKILL');
    const event = await crash;
    expect(event.type === 'host-crash' && event.detail).toMatch(/node "n2" missed its heartbeats for \d+ ms/);
    const [c] = await system!.recovered();
    expect(c.host).toBe(1);
    expect([...c.restarted].sort()).toEqual(['helper', 'sink']);
    expect(c.stopped).toEqual(['fragile']);
    expect(system!.workerOf('sink')).not.toBe(1);
    // The producer goes on streaming to the restarted sink; stop it and let everything land.
    await system!.stop('producer');
    await system!.settle({ timeoutMs: 60_000 });
    const acc = await system!.accounting();
    expect(acc.inFlight).toBe(0);
    expect(accountingImbalance(acc)).toBe(0);
    expect(acc.deadLetteredBy['host-crashed']).toBeGreaterThan(0);
    expect((await system!.ask('helper', { kind: 'ping', body: 7 }, { timeoutMs: 10_000 })).body).toBe(7);
    expect(await system!.snapshot('bystander')).toEqual({ count: 0, last: null });
    const result = await system!.shutdown();
    system = undefined;
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.accountingImbalance).toBe(0);
    expect((await victim.exited).signal).toBe('SIGKILL');
  }, 240_000);

  it('SIGTERM: the node stops its actors, publishes its final books and leaves; it exits 0 and the books stay exact', async () => {
    const { victim, crash } = await streaming('term');
    victim.child.kill('SIGTERM');
    const event = await crash;
    expect(event.type === 'host-crash' && event.detail).toMatch(/node "n2" left the swarm \(SIGTERM\): it stopped its 3 actors/);
    expect(await victim.exited).toEqual({ code: 0, signal: null });
    expect(victim.output()).toMatch(/leaves \(SIGTERM\): stopped 3 actors of run/);
    const [c] = await system!.recovered();
    expect([...c.restarted].sort()).toEqual(['helper', 'sink']);
    await system!.stop('producer');
    await system!.settle({ timeoutMs: 60_000 });
    const acc = await system!.accounting();
    expect(acc.inFlight).toBe(0);
    expect(accountingImbalance(acc)).toBe(0);
    // Drained: nothing was left in the node's hands at its last cut.
    const ledger = system!.hostLedgers()[1];
    expect(ledger.crashed).toBe(true);
    expect(ledger.cut.queued).toBe(0);
    expect((acc.deadLetteredBy['actor-stopped'] ?? 0) + (acc.deadLetteredBy['host-crashed'] ?? 0)).toBeGreaterThan(0);
  }, 240_000);
});
