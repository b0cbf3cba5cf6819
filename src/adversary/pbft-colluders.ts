import type { ActorContext } from '../actors/behaviour.ts';
import type { ActorId, Envelope, Message } from '../actors/envelope.ts';
import { PBFT_KINDS, type PhaseVote, type PrePrepare, type ViewChange, viewChangeText } from '../protocols/pbft/messages.ts';
import type { PbftReplicaState } from '../protocols/pbft/pbft-state.ts';
import { preparedCerts } from '../protocols/pbft/view-change.ts';

/**
 * `collude`: a Byzantine primary and its partners make two halves of the honest replicas commit
 * different batches at one sequence number, without a slow link and without signing anything
 * that could be used as proof against them. The attack, from the first pre-prepare a colluding
 * primary sends (the *attack view* a, number n, digest d):
 *
 * 1. The primary sends its pre-prepares of view a to the partners and to one honest half (H1)
 *    only; the other half (H2) gets none. The partners prepare and commit honestly, so H1
 *    commits (a, n, d) with their votes. H2 never holds a pre-prepare, so the prepares and
 *    commits it hears from H1 contradict nothing it signed or saw: nothing to detect.
 * 2. When a colluder sees the commits of every H1 member for (a, n, d) — what tells it that H1
 *    has committed — (or an H2 member asking for a later view), it sends H2 a view change for
 *    view t, the first after a whose primary is honest (and in H2). Its view change is
 *    *amnesiac*: it carries no prepared certificate from n on. Omitting a certificate is the one
 *    lie a view change cannot be caught in. With f + 1 of them H2 joins view t at once.
 * 3. H2's primary builds the new view from its half's view changes and the colluders': nobody
 *    in it prepared n, so n is reassigned, and H2 commits another batch at n with the
 *    colluders' (now honest) votes. H1 committed d there: agreement is broken.
 *
 * Every message is sent through the colluder's own context and signed with its own key; the
 * colluders coordinate by what they all know (the replica list and who colludes: each computes
 * the same plan) and what they observe, not by shared memory, so the same strategy runs in sim
 * and threads mode. The arithmetic decides: H1 needs 2f + 1 - c members to commit with c
 * colluders, H2 as many to outvote H1's certificate in view t, and 2(2f + 1 - c) <= n - c only
 * when c >= f + 1 (for n = 3f + 1). Within the bound the colluders still play their part (H2
 * starved, the amnesiac view change), which checks that PBFT's view change keeps what H1
 * committed.
 *
 * @example
 * ```ts
 * const plan = collusionPlan(['p0', 'p1', 'p2', 'p3'], ['p0', 'p3'], 1, { view: 0, seq: 1, digest: 'ab' });
 * plan; // { view: 0, seq: 1, digest: 'ab', target: 1, h1: ['p2'], h2: ['p1'] }
 * ```
 */
export interface CollusionPlan {
  readonly view: number;
  readonly seq: number;
  readonly digest: string;
  /** The view the colluders move H2 to: the first after `view` whose primary is honest. */
  readonly target: number;
  /** The honest half that commits in the attack view. */
  readonly h1: readonly ActorId[];
  /** The honest half that is starved, then led into `target` (its primary first). */
  readonly h2: readonly ActorId[];
}

/**
 * The plan every colluder computes alike from the replicas, the colluders, f and the attack's
 * first pre-prepare; undefined when fewer than two replicas are honest (no halves to split).
 *
 * @example
 * ```ts
 * collusionPlan(replicas, colluders, f, { view: 0, seq: 1, digest: d })?.h2; // who gets no pre-prepare
 * ```
 */
export function collusionPlan(
  replicas: readonly ActorId[],
  colluders: readonly ActorId[],
  f: number,
  at: { view: number; seq: number; digest: string },
): CollusionPlan | undefined {
  const honest = replicas.filter((r) => !colluders.includes(r));
  if (honest.length < 2) return undefined;
  const primaryOf = (v: number): ActorId => replicas[v % replicas.length];
  let target = at.view + 1;
  while (colluders.includes(primaryOf(target))) target++;
  // H1 gets what it needs to commit with every colluder's vote (the honest replicas' quorum,
  // 2f + 1 when n = 3f + 1, less c), H2 the rest, led by the target view's primary.
  const c = replicas.length - honest.length;
  const quorum = Math.ceil((replicas.length + f + 1) / 2);
  const h2Size = Math.max(1, Math.min(honest.length - 1, honest.length - (quorum - c)));
  const lead = primaryOf(target);
  const order = [lead, ...honest.slice(honest.indexOf(lead) + 1), ...honest.slice(0, honest.indexOf(lead))];
  const h2 = order.slice(0, h2Size);
  return { ...at, target, h1: honest.filter((r) => !h2.includes(r)), h2 };
}

/**
 * One colluder's books: the plan once the attack began, the H1 commits it has seen, and
 * whether it has led H2 away yet.
 *
 * @example
 * ```ts
 * const c = new Collusion();
 * ```
 */
