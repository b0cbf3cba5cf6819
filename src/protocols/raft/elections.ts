import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { answer, redirect } from './clients.ts';
import { lastIndex, lastTerm, logStart, termAt, termsOf } from './log.ts';
import { type MembershipReply, type PreVote, type PreVoteReply, RAFT_KINDS, type RequestVote, type RequestVoteReply } from './messages.ts';
import { type Ctx, RaftNodeState, type RaftRole } from './raft-state.ts';
import { endLearner } from './membership.ts';
import { appendEntry } from './replication.ts';
import { endTransfer } from './transfer.ts';

/**
 * Terms, roles and timers; pre-vote (thesis 9.6), RequestVote and votes, becoming leader and
 * stepping down (Figure 2).
 */

// ---- terms, roles and timers ----

export function armElection(s: RaftNodeState, ctx: Ctx): void {
  const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max } = s.props;
  ctx.setTimer('election', min + (max - min) * ctx.random(), { kind: RAFT_KINDS.electionTimeout });
}

/** Persists a new term (and forgets the vote, which belonged to the old one). */
export function setTerm(s: RaftNodeState, term: number, votedFor: ActorId | null, ctx: Ctx): void {
  s.term = term;
  s.votedFor = votedFor;
  ctx.durable.set('term', term);
  ctx.durable.set('votedFor', votedFor);
}

export function setRole(s: RaftNodeState, role: RaftRole, ctx: Ctx): void {
  s.role = role;
  ctx.emit({ type: 'raft-role', term: s.term, role });
}

/** Any message with a newer term turns us into its follower (Figure 2, "Rules for Servers"). */
export function becomeFollower(s: RaftNodeState, term: number, leader: ActorId | null, ctx: Ctx): void {
  s.preVotes = null;
  if (term > s.term) setTerm(s, term, null, ctx);
  s.leader = leader;
  if (s.role === 'follower') return;
  const wasLeader = s.role === 'leader';
  setRole(s, 'follower', ctx);
  if (wasLeader) {
    ctx.cancelTimer('heartbeat');
    // Clients waiting on this leader would otherwise wait for their retry timers.
    for (const w of s.waiters.keys()) redirect(s, w, ctx);
    s.waiters.clear();
    s.proposed.clear();
    for (const r of s.reads) answer(r.waiter, { clientId: r.clientId, seq: r.seq, ok: false, leader: s.leader }, ctx);
    s.reads = [];
    if (s.transfer !== null) endTransfer(s, s.transfer.sent, 'deposed before the transfer', ctx);
    if (s.learner !== null) endLearner(s, 'deposed while the server was catching up as a learner', ctx);
    if (s.configChange !== null) {
      const w = s.configChange.waiter;
      s.configChange = null;
      ctx.reply({ from: w.from, corr: w.corr } as Envelope, {
        kind: RAFT_KINDS.membershipReply,
        body: { ok: false, reason: 'deposed before the change committed (it may still take effect)', leader: s.leader } satisfies MembershipReply,
      });
    }
    armElection(s, ctx); // a candidate keeps the timer it has; a leader had none
  }
}

/**
 * Pre-vote (thesis section 9.6): ask for votes in term + 1 without moving to it. Only a yes from
 * a majority starts the real election, so a node cut off from the majority never raises its
 * term, and cannot depose the leader when it comes back.
 */
export function startPreVote(s: RaftNodeState, ctx: Ctx): void {
  s.leader = null;
  s.preVotes = new Set(s.isMember ? [s.self] : []);
  ctx.emit({ type: 'raft-prevote', term: s.term + 1 });
  armElection(s, ctx);
  const pv: PreVote = { term: s.term + 1, lastLogIndex: lastIndex(s.log), lastLogTerm: lastTerm(s.log) };
  for (const p of s.others) ctx.send(p, { kind: RAFT_KINDS.preVote, body: pv });
  if (s.preVotes.size >= s.majority) startElection(s, ctx); // a cluster of one
}

/** True while this node leads, or heard from a leader less than the minimum election timeout ago. */
export function inLease(s: RaftNodeState, ctx: Ctx): boolean {
  return s.role === 'leader' || (s.leader !== null && ctx.now() - s.leaderContactAt < s.props.electionTimeoutMinMs);
}

