import { hash } from 'node:crypto';
import type { ActorId } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';

/**
 * The message kinds of PBFT (Castro & Liskov, OSDI'99 and TOCS 2002), as envelope kinds.
 *
 * @example
 * ```ts
 * ctx.send(primary, { kind: PBFT_KINDS.request, body: request });
 * ```
 */
export const PBFT_KINDS = {
  request: 'pbft-request',
  prePrepare: 'pbft-pre-prepare',
  prepare: 'pbft-prepare',
  commit: 'pbft-commit',
  reply: 'pbft-reply',
  checkpoint: 'pbft-checkpoint',
  viewChange: 'pbft-view-change',
  newView: 'pbft-new-view',
  evidence: 'pbft-evidence',
  fetchState: 'pbft-fetch-state',
  state: 'pbft-state',
  /** Timers (sent by a replica to itself). */
  requestTimer: 'pbft-request-timer',
  viewTimer: 'pbft-view-timer',
  resendTimer: 'pbft-resend-timer',
  fetchTimer: 'pbft-fetch-timer',
} as const;

/**
 * A client's request: operation `op` with the client's timestamp `ts` (1, 2, 3, ... per client),
 * and the client's signature over `requestText`, or '' when it does not sign. Clients send
 * every request to every replica, so a backup normally knows it from its own
 * (runtime-authenticated) channel; it checks the signature only for a request it learns from
 * someone else (a pre-prepare), and holds back a pre-prepare with an unsigned request it has
 * not yet received first-hand.
 *
 * @example
 * ```ts
 * const r: PbftRequest = { client: 'client', ts: 1, op: 'incr k3', sig: ctx.sign(requestText('client', 1, 'incr k3')) };
 * ```
 */
export interface PbftRequest {
  readonly client: ActorId;
  readonly ts: number;
  readonly op: string;
  readonly sig: string;
}

/**
 * The primary's assignment of a batch of requests to sequence number `n` in view `v`; `d` is the
 * batch digest (see `batchDigest`), `sig` the primary's signature over `prePrepareText`. A null
 * request (an empty batch) fills a gap in a new view.
 *
 * @example
 * ```ts
 * const pp: PrePrepare = { v: 0, n: 1, d: batchDigest(batch), batch, sig: ctx.sign(prePrepareText(0, 1, d)) };
 * ```
 */
export interface PrePrepare {
  readonly v: number;
  readonly n: number;
  readonly d: string;
  readonly batch: readonly PbftRequest[];
  readonly sig: string;
}

/**
 * PREPARE and COMMIT: replica `i` agrees to digest `d` at (v, n). `ppSig` is the primary's
 * signature on the pre-prepare the replica accepted: a replica that accepted a different digest
 * for (v, n) checks it, and either holds proof that the primary equivocated (two digests, both
 * signed by the primary) or that `i` lied (a signed message vouching for a pre-prepare the
 * primary never signed).
 *
 * @example
 * ```ts
 * const p: PhaseVote = { v: 0, n: 1, d, i: ctx.self, ppSig: pp.sig, sig: ctx.sign(phaseText('P', 0, 1, d, ctx.self)) };
 * ```
 */
export interface PhaseVote {
  readonly v: number;
  readonly n: number;
  readonly d: string;
  readonly i: ActorId;
  readonly ppSig: string;
  readonly sig: string;
}

/**
 * A reply to the client. Not signed: the runtime stamps the sender, which is what PBFT's MAC
 * on a reply gives the client. `result` is the state machine's answer.
 *
 * @example
 * ```ts
 * const r: PbftReply = { v: 0, ts: 1, i: 'p1', result: '1' };
 * ```
 */
export interface PbftReply {
  readonly v: number;
  readonly ts: number;
  readonly i: ActorId;
  readonly result: string;
}

/**
 * CHECKPOINT: replica `i` executed up to `n` and its state digest is `d`.
 *
 * @example
 * ```ts
 * const c: Checkpoint = { n: 128, d: machine.digest(), i: ctx.self, sig: ctx.sign(checkpointText(128, d, ctx.self)) };
 * ```
 */
export interface Checkpoint {
  readonly n: number;
  readonly d: string;
  readonly i: ActorId;
  readonly sig: string;
}

/**
 * A prepared certificate: the pre-prepare and 2f matching prepares from distinct backups.
 *
 * @example
 * ```ts
 * const cert: PreparedCert = { pp, prepares: [...slot.prepareMsgs.values()].filter((p) => p.d === pp.d).slice(0, props.prepareQuorum) };
 * ```
 */
export interface PreparedCert {
  readonly pp: PrePrepare;
  readonly prepares: readonly PhaseVote[];
}

