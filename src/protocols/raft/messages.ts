import type { ActorId } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import type { KvCommand, KvResult } from './kv-store.ts';

/**
 * What a log entry carries: a client's key-value command, or the no-op a leader appends at the
 * start of its term (so that it has an entry of its own term to commit).
 *
 * @example
 * ```ts
 * const put: RaftCommand = { op: 'put', key: 'k1', value: 'v1' };
 * const noop: RaftCommand = { op: 'noop' };
 * ```
 */
export type RaftCommand = KvCommand | { readonly op: 'noop' };

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
  readonly command: KvCommand;
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
  | { readonly clientId: string; readonly seq: number; readonly ok: true; readonly index: number; readonly result: KvResult }
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
  /** Every node of the cluster, this one included. */
  readonly peers: readonly ActorId[];
  /** Default 150 ms. */
  readonly electionTimeoutMinMs?: number;
  /** Default 300 ms. */
  readonly electionTimeoutMaxMs?: number;
  /** Default 50 ms. */
  readonly heartbeatMs?: number;
  /** Most entries per AppendEntries; default 64. */
  readonly maxBatch?: number;
  /** The replicated state machine; only the key-value store exists. */
  readonly stateMachine?: 'kv';
}

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
  if (!Array.isArray(props.peers) || props.peers.length === 0 || !props.peers.every((x) => typeof x === 'string')) fail('peers', 'a non-empty array of node ids', props.peers);
  if (self !== undefined && !props.peers.includes(self)) fail('peers', `a list that includes this node ("${self}")`, props.peers);
  const r: ResolvedRaftProps = {
    peers: props.peers,
    electionTimeoutMinMs: props.electionTimeoutMinMs ?? 150,
    electionTimeoutMaxMs: props.electionTimeoutMaxMs ?? 300,
    heartbeatMs: props.heartbeatMs ?? 50,
    maxBatch: props.maxBatch ?? 64,
    stateMachine: props.stateMachine ?? 'kv',
  };
  if (!(r.electionTimeoutMinMs > 0)) fail('electionTimeoutMinMs', 'a number of ms > 0', r.electionTimeoutMinMs);
  if (!(r.electionTimeoutMaxMs >= r.electionTimeoutMinMs)) fail('electionTimeoutMaxMs', `a number of ms >= electionTimeoutMinMs (${r.electionTimeoutMinMs})`, r.electionTimeoutMaxMs);
  if (!(r.heartbeatMs > 0 && r.heartbeatMs < r.electionTimeoutMinMs)) fail('heartbeatMs', `a number of ms > 0 and < electionTimeoutMinMs (${r.electionTimeoutMinMs})`, r.heartbeatMs);
  if (!(Number.isInteger(r.maxBatch) && r.maxBatch >= 1)) fail('maxBatch', 'an integer >= 1', r.maxBatch);
  if (r.stateMachine !== 'kv') fail('stateMachine', "'kv'", r.stateMachine);
  return r;
}