export function onPreVote(s: RaftNodeState, candidate: ActorId, pv: PreVote, ctx: Ctx): void {
  // Nothing changes here: no term, no vote, no timer. Yes only to a newer term, an up-to-date
  // log, and when we have no live leader (the lease that keeps a rejoining node from disrupting).
  const granted = pv.term > s.term && upToDate(s, pv) && !inLease(s, ctx);
  ctx.send(candidate, { kind: RAFT_KINDS.preVoteReply, body: { term: s.term, forTerm: pv.term, granted } satisfies PreVoteReply });
}

export function onPreVoteReply(s: RaftNodeState, voter: ActorId, r: PreVoteReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.preVotes === null || s.role === 'leader' || r.forTerm !== s.term + 1 || !r.granted) return;
  if (!s.otherSet.has(voter)) return; // only members' votes count
  s.preVotes.add(voter);
  if (s.preVotes.size >= s.majority) startElection(s, ctx);
}

export function upToDate(s: RaftNodeState, rv: RequestVote): boolean {
  const myTerm = lastTerm(s.log);
  return rv.lastLogTerm > myTerm || (rv.lastLogTerm === myTerm && rv.lastLogIndex >= lastIndex(s.log));
}

export function startElection(s: RaftNodeState, ctx: Ctx): void {
  s.preVotes = null;
  setTerm(s, s.term + 1, s.self, ctx);
  s.leader = null;
  s.votes.clear();
  if (s.isMember) s.votes.add(s.self);
  setRole(s, 'candidate', ctx);
  armElection(s, ctx);
  const rv: RequestVote = { term: s.term, lastLogIndex: lastIndex(s.log), lastLogTerm: lastTerm(s.log) };
  for (const p of s.others) ctx.send(p, { kind: RAFT_KINDS.requestVote, body: rv });
  if (s.votes.size >= s.majority) becomeLeader(s, ctx); // a cluster of one
}

export function becomeLeader(s: RaftNodeState, ctx: Ctx): void {
  ctx.cancelTimer('election');
  s.leader = s.self;
  setRole(s, 'leader', ctx);
  // `terms` are those of the entries the log holds; `base` (and its term) is where they start.
  const base = logStart(s.log);
  ctx.emit(
    base === 0
      ? { type: 'raft-leader', term: s.term, lastIndex: lastIndex(s.log), terms: termsOf(s.log), votes: s.votes.size }
      : { type: 'raft-leader', term: s.term, lastIndex: lastIndex(s.log), terms: termsOf(s.log), votes: s.votes.size, base, baseTerm: termAt(s.log, base) },
  );
  const next = lastIndex(s.log) + 1;
  const now = ctx.now();
  for (const m of [s.nextIndex, s.matchIndex, s.inflight, s.lastAck, s.ackedRound]) m.clear();
  s.probing.clear();
  s.snapshotSends.clear();
  s.configChange = null;
  s.learner = null;
  for (const p of s.others) {
    s.nextIndex.set(p, next);
    s.matchIndex.set(p, 0);
    s.inflight.set(p, []);
    s.probing.add(p);
    s.lastAck.set(p, now); // check-quorum counts from the start of the term
    s.ackedRound.set(p, 0);
  }
  s.lastLag.clear();
  s.proposed.clear();
  s.reads = [];
  s.transfer = null;
  s.termStart = next;
  // Entries of earlier terms are committed only through one of this term (section 5.4.2): a
  // no-op now lets the leader commit, and learn the commit index, without waiting for a client.
  appendEntry(s, { term: s.term, command: { op: 'noop' } }, ctx); // goes to every follower now
  ctx.setTimer('heartbeat', s.props.heartbeatMs, { kind: RAFT_KINDS.heartbeat });
}

// ---- elections ----

export function onRequestVote(s: RaftNodeState, candidate: ActorId, rv: RequestVote, ctx: Ctx): void {
  if (rv.term > s.term) becomeFollower(s, rv.term, null, ctx);
  const granted = rv.term === s.term && (s.votedFor === null || s.votedFor === candidate) && upToDate(s, rv);
  if (granted) {
    if (s.votedFor === null) setTerm(s, s.term, candidate, ctx); // persisted before the reply leaves
    ctx.emit({ type: 'raft-vote', term: s.term, candidate });
    armElection(s, ctx);
  }
  ctx.send(candidate, { kind: RAFT_KINDS.requestVoteReply, body: { term: s.term, granted } satisfies RequestVoteReply });
}

export function onVoteReply(s: RaftNodeState, voter: ActorId, r: RequestVoteReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'candidate' || r.term !== s.term || !r.granted || !s.otherSet.has(voter)) return;
  s.votes.add(voter);
  if (s.votes.size >= s.majority) becomeLeader(s, ctx);
}
