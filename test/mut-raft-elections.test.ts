import { describe, expect, it } from 'vitest';
import {
  armElection,
  becomeFollower,
  becomeLeader,
  inLease,
  onPreVote,
  onPreVoteReply,
  onRequestVote,
  onVoteReply,
  setRole,
  setTerm,
  startElection,
  startPreVote,
  upToDate,
} from '../src/protocols/raft/elections.ts';
import type { RaftLog } from '../src/protocols/raft/log.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { key, setMembers } from '../src/protocols/raft/raft-state.ts';
import { entry, eventsOf, follower, leader, timers } from './fixtures/raft-by-hand.ts';

/**
 * The election rules of `elections.ts` one function at a time, on nodes built by hand
 * (`test/fixtures/raft-by-hand.ts`), with the timers a handler sets and cancels recorded too.
 * Each case asserts the exact messages, events, timers and state, so a deleted rule or a changed
 * bound fails here rather than only (maybe) in a whole-cluster run. Defaults of the props: election
 * timeout 150-300 ms, heartbeat 50 ms.
 */

const three = ['n1', 'n2', 'n3'];
const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

const electionTimer = (delayMs: number) => ({ key: 'election', delayMs, message: { kind: RAFT_KINDS.electionTimeout } });

describe('terms, roles and timers', () => {
  it('armElection draws the timeout between the minimum and the maximum', () => {
    const { s, r } = follower('n1', three, 1, []);
    const t = timers(r, 0.25);
    armElection(s, r.ctx);
    expect(t.set).toEqual([electionTimer(150 + 150 * 0.25)]);
  });

  it('setTerm persists the term and the vote', () => {
    const { s, r } = follower('n1', three, 1, []);
    setTerm(s, 7, 'n3', r.ctx);
    expect([s.term, s.votedFor]).toEqual([7, 'n3']);
    expect([r.ctx.durable.get('term'), r.ctx.durable.get('votedFor')]).toEqual([7, 'n3']);
    setTerm(s, 8, null, r.ctx);
    expect([r.ctx.durable.get('term'), r.ctx.durable.get('votedFor')]).toEqual([8, null]);
  });

  it('setRole emits the role with the term', () => {
    const { s, r } = follower('n1', three, 4, []);
    setRole(s, 'candidate', r.ctx);
    expect(s.role).toBe('candidate');
    expect(r.events).toEqual([{ type: 'raft-role', term: 4, role: 'candidate' }]);
  });
});

