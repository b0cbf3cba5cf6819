import type { ActorId } from '../../actors/envelope.ts';
import { type Evidence, PBFT_KINDS, type PhaseVote, type PrePrepare, phaseText, prePrepareText, primaryOf } from './messages.ts';
import { checkSig, type Ctx, type PbftReplicaState, reject, toOthers } from './pbft-state.ts';
import { startViewChange } from './view-change.ts';

/**
 * Detection of Byzantine replicas from signed messages alone: proof, not suspicion.
 * - Equivocation: two messages signed by one replica for the same (phase, view, seq) with
 *   different digests.
 * - A forged certificate: a prepare or commit, signed by its sender, that vouches for a
 *   pre-prepare whose signature is not the primary's.
 * A replica that finds proof flags the suspect (drops its messages from then on), traces
 * `pbft-detected {suspect, kind, evidence}` and sends the evidence to the other replicas, which
 * check it themselves before they flag anyone. A flagged primary is replaced at once.
 */

/** The phases whose signed messages can prove equivocation, in the order `seen` numbers them. */
const PHASES = ['pre-prepare', 'prepare', 'commit'] as const;

/**
 * Remembers the first signed message of `signer` for (phase, v, n); a second one with another
 * digest is proof of equivocation. Returns false when it was. `signer` is a replica (the
 * callers checked): `seen` numbers it by its place in the replica list, as it numbers the phase
 * and view, so that the lookup on every prepare and commit builds no string.
 */
export function noteSigned(
  s: PbftReplicaState,
  ctx: Ctx,
  phase: (typeof PHASES)[number],
  signer: ActorId,
  v: number,
  n: number,
  d: string,
  msg: unknown,
): boolean {
  if (!s.props.signed) return true; // without signatures nothing is proof
  const i = s.replicaIndex.get(signer);
  if (i === undefined) return true; // not a replica: its messages were refused before they got here
  let atSeq = s.seen.get(n);
  if (atSeq === undefined) s.seen.set(n, (atSeq = new Map()));
  const key = (v * PHASES.length + PHASES.indexOf(phase)) * s.props.n + i;
  const first = atSeq.get(key);
  if (first === undefined) {
    atSeq.set(key, { d, msg });
    return true;
  }
  if (first.d === d) return true;
  // Commits are kept unverified (see onPhaseVote): evidence must hold up for everyone.
  if (phase === 'commit' && !(validVoteSig(s, ctx, 'C', first.msg as PhaseVote) && validVoteSig(s, ctx, 'C', msg as PhaseVote))) {
    reject(ctx, signer, PBFT_KINDS.commit, 'bad signature');
    return false;
  }
  flag(s, ctx, { suspect: signer, kind: 'equivocation', phase, v, n, messages: [first.msg, msg] }, true);
  return false;
}

const validVoteSig = (s: PbftReplicaState, ctx: Ctx, phase: 'P' | 'C', vote: PhaseVote): boolean =>
  checkSig(s, ctx, vote.i, phaseText(phase, vote.v, vote.n, vote.d, vote.i), vote.sig);

/**
 * A prepare or commit whose digest differs from the pre-prepare we accepted: it proves either
 * that the primary signed two pre-prepares (when its `ppSig` is the primary's) or that its
 * sender vouched for one the primary never signed.
 */
export function judgeMismatch(s: PbftReplicaState, ctx: Ctx, phase: 'prepare' | 'commit', vote: PhaseVote, accepted: PrePrepare): void {
  if (!s.props.signed) return;
  if (phase === 'commit' && !validVoteSig(s, ctx, 'C', vote)) return reject(ctx, vote.i, PBFT_KINDS.commit, 'bad signature');
  const primary = primaryOf(s.props, vote.v);
  if (checkSig(s, ctx, primary, prePrepareText(vote.v, vote.n, vote.d), vote.ppSig)) {
    flag(
      s,
      ctx,
      {
        suspect: primary,
        kind: 'equivocation',
        phase: 'pre-prepare',
        v: vote.v,
        n: vote.n,
        messages: [stripBatch(accepted), { v: vote.v, n: vote.n, d: vote.d, sig: vote.ppSig }],
      },
      true,
    );
  } else {
    flag(s, ctx, { suspect: vote.i, kind: 'forged-certificate', phase, v: vote.v, n: vote.n, messages: [vote] }, true);
  }
}

/** Evidence another replica sent: flag its suspect only if the evidence holds up here too. */
export function onEvidence(s: PbftReplicaState, ctx: Ctx, from: ActorId, e: Evidence): void {
  if (typeof e !== 'object' || e === null || typeof e.suspect !== 'string' || !Array.isArray(e.messages))
    return reject(ctx, from, PBFT_KINDS.evidence, 'malformed');
  if (s.suspects.has(e.suspect)) return;
  if (!validEvidence(s, ctx, e)) return reject(ctx, from, PBFT_KINDS.evidence, 'evidence does not prove anything');
  flag(s, ctx, e, false);
}

function validEvidence(s: PbftReplicaState, ctx: Ctx, e: Evidence): boolean {
  if (!s.isReplica.has(e.suspect) || !s.props.signed) return false;
  const [a, b] = e.messages as Record<string, unknown>[];
  const text = (m: Record<string, unknown>): string | undefined => {
    if (typeof m !== 'object' || m === null || m.v !== e.v || m.n !== e.n || typeof m.d !== 'string') return undefined;
    if (e.phase === 'pre-prepare') return prePrepareText(e.v, e.n, m.d);
    if ((e.phase === 'prepare' || e.phase === 'commit') && m.i === e.suspect) return phaseText(e.phase === 'prepare' ? 'P' : 'C', e.v, e.n, m.d, e.suspect);
    return undefined;
  };
  if (e.kind === 'equivocation') {
    if (e.phase === 'pre-prepare' && primaryOf(s.props, e.v) !== e.suspect) return false;
    // text() refuses anything that is not a message: `a && text(a)` let a null through as itself (a TypeError on a.d below).
    const ta = text(a),
      tb = text(b);
    return ta !== undefined && tb !== undefined && a.d !== b.d && checkSig(s, ctx, e.suspect, ta, a.sig) && checkSig(s, ctx, e.suspect, tb, b.sig);
  }
  if (e.kind === 'forged-certificate') {
    const ta = text(a);
    const vote = a as unknown as PhaseVote;
    return (
      ta !== undefined && checkSig(s, ctx, e.suspect, ta, vote.sig) && !checkSig(s, ctx, primaryOf(s.props, e.v), prePrepareText(e.v, e.n, vote.d), vote.ppSig)
    );
  }
  return false;
}

function flag(s: PbftReplicaState, ctx: Ctx, e: Evidence, share: boolean): void {
  if (s.suspects.has(e.suspect) || e.suspect === s.self) return;
  s.suspects.add(e.suspect);
  ctx.emit({ type: 'pbft-detected', suspect: e.suspect, kind: e.kind, phase: e.phase, view: e.v, seq: e.n, evidence: e.messages });
  if (share) toOthers(s, ctx, PBFT_KINDS.evidence, e);
  // A primary proven faulty is replaced now rather than when its requests time out.
  if (e.suspect === s.primary && s.active) startViewChange(s, ctx, s.view + 1, `primary ${e.suspect} proven faulty (${e.kind})`);
}

/** A pre-prepare without its batch (the digest and signature are the proof; the batch is bulk). */
const stripBatch = (pp: PrePrepare) => ({ v: pp.v, n: pp.n, d: pp.d, sig: pp.sig });
