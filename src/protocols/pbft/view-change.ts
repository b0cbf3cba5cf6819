import type { ActorId } from '../../actors/envelope.ts';
import { fetchState, makeStable, validProof } from './checkpoints.ts';
import {
  batchDigest,
  type NewView,
  newViewText,
  PBFT_KINDS,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  type PreparedCert,
  phaseText,
  prePrepareText,
  primaryOf,
  type ViewChange,
  viewChangeText,
} from './messages.ts';
import { acceptPrePrepare, armRequestTimer, isPhaseVote, isPrePrepare, isRequest, propose } from './normal-case.ts';
import { checkSig, type Ctx, type PbftReplicaState, reject, signText, toOthers, viewTimeout } from './pbft-state.ts';

/**
 * The view change (section 4.4): a backup that suspects the primary stops taking part in the
 * view and sends VIEW-CHANGE for the next one, with its stable checkpoint and a prepared
 * certificate for everything it prepared above it. The next view's primary, holding 2f + 1 of
 * them, sends NEW-VIEW: the view changes and, for every sequence number between the latest
 * stable checkpoint and the highest prepared one, a pre-prepare of the request prepared in the
 * highest view (or a null request). Every backup recomputes that list from the same view
 * changes before it accepts it, so a request that committed anywhere keeps its number and
 * digest. A replica that sees f + 1 replicas ask for later views joins the highest view f + 1 of
 * them reached, each counted with the latest view it asked for (an honest one is at it or beyond);
 * one that waits too long for a new view moves to the next, its timer doubling each time. A
 * replica still asking for a view that others installed gets its new-view from any of them
 * (Castro's thesis, retransmission): messages lost in a partition are not sent again by a
 * primary that has since left the view.
 */

/**
 * The prepared certificates a view change carries: one per request prepared above the stable
 * checkpoint (and below `below`, for an adversary that "forgets" the rest), in sequence order.
 *
 * @example
 * ```ts
 * const vc = { v, n: s.low, proof: s.stableProof, prepared: preparedCerts(s), i: s.self, sig };
 * ```
 */
export function preparedCerts(s: PbftReplicaState, below = Infinity): PreparedCert[] {
  const prepared: PreparedCert[] = [];
  for (const [n, slot] of s.preparedSlots) {
    if (n <= s.low || n >= below || slot.pp === undefined) continue;
    prepared.push({ pp: slot.pp, prepares: [...(slot.prepares.get(slot.pp.d)?.values() ?? [])].slice(0, s.props.prepareQuorum) });
  }
  return prepared.sort((a, b) => a.pp.n - b.pp.n);
}

/** Leaves view `s.view` for `v` (> it): sends a view change and waits for the new view. */
export function startViewChange(s: PbftReplicaState, ctx: Ctx, v: number, reason: string): void {
  if (v <= s.view) return;
  s.view = v;
  s.active = false;
  s.attempts++;
  s.waitingForRequests.clear();
  if (s.requestTimerArmed) {
    ctx.cancelTimer('request');
    s.requestTimerArmed = false;
  }
  const prepared = preparedCerts(s);
  const vc: ViewChange = { v, n: s.low, proof: s.stableProof, prepared, i: s.self, sig: signText(s, ctx, viewChangeText(v, s.low, prepared, s.self)) };
  viewChangesFor(s, v).set(s.self, vc);
  for (const old of s.viewChanges.keys()) if (old < v) s.viewChanges.delete(old);
  s.ownViewChanges.set(v, vc);
  for (const old of s.ownViewChanges.keys()) if (old < v - 4) s.ownViewChanges.delete(old);
  toOthers(s, ctx, PBFT_KINDS.viewChange, vc);
  // Messages get lost: while waiting for the new view, say it again now and then.
  ctx.setTimer('resend', s.props.viewChangeTimeoutMs / 2, { kind: PBFT_KINDS.resendTimer });
  ctx.emit({ type: 'pbft-view-change', view: v, reason });
  armViewTimer(s, ctx);
  maybeNewView(s, ctx, v);
}

/**
 * The view timer starts only once a quorum of view changes for our view are in (section 4.5.2): a
 * replica that wants a view change alone waits rather than racing ahead through views the
 * others will take ever longer to reach (each timeout doubles), and the f + 1 rule brings it
 * back in step when they do move.
 */
