import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Behaviour } from '../src/actors/behaviour.ts';
import type { Envelope } from '../src/actors/envelope.ts';
import type { BehaviourRef } from '../src/actors/registry.ts';
import { historyOps, type HistoryOp } from '../src/check/history-export.ts';
import { RaftSafetyMonitor } from '../src/check/raft-safety.ts';
import { SimSystem, type TraceEvent } from '../src/index.ts';
import { lastIndex, logStart } from '../src/protocols/raft/log.ts';
import type { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import { type InstallSnapshot, RAFT_KINDS, type RaftProps } from '../src/protocols/raft/messages.ts';
import { raftNode } from '../src/protocols/raft/raft-node.ts';
import type { RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../src/protocols/raft/refs.ts';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';
import { entry, follower } from './fixtures/raft-by-hand.ts';
import { statelessSnapshotRaftNode, tailKeepingSnapshotRaftNode } from './fixtures/raft-snapshot-bugs.ts';

const link = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

interface SnapshotEvent {
  actor: string;
  how: string;
  index: number;
  digest: string;
  chars: number;
}

/** Every `raft-snapshot` event of a trace: who, how, at which index, with which digest. */
function snapshotEvents(events: readonly TraceEvent[]): SnapshotEvent[] {
  return events.flatMap((e) =>
    e.type === 'emit' && e.event.type === 'raft-snapshot'
      ? [{ actor: e.actor, how: e.event.how as string, index: e.event.index as number, digest: e.event.digest as string, chars: e.event.chars as number }]
      : [],
  );
}

/** What each node applied, by index (a node restored from a snapshot has no entries below it). */
function appliedByIndex(events: readonly TraceEvent[], actor: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const a of raftApplies(events, actor)) m.set(a.index, `${a.term}:${JSON.stringify(a.command)}`);
  return m;
}

describe('raft log compaction and InstallSnapshot (sim)', () => {
  it('a follower wiped mid-run is brought back by a chunked InstallSnapshot, then applies what the others apply', async () => {
    const c = await RaftCluster.start({ seed: 7, link, raft: { snapshotEvery: 100, snapshotChunkChars: 64 } });
    await c.startClient({ commands: 1_000_000, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 150, 5_000)).toBe(true);
    const victim = c.nodes.find((n) => n !== c.leader())!;
    c.sim.faults.crash(victim);
    expect(c.runUntil(() => c.acks >= 600, 10_000)).toBe(true);
    // The others compacted past anything the victim could ask for by AppendEntries.
    const leaderState = await c.sim.snapshot<RaftNodeState>(c.leader()!);
    expect(logStart(leaderState.log)).toBeGreaterThan(0);
    const events = c.sim.recorder.events;
    const restart = events.length;
    c.sim.faults.recover(victim, { wipe: true });
    expect(c.runUntil(() => snapshotEvents(events).some((e) => e.actor === victim && e.how === 'installed'), 5_000)).toBe(true);
    const installed = snapshotEvents(events).find((e) => e.actor === victim && e.how === 'installed')!;
    // Its state, as restored, is the one the others snapshotted at that index (same digest).
    const taken = snapshotEvents(events).filter((e) => e.how === 'taken' && e.index === installed.index);
    expect(taken.length).toBeGreaterThanOrEqual(3);
    for (const t of taken) expect(t.digest).toBe(installed.digest);
    // Chunked: the snapshot text is several chunks of 64 characters.
    expect(installed.chars).toBeGreaterThan(3 * 64);
    const ackedAtInstall = c.acks;
    expect(c.runUntil(() => c.acks >= ackedAtInstall + 300, 10_000)).toBe(true);
    c.runFor(500); // followers learn the last commits with the next heartbeats
    const v = await c.sim.snapshot<RaftNodeState>(victim);
    const l = await c.sim.snapshot<RaftNodeState>(c.leader()!);
    // Caught up, and everything it applied after the snapshot is what the leader applied there.
    expect(v.lastApplied).toBeGreaterThan(installed.index + 300);
    expect(v.lastApplied).toBeGreaterThanOrEqual(l.lastApplied - 64);
    const mine = appliedByIndex(events.slice(restart), victim);
    const theirs = appliedByIndex(events, c.leader()!);
    expect(Math.min(...mine.keys())).toBe(installed.index + 1);
    for (const [i, id] of mine) if (theirs.has(i)) expect(id).toBe(theirs.get(i));
    // It then snapshots on the same grid as the others, with the same state (digest) at each index.
    const later = snapshotEvents(events.slice(restart)).filter((e) => e.actor === victim && e.how === 'taken');
    expect(later.length).toBeGreaterThanOrEqual(3);
    const leaderTaken = new Map(
      snapshotEvents(events)
        .filter((e) => e.actor === c.leader() && e.how === 'taken')
        .map((e) => [e.index, e.digest]),
    );
    for (const e of later) expect(e.digest).toBe(leaderTaken.get(e.index));
    expect(c.monitor.finish()).toEqual([]);
  });

  it('memory stays bounded: the log holds at most a snapshot interval and a pipeline behind it', async () => {
    const c = await RaftCluster.start({ seed: 3, link, raft: { snapshotEvery: 200 }, keepTrace: false });
    await c.startClient({ commands: 3_000, window: 32 });
    expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
    c.runFor(500);
    for (const id of c.nodes) {
      const s = await c.sim.snapshot<RaftNodeState>(id);
      expect(lastIndex(s.log)).toBeGreaterThan(3_000);
      expect(s.log.length).toBeLessThanOrEqual(200 + 64 * 4 + 32);
      expect(s.snapshot!.index % 200).toBe(0);
    }
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a node restarted with its disk recovers from its snapshot plus its log tail', async () => {
    const c = await RaftCluster.start({ seed: 11, link, raft: { snapshotEvery: 50 } });
    await c.startClient({ commands: 1_000_000, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 230, 10_000)).toBe(true);
    const victim = c.nodes.find((n) => n !== c.leader())!;
    const before = await c.sim.snapshot<RaftNodeState>(victim);
    expect(before.snapshot!.index).toBeGreaterThanOrEqual(200);
    c.sim.faults.crash(victim);
    c.sim.faults.recover(victim);
    const events = c.sim.recorder.events;
    const recovered = snapshotEvents(events).filter((e) => e.actor === victim && e.how === 'recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].index).toBe(before.snapshot!.index);
    expect(recovered[0].digest).toBe(before.snapshot!.digest);
    const after = await c.sim.snapshot<RaftNodeState>(victim);
    expect(after.lastApplied).toBe(before.snapshot!.index);
    expect(lastIndex(after.log)).toBe(lastIndex(before.log));
    expect(c.runUntil(() => c.acks >= 400, 10_000)).toBe(true);
    c.runFor(300);
    // It went on applying right after its snapshot (apply order holds) and agrees.
    const mine = appliedByIndex(events.slice(events.findIndex((e) => e.type === 'spawn' && e.actor === victim && e.t > 0)), victim);
    expect(Math.min(...mine.keys())).toBe(before.snapshot!.index + 1);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('client sessions survive a snapshot: a retried command already applied is not applied again', async () => {
    const c = await RaftCluster.start({ seed: 5, n: 3, link, raft: { snapshotEvery: 10, maxBatch: 4, maxInflight: 2 } });
    // 39 commands after the first leader's no-op: the last one lands on index 40, a snapshot index.
    await c.startClient({ commands: 39 });
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(300);
    const follower = c.nodes.find((n) => n !== c.leader())!;
    // Wipe a follower so it holds only the installed snapshot (no entry to apply after it), then make it the leader.
    c.sim.faults.crash(follower);
    const restart = c.sim.recorder.events.length;
    c.sim.faults.recover(follower, { wipe: true });
    expect(c.runUntil(() => snapshotEvents(c.sim.recorder.events).some((e) => e.actor === follower && e.how === 'installed'), 3_000)).toBe(true);
    expect(snapshotEvents(c.sim.recorder.events).find((e) => e.actor === follower && e.how === 'installed')!.index).toBe(40);
    c.runFor(300);
    const r = await c.sim.ask(c.leader()!, { kind: RAFT_KINDS.transferLeadership, body: { target: follower } }, { timeoutMs: 2_000 });
    expect((r.body as { ok: boolean }).ok).toBe(true);
    expect(c.runUntil(() => c.leader() === follower, 2_000)).toBe(true);
    c.runFor(200);
    // Every client command it knows of came with the snapshot: it applied none since it restarted.
    expect(raftApplies(c.sim.recorder.events.slice(restart), follower).some((a) => a.client !== undefined)).toBe(false);
    const applied = (await c.sim.snapshot<RaftNodeState>(follower)).lastApplied;
    // The client's seq 39 again: the session restored from the snapshot answers it with the stored result, and nothing is applied.
    const again = await c.sim.ask(
      follower,
      { kind: RAFT_KINDS.clientRequest, body: { clientId: 'client', seq: 39, command: { op: 'put', key: 'k7', value: 'client:39' } } },
      { timeoutMs: 2_000 },
    );
    expect(again.body).toMatchObject({ ok: true, seq: 39, index: 40 });
    c.runFor(200);
    expect((await c.sim.snapshot<RaftNodeState>(follower)).lastApplied).toBe(applied);
    expect(c.monitor.finish()).toEqual([]);
  });
});

/** Runs 5 nodes of `node` with a client, wipes a follower mid-run and brings it back; returns the checker's findings. */
async function wipeAndRestore(node: BehaviourRef, props: Omit<RaftProps, 'peers'>): Promise<{ properties: Set<string>; installed: number }> {
  const sim = new SimSystem({ seed: 21, keepTrace: true, traceLevel: 'events', link });
  const monitor = new RaftSafetyMonitor();
  sim.trace$.subscribe((e) => monitor.observe(e));
  const peers = ['n1', 'n2', 'n3', 'n4', 'n5'];
  for (const id of peers) await sim.spawn(id, node, { props: { ...props, peers } satisfies RaftProps });
  await sim.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 400, retryMs: 50, reads: 0.2 } });
  sim.send('client', { kind: 'start' });
  sim.run({ untilMs: 1_500 });
  sim.faults.crash('n3');
  sim.run({ untilMs: 3_000 });
  sim.faults.recover('n3', { wipe: true });
  sim.run({ untilMs: 8_000 });
  const installed = snapshotEvents(sim.recorder.events).filter((e) => e.how === 'installed').length;
  return { properties: new Set(monitor.finish().map((v) => v.property)), installed };
}

const fixture = (name: string): BehaviourRef => ({ module: fileURLToPath(new URL('./fixtures/raft-snapshot-bugs.ts', import.meta.url)), export: name });

describe('a planted bug in snapshot installation is caught by the checkers', () => {
  it("installing the snapshot's index without its state: state-machine safety (snapshot digests) fails", async () => {
    const bug = await wipeAndRestore(fixture('statelessSnapshotRaftNode'), {});
    expect(bug.installed).toBeGreaterThan(0);
    expect(bug.properties.has('state-machine-safety')).toBe(true);
    // The same schedule with the real node, compacting as hard: snapshots installed, nothing found.
    const real = await wipeAndRestore(RAFT_NODE, { snapshotEvery: 10, maxBatch: 4, maxInflight: 1 });
    expect(real.installed).toBeGreaterThan(0);
    expect([...real.properties]).toEqual([]);
  });
});

/**
 * A reference check of reads in an exported history (single-register semantics per key, writes
 * ordered by the log index their ok carries): a read returns a value some write to its key
 * wrote, and no write to that key with a higher index was acknowledged before the read was
 * invoked. Returns the reads that break it.
 */
function staleReads(ops: readonly HistoryOp[]): string[] {
  const writes = new Map<string, { key: string; index?: number }>();
  for (const op of ops) if (op.f === 'write' && op.type === 'invoke') writes.set(String(op.value), { key: op.key, index: undefined });
  for (const op of ops) if (op.f === 'write' && op.type === 'ok') writes.get(String(op.value))!.index = op.index;
  const bad: string[] = [];
  const ackedTop = new Map<string, number>(); // per key, the highest index acknowledged so far
  const floorAtInvoke = new Map<string, number>();
  for (const op of ops) {
    if (op.f === 'write' && op.type === 'ok') ackedTop.set(op.key, Math.max(ackedTop.get(op.key) ?? 0, op.index!));
    if (op.f !== 'read') continue;
    if (op.type === 'invoke') floorAtInvoke.set(op.process, ackedTop.get(op.key) ?? 0);
    if (op.type !== 'ok') continue;
    const floor = floorAtInvoke.get(op.process) ?? 0;
    const w = op.value === null ? undefined : writes.get(String(op.value));
    if (op.value === null ? floor > 0 : w === undefined || w.key !== op.key || (w.index !== undefined && w.index < floor))
      bad.push(`${op.process} read ${op.key}=${String(op.value)} with index ${floor} acknowledged before`);
  }
  return bad;
}

describe('history export across compaction', () => {
  it('reads answered by a leader whose state came from an installed snapshot are not stale', async () => {
    const c = await RaftCluster.start({ seed: 9, n: 3, link, raft: { snapshotEvery: 50, maxBatch: 4, maxInflight: 2 } });
    await c.startClient({ commands: 1_000_000, retryMs: 50, reads: 0.3, window: 4 });
    expect(c.runUntil(() => c.acks >= 100, 5_000)).toBe(true);
    const follower = c.nodes.find((n) => n !== c.leader())!;
    c.sim.faults.crash(follower);
    expect(c.runUntil(() => c.acks >= 400, 10_000)).toBe(true);
    c.sim.faults.recover(follower, { wipe: true });
    const events = c.sim.recorder.events;
    expect(c.runUntil(() => snapshotEvents(events).some((e) => e.actor === follower && e.how === 'installed'), 3_000)).toBe(true);
    c.runFor(200);
    // The restored follower takes over: from now on it answers the reads, from snapshot state.
    const r = await c.sim.ask(c.leader()!, { kind: RAFT_KINDS.transferLeadership, body: { target: follower } }, { timeoutMs: 2_000 });
    expect((r.body as { ok: boolean }).ok).toBe(true);
    const switched = events.length;
    expect(c.runUntil(() => c.acks >= 700, 10_000)).toBe(true);
    const after = events.slice(switched);
    const readsAfter = after.filter((e) => e.type === 'emit' && e.event.type === 'client-ok' && e.event.f === 'read' && e.event.value !== null);
    expect(readsAfter.length).toBeGreaterThan(20);
    const ops = historyOps(events, { lanes: true });
    expect(ops.filter((o) => o.f === 'read' && o.type === 'ok').length).toBeGreaterThan(50);
    expect(staleReads(ops)).toEqual([]);
    expect(c.monitor.finish()).toEqual([]);
    // The reference check can fail: serve one read an older value of its key, and it says so.
    const i = ops.findLastIndex((o) => o.f === 'read' && o.type === 'ok' && o.value !== null);
    const key = ops[i].key;
    const old = ops.find((o) => o.f === 'write' && o.type === 'ok' && o.key === key && o.value !== ops[i].value)!;
    const tampered = ops.map((o, j) => (j === i ? { ...o, value: old.value } : o));
    expect(staleReads(tampered).length).toBe(1);
  });
});

describe('the planted snapshot bugs really are the bugs they are named after (by hand)', () => {
  type Node = Behaviour<RaftNodeState, RaftProps>;
  type Draft = Parameters<Node['receive']>[0];
  const install = (body: InstallSnapshot): Envelope => ({ id: 1, from: 'n1', to: 'n2', kind: RAFT_KINDS.installSnapshot, body });
  const data = JSON.stringify({ machine: [['k', 'from-snapshot']], sessions: [] });
  const snapshotAt2 = (lastTerm: number): InstallSnapshot => ({
    term: 2,
    index: 2,
    lastTerm,
    configIndex: 0,
    members: ['n1', 'n2', 'n3'],
    offset: 0,
    data,
    done: true,
  });

  it('a conflicting tail (index 2 holds term 1, the snapshot says term 2): real discards it, the mutant keeps it', () => {
    const run = (node: Node) => {
      const { s, r } = follower('n2', ['n1', 'n2', 'n3'], 1, [entry(1, 'a'), entry(1, 'b'), entry(1, 'c'), entry(1, 'd')]);
      node.receive(s as unknown as Draft, install(snapshotAt2(2)), r.ctx);
      return { last: lastIndex(s.log), start: logStart(s.log), applied: s.lastApplied };
    };
    expect(run(raftNode)).toEqual({ last: 2, start: 2, applied: 2 });
    expect(run(tailKeepingSnapshotRaftNode)).toEqual({ last: 4, start: 2, applied: 2 });
  });

  it('a matching tail (index 2 holds term 2): both keep it, as Figure 5.3 says', () => {
    const run = (node: Node) => {
      const { s, r } = follower('n2', ['n1', 'n2', 'n3'], 2, [entry(1, 'a'), entry(2, 'b'), entry(2, 'c')]);
      node.receive(s as unknown as Draft, install(snapshotAt2(2)), r.ctx);
      return lastIndex(s.log);
    };
    expect(run(raftNode)).toBe(3);
    expect(run(tailKeepingSnapshotRaftNode)).toBe(3);
  });

  it("the state: real restores the snapshot's store, the stateless mutant keeps its own", () => {
    const run = (node: Node) => {
      const { s, r } = follower('n2', ['n1', 'n2', 'n3'], 1, []);
      node.receive(s as unknown as Draft, install(snapshotAt2(2)), r.ctx);
      return { applied: s.lastApplied, k: (s.applied.machine as KeyValueMachine).get('k') };
    };
    expect(run(raftNode)).toEqual({ applied: 2, k: 'from-snapshot' });
    expect(run(statelessSnapshotRaftNode)).toEqual({ applied: 2, k: null });
  });
});
