import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { isKvCommand, KvStore } from './kv-store.ts';
import { append, entriesFrom, firstIndexOfTerm, lastIndex, lastIndexOfTerm, lastTerm, termAt, termsOf, truncateFrom, type RaftLog } from './log.ts';
import {
  RAFT_KINDS, resolveRaftProps, type AppendEntries, type AppendEntriesReply, type ClientReply, type ClientRequest, type LogEntry,
  type PreVote, type PreVoteReply, type RaftProps, type RequestVote, type RequestVoteReply, type ResolvedRaftProps, type TimeoutNow,
  type TransferLeadership,
} from './messages.ts';

/**
 * A node's role.
 *
 * @example
 * ```ts
 * const r: RaftRole = 'candidate';
 * ```
 */
export type RaftRole = 'follower' | 'candidate' | 'leader';

/** Who waits for a command's result: enough of the request envelope to reply to it. */
interface Waiter {
  readonly from: ActorId;
  readonly corr: number | undefined;
}

/** A ReadIndex read waiting on the leader (thesis section 6.4). */
interface PendingRead {
  readonly waiter: Waiter;
  readonly clientId: string;
  readonly seq: number;
  readonly key: string;
  /** The commit index when the read arrived (at least this term's first entry): apply up to here first. */
  readonly index: number;
  /** The heartbeat round that must reach a majority to confirm this node still leads. */
  readonly round: number;
}

/** One AppendEntries with entries in flight to a follower: the matchIndex its success reports, and when it left. */
interface Inflight {
  readonly until: number;
  readonly at: number;
}

/**
 * A Raft node's state. A class on purpose (like the voting coordinator's books): immer leaves
 * class instances alone, so the node updates it in place on the hot path, and a snapshot
 * (`system.snapshot(id)`) is a deep copy. The persistent part (Figure 2: currentTerm, votedFor,
 * log) is mirrored in `ctx.durable`: `log` *is* the array in the durable store (appended to in
 * place), and every change of `term`/`votedFor` is written through before any message leaves.
 *
 * @example
 * ```ts
 * const s = await sim.snapshot<RaftNodeState>('n1');
 * s.role; s.term; s.commitIndex; s.log.length; s.kv.data;
 * ```
 */
export class RaftNodeState {
  role: RaftRole = 'follower';
  commitIndex = 0;
  lastApplied = 0;
  /** The leader as far as this node knows (the client redirect hint). */
  leader: ActorId | null = null;
  votes = new Set<ActorId>();
  nextIndex = new Map<ActorId, number>();
  matchIndex = new Map<ActorId, number>();
  /**
   * The AppendEntries with entries in flight to each follower, oldest first: at most
   * `maxInflight` (pipelining), or one while the follower is probed. nextIndex is optimistic
   * (etcd's "replicate" state): it moves past a batch when the batch leaves, not when it is
   * acknowledged. Heartbeats are not counted, so they never start another stream of batches.
   */
  inflight = new Map<ActorId, Inflight[]>();
  /**
   * Followers whose log position is unknown (a new term, a failed consistency check, a lost
   * batch): one batch at a time, nextIndex moved only by replies, until one succeeds.
   */
  probing = new Set<ActorId>();
  /** Pre-vote in progress: who said yes (null when not pre-voting). */
  preVotes: Set<ActorId> | null = null;
  /** When this node last heard from a leader of its current term (the pre-vote lease). */
  leaderContactAt = -Infinity;
  /** The leader's last reply of this term from each follower (check-quorum). */
  lastAck = new Map<ActorId, number>();
  /** The index of this leader's first entry (its no-op): a ReadIndex is never below it. */
  termStart = 0;
  /** ReadIndex: the heartbeat round counter, the highest round each follower echoed, and the reads waiting. */
  round = 0;
  ackedRound = new Map<ActorId, number>();
  reads: PendingRead[] = [];
  /** The lag last emitted (`raft-lag`), so an unchanged lag is not emitted again. */
  lastLag = new Map<ActorId, number>();
  /** A leadership transfer in progress (commands are refused meanwhile). */
  transfer: { target: ActorId; waiter: Waiter; sent: boolean } | null = null;
  readonly kv = new KvStore();
  /** Clients waiting for a command to apply, by `client \0 seq`. */
  waiters = new Map<string, Waiter>();
  /** Where this leader appended each still-unapplied (client, seq), so a retry is not appended twice. */
  proposed = new Map<string, number>();
  readonly others: readonly ActorId[];
  readonly majority: number;

