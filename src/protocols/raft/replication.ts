import type { ActorId } from '../../actors/envelope.ts';
import { applyCommitted } from './clients.ts';
import { armElection, becomeFollower } from './elections.ts';
import { append, entriesFrom, firstIndexOfTerm, lastIndex, lastIndexOfTerm, logStart, termAt, truncateFrom } from './log.ts';
import { configCommitted, leaderAdoptsConfig, learnerProgress, refreshConfig } from './membership.ts';
import { type AppendEntries, type AppendEntriesReply, isConfig, type LogEntry, RAFT_KINDS } from './messages.ts';
import { type Ctx, RaftNodeState, replicationTargets } from './raft-state.ts';
import { serveReads } from './reads.ts';
import { sendSnapshotChunk } from './snapshots.ts';
import { tryTransfer } from './transfer.ts';
import { rejected } from './wire-check.ts';

/**
 * AppendEntries on both sides (Figure 2: consistency check, conflict truncation, fast back-off),
 * pipelining and heartbeats with check-quorum, and commitment by counting matchIndex.
 */

// ---- replication: the follower's side ----

export function onAppendEntries(s: RaftNodeState, leader: ActorId, ae: AppendEntries, ctx: Ctx): void {
  if (ae.term < s.term) return replyAppend(leader, ae, { term: s.term, success: false, matchIndex: 0 }, ctx);
  // Two leaders in one term cannot happen while votes are durable; if a wiped disk makes it
  // happen anyway, refuse rather than let the other leader overwrite our log.
  if (s.role === 'leader' && ae.term === s.term) return replyAppend(leader, ae, { term: s.term, success: false, matchIndex: 0 }, ctx);
  becomeFollower(s, ae.term, leader, ctx);
  s.leaderContactAt = ctx.now();
  armElection(s, ctx);
  const log = s.log;
  let prev = ae.prevLogIndex;
  let entries = ae.entries;
  const start = logStart(log);
  if (prev < start) {
    // A stale AppendEntries reaching behind our snapshot: the entries up to the log's start are
    // committed (a snapshot holds nothing else), so the leader's agree with them; skip them.
    const skip = Math.min(start - prev, entries.length);
    prev += skip;
    entries = skip === 0 ? entries : entries.slice(skip);
    if (prev < start) return replyAppend(leader, ae, { term: s.term, success: true, matchIndex: prev }, ctx);
  } else {
    if (prev > lastIndex(log)) return replyAppend(leader, ae, { term: s.term, success: false, matchIndex: 0, conflictIndex: lastIndex(log) + 1 }, ctx);
    const t = termAt(log, prev)!;
    if (t !== ae.prevLogTerm)
      return replyAppend(leader, ae, { term: s.term, success: false, matchIndex: 0, conflictTerm: t, conflictIndex: firstIndexOfTerm(log, prev) }, ctx);
  }
  // Skip what we already hold; truncate only at a real conflict, so a stale or duplicated
  // AppendEntries never removes entries a later one added.
  let i = 0;
  // Stryker disable next-line BooleanLiteral: refreshConfig is idempotent (it returns when the configuration is unchanged), so this only saves a call
  let configChanged = false;
  for (; i < entries.length; i++) {
    const index = prev + 1 + i;
    // Stryker disable next-line ConditionalExpression: without it, the conflict branch truncates past the end (a no-op) and breaks at the same i
    if (index > lastIndex(log)) break;
    if (termAt(log, index) !== entries[i].term) {
      truncateFrom(log, index);
      ctx.durable.set('log', log); // cut in place: a mirror of the store ships it whole (see DurableStores)
      // Stryker disable next-line ConditionalExpression: `true` is equivalent (refreshConfig is idempotent); `false` is killed by raft-replication-rules
      configChanged = index <= s.configIndex; // the configuration in use was cut off
      break;
    }
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with nothing left to append, append and the loop do nothing
  if (i < entries.length) {
    // Stryker disable next-line ConditionalExpression: slice(0) is a copy of the same entries (the branch only saves it)
    append(log, i === 0 ? entries : entries.slice(i));
    // Stryker disable next-line ConditionalExpression: `true` is equivalent (refreshConfig is idempotent); `false` is killed by raft-replication-rules
    for (let j = i; j < entries.length && !configChanged; j++) if (entries[j].command.op === 'config') configChanged = true;
  }
  // Stryker disable next-line ConditionalExpression: refreshConfig is idempotent (it returns when the configuration is unchanged), so this only saves a call
  if (configChanged) refreshConfig(s, ctx);
  // Only the prefix this message vouched for is known to match the leader's log.
  const match = prev + entries.length;
  const commit = Math.min(ae.leaderCommit, match);
  // Stryker disable next-line EqualityOperator: `>=` sets the same commitIndex and applies nothing new; `<=` is killed
  if (commit > s.commitIndex) {
    s.commitIndex = commit;
    applyCommitted(s, ctx);
  }
  replyAppend(leader, ae, { term: s.term, success: true, matchIndex: match }, ctx);
}

/**
 * Answers an AppendEntries, echoing its ReadIndex round. (A function, not a closure made per
 * message: under tsx every closure creation also names the function, which showed in profiles.)
 */
function replyAppend(leader: ActorId, ae: AppendEntries, r: AppendEntriesReply, ctx: Ctx): void {
  ctx.send(leader, { kind: RAFT_KINDS.appendEntriesReply, body: ae.round === undefined ? r : { ...r, round: ae.round } });
}

// ---- replication: the leader's side ----

/**
 * Sends the follower one batch from nextIndex on (at most maxBatch entries), or, with
 * `withEntries` false, an empty heartbeat. A heartbeat to a follower being pipelined to vouches
 * only for matchIndex (the batches in flight may not have arrived yet), so it cannot fail and
 * knock the follower back into probing.
 */
export function sendAppend(s: RaftNodeState, peer: ActorId, ctx: Ctx, withEntries = true): number {
  const next = s.nextIndex.get(peer)!;
  const start = logStart(s.log);
  // The follower needs entries compacted away: it gets the snapshot instead (thesis chapter 5).
  if (next <= start) {
    sendSnapshotChunk(s, peer, ctx);
    return 0;
  }
  const probing = s.probing.has(peer);
  const prev = withEntries || probing ? next - 1 : Math.max(start, Math.min(next - 1, s.matchIndex.get(peer)!));
  const entries = withEntries ? entriesFrom(s.log, next, s.props.maxBatch) : [];
  const ae: AppendEntries =
    s.round === 0
      ? { term: s.term, prevLogIndex: prev, prevLogTerm: termAt(s.log, prev)!, entries, leaderCommit: s.commitIndex }
      : { term: s.term, prevLogIndex: prev, prevLogTerm: termAt(s.log, prev)!, entries, leaderCommit: s.commitIndex, round: s.round };
  ctx.send(peer, { kind: RAFT_KINDS.appendEntries, body: ae });
  if (entries.length > 0) {
    s.inflight.get(peer)!.push({ until: prev + entries.length, at: ctx.now() });
    if (!probing) s.nextIndex.set(peer, prev + entries.length + 1);
  }
  return entries.length;
}

/** Sends batches while the follower lacks entries and its window (1 while probing) has room; returns how many. */
export function pump(s: RaftNodeState, peer: ActorId, ctx: Ctx): number {
  const fl = s.inflight.get(peer)!;
  const window = s.probing.has(peer) ? 1 : s.props.maxInflight;
  const last = lastIndex(s.log);
  let sent = 0;
  while (fl.length < window && s.nextIndex.get(peer)! <= last) {
    if (s.nextIndex.get(peer)! <= logStart(s.log)) {
      sendSnapshotChunk(s, peer, ctx); // entries follow once it is installed
      break;
    }
    sendAppend(s, peer, ctx);
    sent++;
  }
  return sent;
}

/**
 * Every heartbeat goes to every follower. When the oldest batch in flight is a whole heartbeat
 * interval old, it (and all after it) is presumed lost and sent again from matchIndex + 1 (the
 * retransmission); otherwise a follower with room in its window gets more entries, and one
 * without gets an empty heartbeat. Then check-quorum, and the lag report.
 */
export function heartbeat(s: RaftNodeState, ctx: Ctx): void {
  const now = ctx.now();
  for (const p of replicationTargets(s)) {
    const fl = s.inflight.get(p)!;
    if (fl.length > 0 && now - fl[0].at >= s.props.heartbeatMs) {
      fl.length = 0;
      if (!s.probing.has(p)) s.nextIndex.set(p, s.matchIndex.get(p)! + 1);
    }
    if (pump(s, p, ctx) === 0) sendAppend(s, p, ctx, false);
  }
  if (s.props.checkQuorum) {
    // Section 6.2: a leader that has not heard from a majority within an election timeout steps
    // down, so clients stop waiting on it and it stops serving anything.
    let heard = s.isMember ? 1 : 0;
    for (const p of s.others) if (now - s.lastAck.get(p)! <= s.props.electionTimeoutMaxMs) heard++;
    if (heard < s.majority) {
      ctx.emit({ type: 'raft-step-down', term: s.term, reason: 'check-quorum', heard });
      return becomeFollower(s, s.term, null, ctx);
    }
  }
  emitLag(s, ctx);
  if (s.learner !== null) learnerProgress(s, ctx); // a round that never ends is noticed here
  ctx.setTimer('heartbeat', s.props.heartbeatMs, { kind: RAFT_KINDS.heartbeat });
}

/** `raft-lag`: lastIndex - matchIndex per follower, when any changed since the last report. */
export function emitLag(s: RaftNodeState, ctx: Ctx): void {
  const last = lastIndex(s.log);
  let changed = false;
  for (const p of s.others) {
    const lag = last - s.matchIndex.get(p)!;
    if (s.lastLag.get(p) !== lag) {
      s.lastLag.set(p, lag);
      changed = true;
    }
  }
  if (!changed) return;
  const lag: Record<string, number> = {};
  for (const p of s.others) lag[p] = s.lastLag.get(p)!;
  ctx.emit({ type: 'raft-lag', term: s.term, lag });
}

export function appendEntry(s: RaftNodeState, entry: LogEntry, ctx: Ctx): void {
  append(s.log, [entry]);
  if (isConfig(entry.command)) leaderAdoptsConfig(s, entry.command.members, ctx);
  advanceCommit(s, ctx); // a cluster of one commits at once
  if (s.role !== 'leader') return;
  for (const p of replicationTargets(s)) pump(s, p, ctx);
}

export function onAppendReply(s: RaftNodeState, peer: ActorId, r: AppendEntriesReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'leader' || r.term !== s.term) return;
  const fl = s.inflight.get(peer);
  if (fl === undefined) return; // no longer a member
  // Any answer of this term, success or not, shows the follower takes us for its leader.
  s.lastAck.set(peer, ctx.now());
  if (r.round !== undefined && r.round > s.ackedRound.get(peer)!) {
    s.ackedRound.set(peer, r.round);
    if (s.reads.length > 0) serveReads(s, ctx);
  }
  if (r.success) {
    // Counted, it would commit past the end of this log (and apply entries that do not exist).
    if (r.matchIndex > lastIndex(s.log)) return rejected(ctx, peer, RAFT_KINDS.appendEntriesReply, 'acknowledges entries this log does not hold');
    const match = Math.max(s.matchIndex.get(peer)!, r.matchIndex);
    s.matchIndex.set(peer, match);
    s.nextIndex.set(peer, Math.max(s.nextIndex.get(peer)!, match + 1));
    s.probing.delete(peer);
    let done = 0;
    while (done < fl.length && fl[done].until <= match) done++;
    if (done > 0) fl.splice(0, done);
    advanceCommit(s, ctx);
    if (s.role !== 'leader') return; // removed: stepped down once the configuration committed
  } else {
    // Fast back-off: skip the follower's whole conflicting term at once. No floor at
    // matchIndex + 1: a stale failure then costs a resend of entries the follower skips, while a
    // floor would loop forever on a follower whose log really shrank (a wiped disk). Whatever
    // was in flight went after the wrong prefix: drop it and probe, one batch at a time.
    const t = r.conflictTerm;
    const last = t === undefined ? 0 : lastIndexOfTerm(s.log, t);
    let next = last > 0 ? last + 1 : (r.conflictIndex ?? s.nextIndex.get(peer)! - 1);
    next = Math.min(Math.max(next, 1), lastIndex(s.log) + 1);
    s.nextIndex.set(peer, next);
    s.probing.add(peer);
    fl.length = 0;
  }
  if (pump(s, peer, ctx) === 0 && !r.success) sendAppend(s, peer, ctx, false);
  if (s.transfer !== null && s.transfer.target === peer) tryTransfer(s, ctx);
  if (r.success && s.learner !== null && s.learner.id === peer) learnerProgress(s, ctx);
}

/** Commits the highest index a majority holds, if it is of this term (Figure 2; section 5.4.2). */
export function advanceCommit(s: RaftNodeState, ctx: Ctx): void {
  // Stryker disable next-line ConditionalExpression: every caller is a leader (appendEntry is only called by one; onAppendReply checks); a guard, not a rule
  if (s.role !== 'leader') return;
  const held = s.isMember ? [lastIndex(s.log)] : [];
  for (const p of s.others) held.push(s.matchIndex.get(p)!);
  held.sort((a, b) => b - a);
  const n = held[s.majority - 1];
  if (n <= s.commitIndex || termAt(s.log, n) !== s.term) return;
  for (let i = s.commitIndex + 1; i <= n; i++) ctx.emit({ type: 'raft-commit', index: i, term: termAt(s.log, i)!, leaderTerm: s.term });
  s.commitIndex = n;
  applyCommitted(s, ctx);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with configIndex 0 there is no change waiting and the leader is a member (of props.peers), so configCommitted does nothing
  if (s.configIndex > 0 && n >= s.configIndex) configCommitted(s, ctx);
}
