import { describe, expect, it } from 'vitest';
import { BYZANTINE_RAFT, type ByzantineRaftProps, byzantineRaftNode, RAFT_BYZANTINE_KINDS, type RaftByzantineKind } from '../src/adversary/byzantine-raft.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { hosted } from './fixtures/mut-host.ts';

/**
 * The Byzantine Raft node, one message at a time on a real host with a hand-driven clock
 * (test/fixtures/mut-host.ts): what the honest node inside answers, and what each kind makes of
 * it (issue 20's mutation run of src/adversary/byzantine-raft.ts).
 */

const node = (byzantine: RaftByzantineKind[], extra: Partial<ByzantineRaftProps> = {}) =>
  hosted('n3', byzantineRaftNode as never, { peers: ['n1', 'n2', 'n3'], byzantine, ...extra } as ByzantineRaftProps);

/** A heartbeat it holds (prevLogIndex 0) and an AppendEntries it cannot take (prevLogIndex 5, which it lacks). */
const heartbeat = { term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, round: 4 };
const beyond = { term: 1, prevLogIndex: 5, prevLogTerm: 1, entries: [{ term: 1, command: { op: 'noop' } }], leaderCommit: 0 };
const vote = { term: 1, lastLogIndex: 0, lastLogTerm: 0 };

describe('the kinds', () => {
  it('lists them, frozen; the behaviour reference names the module and export', () => {
    expect(RAFT_BYZANTINE_KINDS).toEqual(['conflicting_votes', 'false_information', 'delayed_responses', 'silent']);
    expect(Object.isFrozen(RAFT_BYZANTINE_KINDS)).toBe(true);
    const ref = BYZANTINE_RAFT as { module: string; export: string };
    expect(ref.export).toBe('byzantineRaftNode');
    expect(ref.module).toMatch(/[/\\]adversary[/\\]byzantine-raft\.ts$/);
  });
});

describe('with no kind it is the honest node', () => {
  it('answers AppendEntries and votes as Raft does', () => {
    const a = node([]);
    a.receive('n1', RAFT_KINDS.appendEntries, heartbeat);
    a.receive('n1', RAFT_KINDS.appendEntries, beyond);
    a.receive('n2', RAFT_KINDS.requestVote, { ...vote, term: 2 });
    a.receive('n1', RAFT_KINDS.requestVote, { ...vote, term: 2 });
    expect(a.sent()).toEqual([
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: true, matchIndex: 0, round: 4 } },
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: false, matchIndex: 0, conflictIndex: 1 } },
      { to: 'n2', kind: RAFT_KINDS.requestVoteReply, body: { term: 2, granted: true } },
      { to: 'n1', kind: RAFT_KINDS.requestVoteReply, body: { term: 2, granted: false } },
    ]);
  });
});

describe('false_information', () => {
  it('claims to hold everything a leader sent: success, with the highest index of its AppendEntries; round kept when there is one', () => {
    const a = node(['false_information']);
    a.receive('n1', RAFT_KINDS.appendEntries, beyond);
    a.receive('n1', RAFT_KINDS.appendEntries, heartbeat);
    a.receive('n2', RAFT_KINDS.appendEntries, { ...beyond, term: 2, prevLogIndex: 9, round: 7 });
    const sent = a.sent();
    expect(sent).toEqual([
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: true, matchIndex: 6 } },
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: true, matchIndex: 0, round: 4 } },
      { to: 'n2', kind: RAFT_KINDS.appendEntriesReply, body: { term: 2, success: true, matchIndex: 10, round: 7 } },
    ]);
    expect(Object.keys(sent[0].body as object)).toEqual(['term', 'success', 'matchIndex']);
  });

  it('an AppendEntries with no body is ignored, not a crash', () => {
    const a = node(['false_information']);
    a.receive('n1', RAFT_KINDS.appendEntries, undefined);
    expect(a.traces.filter((t) => t.type === 'failure' || t.type === 'restart')).toEqual([]);
  });

  it('leaves its vote to a leader it claimed entries from alone', () => {
    const a = node(['false_information']);
    a.receive('n1', RAFT_KINDS.appendEntries, heartbeat);
    a.sent();
    a.receive('n1', RAFT_KINDS.requestVote, { ...vote, term: 2 });
    expect(a.sent()).toEqual([{ to: 'n1', kind: RAFT_KINDS.requestVoteReply, body: { term: 2, granted: true } }]);
  });

  it('leaves votes alone', () => {
    const a = node(['false_information']);
    a.receive('n2', RAFT_KINDS.requestVote, vote);
    a.receive('n1', RAFT_KINDS.requestVote, vote);
    expect(a.sent().map((s) => (s.body as { granted: boolean }).granted)).toEqual([true, false]);
  });
});

describe('conflicting_votes', () => {
  it('grants every vote and pre-vote, whatever it granted already; leaves AppendEntries replies alone', () => {
    const a = node(['conflicting_votes']);
    a.receive('n2', RAFT_KINDS.requestVote, vote);
    a.receive('n1', RAFT_KINDS.requestVote, vote);
    a.receive('n1', RAFT_KINDS.preVote, { term: 1, forTerm: 2, lastLogIndex: 0, lastLogTerm: 0 });
    a.receive('n1', RAFT_KINDS.appendEntries, { ...beyond, term: 3 });
    expect(a.sent()).toEqual([
      { to: 'n2', kind: RAFT_KINDS.requestVoteReply, body: { term: 1, granted: true } },
      { to: 'n1', kind: RAFT_KINDS.requestVoteReply, body: { term: 1, granted: true } },
      { to: 'n1', kind: RAFT_KINDS.preVoteReply, body: { term: 1, forTerm: 1, granted: true } },
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 3, success: false, matchIndex: 0, conflictIndex: 1 } },
    ]);
  });
});

describe('silent and delayed_responses', () => {
  it('silent: sends nothing, ever', () => {
    const a = node(['silent', 'conflicting_votes']);
    a.receive('n1', RAFT_KINDS.appendEntries, heartbeat);
    a.receive('n2', RAFT_KINDS.requestVote, { ...vote, term: 2 });
    a.advance(5_000);
    expect(a.sent()).toEqual([]);
  });

  it('delayed_responses: every message held for 1 s by default, each on a timer of its own, then sent as it was', () => {
    const a = node(['delayed_responses']);
    a.receive('n1', RAFT_KINDS.appendEntries, heartbeat);
    a.receive('n1', RAFT_KINDS.appendEntries, beyond);
    expect(a.sent()).toEqual([]);
    // Beside the election timer (re-armed by each AppendEntries, a few hundred ms).
    expect(a.pending().filter((d) => d >= 500)).toEqual([1000, 1000]);
    a.advance(999);
    expect(a.sent()).toEqual([]);
    a.advance(1);
    expect(a.sent()).toEqual([
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: true, matchIndex: 0, round: 4 } },
      { to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: false, matchIndex: 0, conflictIndex: 1 } },
    ]);
  });

  it('delayed_responses for delayMs when given; combined with a lie, the lie is what is held', () => {
    const a = node(['delayed_responses', 'false_information'], { delayMs: 40 });
    a.receive('n1', RAFT_KINDS.appendEntries, beyond);
    expect(a.sent()).toEqual([]);
    a.advance(40);
    expect(a.sent()).toEqual([{ to: 'n1', kind: RAFT_KINDS.appendEntriesReply, body: { term: 1, success: true, matchIndex: 6 } }]);
  });
});