function armViewTimer(s: PbftReplicaState, ctx: Ctx): void {
  // Stryker disable next-line OptionalChaining: equivalent, an inactive replica sent its own view change for its view (startViewChange), and only views below it are ever dropped
  if (s.active || s.viewTimerFor === s.view || (s.viewChanges.get(s.view)?.size ?? 0) < s.props.quorum) return;
  s.viewTimerFor = s.view;
  ctx.setTimer('view', viewTimeout(s), { kind: PBFT_KINDS.viewTimer, body: s.view });
}

/** The view timer: no new view for `v` in time, so try the one after. */
export function onViewTimer(s: PbftReplicaState, ctx: Ctx, v: unknown): void {
  if (!s.active && s.view === v) startViewChange(s, ctx, v + 1, `no new view ${v} in time`);
}

/** The resend timer: still waiting for a new view, so send our view change again. */
export function onResendTimer(s: PbftReplicaState, ctx: Ctx): void {
  const vc = s.ownViewChanges.get(s.view);
  if (s.active || vc === undefined) return;
  toOthers(s, ctx, PBFT_KINDS.viewChange, vc);
  ctx.setTimer('resend', s.props.viewChangeTimeoutMs / 2, { kind: PBFT_KINDS.resendTimer });
}

/** A view change from replica `vc.i` (its sender). */
export function onViewChange(s: PbftReplicaState, ctx: Ctx, from: ActorId, vc: ViewChange): void {
  if (!isViewChange(vc)) return reject(ctx, from, PBFT_KINDS.viewChange, 'malformed');
  if (from !== vc.i) return reject(ctx, from, PBFT_KINDS.viewChange, `signed for ${vc.i}, sent by ${from}`);
  if (vc.v < s.view || (vc.v === s.view && s.active)) {
    // A replica still in a view we are past: it lost what moved us on. Send it again, so that
    // it can complete that view (our view change for it, or the new view we made for it) or
    // follow us (f + 1 view changes for a later view).
    // At most once per view-change timeout per replica and view: an answer is itself a view
    // change for a past view, and two replicas past it would otherwise answer each other's
    // answers for ever (and a liar could make us send new views at its own pace).
    const key = `${from}|${vc.v}`;
    const last = s.answered.get(key);
    if (last !== undefined && ctx.now() - last < s.props.viewChangeTimeoutMs) return;
    s.answered.set(key, ctx.now());
    if (s.answered.size > 1024)
      for (const k of s.answered.keys()) {
        s.answered.delete(k);
        if (s.answered.size <= 512) break;
      }
    if (vc.v === s.view) {
      // It missed the new view we installed. Any replica in the view holds that message, and it
      // proves itself (the primary's signature over 2f + 1 signed view changes), so we pass it
      // on: the primary may have left the view since, and then nobody else would.
      if (s.lastNewView?.v === vc.v) ctx.send(from, { kind: PBFT_KINDS.newView, body: s.lastNewView });
      // And our own view change for it: unsigned runs take a new view from its primary only, and
      // with ours the asker may reach the 2f + 1 view changes that start its view timer.
      const mine = s.ownViewChanges.get(vc.v);
      if (mine !== undefined) ctx.send(from, { kind: PBFT_KINDS.viewChange, body: mine });
      return;
    }
    const mine = s.ownViewChanges.get(vc.v);
    if (mine !== undefined) ctx.send(from, { kind: PBFT_KINDS.viewChange, body: mine });
    const latest = s.ownViewChanges.get(s.view);
    if (latest !== undefined && latest !== mine) ctx.send(from, { kind: PBFT_KINDS.viewChange, body: latest });
    return;
  }
  // A bound on what a liar can make us keep: view changes for views far beyond ours (each a
  // map entry) are refused; honest replicas are never that far apart.
  if (vc.v > s.view + MAX_VIEWS_AHEAD) return reject(ctx, from, PBFT_KINDS.viewChange, `view ${vc.v} is more than ${MAX_VIEWS_AHEAD} views ahead`);
  if (viewChangesFor(s, vc.v).has(from)) return;
  if (!validViewChange(s, ctx, vc))
    return reject(ctx, from, PBFT_KINDS.viewChange, 'view change does not hold up (signature, checkpoint proof or a prepared certificate)');
  viewChangesFor(s, vc.v).set(from, vc);
  if (vc.v > s.view) {
    // f + 1 replicas want a later view: at least one of them is honest, so join a view one of
    // them reached. Each counts with the latest view it asked for, and the view joined is the
    // (f + 1)-th highest of those, so that at most f still ask for a later one: joining the
    // smallest view any of them asked for could leave f + 1 waiting in a later view whose view
    // changes, recorded already, would never count again (a second copy is ignored).
    const latest = new Map<ActorId, number>();
    for (const [v, vcs] of s.viewChanges) {
      if (v <= s.view) continue;
      for (const i of vcs.keys()) latest.set(i, Math.max(latest.get(i) ?? v, v));
    }
    if (latest.size >= s.props.f + 1) {
      const target = [...latest.values()].sort((a, b) => b - a)[s.props.f];
      startViewChange(s, ctx, target, `${latest.size} replicas asked for a later view`);
    }
  }
  armViewTimer(s, ctx);
  maybeNewView(s, ctx, vc.v);
}

