import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { becomeFollower } from './elections.ts';
import { lastIndex } from './log.ts';
import { type ChangeMembership, type MembershipReply, RAFT_KINDS, type TimeoutNow } from './messages.ts';
import { type Ctx, RaftNodeState, setMembers, type Waiter } from './raft-state.ts';
import { appendEntry, pump } from './replication.ts';
import { configAt } from './snapshots.ts';

/**
 * Single-server membership change (thesis chapter 4).
 */

// ---- membership change, one server at a time (thesis chapter 4) ----

/** The latest configuration entry in the log, or the snapshot's configuration, or the props' peers when there is neither. */
export function latestConfig(s: RaftNodeState): { index: number; members: readonly ActorId[] } {
  return configAt(s, lastIndex(s.log));
}

/** After the log changed under a follower (or at start): adopt its latest configuration. */
export function refreshConfig(s: RaftNodeState, ctx: Ctx): void {
  const c = latestConfig(s);
  if (c.index === s.configIndex && c.members === s.members) return;
  s.configIndex = c.index;
  setMembers(s, c.members);
  ctx.emit({ type: 'raft-config', index: c.index, members: c.members });
}

/** The leader appended a configuration entry: it is in use at once; new members are probed from the end of the log. */
export function leaderAdoptsConfig(s: RaftNodeState, members: readonly ActorId[], ctx: Ctx): void {
  const before = new Set(s.others);
  s.configIndex = lastIndex(s.log);
  setMembers(s, members);
  ctx.emit({ type: 'raft-config', index: s.configIndex, members });
  const now = ctx.now();
  for (const p of s.others) {
    // A learner promoted keeps the progress it made (the leader replicated to it already).
    if (before.delete(p) || s.nextIndex.has(p)) continue;
    s.nextIndex.set(p, lastIndex(s.log));
    s.matchIndex.set(p, 0);
    s.inflight.set(p, []);
    s.probing.add(p);
    s.lastAck.set(p, now);
    s.ackedRound.set(p, 0);
  }
  for (const p of before) {
    for (const m of [s.nextIndex, s.matchIndex, s.inflight, s.lastAck, s.ackedRound, s.lastLag, s.snapshotSends]) m.delete(p);
    s.probing.delete(p);
  }
}

/**
 * The configuration in use committed (on the leader): answer who asked for it, and a leader not
 * in it steps down (section 4.2.2), handing over first to the member furthest along, so the
 * cluster need not wait an election timeout.
 */
export function configCommitted(s: RaftNodeState, ctx: Ctx): void {
  if (s.configChange !== null && s.commitIndex >= s.configChange.index) {
    const { index, waiter } = s.configChange;
    s.configChange = null;
    ctx.reply({ from: waiter.from, corr: waiter.corr } as Envelope, {
      kind: RAFT_KINDS.membershipReply,
      body: { ok: true, index, members: s.members } satisfies MembershipReply,
    });
  }
  if (s.isMember || s.role !== 'leader') return;
  ctx.emit({ type: 'raft-step-down', term: s.term, reason: 'removed', index: s.configIndex });
  let best: ActorId | undefined;
  for (const p of s.others) if (best === undefined || s.matchIndex.get(p)! > s.matchIndex.get(best)!) best = p;
  if (best !== undefined && s.matchIndex.get(best) === lastIndex(s.log))
    ctx.send(best, { kind: RAFT_KINDS.timeoutNow, body: { term: s.term } satisfies TimeoutNow });
  becomeFollower(s, s.term, null, ctx);
}

