import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import {
  configCommitted,
  endLearner,
  latestConfig,
  leaderAdoptsConfig,
  learnerProgress,
  onChangeMembership,
  refreshConfig,
} from '../src/protocols/raft/membership.ts';
import { type ChangeMembership, type LogEntry, RAFT_KINDS, type RaftProps, resolveRaftProps } from '../src/protocols/raft/messages.ts';
import { key, RaftNodeState, replicationTargets, setMembers } from '../src/protocols/raft/raft-state.ts';
import { configEntry, entry, eventsOf, recordingCtx, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * Single-server membership changes (`membership.ts`) and the node state's shared helpers
 * (`raft-state.ts`) one function at a time, on nodes built by hand: which configuration is in
 * use, what a leader adopting one sets up for new and removed members, the refusals of a change
 * (each with its reason), the learner's rounds, and a leader that removed itself handing over.
 */

const three = ['n1', 'n2', 'n3'];

/** Node n1 of `peers` in `term` holding `log`, with its configuration taken from the log. */
function node(term: number, log: readonly LogEntry[], props: Omit<RaftProps, 'peers'> = {}, peers = three): { s: RaftNodeState; r: Recording } {
  const r = recordingCtx('n1', peers);
  const s = new RaftNodeState('n1', resolveRaftProps({ ...props, peers: [...peers] }, 'n1'), term, null, [...log], new KeyValueMachine());
  refreshConfig(s, r.ctx);
  r.events.length = 0;
  return { s, r };
}

/** Leader n1 of `term` with `log` committed and applied to `commit`, its term started at `termStart`, followers at `match`. */
function leader(term: number, log: readonly LogEntry[], o: { props?: Omit<RaftProps, 'peers'>; match?: number; commit?: number; termStart?: number } = {}) {
  const n = node(term, log, o.props);
  n.s.role = 'leader';
  n.s.leader = 'n1';
  n.s.commitIndex = n.s.lastApplied = o.commit ?? log.length;
  n.s.termStart = o.termStart ?? 1;
  for (const p of n.s.others) {
    n.s.matchIndex.set(p, o.match ?? log.length);
    n.s.nextIndex.set(p, (o.match ?? log.length) + 1);
    n.s.inflight.set(p, []);
    n.s.lastAck.set(p, 0);
    n.s.ackedRound.set(p, 0);
  }
  return n;
}

const ask = (body: ChangeMembership | undefined): Envelope => ({ id: 1, from: 'admin', to: 'n1', kind: RAFT_KINDS.changeMembership, body, corr: 5 });
const membershipReplies = (r: Recording) => r.sent.filter((m) => m.kind === RAFT_KINDS.membershipReply).map((m) => m.body);
const no = (reason: string, leader: string | null = null) => ({ ok: false, reason, leader });

describe('RaftNodeState and its helpers', () => {
  it('a new node: a follower of term and vote as given, nothing committed, no leader, the props’ peers in use', () => {
    const { s } = node(4, []);
    expect([s.role, s.commitIndex, s.lastApplied, s.leader, s.term, s.votedFor]).toEqual(['follower', 0, 0, null, 4, null]);
    expect([s.votes.size, s.nextIndex.size, s.matchIndex.size, s.inflight.size, s.probing.size, s.lastAck.size, s.ackedRound.size, s.lastLag.size]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect([s.preVotes, s.leaderContactAt, s.termStart, s.round, s.reads, s.transfer, s.configChange, s.learner]).toEqual([
      null,
      -Infinity,
      0,
      0,
      [],
      null,
      null,
      null,
    ]);
    expect([s.waiters.size, s.proposed.size, s.snapshot, s.snapshotEvery, s.snapshotSends.size, s.snapshotReceive]).toEqual([0, 0, null, 0, 0, null]);
    expect([s.members, s.configIndex, s.others, [...s.otherSet], s.majority, s.isMember, [...s.known]]).toEqual([
      three,
      0,
      ['n2', 'n3'],
      ['n2', 'n3'],
      2,
      true,
      three,
    ]);
  });

  it('setMembers: the others, a majority of the members, whether this node is one; every member is known from then on', () => {
    const { s } = node(1, []);
    setMembers(s, ['n2', 'n3', 'n4', 'n5']);
    expect([s.others, [...s.otherSet], s.isMember, s.majority, [...s.known]]).toEqual([
      ['n2', 'n3', 'n4', 'n5'],
      ['n2', 'n3', 'n4', 'n5'],
      false,
      3,
      ['n1', 'n2', 'n3', 'n4', 'n5'],
    ]);
    setMembers(s, ['n1', 'n2']);
    expect([s.majority, s.isMember, s.known.size]).toEqual([2, true, 5]);
    setMembers(s, ['n1']);
    expect([s.others, s.majority]).toEqual([[], 1]);
  });

  it('replicationTargets: the others, and a learner catching up', () => {
    const { s } = node(1, []);
    expect(replicationTargets(s)).toEqual(['n2', 'n3']);
    s.learner = { id: 'n4', waiter: { from: 'a', corr: 1 }, target: 1, roundAt: 0, rounds: 1 };
    expect(replicationTargets(s)).toEqual(['n2', 'n3', 'n4']);
  });

  it('key joins client and seq with a NUL', () => {
    expect(key('c1', 12)).toBe('c1\u000012');
  });
});

describe('the configuration in use', () => {
  it('latestConfig: the last configuration entry in the log, else the props’ peers', () => {
    expect(latestConfig(node(1, [entry(1)]).s)).toEqual({ index: 0, members: three });
    expect(latestConfig(node(1, [entry(1), configEntry(1, ['n1', 'n2']), entry(1)]).s)).toEqual({ index: 2, members: ['n1', 'n2'] });
  });

  it('refreshConfig adopts the latest configuration once, with a raft-config event; an unchanged one changes nothing', () => {
    const { s, r } = node(1, [entry(1)]);
    refreshConfig(s, r.ctx);
    expect(r.events).toEqual([]);
    s.log.push(configEntry(1, ['n1', 'n2']));
    refreshConfig(s, r.ctx);
    refreshConfig(s, r.ctx);
    expect([s.configIndex, s.members, s.majority]).toEqual([2, ['n1', 'n2'], 2]);
    expect(r.events).toEqual([{ type: 'raft-config', index: 2, members: ['n1', 'n2'] }]);
  });

  it('refreshConfig follows a later configuration entry even when it names the same members', () => {
    const members = ['n1', 'n2'];
    const { s, r } = node(1, [entry(1), { term: 1, command: { op: 'config', members } }]);
    expect(s.configIndex).toBe(2);
    s.log.push(entry(1), { term: 1, command: { op: 'config', members } });
    refreshConfig(s, r.ctx);
    expect([s.configIndex, s.members]).toEqual([4, members]);
    expect(r.events).toEqual([{ type: 'raft-config', index: 4, members }]);
  });

  it('refreshConfig notices a configuration at the same index with other members (a snapshot installed over it)', () => {
    const { s, r } = node(1, []);
    s.snapshot = { index: 5, term: 1, configIndex: 0, members: ['n1', 'n4'], data: '', digest: '' };
    refreshConfig(s, r.ctx);
    expect([s.configIndex, s.members]).toEqual([0, ['n1', 'n4']]);
  });

  it('leaderAdoptsConfig: new members probed from the configuration entry, removed ones forgotten, a learner’s progress kept', () => {
    const { s, r } = leader(2, [entry(2), entry(2)]);
    r.now = 90;
    s.lastLag.set('n3', 0);
    s.snapshotSends.set('n3', { index: 1, offset: 0, at: 0 });
    s.probing.add('n3');
    s.nextIndex.set('n5', 3); // n5 caught up as a learner
    s.matchIndex.set('n5', 2);
    s.log.push(configEntry(2, ['n1', 'n2', 'n4', 'n5']));
    leaderAdoptsConfig(s, ['n1', 'n2', 'n4', 'n5'], r.ctx);
    expect([s.configIndex, s.members, s.majority]).toEqual([3, ['n1', 'n2', 'n4', 'n5'], 3]);
    expect(r.events).toEqual([{ type: 'raft-config', index: 3, members: ['n1', 'n2', 'n4', 'n5'] }]);
    expect([s.nextIndex.get('n4'), s.matchIndex.get('n4'), s.inflight.get('n4'), s.probing.has('n4'), s.lastAck.get('n4'), s.ackedRound.get('n4')]).toEqual([
      3,
      0,
      [],
      true,
      90,
      0,
    ]);
    expect([s.nextIndex.get('n5'), s.matchIndex.get('n5'), s.probing.has('n5')]).toEqual([3, 2, false]);
    expect([s.nextIndex.get('n2'), s.matchIndex.get('n2'), s.lastAck.get('n2')]).toEqual([3, 2, 0]);
    for (const m of [s.nextIndex, s.matchIndex, s.inflight, s.lastAck, s.ackedRound, s.lastLag, s.snapshotSends]) expect(m.has('n3')).toBe(false);
    expect(s.probing.has('n3')).toBe(false);
  });
});

describe('configCommitted', () => {
  it('answers who asked once the change is committed, not before', () => {
    const { s, r } = leader(2, [entry(2), configEntry(2, [...three, 'n4'])], { commit: 1 });
    s.configChange = { index: 2, waiter: { from: 'admin', corr: 5 } };
    configCommitted(s, r.ctx);
    expect(r.sent).toEqual([]);
    s.commitIndex = 2;
    configCommitted(s, r.ctx);
    expect(membershipReplies(r)).toEqual([{ ok: true, index: 2, members: [...three, 'n4'] }]);
    expect([s.configChange, s.role]).toEqual([null, 'leader']);
  });

  it('a leader that removed itself steps down, handing over with TimeoutNow to the member furthest along when it holds the whole log', () => {
    const { s, r } = leader(2, [entry(2), configEntry(2, ['n2', 'n3'])], { commit: 2 });
    s.matchIndex.set('n2', 1);
    s.matchIndex.set('n3', 2);
    configCommitted(s, r.ctx);
    expect(eventsOf(r, 'raft-step-down')).toEqual([{ type: 'raft-step-down', term: 2, reason: 'removed', index: 2 }]);
    expect(r.sent).toEqual([{ to: 'n3', kind: RAFT_KINDS.timeoutNow, body: { term: 2 } }]);
    expect(s.role).toBe('follower');
  });

  it('on a tie the first member in order is chosen', () => {
    const { s, r } = leader(2, [entry(2), configEntry(2, ['n2', 'n3'])], { commit: 2 });
    configCommitted(s, r.ctx);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.timeoutNow, body: { term: 2 } }]);
  });

  it('nobody holds the whole log: it steps down without TimeoutNow', () => {
    const { s, r } = leader(2, [entry(2), configEntry(2, ['n2', 'n3'])], { commit: 2, match: 1 });
    configCommitted(s, r.ctx);
    expect([r.sent, s.role]).toEqual([[], 'follower']);
  });

  it('a follower, or a leader still a member, does nothing more', () => {
    const f = node(2, [entry(2), configEntry(2, ['n2', 'n3'])]);
    configCommitted(f.s, f.r.ctx);
    expect([f.r.events, f.r.sent]).toEqual([[], []]);
    const l = leader(2, [entry(2)]);
    configCommitted(l.s, l.r.ctx);
    expect([l.r.events, l.r.sent, l.s.role]).toEqual([[], [], 'leader']);
  });
});

