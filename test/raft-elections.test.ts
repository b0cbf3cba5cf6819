import { describe, expect, it } from 'vitest';
import { checkRaftSafety } from '../src/check/raft-safety.ts';
import { createPrng, SimSystem } from '../src/index.ts';
import type { RaftClientSummary } from '../src/protocols/raft/raft-client.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../src/protocols/raft/refs.ts';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const fixed2ms = { latency: { kind: 'fixed', ms: 2 } } as const;
const uniform = { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } as const;

describe('raft elections and replication (sim, 5 nodes)', () => {
  it('elects a leader within a bound of virtual time, on every seed tried', async () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const c = await RaftCluster.start({ seed, link: seed % 2 ? fixed2ms : uniform });
      expect(c.runUntil(() => c.leader() !== undefined, 2_000)).toBe(true);
      times.push(c.elections[0].t);
      expect(c.monitor.finish()).toEqual([]);
    }
    // One election timeout (150-300 ms) plus a round trip, and the odd split vote.
    expect(Math.max(...times)).toBeLessThan(1_000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(150);
    const sorted = [...times].sort((a, b) => a - b);
    console.info(`raft first election (20 seeds): min ${sorted[0].toFixed(0)} ms, median ${sorted[10].toFixed(0)} ms, max ${sorted[19].toFixed(0)} ms virtual`);
  });

  it('keeps exactly one leader per term over a long run of leader crashes', async () => {
    const c = await RaftCluster.start({ seed: 3, link: uniform });
    await c.startClient({ commands: 1_000_000, retryMs: 50 }); // never finishes: steady load
    for (let round = 0; round < 30; round++) {
      expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
      c.runFor(500);
      const leader = c.leader()!;
      c.sim.faults.crash(leader);
      c.runFor(400);
      c.sim.faults.recover(leader);
    }
    const terms = c.elections.map((e) => e.term);
    expect(new Set(terms).size).toBe(terms.length);
    expect(terms.length).toBeGreaterThanOrEqual(30);
    expect(c.acks).toBeGreaterThan(1_000);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('acknowledges 200 commands and applies them in the same order on every node', async () => {
    const sim = new SimSystem({ seed: 42, keepTrace: true, traceLevel: 'events', link: fixed2ms });
    const peers = ['n1', 'n2', 'n3', 'n4', 'n5'];
    for (const id of peers) await sim.spawn(id, RAFT_NODE, { props: { peers } });
    await sim.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 200, clientId: 'c1' } });
    const wall = performance.now();
    const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as RaftClientSummary;
    const wallMs = performance.now() - wall;
    expect(summary.acked).toBe(200);
    sim.run({ untilMs: sim.now() + 200 }); // followers learn the last commit with the next heartbeat
    const events = sim.recorder.events;
    const perNode = new Map<string, number[]>();
    for (const a of raftApplies(events)) {
      if (a.client === undefined) continue;
      if (!perNode.has(a.actor)) perNode.set(a.actor, []);
      perNode.get(a.actor)!.push(a.seq!);
    }
    const inOrder = Array.from({ length: 200 }, (_, i) => i + 1);
    for (const id of peers) expect(perNode.get(id)).toEqual(inOrder);
    expect(checkRaftSafety(events)).toEqual([]);
    const virtualS = (summary.lastAt - summary.firstAt) / 1000;
    console.info(
      `raft 200 commands (n=5, window 1, 2 ms links): ${(200 / virtualS).toFixed(0)} commands/s virtual over ${(virtualS * 1000).toFixed(0)} ms; ${(200 / (wallMs / 1000)).toFixed(0)} commands/s wall over ${wallMs.toFixed(0)} ms (election included)`,
    );
  });

  it('survives a leader crash: a new leader within ~1 s, the client finishes, nothing acknowledged is lost', async () => {
    const c = await RaftCluster.start({ seed: 5, link: fixed2ms });
    await c.startClient({ commands: 200 });
    expect(c.runUntil(() => c.acks >= 60, 5_000)).toBe(true);
    const old = c.leader()!;
    const oldTerm = c.roles.get(old)!.term;
    c.sim.faults.crash(old);
    const crashedAt = c.sim.now();
    expect(c.runUntil(() => c.elections.some((e) => e.term > oldTerm), 2_000)).toBe(true);
    const electedIn = c.elections.find((e) => e.term > oldTerm)!.t - crashedAt;
    expect(electedIn).toBeLessThan(1_000);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(200);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
    console.info(`raft leader crash: new leader ${electedIn.toFixed(0)} ms after the crash (virtual)`);
  });

  it('a crashed follower recovers with its durable log and catches up', async () => {
    const c = await RaftCluster.start({ seed: 6, link: uniform });
    await c.startClient({ commands: 150 });
    expect(c.runUntil(() => c.acks >= 20, 5_000)).toBe(true);
    const follower = c.nodes.find((id) => id !== c.leader())!;
    const before = c.applied.get(follower)!.length;
    c.sim.faults.crash(follower);
    expect(c.runUntil(() => c.acks >= 100, 5_000)).toBe(true);
    c.sim.faults.recover(follower);
    // It restarts with its log and term (not wiped) but, commitIndex being volatile, replays
    // its state machine from index 1 once the leader tells it what is committed.
    const restored = await c.sim.snapshot<{ log: unknown[]; term: number }>(follower);
    expect(restored.log.length).toBeGreaterThanOrEqual(before);
    expect(restored.term).toBeGreaterThan(0);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(200);
    expect(c.applied.get(follower)!.length).toBe(c.applied.get(c.leader()!)!.length);
    expect(c.converged()).toBe(true);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a minority partition with the leader: the majority elects and progresses; on heal the old leader steps down and converges', async () => {
    const c = await RaftCluster.start({ seed: 7, link: fixed2ms });
    await c.startClient({ commands: 200 });
    expect(c.runUntil(() => c.acks >= 30, 5_000)).toBe(true);
    const old = c.leader()!;
    const oldTerm = c.roles.get(old)!.term;
    const others = c.nodes.filter((id) => id !== old);
    const minority = [old, others[0]];
    const majority = others.slice(1);
    c.sim.faults.partition([minority, majority]);
    const acksAtSplit = c.acks;
    expect(c.runUntil(() => c.elections.some((e) => e.term > oldTerm), 2_000)).toBe(true);
    const next = c.elections.find((e) => e.term > oldTerm)!.actor;
    expect(majority).toContain(next);
    expect(c.runUntil(() => c.acks >= acksAtSplit + 50, 5_000)).toBe(true);
    // Check-quorum (on by default): cut off from the majority for an election timeout, it stepped
    // down already; pre-vote kept it (and its companion) from raising their terms meanwhile.
    expect(c.roles.get(old)).toEqual({ term: oldTerm, role: 'follower' });
    c.sim.faults.heal();
    expect(c.runUntil(() => c.roles.get(old)!.role === 'follower', 1_000)).toBe(true);
    expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
    c.runFor(200);
    expect(c.converged()).toBe(true);
    expect(c.applied.get(old)!.length).toBe(c.applied.get(next)!.length);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a cluster of one elects itself and commits alone', async () => {
    const c = await RaftCluster.start({ seed: 1, n: 1 });
    await c.startClient({ commands: 10 });
    expect(c.runUntil(() => c.summary !== undefined, 2_000)).toBe(true);
    expect(c.elections).toHaveLength(1);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('replays: the same seed and faults give the same trace, byte for byte', async () => {
    const run = async () => {
      const c = await RaftCluster.start({ seed: 11, link: uniform });
      await c.startClient({ commands: 50 });
      c.runUntil(() => c.acks >= 20, 5_000);
      c.sim.faults.crash(c.leader()!);
      c.runUntil(() => c.summary !== undefined, 10_000);
      return c.sim.result().traceHash;
    };
    expect(await run()).toBe(await run());
  });

  it('completes under 5% message loss, with retries', async () => {
    const c = await RaftCluster.start({ seed: 8, link: { ...uniform, dropRate: 0.05 } });
    await c.startClient({ commands: 200 });
    expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
    expect(c.summary!.retries).toBeGreaterThan(0);
    c.runFor(300);
    expect(c.monitor.finish()).toEqual([]);
    const acc = await c.sim.accounting();
    expect(acc.droppedBy['link-drop']).toBeGreaterThan(0);
  });
});

