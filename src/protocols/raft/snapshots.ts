import { createHash } from 'node:crypto';
import type { ActorId } from '../../actors/envelope.ts';
import type { SessionedSnapshot } from './client-sessions.ts';
import { compactTo, entryAt, lastIndex, logStart, resetTo, termAt } from './log.ts';
import { type InstallSnapshot, isConfig, RAFT_KINDS, type SnapshotRecord } from './messages.ts';
import { type Ctx, RaftNodeState } from './raft-state.ts';

/**
 * Log compaction (thesis chapter 5): taking a snapshot, recovering from one, installing one a
 * leader sent, and sending one chunk by chunk. The message handlers are in install-snapshot.ts
 * (they need elections and replication, which call in here).
 */

/**
 * The sha256 of a snapshot's JSON text, in hex: what `raft-snapshot` events carry, so the
 * checkers can tell whether two nodes hold the same state at the same index.
 *
 * @example
 * ```ts
 * digestOf('{"machine":[],"sessions":[]}').length; // 64
 * ```
 */
export function digestOf(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The configuration in use at `index` (at least the snapshot's index): the latest configuration entry up to it, the snapshot's, or the props' peers. */
export function configAt(s: RaftNodeState, index: number): { index: number; members: readonly ActorId[] } {
  const start = logStart(s.log);
  for (let i = Math.min(index, lastIndex(s.log)); i > start; i--) {
    const c = entryAt(s.log, i)!.command;
    if (isConfig(c)) return { index: i, members: c.members };
  }
  if (s.snapshot !== null) return { index: s.snapshot.configIndex, members: s.snapshot.members };
  return { index: 0, members: s.props.peers };
}

/**
 * After applying `index`: snapshots when `index` is a multiple of `snapshotEvery`. On a grid
 * rather than "every N past the last snapshot" so that every node, whether it took or installed
 * its last snapshot, snapshots at the same indexes and the checkers can compare their digests.
 */
export function maybeSnapshot(s: RaftNodeState, index: number, term: number, ctx: Ctx): void {
  if (s.snapshotEvery > 0 && index % s.snapshotEvery === 0) takeSnapshot(s, index, term, ctx);
}

/**
 * Snapshots the state applied up to `index` (of `term`), writes it to the durable store, then
 * drops the log behind it but for a pipeline's worth of entries (`maxBatch * maxInflight`):
 * a follower that is only a few batches behind when the leader compacts still gets
 * AppendEntries, not the whole snapshot.
 */
export function takeSnapshot(s: RaftNodeState, index: number, term: number, ctx: Ctx): void {
  const data = JSON.stringify(s.applied.snapshot());
  const config = configAt(s, index);
  const record: SnapshotRecord = { index, term, configIndex: config.index, members: config.members, data, digest: digestOf(data) };
  s.snapshot = record;
  ctx.durable.set('snapshot', record); // before the entries it covers go
  compactTo(s.log, index - s.props.maxBatch * s.props.maxInflight);
  ctx.durable.set('log', s.log); // the same array: its front went, and a mirror of the store must know
  ctx.emit({ type: 'raft-snapshot', how: 'taken', index, term, digest: record.digest, chars: data.length, logStart: logStart(s.log) });
}

/**
 * At start: restores the state machine from the durable snapshot, if any; the entries after it
 * are applied again as the node learns they are committed.
 */
export function recoverSnapshot(s: RaftNodeState, ctx: Ctx): void {
  const record = ctx.durable.get<SnapshotRecord>('snapshot');
  if (record === undefined) return;
  s.applied.restore(JSON.parse(record.data) as SessionedSnapshot);
  restored(s, record, 'recovered', ctx);
}

/**
 * Installs a snapshot a leader sent (thesis Figure 5.3, steps 6-8): when the log holds the
 * snapshot's last entry (same index and term) the entries after it are kept, otherwise the whole
 * log is discarded; the state machine is replaced by the snapshot's state. The caller checked
 * that the snapshot goes beyond what this node applied. False, with nothing changed, when the
 * state machine refuses the snapshot's state (its `restore` throws before it changes anything).
 */
export function installSnapshot(s: RaftNodeState, record: SnapshotRecord, ctx: Ctx): boolean {
  // The state first: refused, nothing else has changed either (the caller checked the sessions' shape).
  try {
    s.applied.restore(JSON.parse(record.data) as SessionedSnapshot);
  } catch {
    return false;
  }
  if (termAt(s.log, record.index) === record.term) compactTo(s.log, record.index);
  else resetTo(s.log, record.index, record.term);
  ctx.durable.set('log', s.log); // compacted or reset in place (see takeSnapshot)
  ctx.durable.set('snapshot', record);
  restored(s, record, 'installed', ctx);
  return true;
}

/**
 * The snapshot's state is in place: its index is applied (and committed), and `raft-snapshot` says
 * so. Its digest is of the state as restored (serialised again), not of the text received: a node
 * that kept a wrong state shows a digest other nodes do not have at that index.
 */
function restored(s: RaftNodeState, record: SnapshotRecord, how: 'recovered' | 'installed', ctx: Ctx): void {
  s.snapshot = record;
  s.lastApplied = record.index;
  if (s.commitIndex < record.index) s.commitIndex = record.index;
  const digest = digestOf(JSON.stringify(s.applied.snapshot()));
  ctx.emit({ type: 'raft-snapshot', how, index: record.index, term: record.term, digest, chars: record.data.length, logStart: logStart(s.log) });
}

/**
 * The leader sends `peer` the next chunk of its snapshot (the follower needs entries the log no
 * longer holds), one chunk at a time: a chunk in flight for less than a heartbeat interval is
 * waited for; an older one is presumed lost and sent again. A newer snapshot starts over.
 */
export function sendSnapshotChunk(s: RaftNodeState, peer: ActorId, ctx: Ctx): void {
  const record = s.snapshot!;
  const now = ctx.now();
  let send = s.snapshotSends.get(peer);
  if (send === undefined || send.index !== record.index) {
    s.snapshotSends.set(peer, (send = { index: record.index, offset: 0, at: -Infinity }));
    ctx.emit({ type: 'raft-snapshot-send', term: s.term, to: peer, index: record.index, chars: record.data.length });
  }
  if (now - send.at < s.props.heartbeatMs) return;
  send.at = now;
  const data = record.data.slice(send.offset, send.offset + s.props.snapshotChunkChars);
  const m: InstallSnapshot = {
    term: s.term,
    index: record.index,
    lastTerm: record.term,
    configIndex: record.configIndex,
    members: record.members,
    offset: send.offset,
    data,
    done: send.offset + data.length >= record.data.length,
  };
  ctx.send(peer, { kind: RAFT_KINDS.installSnapshot, body: m });
}
