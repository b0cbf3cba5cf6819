import type { Behaviour } from '../../actors/behaviour.ts';
import { fetchState, onCheckpoint, onFetchState, onState } from './checkpoints.ts';
import { onEvidence } from './detection.ts';
import {
  type Checkpoint,
  type Evidence,
  type NewView,
  PBFT_KINDS,
  type PbftProps,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  resolvePbftProps,
  type ViewChange,
} from './messages.ts';
import { onPhaseVote, onPrePrepare, onRequest } from './normal-case.ts';
import { type Ctx, PbftReplicaState, reject, viewTimeout } from './pbft-state.ts';
import { onNewView, onResendTimer, onViewChange, onViewTimer, startViewChange } from './view-change.ts';

export { PbftReplicaState } from './pbft-state.ts';

/**
 * A PBFT replica (Castro & Liskov, OSDI'99 / TOCS 2002) as an actor behaviour, the same code in
 * sim and threads modes: the normal case with request batching (`normal-case.ts`), checkpoints,
 * garbage collection and state transfer (`checkpoints.ts`), the view change with prepared
 * certificates and back-off (`view-change.ts`), and detection of equivocating or lying replicas
 * from their own signatures (`detection.ts`). Every protocol message is signed with the
 * runtime's `ctx.sign` (props `auth: 'none'` trusts channels instead); who sent a message is
 * the runtime-stamped `from`, which must be the replica it names.
 *
 * Trace events (what `src/check/pbft-safety.ts` reads): `pbft-committed {view, seq, digest,
 * requests}`, `pbft-executed {seq, request, result}`, `pbft-view {view, primary}`,
 * `pbft-view-change {view, reason}`, `pbft-checkpoint {seq, digest}`, `pbft-state-transfer
 * {seq, from}`, `pbft-detected {suspect, kind, phase, view, seq, evidence}` and
 * `pbft-rejected {from, kind, reason}` for every message refused.
 *
 * Not implemented: recovery of a crashed replica into a later view (a replica restarts in
 * view 0 with an empty state; it catches up only through checkpoints of that view), MACs for
 * the normal case (PBFT's authenticators: the runtime's stamped sender plays that part when
 * messages are not signed), read-only and tentative-execution optimisations.
 *
 * @example
 * ```ts
 * const replicas = ['p0', 'p1', 'p2', 'p3'];
 * for (const id of replicas) await sim.spawn(id, PBFT_REPLICA, { props: { replicas } satisfies PbftProps });
 * ```
 */
export const pbftReplica: Behaviour<PbftReplicaState, PbftProps> = {
  init: (ctx) => new PbftReplicaState(ctx.self, resolvePbftProps(ctx.props)),
  receive(state, env, ctx) {
    // A class instance is never drafted: `state` is the instance itself.
    const s = state as unknown as PbftReplicaState;
    dispatch(s, env.from, env.kind, env.body, ctx);
    while (s.replayFuture) {
      s.replayFuture = false;
      const waiting = s.future;
      s.future = [];
      for (const m of waiting) dispatch(s, m.from, m.kind, m.body, ctx);
    }
  },
};

function dispatch(s: PbftReplicaState, from: string, kind: string, body: unknown, ctx: Ctx): void {
  if (from === s.self) {
    // Timers: only a replica itself can make it suspect its primary.
    if (kind === PBFT_KINDS.requestTimer) {
      s.requestTimerArmed = false;
      if (s.active && s.pending.size > 0) startViewChange(s, ctx, s.view + 1, `${s.pending.size} requests waited ${viewTimeout(s)} ms`);
    } else if (kind === PBFT_KINDS.viewTimer) onViewTimer(s, ctx, body);
    else if (kind === PBFT_KINDS.resendTimer) onResendTimer(s, ctx);
    else if (kind === PBFT_KINDS.fetchTimer && s.lastExecuted < s.low) fetchState(s, ctx);
    return;
  }
  if (s.suspects.has(from)) return reject(ctx, from, kind, 'sender proven faulty: isolated');
  if (kind === PBFT_KINDS.request) return onRequest(s, ctx, from, body as PbftRequest);
  if (!s.isReplica.has(from)) return reject(ctx, from, kind, 'not a replica');
  switch (kind) {
    case PBFT_KINDS.prePrepare:
      return onPrePrepare(s, ctx, from, body as PrePrepare);
    case PBFT_KINDS.prepare:
    case PBFT_KINDS.commit:
      return onPhaseVote(s, ctx, from, kind, body as PhaseVote);
    case PBFT_KINDS.checkpoint:
      return onCheckpoint(s, ctx, from, body as Checkpoint);
    case PBFT_KINDS.viewChange:
      return onViewChange(s, ctx, from, body as ViewChange);
    case PBFT_KINDS.newView:
      return onNewView(s, ctx, from, body as NewView);
    case PBFT_KINDS.evidence:
      return onEvidence(s, ctx, from, body as Evidence);
    case PBFT_KINDS.fetchState:
      return onFetchState(s, ctx, from, body as { n?: unknown });
    case PBFT_KINDS.state:
      return onState(s, ctx, from, body as { n?: unknown; proof?: unknown; snapshot?: unknown });
    default:
      return reject(ctx, from, kind, 'unknown message kind');
  }
}
