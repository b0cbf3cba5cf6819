/**
 * A small reference tally for the built-in voting algorithms, written apart from the protocol's
 * policies (`src/protocols/voting/builtin-policies.ts`, `tally.ts`, `weights.ts`) so that the
 * tally checker never repeats a policy's bug (DESIGN.md property 7). It imports no protocol code,
 * only types. It is written to be read, not to be fast: one pass to weigh, one to find the leader,
 * then the rule, spelled out per algorithm in one table.
 *
 * The rules it holds the policies to:
 * - a vote for an option counts as a participant and adds its weight (a weight that is negative,
 *   NaN or infinite adds 0); `'abstain'` and votes for anything else count for nothing;
 * - the leader is the option with the most weight (the first in option order among those equal to
 *   it up to rounding); an option with no weight never leads nor ties; two options equal up to
 *   rounding are a tie, never consensus;
 * - the leader's share is its weight over the counted weight (byzantine_supermajority: over the
 *   whole electorate, one vote each, or the number of votes if more came);
 * - consensus needs at least `minParticipants` participants and the share above (strict) or at
 *   least (not strict) the threshold, up to rounding.
 */
import type { CoordinatorConsensus } from '../protocols/voting/coordinator.ts';

/** The built-in algorithms the reference knows, each with its defaults. */
const RULES = {
  simple_majority: { threshold: 0.5, strict: true, minParticipants: 2, ofElectorate: false },
  supermajority: { threshold: 0.67, strict: false, minParticipants: 3, ofElectorate: false },
  weighted_voting: { threshold: 0.6, strict: false, minParticipants: 1, ofElectorate: false },
  // Fixed: strictly more than 2/3 of the electorate, whatever the configuration says.
  byzantine_supermajority: { threshold: 2 / 3, strict: true, minParticipants: 1, ofElectorate: true },
} as const;

/**
 * An algorithm the reference tally can judge.
 *
 * @example
 * ```ts
 * const a: ReferenceAlgorithm = 'supermajority';
 * ```
 */
export type ReferenceAlgorithm = keyof typeof RULES;

/**
 * Whether `name` is one of the algorithms the reference tally judges.
 *
 * @example
 * ```ts
 * isReferenceAlgorithm('simple_majority'); // true
 * isReferenceAlgorithm('medical_consensus'); // false: a custom policy
 * ```
 */
export function isReferenceAlgorithm(name: string): name is ReferenceAlgorithm {
  return Object.hasOwn(RULES, name);
}

/** Rounding slack when comparing shares and weights (sums of floats are not exact). */
const ROUNDING = 1e-12;

/**
 * One recorded vote, as the trace has it.
 *
 * @example
 * ```ts
 * const b: Ballot = { agent: 'coder_001', role: 'coder', choice: 'A' };
 * ```
 */
export interface Ballot {
  readonly agent: string;
  readonly role: string;
  readonly choice: string;
}

/**
 * What the reference tally concludes: consensus or not, the value decided (null without
 * consensus) and the leader's share.
 *
 * @example
 * ```ts
 * const o: ReferenceOutcome = { consensus: true, value: 'A', strength: 0.75 };
 * ```
 */
export interface ReferenceOutcome {
  readonly consensus: boolean;
  readonly value: string | null;
  readonly strength: number;
}

/**
 * How one decision is judged: the algorithm, its configured threshold and minimum participants
 * (absent: the algorithm's defaults), the electorate, and what each ballot weighs (1 unless
 * given; only weighted voting weighs).
 *
 * @example
 * ```ts
 * const rule: ReferenceRule = { algorithm: 'weighted_voting', threshold: 0.6, electorate: 5, weight: (b) => (b.role === 'lead' ? 3 : 1) };
 * ```
 */
export interface ReferenceRule {
  readonly algorithm: ReferenceAlgorithm;
  readonly threshold?: number;
  readonly minParticipants?: number;
  readonly electorate: number;
  readonly weight?: (ballot: Ballot) => number;
}

/**
 * Judges `ballots` on a proposal with `options` by `rule`.
 *
 * @example
 * ```ts
 * const ballots = [{ agent: 'a', role: 'x', choice: 'A' }, { agent: 'b', role: 'x', choice: 'A' }, { agent: 'c', role: 'x', choice: 'B' }];
 * referenceTally({ algorithm: 'simple_majority', electorate: 3 }, ['A', 'B'], ballots); // { consensus: true, value: 'A', strength: 0.6667 }
 * referenceTally({ algorithm: 'supermajority', electorate: 3 }, ['A', 'B'], ballots); // { consensus: false, value: null, strength: 0.6667 }: 2/3 < 0.67
 * ```
 */
