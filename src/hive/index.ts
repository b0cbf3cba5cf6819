/**
 * The hive: a queen, team leads and workers as actors; task-graph decomposition; queen types;
 * critical decisions by consensus; the sim evaluator the ReasoningBank learns on; sessions.
 * Each file holds one piece; this barrel names what is public.
 */
export { runHive, buildWorkers } from './run-hive.ts';
export { runHiveSession, taskClassOf, armOf } from './hive-session.ts';
export { resolveHiveOptions } from './hive-options.ts';
export { loadHiveScenario } from './hive-scenario.ts';
export { runHiveObjective, qualityBar } from './evaluator.ts';
export { hiveCandidates, hiveTaskClasses, EVALUATOR_WORKERS, TEAM_SIZES } from './hive-candidates.ts';
export { decompose } from './task-graph.ts';
export { coordination, HIVE_TOPOLOGIES } from './coordination.ts';
export { drawWork, BASE_WORK_MS } from './worker-model.ts';
export { hiveQueen, HIVE_QUEEN } from './queen.ts';
export { teamLead, TEAM_LEAD } from './team-lead.ts';
export { hiveWorker, workerWith, HIVE_WORKER, UNSKILLED } from './worker.ts';
export { byzantineHiveWorker, BYZANTINE_HIVE_WORKER } from './byzantine-worker.ts';
export { decisionAlgorithm, electorate, electorateSize, judgeRound, DECISION_OPTIONS, SOUND } from './decision-rules.ts';
export { topologyFor, adapt } from './adaptive-queen.ts';
export { QUEEN_TYPES, HIVE_CONSENSUS, TASK_KINDS, DECISION_KINDS, CRITICAL_AT } from './types.ts';
export { fixedChooser } from './chooser.ts';

export type { HiveRunReport } from './run-hive.ts';
export type { HiveSession } from './hive-session.ts';
export type { HiveOptions, ResolvedHiveOptions } from './hive-options.ts';
export type { ObjectiveReport } from './objective-report.ts';
export type { HiveTopology, Coordination } from './coordination.ts';
export type { WorkDraw } from './worker-model.ts';
export type { QueenProps, QueenState } from './queen-state.ts';
export type { TeamLeadProps } from './team-lead.ts';
export type { HiveWorkerProps } from './worker.ts';
export type { ByzantineHiveWorkerProps } from './byzantine-worker.ts';
export type { ObjectiveMessage, WorkMessage, ResultMessage } from './messages.ts';
export type { RoundVerdict } from './decision-rules.ts';
export type { QueenType, HiveConsensus, DecisionAlgorithm, TaskKind, ObjectiveFeatures, Subtask, TaskGraph, Section, WorkerInfo } from './types.ts';
export type { Arm, TaskClass, Outcome as HiveOutcome, Choice, ConfigChooser } from './chooser.ts';
