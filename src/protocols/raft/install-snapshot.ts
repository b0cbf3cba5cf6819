import type { ActorId } from '../../actors/envelope.ts';
import { armElection, becomeFollower } from './elections.ts';
import { learnerProgress, refreshConfig } from './membership.ts';
import { type InstallSnapshot, type InstallSnapshotReply, RAFT_KINDS } from './messages.ts';
import { type Ctx, RaftNodeState } from './raft-state.ts';
import { advanceCommit, pump } from './replication.ts';
import { digestOf, installSnapshot, sendSnapshotChunk } from './snapshots.ts';
import { tryTransfer } from './transfer.ts';
import { lastIndex } from './log.ts';
import { rejected, snapshotReadable } from './wire-check.ts';

/**
 * InstallSnapshot on both sides (thesis Figure 5.3): the follower takes chunks in order and
 * installs the snapshot on the last; the leader sends the next chunk on each reply and, once
 * the follower installed it, replicates from the snapshot's index on.
 */

export function onInstallSnapshot(s: RaftNodeState, leader: ActorId, m: InstallSnapshot, ctx: Ctx): void {
  const reply = (offset: number, done: boolean) =>
    ctx.send(leader, { kind: RAFT_KINDS.installSnapshotReply, body: { term: s.term, index: m.index, offset, done } satisfies InstallSnapshotReply });
  if (m.term < s.term) return reply(0, false);
  // As for AppendEntries: a second leader of our own term is refused, never obeyed.
  if (s.role === 'leader' && m.term === s.term) return reply(0, false);
  becomeFollower(s, m.term, leader, ctx);
  s.leaderContactAt = ctx.now();
  armElection(s, ctx);
  // Applied that far already: those entries are committed, so they are the leader's too.
  if (m.index <= s.lastApplied) {
    s.snapshotReceive = null;
    return reply(m.offset + m.data.length, true);
  }
  if (m.offset === 0) s.snapshotReceive = { index: m.index, chunks: [], received: 0 };
  const r = s.snapshotReceive;
  // Out of order (a lost or repeated chunk): say where to go on from, or to start over.
  if (r === null || r.index !== m.index || m.offset !== r.received) return reply(r !== null && r.index === m.index ? r.received : 0, false);
  r.chunks.push(m.data);
  r.received += m.data.length;
  if (!m.done) return reply(r.received, false);
  s.snapshotReceive = null;
  const data = r.chunks.join('');
  // The state is replaced only by a snapshot that reads as one: garbage would throw half-way.
  if (!snapshotReadable(data)) return rejected(ctx, leader, RAFT_KINDS.installSnapshot, 'a snapshot that does not read as one');
  if (!installSnapshot(s, { index: m.index, term: m.lastTerm, configIndex: m.configIndex, members: m.members, data, digest: digestOf(data) }, ctx))
    return rejected(ctx, leader, RAFT_KINDS.installSnapshot, 'a snapshot the state machine refuses');
  refreshConfig(s, ctx);
  reply(r.received, true);
}

export function onInstallSnapshotReply(s: RaftNodeState, peer: ActorId, r: InstallSnapshotReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'leader' || r.term !== s.term) return;
  const fl = s.inflight.get(peer);
  if (fl === undefined) return; // no longer a member
  s.lastAck.set(peer, ctx.now());
  const send = s.snapshotSends.get(peer);
  if (r.done) {
    if (r.index > lastIndex(s.log)) return rejected(ctx, peer, RAFT_KINDS.installSnapshotReply, 'acknowledges a snapshot past the end of this log');
    if (send !== undefined && send.index <= r.index) s.snapshotSends.delete(peer);
    const match = Math.max(s.matchIndex.get(peer)!, r.index);
    s.matchIndex.set(peer, match);
    s.nextIndex.set(peer, Math.max(s.nextIndex.get(peer)!, match + 1));
    // Probe from the snapshot on, one batch at a time, until an AppendEntries succeeds.
    s.probing.add(peer);
    fl.length = 0;
    advanceCommit(s, ctx);
    if (s.role !== 'leader') return;
    pump(s, peer, ctx);
    if (s.transfer !== null && s.transfer.target === peer) tryTransfer(s, ctx);
    if (s.learner !== null && s.learner.id === peer) learnerProgress(s, ctx);
    return;
  }
  if (send === undefined || send.index !== r.index) return; // about a snapshot no longer being sent
  send.offset = r.offset;
  send.at = -Infinity; // answered: the next chunk may leave now
  sendSnapshotChunk(s, peer, ctx);
}
