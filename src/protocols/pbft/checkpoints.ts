import type { ActorId } from '../../actors/envelope.ts';
import { digestOf, type LedgerSnapshot } from './ledger.ts';
import { type Checkpoint, checkpointText, PBFT_KINDS } from './messages.ts';
import { executeReady, propose } from './normal-case.ts';
import { checkSig, type Ctx, type PbftReplicaState, reject, signText, toOthers } from './pbft-state.ts';

/**
 * Checkpoints and garbage collection (section 4.3): every K sequence numbers a replica sends
 * a signed digest of its state; a quorum (2f + 1 when n = 3f + 1) of matching ones make the checkpoint stable, which moves
 * the low water mark and drops everything below it. A replica that finds a stable checkpoint
 * above what it executed (it lagged, or lost messages) fetches the state from a replica that
 * signed it and checks it against the certificate before adopting it.
 */

/** This replica executed `n` (a multiple of K): snapshot, sign, send. */
export function takeCheckpoint(s: PbftReplicaState, ctx: Ctx, n: number): void {
  const snapshot = s.ledger.snapshot();
  const d = digestOf(snapshot);
  s.snapshots.set(n, snapshot);
  const c: Checkpoint = { n, d, i: s.self, sig: signText(s, ctx, checkpointText(n, d, s.self)) };
  record(s, c);
  toOthers(s, ctx, PBFT_KINDS.checkpoint, c);
  checkStable(s, ctx, n);
}

/** A checkpoint message from replica `c.i` (its sender). */
export function onCheckpoint(s: PbftReplicaState, ctx: Ctx, from: ActorId, c: Checkpoint): void {
  if (!isCheckpoint(c) || c.n % s.props.checkpointInterval !== 0) return reject(ctx, from, PBFT_KINDS.checkpoint, 'malformed');
  if (from !== c.i) return reject(ctx, from, PBFT_KINDS.checkpoint, `signed for ${c.i}, sent by ${from}`);
  if (c.n <= s.low) return;
  if (!checkSig(s, ctx, from, checkpointText(c.n, c.d, from), c.sig)) return reject(ctx, from, PBFT_KINDS.checkpoint, 'bad signature');
  record(s, c);
  checkStable(s, ctx, c.n);
}

function record(s: PbftReplicaState, c: Checkpoint): void {
  let at = s.checkpoints.get(c.n);
  if (at === undefined) s.checkpoints.set(c.n, (at = new Map()));
  if (!at.has(c.i)) at.set(c.i, c);
}

function checkStable(s: PbftReplicaState, ctx: Ctx, n: number): void {
  if (n <= s.low) return;
  const at = s.checkpoints.get(n);
  if (at === undefined || at.size < s.props.quorum) return;
  const byDigest = new Map<string, Checkpoint[]>();
  for (const c of at.values()) {
    const list = byDigest.get(c.d) ?? [];
    list.push(c);
    byDigest.set(c.d, list);
  }
  for (const proof of byDigest.values()) {
    if (proof.length >= s.props.quorum) return makeStable(s, ctx, n, proof.slice(0, s.props.quorum));
  }
}

/**
 * Moves the low water mark to `n` with its proof, garbage-collects below it, and fetches the
 * state if this replica has not executed that far. Also used when a new view brings a later
 * stable checkpoint.
 */
export function makeStable(s: PbftReplicaState, ctx: Ctx, n: number, proof: readonly Checkpoint[]): void {
  if (n <= s.low) return;
  s.low = n;
  s.stableProof = [...proof];
  for (const k of s.slots.keys()) if (k <= n) s.slots.delete(k);
  for (const k of s.preparedSlots.keys()) if (k <= n) s.preparedSlots.delete(k);
  for (const k of s.checkpoints.keys()) if (k < n) s.checkpoints.delete(k);
  for (const k of s.snapshots.keys()) if (k < n) s.snapshots.delete(k);
  for (const k of s.seen.keys()) if (k <= n) s.seen.delete(k);
  for (const k of s.waitingForRequests.keys()) if (k <= n) s.waitingForRequests.delete(k);
  if (s.nextSeq < n) s.nextSeq = n;
  ctx.emit({ type: 'pbft-checkpoint', seq: n, digest: proof[0].d });
  if (s.lastExecuted < n) fetchState(s, ctx);
  else if (s.active && s.primary === s.self) propose(s, ctx);
}