  constructor(
    readonly self: ActorId,
    readonly props: ResolvedRaftProps,
    public term: number,
    public votedFor: ActorId | null,
    readonly log: RaftLog,
  ) {
    this.others = props.peers.filter((p) => p !== self);
    this.majority = Math.floor(props.peers.length / 2) + 1;
  }
}

type Ctx = ActorContext<RaftProps>;
const key = (client: string, seq: number): string => `${client}\u0000${seq}`;

/**
 * A Raft node, faithful to Figure 2 of the extended paper (Ongaro & Ousterhout): leader election
 * with randomised timeouts, RequestVote with the up-to-date rule and one vote per term,
 * AppendEntries with the consistency check, conflict truncation and fast nextIndex back-off,
 * commitment by counting matchIndex for entries of the leader's own term (a no-op opens each
 * term), in-order application to a key-value store with duplicate detection by (client, seq).
 * currentTerm, votedFor and the log live in `ctx.durable`, so `recover(id)` resumes with them
 * and `recover(id, { wipe: true })` starts from nothing.
 *
 * Trace events (ctx.emit), which the checkers in `src/check/raft-safety.ts` read:
 * `raft-role {term, role}`, `raft-vote {term, candidate}`, `raft-leader {term, lastIndex, terms, votes}`,
 * `raft-commit {index, term, leaderTerm}` (one per newly committed index, by the leader),
 * `raft-apply {index, term, command, client?, seq?}` (every node, every applied entry).
 *
 * Also: pre-vote with a leader lease and check-quorum (thesis 9.6, 6.2; props `preVote`,
 * `checkQuorum`, both on by default), ReadIndex reads (6.4: a `get` is answered by the leader
 * after a heartbeat round to a majority and once it applied up to the read index; never logged),
 * pipelining (up to `maxInflight` AppendEntries batches in flight per follower) and leadership
 * transfer (3.10: a `raft-transfer-leadership` message; the target gets TimeoutNow).
 * More trace events: `raft-prevote {term}` (a pre-vote starts for `term`), `raft-step-down {term,
 * reason}`, `raft-lag {term, lag: {follower: lastIndex - matchIndex}}` (at most once per heartbeat,
 * when it changed), `raft-transfer {term, target, phase}`.
 *
 * Not implemented (see issue 5): membership change, snapshots.
 *
 * @example
 * ```ts
 * const peers = ['n1', 'n2', 'n3'];
 * for (const id of peers) await sim.spawn(id, RAFT_NODE, { props: { peers } satisfies RaftProps });
 * sim.run({ untilMs: 1000 }); // a leader is elected
 * ```
 */
