import type { Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { onClientRequest, onForwardedReply } from './clients.ts';
import { armElection, onPreVote, onPreVoteReply, onRequestVote, onVoteReply, startElection, startPreVote } from './elections.ts';
import { lastIndex, type RaftLog } from './log.ts';
import { onChangeMembership, refreshConfig } from './membership.ts';
import {
  type AppendEntries,
  type AppendEntriesReply,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type PreVote,
  type PreVoteReply,
  RAFT_KINDS,
  type RaftProps,
  type RequestVote,
  type RequestVoteReply,
  resolveRaftProps,
  type TimeoutNow,
} from './messages.ts';
import { onInstallSnapshot, onInstallSnapshotReply } from './install-snapshot.ts';
import { KeyValueMachine } from './kv-store.ts';
import { ConfigError } from '../../errors.ts';
import { type Ctx, RaftNodeState } from './raft-state.ts';
import type { StateMachine } from './state-machine.ts';
import { heartbeat, onAppendEntries, onAppendReply } from './replication.ts';
import { recoverSnapshot } from './snapshots.ts';
import { endTransfer, onTransferLeadership } from './transfer.ts';
import { rejected, wellFormed } from './wire-check.ts';

export { RaftNodeState, type RaftRole } from './raft-state.ts';

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
 * `raft-apply {index, entries: [{term, command, client?, seq?}]}` (every node, what one step applied:
 * the first entry at `index`, the others after it; one event per step rather than per entry, since
 * applies were 5 of the 8 events a command cost at n = 5).
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
 * Single-server membership change (thesis chapter 4): a `raft-change-membership {add | remove}`
 * to the leader appends a `{op: 'config', members}` entry; every node uses the latest
 * configuration entry in its log, committed or not, for quorums, elections and replication
 * targets (`raft-config {index, members}` when it adopts one). One change at a time, and only
 * once the leader committed an entry of its term (the thesis errata's fix); the leader replies
 * `raft-membership-reply` when the entry commits. A leader that removed itself leads (without
 * counting itself) until the entry commits, then steps down (`raft-step-down` reason
 * `removed`), sending TimeoutNow to an up-to-date member. A new server is spawned with
 * `peers` = the configuration it joins and an empty log, and catches up: as a voter at once by
 * default (so adding a slow server can stall commits while it catches up), or with
 * `learnerRounds` > 0 first as a non-voting learner (section 4.2.1: replicated to in rounds,
 * counted in no quorum, promoted once a round takes less than the minimum election timeout;
 * `raft-learner {learner, phase: start | promoted | aborted}`). A removed server is not told: the leader stops replicating to it, and
 * it may time out and disrupt the cluster (section 4.2.3); pre-vote with the leader lease
 * (a member that heard from a leader within the minimum election timeout refuses) keeps it
 * from deposing a healthy leader, but with `preVote: false` its RequestVote still raises the
 * members' terms (the RequestVote-side lease rule is not implemented): shut removed servers
 * down. A node that knows it was removed (it holds the committed configuration without
 * itself) does not stand for election. A wiped disk forgets the configuration: the node then
 * starts from its props' peers.
 *
 * The replicated state machine is pluggable: `raftNodeWith(() => new MyMachine())` builds the
 * behaviour for any deterministic `StateMachine` (a module exporting it is then spawned by
 * reference); `raftNode` uses the key-value store.
 *
 * Log compaction (thesis chapter 5; `snapshotEvery`, default 10,000, 0 off): at every applied
 * index that is a multiple of it, the node snapshots its state machine and client sessions
 * (JSON text with a sha256 digest), keeps it in `ctx.durable` under `snapshot`, and drops its
 * log behind it but for `maxBatch * maxInflight` entries; a restarted node restores the
 * snapshot and applies the tail again as it learns the commit index. A follower that needs
 * entries the leader compacted gets the snapshot in chunks (`snapshotChunkChars`) by
 * InstallSnapshot, keeps its log after the snapshot when its entry at the snapshot's index has
 * the snapshot's term, discards it otherwise. Trace events: `raft-snapshot {how: taken |
 * installed | recovered, index, term, digest, chars, logStart}` (the digest of the state as
 * restored) and `raft-snapshot-send {to, index, chars}` on the leader; `raft-leader` carries
 * `base`/`baseTerm` once its log was compacted (its `terms` start after `base`).
 *
 * Not implemented (see issue 5): joint consensus.
 *
 * @example
 * ```ts
 * export const counterNode = raftNodeWith(() => new Counter()); // in a module of yours
 * const peers = ['n1', 'n2', 'n3'];
 * for (const id of peers) await sim.spawn(id, RAFT_NODE, { props: { peers } satisfies RaftProps });
 * sim.run({ untilMs: 1000 }); // a leader is elected
 * ```
 */
export function raftNodeWith(createMachine: () => StateMachine): Behaviour<RaftNodeState, RaftProps> {
  return {
    init(ctx) {
      const props = resolveRaftProps(ctx.props, ctx.self);
      const d = ctx.durable;
      let log = d.get<RaftLog>('log');
      if (log === undefined) d.set('log', (log = []));
      // The machine starts empty, or from the durable snapshot: a restarted node rebuilds the
      // rest by applying its log again.
      const s = new RaftNodeState(ctx.self, props, d.get<number>('term') ?? 0, d.get<ActorId | null>('votedFor') ?? null, log, createMachine());
      s.snapshotEvery = snapshotEvery(s, ctx.props);
      ctx.emit({ type: 'raft-role', term: s.term, role: 'follower', lastIndex: lastIndex(log) });
      recoverSnapshot(s, ctx);
      refreshConfig(s, ctx); // a restarted node resumes with the latest configuration in its log
      armElection(s, ctx);
      return s;
    },
    receive,
  };
}

/**
 * The compaction interval in use: the props' (default 10,000), or 0 for a state machine that
 * cannot snapshot when the props left it to the default; given explicitly, it is refused.
 */
function snapshotEvery(s: RaftNodeState, given: RaftProps): number {
  if (s.applied.canSnapshot()) return s.props.snapshotEvery;
  // `given` is an object: resolveRaftProps refused anything else.
  if ((given.snapshotEvery ?? 0) > 0) {
    throw new ConfigError(
      `raft("${s.self}").props.snapshotEvery`,
      '0 (this state machine has no snapshot()/restore(); implement them to compact the log)',
      given.snapshotEvery,
    );
  }
  return 0;
}

/**
 * The Raft node with the default state machine, the key-value store (see `raftNodeWith`).
 *
 * @example
 * ```ts
 * await sim.spawn('n1', RAFT_NODE, { props: { peers: ['n1', 'n2', 'n3'] } });
 * ```
 */
export const raftNode: Behaviour<RaftNodeState, RaftProps> = raftNodeWith(() => new KeyValueMachine());

function receive(state: unknown, env: Envelope, ctx: Ctx): void {
  // A class instance is never drafted: `state` is the instance itself, whatever the type says.
  const s = state as unknown as RaftNodeState;
  switch (env.kind) {
    // Timers arrive from self; nobody else can make a node start an election or a heartbeat.
    case RAFT_KINDS.electionTimeout:
      if (env.from === s.self && s.role !== 'leader') {
        // A node that knows it was removed (its configuration without it is committed) stays quiet.
        if (!s.isMember && s.commitIndex >= s.configIndex) return;
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
    case RAFT_KINDS.changeMembership:
      return onChangeMembership(s, env, ctx);
  }
  // Raft messages count only from servers of the cluster (of any configuration this node used:
  // as in the thesis, requests are processed without consulting the current configuration).
  if (!s.known.has(env.from) || env.from === s.self) return;
  if (!wellFormed(env.kind, env.body, s.applied.machine)) return rejected(ctx, env.from, env.kind, 'malformed');
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
    case RAFT_KINDS.installSnapshot:
      return onInstallSnapshot(s, env.from, env.body as InstallSnapshot, ctx);
    case RAFT_KINDS.installSnapshotReply:
      return onInstallSnapshotReply(s, env.from, env.body as InstallSnapshotReply, ctx);
    case RAFT_KINDS.forwardedReply:
      return onForwardedReply(s, env, ctx);
    case RAFT_KINDS.timeoutNow:
      // The leader of our term hands over: stand at once, without pre-vote (section 3.10).
      if ((env.body as TimeoutNow).term === s.term && s.role === 'follower' && s.leader === env.from) startElection(s, ctx);
      return;
  }
}
