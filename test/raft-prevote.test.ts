import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const fixed2ms = { latency: { kind: 'fixed', ms: 2 } } as const;
const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

/** The `emit` events of `type` (optionally of one actor) from the cluster's trace. */
const emitted = (c: RaftCluster, type: string, actor?: string) =>
  c.sim.recorder.events.filter(
    (e): e is Extract<TraceEvent, { type: 'emit' }> => e.type === 'emit' && e.event.type === type && (actor === undefined || e.actor === actor),
  );

/** Each node's current term, from snapshots (raft-role events carry a term only when the role changes). */
const terms = async (c: RaftCluster) => Promise.all(c.nodes.map(async (id) => (await c.sim.snapshot<{ term: number }>(id)).term));

/** Isolates one follower of a settled 5-node cluster for `isolateMs`, heals, runs 2 s more. */
async function isolateFollower(seed: number, raft: { preVote?: boolean; checkQuorum?: boolean } = {}, isolateMs = 2_000) {
  const c = await RaftCluster.start({ seed, link: uniform, raft });
  await c.startClient({ commands: 1_000_000, retryMs: 50 }); // steady load: the follower falls behind, or not
  expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
  c.runFor(300);
  const leader = c.leader()!;
  const term = c.roles.get(leader)!.term;
  const elections = c.elections.length;
  const victim = c.nodes.find((id) => id !== leader)!;
  c.sim.faults.partition([[victim], c.nodes.filter((id) => id !== victim)]);
  c.runFor(isolateMs); // several election timeouts (150-300 ms each)
  const victimTermWhileCut = (await c.sim.snapshot<{ term: number }>(victim)).term;
  c.sim.faults.heal();
  c.runFor(2_000);
  return { c, leader, term, elections, victim, victimTermWhileCut };
}

describe('raft pre-vote (thesis 9.6): a rejoining node does not disrupt a healthy leader', () => {
  it('a follower cut off for ~10 election timeouts rejoins: same leader, same term, no election (5 seeds)', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { c, leader, term, elections, victim, victimTermWhileCut } = await isolateFollower(seed);
      expect(victimTermWhileCut).toBe(term); // its pre-votes failed: it never raised its term
      expect(emitted(c, 'raft-prevote', victim).length).toBeGreaterThanOrEqual(5); // it did try, again and again
      expect(c.leader()).toBe(leader);
      expect(c.roles.get(leader)!.term).toBe(term);
      expect(await terms(c)).toEqual(c.nodes.map(() => term));
      expect(c.elections.length).toBe(elections);
      expect(c.roles.get(victim)!.role).toBe('follower');
      const before = c.acks;
      c.runFor(300);
      expect(c.acks).toBeGreaterThan(before); // and the cluster still serves
      expect(c.monitor.finish()).toEqual([]);
    }
  });

  it('without pre-vote (preVote: false) the same rejoin deposes the leader: the old behaviour, for contrast', async () => {
    const { c, term, elections, victimTermWhileCut } = await isolateFollower(1, { preVote: false });
    expect(victimTermWhileCut).toBeGreaterThan(term + 3); // a term per timeout while cut off
    expect(Math.max(...(await terms(c)))).toBeGreaterThan(term); // its term forces an election on heal
    expect(c.elections.length).toBeGreaterThan(elections);
    expect(c.monitor.finish()).toEqual([]);
  });

  it("a candidate-to-be with a stale log is refused at pre-vote, so it never bumps anyone's term", async () => {
    // n = 3 with an idle leader is the case the lease matters most: logs are equal, only the
    // "heard from a leader lately" rule refuses the pre-vote.
    const c = await RaftCluster.start({ seed: 9, n: 3, link: fixed2ms });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    c.runFor(200);
    const leader = c.leader()!;
    const term = c.roles.get(leader)!.term;
    const victim = c.nodes.find((id) => id !== leader)!;
    c.sim.faults.partition([[victim], c.nodes.filter((id) => id !== victim)]);
    c.runFor(1_500);
    c.sim.faults.heal();
    c.runFor(1_500);
    expect(c.leader()).toBe(leader);
    expect(await terms(c)).toEqual(c.nodes.map(() => term));
    expect(c.monitor.finish()).toEqual([]);
  });
});

