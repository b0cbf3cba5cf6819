import { ConfigError } from '../../errors.ts';
import { algorithmForRisk, DEFAULT_ADAPTIVE, type AdaptiveMapping } from './adaptive.ts';
import { byzantineSupermajority, simpleMajority, supermajority, weightedVoting } from './builtin-policies.ts';
import { getPolicy, policyNames } from './policy-module.ts';
import type { Policy, Proposal, RiskLevel } from './types.ts';
import { weightFor, type WeightConfig } from './weights.ts';

/**
 * The built-in algorithm ids, as users type them. `adaptive` picks one of the others per
 * decision from its risk level.
 *
 * @example
 * ```ts
 * VOTING_ALGORITHMS.includes('supermajority'); // true
 * ```
 */
export const VOTING_ALGORITHMS = Object.freeze(['simple_majority', 'supermajority', 'weighted_voting', 'byzantine_supermajority', 'adaptive'] as const);

/** Protocols with their own conversation (not a vote count); other issues bring them. */
const OTHER_PROTOCOLS: Record<string, string> = {
  byzantine_tolerant: 'PBFT (byzantine_tolerant / pbft) runs among replicas and a client: runScenario and conclave run drive it, a voting Swarm does not',
  pbft: 'PBFT (byzantine_tolerant / pbft) runs among replicas and a client: runScenario and conclave run drive it, a voting Swarm does not',
  raft: 'Raft replicates a log through an elected leader: runScenario and conclave run drive it, a voting Swarm does not',
};

/**
 * The parameters a voting algorithm reads (a scenario's `consensus` block).
 *
 * @example
 * ```ts
 * const config: AlgorithmConfig = { algorithm: 'weighted_voting', threshold: 0.6, agent_weights: { tester: 2 } };
 * ```
 */
export interface AlgorithmConfig extends WeightConfig {
  readonly algorithm: string;
  readonly threshold?: number;
  readonly min_participants?: number;
  readonly dynamic_weights?: boolean;
  readonly adaptive?: Partial<AdaptiveMapping>;
}

/**
 * Checks an algorithm id (built-in or a registered custom policy) before a run starts.
 *
 * @example
 * ```ts
 * checkAlgorithm('simple_majorty'); // throws ConfigError at consensus.algorithm listing the known ids
 * ```
 */
export function checkAlgorithm(name: unknown, path = 'consensus.algorithm'): string {
  if (typeof name === 'string' && ((VOTING_ALGORITHMS as readonly string[]).includes(name) || getPolicy(name) !== undefined)) return name;
  // hasOwn, not `in`: "constructor" or "toString" named Object.prototype's function as the protocol to run.
  if (typeof name === 'string' && Object.hasOwn(OTHER_PROTOCOLS, name)) throw new ConfigError(path, `a voting algorithm: ${OTHER_PROTOCOLS[name]}`, name);
  const known = [...VOTING_ALGORITHMS, ...policyNames()].join(', ');
  throw new ConfigError(path, `one of ${known} (or a custom policy named in consensus.policy)`, name);
}

/** Which algorithm decides one proposal: the configured one, or for `adaptive` the one its risk calls for. */
export function algorithmFor(config: AlgorithmConfig, risk: RiskLevel | undefined): string {
  if (config.algorithm !== 'adaptive') return config.algorithm;
  return algorithmForRisk(risk, { ...DEFAULT_ADAPTIVE, ...config.adaptive });
}

/**
 * The policy that judges one decision. Parameters come from the config; `adaptive` sub-choices
 * use each algorithm's defaults. `weights` (dynamic weighting) replaces configured weights.
 *
 * @example
 * ```ts
 * const policy = policyFor('weighted_voting', config, { electorate: 5 });
 * policy.evaluate(proposal, votes);
 * ```
 */
export function policyFor(algorithm: string, config: AlgorithmConfig, context: { electorate: number; weights?: Readonly<Record<string, number>> }): Policy {
  const own = config.algorithm === algorithm;
  const options = { threshold: own ? config.threshold : undefined, minParticipants: own ? config.min_participants : undefined };
  switch (algorithm) {
    case 'simple_majority':
      return simpleMajority(options);
    case 'supermajority':
      return supermajority(options);
    case 'weighted_voting': {
      const dynamic = context.weights;
      const weigh = dynamic ? (v: { agent: string }) => dynamic[v.agent] ?? 1 : (v: Parameters<typeof weightFor>[0], p: Proposal) => weightFor(v, p, config);
      return weightedVoting({ ...options, minParticipants: options.minParticipants ?? 1, weigh });
    }
    case 'byzantine_supermajority':
      return byzantineSupermajority({ electorate: context.electorate, threshold: options.threshold });
  }
  const custom = getPolicy(algorithm);
  if (custom === undefined)
    throw new ConfigError('consensus.algorithm', `a known algorithm (${[...VOTING_ALGORITHMS, ...policyNames()].join(', ')})`, algorithm);
  return custom;
}
