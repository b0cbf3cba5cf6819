import { fileURLToPath } from 'node:url';
import type { Behaviour } from '../actors/behaviour.ts';
import type { Message } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { Vote } from '../protocols/voting/types.ts';
import { ballot, ballotText } from '../protocols/voting/vote-security.ts';
import { asProposal, honestVote, type VoterProps } from '../protocols/voting/voter.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * What a Byzantine voter does to the votes it would have cast:
 * - `conflicting_votes`: equivocates, sending two different votes for one decision;
 * - `false_information`: votes for an option it knows is not the best, fully confident;
 * - `delayed_responses`: holds its vote back for `delayMs`;
 * - `silent`: never votes;
 * - `random`: sends, besides its vote, arbitrary well-formed votes: for made-up decisions, for
 *   options that do not exist, with confidences out of range;
 * - `replay`: sends, with each vote, the vote it cast for the decision before, again;
 * - `forge_votes`: besides its own vote, sends one that names another voter as its author (for
 *   the option that voter is least likely to favour: the first one other than its own choice),
 *   signed with the only key it has, its own;
 * - `strip_signatures`: sends its ballots without their signature;
 * - `tamper_ciphertext`: changes one character of its encrypted ballots, as a meddling relay would;
 * - `unjustified`: votes without giving a reason.
 *
 * None of these draws on the actor's random stream beyond what the honest vote draws, so the
 * honest part of its behaviour is the honest voter's, vote for vote, under the same seed.
 *
 * @example
 * ```ts
 * const kinds: ByzantineKind[] = ['conflicting_votes', 'false_information'];
 * ```
 */
export type ByzantineKind =
  | 'conflicting_votes'
  | 'false_information'
  | 'delayed_responses'
  | 'silent'
  | 'random'
  | 'replay'
  | 'forge_votes'
  | 'strip_signatures'
  | 'tamper_ciphertext'
  | 'unjustified';

/**
 * Every Byzantine kind a voter understands, in the order error messages list them.
 *
 * @example
 * ```ts
 * BYZANTINE_KINDS.includes('silent'); // true
 * ```
 */
export const BYZANTINE_KINDS: readonly ByzantineKind[] = Object.freeze([
  'conflicting_votes',
  'false_information',
  'delayed_responses',
  'silent',
  'random',
  'replay',
  'forge_votes',
  'strip_signatures',
  'tamper_ciphertext',
  'unjustified',
]);

/**
 * The Byzantine kinds that attack the scenario's `security:` and `audit:` settings (signatures,
 * encryption, justification). Without those settings they do little (a forged vote is then its
 * sender's duplicate), so stress runs draw them only when they are named.
 *
 * @example
 * ```ts
 * SECURITY_BYZANTINE_KINDS.includes('forge_votes'); // true
 * ```
 */
export const SECURITY_BYZANTINE_KINDS: readonly ByzantineKind[] = Object.freeze(['forge_votes', 'strip_signatures', 'tamper_ciphertext', 'unjustified']);

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
      // Only its own timer: anyone else's "deliver-late" would make it send their words as its own.
      if (env.from !== ctx.self) return;
      const { to, message } = env.body as { to: string; message: Message };
      ctx.send(to, message);
      return;
    }
    if (env.kind !== 'proposal' || kinds.includes('silent')) return;
    const p = asProposal(env.body);
    if (p === undefined) return;
    const security = kinds.includes('strip_signatures') && ctx.props.ballot ? { ...ctx.props.ballot, sign: false } : ctx.props.ballot;
    const tamper = kinds.includes('tamper_ciphertext');
    const cast = (b: { decision: string; vote: Vote }): Message => (tamper ? tampered(ballot(ctx, env.from, b, security)) : ballot(ctx, env.from, b, security));
    let vote: Vote = honestVote(p, ctx);
    if (kinds.includes('unjustified')) vote = { ...vote, reason: '' };
    if (kinds.includes('false_information')) {
      // Push an option other than the truth, as sure as can be.
      const wrong = p.options.filter((o) => o !== ctx.props.truth);
      vote = {
        ...vote,
        decision: wrong[Math.floor(ctx.random() * wrong.length)] ?? vote.decision,
        confidence: 1,
        reason: 'overwhelming evidence (fabricated)',
      };
    }
    const body = { decision: p.id, vote };
    if (kinds.includes('delayed_responses')) {
      ctx.setTimer(`late:${p.id}`, ctx.props.delayMs ?? 1000, { kind: 'deliver-late', body: { to: env.from, message: cast(body) } });
    } else ctx.send(env.from, cast(body));
    if (kinds.includes('conflicting_votes')) {
      const other = p.options.find((o) => o !== vote.decision) ?? vote.decision;
      ctx.send(env.from, cast({ decision: p.id, vote: { ...vote, decision: other } }));
    }
    if (kinds.includes('forge_votes')) {
      const victim = ctx.members().find((m) => m !== ctx.self && m !== env.from);
      if (victim !== undefined) {
        const forged: Vote = { ...vote, agent: victim, decision: p.options.find((o) => o !== vote.decision) ?? vote.decision, confidence: 1 };
        // Signed as itself (the runtime signs as `ctx.self` and nobody else), then encrypted as usual.
        const signed = { decision: p.id, vote: forged, ...(security?.sign ? { signature: ctx.sign(ballotText(env.from, p.id, forged)) } : {}) };
        ctx.send(env.from, { kind: 'vote', body: security?.encrypt ? { sealed: ctx.encryptFor(env.from, JSON.stringify(signed)) } : signed });
      }
    }
    if (kinds.includes('replay') && state.last !== undefined) ctx.send(env.from, cast(state.last as { decision: string; vote: Vote }));
    if (kinds.includes('random')) {
      const noise = [
        { decision: `${p.id}-${Math.floor(ctx.random() * 1e6)}`, vote },
        { decision: p.id, vote: { ...vote, decision: `option-${Math.floor(ctx.random() * 1e6)}` } },
        { decision: p.id, vote: { ...vote, confidence: 1 + ctx.random() * 10 } },
      ];
      ctx.send(env.from, cast(noise[Math.floor(ctx.random() * noise.length)]));
    }
    state.last = body;
    state.count++;
  },
};

/**
 * `m` with one character of its encrypted ballot changed (to another base64 digit, so the text
 * still decodes: only the authentication tag can tell). A ballot in clear is left as it is.
 */
function tampered(m: Message): Message {
  const sealed = (m.body as { sealed?: unknown } | undefined)?.sealed;
  if (typeof sealed !== 'string') return m;
  const i = Math.floor(sealed.length / 2);
  return { kind: m.kind, body: { sealed: `${sealed.slice(0, i)}${sealed[i] === 'A' ? 'B' : 'A'}${sealed.slice(i + 1)}` } };
}

/**
 * The Byzantine voter as a behaviour reference (loadable in any host).
 *
 * @example
 * ```ts
 * await system.spawn('x', BYZANTINE_VOTER, { props });
 * ```
 */
export const BYZANTINE_VOTER: BehaviourRef = { module: fileURLToPath(moduleUrl('./byzantine-voter.ts', import.meta.url)), export: 'byzantineVoter' };
