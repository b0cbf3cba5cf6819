import { describe, expect, it } from 'vitest';
import { checkStaleReads } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const fixed2ms = { latency: { kind: 'fixed', ms: 2 } } as const;
const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

type Emit = Extract<TraceEvent, { type: 'emit' }>;
const emits = (c: RaftCluster, type: string, actor?: string): Emit[] =>
  c.sim.recorder.events.filter((e): e is Emit => e.type === 'emit' && e.event.type === type && (actor === undefined || e.actor === actor));

describe('raft ReadIndex reads (thesis 6.4)', () => {
  it('single client, sequential: every read returns the last acknowledged write to its key; reads are not logged', async () => {
    const c = await RaftCluster.start({ seed: 21, link: fixed2ms });
    await c.startClient({ commands: 400, reads: 0.5 });
    expect(c.runUntil(() => c.summary !== undefined, 20_000)).toBe(true);
    expect(c.summary!.reads).toBeGreaterThan(150);
    const last = new Map<string, string>();
    let reads = 0;
    for (const e of emits(c, 'client-ok')) {
      const ev = e.event as { f: string; key: string; value: string | null };
      if (ev.f === 'write') last.set(ev.key, ev.value!);
      else {
        reads++;
        expect(ev.value, `read of ${ev.key} at t=${e.t}`).toBe(last.get(ev.key) ?? null);
      }
    }
    expect(reads).toBe(c.summary!.reads);
    // Not one get went through the log.
    expect(raftApplies(c.sim.recorder.events).filter((a) => (a.command as { op: string }).op === 'get')).toEqual([]);
    expect(checkStaleReads(c.sim.recorder.events)).toEqual([]);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('reads and writes through leader crashes and a partition, window 4: no stale read, all checkers green', async () => {
    const c = await RaftCluster.start({ seed: 22, link: uniform });
    await c.startClient({ commands: 600, reads: 0.4, window: 4 });
    expect(c.runUntil(() => c.acks >= 100, 5_000)).toBe(true);
    const crashed = c.leader()!;
    c.sim.faults.crash(crashed);
    expect(c.runUntil(() => c.acks >= 250, 5_000)).toBe(true);
    c.sim.faults.recover(crashed);
    const l = c.leader()!;
    c.sim.faults.partition([[l, c.nodes.find((id) => id !== l)!], c.nodes.filter((id) => id !== l).slice(1)]);
    expect(c.runUntil(() => c.acks >= 400, 5_000)).toBe(true);
    c.sim.faults.heal();
    expect(c.runUntil(() => c.summary !== undefined, 20_000)).toBe(true);
    expect(c.summary!.reads).toBeGreaterThan(150);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a deposed leader in a minority (checkQuorum off, so it still believes it leads) cannot serve a read', async () => {
    const c = await RaftCluster.start({ seed: 23, link: fixed2ms, raft: { checkQuorum: false } });
    await c.startClient({ commands: 1_000_000, retryMs: 50 }); // writes k0..k15 all along
    expect(c.runUntil(() => c.acks >= 40, 5_000)).toBe(true);
    const old = c.leader()!;
    const oldTerm = c.roles.get(old)!.term;
    const others = c.nodes.filter((id) => id !== old);
    c.sim.faults.partition([[old, others[0]], others.slice(1)]);
    expect(c.runUntil(() => c.elections.some((e) => e.term > oldTerm), 2_000)).toBe(true);
    const acks = c.acks;
    expect(c.runUntil(() => c.acks >= acks + 30, 5_000)).toBe(true); // the majority moved every key on
    expect(c.roles.get(old)!.role).toBe('leader');
    // A reader that only talks to the old leader: its reads arrive, none is answered.
    await c.startClient({ commands: 5, reads: 1, nodes: [old], retryMs: 100 }, 'reader');
    c.runFor(1_500);
    expect(emits(c, 'client-invoke', 'reader').length).toBeGreaterThan(0);
    expect(emits(c, 'client-ok', 'reader')).toEqual([]);
    const snap = await c.sim.snapshot<{ role: string; reads: unknown[] }>(old);
    expect(snap.role).toBe('leader');
    expect(snap.reads.length).toBeGreaterThan(0); // waiting on a round no majority will echo
    // On heal it learns the newer term, steps down and redirects the reads it held.
    c.sim.faults.heal();
    expect(c.runUntil(() => c.roles.get(old)!.role === 'follower', 1_000)).toBe(true);
    expect((await c.sim.snapshot<{ reads: unknown[] }>(old)).reads).toEqual([]);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('with check-quorum on (the default) the cut-off leader steps down and redirects instead', async () => {
    const c = await RaftCluster.start({ seed: 24, link: fixed2ms });
    await c.startClient({ commands: 1_000_000, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 40, 5_000)).toBe(true);
    const old = c.leader()!;
    const others = c.nodes.filter((id) => id !== old);
    c.sim.faults.partition([[old, others[0]], others.slice(1)]);
    await c.startClient({ commands: 5, reads: 1, nodes: [old], retryMs: 100 }, 'reader');
    c.runFor(1_000);
    expect(c.roles.get(old)!.role).toBe('follower');
    expect(emits(c, 'client-ok', 'reader')).toEqual([]);
    expect((await c.sim.snapshot<{ reads: unknown[] }>(old)).reads).toEqual([]);
    c.sim.faults.heal();
    c.runFor(500);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a cluster of one serves reads at once', async () => {
    const c = await RaftCluster.start({ seed: 1, n: 1 });
    await c.startClient({ commands: 40, reads: 0.5 });
    expect(c.runUntil(() => c.summary !== undefined, 2_000)).toBe(true);
    expect(c.summary!.reads).toBeGreaterThan(5);
    expect(c.monitor.finish()).toEqual([]);
  });
});
