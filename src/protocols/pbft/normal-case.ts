import type { ActorId } from '../../actors/envelope.ts';
import { takeCheckpoint } from './checkpoints.ts';
import { judgeMismatch, noteSigned } from './detection.ts';
import {
  batchDigest,
  PBFT_KINDS,
  type PbftReply,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  phaseText,
  prePrepareText,
  requestKey,
  requestText,
} from './messages.ts';
import { checkSig, type Ctx, defer, type PbftReplicaState, reject, signText, type Slot, toOthers, viewTimeout } from './pbft-state.ts';

/**
 * PBFT's normal case (Castro & Liskov, section 4.2): the primary assigns batches of requests
 * to sequence numbers (pre-prepare), backups agree on them (prepare: a slot is prepared with
 * the pre-prepare and quorum - 1 (2f when n = 3f + 1) matching prepares from distinct backups), everyone confirms (commit:
 * committed-local with a quorum (2f + 1 when n = 3f + 1) of matching commits) and executes in sequence order, replying to
 * each client.
 */

/** A client's request (the client sends it to every replica). */
export function onRequest(s: PbftReplicaState, ctx: Ctx, from: ActorId, r: PbftRequest): void {
  if (!isRequest(r)) return reject(ctx, from, PBFT_KINDS.request, 'malformed request');
  // Straight from the client the runtime vouches for the sender; relayed, the signature must.
  if (from !== r.client && !checkSig(s, ctx, r.client, requestText(r.client, r.ts, r.op), r.sig))
    return reject(ctx, from, PBFT_KINDS.request, 'bad client signature');
  if (s.ledger.executed(r.client, r.ts)) {
    const result = s.ledger.resultOf(r.client, r.ts);
    if (result !== undefined) ctx.send(r.client, { kind: PBFT_KINDS.reply, body: { v: s.view, ts: r.ts, i: s.self, result } satisfies PbftReply });
    return;
  }
  if (s.pending.has(r.client, r.ts)) return; // a retransmission: already known, assigned or not
  s.pending.add(r);
  s.unassigned.add(r);
  armRequestTimer(s, ctx, false);
  if (s.active && s.primary === s.self) propose(s, ctx);
  if (s.waitingForRequests.size > 0) {
    // A copy: a pre-prepare still short of another request goes back into the map, and a Map
    // iteration would visit it again (and again).
    for (const [n, w] of [...s.waitingForRequests]) {
      if (w.pp.batch.some((q) => q.client === r.client && q.ts === r.ts)) {
        s.waitingForRequests.delete(n);
        onPrePrepare(s, ctx, w.from, w.pp);
      }
    }
  }
}

/** The primary assigns waiting requests to new sequence numbers, in batches, within its window. */
export function propose(s: PbftReplicaState, ctx: Ctx): void {
  const p = s.props;
  while (s.unassigned.size > 0 && s.nextSeq < s.low + p.logWindow && s.nextSeq - s.lastExecuted < p.maxInflight) {
    const batch = s.unassigned.take(p.maxBatch);
    const n = ++s.nextSeq;
    const d = batchDigest(batch);
    const pp: PrePrepare = { v: s.view, n, d, batch, sig: signText(s, ctx, prePrepareText(s.view, n, d)) };
    const slot = s.slot(n);
    slot.pp = pp;
    toOthers(s, ctx, PBFT_KINDS.prePrepare, pp);
    checkPrepared(s, ctx, n, slot);
  }
}

/** A pre-prepare: accepted only from the primary of our view, in the window, signed, matching its batch, first for its number. */
export function onPrePrepare(s: PbftReplicaState, ctx: Ctx, from: ActorId, pp: PrePrepare): void {
  if (!isPrePrepare(pp)) return reject(ctx, from, PBFT_KINDS.prePrepare, 'malformed pre-prepare');
  if (pp.v > s.view || (pp.v === s.view && !s.active)) return defer(s, from, PBFT_KINDS.prePrepare, pp);
  if (pp.v < s.view || pp.n <= s.low) return; // stale: nothing to do, nothing wrong
  if (from !== s.primary) return reject(ctx, from, PBFT_KINDS.prePrepare, `not from the primary of view ${pp.v} (${s.primary})`);
  if (!s.inWindow(pp.n)) return reject(ctx, from, PBFT_KINDS.prePrepare, `sequence ${pp.n} is above the high water mark ${s.low + s.props.logWindow}`);
  if (!checkSig(s, ctx, from, prePrepareText(pp.v, pp.n, pp.d), pp.sig)) return reject(ctx, from, PBFT_KINDS.prePrepare, 'bad signature');
  if (!noteSigned(s, ctx, 'pre-prepare', from, pp.v, pp.n, pp.d, { v: pp.v, n: pp.n, d: pp.d, sig: pp.sig })) return;
  const slot = s.slot(pp.n);
  if (slot.pp !== undefined) {
    if (slot.pp.d !== pp.d) reject(ctx, from, PBFT_KINDS.prePrepare, `sequence ${pp.n} reused with another digest in view ${pp.v}`);
    return;
  }
  if (batchDigest(pp.batch) !== pp.d) return reject(ctx, from, PBFT_KINDS.prePrepare, 'digest does not match the batch');
  for (const r of pp.batch) {
    if (!isRequest(r)) return reject(ctx, from, PBFT_KINDS.prePrepare, 'malformed request in the batch');
    // A request is vouched for by its client: first-hand (the runtime stamps the sender), or
    // by the client's signature. An unsigned one not yet received waits for the client's copy.
    if (s.pending.get(r.client, r.ts)?.op === r.op || s.ledger.executed(r.client, r.ts)) continue;
    if (r.sig === '' && s.props.signed) {
      s.waitingForRequests.set(pp.n, { from, pp });
      return;
    }
    if (!checkSig(s, ctx, r.client, requestText(r.client, r.ts, r.op), r.sig))
      return reject(ctx, from, PBFT_KINDS.prePrepare, `request ${requestKey(r)} is not signed by its client`);
  }
  s.waitingForRequests.delete(pp.n);
  acceptPrePrepare(s, ctx, slot, pp);
}

