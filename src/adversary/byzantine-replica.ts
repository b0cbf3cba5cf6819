import { fileURLToPath } from 'node:url';
import type { ActorContext, Behaviour } from '../actors/behaviour.ts';
import type { ActorId, Message } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import {
  batchDigest,
  checkpointText,
  PBFT_KINDS,
  type PbftProps,
  type PhaseVote,
  type PrePrepare,
  phaseText,
  prePrepareText,
} from '../protocols/pbft/messages.ts';
import { pbftReplica, type PbftReplicaState } from '../protocols/pbft/pbft-replica.ts';
import { Collusion, colludeObserve, colludeOutgoing } from './pbft-colluders.ts';
import { deliverLate, holdBack, rewiredContext } from './rewired-context.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * What a Byzantine PBFT replica does to the messages the honest replica inside it sends:
 * - `conflicting_votes`: equivocates. As primary it sends a different pre-prepare (another
 *   batch, another digest, validly signed) to half the replicas; as a backup, prepares and
 *   commits for a made-up digest to half of them.
 * - `false_information`: prepares, commits and checkpoints for made-up digests, and wrong
 *   results to the client.
 * - `delayed_responses`: holds every message back for `delayMs`.
 * - `silent`: sends nothing (as primary: proposes nothing).
 * - `forged_signatures`: signatures that are not its own (garbage in place of each signature).
 * - `replay`: sends each peer old messages again alongside the new ones.
 * - `random`: adds arbitrary well-formed protocol messages (votes and checkpoints for random
 *   numbers and digests, view changes for views nobody asked for).
 * - `split_brain`: the Byzantine replicas collude (each knows the others: `colluders`) to make
 *   two halves of the honest replicas commit different batches at one number: the primary
 *   sends one half another batch, and every colluder prepares and commits, towards that half,
 *   the digest of that other batch. Within the bound (f colluders) it cannot succeed; with
 *   f + 1 it can, which is how the checkers are shown to catch a real agreement violation.
 * - `collude`: a Byzantine primary and its partners (`colluders`) starve one honest half of
 *   pre-prepares while the other commits, then lead the starved half into a view change that
 *   forgets the committed batch (see `pbft-colluders.ts`). No slow link needed, nothing signed
 *   that proves it; with f + 1 colluders it breaks agreement, with f it cannot.
 *
 * @example
 * ```ts
 * const kinds: PbftByzantineKind[] = ['conflicting_votes'];
 * ```
 */
export type PbftByzantineKind =
  | 'conflicting_votes'
  | 'false_information'
  | 'delayed_responses'
  | 'silent'
  | 'forged_signatures'
  | 'replay'
  | 'random'
  | 'split_brain'
  | 'collude';

/**
 * Every Byzantine kind a PBFT replica understands.
 *
 * @example
 * ```ts
 * PBFT_BYZANTINE_KINDS.includes('replay'); // true
 * ```
 */
export const PBFT_BYZANTINE_KINDS: readonly PbftByzantineKind[] = Object.freeze([
  'conflicting_votes',
  'false_information',
  'delayed_responses',
  'silent',
  'forged_signatures',
  'replay',
  'random',
  'split_brain',
  'collude',
]);

/**
 * A Byzantine replica's props: an honest replica's, plus what it does wrong.
 *
 * @example
 * ```ts
 * const props: ByzantineReplicaProps = { replicas, byzantine: ['conflicting_votes'] };
 * ```
 */
export interface ByzantineReplicaProps extends PbftProps {
  readonly byzantine: readonly PbftByzantineKind[];
  /** How long `delayed_responses` holds a message (default 1,000 ms). */
  readonly delayMs?: number;
  /** Every Byzantine replica of the run (for `split_brain` and `collude`); default just this one. */
  readonly colluders?: readonly ActorId[];
}

/** The adversary's books: the honest replica it runs, and what it sent (for replays). */
class AdversaryState {
  inner!: PbftReplicaState;
  late = 0;
  readonly sent: Message[] = [];
  readonly collusion = new Collusion();
  constructor(readonly kinds: ReadonlySet<PbftByzantineKind>) {}
}

/**
 * An adversary outside the protocol: it runs the honest PBFT replica and rewrites what that
 * replica sends, so the replica's code has no `if (byzantine)`. It signs with its own key (the
 * runtime will not sign as anyone else), so what it says is attributable to it: equivocation
 * and lies leave signed evidence the honest replicas can check.
 *
 * @example
 * ```ts
 * await system.spawn('p0', BYZANTINE_REPLICA, { props: { replicas, byzantine: ['conflicting_votes'] } });
 * ```
 */