export const raftNode: Behaviour<RaftNodeState, RaftProps> = {
  init(ctx) {
    const props = resolveRaftProps(ctx.props, ctx.self);
    const d = ctx.durable;
    let log = d.get<RaftLog>('log');
    if (log === undefined) d.set('log', (log = []));
    const s = new RaftNodeState(ctx.self, props, d.get<number>('term') ?? 0, d.get<ActorId | null>('votedFor') ?? null, log);
    ctx.emit({ type: 'raft-role', term: s.term, role: 'follower', lastIndex: lastIndex(log) });
    armElection(s, ctx);
    return s;
  },
  receive(state, env, ctx) {
    // A class instance is never drafted: `state` is the instance itself, whatever the type says.
    const s = state as unknown as RaftNodeState;
    switch (env.kind) {
      // Timers arrive from self; nobody else can make a node start an election or a heartbeat.
      case RAFT_KINDS.electionTimeout:
        if (env.from === s.self && s.role !== 'leader') {
          if (s.props.preVote) startPreVote(s, ctx);
          else startElection(s, ctx);
        }
        return;
      case RAFT_KINDS.heartbeat:
        if (env.from === s.self && s.role === 'leader') heartbeat(s, ctx);
        return;
      case RAFT_KINDS.transferTimeout:
        if (env.from === s.self && s.transfer !== null) endTransfer(s, false, 'the target did not take over within an election timeout', ctx);
        return;
      case RAFT_KINDS.clientRequest:
        return onClientRequest(s, env, ctx);
      case RAFT_KINDS.transferLeadership:
        return onTransferLeadership(s, env, ctx);
    }
    // Raft messages count only from members of the cluster.
    if (!s.props.peers.includes(env.from) || env.from === s.self) return;
    switch (env.kind) {
      case RAFT_KINDS.requestVote:
        return onRequestVote(s, env.from, env.body as RequestVote, ctx);
      case RAFT_KINDS.requestVoteReply:
        return onVoteReply(s, env.from, env.body as RequestVoteReply, ctx);
      case RAFT_KINDS.appendEntries:
        return onAppendEntries(s, env.from, env.body as AppendEntries, ctx);
      case RAFT_KINDS.appendEntriesReply:
        return onAppendReply(s, env.from, env.body as AppendEntriesReply, ctx);
      case RAFT_KINDS.preVote:
        return onPreVote(s, env.from, env.body as PreVote, ctx);
      case RAFT_KINDS.preVoteReply:
        return onPreVoteReply(s, env.from, env.body as PreVoteReply, ctx);
      case RAFT_KINDS.timeoutNow:
        // The leader of our term hands over: stand at once, without pre-vote (section 3.10).
        if ((env.body as TimeoutNow).term === s.term && s.role === 'follower' && s.leader === env.from) startElection(s, ctx);
        return;
    }
  },
};

// ---- terms, roles and timers ----

function armElection(s: RaftNodeState, ctx: Ctx): void {
  const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max } = s.props;
  ctx.setTimer('election', min + (max - min) * ctx.random(), { kind: RAFT_KINDS.electionTimeout });
}

/** Persists a new term (and forgets the vote, which belonged to the old one). */
function setTerm(s: RaftNodeState, term: number, votedFor: ActorId | null, ctx: Ctx): void {
  s.term = term;
  s.votedFor = votedFor;
  ctx.durable.set('term', term);
  ctx.durable.set('votedFor', votedFor);
}

function setRole(s: RaftNodeState, role: RaftRole, ctx: Ctx): void {
  s.role = role;
  ctx.emit({ type: 'raft-role', term: s.term, role });
}

/** Any message with a newer term turns us into its follower (Figure 2, "Rules for Servers"). */
function becomeFollower(s: RaftNodeState, term: number, leader: ActorId | null, ctx: Ctx): void {
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
    armElection(s, ctx); // a candidate keeps the timer it has; a leader had none
  }
}

/**
 * Pre-vote (thesis section 9.6): ask for votes in term + 1 without moving to it. Only a yes from
 * a majority starts the real election, so a node cut off from the majority never raises its
 * term, and cannot depose the leader when it comes back.
 */
function startPreVote(s: RaftNodeState, ctx: Ctx): void {
  s.leader = null;
  s.preVotes = new Set([s.self]);
  ctx.emit({ type: 'raft-prevote', term: s.term + 1 });
  armElection(s, ctx);
  const pv: PreVote = { term: s.term + 1, lastLogIndex: lastIndex(s.log), lastLogTerm: lastTerm(s.log) };
  for (const p of s.others) ctx.send(p, { kind: RAFT_KINDS.preVote, body: pv });
  if (s.preVotes.size >= s.majority) startElection(s, ctx); // a cluster of one
}

/** True while this node leads, or heard from a leader less than the minimum election timeout ago. */
function inLease(s: RaftNodeState, ctx: Ctx): boolean {
  return s.role === 'leader' || (s.leader !== null && ctx.now() - s.leaderContactAt < s.props.electionTimeoutMinMs);
}