/** Takes `pp` into its slot (from the primary, or from a new-view message) and, as a backup, prepares it. */
export function acceptPrePrepare(s: PbftReplicaState, ctx: Ctx, slot: Slot, pp: PrePrepare): void {
  slot.pp = pp;
  for (const r of pp.batch) {
    s.unassigned.delete(r.client, r.ts);
    if (!s.ledger.executed(r.client, r.ts)) s.pending.add(r);
  }
  if (s.pending.size > 0) armRequestTimer(s, ctx, false);
  // Votes that came before the pre-prepare for another digest: judge them now.
  for (const table of [slot.prepares, slot.commits]) {
    for (const [d, votes] of table) {
      if (d === pp.d) continue;
      for (const vote of votes.values()) judgeMismatch(s, ctx, table === slot.prepares ? 'prepare' : 'commit', vote, pp);
      table.delete(d);
    }
  }
  if (s.self !== s.primary) {
    const vote: PhaseVote = { v: pp.v, n: pp.n, d: pp.d, i: s.self, ppSig: pp.sig, sig: signText(s, ctx, phaseText('P', pp.v, pp.n, pp.d, s.self)) };
    addVote(slot.prepares, vote);
    toOthers(s, ctx, PBFT_KINDS.prepare, vote);
  }
  checkPrepared(s, ctx, pp.n, slot);
  checkCommitted(s, ctx, pp.n, slot);
}

/** A prepare or commit from replica `vote.i` (who must be its sender). */
export function onPhaseVote(s: PbftReplicaState, ctx: Ctx, from: ActorId, kind: string, vote: PhaseVote): void {
  const isPrepare = kind === PBFT_KINDS.prepare;
  if (!isPhaseVote(vote)) return reject(ctx, from, kind, 'malformed');
  if (from !== vote.i) return reject(ctx, from, kind, `signed for ${String(vote.i)}, sent by ${from}`);
  if (vote.v > s.view || (vote.v === s.view && !s.active)) return defer(s, from, kind, vote);
  if (vote.v < s.view || vote.n <= s.low) return;
  if (!s.inWindow(vote.n)) return reject(ctx, from, kind, `sequence ${vote.n} is above the high water mark`);
  if (isPrepare && from === s.primary) return reject(ctx, from, kind, 'the primary does not prepare');
  // A vote that only confirms what this replica already concluded changes nothing: it is
  // neither verified nor kept (signatures are the costly part; certificates hold verified votes).
  const done = s.slots.get(vote.n);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator,OptionalChaining: equivalent, a shortcut; the vote would be verified and kept, and checkPrepared/checkCommitted return at once for a slot already prepared/committed
  if (done !== undefined && done.v === vote.v && done.pp?.d === vote.d && (isPrepare ? done.prepared : done.committed)) return;
  // A prepare's signature is checked now: prepares go into the certificates a view change
  // carries, which other replicas verify. A commit never leaves this replica, and the runtime
  // stamps its sender, so its signature is checked only if it is ever used as evidence.
  if (isPrepare && !checkSig(s, ctx, from, phaseText('P', vote.v, vote.n, vote.d, from), vote.sig)) return reject(ctx, from, kind, 'bad signature');
  const phase = isPrepare ? 'prepare' : 'commit';
  if (!noteSigned(s, ctx, phase, from, vote.v, vote.n, vote.d, vote)) return;
  const slot = s.slot(vote.n);
  if (slot.pp !== undefined && slot.pp.d !== vote.d) return judgeMismatch(s, ctx, phase, vote, slot.pp);
  addVote(isPrepare ? slot.prepares : slot.commits, vote);
  if (isPrepare) checkPrepared(s, ctx, vote.n, slot);
  else checkCommitted(s, ctx, vote.n, slot);
}

function addVote(table: Map<string, Map<ActorId, PhaseVote>>, vote: PhaseVote): void {
  let votes = table.get(vote.d);
  if (votes === undefined) table.set(vote.d, (votes = new Map()));
  // Stryker disable next-line ConditionalExpression: equivalent, a replica's later vote for the same digest replaces an equally valid one; the count is the same
  if (!votes.has(vote.i)) votes.set(vote.i, vote);
}

