import type { Arm, TaskClass } from './chooser.ts';
import { HIVE_TOPOLOGIES } from './coordination.ts';
import { QUEEN_TYPES } from './types.ts';

/** The workers every evaluated objective has (teams of `teamSize` of them). */
export const EVALUATOR_WORKERS = 12;

/** Team sizes an arm may have. */
export const TEAM_SIZES: readonly number[] = Object.freeze([3, 6]);

/**
 * The candidate configurations: topology (4) × consensus (weighted, byzantine) × queen type (3) ×
 * team size (3, 6) = 48 arms, in a fixed order.
 *
 * @example
 * ```ts
 * hiveCandidates()[0]; // { topology: 'mesh', consensus: 'weighted', queen: 'strategic', teamSize: 3 }
 * ```
 */
export function hiveCandidates(): Arm[] {
  const arms: Arm[] = [];
  for (const topology of HIVE_TOPOLOGIES)
    for (const consensus of ['weighted', 'byzantine'])
      for (const queen of QUEEN_TYPES) for (const teamSize of TEAM_SIZES) arms.push(Object.freeze({ topology, consensus, queen, teamSize }));
  return arms;
}

/**
 * The task classes of the learning benchmark: features in [0, 1] (complexity, novelty,
 * criticality, sequentiality, adversity: the share of the decision experts that lie), each
 * calling for a different configuration by the coordination model and the decision rules.
 *
 * @example
 * ```ts
 * hiveTaskClasses().map((c) => c.name); // ['docs-routine', 'research-novel', ...]
 * ```
 */
export function hiveTaskClasses(): TaskClass[] {
  const c = (name: string, complexity: number, novelty: number, criticality: number, sequentiality: number, adversity: number): TaskClass =>
    Object.freeze({ name, features: Object.freeze({ complexity, novelty, criticality, sequentiality, adversity }) });
  return [
    c('docs-routine', 0.15, 0.15, 0.2, 0.2, 0),
    c('research-novel', 0.9, 0.9, 0.3, 0.1, 0),
    c('platform-delegated', 0.85, 0.3, 0.45, 0.1, 0),
    c('release-pipeline', 0.45, 0.2, 0.3, 0.95, 0),
    c('security-hostile', 0.55, 0.4, 0.9, 0.2, 0.17),
    c('hotfix-hostile', 0.3, 0.2, 0.7, 0.6, 0.17),
  ];
}