function onPreVote(s: RaftNodeState, candidate: ActorId, pv: PreVote, ctx: Ctx): void {
  // Nothing changes here: no term, no vote, no timer. Yes only to a newer term, an up-to-date
  // log, and when we have no live leader (the lease that keeps a rejoining node from disrupting).
  const granted = pv.term > s.term && upToDate(s, pv) && !inLease(s, ctx);
  ctx.send(candidate, { kind: RAFT_KINDS.preVoteReply, body: { term: s.term, forTerm: pv.term, granted } satisfies PreVoteReply });
}

function onPreVoteReply(s: RaftNodeState, voter: ActorId, r: PreVoteReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.preVotes === null || s.role === 'leader' || r.forTerm !== s.term + 1 || !r.granted) return;
  s.preVotes.add(voter);
  if (s.preVotes.size >= s.majority) startElection(s, ctx);
}

function upToDate(s: RaftNodeState, rv: RequestVote): boolean {
  const myTerm = lastTerm(s.log);
  return rv.lastLogTerm > myTerm || (rv.lastLogTerm === myTerm && rv.lastLogIndex >= lastIndex(s.log));
}

function startElection(s: RaftNodeState, ctx: Ctx): void {
  s.preVotes = null;
  setTerm(s, s.term + 1, s.self, ctx);
  s.leader = null;
  s.votes.clear();
  s.votes.add(s.self);
  setRole(s, 'candidate', ctx);
  armElection(s, ctx);
  const rv: RequestVote = { term: s.term, lastLogIndex: lastIndex(s.log), lastLogTerm: lastTerm(s.log) };
  for (const p of s.others) ctx.send(p, { kind: RAFT_KINDS.requestVote, body: rv });
  if (s.votes.size >= s.majority) becomeLeader(s, ctx); // a cluster of one
}

function becomeLeader(s: RaftNodeState, ctx: Ctx): void {
  ctx.cancelTimer('election');
  s.leader = s.self;
  setRole(s, 'leader', ctx);
  ctx.emit({ type: 'raft-leader', term: s.term, lastIndex: lastIndex(s.log), terms: termsOf(s.log), votes: s.votes.size });
  const next = lastIndex(s.log) + 1;
  const now = ctx.now();
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

function onRequestVote(s: RaftNodeState, candidate: ActorId, rv: RequestVote, ctx: Ctx): void {
  if (rv.term > s.term) becomeFollower(s, rv.term, null, ctx);
  const granted = rv.term === s.term && (s.votedFor === null || s.votedFor === candidate) && upToDate(s, rv);
  if (granted) {
    if (s.votedFor === null) setTerm(s, s.term, candidate, ctx); // persisted before the reply leaves
    ctx.emit({ type: 'raft-vote', term: s.term, candidate });
    armElection(s, ctx);
  }
  ctx.send(candidate, { kind: RAFT_KINDS.requestVoteReply, body: { term: s.term, granted } satisfies RequestVoteReply });
}

function onVoteReply(s: RaftNodeState, voter: ActorId, r: RequestVoteReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'candidate' || r.term !== s.term || !r.granted) return;
  s.votes.add(voter);
  if (s.votes.size >= s.majority) becomeLeader(s, ctx);
}

// ---- replication: the follower's side ----