export class Collusion {
  plan: CollusionPlan | undefined = undefined;
  readonly h1Commits = new Set<ActorId>();
  triggered = false;
}

type Ctx = ActorContext<{ readonly colluders?: readonly ActorId[] }>;

/**
 * What a colluder sends instead of what its honest replica sends: pre-prepares of the attack
 * view never reach H2, view changes forget the attack, evidence against a partner is never
 * sent. Returns undefined to drop the message.
 *
 * @example
 * ```ts
 * const m = colludeOutgoing(ctx, collusion, inner, to, message); if (m) ctx.send(to, m);
 * ```
 */
export function colludeOutgoing(ctx: Ctx, c: Collusion, inner: PbftReplicaState, to: ActorId, m: Message): Message | undefined {
  const partners = ctx.props.colluders ?? [ctx.self];
  if (m.kind === PBFT_KINDS.evidence) return partners.includes((m.body as { suspect?: string })?.suspect ?? '') ? undefined : m;
  if (m.kind === PBFT_KINDS.prePrepare) {
    const pp = m.body as PrePrepare;
    // The attack starts with this colluder's first pre-prepare as a primary.
    if (c.plan === undefined) begin(ctx, c, inner, pp);
    return c.plan !== undefined && pp.v === c.plan.view && c.plan.h2.includes(to) ? undefined : m;
  }
  if (m.kind === PBFT_KINDS.viewChange && c.plan !== undefined) {
    const vc = m.body as ViewChange;
    return { kind: m.kind, body: amnesiac(ctx, c.plan, inner, vc.v) };
  }
  return m;
}

/**
 * Watches what reaches a colluder before its honest replica sees it: a partner's first
 * pre-prepare as primary starts the attack, H1's commits (or H2 asking for a later view) time
 * the view change. Returns true for a message the honest replica must not see (evidence against
 * a partner).
 *
 * @example
 * ```ts
 * if (colludeObserve(ctx, collusion, inner, env)) return;
 * ```
 */
export function colludeObserve(ctx: Ctx, c: Collusion, inner: PbftReplicaState, env: Envelope): boolean {
  const partners = ctx.props.colluders ?? [ctx.self];
  const body = env.body as Record<string, unknown> | undefined;
  if (env.kind === PBFT_KINDS.evidence) return partners.includes(String(body?.suspect));
  if (
    env.kind === PBFT_KINDS.prePrepare &&
    c.plan === undefined &&
    partners.includes(env.from) &&
    typeof body?.v === 'number' &&
    inner.props.replicas[body.v % inner.props.n] === env.from
  ) {
    begin(ctx, c, inner, body as unknown as PrePrepare);
    return false;
  }
  const p = c.plan;
  if (p === undefined || c.triggered) return false;
  if (env.kind === PBFT_KINDS.commit && p.h1.includes(env.from)) {
    const vote = body as unknown as PhaseVote;
    if (vote?.v === p.view && vote.n === p.seq && vote.d === p.digest) c.h1Commits.add(env.from);
    if (c.h1Commits.size === p.h1.length) lead(ctx, c, inner, 'H1 committed');
  } else if (env.kind === PBFT_KINDS.viewChange && p.h2.includes(env.from) && typeof body?.v === 'number' && body.v > p.view) {
    lead(ctx, c, inner, `${env.from} asked for view ${body.v}`);
  }
  return false;
}

function begin(ctx: Ctx, c: Collusion, inner: PbftReplicaState, pp: PrePrepare): void {
  c.plan = collusionPlan(inner.props.replicas, ctx.props.colluders ?? [ctx.self], inner.props.f, { view: pp.v, seq: pp.n, digest: pp.d });
  // In the trace for whoever replays the run; the checkers read only what honest replicas emit.
  if (c.plan) ctx.emit({ type: 'collusion', phase: 'split', view: pp.v, seq: pp.n, digest: pp.d, h1: c.plan.h1, h2: c.plan.h2, target: c.plan.target });
}

/** Sends H2 an amnesiac view change for the target view (once). */
function lead(ctx: Ctx, c: Collusion, inner: PbftReplicaState, why: string): void {
  const p = c.plan!;
  c.triggered = true;
  ctx.emit({ type: 'collusion', phase: 'view-change', view: p.target, seq: p.seq, why });
  const vc = amnesiac(ctx, p, inner, p.target);
  for (const to of p.h2) ctx.send(to, { kind: PBFT_KINDS.viewChange, body: vc });
}

/**
 * A view change for `v`, signed by this colluder, from its replica's stable checkpoint, with
 * the prepared certificates below the attacked number only: what it prepared from there on it
 * "forgets", which no one can prove it saw.
 */
function amnesiac(ctx: Ctx, p: CollusionPlan, inner: PbftReplicaState, v: number): ViewChange {
  const prepared = preparedCerts(inner, p.seq);
  const sig = inner.props.signed ? ctx.sign(viewChangeText(v, inner.low, prepared, ctx.self)) : '';
  return { v, n: inner.low, proof: inner.stableProof, prepared, i: ctx.self, sig };
}
