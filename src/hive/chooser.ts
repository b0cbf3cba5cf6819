/**
 * How a hive picks the configuration it runs an objective with, and learns from the outcome.
 *
 * The hive (queen, teams, workers) and the ReasoningBank meet only here: the hive asks a chooser
 * for one of a set of candidate configurations for a task class, runs with it, and reports what
 * happened. A fixed chooser (always the same arm) is the baseline; the ReasoningBank is the one
 * that learns across sessions. Arms are plain records so the bank stays generic over what a
 * configuration holds (topology, consensus, queen type, team size, ...).
 */

/** One candidate configuration: JSON-safe scalar fields only, compared by their canonical JSON. */
export type Arm = Readonly<Record<string, string | number | boolean>>;

/** What characterises a class of tasks; similar classes share what was learned. */
export interface TaskClass {
  /** A stable name (for example `docs-api-reference`), also the default pattern key's tail. */
  readonly name: string;
  /** Numeric features in [0, 1] (for example complexity, novelty, criticality, sequentiality). */
  readonly features: Readonly<Record<string, number>>;
}

/** The outcome of running one objective of a task class with one arm. */
export interface Outcome {
  readonly success: boolean;
  /** In [0, 1]. */
  readonly quality: number;
  /** Wall or virtual ms the objective took, whichever the run measures. */
  readonly durationMs: number;
  /** What was tried, in order, with what result (kept as the pattern's trajectory). */
  readonly trajectory?: readonly { readonly step: string; readonly outcome: string }[];
}

/** A choice and why it was made (printed by `hive-mind spawn`). */
export interface Choice {
  readonly arm: Arm;
  /** `reasoning-bank/pattern/<name>` the choice came from or will be stored under. */
  readonly patternKey: string;
  /** One line: for example "sampled from 14 uses, posterior mean 0.82" or "fixed configuration". */
  readonly reason: string;
}

export interface ConfigChooser {
  /** `seed` makes the choice reproducible; the same seed and the same stored state choose the same arm. */
  choose(taskClass: TaskClass, candidates: readonly Arm[], seed: number): Choice;
  /** Durable when it returns: a process killed after `record` returned keeps the update. */
  record(taskClass: TaskClass, choice: Choice, outcome: Outcome): void;
}

/** The baseline: always the same arm (the first candidate unless one is given). */
export function fixedChooser(arm?: Arm): ConfigChooser {
  return {
    choose: (taskClass, candidates) => {
      const chosen = arm ?? candidates[0];
      if (chosen === undefined) throw new RangeError('fixedChooser: no candidate configuration to choose from');
      return { arm: chosen, patternKey: `reasoning-bank/pattern/${taskClass.name}`, reason: 'fixed configuration' };
    },
    record: () => {},
  };
}
