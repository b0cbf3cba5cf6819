import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const clientEvents = (events: readonly TraceEvent[], type: string) =>
  events.flatMap((e) => (e.type === 'emit' && e.actor === 'client' && e.event.type === type ? [{ t: e.t, ev: e.event as Record<string, unknown> }] : []));

describe('Raft client: a bounded retry budget (retryBudget)', () => {
  it('cut off from every node, it gives each command up after its budget (writes info, reads fail) and still ends with a summary', async () => {
    const c = await RaftCluster.start({ seed: 5, n: 3 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    c.sim.faults.partition([['client'], [...c.nodes]]);
    const retryBudget = 3;
    const retryMs = 50;
    await c.startClient({ commands: 10, window: 2, reads: 0.5, retryBudget, retryMs });
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    const events = c.sim.recorder.events;
    const invokes = clientEvents(events, 'client-invoke');
    const infos = clientEvents(events, 'client-info');
    const fails = clientEvents(events, 'client-fail');
    expect(clientEvents(events, 'client-ok')).toEqual([]);
    // Every write ended info, every read fail, each after exactly the budget's attempts.
    const writes = invokes.filter((i) => i.ev.f === 'write');
    const reads = invokes.filter((i) => i.ev.f === 'read');
    expect(writes.length).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThan(0);
    expect(infos.map((i) => i.ev.seq).sort()).toEqual(writes.map((i) => i.ev.seq).sort());
    expect(fails.map((i) => i.ev.seq).sort()).toEqual(reads.map((i) => i.ev.seq).sort());
    for (const e of [...infos, ...fails]) {
      expect(e.ev).toMatchObject({ client: 'client', attempts: retryBudget });
      expect(typeof e.ev.reason).toBe('string');
      // No sooner than budget x retryMs after its invocation.
      const inv = invokes.find((i) => i.ev.seq === e.ev.seq)!;
      expect(e.t - inv.t).toBeGreaterThanOrEqual(retryBudget * retryMs);
    }
    for (const i of infos) expect(i.ev).toMatchObject({ f: 'write', value: `client:${i.ev.seq}` });
    for (const f of fails) expect(f.ev.f).toBe('read');
    expect(c.summary).toMatchObject({ issued: 10, acked: 0, gaveUp: 10, failed: reads.length });
  });

  it('a duration workload behind a partition also ends: it stops issuing at the duration and gives up what is left', async () => {
    const c = await RaftCluster.start({ seed: 6, n: 3 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    c.sim.faults.partition([['client'], [...c.nodes]]);
    await c.startClient({ durationMs: 500, window: 3, retryBudget: 2, retryMs: 100 });
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    const s = c.summary!;
    expect(s.issued).toBeGreaterThan(3); // given-up commands make room for new ones while the duration lasts
    expect(s).toMatchObject({ acked: 0, gaveUp: s.issued, failed: 0 });
    const invokes = clientEvents(c.sim.recorder.events, 'client-invoke');
    expect(invokes.every((i) => i.t < s.firstAt + 500)).toBe(true);
  });

  it('under the default budget a leader crash costs nothing: the failover is far shorter than 50 attempts', async () => {
    const c = await RaftCluster.start({ seed: 8, n: 5 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    await c.startClient({ commands: 200, window: 4 });
    const crashed = c.leader()!;
    c.sim.at(200, () => c.sim.faults.crash(crashed));
    expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
    expect(c.summary).toMatchObject({ issued: 200, acked: 200, gaveUp: 0 });
    expect(c.summary!.retries).toBeGreaterThan(0);
    expect(c.monitor.finish()).toEqual([]);
  });
});
