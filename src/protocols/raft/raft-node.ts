import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { isKvCommand, KvStore } from './kv-store.ts';
import { append, entriesFrom, firstIndexOfTerm, lastIndex, lastIndexOfTerm, lastTerm, termAt, termsOf, truncateFrom, type RaftLog } from './log.ts';
import {
  RAFT_KINDS, resolveRaftProps, type AppendEntries, type AppendEntriesReply, type ClientReply, type ClientRequest, type LogEntry,
  type RaftProps, type RequestVote, type RequestVoteReply, type ResolvedRaftProps,
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
   * The AppendEntries with entries in flight to each follower (one at a time: no pipelining):
   * the matchIndex its success will report, and when it left. Only that reply sends the next
   * batch; replies to heartbeats or to older batches do not, or every heartbeat would start
   * one more stream of batches to the same follower.
   */
  inflight = new Map<ActorId, { until: number; at: number }>();
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
 * Not implemented (see issue 5): pre-vote, check-quorum, leadership transfer, membership change,
 * ReadIndex reads, pipelining (one AppendEntries with entries in flight per follower), snapshots.
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
        if (env.from === s.self && s.role !== 'leader') startElection(s, ctx);
        return;
      case RAFT_KINDS.heartbeat:
        if (env.from === s.self && s.role === 'leader') heartbeat(s, ctx);
        return;
      case RAFT_KINDS.clientRequest:
        return onClientRequest(s, env, ctx);
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
    armElection(s, ctx); // a candidate keeps the timer it has; a leader had none
  }
}

function startElection(s: RaftNodeState, ctx: Ctx): void {
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
  for (const p of s.others) {
    s.nextIndex.set(p, next);
    s.matchIndex.set(p, 0);
  }
  s.inflight.clear();
  s.proposed.clear();
  // Entries of earlier terms are committed only through one of this term (section 5.4.2): a
  // no-op now lets the leader commit, and learn the commit index, without waiting for a client.
  appendEntry(s, { term: s.term, command: { op: 'noop' } }, ctx); // goes to every follower now
  ctx.setTimer('heartbeat', s.props.heartbeatMs, { kind: RAFT_KINDS.heartbeat });
}

// ---- elections ----

function onRequestVote(s: RaftNodeState, candidate: ActorId, rv: RequestVote, ctx: Ctx): void {
  if (rv.term > s.term) becomeFollower(s, rv.term, null, ctx);
  const myTerm = lastTerm(s.log);
  const upToDate = rv.lastLogTerm > myTerm || (rv.lastLogTerm === myTerm && rv.lastLogIndex >= lastIndex(s.log));
  const granted = rv.term === s.term && (s.votedFor === null || s.votedFor === candidate) && upToDate;
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
  const reply = (r: AppendEntriesReply) => ctx.send(leader, { kind: RAFT_KINDS.appendEntriesReply, body: r });
  if (ae.term < s.term) return reply({ term: s.term, success: false, matchIndex: 0 });
  // Two leaders in one term cannot happen while votes are durable; if a wiped disk makes it
  // happen anyway, refuse rather than let the other leader overwrite our log.
  if (s.role === 'leader' && ae.term === s.term) return reply({ term: s.term, success: false, matchIndex: 0 });
  becomeFollower(s, ae.term, leader, ctx);
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

/** Sends the follower what it lacks from nextIndex on (at most maxBatch entries), or nothing but the heartbeat. */
function sendAppend(s: RaftNodeState, peer: ActorId, ctx: Ctx, withEntries = true): void {
  const next = s.nextIndex.get(peer)!;
  const prev = next - 1;
  const entries = withEntries ? entriesFrom(s.log, next, s.props.maxBatch) : [];
  const ae: AppendEntries = { term: s.term, prevLogIndex: prev, prevLogTerm: termAt(s.log, prev)!, entries, leaderCommit: s.commitIndex };
  ctx.send(peer, { kind: RAFT_KINDS.appendEntries, body: ae });
  if (entries.length > 0) s.inflight.set(peer, { until: prev + entries.length, at: ctx.now() });
}

/**
 * Every heartbeat goes to every follower. A batch outstanding for a whole heartbeat interval is
 * presumed lost and sent again (the retransmission); a younger one gets an empty heartbeat.
 */
function heartbeat(s: RaftNodeState, ctx: Ctx): void {
  const now = ctx.now();
  for (const p of s.others) {
    const f = s.inflight.get(p);
    if (f !== undefined && now - f.at < s.props.heartbeatMs) sendAppend(s, p, ctx, false);
    else {
      s.inflight.delete(p);
      sendAppend(s, p, ctx);
    }
  }
  ctx.setTimer('heartbeat', s.props.heartbeatMs, { kind: RAFT_KINDS.heartbeat });
}

function appendEntry(s: RaftNodeState, entry: LogEntry, ctx: Ctx): void {
  s.log.push(entry);
  advanceCommit(s, ctx); // a cluster of one commits at once
  for (const p of s.others) if (!s.inflight.has(p)) sendAppend(s, p, ctx);
}

function onAppendReply(s: RaftNodeState, peer: ActorId, r: AppendEntriesReply, ctx: Ctx): void {
  if (r.term > s.term) return becomeFollower(s, r.term, null, ctx);
  if (s.role !== 'leader' || r.term !== s.term) return;
  const match = Math.max(s.matchIndex.get(peer)!, r.success ? r.matchIndex : 0);
  s.matchIndex.set(peer, match);
  let next = s.nextIndex.get(peer)!;
  if (r.success) {
    next = Math.max(next, match + 1);
    advanceCommit(s, ctx);
  } else {
    // Fast back-off: skip the follower's whole conflicting term at once. No floor at
    // matchIndex + 1: a stale failure then costs a resend of entries the follower skips, while a
    // floor would loop forever on a follower whose log really shrank (a wiped disk).
    const t = r.conflictTerm;
    const last = t === undefined ? 0 : lastIndexOfTerm(s.log, t);
    next = last > 0 ? last + 1 : (r.conflictIndex ?? next - 1);
    next = Math.min(Math.max(next, 1), lastIndex(s.log) + 1);
  }
  s.nextIndex.set(peer, next);
  const f = s.inflight.get(peer);
  if (r.success && f !== undefined && r.matchIndex < f.until) return; // the batch in flight will answer
  s.inflight.delete(peer);
  if (!r.success || next <= lastIndex(s.log)) sendAppend(s, peer, ctx);
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
