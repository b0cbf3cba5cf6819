import type { ActorContext } from '../../actors/behaviour.ts';
import type { ActorId } from '../../actors/envelope.ts';
import { Ledger, type LedgerSnapshot } from './ledger.ts';
import { RequestTable } from './request-table.ts';
import type { Checkpoint, NewView, PbftProps, PhaseVote, PrePrepare, ResolvedPbftProps, ViewChange } from './messages.ts';

/** The context every part of the replica receives. */
export type Ctx = ActorContext<PbftProps>;

/**
 * One sequence number's agreement in the replica's current view: the pre-prepare it accepted
 * and the prepares and commits it holds, by digest (votes may arrive before the pre-prepare).
 */
export class Slot {
  pp: PrePrepare | undefined = undefined;
  readonly prepares = new Map<string, Map<ActorId, PhaseVote>>();
  readonly commits = new Map<string, Map<ActorId, PhaseVote>>();
  prepared = false;
  committed = false;
  constructor(readonly v: number) {}
}

/**
 * A replica's state. A class updated in place, never drafted (as the Raft node's), because it
 * is rewritten on every message; only the replica's behaviour touches it.
 */
export class PbftReplicaState {
  view = 0;
  /** False between sending a view change and installing the new view: normal-case messages wait. */
  active = true;
  /** The last sequence number this replica assigned as primary. */
  nextSeq = 0;
  /** The stable checkpoint (the log's low water mark) and the 2f + 1 messages that prove it. */
  low = 0;
  stableProof: Checkpoint[] = [];
  lastExecuted = 0;
  readonly slots = new Map<number, Slot>();
  /** The latest slot that prepared, per sequence number above `low`: a view change carries its certificate. */
  readonly preparedSlots = new Map<number, Slot>();
  /** Ledger snapshots at this replica's own checkpoints not yet garbage (state transfer serves them). */
  readonly snapshots = new Map<number, LedgerSnapshot>();
  /** Requests known and not yet executed: the view-change timer runs while this is not empty. */
  readonly pending = new RequestTable();
  /** Of those, the ones no pre-prepare of this view carries yet: what a primary batches next. */
  readonly unassigned = new RequestTable();
  readonly checkpoints = new Map<number, Map<ActorId, Checkpoint>>();
  readonly viewChanges = new Map<number, Map<ActorId, ViewChange>>();
  /** The view a new-view message was sent for by this replica as its primary. */
  newViewSent = -1;
  /** The new-view of the view this replica installed last, made as its primary or received: passed on to a replica still asking for that view. */
  lastNewView: NewView | undefined = undefined;
  /** When this replica last answered a replica still in a past view (`from|view`), to answer at most once per timeout. */
  readonly answered = new Map<string, number>();
  /** This replica's own recent view changes, by view (resent to a replica still in that view). */
  readonly ownViewChanges = new Map<number, ViewChange>();
  /** The view whose new-view the view timer is waiting for (-1: none armed yet). */
  viewTimerFor = -1;
  /** Failed view changes in a row: the view timer doubles with each. */
  attempts = 0;
  requestTimerArmed = false;
  /** Messages for a later view than ours, replayed when we install it (bounded). */
  future: { from: ActorId; kind: string; body: unknown }[] = [];
  /** Set when a new view was installed: the replica replays `future` after the message at hand. */
  replayFuture = false;
  /**
   * Pre-prepares waiting for a request this replica has not yet received from its client (an
   * unsigned request is trusted only first-hand), by sequence number.
   */
  readonly waitingForRequests = new Map<number, { from: ActorId; pp: PrePrepare }>();
  /** A state transfer asked for and not yet answered. */
  fetching = -1;
  /**
   * The first signed phase message seen per (phase, signer, view, seq), by seq and then by
   * (view, phase, signer) numbered (see `noteSigned`): equivocation shows as a second with
   * another digest.
   */
  readonly seen = new Map<number, Map<number, { d: string; msg: unknown }>>();
  /** Replicas proven faulty: their messages are dropped. */
  readonly suspects = new Set<ActorId>();
  readonly ledger = new Ledger();
  readonly isReplica: ReadonlySet<ActorId>;
  /** Each replica's place in `props.replicas` (its first): a signer is found without a scan. */
  readonly replicaIndex: ReadonlyMap<ActorId, number>;

  constructor(
    readonly self: ActorId,
    readonly props: ResolvedPbftProps,
  ) {
    this.isReplica = new Set(props.replicas);
    const index = new Map<ActorId, number>();
    props.replicas.forEach((r, i) => {
      if (!index.has(r)) index.set(r, i);
    });
    this.replicaIndex = index;
  }

  get primary(): ActorId {
    return this.props.replicas[this.view % this.props.n];
  }

  slot(n: number): Slot {
    let s = this.slots.get(n);
    if (s === undefined || s.v < this.view) this.slots.set(n, (s = new Slot(this.view)));
    return s;
  }

  /** Sequence numbers a replica accepts now: above the stable checkpoint, within the window. */
  inWindow(n: number): boolean {
    return n > this.low && n <= this.low + this.props.logWindow;
  }
}

/** `ctx.sign(text)` when messages are signed, '' when the run trusts channels only. */
export function signText(s: PbftReplicaState, ctx: Ctx, text: string): string {
  return s.props.signed ? ctx.sign(text) : '';
}

/** Whether `sig` is `signer`'s over `text` (always true when the run does not sign). */
export function checkSig(s: PbftReplicaState, ctx: Ctx, signer: ActorId, text: string, sig: unknown): boolean {
  return !s.props.signed || (typeof sig === 'string' && ctx.verify(signer, text, sig));
}

/** Sends to every other replica (no topology broadcast: PBFT talks to each replica directly). */
export function toOthers(s: PbftReplicaState, ctx: Ctx, kind: string, body: unknown): void {
  const message = { kind, body };
  for (const r of s.props.replicas) if (r !== s.self) ctx.send(r, message);
}

/**
 * Records a message refused, with why: in the trace (`pbft-rejected`), which the run counts.
 * Protocol code never throws on what a peer sends.
 */
export function reject(ctx: Ctx, from: ActorId, kind: string, reason: string): void {
  ctx.emit({ type: 'pbft-rejected', from, kind, reason });
}

/** Keeps a message for a later view until this replica installs that view (at most FUTURE_LIMIT). */
export function defer(s: PbftReplicaState, from: ActorId, kind: string, body: unknown): void {
  if (s.future.length < FUTURE_LIMIT) s.future.push({ from, kind, body });
}

const FUTURE_LIMIT = 8192;

/** The view-change timeout now: the base doubled per failed attempt in a row (capped at 2^6: a replica that fell far behind in views must not wait minutes to rejoin). */
export function viewTimeout(s: PbftReplicaState): number {
  return s.props.viewChangeTimeoutMs * 2 ** Math.min(s.attempts, 6);
}
