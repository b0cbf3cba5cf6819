import { BASE_WORK_MS } from './worker-model.ts';
import type { Coordination } from './coordination.ts';
import type { Subtask, TaskKind, WorkerInfo } from './types.ts';
import { UNSKILLED } from './worker.ts';

/** A worker's skill at a kind (the unskilled default when it lists none). */
export function skillOf(w: WorkerInfo, kind: TaskKind): number {
  return w.skills[kind] ?? UNSKILLED;
}

/** How much a queued attempt counts against a worker when planning for quality (skill points per attempt ahead). */
const QUEUE_PENALTY = 0.04;
/** The least skill a tactical queen accepts from a free worker while a skilled one is free too. */
export const TACTICAL_MIN_SKILL = 0.35;

/**
 * The strategic choice: the most skilled worker at the kind, a little penalised for the work it
 * already has (quality first: a specialist with a short queue beats an idle generalist). Workers
 * in `avoid` (they failed this subtask before) are passed over while any other exists.
 *
 * @example
 * ```ts
 * const w = bestWorker(workers, 'code', load, []);
 * ```
 */
export function bestWorker(workers: readonly WorkerInfo[], kind: TaskKind, load: Readonly<Record<string, number>>, avoid: readonly string[]): WorkerInfo {
  const pool = workers.filter((w) => !avoid.includes(w.id));
  let best: WorkerInfo | undefined,
    score = -Infinity;
  for (const w of pool.length > 0 ? pool : workers) {
    const s = skillOf(w, kind) - QUEUE_PENALTY * (load[w.id] ?? 0);
    if (s > score) {
      score = s;
      best = w;
    }
  }
  return best!;
}

/**
 * The tactical choice: the most skilled of the workers that are free now (none queued), or
 * undefined when every worker is busy (the subtask waits for the next one to free up).
 *
 * @example
 * ```ts
 * const w = freeWorker(workers, 'test', load, []); // undefined: all busy
 * ```
 */
export function freeWorker(
  workers: readonly WorkerInfo[],
  kind: TaskKind,
  load: Readonly<Record<string, number>>,
  avoid: readonly string[],
): WorkerInfo | undefined {
  let best: WorkerInfo | undefined,
    score = -Infinity;
  for (const w of workers) {
    if ((load[w.id] ?? 0) > 0) continue;
    const s = skillOf(w, kind) - (avoid.includes(w.id) ? 1 : 0);
    if (s > score) {
      score = s;
      best = w;
    }
  }
  return best;
}

/**
 * The strategic queen's plan for the whole graph, made once up front: every subtask, in graph
 * order, on the best worker given what is already planned for it.
 *
 * @example
 * ```ts
 * const plan = planGraph(graph.subtasks, workers); // { t01: 'worker_02_01', ... }
 * ```
 */
export function planGraph(subtasks: readonly Subtask[], workers: readonly WorkerInfo[]): Record<string, string> {
  const planned: Record<string, number> = {};
  const plan: Record<string, string> = {};
  for (const t of subtasks) {
    const w = bestWorker(workers, t.kind, planned, []);
    plan[t.id] = w.id;
    planned[w.id] = (planned[w.id] ?? 0) + 1;
  }
  return plan;
}

/**
 * How long the queen waits for an attempt before it reassigns it: three times the expected
 * duration of everything ahead of it at that worker and of itself, plus slack for the relays.
 *
 * @example
 * ```ts
 * const ms = attemptTimeoutMs(task, 0.8, 2, { delayFactor: 1, qualityShift: 0 });
 * ```
 */
export function attemptTimeoutMs(task: Subtask, skill: number, ahead: number, c: Coordination): number {
  const expected = BASE_WORK_MS * (0.5 + 1.5 * task.complexity) * (1.6 - skill) * c.delayFactor;
  return Math.round(3 * expected * (ahead + 1) + 200);
}