describe('becomeFollower', () => {
  it('a follower hearing a newer term takes it with no vote, and nothing else (no event, no timer)', () => {
    const { s, r } = follower('n1', three, 2, []);
    const t = timers(r);
    setTerm(s, 2, 'n2', r.ctx);
    s.preVotes = new Set(['n1']);
    becomeFollower(s, 5, 'n3', r.ctx);
    expect([s.term, s.votedFor, s.leader, s.preVotes, s.role]).toEqual([5, null, 'n3', null, 'follower']);
    expect(r.ctx.durable.get('votedFor')).toBe(null);
    expect(r.events).toEqual([]);
    expect(t).toEqual({ set: [], cancelled: [] });
    expect(r.sent).toEqual([]);
  });

  it('the same term keeps the vote: the term is only ever raised', () => {
    const { s, r } = follower('n1', three, 3, []);
    setTerm(s, 3, 'n2', r.ctx);
    becomeFollower(s, 3, 'n2', r.ctx);
    expect([s.term, s.votedFor, s.leader]).toEqual([3, 'n2', 'n2']);
    expect(r.ctx.durable.get('votedFor')).toBe('n2');
  });

  it('a candidate steps down with a raft-role event and keeps its election timer (no new one, nothing cancelled)', () => {
    const { s, r } = follower('n1', three, 3, []);
    const t = timers(r);
    s.role = 'candidate';
    becomeFollower(s, 4, 'n2', r.ctx);
    expect(r.events).toEqual([{ type: 'raft-role', term: 4, role: 'follower' }]);
    expect(t).toEqual({ set: [], cancelled: [] });
    expect(r.sent).toEqual([]);
  });

  it('a deposed leader cancels its heartbeat, answers everyone waiting on it, and arms an election timer', () => {
    const { s, r } = leader('n1', three, 3, [entry(3)], {}, 1);
    const t = timers(r);
    s.waiters.set(key('c1', 4), { from: 'c1', corr: 1 });
    s.waiters.set(key('c2', 9), { from: 'c2', corr: 2, via: 'n2' });
    s.proposed.set(key('c1', 4), 2);
    s.reads = [{ waiter: { from: 'c3', corr: 3 }, clientId: 'c3', seq: 1, command: { op: 'get', key: 'k' }, index: 1, round: 1 }];
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 4 }, sent: true };
    s.learner = { id: 'n4', waiter: { from: 'admin', corr: 5 }, target: 1, roundAt: 0, rounds: 1 };
    s.nextIndex.set('n4', 1);
    s.configChange = { index: 2, waiter: { from: 'admin', corr: 6 } };
    becomeFollower(s, 4, 'n3', r.ctx);
    expect([s.role, s.term, s.leader]).toEqual(['follower', 4, 'n3']);
    expect(t).toEqual({ set: [electionTimer(150)], cancelled: ['heartbeat', 'transfer'] });
    expect(r.sent).toEqual([
      { to: 'c1', kind: RAFT_KINDS.clientReply, body: { clientId: 'c1', seq: 4, ok: false, leader: 'n3' } },
      {
        to: 'n2',
        kind: RAFT_KINDS.forwardedReply,
        body: { to: { from: 'c2', corr: 2 }, reply: { clientId: 'c2', seq: 9, ok: false, leader: 'n3' } },
      },
      { to: 'c3', kind: RAFT_KINDS.clientReply, body: { clientId: 'c3', seq: 1, ok: false, leader: 'n3' } },
      { to: 'admin', kind: RAFT_KINDS.transferReply, body: { ok: true, target: 'n2' } },
      {
        to: 'admin',
        kind: RAFT_KINDS.membershipReply,
        body: { ok: false, reason: 'deposed while the server was catching up as a learner', leader: 'n3' },
      },
      {
        to: 'admin',
        kind: RAFT_KINDS.membershipReply,
        body: { ok: false, reason: 'deposed before the change committed (it may still take effect)', leader: 'n3' },
      },
    ]);
    expect([s.waiters.size, s.proposed.size, s.reads, s.transfer, s.learner, s.configChange]).toEqual([0, 0, [], null, null, null]);
    expect(s.nextIndex.has('n4')).toBe(false);
    expect(eventsOf(r, 'raft-role')).toEqual([{ type: 'raft-role', term: 4, role: 'follower' }]);
    expect(eventsOf(r, 'raft-transfer')).toEqual([{ type: 'raft-transfer', term: 4, target: 'n2', phase: 'done', reason: 'deposed before the transfer' }]);
  });

  it('a transfer not yet sent ends as aborted', () => {
    const { s, r } = leader('n1', three, 3, [entry(3)], {}, 1);
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 4 }, sent: false };
    becomeFollower(s, 4, null, r.ctx);
    expect(r.sent).toEqual([{ to: 'admin', kind: RAFT_KINDS.transferReply, body: { ok: false, reason: 'deposed before the transfer', leader: null } }]);
  });

  it('a deposed leader with nobody waiting sends nothing', () => {
    const { s, r } = leader('n1', three, 3, [entry(3)], {}, 1);
    const t = timers(r);
    becomeFollower(s, 3, null, r.ctx);
    expect(r.sent).toEqual([]);
    expect(t).toEqual({ set: [electionTimer(150)], cancelled: ['heartbeat'] });
    expect(r.events).toEqual([{ type: 'raft-role', term: 3, role: 'follower' }]);
  });
});

