import type { Envelope } from '../actors/envelope.ts';
import type { HiveTopology } from './coordination.ts';
import type { ObjectiveMessage } from './messages.ts';
import type { DecisionAlgorithm, HiveConsensus, QueenType, Subtask, TaskKind, WorkerInfo } from './types.ts';

/**
 * A queen's props: how it plans and decides, the topology it starts on, and its teams.
 *
 * @example
 * ```ts
 * const props: QueenProps = { queenType: 'strategic', consensus: 'auto', topology: 'hierarchical', teamSize: 5, workers, maxAttempts: 3, decisionTimeoutMs: 2000 };
 * ```
 */
export interface QueenProps {
  readonly queenType: QueenType;
  readonly consensus: HiveConsensus;
  readonly topology: HiveTopology;
  readonly teamSize: number;
  readonly workers: readonly WorkerInfo[];
  /** Attempts per subtask before it fails (and the objective with it). */
  readonly maxAttempts: number;
  /** How long a decision round waits for votes (virtual ms in sim mode). */
  readonly decisionTimeoutMs: number;
}

/** Where one subtask stands. */
export interface TaskState {
  status: 'waiting' | 'ready' | 'running' | 'deciding' | 'done' | 'failed' | 'skipped';
  attempt: number;
  worker: string | null;
  tried: string[];
  quality: number;
}

/** An open decision: its electorate, its rounds so far and the current round's first votes. */
export interface DecisionState {
  task: string;
  kind: TaskKind;
  critical: boolean;
  algorithm: DecisionAlgorithm;
  electors: string[];
  round: string;
  tries: number;
  rounds: string[];
  votes: Record<string, string>;
}

/** What the queen counts while an objective runs. */
export interface QueenFigures {
  attempts: number;
  failures: number;
  timeouts: number;
  reassigned: number;
  staleResults: number;
  decisions: number;
  undecided: number;
  unsound: number;
  equivocations: number;
  switches: { at: number; what: string; reason: string }[];
}

/** A queen's state. One objective runs at a time; others wait in `pending`. */
export interface QueenState {
  requester: Envelope | null;
  pending: Envelope[];
  objective: ObjectiveMessage | null;
  startedAt: number;
  graph: Subtask[];
  tasks: Record<string, TaskState>;
  plan: Record<string, string>;
  load: Record<string, number>;
  /** How the queen assigns now (an adaptive queen changes it). */
  assign: 'strategic' | 'tactical';
  consensus: HiveConsensus;
  topology: HiveTopology;
  decisions: Record<string, DecisionState>;
  figures: QueenFigures;
  objectivesDone: number;
}