/** As the primary of `v` with a quorum of view changes for it: send the new view and install it. */
function maybeNewView(s: PbftReplicaState, ctx: Ctx, v: number): void {
  if (primaryOf(s.props, v) !== s.self || s.view !== v || s.active || s.newViewSent >= v) return;
  const vcs = s.viewChanges.get(v);
  if (vcs === undefined || vcs.size < s.props.quorum || !vcs.has(s.self)) return;
  const chosen = [vcs.get(s.self)!, ...[...vcs.values()].filter((vc) => vc.i !== s.self)].slice(0, s.props.quorum);
  const prePrepares = plan(chosen).map(({ n, d, batch }): PrePrepare => ({ v, n, d, batch, sig: signText(s, ctx, prePrepareText(v, n, d)) }));
  const nv: NewView = { v, viewChanges: chosen, prePrepares, sig: signText(s, ctx, newViewText(v, chosen, prePrepares)) };
  s.newViewSent = v;
  toOthers(s, ctx, PBFT_KINDS.newView, nv);
  install(s, ctx, nv);
}

/**
 * A new view, from its primary or passed on by a replica that installed it: checked in full
 * (the primary's signature, every view change, and the pre-prepares recomputed) before it is
 * installed.
 */
export function onNewView(s: PbftReplicaState, ctx: Ctx, from: ActorId, nv: NewView): void {
  if (!isNewView(nv)) return reject(ctx, from, PBFT_KINDS.newView, 'malformed');
  if (nv.v < s.view || (nv.v === s.view && s.active)) return;
  const primary = primaryOf(s.props, nv.v);
  // Passed on, only the primary's signature vouches for it: unsigned runs take it first-hand only.
  if (from !== primary && !s.props.signed)
    return reject(ctx, from, PBFT_KINDS.newView, `not from the primary of view ${nv.v} (unsigned messages are taken first-hand only)`);
  if (!checkSig(s, ctx, primary, newViewText(nv.v, nv.viewChanges, nv.prePrepares), nv.sig))
    return reject(ctx, from, PBFT_KINDS.newView, `not signed by the primary of view ${nv.v} (${primary})`);
  const senders = new Set<ActorId>();
  for (const vc of nv.viewChanges) {
    if (!isViewChange(vc) || vc.v !== nv.v || senders.has(vc.i) || !s.isReplica.has(vc.i) || !validViewChange(s, ctx, vc))
      return reject(ctx, from, PBFT_KINDS.newView, 'a view change in it does not hold up');
    senders.add(vc.i);
  }
  if (senders.size < s.props.quorum) return reject(ctx, from, PBFT_KINDS.newView, `${senders.size} view changes, ${s.props.quorum} needed`);
  const expected = plan(nv.viewChanges);
  const ok =
    expected.length === nv.prePrepares.length &&
    expected.every((e, k) => {
      const pp = nv.prePrepares[k];
      return (
        isPrePrepare(pp) &&
        pp.v === nv.v &&
        pp.n === e.n &&
        pp.d === e.d &&
        batchDigest(pp.batch) === pp.d &&
        checkSig(s, ctx, primary, prePrepareText(pp.v, pp.n, pp.d), pp.sig)
      );
    });
  if (!ok) return reject(ctx, from, PBFT_KINDS.newView, 'its pre-prepares do not follow from its view changes');
  s.view = nv.v;
  install(s, ctx, nv);
}

