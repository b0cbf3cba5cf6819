import { describe, expect, it } from 'vitest';
import { compactTo, lastIndex, logStart, termAt } from '../src/protocols/raft/log.ts';
import type { AppendEntries, AppendEntriesReply, LogEntry } from '../src/protocols/raft/messages.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { onAppendEntries } from '../src/protocols/raft/replication.ts';
import { entry, follower, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * `onAppendEntries` where it meets log compaction, and the durable write of a truncation:
 * what a mutation run of `replication.ts` lines 1-85 found no test for (test/MUTATION.md).
 */

const three = ['n1', 'n2', 'n3'];

const ae = (prevLogIndex: number, prevLogTerm: number, entries: LogEntry[], leaderCommit = 0): AppendEntries => ({
  term: 2,
  prevLogIndex,
  prevLogTerm,
  entries,
  leaderCommit,
});

function replies(r: Recording): AppendEntriesReply[] {
  return r.sent.filter((m) => m.kind === RAFT_KINDS.appendEntriesReply).map((m) => m.body as AppendEntriesReply);
}

/** Leader n1's log in term 2: indexes 1-5 of term 1, 6-9 of term 2. */
const leaders = [entry(1, 'a'), entry(1, 'b'), entry(1, 'c'), entry(1, 'd'), entry(1, 'e'), entry(2, 'f'), entry(2, 'g'), entry(2, 'h'), entry(2, 'i')];

/** Follower n2 holding 1-8 and a snapshot up to 5 (so 1-5 are committed and applied), its log compacted to 6-8. */
function compacted() {
  const { s, r } = follower('n2', three, 2, leaders.slice(0, 8));
  s.commitIndex = 5;
  s.lastApplied = 5;
  compactTo(s.log, 5);
  return { s, r };
}

const terms = (log: Parameters<typeof termAt>[0]) => Array.from({ length: lastIndex(log) - logStart(log) }, (_, k) => termAt(log, logStart(log) + 1 + k));

describe('a stale AppendEntries reaching behind the snapshot', () => {
  it('skips the entries the snapshot holds and appends the rest: 4-9 sent after 3, the follower compacted at 5', () => {
    const { s, r } = compacted();
    onAppendEntries(s, 'n1', ae(3, 1, leaders.slice(3, 9)), r.ctx);
    expect(replies(r)).toStrictEqual([{ term: 2, success: true, matchIndex: 9 }]);
    expect([logStart(s.log), lastIndex(s.log)]).toStrictEqual([5, 9]);
    // 6-8 kept (they match), 9 appended; nothing before the snapshot compared or cut.
    expect(terms(s.log)).toStrictEqual([2, 2, 2, 2]);
    expect((s.log[3]!.command as { key?: string }).key).toBe('i');
  });

  it('entirely behind the snapshot: answered a success up to where it reaches, the log and commit untouched', () => {
    const { s, r } = compacted();
    onAppendEntries(s, 'n1', ae(1, 1, leaders.slice(1, 3), 9), r.ctx);
    expect(replies(r)).toStrictEqual([{ term: 2, success: true, matchIndex: 3 }]);
    expect([logStart(s.log), lastIndex(s.log), s.commitIndex]).toStrictEqual([5, 8, 5]);
  });

  it('ending exactly at the snapshot: matched up to it, nothing appended', () => {
    const { s, r } = compacted();
    onAppendEntries(s, 'n1', ae(2, 1, leaders.slice(2, 5)), r.ctx);
    expect(replies(r)).toStrictEqual([{ term: 2, success: true, matchIndex: 5 }]);
    expect(lastIndex(s.log)).toBe(8);
  });
});

describe('a truncation at a real conflict', () => {
  it('writes the cut log to the durable store (a mirror of the store ships it whole)', () => {
    const { s, r } = follower('n2', three, 2, [entry(1, 'a'), entry(1, 'b'), entry(1, 'stale')]);
    expect(r.ctx.durable.get('log')).toBeUndefined();
    onAppendEntries(s, 'n1', ae(2, 1, [entry(2, 'c')]), r.ctx);
    expect(terms(s.log)).toStrictEqual([1, 1, 2]);
    expect(r.ctx.durable.get('log')).toBe(s.log);
  });
});
