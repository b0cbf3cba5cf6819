/**
 * The built-in consensus policies, as factories of pure `Policy` objects. Each one tallies the
 * votes and then applies its rule; they differ only in how votes weigh, what the share is a share
 * of, and whether the threshold is strict.
 */
import { ConfigError } from '../../errors.ts';
import { atLeast, moreThan, tally, type Tally } from './tally.ts';
import type { Outcome, Policy, Proposal, Vote } from './types.ts';

/**
 * Options of `simpleMajority` and `supermajority`.
 *
 * @example
 * ```ts
 * const o: ThresholdOptions = { threshold: 0.75, minParticipants: 4 };
 * ```
 */
export interface ThresholdOptions {
  /** Share of the counted weight the leading option needs, in (0, 1]. */
  readonly threshold?: number;
  /** Fewer non-abstaining votes than this is never consensus: one voter is not a crowd. */
  readonly minParticipants?: number;
}

/**
 * Consensus iff at least `minParticipants` (default 2) voted for an option and the leader has
 * strictly more than `threshold` (default 0.5) of them: exactly half is not a majority. Abstentions
 * count neither as participants nor in the denominator. Invalid options are `path.threshold` and
 * `path.min_participants` in a ConfigError.
 *
 * @example
 * ```ts
 * const p = simpleMajority();
 * p.evaluate(proposal, votes); // 3 of 5 for A -> { consensus: true, decision: 'A', strength: 0.6, ... }
 * ```
 */
export function simpleMajority(options: ThresholdOptions = {}, path = 'consensus'): Policy {
  const threshold = checkThreshold(options.threshold ?? 0.5, path);
  const minParticipants = checkMinParticipants(options.minParticipants ?? 2, path);
  return {
    name: 'simple_majority',
    evaluate: (proposal, votes) => judge(tally(votes, proposal.options), { threshold, strict: true, minParticipants }),
  };
}

/**
 * Consensus iff at least `minParticipants` (default 3) voted for an option and the leader has at
 * least `threshold` (default 0.67) of them. Note that 2 of 3 (0.666...) is below the default
 * 0.67; pass `threshold: 2 / 3` if two thirds should do.
 *
 * @example
 * ```ts
 * supermajority().evaluate(proposal, votes); // 2 of 3 -> { consensus: false, reason: 'below threshold 0.67 (0.6667)', ... }
 * supermajority({ threshold: 2 / 3 }).evaluate(proposal, votes); // 2 of 3 -> consensus
 * ```
 */
export function supermajority(options: ThresholdOptions = {}, path = 'consensus'): Policy {
  const threshold = checkThreshold(options.threshold ?? 0.67, path);
  const minParticipants = checkMinParticipants(options.minParticipants ?? 3, path);
  return {
    name: 'supermajority',
    evaluate: (proposal, votes) => judge(tally(votes, proposal.options), { threshold, strict: false, minParticipants }),
  };
}

/**
 * Options of `weightedVoting`.
 *
 * @example
 * ```ts
 * const o: WeightedOptions = { threshold: 0.6, weigh: (vote, proposal) => weightFor(vote, proposal, config) };
 * ```
 */
export interface WeightedOptions extends ThresholdOptions {
  /** A vote's weight (>= 0; a negative or non-finite weight counts as 0). */
  readonly weigh: (vote: Vote, proposal: Proposal) => number;
}

/**
 * Consensus iff at least `minParticipants` (default 1) voted for an option and the leader has at
 * least `threshold` (default 0.6) of the total weight, each vote weighing `weigh(vote, proposal)`.
 *
 * @example
 * ```ts
 * const p = weightedVoting({ weigh: (v) => (v.role === 'researcher' ? 2 : 1) });
 * p.evaluate(proposal, votes); // researcher for A, coder for B -> { consensus: true, decision: 'A', strength: 0.6667, ... }
 * ```
 */
export function weightedVoting(options: WeightedOptions, path = 'consensus'): Policy {
  const threshold = checkThreshold(options?.threshold ?? 0.6, path);
  const minParticipants = checkMinParticipants(options?.minParticipants ?? 1, path);
  const weigh = options?.weigh;
  if (typeof weigh !== 'function') throw new ConfigError(`${path}.weigh`, 'a function (vote, proposal) => weight', weigh);
  return {
    name: 'weighted_voting',
    evaluate: (proposal, votes) =>
      judge(
        tally(votes, proposal.options, (v) => weigh(v, proposal)),
        { threshold, strict: false, minParticipants },
      ),
  };
}

