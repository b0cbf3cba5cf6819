import type { Arm, TaskClass } from '../hive/chooser.ts';
import { armKey } from './pattern-store.ts';
import type { Evaluator } from './synthetic-tasks.ts';
import { DEFAULT_UTILITY, utility, type UtilityWeights } from './utility.ts';

/** What exhaustive evaluation measured for one arm on one class. */
export interface ArmEstimate {
  readonly arm: Arm;
  readonly successRate: number;
  readonly quality: number;
  readonly durationMs: number;
  readonly utility: number;
}

/** Per class (by name): every arm's estimate by arm key, and the best arm's. */
export type Oracle = ReadonlyMap<string, { readonly arms: ReadonlyMap<string, ArmEstimate>; readonly best: ArmEstimate }>;

/**
 * The oracle of the learning benchmark: every arm run `trials` times on every class (seeds 0 ..
 * trials - 1, apart from any seed a session uses), the best arm per class the one with the
 * highest measured utility. Costly on purpose: it is what a learner must approach without.
 *
 * @example
 * ```ts
 * const oracle = await computeOracle(syntheticEvaluator(), SYNTHETIC_TASK_CLASSES, syntheticCandidates(), 300);
 * oracle.get('docs-api-reference')!.best.arm;
 * ```
 */
export async function computeOracle(
  evaluate: Evaluator,
  classes: readonly TaskClass[],
  candidates: readonly Arm[],
  trials: number,
  w: UtilityWeights = DEFAULT_UTILITY,
): Promise<Oracle> {
  const out = new Map<string, { arms: Map<string, ArmEstimate>; best: ArmEstimate }>();
  for (const cls of classes) {
    const arms = new Map<string, ArmEstimate>();
    let best: ArmEstimate | undefined;
    for (const arm of candidates) {
      let s = 0,
        q = 0,
        d = 0;
      for (let i = 0; i < trials; i++) {
        const o = await evaluate(arm, cls, ORACLE_SEED_BASE + i);
        s += o.success ? 1 : 0;
        q += o.quality;
        d += o.durationMs;
      }
      const e: ArmEstimate = {
        arm,
        successRate: s / trials,
        quality: q / trials,
        durationMs: d / trials,
        utility: utility(s / trials, q / trials, d / trials, w),
      };
      arms.set(armKey(arm), e);
      if (best === undefined || e.utility > best.utility) best = e;
    }
    out.set(cls.name, { arms, best: best! });
  }
  return out;
}

/** Oracle trials use seeds from here up; sessions' objectives use seeds below 2^30 (see learning-session.ts). */
const ORACLE_SEED_BASE = 2 ** 30;
