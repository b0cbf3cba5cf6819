import type { ActorId } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import type { MachineCommand } from './state-machine.ts';

/**
 * What a log entry carries: a client's command for the state machine (key-value by default), the
 * no-op a leader appends at the start of its term (so that it has an entry of its own term to
 * commit), or a configuration.
 *
 * @example
 * ```ts
 * const put: RaftCommand = { op: 'put', key: 'k1', value: 'v1' };
 * const noop: RaftCommand = { op: 'noop' };
 * ```
 */
export type RaftCommand = MachineCommand | { readonly op: 'noop' } | ConfigCommand;

/**
 * True for a configuration entry (a machine's command may not use the op `config`).
 *
 * @example
 * ```ts
 * if (isConfig(entry.command)) adopt(entry.command.members);
 * ```
 */
export function isConfig(c: RaftCommand): c is ConfigCommand {
  return c.op === 'config' && Array.isArray((c as ConfigCommand).members);
}

/**
 * A configuration entry (single-server membership change, thesis section 4.1): the voters of
 * the cluster from this entry on. A node uses the latest one in its log, committed or not.
 *
 * @example
 * ```ts
 * const c: ConfigCommand = { op: 'config', members: ['n1', 'n2', 'n3', 'n4'] };
 * ```
 */
export interface ConfigCommand {
  readonly op: 'config';
  readonly members: readonly ActorId[];
}

/**
 * One log entry. Entries are immutable once created: in sim mode they travel by reference from
 * the leader's log into the followers' logs (and into the trace), so nobody may mutate one.
 * `client`/`seq` identify a client command for duplicate detection; `lowestPending` is the
 * lowest seq that client still waits for, so the state machine may forget older results.
 *
 * @example
 * ```ts
 * const e: LogEntry = { term: 3, command: { op: 'put', key: 'k', value: 'v' }, client: 'c1', seq: 7, lowestPending: 7 };
 * ```
 */
export interface LogEntry {
  readonly term: number;
  readonly command: RaftCommand;
  readonly client?: string;
  readonly seq?: number;
  readonly lowestPending?: number;
}

/**
 * RequestVote (Figure 2). The candidate is the envelope's runtime-stamped `from`, not a field:
 * a node cannot ask for votes in someone else's name.
 *
 * @example
 * ```ts
 * ctx.send('n2', { kind: RAFT_KINDS.requestVote, body: { term: 4, lastLogIndex: 10, lastLogTerm: 3 } satisfies RequestVote });
 * ```
 */
