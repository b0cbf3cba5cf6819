/**
 * What "best configuration" means, as one number: the success rate, plus a little for quality,
 * minus a price on time. The bank ranks arms by it, the oracle of the learning benchmark picks
 * each class's best arm by it, and regret is measured in it, so all three agree on the goal.
 */
export interface UtilityWeights {
  /** Added per unit of mean quality (quality is in [0, 1]). */
  readonly qualityWeight: number;
  /** Subtracted per `durationScaleMs` of mean duration. */
  readonly timeWeight: number;
  readonly durationScaleMs: number;
}

/**
 * Weights for objectives that take about a minute: a configuration twice as slow must be about
 * 15 points more likely to succeed to be worth it.
 */
export const DEFAULT_UTILITY: UtilityWeights = { qualityWeight: 0.2, timeWeight: 0.25, durationScaleMs: 60_000 };

/**
 * The utility of an arm with these expected figures.
 *
 * @example
 * ```ts
 * utility(0.9, 0.8, 30_000); // 0.9 + 0.16 - 0.125
 * ```
 */
export function utility(successRate: number, meanQuality: number, meanDurationMs: number, w: UtilityWeights = DEFAULT_UTILITY): number {
  return successRate + w.qualityWeight * meanQuality - (w.timeWeight * meanDurationMs) / w.durationScaleMs;
}