/**
 * Wiped disks (`recover(id, { wipe: true })`): what Raft does and does not guarantee.
 *
 * Raft's safety rests on currentTerm, votedFor and the log surviving a restart (Figure 2,
 * "persistent state"). A node that comes back with nothing has forgotten whom it voted for in
 * its current term and which entries it acknowledged, yet it still counts as a voter:
 * - it can vote a second time in a term it already voted in, so two candidates can each gather
 *   a majority: two leaders in one term (election safety lost);
 * - the majority that made an entry committed may no longer hold it, so a node without it can
 *   be elected: a leader missing a committed entry (leader completeness lost), then different
 *   commands applied at one index (state-machine safety lost) and acknowledged writes lost.
 * - the leader's matchIndex for a wiped follower stays where it was (Raft never lowers it), so
 *   the leader may count that follower toward committing entries it no longer holds.
 * What still holds: a wiped follower of a healthy leader is brought back up to date by ordinary
 * AppendEntries (its empty log fails the consistency check and nextIndex backs off to 1), and
 * with enough intact nodes it usually never matters (most seeds below stay safe). The remedy Raft itself offers is to treat a
 * wiped node as a new member (remove it and add it again through membership change, which is
 * not implemented here) or to have it refuse to vote until it has caught up with a leader.
 *
 * So these tests do not assert safety; they show the checkers catching what goes wrong, and the
 * same schedule staying safe when the disk survives.
 */