export function referenceTally(rule: ReferenceRule, options: readonly string[], ballots: readonly Ballot[]): ReferenceOutcome {
  const defaults = RULES[rule.algorithm];
  // byzantine_supermajority takes only a threshold above 2/3, which it needs reached (not exceeded).
  const raised = defaults.ofElectorate && rule.threshold !== undefined && rule.threshold > 2 / 3;
  const threshold = defaults.ofElectorate ? (raised ? rule.threshold! : defaults.threshold) : (rule.threshold ?? defaults.threshold);
  const strict = raised ? false : defaults.strict;
  const minParticipants = defaults.ofElectorate ? defaults.minParticipants : (rule.minParticipants ?? defaults.minParticipants);
  const weightOf = rule.algorithm === 'weighted_voting' && rule.weight ? rule.weight : () => 1;

  // 1. Weigh.
  const perOption = options.map(() => 0);
  let counted = 0;
  let participants = 0;
  for (const ballot of ballots) {
    const at = options.indexOf(ballot.choice);
    if (ballot.choice === 'abstain' || at < 0) continue;
    const w = weightOf(ballot);
    const weight = Number.isFinite(w) && w > 0 ? w : 0;
    perOption[at] += weight;
    counted += weight;
    participants++;
  }

  // 2. The leader: the most weight, the first in option order among those equal to it up to rounding
  // (the share of a tie is the first one's); a tie if another option has as much. An option with no
  // weight takes no part: with small weights (all within rounding of 0) it would otherwise tie with
  // every leader.
  const most = Math.max(0, ...perOption);
  let leader = -1;
  for (let i = 0; i < options.length && leader < 0; i++) if (perOption[i] > 0 && equalUpToRounding(perOption[i], most)) leader = i;
  const leaderWeight = leader < 0 ? 0 : perOption[leader];
  const tie = leader >= 0 && perOption.some((w, i) => i !== leader && w > 0 && equalUpToRounding(w, leaderWeight));

  // 3. The rule.
  const electorate = Number.isInteger(rule.electorate) && rule.electorate >= 1 ? rule.electorate : 0;
  const denominator = defaults.ofElectorate ? (electorate === 0 ? 0 : Math.max(electorate, ballots.length)) : counted;
  const strength = denominator > 0 ? leaderWeight / denominator : 0;
  const passes = strict ? strength > threshold + ROUNDING : strength >= threshold - ROUNDING;
  const consensus = denominator > 0 && participants >= minParticipants && leader >= 0 && !tie && passes;
  return { consensus, value: consensus ? options[leader] : null, strength };
}

function equalUpToRounding(a: number, b: number): boolean {
  return Math.abs(a - b) <= ROUNDING * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * What a ballot weighs under weighted voting, configured as in a scenario's `consensus:` block
 * (first match wins):
 * 1. dynamic weights are given -> the agent's dynamic weight (1 if it has none yet);
 * 2. the role's `agent_expertise` lists the proposal's domain -> that expertise weight, times `expert_weight` when set;
 * 3. the role has `agent_expertise` (for other domains) and `expert_weight` is set -> `regular_weight` (default 1);
 * 4. `agent_weights[role]`, else `regular_weight`, else 1.
 *
 * @example
 * ```ts
 * const weigh = referenceWeight({ agent_weights: { lead: 3 } }, 'architecture');
 * weigh({ agent: 'a', role: 'lead', choice: 'A' }); // 3
 * ```
 */
export function referenceWeight(
  config: Pick<CoordinatorConsensus, 'agent_weights' | 'agent_expertise' | 'expert_weight' | 'regular_weight'>,
  domain: string | undefined,
  dynamic?: Readonly<Record<string, number>>,
): (ballot: Ballot) => number {
  const regular = config.regular_weight ?? 1;
  return (ballot) => {
    if (dynamic !== undefined) return ownEntry(dynamic, ballot.agent) ?? 1;
    const expertise = ownEntry(config.agent_expertise, ballot.role);
    if (expertise !== undefined) {
      if (domain !== undefined && expertise.domains.includes(domain))
        return config.expert_weight === undefined ? expertise.weight : expertise.weight * config.expert_weight;
      if (config.expert_weight !== undefined) return regular;
    }
    return ownEntry(config.agent_weights, ballot.role) ?? regular;
  };
}

function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