describe('onChangeMembership', () => {
  it('a follower refuses, naming the leader it knows', () => {
    const { s, r } = node(2, [entry(2)]);
    s.leader = 'n2';
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    expect(membershipReplies(r)).toEqual([no('not the leader', 'n2')]);
  });

  it('malformed: neither, both, or a field that is not a string', () => {
    const { s, r } = leader(2, [entry(2)]);
    for (const body of [undefined, {}, { add: 'n4', remove: 'n2' }, { add: 4 }, { remove: null }] as unknown as ChangeMembership[])
      onChangeMembership(s, ask(body), r.ctx);
    expect(membershipReplies(r)).toEqual(Array(5).fill(no('expected exactly one of { add: id } or { remove: id }')));
    expect(s.log.length).toBe(1);
  });

  it('refused while a transfer, an uncommitted change or a learner is in progress, or before an entry of its term committed', () => {
    const { s, r } = leader(2, [entry(1), entry(2), configEntry(2, three)], { commit: 2, termStart: 2 });
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx); // index 3 is a change not committed yet
    s.commitIndex = 3;
    s.transfer = { target: 'n2', waiter: { from: 'a', corr: 1 }, sent: false };
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    s.transfer = null;
    s.learner = { id: 'n5', waiter: { from: 'a', corr: 1 }, target: 1, roundAt: 0, rounds: 1 };
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    s.learner = null;
    s.termStart = 4;
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    expect(membershipReplies(r)).toEqual([
      no('a configuration change (index 3) is not committed yet'),
      no('a transfer to n2 is in progress'),
      no('n5 is catching up as a learner'),
      no('this leader has not committed an entry of its term yet'),
    ]);
    expect(s.log.length).toBe(3);
  });

  it('a change committed at exactly the commit index, and this term’s first entry committed exactly, are no obstacle', () => {
    const { s, r } = leader(2, [entry(1), entry(2), configEntry(2, three)], { commit: 3, termStart: 3 });
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    expect(s.log.length).toBe(4);
  });

  it('adding a member already in, removing one not in, removing the last one: refused', () => {
    const { s, r } = leader(2, [entry(2)]);
    onChangeMembership(s, ask({ add: 'n2' }), r.ctx);
    onChangeMembership(s, ask({ remove: 'n7' }), r.ctx);
    const one = node(2, [entry(2)], {}, ['n1']);
    one.s.role = 'leader';
    one.s.leader = 'n1';
    one.s.commitIndex = 1;
    one.s.termStart = 1;
    onChangeMembership(one.s, ask({ remove: 'n1' }), one.r.ctx);
    expect([...membershipReplies(r), ...membershipReplies(one.r)]).toEqual([
      no('n2 is a member already'),
      no('n7 is not a member'),
      no('cannot remove the last member'),
    ]);
  });

  it('an add appends the configuration with the new member, adopted at once, and waits for it to commit', () => {
    const { s, r } = leader(2, [entry(2)]);
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    expect(s.log.at(-1)).toEqual(configEntry(2, [...three, 'n4']));
    expect([s.configChange, s.members]).toEqual([{ index: 2, waiter: { from: 'admin', corr: 5 } }, [...three, 'n4']]);
    expect(membershipReplies(r)).toEqual([]);
    expect(r.sent.filter((m) => m.kind === RAFT_KINDS.appendEntries).map((m) => m.to)).toEqual(['n2', 'n3', 'n4']);
  });

  it('a remove appends the configuration without it', () => {
    const { s, r } = leader(2, [entry(2)]);
    onChangeMembership(s, ask({ remove: 'n2' }), r.ctx);
    expect(s.log.at(-1)).toEqual(configEntry(2, ['n1', 'n3']));
    expect(s.configChange?.index).toBe(2);
  });

  it('with learnerRounds a remove is appended at once (only an add catches up first)', () => {
    const { s, r } = leader(2, [entry(2)], { props: { learnerRounds: 3 } });
    onChangeMembership(s, ask({ remove: 'n3' }), r.ctx);
    expect([s.learner, s.log.at(-1), s.configChange?.index]).toEqual([null, configEntry(2, ['n1', 'n2']), 2]);
  });

  it('with learnerRounds an add first catches the server up as a learner', () => {
    const { s, r } = leader(2, [entry(2), entry(2)], { props: { learnerRounds: 3 } });
    r.now = 40;
    onChangeMembership(s, ask({ add: 'n4' }), r.ctx);
    expect(s.learner).toEqual({ id: 'n4', waiter: { from: 'admin', corr: 5 }, target: 2, roundAt: 40, rounds: 1 });
    expect([s.log.length, s.configChange, s.known.has('n4'), s.members]).toEqual([2, null, true, three]);
    expect([s.nextIndex.get('n4'), s.matchIndex.get('n4'), s.probing.has('n4'), s.lastAck.get('n4'), s.ackedRound.get('n4')]).toEqual([2, 0, true, 40, 0]);
    expect(s.inflight.get('n4')).toEqual([{ until: 2, at: 40 }]);
    expect(eventsOf(r, 'raft-learner')).toEqual([{ type: 'raft-learner', term: 2, learner: 'n4', phase: 'start', target: 2 }]);
    expect(r.sent.map((m) => [m.to, m.kind])).toEqual([['n4', RAFT_KINDS.appendEntries]]);
  });
});