/** Prepared: the pre-prepare and quorum - 1 (2f when n = 3f + 1) matching prepares from distinct backups. Then commit. */
function checkPrepared(s: PbftReplicaState, ctx: Ctx, n: number, slot: Slot): void {
  if (slot.prepared || slot.pp === undefined || (slot.prepares.get(slot.pp.d)?.size ?? 0) < s.props.prepareQuorum) return;
  slot.prepared = true;
  s.preparedSlots.set(n, slot);
  const { v, d, sig } = slot.pp;
  const vote: PhaseVote = { v, n, d, i: s.self, ppSig: sig, sig: signText(s, ctx, phaseText('C', v, n, d, s.self)) };
  addVote(slot.commits, vote);
  toOthers(s, ctx, PBFT_KINDS.commit, vote);
  checkCommitted(s, ctx, n, slot);
}

/** Committed-local: prepared and a quorum of matching commits. Then execute what is next in order. */
function checkCommitted(s: PbftReplicaState, ctx: Ctx, n: number, slot: Slot): void {
  // Stryker disable next-line OptionalChaining: equivalent, a prepared slot holds this replica's own commit for its digest (checkPrepared adds it), so the lookup is never undefined here
  if (slot.committed || !slot.prepared || (slot.commits.get(slot.pp!.d)?.size ?? 0) < s.props.quorum) return;
  slot.committed = true;
  ctx.emit({ type: 'pbft-committed', view: slot.v, seq: n, digest: slot.pp!.d, requests: slot.pp!.batch.map(requestKey) });
  executeReady(s, ctx);
}

/** Executes committed slots in sequence order, replying to each client; checkpoints every K. */
export function executeReady(s: PbftReplicaState, ctx: Ctx): void {
  let progressed = false;
  for (;;) {
    const n = s.lastExecuted + 1;
    const slot = s.slots.get(n);
    if (slot === undefined || !slot.committed) break;
    for (const r of slot.pp!.batch) {
      s.pending.delete(r.client, r.ts);
      s.unassigned.delete(r.client, r.ts);
      const result = s.ledger.execute(r.client, r.ts, r.op);
      if (result === undefined) continue; // executed before (a retransmission re-proposed): at most once
      ctx.emit({ type: 'pbft-executed', seq: n, request: requestKey(r), result });
      ctx.send(r.client, { kind: PBFT_KINDS.reply, body: { v: s.view, ts: r.ts, i: s.self, result } satisfies PbftReply });
    }
    s.lastExecuted = n;
    progressed = true;
    if (n % s.props.checkpointInterval === 0) takeCheckpoint(s, ctx, n);
  }
  if (!progressed) return;
  s.attempts = 0; // requests execute in this view: the next suspicion starts from the base timeout
  if (s.pending.size > 0) armRequestTimer(s, ctx, true);
  else if (s.requestTimerArmed) {
    ctx.cancelTimer('request');
    s.requestTimerArmed = false;
  }
  if (s.active && s.primary === s.self) propose(s, ctx);
}

/**
 * The backup's suspicion timer (section 4.4): runs while a request waits, restarts when one
 * executes; when it fires the replica moves to the next view.
 */
export function armRequestTimer(s: PbftReplicaState, ctx: Ctx, restart: boolean): void {
  if (s.requestTimerArmed && !restart) return;
  if (!s.active) return;
  s.requestTimerArmed = true;
  ctx.setTimer('request', viewTimeout(s), { kind: PBFT_KINDS.requestTimer });
}

const isRequest = (r: unknown): r is PbftRequest => {
  const q = r as PbftRequest;
  return (
    typeof q === 'object' &&
    q !== null &&
    typeof q.client === 'string' &&
    Number.isInteger(q.ts) &&
    q.ts > 0 &&
    typeof q.op === 'string' &&
    typeof q.sig === 'string'
  );
};

const isPrePrepare = (m: unknown): m is PrePrepare => {
  const p = m as PrePrepare;
  return (
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger(p.v) &&
    p.v >= 0 &&
    Number.isInteger(p.n) &&
    p.n > 0 &&
    typeof p.d === 'string' &&
    Array.isArray(p.batch) &&
    typeof p.sig === 'string'
  );
};

/**
 * Shape check of a prepare or commit.
 *
 * @example
 * ```ts
 * if (!isPhaseVote(body)) return reject(ctx, from, kind, 'malformed');
 * ```
 */
export const isPhaseVote = (m: unknown): m is PhaseVote => {
  const p = m as PhaseVote;
  return (
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger(p.v) &&
    p.v >= 0 &&
    Number.isInteger(p.n) &&
    p.n > 0 &&
    typeof p.d === 'string' &&
    typeof p.i === 'string' &&
    typeof p.ppSig === 'string' &&
    typeof p.sig === 'string'
  );
};

export { isPrePrepare, isRequest };
