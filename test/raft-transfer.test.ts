import { describe, expect, it } from 'vitest';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

const transfer = (c: RaftCluster, leader: string, target: string) =>
  c.sim.ask(leader, { kind: RAFT_KINDS.transferLeadership, body: { target } }, { timeoutMs: 2_000 }).then((r) => r.body as { ok: boolean; reason?: string });

describe('raft leadership transfer (thesis 3.10)', () => {
  it('moves leadership to the target within a bound, under load, with no acknowledged command lost (5 seeds)', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const c = await RaftCluster.start({ seed, link: uniform });
      await c.startClient({ commands: 400, window: 4, retryMs: 50 });
      expect(c.runUntil(() => c.acks >= 100, 5_000)).toBe(true);
      const old = c.leader()!;
      const term = c.roles.get(old)!.term;
      const target = c.nodes.filter((id) => id !== old)[seed % 4];
      const askedAt = c.sim.now();
      expect(await transfer(c, old, target)).toEqual({ ok: true, target });
      expect(c.runUntil(() => c.leader() === target, 500)).toBe(true);
      const took = c.sim.now() - askedAt;
      expect(took).toBeLessThan(100); // a catch-up, TimeoutNow and one round of votes: well under an election timeout
      expect(c.elections.at(-1)).toMatchObject({ actor: target, term: term + 1 });
      expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
      c.runFor(200);
      expect(c.converged()).toBe(true);
      expect(c.monitor.finish()).toEqual([]);
    }
  });

  it('refuses an unknown target, and a follower refuses to transfer', async () => {
    const c = await RaftCluster.start({ seed: 2, link: uniform });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    const leader = c.leader()!;
    expect(await transfer(c, leader, 'nobody')).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown target/) });
    const follower = c.nodes.find((id) => id !== leader)!;
    expect(await transfer(c, follower, leader)).toMatchObject({ ok: false, reason: 'not the leader' });
  });

  it('a transfer to a crashed target aborts after an election timeout and the leader resumes taking commands', async () => {
    const c = await RaftCluster.start({ seed: 3, link: uniform });
    await c.startClient({ commands: 300, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 50, 5_000)).toBe(true);
    const leader = c.leader()!;
    const target = c.nodes.find((id) => id !== leader)!;
    c.sim.faults.crash(target);
    c.runFor(20); // the client keeps appending: the target falls behind
    const reply = await transfer(c, leader, target);
    expect(reply).toMatchObject({ ok: false, reason: expect.stringMatching(/did not take over/) });
    expect(c.leader()).toBe(leader);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    expect(c.leader()).toBe(leader);
    expect(c.monitor.finish()).toEqual([]);
  });
});
