import type { Arm, Outcome, TaskClass } from '../hive/chooser.ts';
import { createPrng, type Prng } from '../scheduler/prng.ts';
import { normal } from './sampling.ts';

/**
 * A hive-shaped world to learn in, until the hive's own `runHiveObjective` is merged: six task
 * classes, 48 configurations (topology x consensus x queen x team size, the fields the hive's
 * arms have), and objectives whose success, quality and duration follow the trade-offs the hive
 * is built around: each topology's coordination cost and fit to the task's shape, consensus that
 * costs time but saves critical tasks, queens that trade quality for latency, bigger teams that
 * go faster on parallel work. Outcomes are noisy (a Bernoulli success, log-normal durations) so
 * that one trial does not tell the best arm, and each class has a different best arm.
 */

/** Runs one objective of a task class with an arm; the hive's `runHiveObjective` has this shape. */
export type Evaluator = (arm: Arm, taskClass: TaskClass, seed: number) => Promise<Outcome>;

const TOPOLOGIES = ['mesh', 'hierarchical', 'star', 'ring'] as const;
const CONSENSUS = ['weighted', 'byzantine'] as const;
const QUEENS = ['strategic', 'tactical', 'adaptive'] as const;
const TEAM_SIZES = [3, 6] as const;

/**
 * The 48 candidate configurations.
 *
 * @example
 * ```ts
 * syntheticCandidates()[0]; // { topology: 'mesh', consensus: 'weighted', queen: 'strategic', teamSize: 3 }
 * ```
 */
export function syntheticCandidates(): Arm[] {
  return TOPOLOGIES.flatMap((topology) =>
    CONSENSUS.flatMap((consensus) => QUEENS.flatMap((queen) => TEAM_SIZES.map((teamSize) => ({ topology, consensus, queen, teamSize })))),
  );
}

/** Six classes of documentation-system work (the seed's mastery project), features in [0, 1]. */
export const SYNTHETIC_TASK_CLASSES: readonly TaskClass[] = [
  { name: 'docs-api-reference', features: { complexity: 0.2, novelty: 0.1, criticality: 0.1, sequentiality: 0.3 } },
  { name: 'architecture-decision', features: { complexity: 0.9, novelty: 0.8, criticality: 0.9, sequentiality: 0.2 } },
  { name: 'security-review', features: { complexity: 0.7, novelty: 0.2, criticality: 1.0, sequentiality: 0.4 } },
  { name: 'tutorial-walkthrough', features: { complexity: 0.4, novelty: 0.3, criticality: 0.1, sequentiality: 0.95 } },
  { name: 'migration-guide', features: { complexity: 0.8, novelty: 0.1, criticality: 0.2, sequentiality: 0.5 } },
  { name: 'prototype-spike', features: { complexity: 0.6, novelty: 1.0, criticality: 0.05, sequentiality: 0.1 } },
];

/**
 * The world before (phase 0) and after (phase 1) a change: in phase 1 the topologies' fits and
 * costs trade places (mesh with hierarchical, star with ring) and so do the strategic and
 * tactical queens, as when a new worker pool with other strengths replaces the old one. The
 * non-stationary benchmark switches phase at a session and watches the bank recover.
 */
export type SyntheticPhase = 0 | 1;

const SWAPPED_TOPOLOGY: Record<string, string> = { mesh: 'hierarchical', hierarchical: 'mesh', star: 'ring', ring: 'star' };
const SWAPPED_QUEEN: Record<string, string> = { strategic: 'tactical', tactical: 'strategic', adaptive: 'adaptive' };

