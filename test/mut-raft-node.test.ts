import { describe, expect, it } from 'vitest';
import type { ActorId, Envelope } from '../src/actors/envelope.ts';
import { ConfigError } from '../src/errors.ts';
import { type LogEntry, RAFT_KINDS, type RaftProps } from '../src/protocols/raft/messages.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import { raftNode, raftNodeWith } from '../src/protocols/raft/raft-node.ts';
import type { RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { digestOf } from '../src/protocols/raft/snapshots.ts';
import type { MachineCommand, StateMachine } from '../src/protocols/raft/state-machine.ts';
import { configEntry, entry, eventsOf, follower, leader, type Recording, recordingCtx, type Timers, timers } from './fixtures/raft-by-hand.ts';

/**
 * `raft-node.ts` one step at a time: `init` (what it reads from the disk, the compaction interval
 * it settles on, the event and the timer it starts with) and `receive`'s dispatch (who may send
 * each kind, which handler each kind reaches, a malformed message refused), on a context that
 * records sends, events and timers (`test/fixtures/raft-by-hand.ts`).
 */

const three = ['n1', 'n2', 'n3'];

/** A context for n1 whose props are `props`, and whose disk holds `disk`. */
function boot(props: RaftProps | undefined, disk: Record<string, unknown> = {}): { r: Recording; t: Timers } {
  const r = recordingCtx('n1', three);
  Object.assign(r.ctx, { props });
  for (const [k, v] of Object.entries(disk)) r.ctx.durable.set(k, v);
  return { r, t: timers(r) };
}

/** A machine that cannot snapshot. */
class Plain implements StateMachine {
  accepts(c: unknown): c is MachineCommand {
    return (c as MachineCommand | null)?.op === 'add';
  }
  isRead(): boolean {
    return false;
  }
  apply(): unknown {
    return null;
  }
  read(): unknown {
    return null;
  }
}

let nextId = 1;
const env = (from: ActorId, kind: string, body?: unknown, corr?: number): Envelope => ({ id: nextId++, from, to: 'n1', kind, body, corr }) as Envelope;
const receive = (s: RaftNodeState, e: Envelope, r: Recording) => raftNode.receive(s as never, e, r.ctx as never);
const kinds = (r: Recording) => r.sent.map((m) => [m.to, m.kind]);

describe('init', () => {
  it('a fresh disk: term 0, no vote, an empty log written to the disk, the role event, the election timer', () => {
    const { r, t } = boot({ peers: three });
    const s = raftNode.init(r.ctx as never) as RaftNodeState;
    expect([s.term, s.votedFor, s.role, s.log]).toEqual([0, null, 'follower', []]);
    expect(r.ctx.durable.get('log')).toBe(s.log);
    expect(s.snapshotEvery).toBe(10_000);
    expect(r.events).toEqual([{ type: 'raft-role', term: 0, role: 'follower', lastIndex: 0 }]);
    expect(t.set).toEqual([{ key: 'election', delayMs: 150, message: { kind: RAFT_KINDS.electionTimeout } }]);
    expect(r.sent).toEqual([]);
  });

  it('a restarted node resumes its term, its vote, its log (the same array as on the disk) and its configuration', () => {
    const log: LogEntry[] = [entry(1), configEntry(2, ['n1', 'n2']), entry(3, 'k')];
    const { r } = boot({ peers: three }, { term: 3, votedFor: 'n2', log });
    const s = raftNode.init(r.ctx as never) as RaftNodeState;
    expect([s.term, s.votedFor]).toEqual([3, 'n2']);
    expect(s.log).toBe(log);
    expect(s.members).toEqual(['n1', 'n2']);
    expect(r.events).toEqual([
      { type: 'raft-role', term: 3, role: 'follower', lastIndex: 3 },
      { type: 'raft-config', index: 2, members: ['n1', 'n2'] },
    ]);
  });

  it('the compaction interval given in the props', () => {
    const { r } = boot({ peers: three, snapshotEvery: 7 });
    expect((raftNode.init(r.ctx as never) as RaftNodeState).snapshotEvery).toBe(7);
  });

  it('a machine with no snapshot: compaction off by default, and also when the props give 0', () => {
    const plain = raftNodeWith(() => new Plain());
    for (const props of [{ peers: three }, { peers: three, snapshotEvery: 0 }]) {
      const { r } = boot(props);
      expect((plain.init(r.ctx as never) as RaftNodeState).snapshotEvery).toBe(0);
    }
  });

  it('a machine with no snapshot and an explicit interval above 0: refused, naming the field, what is expected and what was given', () => {
    const { r } = boot({ peers: three, snapshotEvery: 1 });
    let thrown: unknown;
    try {
      raftNodeWith(() => new Plain()).init(r.ctx as never);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toBe(
      new ConfigError('raft("n1").props.snapshotEvery', '0 (this state machine has no snapshot()/restore(); implement them to compact the log)', 1).message,
    );
  });

  it('a snapshot on the disk is restored, after the role event', () => {
    const data = JSON.stringify({ machine: [['a', 'a@1']], sessions: [] });
    const record = { index: 1, term: 1, configIndex: 0, members: three, data, digest: digestOf(data) };
    const { r } = boot({ peers: three }, { snapshot: record, log: [] });
    const s = raftNode.init(r.ctx as never) as RaftNodeState;
    expect((s.applied.machine as KeyValueMachine).get('a')).toBe('a@1');
    expect([s.lastApplied, s.commitIndex, s.snapshot]).toEqual([1, 1, record]);
    expect(r.events.map((e) => [e.type, e.how])).toEqual([
      ['raft-role', undefined],
      ['raft-snapshot', 'recovered'],
      ['raft-config', undefined],
    ]);
  });
});

describe('receive: timers come from the node itself', () => {
  it('an election timeout starts a pre-vote (preVote on by default)', () => {
    const { s, r } = follower('n1', three, 2, [entry(1), entry(2)]);
    receive(s, env('n1', RAFT_KINDS.electionTimeout), r);
    expect(eventsOf(r, 'raft-prevote')).toEqual([{ type: 'raft-prevote', term: 3 }]);
    expect(kinds(r)).toEqual([
      ['n2', RAFT_KINDS.preVote],
      ['n3', RAFT_KINDS.preVote],
    ]);
    expect(s.term).toBe(2);
  });

  it('with preVote off, an election timeout starts an election at once', () => {
    const { r } = boot({ peers: three, preVote: false });
    const s = raftNode.init(r.ctx as never) as RaftNodeState;
    r.events.length = 0;
    receive(s, env('n1', RAFT_KINDS.electionTimeout), r);
    expect([s.term, s.role]).toEqual([1, 'candidate']);
    expect(kinds(r)).toEqual([
      ['n2', RAFT_KINDS.requestVote],
      ['n3', RAFT_KINDS.requestVote],
    ]);
  });

  it('an election timeout from anyone else, or reaching a leader, does nothing', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.electionTimeout), r);
    const { s: l, r: lr } = leader('n1', three, 2, [entry(2)]);
    const t = timers(lr);
    receive(l, env('n1', RAFT_KINDS.electionTimeout), lr);
    expect([r.sent, r.events, lr.sent, lr.events, t.set]).toEqual([[], [], [], [], []]);
    expect([s.preVotes, l.role]).toEqual([null, 'leader']);
  });

  it('a node that holds a committed configuration without itself stays quiet; until it commits, it stands', () => {
    const removed = () => follower('n1', three, 2, [entry(1), configEntry(2, ['n2', 'n3'])]);
    const { s, r } = removed();
    expect([s.isMember, s.configIndex]).toEqual([false, 2]);
    s.commitIndex = 2;
    receive(s, env('n1', RAFT_KINDS.electionTimeout), r);
    expect([r.sent, r.events]).toEqual([[], []]);
    s.commitIndex = 3; // (past it: a later entry committed too)
    receive(s, env('n1', RAFT_KINDS.electionTimeout), r);
    expect([r.sent, r.events]).toEqual([[], []]);
    const { s: s2, r: r2 } = removed();
    s2.commitIndex = 1;
    receive(s2, env('n1', RAFT_KINDS.electionTimeout), r2);
    expect(eventsOf(r2, 'raft-prevote')).toEqual([{ type: 'raft-prevote', term: 3 }]);
  });

  it('a member whose configuration is committed stands', () => {
    const { s, r } = follower('n1', three, 2, [entry(1), configEntry(2, three)]);
    s.commitIndex = 2;
    receive(s, env('n1', RAFT_KINDS.electionTimeout), r);
    expect(eventsOf(r, 'raft-prevote')).toEqual([{ type: 'raft-prevote', term: 3 }]);
  });

  it('a heartbeat reaches a leader from itself only', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    const t = timers(r);
    receive(s, env('n2', RAFT_KINDS.heartbeat), r);
    expect([r.sent, t.set]).toEqual([[], []]);
    receive(s, env('n1', RAFT_KINDS.heartbeat), r);
    expect(kinds(r)).toEqual([
      ['n2', RAFT_KINDS.appendEntries],
      ['n3', RAFT_KINDS.appendEntries],
    ]);
    expect(t.set).toEqual([{ key: 'heartbeat', delayMs: 50, message: { kind: RAFT_KINDS.heartbeat } }]);
  });

  it('a heartbeat reaching a follower does nothing', () => {
    const { s, r } = follower('n1', three, 2, [entry(2)]);
    const t = timers(r);
    receive(s, env('n1', RAFT_KINDS.heartbeat), r);
    expect([r.sent, r.events, t.set]).toEqual([[], [], []]);
  });

  it('a transfer timeout from itself aborts the transfer in progress, answering who asked', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    const t = timers(r);
    s.transfer = { target: 'n3', waiter: { from: 'client', corr: 9 }, sent: true };
    receive(s, env('n2', RAFT_KINDS.transferTimeout), r);
    expect([r.sent, s.transfer?.target]).toEqual([[], 'n3']);
    receive(s, env('n1', RAFT_KINDS.transferTimeout), r);
    expect(s.transfer).toBeNull();
    expect(t.cancelled).toEqual(['transfer']);
    expect(r.sent).toEqual([
      {
        to: 'client',
        kind: RAFT_KINDS.transferReply,
        body: { ok: false, reason: 'the target did not take over within an election timeout', leader: 'n1' },
      },
    ]);
  });

  it('a transfer timeout with no transfer in progress does nothing', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    receive(s, env('n1', RAFT_KINDS.transferTimeout), r);
    expect([r.sent, r.events]).toEqual([[], []]);
  });
});