/** Asks a replica that signed the stable checkpoint for the state at it (another one on each retry). */
export function fetchState(s: PbftReplicaState, ctx: Ctx): void {
  const signers = s.stableProof.map((c) => c.i).filter((i) => i !== s.self && !s.suspects.has(i));
  if (signers.length === 0) return;
  s.fetching = (s.fetching + 1) % signers.length;
  ctx.send(signers[s.fetching], { kind: PBFT_KINDS.fetchState, body: { n: s.low } });
  ctx.setTimer('fetch', s.props.viewChangeTimeoutMs, { kind: PBFT_KINDS.fetchTimer });
}

/** Someone lags: send our stable checkpoint's state with its proof, if we have it. */
export function onFetchState(s: PbftReplicaState, ctx: Ctx, from: ActorId, body: { n?: unknown }): void {
  const snapshot = s.snapshots.get(s.low);
  if (typeof body?.n !== 'number' || s.low < body.n || snapshot === undefined) return;
  ctx.send(from, { kind: PBFT_KINDS.state, body: { n: s.low, proof: s.stableProof, snapshot } });
}

/** A state from another replica: adopted only when 2f + 1 signed checkpoints vouch for its digest. */
export function onState(s: PbftReplicaState, ctx: Ctx, from: ActorId, body: { n?: unknown; proof?: unknown; snapshot?: unknown }): void {
  const { n, proof, snapshot } = body ?? {};
  if (typeof n !== 'number' || n <= s.lastExecuted || !Array.isArray(proof) || typeof snapshot !== 'object' || snapshot === null) return;
  if (!validProof(s, ctx, n, proof)) return reject(ctx, from, PBFT_KINDS.state, 'checkpoint proof does not hold');
  let d: string;
  try {
    d = digestOf(snapshot as LedgerSnapshot);
    if (d !== (proof[0] as Checkpoint).d) return reject(ctx, from, PBFT_KINDS.state, 'state does not match its checkpoint digest');
    s.ledger.restore(snapshot as LedgerSnapshot);
  } catch {
    return reject(ctx, from, PBFT_KINDS.state, 'malformed state');
  }
  ctx.cancelTimer('fetch');
  s.lastExecuted = n;
  s.snapshots.set(n, snapshot as LedgerSnapshot);
  if (n > s.low) makeStable(s, ctx, n, proof as Checkpoint[]);
  for (const r of [...s.pending.values()]) {
    if (s.ledger.executed(r.client, r.ts)) {
      s.pending.delete(r.client, r.ts);
      s.unassigned.delete(r.client, r.ts);
    }
  }
  ctx.emit({ type: 'pbft-state-transfer', seq: n, from });
  executeReady(s, ctx);
}

/**
 * Whether `proof` is 2f + 1 checkpoints for `n` from distinct replicas, signed, with one digest.
 *
 * @example
 * ```ts
 * if (!validProof(s, ctx, vc.n, vc.proof)) reject(ctx, from, kind, 'checkpoint proof does not hold');
 * ```
 */
export function validProof(s: PbftReplicaState, ctx: Ctx, n: number, proof: readonly unknown[]): boolean {
  if (n === 0) return proof.length === 0;
  if (proof.length < s.props.quorum) return false;
  const signers = new Set<ActorId>();
  const d = (proof[0] as Checkpoint)?.d;
  for (const c of proof) {
    if (!isCheckpoint(c) || c.n !== n || c.d !== d || !s.isReplica.has(c.i) || signers.has(c.i)) return false;
    if (!checkSig(s, ctx, c.i, checkpointText(c.n, c.d, c.i), c.sig)) return false;
    signers.add(c.i);
  }
  return true;
}

const isCheckpoint = (m: unknown): m is Checkpoint => {
  const c = m as Checkpoint;
  return (
    typeof c === 'object' && c !== null && Number.isInteger(c.n) && c.n > 0 && typeof c.d === 'string' && typeof c.i === 'string' && typeof c.sig === 'string'
  );
};