/**
 * For high-risk decisions: consensus iff one option has strictly more than 2/3 of the votes of
 * the whole electorate (every expected voter, one vote each), or with a `threshold` above 2/3 at
 * least that share of it (a higher bar; a threshold at or below 2/3 leaves 2/3). Silent voters and abstainers count
 * against, so with n voters of which f < n/3 are faulty, the honest voters alone decide and no
 * two conflicting decisions can both pass. The electorate is `proposal.electorate` when it is a
 * whole number >= 1, else the `electorate` option; without either there is no consensus.
 *
 * @example
 * ```ts
 * const p = byzantineSupermajority({ electorate: 4 });
 * p.evaluate(proposal, votes); // 3 of 4 for A -> consensus (0.75 > 2/3); 4 of 6 would not be
 * ```
 */
export function byzantineSupermajority(options: { readonly electorate?: number; readonly threshold?: number } = {}, path = 'consensus'): Policy {
  const fallback = options.electorate;
  if (fallback !== undefined && !(Number.isInteger(fallback) && fallback >= 1)) {
    throw new ConfigError(`${path}.electorate`, 'an integer >= 1 (the number of expected voters)', fallback);
  }
  // A threshold above 2/3 raises the bar (at least that share of the electorate); at or below, 2/3 stands.
  const raised = options.threshold !== undefined && checkThreshold(options.threshold, path) > 2 / 3 ? options.threshold : undefined;
  const bar = raised === undefined ? { threshold: 2 / 3, strict: true, label: '2/3' } : { threshold: raised, strict: false, label: `${round(raised)}` };
  return {
    name: 'byzantine_supermajority',
    evaluate(proposal, votes) {
      const t = tally(votes, proposal.options);
      // Only a whole number of voters is an electorate: 0, a negative, NaN, Infinity or 2.5 (which
      // would let 2 votes of 2 pass as 0.8 of it) fall back to the option, as an absent one does.
      const given = proposal.electorate;
      const electorate = Number.isInteger(given) && (given as number) >= 1 ? (given as number) : fallback;
      // Stryker disable next-line ArithmeticOperator,BooleanLiteral: `why` decides the outcome, so threshold and strict are never read here
      if (electorate === undefined) return judge(t, { threshold: 2 / 3, strict: true, minParticipants: 1, denominator: 0, why: 'electorate unknown' });
      // More voters than expected means the electorate is stale; never let a share exceed 1.
      const denominator = Math.max(electorate, votes.length);
      return judge(t, { threshold: bar.threshold, strict: bar.strict, minParticipants: 1, denominator, label: `${bar.label} of electorate ${denominator}` });
    },
  };
}

interface Rule {
  readonly threshold: number;
  /** `share > threshold` instead of `share >= threshold`. */
  readonly strict: boolean;
  readonly minParticipants: number;
  /** What the leader's weight is a share of; the counted weight unless given. */
  readonly denominator?: number;
  /** How a reason names the threshold; `threshold <n>` unless given. */
  readonly label?: string;
  /** Forces a no-consensus reason. */
  readonly why?: string;
}

/** Applies a rule to a tally. */
function judge(t: Tally, rule: Rule): Outcome {
  const denominator = rule.denominator ?? t.counted;
  const strength = denominator > 0 ? t.leaderWeight / denominator : 0;
  const base = { decision: t.leader, strength, participants: t.participants, abstained: t.abstained, invalid: t.invalid };
  const reason = rule.why ?? whyNot(t, rule, strength);
  return reason ? { consensus: false, ...base, reason } : { consensus: true, ...base };
}

/** Why there is no consensus, or undefined if there is; checked in the order most useful to read. */
function whyNot(t: Tally, rule: Rule, strength: number): string | undefined {
  const need = rule.minParticipants;
  if (t.participants === 0) return `no participants, need ${need}`;
  if (t.participants < need) return `only ${t.participants} participant${t.participants === 1 ? '' : 's'}, need ${need}`;
  if (t.leader === undefined) return 'no weight counted';
  if (t.tie) return 'tie';
  if (rule.strict ? !moreThan(strength, rule.threshold) : !atLeast(strength, rule.threshold)) {
    return `${rule.strict ? 'not above' : 'below'} ${rule.label ?? `threshold ${round(rule.threshold)}`} (${strength.toFixed(4)})`;
  }
  return undefined;
}

function round(x: number): number {
  return Number(x.toFixed(4));
}

function checkThreshold(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new ConfigError(`${path}.threshold`, 'a number in (0, 1]', value);
  return value;
}

function checkMinParticipants(value: unknown, path: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new ConfigError(`${path}.min_participants`, 'an integer >= 1', value);
  return value as number;
}
