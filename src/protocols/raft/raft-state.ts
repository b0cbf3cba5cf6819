import type { ActorContext } from '../../actors/behaviour.ts';
import type { ActorId } from '../../actors/envelope.ts';
import { SessionedMachine } from './client-sessions.ts';
import type { MachineCommand, StateMachine } from './state-machine.ts';
import type { RaftLog } from './log.ts';
import type { RaftProps, ResolvedRaftProps, SnapshotRecord } from './messages.ts';

/**
 * A Raft node's state (RaftNodeState) and the small types and helpers every part of the node shares.
 */

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
export interface Waiter {
  readonly from: ActorId;
  readonly corr: number | undefined;
  /** The follower that forwarded the request: the answer goes back through it (the client asked it). */
  readonly via?: ActorId;
}

/** A snapshot the leader is sending a follower: the chunk in flight starts at `offset` and left at `at`. */
export interface SnapshotSend {
  readonly index: number;
  offset: number;
  at: number;
}

/** A snapshot a follower is receiving: the chunks so far, and how many characters they hold. */
export interface SnapshotReceive {
  readonly index: number;
  readonly chunks: string[];
  received: number;
}

/** A ReadIndex read waiting on the leader (thesis section 6.4). */
export interface PendingRead {
  readonly waiter: Waiter;
  readonly clientId: string;
  readonly seq: number;
  /** The read-only command, answered by the state machine once the read is confirmed. */
  readonly command: MachineCommand;
  /** The commit index when the read arrived (at least this term's first entry): apply up to here first. */
  readonly index: number;
  /** The heartbeat round that must reach a majority to confirm this node still leads. */
  readonly round: number;
}

/** One AppendEntries with entries in flight to a follower: the matchIndex its success reports, and when it left. */
export interface Inflight {
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
 * s.role; s.term; s.commitIndex; s.log.length; s.applied.machine;
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
  /** The replicated state machine with its client sessions. */
  readonly applied: SessionedMachine;
  /** Clients waiting for a command to apply, by `client \0 seq`. */
  waiters = new Map<string, Waiter>();
  /** Where this leader appended each still-unapplied (client, seq), so a retry is not appended twice. */
  proposed = new Map<string, number>();
  /** A membership change this leader appended and has not seen commit: who waits for it. */
  configChange: { index: number; waiter: Waiter } | null = null;
  /**
   * The configuration in use (thesis 4.1): the latest configuration entry in the log, committed
   * or not, or `props.peers` while there is none (`configIndex` 0). `others` are the members
   * but this node (the replication targets), `majority` a majority of the members, and
   * `isMember` whether this node's own vote counts (a leader removing itself does not count it).
   */
  members: readonly ActorId[];
  configIndex = 0;
  others: readonly ActorId[] = [];
  /** `others` as a set: a vote's sender is checked without a scan of the cluster. */
  otherSet: ReadonlySet<ActorId> = new Set();
  majority = 0;
  isMember = true;
  /** Servers whose Raft messages count: every member of every configuration this node used. */
  readonly known = new Set<ActorId>();
  /**
   * The latest snapshot (thesis chapter 5), also in `ctx.durable` under `snapshot`; null until
   * the first. The log holds the entries after `log.start` (at most `snapshot.index`).
   */
  snapshot: SnapshotRecord | null = null;
  /** `props.snapshotEvery`, or 0 when the state machine cannot snapshot and the props left it to the default. */
  snapshotEvery = 0;
  /** The leader's InstallSnapshot in progress to each follower that fell behind the log's start. */
  snapshotSends = new Map<ActorId, SnapshotSend>();
  /**
   * A server catching up as a learner before it joins (thesis 4.2.1; `props.learnerRounds`):
   * who asked, the round's target (the leader's last index when it began), when it began, and
   * how many rounds ran. Replicated to like a follower, counted in no quorum.
   */
  learner: { id: ActorId; waiter: Waiter; target: number; roundAt: number; rounds: number } | null = null;
  /** The follower's InstallSnapshot being received (null when none). */
  snapshotReceive: SnapshotReceive | null = null;

  constructor(
    readonly self: ActorId,
    readonly props: ResolvedRaftProps,
    public term: number,
    public votedFor: ActorId | null,
    readonly log: RaftLog,
    machine: StateMachine,
  ) {
    this.applied = new SessionedMachine(machine);
    this.members = props.peers;
    setMembers(this, props.peers);
  }
}

export type Ctx = ActorContext<RaftProps>;

/** Whom the leader replicates to: the other members, and a learner catching up. */
export function replicationTargets(s: RaftNodeState): readonly ActorId[] {
  return s.learner === null ? s.others : [...s.others, s.learner.id];
}

/** Uses `members` for quorums, elections and replication targets (no trace, no timers). */
export function setMembers(s: RaftNodeState, members: readonly ActorId[]): void {
  s.members = members;
  s.others = members.filter((p) => p !== s.self);
  s.otherSet = new Set(s.others);
  s.isMember = members.includes(s.self);
  s.majority = Math.floor(members.length / 2) + 1;
  for (const m of members) s.known.add(m);
}
export const key = (client: string, seq: number): string => `${client}\u0000${seq}`;