function onAppendEntries(s: RaftNodeState, leader: ActorId, ae: AppendEntries, ctx: Ctx): void {
  const round = ae.round;
  const reply = (r: AppendEntriesReply) => ctx.send(leader, { kind: RAFT_KINDS.appendEntriesReply, body: round === undefined ? r : { ...r, round } });
  if (ae.term < s.term) return reply({ term: s.term, success: false, matchIndex: 0 });
  // Two leaders in one term cannot happen while votes are durable; if a wiped disk makes it
  // happen anyway, refuse rather than let the other leader overwrite our log.
  if (s.role === 'leader' && ae.term === s.term) return reply({ term: s.term, success: false, matchIndex: 0 });
  becomeFollower(s, ae.term, leader, ctx);
  s.leaderContactAt = ctx.now();
  armElection(s, ctx);
  const log = s.log;
  const prev = ae.prevLogIndex;
  if (prev > lastIndex(log)) return reply({ term: s.term, success: false, matchIndex: 0, conflictIndex: lastIndex(log) + 1 });
  const t = termAt(log, prev)!;
  if (t !== ae.prevLogTerm) return reply({ term: s.term, success: false, matchIndex: 0, conflictTerm: t, conflictIndex: firstIndexOfTerm(log, prev) });
  // Skip what we already hold; truncate only at a real conflict, so a stale or duplicated
  // AppendEntries never removes entries a later one added.
  const entries = ae.entries;
  let i = 0;
  for (; i < entries.length; i++) {
    const index = prev + 1 + i;
    if (index > lastIndex(log)) break;
    if (termAt(log, index) !== entries[i].term) {
      truncateFrom(log, index);
      break;
    }
  }
  if (i < entries.length) append(log, i === 0 ? entries : entries.slice(i));
  // Only the prefix this message vouched for is known to match the leader's log.
  const match = prev + entries.length;
  const commit = Math.min(ae.leaderCommit, match);
  if (commit > s.commitIndex) {
    s.commitIndex = commit;
    applyCommitted(s, ctx);
  }
  reply({ term: s.term, success: true, matchIndex: match });
}

// ---- replication: the leader's side ----

/**
 * Sends the follower one batch from nextIndex on (at most maxBatch entries), or, with
 * `withEntries` false, an empty heartbeat. A heartbeat to a follower being pipelined to vouches
 * only for matchIndex (the batches in flight may not have arrived yet), so it cannot fail and
 * knock the follower back into probing.
 */
