import { fileURLToPath } from 'node:url';
import type { ActorContext, Behaviour } from '../actors/behaviour.ts';
import type { ActorId, Message } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import { RAFT_KINDS, type AppendEntries, type AppendEntriesReply, type RaftProps } from '../protocols/raft/messages.ts';
import { raftNode } from '../protocols/raft/raft-node.ts';
import type { RaftNodeState } from '../protocols/raft/raft-state.ts';
import { deliverLate, holdBack, rewiredContext } from './rewired-context.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * What a Byzantine Raft node does to what the honest node inside it sends. Raft tolerates no
 * Byzantine node at all (it is crash-tolerant only), so these show what its checkers catch:
 * - `conflicting_votes`: votes twice: grants every RequestVote and PreVote in a term, to
 *   every candidate, whatever it already granted;
 * - `false_information`: claims to hold every entry a leader sends it (success, with the
 *   highest index of the AppendEntries), so a leader may count it towards a majority it lacks;
 * - `delayed_responses`: holds every message back for `delayMs`;
 * - `silent`: sends nothing.
 *
 * @example
 * ```ts
 * const kinds: RaftByzantineKind[] = ['conflicting_votes'];
 * ```
 */
export type RaftByzantineKind = 'conflicting_votes' | 'false_information' | 'delayed_responses' | 'silent';

/**
 * Every Byzantine kind a Raft node understands.
 *
 * @example
 * ```ts
 * RAFT_BYZANTINE_KINDS.includes('conflicting_votes'); // true
 * ```
 */
export const RAFT_BYZANTINE_KINDS: readonly RaftByzantineKind[] = Object.freeze(['conflicting_votes', 'false_information', 'delayed_responses', 'silent']);

/**
 * A Byzantine Raft node's props: an honest node's, plus what it does wrong.
 *
 * @example
 * ```ts
 * const props: ByzantineRaftProps = { peers: ['n1', 'n2', 'n3'], byzantine: ['false_information'] };
 * ```
 */
export interface ByzantineRaftProps extends RaftProps {
  readonly byzantine: readonly RaftByzantineKind[];
  /** How long `delayed_responses` holds a message (default 1,000 ms). */
  readonly delayMs?: number;
}

/** The adversary's books: the honest node it runs, and the last index each leader sent it. */
class RaftAdversary {
  inner!: RaftNodeState;
  late = 0;
  readonly claimed = new Map<ActorId, number>();
  constructor(readonly kinds: ReadonlySet<RaftByzantineKind>) {}
}

/** The honest node's context per adversary (a context cannot live in a snapshot-able state). */
const views = new WeakMap<RaftAdversary, ActorContext<RaftProps>>();

/**
 * An adversary outside the protocol: it runs the honest Raft node and rewrites what it sends.
 *
 * @example
 * ```ts
 * await sim.spawn('n3', BYZANTINE_RAFT, { props: { peers, byzantine: ['conflicting_votes'] } });
 * ```
 */
export const byzantineRaftNode: Behaviour<RaftAdversary, ByzantineRaftProps> = {
  init(ctx) {
    const a = new RaftAdversary(new Set(ctx.props.byzantine));
    const view = rewiredContext<RaftProps>(ctx as ActorContext<unknown>, (to, m) => outgoing(ctx, a, to, m));
    views.set(a, view);
    a.inner = raftNode.init(view) as RaftNodeState;
    return a;
  },
  receive(state, env, ctx) {
    const a = state as unknown as RaftAdversary;
    if (deliverLate(env, ctx as ActorContext<unknown>)) return;
    if (env.kind === RAFT_KINDS.appendEntries) {
      const ae = env.body as Partial<AppendEntries> | undefined;
      if (typeof ae?.prevLogIndex === 'number' && Array.isArray(ae.entries)) a.claimed.set(env.from, ae.prevLogIndex + ae.entries.length);
    }
    raftNode.receive(a.inner as unknown as Parameters<typeof raftNode.receive>[0], env, views.get(a)!);
  },
};

function outgoing(ctx: ActorContext<ByzantineRaftProps>, a: RaftAdversary, to: ActorId, m: Message): void {
  const k = a.kinds;
  if (k.has('silent')) return;
  let message = m;
  const body = m.body as Record<string, unknown>;
  if (k.has('conflicting_votes') && (m.kind === RAFT_KINDS.requestVoteReply || m.kind === RAFT_KINDS.preVoteReply))
    message = { kind: m.kind, body: { ...body, granted: true } };
  if (k.has('false_information') && m.kind === RAFT_KINDS.appendEntriesReply && a.claimed.has(to)) {
    const reply: AppendEntriesReply = {
      term: (body as unknown as AppendEntriesReply).term,
      success: true,
      matchIndex: a.claimed.get(to)!,
      ...(body.round !== undefined ? { round: body.round as number } : {}),
    };
    message = { kind: m.kind, body: reply };
  }
  if (k.has('delayed_responses')) holdBack(ctx as ActorContext<unknown>, ++a.late, ctx.props.delayMs ?? 1000, to, message);
  else ctx.send(to, message);
}

/**
 * The Byzantine Raft node as a behaviour reference (loadable in any host).
 *
 * @example
 * ```ts
 * await sim.spawn('n3', BYZANTINE_RAFT, { props });
 * ```
 */
export const BYZANTINE_RAFT: BehaviourRef = { module: fileURLToPath(moduleUrl('./byzantine-raft.ts', import.meta.url)), export: 'byzantineRaftNode' };