/** Enters view `nv.v`: adopts a later stable checkpoint, takes the new pre-prepares, resumes. */
function install(s: PbftReplicaState, ctx: Ctx, nv: NewView): void {
  s.active = true;
  s.lastNewView = nv;
  ctx.cancelTimer('view');
  ctx.cancelTimer('resend');
  // Stryker disable next-line EqualityOperator: equivalent, of two view changes at the same checkpoint either proof is a valid proof of it
  const best = nv.viewChanges.reduce((a, b) => (b.n > a.n ? b : a));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `true` and `>=` equivalent, makeStable returns at once for n <= s.low
  if (best.n > s.low) makeStable(s, ctx, best.n, best.proof);
  // Slots of earlier views that the new view does not carry are void: their numbers are reassigned.
  for (const [n, slot] of s.slots) if (slot.v < s.view) s.slots.delete(n);
  s.unassigned.clear();
  for (const r of s.pending.values()) s.unassigned.add(r);
  // Numbering resumes after the new view's pre-prepares (set first: accepting one may execute
  // requests and let this replica, if it is the primary, propose more).
  s.nextSeq = nv.prePrepares.reduce((top, pp) => Math.max(top, pp.n), s.low);
  for (const pp of nv.prePrepares) if (pp.n > s.low) acceptPrePrepare(s, ctx, s.slot(pp.n), pp);
  ctx.emit({ type: 'pbft-view', view: s.view, primary: s.primary });
  s.replayFuture = true;
  if (s.lastExecuted < s.low) fetchState(s, ctx);
  if (s.pending.size > 0) armRequestTimer(s, ctx, true);
  if (s.primary === s.self) propose(s, ctx);
}

/**
 * The pre-prepares a new view must carry: from the highest stable checkpoint among the view
 * changes up to the highest prepared number, the request prepared in the highest view for each
 * number, else the null request. Deterministic, so every backup computes the same list.
 */
function plan(vcs: readonly ViewChange[]): { n: number; d: string; batch: readonly PbftRequest[] }[] {
  let minS = 0;
  let maxS = 0;
  const best = new Map<number, PrePrepare>();
  for (const vc of vcs) minS = Math.max(minS, vc.n);
  for (const vc of vcs) {
    for (const c of vc.prepared) {
      if (c.pp.n <= minS) continue;
      maxS = Math.max(maxS, c.pp.n);
      const held = best.get(c.pp.n);
      if (held === undefined || c.pp.v > held.v) best.set(c.pp.n, c.pp);
    }
  }
  const out: { n: number; d: string; batch: readonly PbftRequest[] }[] = [];
  for (let n = minS + 1; n <= maxS; n++) {
    const pp = best.get(n);
    out.push(pp ? { n, d: pp.d, batch: pp.batch } : { n, d: NULL_DIGEST, batch: [] });
  }
  return out;
}

const NULL_DIGEST = batchDigest([]);
const MAX_VIEWS_AHEAD = 1024;

/**
 * The signed messages each replica found valid, by identity. Whether one is valid depends on
 * its content and the replica's fixed props alone, and messages are never changed once sent; in
 * sim mode every replica receives the sender's object itself and a new view carries those same
 * objects, so each is checked once instead of again in every new view and every certificate
 * (certificates are most of what a view change costs). In threads mode each copy is a new
 * object, checked in full. Kept beside the state, not in it: a snapshot of the state is a
 * structured clone, which a WeakSet cannot be.
 */
const validated = new WeakMap<PbftReplicaState, Validated>();

/**
 * What one replica found valid: view changes; and, inside their certificates, pre-prepares
 * (signed by their view's primary, matching their batch) and prepares (signed by their sender).
 * The same pre-prepare and prepares recur in the certificate of every replica that prepared
 * that request, so a view change mostly repeats what an earlier one proved.
 */
interface Validated {
  readonly viewChanges: WeakSet<ViewChange>;
  readonly prePrepares: WeakSet<PrePrepare>;
  readonly prepares: WeakSet<PhaseVote>;
}

const validatedBy = (s: PbftReplicaState): Validated => {
  let v = validated.get(s);
  if (v === undefined) validated.set(s, (v = { viewChanges: new WeakSet(), prePrepares: new WeakSet(), prepares: new WeakSet() }));
  return v;
};