/**
 * VIEW-CHANGE to view `v` from replica `i`: its stable checkpoint `n` with the 2f + 1 checkpoint
 * messages that prove it, and a prepared certificate for every request it prepared above `n`.
 *
 * @example
 * ```ts
 * const vc: ViewChange = { v: 1, n: 0, proof: [], prepared: [], i: ctx.self, sig: ctx.sign(viewChangeText(...)) };
 * ```
 */
export interface ViewChange {
  readonly v: number;
  readonly n: number;
  readonly proof: readonly Checkpoint[];
  readonly prepared: readonly PreparedCert[];
  readonly i: ActorId;
  readonly sig: string;
}

/**
 * NEW-VIEW from the primary of view `v`: 2f + 1 view-change messages and the pre-prepares it
 * derives from them (every backup recomputes and compares them).
 *
 * @example
 * ```ts
 * const nv: NewView = { v: 1, viewChanges, prePrepares, sig: ctx.sign(newViewText(1, viewChanges, prePrepares)) };
 * ```
 */
export interface NewView {
  readonly v: number;
  readonly viewChanges: readonly ViewChange[];
  readonly prePrepares: readonly PrePrepare[];
  readonly sig: string;
}

/**
 * Two signed messages that prove `suspect` misbehaved, or one that does (it vouches for a
 * pre-prepare whose signature is not the primary's).
 *
 * @example
 * ```ts
 * const e: Evidence = { suspect: 'p0', kind: 'equivocation', messages: [prePrepare1, prePrepare2] };
 * ```
 */
export interface Evidence {
  readonly suspect: ActorId;
  readonly kind: 'equivocation' | 'forged-certificate';
  /** The phase the messages belong to: pre-prepare, prepare, commit, checkpoint. */
  readonly phase: string;
  readonly v: number;
  readonly n: number;
  readonly messages: readonly unknown[];
}

/**
 * A replica's props.
 *
 * @example
 * ```ts
 * const props: PbftProps = { replicas: ['p0', 'p1', 'p2', 'p3'], maxBatch: 64 };
 * ```
 */
export interface PbftProps {
  /** Every replica, in order: the primary of view v is `replicas[v mod n]`. */
  readonly replicas: readonly ActorId[];
  /** Faults tolerated; default and maximum floor((n - 1) / 3). */
  readonly f?: number;
  /** Checkpoint every K sequence numbers; default 64. */
  readonly checkpointInterval?: number;
  /** High water mark = low + this; default 4 × checkpointInterval. */
  readonly logWindow?: number;
  /** Requests per pre-prepare at most; default 64. */
  readonly maxBatch?: number;
  /** Pre-prepares the primary keeps in flight (unexecuted) before it waits; default 8. */
  readonly maxInflight?: number;
  /** A backup that holds a request unexecuted this long suspects the primary; default 200 ms, doubling per failed view change. */
  readonly viewChangeTimeoutMs?: number;
  /** `sign` (default): every protocol message is signed and checked; `none`: trust the channel only (for measuring what signatures cost). */
  readonly auth?: 'sign' | 'none';
}

/**
 * Props with the defaults filled in and checked.
 *
 * @example
 * ```ts
 * const p = resolvePbftProps({ replicas: ['a', 'b', 'c', 'd'] }); // p.f === 1, p.quorum === 3
 * ```
 */
export interface ResolvedPbftProps {
  readonly replicas: readonly ActorId[];
  readonly n: number;
  readonly f: number;
  /**
   * Matching messages that make a certificate (commit, view change, checkpoint):
   * ceil((n + f + 1) / 2), so that any two quorums share at least f + 1 replicas, one of them
   * honest. That is 2f + 1 when n = 3f + 1; for other n (5, 6, 8, ...) or a lower `f`, 2f + 1
   * would let two quorums meet only in liars (n = 5: 3 + 3 share one replica).
   */
  readonly quorum: number;
  /** Prepares from distinct backups that, with the pre-prepare, prepare a request: quorum - 1. */
  readonly prepareQuorum: number;
  readonly checkpointInterval: number;
  readonly logWindow: number;
  readonly maxBatch: number;
  readonly maxInflight: number;
  readonly viewChangeTimeoutMs: number;
  readonly signed: boolean;
}

/**
 * Fills in PBFT defaults and rejects impossible settings with the field that is wrong.
 *
 * @example
 * ```ts
 * resolvePbftProps({ replicas: ['a', 'b', 'c'], f: 1 }); // throws: n = 3 tolerates f = 0
 * ```
 */