function sendAppend(s: RaftNodeState, peer: ActorId, ctx: Ctx, withEntries = true): number {
  const next = s.nextIndex.get(peer)!;
  const probing = s.probing.has(peer);
  const prev = withEntries || probing ? next - 1 : Math.min(next - 1, s.matchIndex.get(peer)!);
  const entries = withEntries ? entriesFrom(s.log, next, s.props.maxBatch) : [];
  const ae: AppendEntries = s.round === 0
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
function pump(s: RaftNodeState, peer: ActorId, ctx: Ctx): number {
  const fl = s.inflight.get(peer)!;
  const window = s.probing.has(peer) ? 1 : s.props.maxInflight;
  const last = lastIndex(s.log);
  let sent = 0;
  while (fl.length < window && s.nextIndex.get(peer)! <= last) {
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
function heartbeat(s: RaftNodeState, ctx: Ctx): void {
  const now = ctx.now();
  for (const p of s.others) {
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
    let heard = 1;
    for (const p of s.others) if (now - s.lastAck.get(p)! <= s.props.electionTimeoutMaxMs) heard++;
    if (heard < s.majority) {
      ctx.emit({ type: 'raft-step-down', term: s.term, reason: 'check-quorum', heard });
      return becomeFollower(s, s.term, null, ctx);
    }
  }
  emitLag(s, ctx);
  ctx.setTimer('heartbeat', s.props.heartbeatMs, { kind: RAFT_KINDS.heartbeat });
}

/** `raft-lag`: lastIndex - matchIndex per follower, when any changed since the last report. */
function emitLag(s: RaftNodeState, ctx: Ctx): void {
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

function appendEntry(s: RaftNodeState, entry: LogEntry, ctx: Ctx): void {
  s.log.push(entry);
  advanceCommit(s, ctx); // a cluster of one commits at once
  for (const p of s.others) pump(s, p, ctx);
}

function onAppendReply(s: RaftNodeState, peer: ActorId, r: AppendEntriesReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'leader' || r.term !== s.term) return;
  // Any answer of this term, success or not, shows the follower takes us for its leader.
  s.lastAck.set(peer, ctx.now());
  if (r.round !== undefined && r.round > s.ackedRound.get(peer)!) {
    s.ackedRound.set(peer, r.round);
    if (s.reads.length > 0) serveReads(s, ctx);
  }
  const fl = s.inflight.get(peer)!;
  if (r.success) {
    const match = Math.max(s.matchIndex.get(peer)!, r.matchIndex);
    s.matchIndex.set(peer, match);
    s.nextIndex.set(peer, Math.max(s.nextIndex.get(peer)!, match + 1));
    s.probing.delete(peer);
    let done = 0;
    while (done < fl.length && fl[done].until <= match) done++;
    if (done > 0) fl.splice(0, done);
    advanceCommit(s, ctx);
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
}

/** Commits the highest index a majority holds, if it is of this term (Figure 2; section 5.4.2). */
function advanceCommit(s: RaftNodeState, ctx: Ctx): void {
  if (s.role !== 'leader') return;
  const held = [lastIndex(s.log)];
  for (const p of s.others) held.push(s.matchIndex.get(p)!);
  held.sort((a, b) => b - a);
  const n = held[s.majority - 1];
  if (n <= s.commitIndex || termAt(s.log, n) !== s.term) return;
  for (let i = s.commitIndex + 1; i <= n; i++) ctx.emit({ type: 'raft-commit', index: i, term: s.log[i - 1].term, leaderTerm: s.term });
  s.commitIndex = n;
  applyCommitted(s, ctx);
}

// ---- the state machine and clients ----

function applyCommitted(s: RaftNodeState, ctx: Ctx): void {
  while (s.lastApplied < s.commitIndex) {
    const index = ++s.lastApplied;
    const e = s.log[index - 1];
    const out = s.kv.apply(index, e.command, e.client, e.seq, e.lowestPending);
    ctx.emit(e.client === undefined ? { type: 'raft-apply', index, term: e.term, command: e.command } : { type: 'raft-apply', index, term: e.term, command: e.command, client: e.client, seq: e.seq });
    if (s.role !== 'leader' || e.client === undefined) continue;
    const k = key(e.client, e.seq!);
    s.proposed.delete(k);
    const w = s.waiters.get(k);
    if (w === undefined) continue;
    s.waiters.delete(k);
    answer(w, { clientId: e.client, seq: e.seq!, ok: true, index: out.index, result: out.result }, ctx);
  }
  if (s.role === 'leader' && s.reads.length > 0) serveReads(s, ctx);
}

function answer(w: Waiter, body: ClientReply, ctx: Ctx): void {
  ctx.reply({ from: w.from, corr: w.corr } as Envelope, { kind: RAFT_KINDS.clientReply, body });
}

function redirect(s: RaftNodeState, k: string, ctx: Ctx): void {
  const w = s.waiters.get(k)!;
  const [clientId, seq] = k.split('\u0000');
  answer(w, { clientId, seq: Number(seq), ok: false, leader: s.leader === s.self ? null : s.leader }, ctx);
}

function onClientRequest(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const req = env.body as ClientRequest | undefined;
  if (typeof req?.clientId !== 'string' || !Number.isInteger(req.seq) || !isKvCommand(req.command)) return; // malformed: ignored
  const w: Waiter = { from: env.from, corr: env.corr };
  if (s.role !== 'leader') return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.leader }, ctx);
  // Handing over: no new commands (the target leads soon; it is the best hint).
  if (s.transfer !== null) return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.transfer.target }, ctx);
  if (req.command.op === 'get') return startRead(s, w, req.clientId, req.seq, req.command.key, ctx);
  const done = s.kv.lookup(req.clientId, req.seq);
  // Acknowledged already (the client has moved past it): a stray duplicate, nobody waits for it.
  if (done === 'forgotten') return;
  if (done !== undefined) return answer(w, { clientId: req.clientId, seq: req.seq, ok: true, ...done }, ctx);
  const k = key(req.clientId, req.seq);
  s.waiters.set(k, w); // the latest attempt is the one the client listens for
  if (s.proposed.has(k)) return; // in the log already, waiting to commit
  s.proposed.set(k, lastIndex(s.log) + 1);
  appendEntry(s, { term: s.term, command: req.command, client: req.clientId, seq: req.seq, lowestPending: req.lowestPending }, ctx);
}