export function onChangeMembership(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const body = env.body as ChangeMembership | undefined;
  const no = (reason: string) =>
    ctx.reply(env, { kind: RAFT_KINDS.membershipReply, body: { ok: false, reason, leader: s.leader === s.self ? null : s.leader } satisfies MembershipReply });
  if (s.role !== 'leader') return no('not the leader');
  const add = body?.add;
  const remove = body?.remove;
  if ((add === undefined) === (remove === undefined) || (add !== undefined && typeof add !== 'string') || (remove !== undefined && typeof remove !== 'string'))
    return no('expected exactly one of { add: id } or { remove: id }');
  if (s.transfer !== null) return no(`a transfer to ${s.transfer.target} is in progress`);
  // One change at a time: the next only once the last one committed (section 4.1).
  if (s.configIndex > s.commitIndex) return no(`a configuration change (index ${s.configIndex}) is not committed yet`);
  if (s.learner !== null) return no(`${s.learner.id} is catching up as a learner`);
  // The fix to single-server changes (thesis errata, 2015): first commit an entry of this term.
  if (s.commitIndex < s.termStart) return no('this leader has not committed an entry of its term yet');
  let members: ActorId[];
  if (add !== undefined) {
    if (s.members.includes(add)) return no(`${add} is a member already`);
    members = [...s.members, add];
  } else {
    if (!s.members.includes(remove!)) return no(`${remove} is not a member`);
    members = s.members.filter((m) => m !== remove);
    if (members.length === 0) return no('cannot remove the last member');
  }
  const waiter: Waiter = { from: env.from, corr: env.corr };
  if (add !== undefined && s.props.learnerRounds > 0) return startLearner(s, add, waiter, ctx);
  s.configChange = { index: lastIndex(s.log) + 1, waiter };
  appendEntry(s, { term: s.term, command: { op: 'config', members } }, ctx);
}

// ---- non-voting catch-up (thesis 4.2.1) ----

/** The leader replicates to `id` as a learner (no quorum counts it), round after round, before it joins. */
function startLearner(s: RaftNodeState, id: ActorId, waiter: Waiter, ctx: Ctx): void {
  const now = ctx.now();
  s.learner = { id, waiter, target: lastIndex(s.log), roundAt: now, rounds: 1 };
  s.known.add(id); // its replies count from now on
  s.nextIndex.set(id, lastIndex(s.log));
  s.matchIndex.set(id, 0);
  s.inflight.set(id, []);
  s.probing.add(id);
  s.lastAck.set(id, now);
  s.ackedRound.set(id, 0);
  ctx.emit({ type: 'raft-learner', term: s.term, learner: id, phase: 'start', target: s.learner.target });
  pump(s, id, ctx);
}

/**
 * After the learner acknowledged entries (or at a heartbeat): once it holds the round's target,
 * a round shorter than the minimum election timeout promotes it (the configuration entry is
 * appended, and commits as any change does); a longer one starts another round, up to
 * `learnerRounds`. A round that lasts ten maximum election timeouts ends the attempt.
 */
export function learnerProgress(s: RaftNodeState, ctx: Ctx): void {
  const l = s.learner!;
  const now = ctx.now();
  if (s.matchIndex.get(l.id)! < l.target) {
    if (now - l.roundAt > 10 * s.props.electionTimeoutMaxMs)
      endLearner(s, `${l.id} made no round within ${10 * s.props.electionTimeoutMaxMs} ms (unavailable or too slow)`, ctx);
    return;
  }
  if (now - l.roundAt < s.props.electionTimeoutMinMs) {
    s.learner = null;
    ctx.emit({ type: 'raft-learner', term: s.term, learner: l.id, phase: 'promoted', rounds: l.rounds });
    s.configChange = { index: lastIndex(s.log) + 1, waiter: l.waiter };
    appendEntry(s, { term: s.term, command: { op: 'config', members: [...s.members, l.id] } }, ctx);
    return;
  }
  if (l.rounds >= s.props.learnerRounds) return endLearner(s, `${l.id} did not catch up within ${l.rounds} rounds`, ctx);
  l.rounds++;
  l.target = lastIndex(s.log);
  l.roundAt = now;
}

/** Gives up on the learner: it is no longer replicated to, and who asked is told why. */
export function endLearner(s: RaftNodeState, reason: string, ctx: Ctx): void {
  const l = s.learner!;
  s.learner = null;
  for (const m of [s.nextIndex, s.matchIndex, s.inflight, s.lastAck, s.ackedRound, s.lastLag, s.snapshotSends]) m.delete(l.id);
  s.probing.delete(l.id);
  ctx.emit({ type: 'raft-learner', term: s.term, learner: l.id, phase: 'aborted', reason });
  ctx.reply({ from: l.waiter.from, corr: l.waiter.corr } as Envelope, {
    kind: RAFT_KINDS.membershipReply,
    body: { ok: false, reason, leader: s.role === 'leader' ? null : s.leader } satisfies MembershipReply,
  });
}
