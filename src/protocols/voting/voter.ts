import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { RiskLevel, Vote } from './types.ts';
import { ballot, type BallotSecurity } from './vote-security.ts';

/**
 * What a simulated voter is given at spawn. Its "opinion" is a noisy signal of the ground truth:
 * with probability `accuracy` it sees the best option, otherwise one of the others at random,
 * all drawn from its own seeded stream, so a seed reproduces every vote.
 *
 * @example
 * ```ts
 * await system.spawn('researcher_001', VOTER, { props: { role: 'researcher', accuracy: 0.8, truth: 'PostgreSQL' } satisfies VoterProps });
 * ```
 */
export interface VoterProps {
  readonly role: string;
  /** Probability of seeing the ground truth (default 0.7). */
  readonly accuracy?: number;
  /** The best option, when the scenario has one; without it the voter prefers options at random. */
  readonly truth?: string;
  /** Reasons this role gives; one is picked per vote. */
  readonly reasons?: readonly string[];
  /** Fields added to every vote (evidence level, peer review, risk assessment...), for policies that read them. */
  readonly voteFields?: Readonly<Record<string, unknown>>;
  /** The risk this agent perceives, reported with its vote (adaptive consensus can discover risk from it). */
  readonly riskView?: RiskLevel;
  /** The best option of each workflow stage that has its own (stage name -> option). */
  readonly stageTruths?: Readonly<Record<string, string>>;
  /** Sign and/or encrypt every ballot for the coordinator (the scenario's `security:`); see `ballot()`. */
  readonly ballot?: BallotSecurity;
}

/** The body of a `proposal` envelope: what a coordinator asks voters to decide. */
export interface ProposalMessage {
  readonly id: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly domain?: string;
  /** The workflow stage this proposal is for, if any. */
  readonly stage?: string;
}

const DEFAULT_REASONS = ['fits the requirements best', 'proven at this scale', 'the team knows it well', 'lowest operating risk', 'best long-term fit'];

/**
 * Picks this voter's choice for one proposal: the truth with probability `accuracy`, else
 * another option uniformly; with no truth known, any option uniformly. Returns the choice and
 * whether it was the truth (that shapes the confidence).
 */
function choose(options: readonly string[], truth: string | undefined, accuracy: number, random: () => number): { decision: string; sawTruth: boolean } {
  const known = truth !== undefined && options.includes(truth);
  if (known && random() < accuracy) return { decision: truth!, sawTruth: true };
  const others = known ? options.filter((o) => o !== truth) : options;
  return { decision: others[Math.floor(random() * others.length)] ?? options[0], sawTruth: false };
}

/**
 * A simulated agent that answers every `proposal` with a `vote` to whoever sent it. Stateless
 * apart from a count (a number state skips immer entirely, which keeps voters cheap), so a swarm
 * of them costs little more than the messages. Swap it for any behaviour that answers
 * `proposal` with `vote` (for example one backed by a real model).
 *
 * @example
 * ```ts
 * await system.spawn('coder_001', VOTER, { props: { role: 'coder', accuracy: 0.7, truth: 'PostgreSQL' } });
 * ```
 */
export const voter: Behaviour<number, VoterProps> = {
  init: () => 0,
  receive(count, env, ctx) {
    if (env.kind !== 'proposal') return count;
    const p = asProposal(env.body);
    if (p === undefined) return count;
    ctx.send(env.from, ballot(ctx, env.from, { decision: p.id, vote: honestVote(p, ctx) }, ctx.props.ballot));
    return count + 1;
  },
};

/**
 * A proposal body, if it is well formed (an adversary may send anything).
 *
 * @example
 * ```ts
 * const p = asProposal(env.body); if (p === undefined) return;
 * ```
 */
export function asProposal(body: unknown): ProposalMessage | undefined {
  const p = body as ProposalMessage;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && Array.isArray(p.options) && p.options.length > 0 ? p : undefined;
}

/**
 * The vote an honest simulated agent casts on a proposal: its noisy signal of the truth, a
 * reason of its role, a confidence that follows whether it saw the truth.
 *
 * @example
 * ```ts
 * ctx.send(env.from, { kind: 'vote', body: { decision: p.id, vote: honestVote(p, ctx) } });
 * ```
 */
export function honestVote(p: ProposalMessage, ctx: ActorContext<VoterProps>): Vote {
  const props = ctx.props;
  const truth = (p.stage !== undefined ? props.stageTruths?.[p.stage] : undefined) ?? props.truth;
  const { decision, sawTruth } = choose(p.options, truth, props.accuracy ?? 0.7, () => ctx.random());
  const reasons = props.reasons?.length ? props.reasons : DEFAULT_REASONS;
  return {
    ...props.voteFields,
    agent: ctx.self,
    role: props.role,
    decision,
    reason: reasons[Math.floor(ctx.random() * reasons.length)],
    // Seeing the truth makes an agent surer; a wrong signal leaves it hesitant.
    confidence: Math.round((sawTruth ? 0.6 + 0.4 * ctx.random() : 0.3 + 0.4 * ctx.random()) * 100) / 100,
    ...(props.riskView ? { risk: props.riskView } : {}),
  };
}
