/**
 * The hive's wire: one interface per message body, between the queen, the team leads and the
 * workers. A real agent put behind a worker role (`behaviour: { module, export }`) speaks this:
 * it answers `work` with a `result` to its lead (`props.lead`), and a `proposal` with a `vote`
 * to the sender (the voting protocol's ballot, see `src/protocols/voting/voter.ts`).
 */
import type { Coordination } from './coordination.ts';
import type { ObjectiveFeatures, Section, Subtask } from './types.ts';

/**
 * `objective`: what the queen is asked to achieve (an `ask`; the reply is the objective's report).
 *
 * @example
 * ```ts
 * const body: ObjectiveMessage = { objective: 'Document the API', features: { complexity: 0.6, novelty: 0.3, criticality: 0.8, sequentiality: 0.1 } };
 * ```
 */
export interface ObjectiveMessage {
  readonly objective: string;
  readonly features: ObjectiveFeatures;
  readonly sections?: readonly Section[];
}

/**
 * `work`: the queen hands a subtask to a worker (one attempt of it).
 *
 * @example
 * ```ts
 * const body: WorkMessage = { task, attempt: 1, coordination: { delayFactor: 1, qualityShift: 0 } };
 * ```
 */
export interface WorkMessage {
  readonly task: Subtask;
  readonly attempt: number;
  readonly coordination: Coordination;
}

/**
 * `result`: a worker's outcome on one attempt, sent to its lead; the lead passes it on to the
 * queen with its review (`reviewed`).
 *
 * @example
 * ```ts
 * const body: ResultMessage = { taskId: 't03', attempt: 1, worker: 'worker_01_02', quality: 0.8, failed: false, durationMs: 140 };
 * ```
 */
export interface ResultMessage {
  readonly taskId: string;
  readonly attempt: number;
  readonly worker: string;
  readonly quality: number;
  readonly failed: boolean;
  readonly durationMs: number;
  /** Set by the lead: `accepted`, or why it sent the work back. */
  readonly reviewed?: 'accepted' | 'failed' | 'below-review-bar';
}

/** Parses a `work` body (anything may arrive: a user's agent, an adversary). */
export function asWork(body: unknown): WorkMessage | undefined {
  const w = body as WorkMessage;
  return typeof w === 'object' &&
    w !== null &&
    typeof w.task === 'object' &&
    w.task !== null &&
    typeof w.task.id === 'string' &&
    Number.isInteger(w.attempt) &&
    typeof w.coordination === 'object'
    ? w
    : undefined;
}

/** Parses a `result` body. */
export function asResult(body: unknown): ResultMessage | undefined {
  const r = body as ResultMessage;
  return typeof r === 'object' &&
    r !== null &&
    typeof r.taskId === 'string' &&
    Number.isInteger(r.attempt) &&
    typeof r.quality === 'number' &&
    Number.isFinite(r.quality) &&
    typeof r.failed === 'boolean'
    ? r
    : undefined;
}