describe('pre-vote', () => {
  it('startPreVote asks the others about term + 1 with its last index and term, changing neither term nor vote', () => {
    const { s, r } = follower('n1', three, 2, [entry(1, 'a'), entry(2, 'b')]);
    const t = timers(r, 0.5);
    s.leader = 'n2';
    startPreVote(s, r.ctx);
    expect([s.term, s.votedFor, s.role, s.leader]).toEqual([2, null, 'follower', null]);
    expect([...s.preVotes!]).toEqual(['n1']);
    expect(r.events).toEqual([{ type: 'raft-prevote', term: 3 }]);
    expect(t.set).toEqual([electionTimer(225)]);
    const pv = { term: 3, lastLogIndex: 2, lastLogTerm: 2 };
    expect(r.sent).toEqual([
      { to: 'n2', kind: RAFT_KINDS.preVote, body: pv },
      { to: 'n3', kind: RAFT_KINDS.preVote, body: pv },
    ]);
  });

  it('a node that is not a member does not count itself', () => {
    const { s, r } = follower('n1', three, 2, []);
    setMembers(s, ['n2', 'n3', 'n4']);
    startPreVote(s, r.ctx);
    expect([...s.preVotes!]).toEqual([]);
    expect(r.sent.map((m) => m.to)).toEqual(['n2', 'n3', 'n4']);
  });

  it('a cluster of one goes straight on to the election and leads', () => {
    const { s, r } = follower('n1', ['n1'], 2, [entry(2)]);
    startPreVote(s, r.ctx);
    expect([s.role, s.term, s.votedFor, s.leader]).toEqual(['leader', 3, 'n1', 'n1']);
  });

  describe('inLease', () => {
    it('a leader is always in its lease', () => {
      const { s, r } = leader('n1', three, 2, [entry(2)]);
      r.now = 10_000;
      expect(inLease(s, r.ctx)).toBe(true);
    });

    it('a follower with no leader is not', () => {
      const { s, r } = follower('n1', three, 2, []);
      s.leaderContactAt = 0;
      expect(inLease(s, r.ctx)).toBe(false);
    });

    it('a follower is in the lease strictly less than the minimum election timeout after its leader was heard', () => {
      const { s, r } = follower('n1', three, 2, []);
      s.leader = 'n2';
      s.leaderContactAt = 1_000;
      r.now = 1_149;
      expect(inLease(s, r.ctx)).toBe(true);
      r.now = 1_150;
      expect(inLease(s, r.ctx)).toBe(false);
    });
  });

  describe('onPreVote', () => {
    const pv = (term: number, lastLogIndex: number, lastLogTerm: number) => ({ term, lastLogIndex, lastLogTerm });
    const reply = (term: number, forTerm: number, granted: boolean) => ({ to: 'n2', kind: RAFT_KINDS.preVoteReply, body: { term, forTerm, granted } });

    it('yes to a newer term with an up-to-date log and no live leader; nothing changes here', () => {
      const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
      const t = timers(r);
      onPreVote(s, 'n2', pv(3, 2, 2), r.ctx);
      expect(r.sent).toEqual([reply(2, 3, true)]);
      expect([s.term, s.votedFor, s.role]).toEqual([2, null, 'follower']);
      expect(t).toEqual({ set: [], cancelled: [] });
      expect(r.events).toEqual([]);
    });

    it('no to the current term', () => {
      const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
      onPreVote(s, 'n2', pv(2, 5, 2), r.ctx);
      expect(r.sent).toEqual([reply(2, 2, false)]);
    });

    it('no to a log behind ours', () => {
      const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
      onPreVote(s, 'n2', pv(3, 1, 2), r.ctx);
      expect(r.sent).toEqual([reply(2, 3, false)]);
    });

    it('no while a leader was heard within the lease', () => {
      const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
      s.leader = 'n3';
      s.leaderContactAt = 0;
      r.now = 100;
      onPreVote(s, 'n2', pv(3, 2, 2), r.ctx);
      expect(r.sent).toEqual([reply(2, 3, false)]);
    });
  });

  describe('onPreVoteReply', () => {
    /** A follower of `peers` in term 2 pre-voting for term 3. */
    function preVoting(peers: string[]) {
      const { s, r } = follower('n1', peers, 2, [entry(2)]);
      startPreVote(s, r.ctx);
      r.sent.length = 0;
      r.events.length = 0;
      return { s, r };
    }
    const yes = { term: 2, forTerm: 3, granted: true };

    it('a majority of yes starts the election: term 3, own vote, RequestVote to the others', () => {
      const { s, r } = preVoting(three);
      onPreVoteReply(s, 'n2', yes, r.ctx);
      expect([s.role, s.term, s.votedFor, s.preVotes]).toEqual(['candidate', 3, 'n1', null]);
      expect(r.sent.map((m) => [m.to, m.kind])).toEqual([
        ['n2', RAFT_KINDS.requestVote],
        ['n3', RAFT_KINDS.requestVote],
      ]);
    });

    it('of five, two yes (with its own) are not a majority, three are', () => {
      const { s, r } = preVoting(five);
      onPreVoteReply(s, 'n2', yes, r.ctx);
      expect([s.role, s.term, s.preVotes?.size]).toEqual(['follower', 2, 2]);
      onPreVoteReply(s, 'n3', yes, r.ctx);
      expect([s.role, s.term]).toEqual(['candidate', 3]);
    });

    it('a newer term in a reply makes it a follower of that term and ends the pre-vote', () => {
      const { s, r } = preVoting(three);
      s.role = 'candidate';
      onPreVoteReply(s, 'n2', { term: 6, forTerm: 3, granted: false }, r.ctx);
      expect([s.role, s.term, s.preVotes, s.votedFor]).toEqual(['follower', 6, null, null]);
    });

    it('a no, a yes for another term, a yes from a non-member are not counted', () => {
      const { s, r } = preVoting(three);
      onPreVoteReply(s, 'n2', { term: 2, forTerm: 3, granted: false }, r.ctx);
      onPreVoteReply(s, 'n2', { term: 2, forTerm: 4, granted: true }, r.ctx);
      onPreVoteReply(s, 'n2', { term: 2, forTerm: 2, granted: true }, r.ctx);
      onPreVoteReply(s, 'n9', yes, r.ctx);
      expect([...s.preVotes!]).toEqual(['n1']);
      expect([s.role, s.term]).toEqual(['follower', 2]);
      expect(r.sent).toEqual([]);
    });

    it('a yes that arrives when the pre-vote is over (no pre-vote, or leading) changes nothing', () => {
      const { s, r } = preVoting(three);
      s.preVotes = null;
      onPreVoteReply(s, 'n2', yes, r.ctx);
      expect([s.role, s.term, s.preVotes]).toEqual(['follower', 2, null]);
      const l = leader('n1', three, 2, [entry(2)]);
      l.s.preVotes = new Set(['n1']);
      onPreVoteReply(l.s, 'n2', yes, l.r.ctx);
      expect([l.s.role, l.s.term, [...l.s.preVotes]]).toEqual(['leader', 2, ['n1']]);
      expect(l.r.sent).toEqual([]);
    });
  });
});