describe('raft with a wiped disk: what is and is not guaranteed', () => {
  // Fixed timeouts make the schedule exact: n1 times out first (100 ms), n3 at 400 ms, n2 late.
  const timeouts = (id: string) =>
    ({
      n1: { electionTimeoutMinMs: 100, electionTimeoutMaxMs: 100 },
      n2: { electionTimeoutMinMs: 1_000, electionTimeoutMaxMs: 1_000 },
      n3: { electionTimeoutMinMs: 400, electionTimeoutMaxMs: 400 },
    })[id]!;

  /** n1 wins term 1 with n2's vote while n3 is cut off; n2 restarts; n3 asks n2 for a vote in term 1. */
  async function doubleVoteSchedule(wipe: boolean): Promise<RaftCluster> {
    const c = await RaftCluster.start({ seed: 1, n: 3, link: fixed2ms, raft: timeouts });
    c.sim.faults.partition([['n1', 'n2'], ['n3']]);
    c.sim.run({ untilMs: 200 });
    expect(c.elections).toEqual([expect.objectContaining({ actor: 'n1', term: 1 })]);
    c.sim.faults.crash('n2');
    c.sim.faults.recover('n2', { wipe });
    c.sim.faults.partition([['n1'], ['n2', 'n3']]);
    c.sim.run({ untilMs: 600 });
    return c;
  }

  it('a wiped voter votes twice in one term: two leaders in term 1 (and the checker says so)', async () => {
    const c = await doubleVoteSchedule(true);
    expect(c.elections.map((e) => [e.actor, e.term])).toEqual([
      ['n1', 1],
      ['n3', 1],
    ]);
    expect(c.monitor.violations.map((v) => v.property)).toContain('election-safety');
  });

  it('the same schedule with the disk intact: n2 remembers its vote, n3 is refused, one leader per term', async () => {
    const c = await doubleVoteSchedule(false);
    expect(c.elections.map((e) => [e.actor, e.term])).toEqual([['n1', 1]]);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('a wiped majority member lets a stale node lead: committed entries lost (the checkers say so)', async () => {
    // Plain Raft (no pre-vote, no check-quorum): the schedule relies on the isolated n3 raising
    // its term while cut off. With pre-vote it stays in term 0 and the wiped n2 makes it leader
    // of term 1 instead (two leaders in term 1): unsafe either way.
    const c = await RaftCluster.start({ seed: 1, n: 3, link: fixed2ms, raft: (id) => ({ ...timeouts(id), preVote: false, checkQuorum: false }) });
    c.sim.faults.partition([['n1', 'n2'], ['n3']]);
    await c.startClient({ commands: 20 });
    expect(c.runUntil(() => c.acks >= 5, 2_000)).toBe(true);
    // Meanwhile the isolated n3 times out again and again (400 ms each): past t=800 it is in term 2.
    c.sim.run({ untilMs: 900 });
    expect(c.roles.get('n3')).toEqual({ term: 2, role: 'candidate' });
    // The entries are committed on n1 and n2. Now n1 dies and n2 loses its disk; n3 returns.
    c.sim.faults.crash('n1');
    c.sim.faults.crash('n2');
    c.sim.faults.recover('n2', { wipe: true });
    c.sim.faults.heal();
    c.runFor(3_000);
    // n3 wins term 3 with the wiped n2's vote, holding none of the entries committed in term 1.
    expect(c.elections.map((e) => [e.actor, e.term])).toEqual([
      ['n1', 1],
      ['n3', 3],
    ]);
    const properties = new Set(c.monitor.finish().map((v) => v.property));
    expect(properties.has('leader-completeness')).toBe(true);
    expect(properties.has('state-machine-safety')).toBe(true);
  });

  it('random wipes of one node at a time (leaders too), 20 seeds: the runs finish, and these seeds stay safe', async () => {
    const seen = { runs: 0, finished: 0, unsafeRuns: 0, twoLeaderTerms: 0, byProperty: {} as Record<string, number> };
    for (let seed = 1; seed <= 20; seed++) {
      const c = await RaftCluster.start({ seed, link: uniform });
      const rnd = createPrng(seed, 'schedule');
      await c.startClient({ commands: 300 });
      for (let i = 0; i < 30; i++) {
        c.runFor(50 + rnd() * 250);
        const victim = c.nodes[Math.floor(rnd() * c.nodes.length)];
        c.sim.faults.crash(victim);
        c.sim.faults.recover(victim, { wipe: true });
      }
      seen.runs++;
      if (c.runUntil(() => c.summary !== undefined, 20_000)) seen.finished++;
      const violations = c.monitor.finish();
      if (violations.length > 0) seen.unsafeRuns++;
      for (const v of violations) seen.byProperty[v.property] = (seen.byProperty[v.property] ?? 0) + 1;
      seen.twoLeaderTerms += [...c.monitor.leaders.values()].filter((l) => l.length > 1).length;
    }
    // A wiped disk is outside Raft's fault model, so safety is not guaranteed in general (the test
    // above breaks it on purpose). Here one node is wiped and back at once, rejoining as an empty
    // follower: losing a committed entry or electing two leaders in a term would need a second
    // node to forget in the same window. These 20 seeds are deterministic and were all safe, so
    // a change that makes one unsafe (or splits a term) fails here and must be understood.
    expect(seen).toEqual({ runs: 20, finished: 20, unsafeRuns: 0, twoLeaderTerms: 0, byProperty: {} });
  });
});
