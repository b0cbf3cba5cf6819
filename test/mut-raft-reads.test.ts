import { describe, expect, it } from 'vitest';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import type { PendingRead, RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { serveReads, startRead } from '../src/protocols/raft/reads.ts';
import { configEntry, entry, leader, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * `reads.ts`, ReadIndex reads (thesis section 6.4): the read index (the commit index, at least
 * this term's first entry), a fresh round sent to every follower as an empty heartbeat, and
 * `serveReads` answering, oldest first, only the reads whose round a majority echoed (the leader
 * counting itself only as a member) and whose index is applied.
 */

const three = ['n1', 'n2', 'n3'];
const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
const get = (k: string) => ({ op: 'get', key: k });

const read = (seq: number, index: number, round: number, k = 'a'): PendingRead => ({
  waiter: { from: `client${seq}`, corr: seq },
  clientId: 'c',
  seq,
  command: get(k),
  index,
  round,
});
const answered = (r: Recording) => r.sent.filter((m) => m.kind === RAFT_KINDS.clientReply).map((m) => [m.to, m.body]);
const acked = (s: RaftNodeState, rounds: Record<string, number>) => {
  for (const [p, n] of Object.entries(rounds)) s.ackedRound.set(p, n);
};

describe('startRead', () => {
  it('takes the commit index as the read index, opens a new round, sends each follower an empty heartbeat carrying it', () => {
    const { s, r } = leader('n1', three, 2, [entry(1, 'a'), entry(2), entry(2, 'b')], { n2: 3, n3: 1 }, 3);
    s.termStart = 2;
    s.round = 4;
    startRead(s, { from: 'client', corr: 7 }, 'c', 1, get('a'), r.ctx);
    expect(s.reads).toEqual([{ waiter: { from: 'client', corr: 7 }, clientId: 'c', seq: 1, command: get('a'), index: 3, round: 5 }]);
    expect(r.sent).toEqual([
      { to: 'n2', kind: RAFT_KINDS.appendEntries, body: { term: 2, prevLogIndex: 3, prevLogTerm: 2, entries: [], leaderCommit: 3, round: 5 } },
      { to: 'n3', kind: RAFT_KINDS.appendEntries, body: { term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [], leaderCommit: 3, round: 5 } },
    ]);
  });

  it('a leader that has not committed its first entry reads at that entry', () => {
    const { s, r } = leader('n1', three, 2, [entry(1, 'a'), entry(2)], {}, 1);
    s.termStart = 2;
    startRead(s, { from: 'client', corr: 7 }, 'c', 1, get('a'), r.ctx);
    expect(s.reads.map((x) => [x.index, x.round])).toEqual([[2, 1]]);
  });

  it('a cluster of one answers at once', () => {
    const { s, r } = leader('n1', ['n1'], 2, [entry(2, 'a')], {}, 1);
    s.applied.apply(1, entry(2, 'a').command);
    startRead(s, { from: 'client', corr: 7 }, 'c', 3, get('a'), r.ctx);
    expect(answered(r)).toEqual([['client', { clientId: 'c', seq: 3, ok: true, index: 1, result: { ok: true, value: 'a@2' } }]]);
    expect(s.reads).toEqual([]);
  });
});

describe('serveReads', () => {
  it('a read is answered once one follower of two echoed its round, and its index is applied', () => {
    const { s, r } = leader('n1', three, 2, [entry(2, 'a')], {}, 1);
    s.applied.apply(1, entry(2, 'a').command);
    s.reads.push(read(1, 1, 3));
    acked(s, { n2: 2 });
    serveReads(s, r.ctx);
    expect(answered(r)).toEqual([]);
    acked(s, { n3: 3 });
    serveReads(s, r.ctx);
    expect(answered(r)).toEqual([['client1', { clientId: 'c', seq: 1, ok: true, index: 1, result: { ok: true, value: 'a@2' } }]]);
    expect(s.reads).toEqual([]);
  });

  it('a later round echoed confirms an earlier one too', () => {
    const { s, r } = leader('n1', three, 2, [entry(2, 'a')], {}, 1);
    s.reads.push(read(1, 1, 3));
    acked(s, { n2: 9 });
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1']);
  });

  it('not before the state machine applied its index', () => {
    const { s, r } = leader('n1', three, 2, [entry(2, 'a'), entry(2, 'a')], {}, 1);
    s.reads.push(read(1, 2, 1));
    acked(s, { n2: 1, n3: 1 });
    serveReads(s, r.ctx);
    expect([answered(r), s.reads.length]).toEqual([[], 1]);
    s.lastApplied = 2;
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1']);
  });

  it('oldest first: a read not ready holds back the ones after it', () => {
    const { s, r } = leader('n1', three, 2, [entry(2, 'a'), entry(2, 'b')], {}, 1);
    s.reads.push(read(1, 1, 1), read(2, 2, 2), read(3, 1, 2));
    acked(s, { n2: 2 });
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1']);
    expect(s.reads.map((x) => x.seq)).toEqual([2, 3]);
    s.lastApplied = 2;
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1', 'client2', 'client3']);
    expect(s.reads).toEqual([]);
  });

  it('of five, two followers are needed', () => {
    const { s, r } = leader('n1', five, 2, [entry(2, 'a')], {}, 1);
    s.reads.push(read(1, 1, 1));
    acked(s, { n2: 1 });
    serveReads(s, r.ctx);
    expect(answered(r)).toEqual([]);
    acked(s, { n5: 1 });
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1']);
  });

  it('a leader that removed itself does not count itself: both remaining members must echo', () => {
    const { s, r } = leader('n1', three, 2, [entry(2), configEntry(2, ['n2', 'n3'])], {}, 2);
    expect([s.isMember, s.majority, s.others]).toEqual([false, 2, ['n2', 'n3']]);
    s.reads.push(read(1, 2, 1));
    acked(s, { n2: 1, n3: 0 });
    serveReads(s, r.ctx);
    expect(answered(r)).toEqual([]);
    acked(s, { n3: 1 });
    serveReads(s, r.ctx);
    expect(answered(r).map(([to]) => to)).toEqual(['client1']);
  });
});