describe('upToDate (section 5.4.1)', () => {
  const { s } = follower('n1', three, 3, [entry(1), entry(2), entry(2)]);
  const rv = (lastLogIndex: number, lastLogTerm: number) => ({ term: 9, lastLogIndex, lastLogTerm });

  it('a later last term wins whatever the length', () => {
    expect(upToDate(s, rv(1, 3))).toBe(true);
  });

  it('the same last term: at least as long', () => {
    expect(upToDate(s, rv(3, 2))).toBe(true);
    expect(upToDate(s, rv(4, 2))).toBe(true);
    expect(upToDate(s, rv(2, 2))).toBe(false);
  });

  it('an earlier last term loses whatever the length', () => {
    expect(upToDate(s, rv(10, 1))).toBe(false);
  });
});

describe('startElection and becomeLeader', () => {
  it('startElection: term + 1, its own vote persisted, old votes forgotten, a candidate asking the others', () => {
    const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
    const t = timers(r, 1);
    s.leader = 'n2';
    s.preVotes = new Set(['n1', 'n2']);
    s.votes.add('n3');
    startElection(s, r.ctx);
    expect([s.term, s.votedFor, s.leader, s.preVotes, s.role, [...s.votes]]).toEqual([3, 'n1', null, null, 'candidate', ['n1']]);
    expect([r.ctx.durable.get('term'), r.ctx.durable.get('votedFor')]).toEqual([3, 'n1']);
    expect(r.events).toEqual([{ type: 'raft-role', term: 3, role: 'candidate' }]);
    expect(t.set).toEqual([electionTimer(300)]);
    const rv = { term: 3, lastLogIndex: 2, lastLogTerm: 2 };
    expect(r.sent).toEqual([
      { to: 'n2', kind: RAFT_KINDS.requestVote, body: rv },
      { to: 'n3', kind: RAFT_KINDS.requestVote, body: rv },
    ]);
  });

  it('a node that is not a member does not vote for itself', () => {
    const { s, r } = follower('n1', three, 2, []);
    setMembers(s, ['n2', 'n3', 'n4']);
    startElection(s, r.ctx);
    expect([...s.votes]).toEqual([]);
    expect(s.role).toBe('candidate');
  });

  it('becomeLeader: its state for each follower from scratch, a no-op of its term sent to each, the heartbeat timer', () => {
    const { s, r } = follower('n1', three, 3, [entry(1, 'a'), entry(2, 'b')]);
    const t = timers(r);
    r.now = 500;
    s.role = 'candidate';
    s.votes.add('n1').add('n2');
    // left over from an earlier term, for a server no longer a member
    for (const m of [s.nextIndex, s.matchIndex, s.lastAck, s.ackedRound, s.lastLag]) m.set('old', 7);
    s.inflight.set('old', []);
    s.probing.add('old');
    s.snapshotSends.set('n2', { index: 1, offset: 0, at: 0 });
    s.proposed.set(key('c1', 1), 1);
    s.reads = [{ waiter: { from: 'c', corr: 1 }, clientId: 'c', seq: 1, command: { op: 'get', key: 'k' }, index: 1, round: 1 }];
    s.configChange = { index: 1, waiter: { from: 'a', corr: 1 } };
    s.learner = { id: 'n4', waiter: { from: 'a', corr: 1 }, target: 1, roundAt: 0, rounds: 1 };
    s.transfer = { target: 'n2', waiter: { from: 'a', corr: 1 }, sent: false };
    becomeLeader(s, r.ctx);
    expect([s.role, s.leader, s.termStart]).toEqual(['leader', 'n1', 3]);
    expect(r.events.slice(0, 2)).toEqual([
      { type: 'raft-role', term: 3, role: 'leader' },
      { type: 'raft-leader', term: 3, lastIndex: 2, terms: [1, 2], votes: 2 },
    ]);
    expect(s.log.at(-1)).toEqual({ term: 3, command: { op: 'noop' } });
    expect(t).toEqual({ set: [{ key: 'heartbeat', delayMs: 50, message: { kind: RAFT_KINDS.heartbeat } }], cancelled: ['election'] });
    expect([...s.nextIndex]).toEqual([
      ['n2', 3],
      ['n3', 3],
    ]);
    expect([...s.matchIndex]).toEqual([
      ['n2', 0],
      ['n3', 0],
    ]);
    expect([...s.inflight]).toEqual([
      ['n2', [{ until: 3, at: 500 }]],
      ['n3', [{ until: 3, at: 500 }]],
    ]);
    expect([...s.probing]).toEqual(['n2', 'n3']);
    expect([...s.lastAck]).toEqual([
      ['n2', 500],
      ['n3', 500],
    ]);
    expect([...s.ackedRound]).toEqual([
      ['n2', 0],
      ['n3', 0],
    ]);
    expect([s.lastLag.size, s.snapshotSends.size, s.proposed.size, s.reads, s.configChange, s.learner, s.transfer]).toEqual([0, 0, 0, [], null, null, null]);
    const ae = { term: 3, prevLogIndex: 2, prevLogTerm: 2, entries: [{ term: 3, command: { op: 'noop' } }], leaderCommit: 0 };
    expect(r.sent).toEqual([
      { to: 'n2', kind: RAFT_KINDS.appendEntries, body: ae },
      { to: 'n3', kind: RAFT_KINDS.appendEntries, body: ae },
    ]);
  });

  it('over a compacted log the raft-leader event names the base and its term', () => {
    const log: RaftLog = [entry(2, 'c')];
    log.start = 5;
    log.startTerm = 2;
    const { s, r } = follower('n1', three, 3, []);
    s.log.push(...log);
    s.log.start = 5;
    s.log.startTerm = 2;
    s.commitIndex = 5;
    s.lastApplied = 5;
    s.votes.add('n1').add('n3');
    becomeLeader(s, r.ctx);
    expect(eventsOf(r, 'raft-leader')).toEqual([{ type: 'raft-leader', term: 3, lastIndex: 6, terms: [2], votes: 2, base: 5, baseTerm: 2 }]);
    expect(s.termStart).toBe(7);
  });
});