/** Checks a view change's signature, its checkpoint proof and every prepared certificate in it. */
function validViewChange(s: PbftReplicaState, ctx: Ctx, vc: ViewChange): boolean {
  const known = validatedBy(s).viewChanges;
  // Stryker disable next-line ConditionalExpression: equivalent, a cache of what was checked; without it the same check runs again
  if (known.has(vc)) return true;
  if (!s.isReplica.has(vc.i)) return false;
  if (!checkSig(s, ctx, vc.i, viewChangeText(vc.v, vc.n, vc.prepared, vc.i), vc.sig)) return false;
  if (!validProof(s, ctx, vc.n, vc.proof)) return false;
  const numbers = new Set<number>();
  for (const c of vc.prepared) {
    if (!validCert(s, ctx, vc, c) || numbers.has(c.pp.n)) return false;
    numbers.add(c.pp.n);
  }
  known.add(vc);
  return true;
}

function validCert(s: PbftReplicaState, ctx: Ctx, vc: ViewChange, c: PreparedCert): boolean {
  // Stryker disable next-line OptionalChaining: equivalent, isViewChange refused a certificate that is not an object before (onViewChange and onNewView check it first)
  const pp = c?.pp;
  if (!isPrePrepare(pp) || !Array.isArray(c.prepares) || pp.v >= vc.v || pp.n <= vc.n || pp.n > vc.n + s.props.logWindow) return false;
  const primary = primaryOf(s.props, pp.v);
  const known = validatedBy(s);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache of what was checked; without it the same check runs again
  if (!known.prePrepares.has(pp)) {
    if (!checkSig(s, ctx, primary, prePrepareText(pp.v, pp.n, pp.d), pp.sig) || batchDigest(pp.batch) !== pp.d) return false;
    if (!pp.batch.every(isRequest)) return false;
    known.prePrepares.add(pp);
  }
  const backups = new Set<ActorId>();
  for (const p of c.prepares as PhaseVote[]) {
    if (!isPhaseVote(p) || p.v !== pp.v || p.n !== pp.n || p.d !== pp.d || p.i === primary || !s.isReplica.has(p.i) || backups.has(p.i)) return false;
    // Stryker disable next-line ConditionalExpression: equivalent, a cache of what was checked; without it the same check runs again
    if (!known.prepares.has(p)) {
      if (!checkSig(s, ctx, p.i, phaseText('P', p.v, p.n, p.d, p.i), p.sig)) return false;
      known.prepares.add(p);
    }
    backups.add(p.i);
  }
  return backups.size >= s.props.prepareQuorum;
}

function viewChangesFor(s: PbftReplicaState, v: number): Map<ActorId, ViewChange> {
  let m = s.viewChanges.get(v);
  if (m === undefined) s.viewChanges.set(v, (m = new Map()));
  return m;
}

const isViewChange = (m: unknown): m is ViewChange => {
  const vc = m as ViewChange;
  return (
    typeof vc === 'object' &&
    vc !== null &&
    Number.isInteger(vc.v) &&
    vc.v > 0 &&
    Number.isInteger(vc.n) &&
    vc.n >= 0 &&
    Array.isArray(vc.proof) &&
    Array.isArray(vc.prepared) &&
    vc.prepared.every(isCertShape) &&
    typeof vc.i === 'string' &&
    typeof vc.sig === 'string'
  );
};

// Checked before the signature, whose text reads every certificate's pre-prepare: a liar's
// `prepared: [null]` must be refused, not throw in the honest replica's handler.
const isCertShape = (c: unknown): boolean => typeof c === 'object' && c !== null && isPrePrepare((c as PreparedCert).pp);

const isNewView = (m: unknown): m is NewView => {
  const nv = m as NewView;
  return (
    typeof nv === 'object' &&
    nv !== null &&
    Number.isInteger(nv.v) &&
    nv.v > 0 &&
    Array.isArray(nv.viewChanges) &&
    nv.viewChanges.length > 0 &&
    nv.viewChanges.every(isObject) &&
    Array.isArray(nv.prePrepares) &&
    nv.prePrepares.every(isObject) &&
    typeof nv.sig === 'string'
  );
};

// The signed text of a new view reads each view change's sender and signature and each
// pre-prepare's number and digest: a liar's `viewChanges: [null]` must be refused, not throw in
// the honest replica's handler (its supervisor would restart it, its state lost).
const isObject = (m: unknown): boolean => typeof m === 'object' && m !== null;
