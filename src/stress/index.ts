/**
 * Stress-testing: seeded random fault schedules per run, runs in parallel on a piscina pool,
 * the protocols' checkers over every trace, and what reproduces each failure.
 */
export { runStress } from './stress.ts';
export { runStressCase } from './run-case.ts';
export { drawScenario, drawRun, faultsFor, byzantineBound, family } from './schedule.ts';
export { shrinkScenario } from './shrink.ts';
export { raftCutAdversary } from './raft-search.ts';
export type { StressReport } from './stress.ts';
export type { StressOutcome } from './run-case.ts';
export type { StressPlan, StressFault } from './schedule.ts';
export type { RaftCutPolicy, RaftSearch } from './raft-search.ts';
export type { ShrinkOptions, ShrinkResult, ShrinkStep, ScenarioSize } from './shrink.ts';
