import { describe, expect, it } from 'vitest';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';
import { MEMBERSHIP_ASKER, type MembershipAskerProps } from './fixtures/raft-membership-asker.ts';

const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

/** The `raft-learner` events of a cluster's trace, in order: phase and learner. */
const learnerEvents = (c: RaftCluster) =>
  c.sim.recorder.events.flatMap((e) =>
    e.type === 'emit' && e.event.type === 'raft-learner'
      ? [{ actor: e.actor, ...(e.event as { learner: string; phase: string; rounds?: number; reason?: string }) }]
      : [],
  );

describe('raft non-voting learners (thesis 4.2.1, learnerRounds)', () => {
  it('a new server catches up as a learner, then joins as a voter; the cluster converges with it', async () => {
    const c = await RaftCluster.start({ seed: 2, n: 3, link: uniform, raft: { learnerRounds: 10 } });
    await c.startClient({ commands: 3_000, window: 16, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 1_500, 20_000)).toBe(true);
    await c.spawnNode('n4');
    const r = await c.change({ add: 'n4' }, c.leader()!, 5_000);
    expect(r).toMatchObject({ ok: true, members: ['n1', 'n2', 'n3', 'n4'] });
    expect(learnerEvents(c).map((e) => e.phase)).toEqual(['start', 'promoted']);
    // The configuration with n4 was appended only once it had caught up as a learner.
    const events = c.sim.recorder.events;
    const at = (match: (ev: Record<string, unknown>) => boolean) => events.findIndex((e) => e.type === 'emit' && match(e.event as Record<string, unknown>));
    const start = at((ev) => ev.type === 'raft-learner' && ev.phase === 'start');
    const promoted = at((ev) => ev.type === 'raft-learner' && ev.phase === 'promoted');
    const joined = at((ev) => ev.type === 'raft-config' && (ev.members as string[]).includes('n4'));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(promoted).toBeGreaterThan(start);
    expect(joined).toBeGreaterThan(promoted);
    // It caught up before it counted: between start and promotion n4 applied over 1,000 entries.
    expect(raftApplies(events.slice(start, promoted), 'n4').length).toBeGreaterThan(1_000);
    expect(c.runUntil(() => c.summary !== undefined, 30_000)).toBe(true);
    c.runFor(300);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  /**
   * 3 members, one of them down: the other two still make a majority. A fourth server that
   * cannot keep up (here: down from the start) is added. As a voter at once (learnerRounds 0),
   * the new configuration of 4 needs 3 and only 2 answer: commits stop. As a learner, nothing
   * counts it, commits go on, and the change is refused once a round overran.
   */
  async function addUnavailable(learnerRounds: number): Promise<{ during: number; reply: unknown }> {
    const c = await RaftCluster.start({ seed: 6, n: 3, link: uniform, raft: { learnerRounds } });
    await c.startClient({ commands: 1_000_000, window: 8, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 200, 10_000)).toBe(true);
    const leader = c.leader()!;
    c.sim.faults.crash(c.nodes.find((n) => n !== leader)!);
    await c.spawnNode('n4');
    c.sim.faults.crash('n4');
    const before = c.acks;
    const reply = await c.change({ add: 'n4' }, leader, 4_000).catch((e: Error) => `no reply: ${e.name}`);
    return { during: c.acks - before, reply };
  }

  it('adding a server that cannot catch up no longer stalls commits', async () => {
    const voter = await addUnavailable(0);
    expect(voter.during).toBeLessThan(20); // the few in flight before the entry, then nothing
    // The leader hears from 1 of 3 others in the configuration of 4: check-quorum deposes it.
    expect(voter.reply).toMatchObject({ ok: false, reason: expect.stringMatching(/deposed/) });
    const learner = await addUnavailable(5);
    expect(learner.during).toBeGreaterThan(500);
    expect(learner.reply).toMatchObject({ ok: false, reason: expect.stringMatching(/n4 made no round/) });
  });

  it('one change at a time: a second change is refused while a learner catches up; bad learnerRounds is refused by name', async () => {
    const c = await RaftCluster.start({ seed: 8, n: 3, link: uniform, raft: { learnerRounds: 3 } });
    await c.startClient({ commands: 1_000_000, window: 8, retryMs: 50 });
    expect(c.runUntil(() => c.acks >= 100, 10_000)).toBe(true);
    await c.spawnNode('n4');
    c.sim.faults.crash('n4');
    await c.spawnNode('n5');
    // Both changes in one turn: the second arrives while n4 is a learner.
    await c.sim.spawn('asker', MEMBERSHIP_ASKER, { props: { to: c.leader()!, changes: [{ add: 'n4' }, { add: 'n5' }] } satisfies MembershipAskerProps });
    const replies: Record<string, unknown>[] = [];
    c.sim.trace$.subscribe((e) => {
      if (e.type === 'emit' && e.actor === 'asker' && e.event.type === 'membership-reply') replies.push(e.event);
    });
    c.sim.send('asker', { kind: 'go' });
    expect(c.runUntil(() => replies.length === 2, 5_000)).toBe(true);
    expect(replies).toEqual([
      expect.objectContaining({ ok: false, reason: 'n4 is catching up as a learner' }),
      expect.objectContaining({ ok: false, reason: expect.stringMatching(/n4 made no round/) }),
    ]);
    await expect(RaftCluster.start({ seed: 1, n: 3, raft: { learnerRounds: -1 } })).rejects.toThrow(/learnerRounds/);
  });
});
