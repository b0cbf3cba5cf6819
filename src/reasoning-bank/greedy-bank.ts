import type { Arm, Choice, ConfigChooser, Outcome, TaskClass } from '../hive/chooser.ts';
import { createPrng } from '../scheduler/prng.ts';
import type { StoreDb } from '../store/open-store.ts';
import { addOutcome, armKey, describeArm, patternKey, readArms, setBestArm } from './pattern-store.ts';
import { checkOutcome } from './reasoning-bank.ts';

/** Below this stored success rate the greedy bank tries another configuration. */
const GREEDY_GOOD_ENOUGH = 0.5;

/**
 * The baseline the learning benchmark beats: a bank that stores each pattern's success rate and
 * applies the configuration with the best one, as users of the best-known implementation have
 * it. It explores only while nothing it has tried reaches a 50 % success rate (then it tries an
 * untried configuration at random), and never discounts, so it keeps the first configuration
 * that looked good. Same tables as the ReasoningBank (a separate store file in the benchmark).
 *
 * @example
 * ```ts
 * const greedy = new GreedyBank(openStore('greedy.db'));
 * const choice = greedy.choose(taskClass, candidates, 1);
 * ```
 */
export class GreedyBank implements ConfigChooser {
  readonly #db: StoreDb;
  readonly #now: () => number;

  constructor(db: StoreDb, o: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = o.now ?? Date.now;
  }

  close(): void {
    this.#db.close();
  }

  choose(taskClass: TaskClass, candidates: readonly Arm[], seed: number): Choice {
    if (candidates.length === 0) throw new RangeError(`GreedyBank.choose: no candidate configuration for task class "${taskClass.name}"`);
    const key = patternKey(taskClass.name);
    const tried = new Map(readArms(this.#db, key, 1).map((a) => [a.armKey, a]));
    let best: { arm: Arm; rate: number; uses: number } | undefined;
    for (const arm of candidates) {
      const a = tried.get(armKey(arm));
      if (!a) continue;
      const rate = a.successes / a.uses;
      if (best === undefined || rate > best.rate || (rate === best.rate && a.uses > best.uses)) best = { arm, rate, uses: a.uses };
    }
    const untried = candidates.filter((c) => !tried.has(armKey(c)));
    if ((best === undefined || best.rate < GREEDY_GOOD_ENOUGH) && untried.length > 0) {
      const arm = untried[Math.floor(createPrng(seed, key)() * untried.length)]!;
      return {
        arm,
        patternKey: key,
        reason: best ? `best stored success rate ${best.rate.toFixed(2)} is below ${GREEDY_GOOD_ENOUGH}: trying another` : 'no pattern yet: trying one',
      };
    }
    return { arm: best!.arm, patternKey: key, reason: `stored success rate ${best!.rate.toFixed(2)} over ${best!.uses} uses` };
  }

  record(taskClass: TaskClass, choice: Choice, outcome: Outcome): void {
    checkOutcome(outcome);
    this.#db
      .transaction(() => {
        addOutcome(this.#db, { taskClass, arm: choice.arm, outcome, reason: choice.reason, discount: 1, at: this.#now() });
        // What it applies next is what it just stored: the last configuration and its success rate.
        setBestArm(this.#db, choice.patternKey, choice.arm, describeArm(choice.arm));
      })
      .immediate();
  }
}
