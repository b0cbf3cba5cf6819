import type { Proposal, Vote } from './types.ts';
import { weightFor, type WeightConfig } from './weights.ts';

/** What of the coordinator's consensus settings a detailed vote reads (not the coordinator's type: that would import it back). */
type DetailConsensus = WeightConfig & { readonly algorithm: string; readonly dynamic_weights?: unknown };

/**
 * What `audit.detailed_logging: true` adds to a `vote` trace event: the whole vote as counted
 * (`body`: every field the voter sent, the policies' extra fields included), its signature when
 * ballots are signed (so the trace holds the voter's signed statement), and for weighted voting
 * the weight it counts with (dynamic weights: the agent's learnt weight when the vote came in).
 * The default vote event carries agent, role, vote, reason and confidence only.
 *
 * @example
 * ```ts
 * ctx.emit({ type: 'vote', decision: id, ...summaryFields, ...detailedVote(vote, openedBody, proposal, consensus, weights) });
 * ```
 */
export function detailedVote(
  vote: Vote,
  ballot: unknown,
  proposal: Proposal,
  consensus: DetailConsensus,
  weights: Readonly<Record<string, number>>,
): { body: Vote; signature?: string; weight?: number } {
  const signature = (ballot as { signature?: unknown } | undefined)?.signature;
  const weighted = consensus.algorithm === 'weighted_voting';
  const weight = !weighted
    ? undefined
    : consensus.dynamic_weights
      ? Object.hasOwn(weights, vote.agent)
        ? weights[vote.agent]
        : 1
      : weightFor(vote, proposal, consensus);
  return { body: vote, ...(typeof signature === 'string' ? { signature } : {}), ...(weight !== undefined ? { weight } : {}) };
}