describe('learnerProgress', () => {
  /** A leader (learnerRounds 3) with learner n4 at `match`, its round started at 0 with target 4, at time `now`. */
  function withLearner(match: number, now: number, rounds = 1) {
    const n = leader(2, [entry(2), entry(2), entry(2), entry(2), entry(2)], { props: { learnerRounds: 3 } });
    n.s.learner = { id: 'n4', waiter: { from: 'admin', corr: 5 }, target: 4, roundAt: 0, rounds };
    n.s.known.add('n4');
    for (const [m, v] of [
      [n.s.matchIndex, match],
      [n.s.nextIndex, match + 1],
      [n.s.lastAck, 0],
      [n.s.ackedRound, 0],
    ] as const)
      m.set('n4', v);
    n.s.inflight.set('n4', []);
    n.r.now = now;
    return n;
  }

  it('short of the target: waits, up to ten maximum election timeouts', () => {
    const { s, r } = withLearner(3, 3_000);
    learnerProgress(s, r.ctx);
    expect([s.learner?.rounds, r.events, r.sent]).toEqual([1, [], []]);
  });

  it('short of the target for longer: given up on, who asked told why, its progress forgotten', () => {
    const { s, r } = withLearner(3, 3_001);
    s.lastLag.set('n4', 2);
    s.probing.add('n4');
    learnerProgress(s, r.ctx);
    const reason = 'n4 made no round within 3000 ms (unavailable or too slow)';
    expect(s.learner).toBe(null);
    expect(eventsOf(r, 'raft-learner')).toEqual([{ type: 'raft-learner', term: 2, learner: 'n4', phase: 'aborted', reason }]);
    expect(membershipReplies(r)).toEqual([no(reason)]);
    for (const m of [s.nextIndex, s.matchIndex, s.inflight, s.lastAck, s.ackedRound, s.lastLag]) expect(m.has('n4')).toBe(false);
    expect(s.probing.has('n4')).toBe(false);
  });

  it('at the target within less than the minimum election timeout: promoted, the configuration appended', () => {
    const { s, r } = withLearner(4, 149);
    learnerProgress(s, r.ctx);
    expect(s.learner).toBe(null);
    expect(eventsOf(r, 'raft-learner')).toEqual([{ type: 'raft-learner', term: 2, learner: 'n4', phase: 'promoted', rounds: 1 }]);
    expect(s.log.at(-1)).toEqual(configEntry(2, [...three, 'n4']));
    expect(s.configChange).toEqual({ index: 6, waiter: { from: 'admin', corr: 5 } });
    expect(s.members).toEqual([...three, 'n4']);
  });

  it('at the target after a slow round: another round, to the log’s end now', () => {
    const { s, r } = withLearner(4, 150);
    s.log.push(entry(2));
    learnerProgress(s, r.ctx);
    expect(s.learner).toEqual({ id: 'n4', waiter: { from: 'admin', corr: 5 }, target: 6, roundAt: 150, rounds: 2 });
    expect([r.events, r.sent]).toEqual([[], []]);
  });

  it('after the last round allowed: given up on', () => {
    const { s, r } = withLearner(4, 150, 3);
    learnerProgress(s, r.ctx);
    expect(s.learner).toBe(null);
    expect(membershipReplies(r)).toEqual([no('n4 did not catch up within 3 rounds')]);
  });

  it('endLearner on a follower names the leader it knows', () => {
    const { s, r } = withLearner(0, 0);
    s.role = 'follower';
    s.leader = 'n2';
    endLearner(s, 'why', r.ctx);
    expect(membershipReplies(r)).toEqual([no('why', 'n2')]);
  });
});