// ---- ReadIndex reads (thesis section 6.4) ----

/**
 * A read is not logged. Its read index is the commit index now (and at least this term's no-op,
 * so that entries of earlier terms count as committed); a fresh heartbeat round confirms that
 * no newer leader existed when the read arrived; once a majority echoed that round and the
 * state machine applied up to the read index, the value is current.
 */
function startRead(s: RaftNodeState, waiter: Waiter, clientId: string, seq: number, k: string, ctx: Ctx): void {
  const round = ++s.round;
  s.reads.push({ waiter, clientId, seq, key: k, index: Math.max(s.commitIndex, s.termStart), round });
  // One heartbeat round per read: every AppendEntries from now on carries the new round.
  for (const p of s.others) sendAppend(s, p, ctx, false);
  serveReads(s, ctx); // a cluster of one needs nobody
}

/** Answers the reads, oldest first, whose round a majority confirmed and whose index is applied. */
function serveReads(s: RaftNodeState, ctx: Ctx): void {
  const rounds = [Infinity];
  for (const p of s.others) rounds.push(s.ackedRound.get(p)!);
  rounds.sort((a, b) => b - a);
  const confirmed = rounds[s.majority - 1];
  let i = 0;
  for (; i < s.reads.length; i++) {
    const r = s.reads[i];
    if (r.round > confirmed || r.index > s.lastApplied) break;
    answer(r.waiter, { clientId: r.clientId, seq: r.seq, ok: true, index: r.index, result: { ok: true, value: s.kv.get(r.key) } }, ctx);
  }
  if (i > 0) s.reads.splice(0, i);
}

// ---- leadership transfer (thesis section 3.10) ----

function onTransferLeadership(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const target = (env.body as TransferLeadership | undefined)?.target;
  const w: Waiter = { from: env.from, corr: env.corr };
  const no = (reason: string) => ctx.reply({ from: w.from, corr: w.corr } as Envelope, { kind: RAFT_KINDS.transferReply, body: { ok: false, reason, leader: s.leader } });
  if (s.role !== 'leader') return no('not the leader');
  if (target === s.self) return ctx.reply(env, { kind: RAFT_KINDS.transferReply, body: { ok: true, target } });
  if (typeof target !== 'string' || !s.others.includes(target)) return no(`unknown target ${JSON.stringify(target)}`);
  if (s.transfer !== null) return no(`a transfer to ${s.transfer.target} is in progress`);
  s.transfer = { target, waiter: w, sent: false };
  ctx.emit({ type: 'raft-transfer', term: s.term, target, phase: 'start' });
  ctx.setTimer('transfer', s.props.electionTimeoutMaxMs, { kind: RAFT_KINDS.transferTimeout });
  tryTransfer(s, ctx);
}

/** Once the target holds the whole log, TimeoutNow; until then, replication brings it up to date. */
function tryTransfer(s: RaftNodeState, ctx: Ctx): void {
  const t = s.transfer!;
  if (t.sent) return;
  if (s.matchIndex.get(t.target)! < lastIndex(s.log)) {
    pump(s, t.target, ctx);
    return;
  }
  t.sent = true;
  ctx.send(t.target, { kind: RAFT_KINDS.timeoutNow, body: { term: s.term } satisfies TimeoutNow });
  ctx.emit({ type: 'raft-transfer', term: s.term, target: t.target, phase: 'timeout-now' });
}

/** The transfer is over: it happened (we were deposed after TimeoutNow) or it timed out. */
function endTransfer(s: RaftNodeState, ok: boolean, reason: string, ctx: Ctx): void {
  const t = s.transfer!;
  s.transfer = null;
  ctx.cancelTimer('transfer');
  ctx.emit({ type: 'raft-transfer', term: s.term, target: t.target, phase: ok ? 'done' : 'aborted', reason });
  ctx.reply({ from: t.waiter.from, corr: t.waiter.corr } as Envelope, { kind: RAFT_KINDS.transferReply, body: ok ? { ok: true, target: t.target } : { ok: false, reason, leader: s.leader } });
}
