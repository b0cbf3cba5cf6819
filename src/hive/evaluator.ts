import type { Arm, Outcome, TaskClass } from './chooser.ts';
import { HIVE_TOPOLOGIES, type HiveTopology } from './coordination.ts';
import { EVALUATOR_WORKERS } from './hive-candidates.ts';
import { runHive } from './run-hive.ts';
import { QUEEN_TYPES, type QueenType } from './types.ts';
import { ConfigError } from '../errors.ts';

/** The quality an objective must reach to count as a success: higher when more rides on it. */
export function qualityBar(c: TaskClass): number {
  return 0.84 + 0.04 * (c.features.criticality ?? 0);
}

function armField<T extends string>(arm: Arm, key: string, allowed: readonly T[]): T {
  const v = arm[key];
  if (!(allowed as readonly unknown[]).includes(v)) throw new ConfigError(`arm.${key}`, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

/**
 * One objective of `taskClass` run by a simulated hive configured by `arm` (sim mode: same
 * arguments, same outcome). Success means every subtask done, no decision off the sound design,
 * and quality at least {@link qualityBar}. The class's `adversity` makes that share of the
 * workers Byzantine (the most skilled at decisions, lying in their ballots).
 *
 * @example
 * ```ts
 * const o = await runHiveObjective(hiveCandidates()[0], hiveTaskClasses()[0], 1);
 * o.success; o.quality; o.durationMs;
 * ```
 */
export async function runHiveObjective(arm: Arm, taskClass: TaskClass, seed: number): Promise<Outcome> {
  const topology = armField<HiveTopology>(arm, 'topology', HIVE_TOPOLOGIES);
  const consensus = armField(arm, 'consensus', ['weighted', 'byzantine', 'raft'] as const);
  const queen = armField<QueenType>(arm, 'queen', QUEEN_TYPES);
  const teamSize = arm.teamSize;
  if (!Number.isInteger(teamSize) || (teamSize as number) < 1 || (teamSize as number) > EVALUATOR_WORKERS)
    throw new ConfigError('arm.teamSize', `an integer from 1 to ${EVALUATOR_WORKERS}`, teamSize);
  const f = taskClass.features;
  const r = await runHive({
    objective: taskClass.name,
    seed,
    topology,
    consensus,
    queen,
    workers: EVALUATOR_WORKERS,
    teams: Math.ceil(EVALUATOR_WORKERS / (teamSize as number)),
    features: { complexity: f.complexity ?? 0.5, novelty: f.novelty ?? 0.5, criticality: f.criticality ?? 0.5, sequentiality: f.sequentiality ?? 0.2 },
    byzantine: { count: Math.round((f.adversity ?? 0) * EVALUATOR_WORKERS), types: ['false_information'] },
  });
  const o = r.objectives[0];
  const success = o.status === 'done' && o.unsound === 0 && o.quality >= qualityBar(taskClass);
  return {
    success,
    quality: o.quality,
    durationMs: o.durationMs,
    trajectory: [
      {
        step: `${queen} queen on ${topology}, ${consensus} decisions, teams of ${teamSize}`,
        outcome: `${o.done}/${o.subtasks} subtasks, ${o.failures} failed attempts, ${o.timeouts} timeouts`,
      },
      ...o.switches.map((s) => ({ step: s.what, outcome: s.reason })),
      { step: `${o.decisions} decision rounds`, outcome: o.unsound > 0 ? `${o.unsound} unsound` : o.undecided > 0 ? `${o.undecided} undecided` : 'all sound' },
    ],
  };
}