export const byzantineReplica: Behaviour<AdversaryState, ByzantineReplicaProps> = {
  init(ctx) {
    const a = new AdversaryState(new Set(ctx.props.byzantine));
    const view = rewiredContext<PbftProps>(ctx as ActorContext<unknown>, (to, m) => outgoing(ctx, a, to, m));
    views.set(a, view);
    a.inner = pbftReplica.init(view) as PbftReplicaState;
    return a;
  },
  receive(state, env, ctx) {
    const a = state as unknown as AdversaryState;
    if (deliverLate(env, ctx as ActorContext<unknown>)) return;
    // The replica's state is a class instance, never drafted: pass it as the behaviour sees it.
    // Colluders never hold each other to account: the honest replica inside must not see what
    // would expose a partner (the other half's votes, evidence against one of them).
    if (a.kinds.has('split_brain') && exposesPartner(ctx, a, env.kind, env.body)) return;
    if (a.kinds.has('collude') && colludeObserve(ctx, a.collusion, a.inner, env)) return;
    pbftReplica.receive(a.inner as unknown as Parameters<typeof pbftReplica.receive>[0], env, views.get(a)!);
  },
};

/**
 * The honest replica's context per adversary, with `send` rewired through it. Kept beside the
 * state, not in it: a snapshot of the state is a copy, and a context cannot be copied.
 */
const views = new WeakMap<AdversaryState, ActorContext<PbftProps>>();

function outgoing(ctx: ActorContext<ByzantineReplicaProps>, a: AdversaryState, to: ActorId, m: Message): void {
  const k = a.kinds;
  if (k.has('silent')) return;
  if (k.has('split_brain') && m.kind === PBFT_KINDS.evidence && (ctx.props.colluders ?? []).includes((m.body as { suspect?: string })?.suspect ?? '')) return;
  let message = m;
  if (k.has('collude')) {
    const m2 = colludeOutgoing(ctx, a.collusion, a.inner, to, m);
    if (m2 === undefined) return;
    message = m2;
  }
  const replicas = ctx.props.replicas;
  const half = replicas.indexOf(to) % 2 === 1;
  const body = message.body as Record<string, unknown>;
  if (k.has('conflicting_votes') && half) message = { kind: m.kind, body: conflicting(ctx, m.kind, body) };
  if (k.has('split_brain') && otherHalf(ctx, to)) message = { kind: m.kind, body: splitBrain(ctx, a, m.kind, body) };
  if (k.has('false_information')) message = { kind: message.kind, body: falsified(ctx, message.kind, message.body as Record<string, unknown>) };
  if (k.has('forged_signatures') && typeof (message.body as { sig?: unknown })?.sig === 'string')
    message = { kind: message.kind, body: { ...(message.body as object), sig: `forged-${Math.floor(ctx.random() * 1e9).toString(16)}` } };
  send(ctx, a, to, message);
  if (k.has('replay') && a.sent.length > 0) send(ctx, a, to, a.sent[Math.floor(ctx.random() * a.sent.length)] as Message);
  if (k.has('random') && replicas.includes(to) && ctx.random() < 0.5) send(ctx, a, to, randomMessage(ctx));
  if (a.sent.length < 512) a.sent.push(message);
  else a.sent[Math.floor(ctx.random() * a.sent.length)] = message;
}

function send(ctx: ActorContext<ByzantineReplicaProps>, a: AdversaryState, to: ActorId, m: Message): void {
  if (a.kinds.has('delayed_responses')) holdBack(ctx as ActorContext<unknown>, ++a.late, ctx.props.delayMs ?? 1000, to, m);
  else ctx.send(to, m);
}

function exposesPartner(ctx: ActorContext<ByzantineReplicaProps>, a: AdversaryState, kind: string, body: unknown): boolean {
  const colluders = ctx.props.colluders ?? [];
  if (kind === PBFT_KINDS.evidence) return colluders.includes((body as { suspect?: string })?.suspect ?? '');
  if (kind !== PBFT_KINDS.prepare && kind !== PBFT_KINDS.commit) return false;
  const vote = body as PhaseVote;
  const pp = a.inner.slots.get(vote?.n)?.pp;
  return pp !== undefined && vote.v === pp.v && vote.d !== pp.d;
}

/** The honest replicas at odd positions among the honest ones: the half `split_brain` feeds the other batch. */
function otherHalf(ctx: ActorContext<ByzantineReplicaProps>, to: ActorId): boolean {
  const colluders = ctx.props.colluders ?? [ctx.self];
  if (colluders.includes(to)) return false;
  const honest = ctx.props.replicas.filter((r) => !colluders.includes(r));
  return honest.indexOf(to) % 2 === 1;
}

