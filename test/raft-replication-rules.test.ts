import { describe, expect, it } from 'vitest';
import { onRequestVote } from '../src/protocols/raft/elections.ts';
import type { AppendEntries, AppendEntriesReply, LogEntry } from '../src/protocols/raft/messages.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { appendEntry, onAppendEntries, onAppendReply } from '../src/protocols/raft/replication.ts';
import { appliedIn } from './fixtures/raft-applies.ts';
import { configEntry, entry, eventsOf, follower, leader, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * Raft's replication rules one handler at a time, each on a node put by hand exactly where the
 * rule matters (Figure 2 and section 5.4 of the extended paper). A random schedule reaches these
 * states rarely, so without these tests each rule could be deleted with the suite still green
 * (issue 20's mutation run showed it).
 */

const five = ['s1', 's2', 's3', 's4', 's5'];
const three = ['n1', 'n2', 'n3'];

const ae = (term: number, prevLogIndex: number, prevLogTerm: number, entries: LogEntry[], leaderCommit = 0): AppendEntries => ({
  term,
  prevLogIndex,
  prevLogTerm,
  entries,
  leaderCommit,
});
const ok = (term: number, matchIndex: number): AppendEntriesReply => ({ term, success: true, matchIndex });

/** The AppendEntries replies a node sent, in order. */
function replies(r: Recording): AppendEntriesReply[] {
  return r.sent.filter((m) => m.kind === RAFT_KINDS.appendEntriesReply).map((m) => m.body as AppendEntriesReply);
}

describe('Figure 8: a leader commits an old-term entry only through one of its own term', () => {
  // (c) of Figure 8: s1 leads term 4 (its no-op at index 3); the term-2 entry at index 2 is on
  // s1, s2 and s3, a majority of five, but s5 (log [1, 3]) can still be elected and overwrite it.
  const s1Log = [entry(1, 'x'), entry(2, 'y'), entry(4)];

  it('a majority holding the term-2 entry does not commit it', () => {
    const { s, r } = leader('s1', five, 4, s1Log, {}, 1);
    onAppendReply(s, 's2', ok(4, 2), r.ctx);
    onAppendReply(s, 's3', ok(4, 2), r.ctx);
    expect(s.commitIndex).toBe(1);
    expect(eventsOf(r, 'raft-commit')).toEqual([]);
    expect(eventsOf(r, 'raft-apply')).toEqual([]);
  });

  it('(d) the entry it would have committed is overwritten by a leader elected without it', () => {
    // s3 holds the term-2 entry; s5 (last term 3) is more up to date, so s3 votes for it ...
    const { s: s3, r: r3 } = follower('s3', five, 4, [entry(1, 'x'), entry(2, 'y')]);
    onRequestVote(s3, 's5', { term: 5, lastLogIndex: 2, lastLogTerm: 3 }, r3.ctx);
    expect(r3.sent.at(-1)).toEqual({ to: 's5', kind: RAFT_KINDS.requestVoteReply, body: { term: 5, granted: true } });
    // ... and s5, leading term 5, replaces index 2 on s3 with its own term-3 entry.
    onAppendEntries(s3, 's5', ae(5, 1, 1, [entry(3, 'z'), entry(5)]), r3.ctx);
    expect(s3.log.map((e) => e.term)).toEqual([1, 3, 5]);
    expect(replies(r3).at(-1)).toEqual(ok(5, 3));
  });

  it('(e) once its own term-4 entry reaches a majority, index 2 and 3 commit together', () => {
    const { s, r } = leader('s1', five, 4, s1Log, {}, 1);
    onAppendReply(s, 's2', ok(4, 3), r.ctx);
    expect(s.commitIndex).toBe(1); // two of five hold index 3
    onAppendReply(s, 's3', ok(4, 3), r.ctx);
    expect(s.commitIndex).toBe(3);
    expect(eventsOf(r, 'raft-commit')).toEqual([
      { type: 'raft-commit', index: 2, term: 2, leaderTerm: 4 },
      { type: 'raft-commit', index: 3, term: 4, leaderTerm: 4 },
    ]);
    expect(eventsOf(r, 'raft-apply').flatMap((e) => appliedIn(e).map((a) => a.index))).toEqual([2, 3]);
  });
});

describe('a follower never drops entries a stale or duplicated AppendEntries does not contradict', () => {
  const log3 = [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')];

  it('a stale AppendEntries carrying a prefix keeps the entries after it, and vouches only for the prefix', () => {
    const { s, r } = follower('n2', three, 1, []);
    onAppendEntries(s, 'n1', ae(1, 0, 0, log3), r.ctx);
    onAppendEntries(s, 'n1', ae(1, 0, 0, log3.slice(0, 1)), r.ctx); // the older, shorter one arrives late
    expect(s.log).toEqual(log3);
    expect(replies(r)).toEqual([ok(1, 3), ok(1, 1)]);
  });

  it('a duplicate of the same AppendEntries changes nothing', () => {
    const { s, r } = follower('n2', three, 1, []);
    const m = ae(1, 0, 0, log3, 2);
    onAppendEntries(s, 'n1', m, r.ctx);
    const before = s.log.slice();
    onAppendEntries(s, 'n1', m, r.ctx);
    expect(s.log).toEqual(before);
    expect(s.log[0]).toBe(before[0]); // not even replaced by equal copies
    expect(replies(r)).toEqual([ok(1, 3), ok(1, 3)]);
    expect(eventsOf(r, 'raft-apply').flatMap((e) => appliedIn(e).map((a) => a.index))).toEqual([1, 2]); // applied once
  });

  it('a stale AppendEntries overlapping the middle appends only what is new, truncating nothing', () => {
    const { s, r } = follower('n2', three, 1, log3);
    onAppendEntries(s, 'n1', ae(1, 1, 1, [entry(1, 'b'), entry(1, 'c'), entry(1, 'd')]), r.ctx);
    expect(s.log.map((e) => (e.command as unknown as { key: string }).key)).toEqual(['a', 'b', 'c', 'd']);
    expect(replies(r)).toEqual([ok(1, 4)]);
  });

  it('a real conflict truncates from the first differing index and appends the rest', () => {
    const { s, r } = follower('n2', three, 1, log3);
    onAppendEntries(s, 'n3', ae(2, 1, 1, [entry(1, 'b'), entry(2, 'q')]), r.ctx);
    expect(s.log).toEqual([entry(1, 'a'), entry(1, 'b'), entry(2, 'q')]);
    expect(replies(r)).toEqual([ok(2, 3)]);
  });
});

describe('commitIndex never decreases', () => {
  it('on a follower: a stale leaderCommit leaves it where it was', () => {
    const { s, r } = follower('n2', three, 1, []);
    onAppendEntries(s, 'n1', ae(1, 0, 0, [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')], 3), r.ctx);
    expect(s.commitIndex).toBe(3);
    onAppendEntries(s, 'n1', ae(1, 0, 0, [entry(1, 'a')], 1), r.ctx);
    expect(s.commitIndex).toBe(3);
    onAppendEntries(s, 'n1', ae(1, 3, 1, [], 0), r.ctx); // a heartbeat from before the commit
    expect(s.commitIndex).toBe(3);
    expect(s.lastApplied).toBe(3);
  });

  it('on a follower: leaderCommit is capped at what the message vouched for', () => {
    const { s, r } = follower('n2', three, 1, [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')]);
    // Entries 2 and 3 are unverified (this message vouches only for index 1); leaderCommit 3 must not commit them.
    onAppendEntries(s, 'n1', ae(2, 0, 0, [entry(1, 'a')], 3), r.ctx);
    expect(s.commitIndex).toBe(1);
  });

  it('on a leader: a member joining with an empty log does not pull the commit index back', () => {
    const log = [entry(2), entry(2, 'a'), entry(2, 'b'), entry(2, 'c'), entry(2, 'd')];
    const { s, r } = leader('n1', three, 2, log, { n2: 5, n3: 2 }, 5);
    // n4 joins: four members, a majority of three holds [6, 5, 2, 0] -> index 2, below 5.
    appendEntry(s, configEntry(2, [...three, 'n4']), r.ctx);
    expect(s.majority).toBe(3);
    expect(s.commitIndex).toBe(5);
    onAppendReply(s, 'n3', ok(2, 3), r.ctx);
    expect(s.commitIndex).toBe(5);
    onAppendReply(s, 'n2', ok(2, 6), r.ctx);
    onAppendReply(s, 'n4', ok(2, 6), r.ctx);
    expect(s.commitIndex).toBe(6);
    expect(eventsOf(r, 'raft-commit').map((e) => e.index)).toEqual([6]);
  });
});

describe('a leader that removed itself', () => {
  it('counts only the members of the new configuration, then steps down once it commits', () => {
    const { s, r } = leader('n1', three, 2, [entry(2), configEntry(2, ['n2', 'n3'])], { n2: 1, n3: 1 }, 1);
    expect([s.isMember, s.majority]).toEqual([false, 2]);
    onAppendReply(s, 'n2', ok(2, 2), r.ctx);
    expect(s.commitIndex).toBe(1); // one of the two members holds it: its own copy does not count
    onAppendReply(s, 'n3', ok(2, 2), r.ctx);
    expect(s.commitIndex).toBe(2);
    expect(s.role).toBe('follower');
    expect(eventsOf(r, 'raft-step-down')).toEqual([{ type: 'raft-step-down', term: 2, reason: 'removed', index: 2 }]);
  });
});

describe('configuration rollback on truncation', () => {
  const joint = [entry(1), configEntry(1, [...three, 'n4'])];

  it('a follower whose configuration entry is cut off goes back to the one before it', () => {
    const { s, r } = follower('n2', three, 1, joint);
    expect([s.configIndex, s.members.length, s.majority]).toEqual([2, 4, 3]);
    onAppendEntries(s, 'n3', ae(2, 1, 1, [entry(2)]), r.ctx);
    expect(s.log.map((e) => e.term)).toEqual([1, 2]);
    expect([s.configIndex, s.members, s.majority]).toEqual([0, three, 2]);
    expect(eventsOf(r, 'raft-config')).toEqual([{ type: 'raft-config', index: 0, members: three }]);
  });

  it('a truncation after the configuration entry keeps it', () => {
    const { s, r } = follower('n2', three, 1, [...joint, entry(1, 'a')]);
    onAppendEntries(s, 'n3', ae(2, 2, 1, [entry(2)]), r.ctx);
    expect([s.configIndex, s.members.length]).toEqual([2, 4]);
    expect(eventsOf(r, 'raft-config')).toEqual([]);
  });

  it('an appended configuration entry is adopted at once, uncommitted', () => {
    const { s, r } = follower('n2', three, 1, [entry(1)]);
    onAppendEntries(s, 'n1', ae(1, 1, 1, [entry(1, 'a'), configEntry(1, ['n1', 'n2'])]), r.ctx);
    expect([s.configIndex, s.members, s.majority]).toEqual([3, ['n1', 'n2'], 2]);
    expect(eventsOf(r, 'raft-config')).toEqual([{ type: 'raft-config', index: 3, members: ['n1', 'n2'] }]);
  });
});

describe('refusals', () => {
  it('a leader refuses an AppendEntries from a second leader of its own term and keeps its log', () => {
    const { s, r } = leader('n1', three, 3, [entry(3, 'mine')]);
    onAppendEntries(s, 'n2', ae(3, 0, 0, [entry(3, 'theirs')], 1), r.ctx);
    expect(s.role).toBe('leader');
    expect(s.leader).toBe('n1');
    expect(s.log).toEqual([entry(3, 'mine')]);
    expect(s.commitIndex).toBe(0);
    expect(replies(r)).toEqual([{ term: 3, success: false, matchIndex: 0 }]);
  });

  it('a newer term makes the same leader step down and follow', () => {
    const { s, r } = leader('n1', three, 3, [entry(3, 'mine')]);
    onAppendEntries(s, 'n2', ae(4, 0, 0, [entry(4, 'theirs')]), r.ctx);
    expect([s.role, s.term, s.leader]).toEqual(['follower', 4, 'n2']);
    expect(s.log).toEqual([entry(4, 'theirs')]);
  });

  it('an older term is refused with the current term, nothing changed', () => {
    const { s, r } = follower('n2', three, 5, [entry(1, 'a')]);
    onAppendEntries(s, 'n1', ae(4, 1, 1, [entry(4, 'b')], 2), r.ctx);
    expect(s.log).toEqual([entry(1, 'a')]);
    expect([s.term, s.leader, s.commitIndex]).toEqual([5, null, 0]);
    expect(replies(r)).toEqual([{ term: 5, success: false, matchIndex: 0 }]);
  });

  it('a mismatched prevLogTerm fails with the conflicting term and its first index; the log is untouched', () => {
    const { s, r } = follower('n2', three, 3, [entry(1, 'a'), entry(2, 'b'), entry(2, 'c')]);
    onAppendEntries(s, 'n1', ae(3, 3, 3, [entry(3, 'd')], 4), r.ctx);
    expect(s.log.map((e) => e.term)).toEqual([1, 2, 2]);
    expect(s.commitIndex).toBe(0);
    expect(replies(r)).toEqual([{ term: 3, success: false, matchIndex: 0, conflictTerm: 2, conflictIndex: 2 }]);
  });

  it('a prevLogIndex beyond the log fails with the first missing index', () => {
    const { s, r } = follower('n2', three, 3, [entry(1, 'a')]);
    onAppendEntries(s, 'n1', ae(3, 4, 3, [entry(3, 'd')]), r.ctx);
    expect(s.log.length).toBe(1);
    expect(replies(r)).toEqual([{ term: 3, success: false, matchIndex: 0, conflictIndex: 2 }]);
  });
});