/** The expected figures of an arm on a class: the model the noisy objectives are drawn from. */
function model(arm: Arm, cls: TaskClass, phase: SyntheticPhase): { p: number; quality: number; durationMs: number } {
  const f = (n: string) => cls.features[n] ?? 0.5;
  const c = f('complexity'),
    n = f('novelty'),
    k = f('criticality'),
    q = f('sequentiality');
  const topology = phase === 1 ? SWAPPED_TOPOLOGY[String(arm.topology)] : String(arm.topology);
  const queen = phase === 1 ? SWAPPED_QUEEN[String(arm.queen)] : String(arm.queen);
  const team = Number(arm.teamSize);
  let z = 0;
  // Fit of the topology to the task's shape (the seed's rules: complex + novel -> mesh,
  // complex + delegated -> hierarchical, simple -> star, sequential -> ring).
  z +=
    topology === 'mesh'
      ? 2.2 * c * n - 0.8 * (1 - c)
      : topology === 'hierarchical'
        ? 1.8 * c * (1 - n) - 0.3
        : topology === 'star'
          ? 1.5 * (1 - c) - 1.3 * c
          : 2.2 * q - 1.2;
  // Weighted voting is cheap but lets a wrong critical decision through; PBFT-style byzantine
  // consensus holds on critical work and costs a little elsewhere.
  z += arm.consensus === 'weighted' ? -3 * k * k : 0.4 * k - 0.25;
  z += queen === 'strategic' ? 1.1 * c - 0.4 : queen === 'tactical' ? 0.7 * (1 - c) - 0.25 : 1.0 * n - 0.35;
  z += team >= 6 ? 0.9 * c - 0.45 : 0;
  // The effects are scaled so that configuration matters (a class's worst arms succeed a third
  // of the time or less, its best 90 % and more) while near-best arms stay within a few points.
  const p = 1 / (1 + Math.exp(-(0.9 + EFFECT_SCALE * z)));
  const coordination = topology === 'mesh' ? 1 + 0.06 * team : topology === 'hierarchical' ? 1.15 : topology === 'star' ? 1 + 0.5 * c : 1 + 0.8 * (1 - q);
  const consensusCost = arm.consensus === 'byzantine' ? 1.15 + 0.2 * k : 1;
  const queenCost = queen === 'strategic' ? 1.2 : queen === 'tactical' ? 0.85 : 1;
  const teamSpeed = team >= 6 ? 1 - 0.3 * (1 - q) : 1;
  const durationMs = 30_000 * (0.5 + c) * coordination * consensusCost * queenCost * teamSpeed;
  const quality = Math.min(1, 0.45 + 0.35 * p + (queen === 'strategic' ? 0.1 : queen === 'tactical' ? -0.08 : 0));
  return { p, quality, durationMs };
}

const EFFECT_SCALE = 1.6;

/** Log-normal spread of durations: one objective may take 40 % longer or shorter than the mean. */
const DURATION_SIGMA = 0.35;

/**
 * An evaluator for a phase of the synthetic world: seeded, so the same (arm, class, seed) gives
 * the same outcome.
 *
 * @example
 * ```ts
 * const run = syntheticEvaluator();
 * const outcome = await run(syntheticCandidates()[0], SYNTHETIC_TASK_CLASSES[0], 1);
 * ```
 */
export function syntheticEvaluator(phase: SyntheticPhase = 0): Evaluator {
  return async (arm, cls, seed) => syntheticOutcome(arm, cls, seed, phase);
}

/** The same as {@link syntheticEvaluator}, synchronously (the oracle runs hundreds of thousands). */
export function syntheticOutcome(arm: Arm, cls: TaskClass, seed: number, phase: SyntheticPhase = 0): Outcome {
  const m = model(arm, cls, phase);
  const rnd: Prng = createPrng(seed, `synthetic/${cls.name}/${JSON.stringify(arm)}`);
  const success = rnd() < m.p;
  const durationMs = m.durationMs * Math.exp(DURATION_SIGMA * normal(rnd) - (DURATION_SIGMA * DURATION_SIGMA) / 2);
  const quality = Math.max(0, Math.min(1, (success ? m.quality : m.quality * 0.5) + 0.12 * normal(rnd)));
  return {
    success,
    quality,
    durationMs,
    trajectory: [
      { step: `plan with a ${arm.queen} queen`, outcome: 'planned' },
      { step: `work in ${arm.topology} teams of ${arm.teamSize}`, outcome: success ? 'done' : 'failed' },
      { step: `decide by ${arm.consensus} consensus`, outcome: success ? 'agreed' : 'rejected' },
    ],
  };
}
