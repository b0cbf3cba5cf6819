import type { Prng } from '../scheduler/prng.ts';
import type { Coordination } from './coordination.ts';
import type { Subtask } from './types.ts';

/**
 * A simulated worker's effort on one subtask: how long it takes, how good the result is, and
 * whether it failed outright.
 *
 * @example
 * ```ts
 * const w: WorkDraw = { durationMs: 180, quality: 0.82, failed: false };
 * ```
 */
export interface WorkDraw {
  readonly durationMs: number;
  readonly quality: number;
  readonly failed: boolean;
}

/** Virtual ms a subtask of complexity 0 takes a perfectly skilled worker, before noise. */
export const BASE_WORK_MS = 100;

/** A standard normal draw (Box–Muller) from the seeded stream. */
function gaussian(rnd: Prng): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/**
 * Draws a simulated worker's effort from its skill at the subtask's kind, the subtask's
 * complexity and novelty, and the topology's coordination cost, with seeded noise: duration
 * grows with complexity and shrinks with skill (log-normal noise, sd 0.35); quality is the
 * skill less what complexity and novelty take from an unskilled worker (normal noise, sd 0.08);
 * the chance of failing outright grows with complexity where skill is lacking.
 *
 * @example
 * ```ts
 * drawWork(task, 0.9, { delayFactor: 1, qualityShift: 0 }, createPrng(1, 'w'));
 * ```
 */
export function drawWork(task: Subtask, skill: number, c: Coordination, rnd: Prng): WorkDraw {
  const gap = 1 - skill;
  const durationMs = Math.max(1, Math.round(BASE_WORK_MS * (0.5 + 1.5 * task.complexity) * (1.6 - skill) * c.delayFactor * Math.exp(0.35 * gaussian(rnd))));
  const raw = skill - 0.45 * task.complexity * gap - 0.25 * task.novelty * gap + c.qualityShift + 0.08 * gaussian(rnd);
  const quality = Math.round(Math.min(1, Math.max(0, raw)) * 1000) / 1000;
  const failed = rnd() < 0.02 + 0.3 * task.complexity * gap;
  return { durationMs, quality, failed };
}
