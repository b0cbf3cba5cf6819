import type { Arm, Choice, ConfigChooser, TaskClass } from '../hive/chooser.ts';
import { fixedChooser } from '../hive/chooser.ts';
import { createPrng, hashString } from '../scheduler/prng.ts';
import { openStore } from '../store/open-store.ts';
import { GreedyBank } from './greedy-bank.ts';
import { armKey, patternKey } from './pattern-store.ts';
import { ReasoningBank } from './reasoning-bank.ts';
import { SYNTHETIC_TASK_CLASSES, syntheticCandidates, syntheticEvaluator, type Evaluator, type SyntheticPhase } from './synthetic-tasks.ts';

/** The choosers the learning benchmark compares. */
export const STRATEGIES = ['bank', 'greedy', 'fixed', 'random'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * The fixed configuration: the seed's own recommendation for its mastery project (hierarchical
 * topology, adaptive queen, Byzantine consensus), with the larger team.
 */
export const FIXED_ARM: Arm = { topology: 'hierarchical', consensus: 'byzantine', queen: 'adaptive', teamSize: 6 };

/** One session of one experiment variant, as the session process receives it (JSON on argv). */
export interface SessionSpec {
  /** 1, 2, ... */
  readonly session: number;
  readonly objectives: number;
  readonly seed: number;
  readonly phase: SyntheticPhase;
  /** Where this variant's stores live: `<dir>/bank.db`, `<dir>/greedy.db`. */
  readonly dir: string;
  readonly discount?: number;
  /** The bank's posterior sharpening and drift threshold (ReasoningBankOptions; defaults there). */
  readonly sharpen?: number;
  readonly driftThreshold?: number;
}

/** What one strategy did on one objective. */
export interface ObjectiveLog {
  readonly strategy: Strategy;
  readonly taskClass: string;
  readonly arm: string;
  readonly success: boolean;
  readonly durationMs: number;
}

/** The task classes of a session's objectives: drawn uniformly across the classes, seeded per session. */
export function planObjectives(seed: number, session: number, count: number, classes: readonly TaskClass[] = SYNTHETIC_TASK_CLASSES): TaskClass[] {
  const rnd = createPrng(seed, `learning/session-${session}`);
  return Array.from({ length: count }, () => classes[Math.floor(rnd() * classes.length)]!);
}

/**
 * Runs one session in this process: opens the variant's stores anew, and for every objective
 * lets each strategy choose, run (the same seeded objective for all: common random numbers, so
 * the strategies differ only by what they chose) and record. The stores are closed at the end.
 */
export async function runSession(spec: SessionSpec, evaluate: Evaluator = syntheticEvaluator(spec.phase)): Promise<ObjectiveLog[]> {
  const candidates = syntheticCandidates();
  const bank = new ReasoningBank(openStore(`${spec.dir}/bank.db`), { discount: spec.discount, sharpen: spec.sharpen, driftThreshold: spec.driftThreshold });
  const greedy = new GreedyBank(openStore(`${spec.dir}/greedy.db`));
  const pick = createPrng(spec.seed, `learning/random/${spec.session}`);
  const random: ConfigChooser = {
    choose: (cls, arms) => ({ arm: arms[Math.floor(pick() * arms.length)]!, patternKey: patternKey(cls.name), reason: 'random' }),
    record: () => {},
  };
  const choosers: Record<Strategy, ConfigChooser> = { bank, greedy, fixed: fixedChooser(FIXED_ARM), random };
  const log: ObjectiveLog[] = [];
  try {
    const plan = planObjectives(spec.seed, spec.session, spec.objectives);
    for (const [i, cls] of plan.entries()) {
      // Below 2^30: apart from the oracle's seeds.
      const objectiveSeed = hashString(`${spec.seed}/${spec.session}/${i}`) % 2 ** 30;
      for (const strategy of STRATEGIES) {
        const chooser = choosers[strategy];
        const choice: Choice = chooser.choose(cls, candidates, objectiveSeed);
        const outcome = await evaluate(choice.arm, cls, objectiveSeed);
        chooser.record(cls, choice, outcome);
        log.push({ strategy, taskClass: cls.name, arm: armKey(choice.arm), success: outcome.success, durationMs: outcome.durationMs });
      }
    }
  } finally {
    bank.close();
    greedy.close();
  }
  return log;
}