describe('raft check-quorum (thesis 6.2): a leader without a majority steps down', () => {
  it('a leader in a minority partition steps down within an election timeout plus a heartbeat (5 seeds)', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const c = await RaftCluster.start({ seed, link: uniform });
      await c.startClient({ commands: 1_000_000, retryMs: 50 });
      expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
      c.runFor(200);
      const old = c.leader()!;
      const term = c.roles.get(old)!.term;
      const others = c.nodes.filter((id) => id !== old);
      c.sim.faults.partition([[old, others[0]], others.slice(1)]);
      const cutAt = c.sim.now();
      expect(c.runUntil(() => c.roles.get(old)!.role === 'follower', 1_000)).toBe(true);
      const after = c.sim.now() - cutAt;
      // electionTimeoutMaxMs (300) without an answer, noticed at the next heartbeat (50 ms).
      expect(after).toBeLessThanOrEqual(300 + 50 + 10);
      const stepDown = emitted(c, 'raft-role', old).at(-1)!;
      expect(stepDown.event).toMatchObject({ role: 'follower', term });
      expect(emitted(c, 'raft-step-down', old).at(-1)!.event).toMatchObject({ term, reason: 'check-quorum' });
      // The majority goes on; on heal everything converges, safely.
      c.runFor(1_000);
      c.sim.faults.heal();
      c.runFor(1_000);
      expect(c.monitor.finish()).toEqual([]);
    }
  });

  it('with checkQuorum: false the cut-off leader keeps believing it leads until it hears a newer term', async () => {
    const c = await RaftCluster.start({ seed: 2, link: uniform, raft: { checkQuorum: false } });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    c.runFor(200);
    const old = c.leader()!;
    const others = c.nodes.filter((id) => id !== old);
    c.sim.faults.partition([[old, others[0]], others.slice(1)]);
    c.runFor(1_500);
    expect(c.roles.get(old)!.role).toBe('leader');
    c.sim.faults.heal();
    expect(c.runUntil(() => c.roles.get(old)!.role === 'follower', 1_000)).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a healthy leader with one follower down keeps leading (a majority still answers)', async () => {
    const c = await RaftCluster.start({ seed: 4, link: uniform });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    const leader = c.leader()!;
    const term = c.roles.get(leader)!.term;
    const [a, b] = c.nodes.filter((id) => id !== leader);
    c.sim.faults.crash(a);
    c.sim.faults.crash(b);
    c.runFor(2_000);
    expect(c.leader()).toBe(leader);
    expect(c.roles.get(leader)!.term).toBe(term);
  });
});

describe('raft replication lag in the trace', () => {
  it("the leader emits raft-lag at most once per heartbeat, only on change, and a crashed follower's lag grows", async () => {
    const c = await RaftCluster.start({ seed: 3, link: fixed2ms });
    await c.startClient({ commands: 400, window: 4 });
    expect(c.runUntil(() => c.acks >= 50, 5_000)).toBe(true);
    const leader = c.leader()!;
    const victim = c.nodes.find((id) => id !== leader)!;
    c.sim.faults.crash(victim);
    expect(c.runUntil(() => c.acks >= 250, 10_000)).toBe(true);
    c.sim.faults.recover(victim);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(300); // idle: lags settle at 0 and stop being emitted
    const lags = emitted(c, 'raft-lag', leader);
    expect(lags.length).toBeGreaterThan(3);
    for (let i = 1; i < lags.length; i++) {
      expect(lags[i].t - lags[i - 1].t).toBeGreaterThanOrEqual(50); // heartbeat interval
      expect(lags[i].event.lag).not.toEqual(lags[i - 1].event.lag); // only when something changed
    }
    const others = c.nodes.filter((id) => id !== leader);
    expect(Object.keys(lags[0].event.lag as object).sort()).toEqual(others.sort());
    const victimLag = lags.map((e) => (e.event.lag as Record<string, number>)[victim]);
    expect(Math.max(...victimLag)).toBeGreaterThan(100); // ~200 commands went by while it was down
    expect((lags.at(-1)!.event.lag as Record<string, number>)[victim]).toBe(0); // and it caught up
    const idleSince = c.sim.now() - 250;
    expect(lags.filter((e) => e.t > idleSince)).toEqual([]);
  });
});