export interface RequestVote {
  readonly term: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/**
 * PreVote (the Raft thesis, section 9.6): "would you vote for me in `term`?", asked before a
 * node increments its own term. Nobody changes term or vote on account of it. Same shape as
 * RequestVote; `term` is the term the asker would stand in (its current term + 1).
 *
 * @example
 * ```ts
 * ctx.send('n2', { kind: RAFT_KINDS.preVote, body: { term: 5, lastLogIndex: 10, lastLogTerm: 3 } satisfies PreVote });
 * ```
 */
export type PreVote = RequestVote;

/**
 * The answer to a PreVote: `term` is the voter's current term, `forTerm` echoes the term asked about.
 *
 * @example
 * ```ts
 * const r: PreVoteReply = { term: 4, forTerm: 5, granted: true };
 * ```
 */
export interface PreVoteReply {
  readonly term: number;
  readonly forTerm: number;
  readonly granted: boolean;
}

/**
 * TimeoutNow (the thesis, section 3.10): the leader tells the target of a leadership transfer,
 * once its log is up to date, to start an election at once (no pre-vote, no waiting).
 *
 * @example
 * ```ts
 * ctx.send('n3', { kind: RAFT_KINDS.timeoutNow, body: { term: 4 } satisfies TimeoutNow });
 * ```
 */
export interface TimeoutNow {
  readonly term: number;
}

/**
 * Asks the leader to hand leadership to `target` (a member of the cluster). The leader stops
 * accepting commands, brings the target up to date and sends it TimeoutNow; it replies
 * `{ ok: true }` once it did, `{ ok: false, reason }` otherwise (not the leader, unknown target,
 * or the transfer did not happen within an election timeout).
 *
 * @example
 * ```ts
 * await sim.ask('n1', { kind: RAFT_KINDS.transferLeadership, body: { target: 'n3' } satisfies TransferLeadership }, { timeoutMs: 1_000 });
 * ```
 */
export interface TransferLeadership {
  readonly target: ActorId;
}

/**
 * Asks the leader to add or remove one server (exactly one of `add`, `remove`; thesis section
 * 4.1). The leader appends a configuration entry and replies once it commits; it refuses while
 * another change is uncommitted, during a leadership transfer, or before it has committed an
 * entry of its own term. A server being added is spawned first with `peers` = the new
 * configuration and an empty log; it catches up from the leader.
 *
 * @example
 * ```ts
 * await sim.spawn('n4', RAFT_NODE, { props: { peers: ['n1', 'n2', 'n3', 'n4'] } });
 * await sim.ask(leader, { kind: RAFT_KINDS.changeMembership, body: { add: 'n4' } satisfies ChangeMembership }, { timeoutMs: 2_000 });
 * ```
 */
export interface ChangeMembership {
  readonly add?: ActorId;
  readonly remove?: ActorId;
}

/**
 * The answer to a ChangeMembership: the configuration entry committed at `index`, or a refusal.
 *
 * @example
 * ```ts
 * const r: MembershipReply = { ok: true, index: 42, members: ['n1', 'n2', 'n3', 'n4'] };
 * ```
 */
export type MembershipReply =
  | { readonly ok: true; readonly index: number; readonly members: readonly ActorId[] }
  | { readonly ok: false; readonly reason: string; readonly leader: ActorId | null };

/**
 * The answer to a RequestVote.
 *
 * @example
 * ```ts
 * ctx.send(candidate, { kind: RAFT_KINDS.requestVoteReply, body: { term: 4, granted: true } satisfies RequestVoteReply });
 * ```
 */
export interface RequestVoteReply {
  readonly term: number;
  readonly granted: boolean;
}

/**
 * AppendEntries (Figure 2): a heartbeat when `entries` is empty. The leader is the envelope's
 * `from`.
 *
 * @example
 * ```ts
 * const hb: AppendEntries = { term: 4, prevLogIndex: 10, prevLogTerm: 3, entries: [], leaderCommit: 9 };
 * ```
 */
export interface AppendEntries {
  readonly term: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly LogEntry[];
  readonly leaderCommit: number;
  /** The leader's ReadIndex round when it sent this (echoed in the reply; absent when 0). */
  readonly round?: number;
}

/**
 * The answer to an AppendEntries. On success `matchIndex` is the last index known to match the
 * leader (prevLogIndex + entries); replies may be stale, so the leader takes the maximum. On a
 * failed consistency check the follower hints where to retry (the extended paper's fast
 * back-off, section 5.3): `conflictTerm` is the term it has at prevLogIndex (absent when its log
 * is too short) and `conflictIndex` the first index it holds of that term (or its lastIndex + 1).
 *
 * @example
 * ```ts
 * const r: AppendEntriesReply = { term: 4, success: false, matchIndex: 0, conflictTerm: 2, conflictIndex: 6 };
 * ```
 */
export interface AppendEntriesReply {
  readonly term: number;
  readonly success: boolean;
  readonly matchIndex: number;
  readonly conflictTerm?: number;
  readonly conflictIndex?: number;
  /** The `round` of the AppendEntries this answers (ReadIndex confirmation). */
  readonly round?: number;
}

/**
 * A snapshot (thesis chapter 5): the replicated state after applying every entry up to `index`
 * (of `term`), the configuration in use at that index, and the state as JSON text (the
 * `SessionedMachine` snapshot: machine data and client sessions) with its digest (sha256, hex),
 * which the checkers compare between nodes. What the durable store keeps under `snapshot`.
 *
 * @example
 * ```ts
 * const r: SnapshotRecord = { index: 10_000, term: 3, configIndex: 0, members: ['n1', 'n2', 'n3'], data: '{"machine":[],"sessions":[]}', digest: 'ab12...' };
 * ```
 */
export interface SnapshotRecord {
  readonly index: number;
  readonly term: number;
  /** The index of the configuration entry in use at `index` (0: the props' peers). */
  readonly configIndex: number;
  readonly members: readonly ActorId[];
  readonly data: string;
  readonly digest: string;
}

/**
 * InstallSnapshot (thesis Figure 5.3): one chunk of the leader's snapshot, `data` being the
 * characters of `SnapshotRecord.data` from `offset` on; `done` on the last chunk. The leader is
 * the envelope's `from`. A follower takes chunks in order and installs the snapshot on `done`.
 *
 * @example
 * ```ts
 * const m: InstallSnapshot = { term: 4, index: 10_000, lastTerm: 3, configIndex: 0, members: ['n1', 'n2', 'n3'], offset: 0, data: '{"machine"', done: false };
 * ```
 */
export interface InstallSnapshot {
  readonly term: number;
  /** The snapshot's last included index and its term. */
  readonly index: number;
  readonly lastTerm: number;
  readonly configIndex: number;
  readonly members: readonly ActorId[];
  readonly offset: number;
  readonly data: string;
  readonly done: boolean;
}

/**
 * The answer to an InstallSnapshot chunk: the follower's term, the snapshot it is about, the
 * offset it expects next (all of it received when `done`), and `done` once installed (or when
 * it had applied that far already): the leader then replicates from `index + 1`.
 *
 * @example
 * ```ts
 * const r: InstallSnapshotReply = { term: 4, index: 10_000, offset: 65_536, done: false };
 * ```
 */
export interface InstallSnapshotReply {
  readonly term: number;
  readonly index: number;
  readonly offset: number;
  readonly done: boolean;
}

/**
 * A client's command, sent to the node it believes leads. (clientId, seq) identifies it, so a
 * retry of the same command applies once. `lowestPending` is the lowest seq the client has not
 * had acknowledged yet (results below it may be forgotten).
 *
 * @example
 * ```ts
 * ctx.send('n1', { kind: RAFT_KINDS.clientRequest, body: { clientId: 'c1', seq: 1, lowestPending: 1, command: { op: 'put', key: 'k1', value: 'a' } } satisfies ClientRequest });
 * ```
 */
export interface ClientRequest {
  readonly clientId: string;
  readonly seq: number;
  readonly lowestPending?: number;
  readonly command: MachineCommand;
  /** Set by a follower that forwards the request to its leader: whom the answer goes to. */
  readonly replyTo?: { readonly from: ActorId; readonly corr: number | undefined };
}

/**
 * The answer to a ClientRequest: the result once the command is applied on the leader, or a
 * redirect (`ok: false`) with the node's guess of the leader (null when it has none).
 *
 * @example
 * ```ts
 * const redirect: ClientReply = { clientId: 'c1', seq: 1, ok: false, leader: 'n3' };
 * const done: ClientReply = { clientId: 'c1', seq: 1, ok: true, index: 12, result: { ok: true } };
 * ```
 */
export type ClientReply =
  | {
      readonly clientId: string;
      readonly seq: number;
      readonly ok: true;
      readonly index: number;
      readonly result: unknown /** Who answered as leader (a forwarded request tells the client whom to ask next time). */;
      readonly leader?: ActorId;
    }
  | { readonly clientId: string; readonly seq: number; readonly ok: false; readonly leader: ActorId | null };

/**
 * The message kinds of the Raft conversation (timers included: they arrive as messages too).
 *
 * @example
 * ```ts
 * if (env.kind === RAFT_KINDS.appendEntries) handleAppend(env.body as AppendEntries);
 * ```
 */
export const RAFT_KINDS = {
  requestVote: 'raft-request-vote',
  requestVoteReply: 'raft-request-vote-reply',
  appendEntries: 'raft-append-entries',
  appendEntriesReply: 'raft-append-entries-reply',
  clientRequest: 'raft-client-request',
  clientReply: 'raft-client-reply',
  electionTimeout: 'raft-election-timeout',
  heartbeat: 'raft-heartbeat',
  preVote: 'raft-pre-vote',
  preVoteReply: 'raft-pre-vote-reply',
  timeoutNow: 'raft-timeout-now',
  transferLeadership: 'raft-transfer-leadership',
  transferReply: 'raft-transfer-reply',
  transferTimeout: 'raft-transfer-timeout',
  changeMembership: 'raft-change-membership',
  membershipReply: 'raft-membership-reply',
  forwardedReply: 'raft-forwarded-reply',
  installSnapshot: 'raft-install-snapshot',
  installSnapshotReply: 'raft-install-snapshot-reply',
} as const;

/**
 * A Raft node's props (plain data, so it runs in a worker too).
 *
 * @example
 * ```ts
 * const props: RaftProps = { peers: ['n1', 'n2', 'n3'], electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300 };
 * await sim.spawn('n1', RAFT_NODE, { props });
 * ```
 */
export interface RaftProps {
  /**
   * Every node of the cluster, this one included: the configuration until the log holds a
   * configuration entry (a server added later is spawned with the configuration it joins).
   */
  readonly peers: readonly ActorId[];
  /** Default 150 ms. */
  readonly electionTimeoutMinMs?: number;
  /** Default 300 ms. */
  readonly electionTimeoutMaxMs?: number;
  /** Default 50 ms. */
  readonly heartbeatMs?: number;
  /** Most entries per AppendEntries; default 64. */
  readonly maxBatch?: number;
  /** Most AppendEntries batches in flight per follower (pipelining); default 4. */
  readonly maxInflight?: number;
  /** A follower that knows the leader forwards a client's request to it (default true); otherwise it answers with a redirect. */
  readonly forward?: boolean;
  /**
   * Pre-vote (thesis section 9.6): a node that times out first asks whether it could win before
   * it increments its term, and nodes that heard from a leader within the minimum election
   * timeout say no; so a node rejoining from a partition does not depose a healthy leader.
   * Default true.
   */
  readonly preVote?: boolean;
  /**
   * Check-quorum (thesis section 6.2): a leader that has not heard from a majority within an
   * election timeout (electionTimeoutMaxMs) steps down. Default true.
   */
  readonly checkQuorum?: boolean;
  /** The replicated state machine; only the key-value store exists. */
  readonly stateMachine?: 'kv';
  /**
   * Log compaction (thesis chapter 5): the node snapshots its state machine at every applied
   * index that is a multiple of this (so every node snapshots at the same indexes, and their
   * digests can be compared), and drops the log behind it but for a trailing window of
   * `maxBatch * maxInflight` entries (followers a pipeline behind still get AppendEntries).
   * 0 turns compaction off. Default 10,000; a state machine without `snapshot`/`restore` runs
   * with compaction off unless this is given (then it is refused).
   */
  readonly snapshotEvery?: number;
  /** Characters of snapshot data per InstallSnapshot chunk; default 65,536. */
  readonly snapshotChunkChars?: number;
  /**
   * Non-voting catch-up (thesis 4.2.1): with N > 0, a server the leader is asked to add first
   * replicates as a learner (not counted in any quorum) in rounds, each bringing it up to the
   * leader's last index when the round began; once a round takes less than the minimum
   * election timeout it joins as a voter (the configuration entry is appended). The change is
   * refused after N rounds, or when one round lasts ten maximum election timeouts (the server is
   * unavailable). 0 (the default) adds it as a voter at once.
   */
  readonly learnerRounds?: number;
}

/**
 * The default of `snapshotEvery`: a snapshot every 10,000 applied entries.
 *
 * @example
 * ```ts
 * resolveRaftProps({ peers: ['a'] }).snapshotEvery === DEFAULT_SNAPSHOT_EVERY; // true
 * ```
 */
export const DEFAULT_SNAPSHOT_EVERY = 10_000;

/**
 * RaftProps with every default filled in.
 *
 * @example
 * ```ts
 * resolveRaftProps({ peers: ['a', 'b', 'c'] }).heartbeatMs; // 50
 * ```
 */
export type ResolvedRaftProps = Required<RaftProps>;

/**
 * Fills in RaftProps defaults and checks them, naming the bad field.
 *
 * @example
 * ```ts
 * const p = resolveRaftProps({ peers: ['a', 'b', 'c'], heartbeatMs: 20 });
 * ```
 */
export function resolveRaftProps(p: RaftProps | undefined, self?: ActorId): ResolvedRaftProps {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ConfigError(`raft${self ? `("${self}")` : ''}.props${field ? `.${field}` : ''}`, expected, got);
  };
  if (typeof p !== 'object' || p === null) fail('', '{ peers: string[], ... }', p);
  const props = p as RaftProps;
  if (!Array.isArray(props.peers) || props.peers.length === 0 || !props.peers.every((x) => typeof x === 'string'))
    fail('peers', 'a non-empty array of node ids', props.peers);
  if (self !== undefined && !props.peers.includes(self)) fail('peers', `a list that includes this node ("${self}")`, props.peers);
  const r: ResolvedRaftProps = {
    peers: [...props.peers], // a copy: the caller's array may change later (in sim mode props are shared)
    electionTimeoutMinMs: props.electionTimeoutMinMs ?? 150,
    electionTimeoutMaxMs: props.electionTimeoutMaxMs ?? 300,
    heartbeatMs: props.heartbeatMs ?? 50,
    maxBatch: props.maxBatch ?? 64,
    maxInflight: props.maxInflight ?? 4,
    forward: props.forward ?? true,
    preVote: props.preVote ?? true,
    checkQuorum: props.checkQuorum ?? true,
    stateMachine: props.stateMachine ?? 'kv',
    snapshotEvery: props.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
    snapshotChunkChars: props.snapshotChunkChars ?? 65_536,
    learnerRounds: props.learnerRounds ?? 0,
  };
  if (!(r.electionTimeoutMinMs > 0)) fail('electionTimeoutMinMs', 'a number of ms > 0', r.electionTimeoutMinMs);
  if (!(r.electionTimeoutMaxMs >= r.electionTimeoutMinMs))
    fail('electionTimeoutMaxMs', `a number of ms >= electionTimeoutMinMs (${r.electionTimeoutMinMs})`, r.electionTimeoutMaxMs);
  if (!(r.heartbeatMs > 0 && r.heartbeatMs < r.electionTimeoutMinMs))
    fail('heartbeatMs', `a number of ms > 0 and < electionTimeoutMinMs (${r.electionTimeoutMinMs})`, r.heartbeatMs);
  if (!(Number.isInteger(r.maxBatch) && r.maxBatch >= 1)) fail('maxBatch', 'an integer >= 1', r.maxBatch);
  if (!(Number.isInteger(r.maxInflight) && r.maxInflight >= 1)) fail('maxInflight', 'an integer >= 1', r.maxInflight);
  if (typeof r.preVote !== 'boolean') fail('preVote', 'a boolean', r.preVote);
  if (typeof r.forward !== 'boolean') fail('forward', 'a boolean', r.forward);
  if (typeof r.checkQuorum !== 'boolean') fail('checkQuorum', 'a boolean', r.checkQuorum);
  if (r.stateMachine !== 'kv') fail('stateMachine', "'kv'", r.stateMachine);
  if (!(Number.isInteger(r.snapshotEvery) && r.snapshotEvery >= 0 && r.snapshotEvery <= 1e9))
    fail('snapshotEvery', 'an integer from 0 (compaction off) to 1e9', r.snapshotEvery);
  if (!(Number.isInteger(r.learnerRounds) && r.learnerRounds >= 0 && r.learnerRounds <= 1000))
    fail('learnerRounds', 'an integer from 0 (add voters at once) to 1,000', r.learnerRounds);
  if (!(Number.isInteger(r.snapshotChunkChars) && r.snapshotChunkChars >= 1 && r.snapshotChunkChars <= 1 << 26))
    fail('snapshotChunkChars', 'an integer from 1 to 67,108,864', r.snapshotChunkChars);
  return r;
}