/** The other batch for a pre-prepare: the same requests reversed, or the null request. */
const otherBatch = (batch: PrePrepare['batch']): PrePrepare['batch'] => (batch.length > 1 ? [...batch].reverse() : []);

function splitBrain(ctx: ActorContext<ByzantineReplicaProps>, a: AdversaryState, kind: string, body: Record<string, unknown>): unknown {
  if (kind === PBFT_KINDS.prePrepare) return conflicting(ctx, kind, body);
  if (kind !== PBFT_KINDS.prepare && kind !== PBFT_KINDS.commit) return body;
  // Vote, with our own valid signature, for the other batch of the pre-prepare we accepted.
  const vote = body as unknown as PhaseVote;
  const pp = a.inner.slots.get(vote.n)?.pp;
  if (pp === undefined || pp.d !== vote.d) return body;
  const d = batchDigest(otherBatch(pp.batch));
  return { ...vote, d, sig: ctx.sign(phaseText(kind === PBFT_KINDS.prepare ? 'P' : 'C', vote.v, vote.n, d, ctx.self)) } satisfies PhaseVote;
}

/** A made-up digest, never a real batch's. */
const fake = (d: string): string => `bad${d.slice(3)}`;

function conflicting(ctx: ActorContext<ByzantineReplicaProps>, kind: string, body: Record<string, unknown>): unknown {
  if (kind === PBFT_KINDS.prePrepare) {
    const pp = body as unknown as PrePrepare;
    const batch = otherBatch(pp.batch);
    const d = batchDigest(batch);
    return { v: pp.v, n: pp.n, d, batch, sig: ctx.sign(prePrepareText(pp.v, pp.n, d)) } satisfies PrePrepare;
  }
  if (kind === PBFT_KINDS.prepare || kind === PBFT_KINDS.commit) return fakeVote(ctx, kind, body as unknown as PhaseVote);
  return body;
}

function falsified(ctx: ActorContext<ByzantineReplicaProps>, kind: string, body: Record<string, unknown>): unknown {
  if (kind === PBFT_KINDS.prepare || kind === PBFT_KINDS.commit) return fakeVote(ctx, kind, body as unknown as PhaseVote);
  if (kind === PBFT_KINDS.reply) return { ...body, result: `${String(body.result)}+1` };
  if (kind === PBFT_KINDS.checkpoint) {
    const d = fake(String(body.d));
    return { ...body, d, sig: ctx.sign(checkpointText(body.n as number, d, ctx.self)) };
  }
  return body;
}

/** A prepare or commit for a digest nobody proposed, signed with our own key: a lie with our name on it. */
function fakeVote(ctx: ActorContext<ByzantineReplicaProps>, kind: string, vote: PhaseVote): PhaseVote {
  if (vote.d.startsWith('bad')) return vote;
  const d = fake(vote.d);
  return { ...vote, d, sig: ctx.sign(phaseText(kind === PBFT_KINDS.prepare ? 'P' : 'C', vote.v, vote.n, d, ctx.self)) };
}

function randomMessage(ctx: ActorContext<ByzantineReplicaProps>): Message {
  const n = 1 + Math.floor(ctx.random() * 64);
  const d = Math.floor(ctx.random() * 2 ** 48)
    .toString(16)
    .padStart(16, '0');
  switch (Math.floor(ctx.random() * 3)) {
    case 0:
      return {
        kind: PBFT_KINDS.prepare,
        body: { v: 0, n, d, i: ctx.self, ppSig: 'none', sig: ctx.sign(phaseText('P', 0, n, d, ctx.self)) } satisfies PhaseVote,
      };
    case 1:
      return { kind: PBFT_KINDS.checkpoint, body: { n: n * 64, d, i: ctx.self, sig: ctx.sign(checkpointText(n * 64, d, ctx.self)) } };
    default:
      return { kind: PBFT_KINDS.viewChange, body: { v: n, n: 0, proof: [], prepared: [], i: ctx.self, sig: 'x' } };
  }
}

/**
 * The Byzantine replica as a behaviour reference (loadable in any host).
 *
 * @example
 * ```ts
 * await system.spawn('p3', BYZANTINE_REPLICA, { props: { replicas, byzantine: ['silent'] } });
 * ```
 */
export const BYZANTINE_REPLICA: BehaviourRef = { module: fileURLToPath(moduleUrl('./byzantine-replica.ts', import.meta.url)), export: 'byzantineReplica' };