export function resolvePbftProps(p: PbftProps): ResolvedPbftProps {
  const n = p.replicas?.length ?? 0;
  if (n < 1) throw new ConfigError('replicas', 'at least one replica', p.replicas);
  const maxF = Math.floor((n - 1) / 3);
  const f = p.f ?? maxF;
  if (!Number.isInteger(f) || f < 0 || f > maxF)
    throw new ConfigError('consensus.pbft.f', `an integer from 0 to ${maxF} (n = ${n} replicas tolerate at most floor((n - 1) / 3))`, f);
  const positive = (key: string, v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new ConfigError(`consensus.pbft.${key}`, 'a positive number', v);
    return v;
  };
  const checkpointInterval = Math.round(positive('checkpoint_interval', p.checkpointInterval, 64));
  const logWindow = Math.round(positive('log_window', p.logWindow, 4 * checkpointInterval));
  if (logWindow < checkpointInterval)
    throw new ConfigError(
      'consensus.pbft.log_window',
      `at least checkpoint_interval (${checkpointInterval}), or no checkpoint could ever become stable`,
      logWindow,
    );
  const quorum = Math.ceil((n + f + 1) / 2);
  return {
    replicas: p.replicas,
    n,
    f,
    quorum,
    prepareQuorum: quorum - 1,
    checkpointInterval,
    logWindow,
    maxBatch: Math.round(positive('max_batch', p.maxBatch, 64)),
    maxInflight: Math.round(positive('max_inflight', p.maxInflight, 8)),
    viewChangeTimeoutMs: positive('view_change_timeout', p.viewChangeTimeoutMs, 200),
    signed: (p.auth ?? 'sign') === 'sign',
  };
}

/** The primary of view `v`. */
export const primaryOf = (p: ResolvedPbftProps, v: number): ActorId => p.replicas[v % p.n];

/** What a client signs for a request. */
export const requestText = (client: ActorId, ts: number, op: string): string => `R|${client}|${ts}|${op}`;
/** What the primary signs for a pre-prepare (the digest covers the batch). */
export const prePrepareText = (v: number, n: number, d: string): string => `PP|${v}|${n}|${d}`;
/** What a replica signs for a prepare (`P`) or commit (`C`). */
export const phaseText = (phase: 'P' | 'C', v: number, n: number, d: string, i: ActorId): string => `${phase}|${v}|${n}|${d}|${i}`;
/** What a replica signs for a checkpoint. */
export const checkpointText = (n: number, d: string, i: ActorId): string => `K|${n}|${d}|${i}`;

/** What a replica signs for a view change: its checkpoint and a digest of what it prepared. */
export function viewChangeText(v: number, n: number, prepared: readonly PreparedCert[], i: ActorId): string {
  let s = `VC|${v}|${n}|${i}`;
  for (const c of prepared) s += `|${c.pp.v}:${c.pp.n}:${c.pp.d}`;
  return s;
}

/** What the new primary signs for a new view: the senders of the view changes and the new pre-prepares. */
export function newViewText(v: number, viewChanges: readonly ViewChange[], prePrepares: readonly PrePrepare[]): string {
  let s = `NV|${v}`;
  for (const vc of viewChanges) s += `|${vc.i}:${vc.sig}`;
  for (const pp of prePrepares) s += `|${pp.n}:${pp.d}`;
  return s;
}

/** A request's identity in the trace and the checkers: `client#ts#op`. */
export const requestKey = (r: Pick<PbftRequest, 'client' | 'ts' | 'op'>): string => `${r.client}#${r.ts}#${r.op}`;

/**
 * Digests made, by batch text: every replica digests each batch it is sent (and again in
 * certificates), and the runs of a stress campaign send the same batches over and over. A
 * pure function's memo, bounded: a liar sending endless new batches only empties it.
 */
const digests = new Map<string, string>();
const DIGESTS_KEPT = 4096;

/**
 * The digest of a batch of requests (sha-256 over their keys, 16 hex digits): what prepares,
 * commits and certificates agree on. An empty batch is the null request.
 *
 * @example
 * ```ts
 * if (batchDigest(pp.batch) !== pp.d) reject('digest does not match the batch');
 * ```
 */
export function batchDigest(batch: readonly Pick<PbftRequest, 'client' | 'ts' | 'op'>[]): string {
  let text = '';
  for (const r of batch) text += `${r.client}#${r.ts}#${r.op}\n`;
  let d = digests.get(text);
  if (d === undefined) {
    // One-shot: a third of createHash's cost for a text this short, and the same digest.
    d = hash('sha256', text, 'hex').slice(0, 16);
    if (digests.size >= DIGESTS_KEPT) digests.clear();
    digests.set(text, d);
  }
  return d;
}
