import type { HiveTopology } from './coordination.ts';
import type { HiveConsensus, QueenType } from './types.ts';

/**
 * What a queen replies when an objective closes: plain data, stored as the session's result.
 *
 * @example
 * ```ts
 * const r: ObjectiveReport = await runHive(options).then((h) => h.objectives[0]);
 * console.log(r.status, r.quality, r.durationMs);
 * ```
 */
export interface ObjectiveReport {
  readonly objective: string;
  readonly status: 'done' | 'failed';
  readonly queenType: QueenType;
  readonly subtasks: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  /** Mean accepted quality over the subtasks done (an unsound decision counts at 0.3 of it). */
  readonly quality: number;
  /** From the objective's arrival to its close, on the run's clock. */
  readonly durationMs: number;
  readonly attempts: number;
  /** Attempts that failed or came back under the review bar. */
  readonly failures: number;
  readonly timeouts: number;
  readonly reassigned: number;
  readonly staleResults: number;
  readonly decisions: number;
  /** Decisions that ended without consensus after every round allowed (their subtask failed). */
  readonly undecided: number;
  /** Decisions that settled on an option other than the sound one. */
  readonly unsound: number;
  readonly equivocations: number;
  readonly topology: HiveTopology;
  readonly consensus: HiveConsensus;
  /** Re-plans of an adaptive queen: assignment, consensus or topology, with when (ms since the objective started) and why. */
  readonly switches: readonly { readonly at: number; readonly what: string; readonly reason: string }[];
}