describe('receive: requests from anyone', () => {
  it('a client request from outside the cluster reaches the client handler', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('client', RAFT_KINDS.clientRequest, { clientId: 'c', seq: 1, command: { op: 'put', key: 'k', value: 'v' } }, 4), r);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 1, ok: false, leader: null } }]);
  });

  it('a transfer request reaches the transfer handler', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n2';
    receive(s, env('client', RAFT_KINDS.transferLeadership, { target: 'n3' }, 4), r);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.transferReply, body: { ok: false, reason: 'not the leader', leader: 'n2' } }]);
  });

  it('a membership change reaches the membership handler', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n2';
    receive(s, env('client', RAFT_KINDS.changeMembership, { add: 'n4' }, 4), r);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.membershipReply, body: { ok: false, reason: 'not the leader', leader: 'n2' } }]);
  });
});

describe('receive: Raft messages count from servers of the cluster only', () => {
  const rv = { term: 3, lastLogIndex: 0, lastLogTerm: 0 };

  it('a RequestVote from a member is answered', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.requestVote, rv), r);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.requestVoteReply, body: { term: 3, granted: true } }]);
  });

  it('from an unknown sender, or from itself, nothing happens', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n9', RAFT_KINDS.requestVote, rv), r);
    receive(s, env('n1', RAFT_KINDS.requestVote, rv), r);
    receive(s, env('n9', RAFT_KINDS.requestVote, null), r);
    expect([r.sent, r.events, s.term]).toEqual([[], [], 2]);
  });

  it('a malformed message from a member is refused with an event', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.requestVote, { term: 'x' }), r);
    expect(r.sent).toEqual([]);
    expect(r.events).toEqual([{ type: 'raft-rejected', from: 'n2', kind: RAFT_KINDS.requestVote, reason: 'malformed' }]);
  });

  it('a vote reply reaches the candidate', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.role = 'candidate';
    s.votes.add('n1');
    receive(s, env('n2', RAFT_KINDS.requestVoteReply, { term: 2, granted: true }), r);
    expect(s.role).toBe('leader');
  });

  it('an AppendEntries is answered', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.appendEntries, { term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [entry(2)], leaderCommit: 0 }), r);
    expect(s.log).toEqual([entry(2)]);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.appendEntriesReply, body: { term: 2, success: true, matchIndex: 1 } }]);
  });

  it('an AppendEntries reply moves the follower along', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    receive(s, env('n2', RAFT_KINDS.appendEntriesReply, { term: 2, success: true, matchIndex: 1 }), r);
    expect(s.matchIndex.get('n2')).toBe(1);
  });

  it('a PreVote is answered', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.preVote, rv), r);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.preVoteReply, body: { term: 2, forTerm: 3, granted: true } }]);
  });

  it('a PreVote reply is counted', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.preVotes = new Set(['n1']);
    receive(s, env('n2', RAFT_KINDS.preVoteReply, { term: 2, forTerm: 3, granted: true }), r);
    expect([s.term, s.role]).toEqual([3, 'candidate']);
  });

  it('an InstallSnapshot is answered', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', RAFT_KINDS.installSnapshot, { term: 1, index: 5, lastTerm: 1, configIndex: 0, offset: 0, data: '', done: false, members: three }), r);
    expect(r.sent.map((m) => [m.to, m.kind])).toEqual([['n2', RAFT_KINDS.installSnapshotReply]]);
  });

  it('an InstallSnapshot reply reaches the leader', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    receive(s, env('n2', RAFT_KINDS.installSnapshotReply, { term: 3, index: 1, offset: 0, done: false }), r);
    expect([s.term, s.role]).toEqual([3, 'follower']);
  });

  it('a forwarded reply is passed on to the client', () => {
    const { s, r } = follower('n1', three, 2, []);
    const reply = { clientId: 'c', seq: 1, ok: true, index: 4, result: null };
    receive(s, env('n2', RAFT_KINDS.forwardedReply, { to: { from: 'client', corr: 3 }, reply }), r);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.clientReply, body: reply }]);
  });

  it('TimeoutNow from the leader of its term makes a follower stand at once', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n2';
    receive(s, env('n2', RAFT_KINDS.timeoutNow, { term: 2 }), r);
    expect([s.term, s.role]).toEqual([3, 'candidate']);
    expect(kinds(r)).toEqual([
      ['n2', RAFT_KINDS.requestVote],
      ['n3', RAFT_KINDS.requestVote],
    ]);
  });

  it('TimeoutNow of another term, from another server than the leader, or to a candidate, is ignored', () => {
    const cases: [number, ActorId, 'follower' | 'candidate'][] = [
      [1, 'n2', 'follower'],
      [3, 'n2', 'follower'],
      [2, 'n3', 'follower'],
      [2, 'n2', 'candidate'],
    ];
    for (const [term, from, role] of cases) {
      const { s, r } = follower('n1', three, 2, []);
      s.leader = 'n2';
      s.role = role;
      receive(s, env(from, RAFT_KINDS.timeoutNow, { term }), r);
      expect([s.term, r.sent, r.events]).toEqual([2, [], []]);
    }
  });

  it('a kind it does not know is ignored', () => {
    const { s, r } = follower('n1', three, 2, []);
    receive(s, env('n2', 'raft-something', { term: 9 }), r);
    expect([s.term, r.sent, r.events]).toEqual([2, [], []]);
  });
});
