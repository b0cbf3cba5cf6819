/**
 * Counting votes: the one piece of arithmetic every built-in policy shares. Pure: no I/O, no
 * randomness, no clock, so the same votes always give the same tally in sim and threads mode.
 */
import { ABSTAIN, type Vote } from './types.ts';

/**
 * How far apart two shares may be and still compare equal. Shares are ratios of sums of
 * floating-point weights, so 2/3 may come out as 0.6666666666666666 or 0.6666666666666667
 * depending on the order of additions; comparing with this slack makes thresholds behave the
 * same whichever way the rounding went.
 */
export const EPSILON = 1e-12;

/**
 * `share >= threshold`, tolerant of floating-point rounding.
 *
 * @example
 * ```ts
 * atLeast(2 / 3, 0.6666666666666667); // true, although 2/3 rounds to ...666
 * atLeast(0.66, 0.67); // false
 * ```
 */
export function atLeast(share: number, threshold: number): boolean {
  return share >= threshold - EPSILON;
}

/**
 * `share > threshold`, tolerant of floating-point rounding: a share that equals the threshold up
 * to rounding is not more than it.
 *
 * @example
 * ```ts
 * moreThan(0.5, 0.5); // false: exactly half is not a majority
 * moreThan(0.1 + 0.2, 0.3); // false, although 0.1 + 0.2 === 0.30000000000000004
 * ```
 */
export function moreThan(share: number, threshold: number): boolean {
  return share > threshold + EPSILON;
}

/**
 * The result of counting votes.
 *
 * @example
 * ```ts
 * const t: Tally = { byOption: { A: 3, B: 1 }, counted: 4, participants: 4, abstained: 2, invalid: 0, leader: 'A', leaderWeight: 3, tie: false };
 * ```
 */
export interface Tally {
  /** Total weight per option; every option is present, with 0 when nobody chose it. */
  readonly byOption: Record<string, number>;
  /** Total weight of the valid, non-abstaining votes: the denominator of a share. */
  readonly counted: number;
  /** Number of valid, non-abstaining votes. */
  readonly participants: number;
  readonly abstained: number;
  /** Votes whose decision is neither an option nor `'abstain'` (ignored, not counted). */
  readonly invalid: number;
  /** The option with the most weight (the first in option order on a tie); absent when no weight was counted. */
  readonly leader?: string;
  readonly leaderWeight: number;
  /** Another option has as much weight as the leader. */
  readonly tie: boolean;
}

/**
 * Counts `votes` for `options`, each weighing `weightOf(vote)`.
 *
 * Votes for something that is not an option are counted in `invalid` and otherwise ignored: an
 * adversary can send anything, and garbage must neither crash the count nor sway it. A weight that
 * is negative or not finite counts as 0 for the same reason. On a tie, `leader` is the tied option
 * that comes first in `options` (so the result is deterministic) and `tie` is set: policies never
 * call a tie consensus, because two outcomes would be equally justified.
 *
 * @example
 * ```ts
 * const t = tally(votes, ['A', 'B'], () => 1);
 * // 3 for A, 1 for B, 2 abstain -> { counted: 4, participants: 4, abstained: 2, leader: 'A', leaderWeight: 3, tie: false, ... }
 * ```
 */
export function tally(votes: readonly Vote[], options: readonly string[], weightOf: (vote: Vote) => number = () => 1): Tally {
  // Weights by option position: proposals have a handful of options, so a linear lookup beats
  // a dictionary (and allocates nothing per vote).
  const weights = new Array<number>(options.length).fill(0);
  let counted = 0;
  let participants = 0;
  let abstained = 0;
  let invalid = 0;
  for (const vote of votes) {
    const decision: unknown = vote?.decision;
    // Stryker disable next-line ConditionalExpression: `true` is equivalent (indexOf never finds a non-string among string options); `false` is killed
    const at = typeof decision === 'string' ? options.indexOf(decision) : -1;
    if (decision === ABSTAIN) abstained++;
    else if (at >= 0) {
      const raw = weightOf(vote);
      // Stryker disable next-line EqualityOperator: `>= 0` keeps a weight of 0 (or -0), which adds nothing either way; `<= 0` is killed
      const weight = Number.isFinite(raw) && raw > 0 ? raw : 0;
      weights[at] += weight;
      counted += weight;
      participants++;
    } else invalid++;
  }
  let most = 0;
  const byOption: Record<string, number> = {};
  for (let i = 0; i < options.length; i++) {
    const weight = weights[i];
    // An option named "__proto__" must become an own property, not reach the prototype.
    // Stryker disable next-line ConditionalExpression: `true` defines every option as the plain assignment would (same attributes); `false` is killed
    if (options[i] === '__proto__') Object.defineProperty(byOption, options[i], { value: weight, enumerable: true, writable: true, configurable: true });
    else byOption[options[i]] = weight;
    if (weight > most) most = weight;
  }
  // The leader is the first option within rounding of the heaviest; a tie is any other option
  // within rounding of the heaviest. Comparing each option with the leader so far only would let
  // a chain (A = 1, B = 1 + 0.6e-12, C = 1 + 1.2e-12: B within rounding of both, C not of A)
  // end with C leading alone, although B is within rounding of C. An option with no weight
  // neither leads nor ties (small weights are all within rounding of 0).
  let leader: string | undefined;
  let leaderWeight = 0;
  let tie = false;
  for (let i = 0; i < options.length; i++) {
    const weight = weights[i];
    if (weight <= 0 || !sameWeight(weight, most)) continue;
    if (leader === undefined) {
      leader = options[i];
      leaderWeight = weight;
    } else tie = true;
  }
  return { byOption, counted, participants, abstained, invalid, leader, leaderWeight, tie };
}

/** Equal up to rounding, relative to the magnitude of the weights. */
function sameWeight(a: number, b: number): boolean {
  return Math.abs(a - b) <= EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
}