describe('votes', () => {
  const rv = (term: number, lastLogIndex: number, lastLogTerm: number) => ({ term, lastLogIndex, lastLogTerm });
  const voteReply = (to: string, term: number, granted: boolean) => ({ to, kind: RAFT_KINDS.requestVoteReply, body: { term, granted } });

  it('a newer term with an up-to-date log: the vote is persisted, emitted, and the election timer reset', () => {
    const { s, r } = follower('n1', three, 2, [entry(2)]);
    const t = timers(r);
    onRequestVote(s, 'n2', rv(3, 1, 2), r.ctx);
    expect([s.term, s.votedFor]).toEqual([3, 'n2']);
    expect([r.ctx.durable.get('term'), r.ctx.durable.get('votedFor')]).toEqual([3, 'n2']);
    expect(r.events).toEqual([{ type: 'raft-vote', term: 3, candidate: 'n2' }]);
    expect(t.set).toEqual([electionTimer(150)]);
    expect(r.sent).toEqual([voteReply('n2', 3, true)]);
  });

  it('one vote per term: the same candidate again is granted again, another is refused', () => {
    const { s, r } = follower('n1', three, 2, [entry(2)]);
    onRequestVote(s, 'n2', rv(3, 1, 2), r.ctx);
    const t = timers(r);
    r.events.length = 0;
    onRequestVote(s, 'n2', rv(3, 1, 2), r.ctx);
    expect(r.events).toEqual([{ type: 'raft-vote', term: 3, candidate: 'n2' }]);
    onRequestVote(s, 'n3', rv(3, 5, 2), r.ctx);
    expect(s.votedFor).toBe('n2');
    expect(r.events.length).toBe(1);
    expect(t.set.length).toBe(1);
    expect(r.sent).toEqual([voteReply('n2', 3, true), voteReply('n2', 3, true), voteReply('n3', 3, false)]);
  });

  it('an older term is refused with ours, a stale log is refused in the new term it brought', () => {
    const { s, r } = follower('n1', three, 4, [entry(2), entry(4)]);
    onRequestVote(s, 'n2', rv(3, 9, 9), r.ctx);
    onRequestVote(s, 'n3', rv(5, 9, 3), r.ctx);
    expect([s.term, s.votedFor]).toEqual([5, null]);
    expect(r.sent).toEqual([voteReply('n2', 4, false), voteReply('n3', 5, false)]);
    expect(eventsOf(r, 'raft-vote')).toEqual([]);
  });

  it('a leader asked in a newer term steps down before voting', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    onRequestVote(s, 'n2', rv(3, 1, 2), r.ctx);
    expect([s.role, s.term, s.votedFor]).toEqual(['follower', 3, 'n2']);
    expect(r.sent.at(-1)).toEqual(voteReply('n2', 3, true));
  });

  describe('onVoteReply', () => {
    function candidate(peers: string[]) {
      const { s, r } = follower('n1', peers, 2, [entry(2)]);
      startElection(s, r.ctx);
      r.sent.length = 0;
      r.events.length = 0;
      return { s, r };
    }
    const yes = { term: 3, granted: true };

    it('a majority makes it leader', () => {
      const { s, r } = candidate(three);
      onVoteReply(s, 'n2', yes, r.ctx);
      expect([s.role, s.leader, [...s.votes]]).toEqual(['leader', 'n1', ['n1', 'n2']]);
      expect(eventsOf(r, 'raft-leader')).toEqual([{ type: 'raft-leader', term: 3, lastIndex: 1, terms: [2], votes: 2 }]);
    });

    it('of five, two votes are not a majority, three are', () => {
      const { s, r } = candidate(five);
      onVoteReply(s, 'n2', yes, r.ctx);
      expect(s.role).toBe('candidate');
      onVoteReply(s, 'n3', yes, r.ctx);
      expect(s.role).toBe('leader');
    });

    it('a newer term makes it a follower', () => {
      const { s, r } = candidate(three);
      onVoteReply(s, 'n2', { term: 7, granted: false }, r.ctx);
      expect([s.role, s.term, s.votedFor]).toEqual(['follower', 7, null]);
    });

    it('a no, a vote of an older term, a vote from a non-member, a vote once leading are not counted', () => {
      const { s, r } = candidate(three);
      onVoteReply(s, 'n2', { term: 3, granted: false }, r.ctx);
      onVoteReply(s, 'n2', { term: 2, granted: true }, r.ctx);
      onVoteReply(s, 'n9', yes, r.ctx);
      expect([s.role, [...s.votes]]).toEqual(['candidate', ['n1']]);
      s.role = 'follower';
      onVoteReply(s, 'n2', yes, r.ctx);
      expect([s.role, [...s.votes]]).toEqual(['follower', ['n1']]);
      expect(r.sent).toEqual([]);
    });
  });
});
