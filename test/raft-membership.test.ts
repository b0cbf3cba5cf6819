import { describe, expect, it } from 'vitest';
import { RaftCluster } from './fixtures/raft-cluster.ts';
import { MEMBERSHIP_ASKER, type MembershipAskerProps } from './fixtures/raft-membership-asker.ts';

const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

/** Every running node of the cluster uses `members` (from its latest `raft-config`). */
const allUse = (c: RaftCluster, members: string[]) =>
  c.nodes.filter((id) => c.alive.has(id)).every((id) => JSON.stringify(c.configs.get(id)?.members) === JSON.stringify(members));

describe('raft single-server membership change (thesis 4.1)', () => {
  it('grows 3 -> 4 -> 5 under client load: the new servers catch up, no acknowledged command lost (3 seeds)', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const c = await RaftCluster.start({ seed, n: 3, link: uniform });
      await c.startClient({ commands: 600, window: 4, retryMs: 50 });
      expect(c.runUntil(() => c.acks >= 100, 5_000)).toBe(true);
      await c.spawnNode('n4');
      const r4 = await c.change({ add: 'n4' });
      expect(r4).toMatchObject({ ok: true, members: ['n1', 'n2', 'n3', 'n4'] });
      expect(c.runUntil(() => c.acks >= 250, 5_000)).toBe(true);
      await c.spawnNode('n5');
      expect(await c.change({ add: 'n5' })).toMatchObject({ ok: true, members: ['n1', 'n2', 'n3', 'n4', 'n5'] });
      expect(c.runUntil(() => c.summary !== undefined, 20_000)).toBe(true);
      c.runFor(300);
      expect(allUse(c, ['n1', 'n2', 'n3', 'n4', 'n5'])).toBe(true);
      expect(c.converged()).toBe(true);
      expect(c.applied.get('n5')!.length).toBe(c.applied.get('n1')!.length); // caught up from an empty log
      expect(c.monitor.finish()).toEqual([]);
    }
  });

  it('the new quorum counts the new server: with 4 members, two of them down, nothing commits', async () => {
    const c = await RaftCluster.start({ seed: 4, n: 3, link: uniform });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    c.runFor(100); // the leader commits its no-op: only then does it take a change
    await c.spawnNode('n4');
    expect(await c.change({ add: 'n4' })).toMatchObject({ ok: true });
    const leader = c.leader()!;
    const [a, b] = c.nodes.filter((id) => id !== leader);
    c.sim.faults.crash(a);
    c.sim.faults.crash(b); // 2 of 4 up: no majority of 3
    await c.startClient({ commands: 5, retryMs: 50, nodes: [leader] });
    c.runFor(1_000);
    expect(c.acks).toBe(0);
    c.sim.faults.recover(a);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('shrinks 5 -> 4 removing a follower, which is then shut down', async () => {
    const c = await RaftCluster.start({ seed: 5, n: 5, link: uniform });
    await c.startClient({ commands: 300, window: 4, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 50, 5_000)).toBe(true);
    const leader = c.leader()!;
    const gone = c.nodes.find((id) => id !== leader)!;
    const r = await c.change({ remove: gone });
    expect(r).toMatchObject({ ok: true, members: c.nodes.filter((id) => id !== gone) });
    c.retire(gone);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(300);
    expect(c.leader()).toBe(leader); // no election was needed
    expect(allUse(c, c.nodes)).toBe(true);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('removes the leader: it leads until the entry commits, then steps down; a remaining member leads (3 seeds)', async () => {
    for (let seed = 6; seed <= 8; seed++) {
      const c = await RaftCluster.start({ seed, n: 5, link: uniform });
      await c.startClient({ commands: 300, window: 4, retryMs: 50 });
      expect(c.runUntil(() => c.acks >= 50, 5_000)).toBe(true);
      const old = c.leader()!;
      const stepDowns: { reason: string; t: number }[] = [];
      const sub = c.sim.trace$.subscribe((e) => {
        if (e.type === 'emit' && e.actor === old && e.event.type === 'raft-step-down') stepDowns.push({ reason: e.event.reason as string, t: e.t });
      });
      const r = await c.change({ remove: old });
      expect(r).toMatchObject({ ok: true, members: c.nodes.filter((id) => id !== old) });
      expect(c.runUntil(() => c.leader() !== undefined && c.leader() !== old, 1_000)).toBe(true);
      sub.unsubscribe();
      expect(stepDowns.map((s) => s.reason)).toEqual(['removed']);
      expect(c.roles.get(old)!.role).toBe('follower');
      c.retire(old);
      expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
      c.runFor(300);
      expect(allUse(c, c.nodes)).toBe(true);
      expect(c.converged()).toBe(true);
      expect(c.monitor.finish()).toEqual([]);
    }
  });

  it('refuses a second change while the first is uncommitted, and malformed or impossible changes', async () => {
    const c = await RaftCluster.start({ seed: 9, n: 3, link: uniform });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    c.runFor(100);
    const leader = c.leader()!;
    const follower = c.nodes.find((id) => id !== leader)!;
    expect(await c.change({ add: 'n4' }, follower)).toMatchObject({ ok: false, reason: 'not the leader', leader });
    expect(await c.change({ add: 'n1', remove: 'n2' })).toMatchObject({ ok: false, reason: expect.stringMatching(/exactly one/) });
    expect(await c.change({ add: leader })).toMatchObject({ ok: false, reason: expect.stringMatching(/a member already/) });
    expect(await c.change({ remove: 'nobody' })).toMatchObject({ ok: false, reason: expect.stringMatching(/not a member/) });
    // Two changes in one turn: the second arrives while the first is appended but not committed.
    await c.spawnNode('n4');
    await c.sim.spawn('asker', MEMBERSHIP_ASKER, { props: { to: leader, changes: [{ add: 'n4' }, { add: 'n5' }] } satisfies MembershipAskerProps });
    const replies: Record<string, unknown>[] = [];
    c.sim.trace$.subscribe((e) => {
      if (e.type === 'emit' && e.actor === 'asker' && e.event.type === 'membership-reply') replies.push(e.event);
    });
    c.sim.send('asker', { kind: 'go' });
    expect(c.runUntil(() => replies.length === 2, 1_000)).toBe(true);
    expect(replies).toEqual([
      expect.objectContaining({ ok: false, reason: expect.stringMatching(/a configuration change \(index \d+\) is not committed yet/) }),
      expect.objectContaining({ ok: true, members: ['n1', 'n2', 'n3', 'n4'] }),
    ]);
    c.runFor(100);
    expect(allUse(c, ['n1', 'n2', 'n3', 'n4'])).toBe(true);
    expect(await c.change({ remove: 'n4' })).toMatchObject({ ok: true, members: ['n1', 'n2', 'n3'] });
    c.retire('n4');
    c.runFor(100);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('quorums follow the configuration: 5 with 2 down commits; after removing those 2, 3 with 1 down still commits', async () => {
    const c = await RaftCluster.start({ seed: 10, n: 5, link: uniform });
    await c.startClient({ commands: 400, window: 4, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 50, 5_000)).toBe(true);
    const leader = c.leader()!;
    const down = c.nodes.filter((id) => id !== leader).slice(0, 2);
    for (const id of down) c.sim.faults.crash(id);
    const before = c.acks;
    expect(c.runUntil(() => c.acks >= before + 50, 5_000)).toBe(true); // 3 of 5
    for (const id of down) {
      expect(await c.change({ remove: id })).toMatchObject({ ok: true });
      c.retire(id);
    }
    expect(c.configs.get(leader)!.members).toHaveLength(3);
    // One more crash, the leader's: 2 of 3 is a majority; they elect a leader and go on.
    c.sim.faults.crash(leader);
    const mid = c.acks;
    expect(c.runUntil(() => c.acks >= mid + 50, 5_000)).toBe(true);
    expect(c.leader()).not.toBe(leader);
    c.sim.faults.recover(leader);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(300);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a restarted member resumes with the configuration in its log', async () => {
    const c = await RaftCluster.start({ seed: 11, n: 3, link: uniform });
    expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
    c.runFor(100);
    await c.spawnNode('n4');
    expect(await c.change({ add: 'n4' })).toMatchObject({ ok: true });
    c.runFor(100);
    const follower = c.nodes.find((id) => id !== c.leader() && id !== 'n4')!;
    c.configs.delete(follower);
    c.sim.faults.crash(follower);
    c.sim.faults.recover(follower);
    expect(c.configs.get(follower)?.members).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(c.monitor.finish()).toEqual([]);
  });
});
