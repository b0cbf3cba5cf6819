import { describe, expect, it } from 'vitest';
import type { Behaviour } from '../src/actors/behaviour.ts';
import type { Envelope } from '../src/actors/envelope.ts';
import { RAFT_KINDS, type RaftProps } from '../src/protocols/raft/messages.ts';
import { raftNode, type RaftNodeState } from '../src/protocols/raft/raft-node.ts';
import { entry, follower, leader } from './fixtures/raft-by-hand.ts';
import { figure8DeletedRaftNode, truncatingRaftNode } from './fixtures/raft-mutants.ts';

/**
 * The planted mutants stress is measured on (fixtures/raft-mutants.ts) really are the bugs they
 * are named after: on the same hand-built node and message, each does what the real node must
 * not, and the real node does not. Otherwise a stress campaign that "finds" them would prove
 * nothing, and one that does not could be blamed on the fixture.
 */

type Node = Behaviour<RaftNodeState, RaftProps>;
/** A node's state as `receive` takes it (a class instance is never drafted: the instance itself). */
type Draft = Parameters<Node['receive']>[0];
const env = (from: string, to: string, kind: string, body: unknown): Envelope => ({ id: 1, from, to, kind, body });

describe('the Figure-8 mutant commits an old-term entry by counting; the real node does not', () => {
  const run = (node: Node) => {
    const { s, r } = leader('s1', ['s1', 's2', 's3', 's4', 's5'], 4, [entry(1, 'x'), entry(2, 'y'), entry(4)], {}, 1);
    for (const p of ['s2', 's3'])
      node.receive(s as unknown as Draft, env(p, 's1', RAFT_KINDS.appendEntriesReply, { term: 4, success: true, matchIndex: 2 }), r.ctx);
    return s.commitIndex;
  };
  it('real: 1; mutant: 2', () => {
    expect(run(raftNode)).toBe(1);
    expect(run(figure8DeletedRaftNode)).toBe(2);
  });
});

describe('the truncating mutant drops acknowledged entries on a stale AppendEntries; the real node keeps them', () => {
  const run = (node: Node) => {
    const { s, r } = follower('n2', ['n1', 'n2', 'n3'], 1, []);
    const ae = (n: number) => ({
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')].slice(0, n),
      leaderCommit: 0,
    });
    node.receive(s as unknown as Draft, env('n1', 'n2', RAFT_KINDS.appendEntries, ae(3)), r.ctx);
    node.receive(s as unknown as Draft, env('n1', 'n2', RAFT_KINDS.appendEntries, ae(1)), r.ctx);
    return s.log.length;
  };
  it('real: 3 entries; mutant: 1', () => {
    expect(run(raftNode)).toBe(3);
    expect(run(truncatingRaftNode)).toBe(1);
  });
});
