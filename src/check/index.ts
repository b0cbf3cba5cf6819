/**
 * `conclave/check`: the checkers that judge a run from its trace — voting agreement, Raft and
 * PBFT safety, gossip agreement, termination, accounting, the hive's decisions — and their registry.
 */
export { checkVotingSafety } from './voting-agreement.ts';
export { RaftSafetyMonitor, checkRaftSafety } from './raft-safety.ts';
export { PbftSafetyMonitor, checkPbftSafety } from './pbft-safety.ts';
export { historyLines, historyOps } from './history-export.ts';
export { CHECKERS, RunCheckers, runCheckers } from './registry.ts';
export { TerminationMonitor, DEFAULT_TERMINATION_BOUND_MS } from './termination.ts';
export { checkAccounting } from './accounting.ts';
export { violationText } from './violation.ts';
export { GossipAgreementMonitor } from './gossip-agreement.ts';
export { HiveDecisionMonitor } from './hive-decisions.ts';
export type { VotingViolation } from './voting-agreement.ts';
export type { RaftViolation } from './raft-safety.ts';
export type { PbftViolation, PbftProperty } from './pbft-safety.ts';
export type { HistoryOp, HistoryOptions } from './history-export.ts';
export type { Checker, CheckerSpec, CheckerOptions, CheckReport, RunEnd } from './registry.ts';
export type { TerminationFinding } from './termination.ts';
export type { Books } from './accounting.ts';
export type { Violation, CheckKind, CheckedProtocol } from './violation.ts';
export type { GossipFinding } from './gossip-agreement.ts';
