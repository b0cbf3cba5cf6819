import { fileURLToPath } from 'node:url';
import type { Behaviour } from '../actors/behaviour.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { Vote } from '../protocols/voting/types.ts';
import { asProposal, honestVote, type VoterProps } from '../protocols/voting/voter.ts';

/**
 * What a Byzantine voter does to the votes it would have cast:
 * - `conflicting_votes`: equivocates, sending two different votes for one decision;
 * - `false_information`: votes for an option it knows is not the best, fully confident;
 * - `delayed_responses`: holds its vote back for `delayMs`;
 * - `silent`: never votes;
 * - `random`: sends, besides its vote, arbitrary well-formed votes: for made-up decisions, for
 *   options that do not exist, with confidences out of range;
 * - `replay`: sends, with each vote, the vote it cast for the decision before, again.
 *
 * @example
 * ```ts
 * const kinds: ByzantineKind[] = ['conflicting_votes', 'false_information'];
 * ```
 */
export type ByzantineKind = 'conflicting_votes' | 'false_information' | 'delayed_responses' | 'silent' | 'random' | 'replay';

/**
 * Every Byzantine kind a voter understands, in the order error messages list them.
 *
 * @example
 * ```ts
 * BYZANTINE_KINDS.includes('silent'); // true
 * ```
 */
export const BYZANTINE_KINDS: readonly ByzantineKind[] = Object.freeze(['conflicting_votes', 'false_information', 'delayed_responses', 'silent', 'random', 'replay']);

/**
 * A Byzantine voter's props: an honest voter's, plus what it does wrong.
 *
 * @example
 * ```ts
 * const props: ByzantineVoterProps = { role: 'coder', truth: 'A', byzantine: ['false_information'] };
 * ```
 */
export interface ByzantineVoterProps extends VoterProps {
  readonly byzantine: readonly ByzantineKind[];
  /** How long `delayed_responses` holds a vote (default 1,000 ms). */
  readonly delayMs?: number;
}

/**
 * An adversary outside the protocol: it starts from the vote an honest agent would cast and
 * rewrites what it sends. The coordinator's code has no `if (byzantine)`; it only sees votes, and
 * the runtime-stamped sender means a lie is always the liar's own.
 *
 * @example
 * ```ts
 * await system.spawn('coder_002', BYZANTINE_VOTER, { props: { role: 'coder', truth: 'A', byzantine: ['conflicting_votes'] } });
 * ```
 */
export const byzantineVoter: Behaviour<{ count: number; last: unknown }, ByzantineVoterProps> = {
  init: () => ({ count: 0, last: undefined }),
  receive(state, env, ctx) {
    const kinds = ctx.props.byzantine;
    if (env.kind === 'deliver-late') {
      const { to, body } = env.body as { to: string; body: unknown };
      ctx.send(to, { kind: 'vote', body });
      return;
    }
    if (env.kind !== 'proposal' || kinds.includes('silent')) return;
    const p = asProposal(env.body);
    if (p === undefined) return;
    let vote: Vote = honestVote(p, ctx);
    if (kinds.includes('false_information')) {
      // Push an option other than the truth, as sure as can be.
      const wrong = p.options.filter((o) => o !== ctx.props.truth);
      vote = { ...vote, decision: wrong[Math.floor(ctx.random() * wrong.length)] ?? vote.decision, confidence: 1, reason: 'overwhelming evidence (fabricated)' };
    }
    const body = { decision: p.id, vote };
    if (kinds.includes('delayed_responses')) {
      ctx.setTimer(`late:${p.id}`, ctx.props.delayMs ?? 1000, { kind: 'deliver-late', body: { to: env.from, body } });
    } else ctx.send(env.from, { kind: 'vote', body });
    if (kinds.includes('conflicting_votes')) {
      const other = p.options.find((o) => o !== vote.decision) ?? vote.decision;
      ctx.send(env.from, { kind: 'vote', body: { decision: p.id, vote: { ...vote, decision: other } } });
    }
    if (kinds.includes('replay') && state.last !== undefined) ctx.send(env.from, { kind: 'vote', body: state.last });
    if (kinds.includes('random')) {
      const noise = [
        { decision: `${p.id}-${Math.floor(ctx.random() * 1e6)}`, vote },
        { decision: p.id, vote: { ...vote, decision: `option-${Math.floor(ctx.random() * 1e6)}` } },
        { decision: p.id, vote: { ...vote, confidence: 1 + ctx.random() * 10 } },
      ];
      ctx.send(env.from, { kind: 'vote', body: noise[Math.floor(ctx.random() * noise.length)] });
    }
    state.last = body;
    state.count++;
  },
};

/**
 * The Byzantine voter as a behaviour reference (loadable in any host).
 *
 * @example
 * ```ts
 * await system.spawn('x', BYZANTINE_VOTER, { props });
 * ```
 */
export const BYZANTINE_VOTER: BehaviourRef = { module: fileURLToPath(new URL('./byzantine-voter.ts', import.meta.url)), export: 'byzantineVoter' };
