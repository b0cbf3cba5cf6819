/**
 * Conclave's public API: everything, as one entry. Each layer also has an entry of its own
 * (package.json `exports`: `conclave/actors`, `conclave/system`, `conclave/protocols`,
 * `conclave/check`, `conclave/adversary`, ...), whose barrel names its exports one by one; what
 * sits above the layers (scenarios, swarms, benches, the store, the hive) is named here.
 */
export * from './actors/index.ts';
export * from './system/index.ts';
export * from './protocols/index.ts';
export * from './check/index.ts';
export * from './adversary/index.ts';
export { buildTopology, TOPOLOGY_KINDS } from './topologies/index.ts';
export { selectTopology, validateSelectionRules, DEFAULT_SELECTION_RULES } from './topologies/index.ts';
export { Swarm } from './swarm/swarm.ts';
export { runScenario } from './swarm/run-scenario.ts';
export { planSwarm, COORDINATOR_ID } from './swarm/build-swarm.ts';
export { loadScenarioFile, parseScenario, parseLegacyConfig, DEFAULT_SCENARIO_TEXT, estimateFootprint, SCENARIO_LIMITS } from './scenario/index.ts';
export { AlertWatcher } from './monitoring/alert-watcher.ts';
export { enterpriseLines } from './monitoring/enterprise-text.ts';
export { POLICY_CLASSES } from './scenario/decision-policies.ts';
export { raftDriver } from './swarm/raft-driver.ts';
export { votingDriver } from './swarm/voting-driver.ts';
export { ScenarioRun } from './swarm/scenario-run.ts';
export { driverFor, driverForConsensus } from './swarm/drivers.ts';
export { pbftDriver } from './swarm/pbft-driver.ts';
export { gossipDriver } from './swarm/gossip-driver.ts';
export {
  runBench,
  benchTable,
  benchHtml,
  benchGroup,
  parseBenchFaults,
  faultTolerance,
  NO_FAULTS,
  BENCH_ALGORITHMS,
  BENCH_REPORT_VERSION,
} from './bench/index.ts';
export {
  readBenchFile,
  parseBenchFile,
  analyzeBench,
  analyzeMicro,
  compareBenchReports,
  compareMicroResults,
  noiseFindings,
  NOISE_CV_THRESHOLD,
  rankBySize,
  recommend,
  optimizeTarget,
  OPTIMIZE_TARGETS,
  taskTypeRule,
  TASK_TYPE_NAMES,
} from './analyze/index.ts';
export {
  ConclaveError,
  UnknownBehaviourError,
  BehaviourLoadError,
  DuplicateActorError,
  InvalidActorIdError,
  ActorInitError,
  UnknownActorError,
  InvalidMessageError,
  AskTimeoutError,
  UndeliverableError,
  HostCrashedError,
  SystemStoppedError,
  SettleTimeoutError,
  ConfigError,
  NoTopologyError,
  ScenarioError,
  CoordinatorFailedError,
  ScenarioTooLargeError,
} from './errors.ts';

export type { Member, RouteGraph, TopologyKind, TopologySpec, TaskDescriptor, SelectionRule, Selection, Level } from './topologies/index.ts';
export type { RunOptions, ScenarioResult } from './swarm/run-scenario.ts';
export type { AlertRecord, AlertRule } from './monitoring/alert-record.ts';
export type { DecisionPolicy, DecisionPolicies, PolicyClass } from './scenario/decision-policies.ts';
export type { MonitoringConfig } from './scenario/monitoring.ts';
export type { RunFailure, HostCrashReport } from './swarm/report.ts';
export type { SwarmPlan } from './swarm/build-swarm.ts';
export type { EpochFigures } from './swarm/epoch-figures.ts';
export type { Scenario, AgentGroup, ConsensusConfig, TaskConfig, StageConfig, ScheduleEntry } from './scenario/index.ts';
export type { SecuritySettings, AuditSettings } from './scenario/security-settings.ts';
export type { RaftFigures } from './swarm/raft-figures.ts';
export type { ProtocolDriver, ProtocolRun, DriverSetup, FinishedRun, Workload, TraceContext } from './swarm/protocol-driver.ts';
export type { PbftFigures } from './swarm/pbft-figures.ts';
export type {
  BenchPlan,
  BenchReport,
  BenchMeta,
  BenchGroup,
  MeasuredGroup,
  BenchIteration,
  BenchFaults,
  FaultTolerance,
  BenchAlgorithm,
  RunBenchOptions,
} from './bench/index.ts';
export type {
  BenchFile,
  MicroResults,
  BenchAnalysis,
  MicroAnalysis,
  Comparison,
  MetricChange,
  Verdict,
  NoiseFinding,
  SizeRanking,
  Recommendation,
  Parameter,
  OptimizeTarget,
  TaskTypeRule,
  BenchSource,
} from './analyze/index.ts';
// The run store: record runs in SQLite, read them back, verify their audit chain.
export {
  openStore,
  storePath,
  RunRecorder,
  ReportRecorder,
  scenarioRunEnd,
  brokenRunEnd,
  detailLimitFor,
  signsAudit,
  DEFAULT_DETAIL_LIMIT,
  ALL_DECISIONS,
} from './store/index.ts';
export { findRunId } from './store/resolve-run.ts';
export { verifyRun } from './store/audit-verify.ts';
export { storeOversightHook } from './store/oversight-hook.ts';
export type { StoreDb, RunStart, RunEnd as StoredRunEnd, WriterCounts } from './store/index.ts';
// The hive (queen, team leads, workers; its own barrel). The chooser interface (src/hive/chooser.ts) is exported with the ReasoningBank.
export {
  runHive,
  buildWorkers,
  runHiveSession,
  taskClassOf,
  armOf,
  resolveHiveOptions,
  loadHiveScenario,
  runHiveObjective,
  qualityBar,
  hiveCandidates,
  hiveTaskClasses,
  EVALUATOR_WORKERS,
  TEAM_SIZES,
  decompose,
  coordination,
  HIVE_TOPOLOGIES,
  drawWork,
  BASE_WORK_MS,
  hiveQueen,
  HIVE_QUEEN,
  teamLead,
  TEAM_LEAD,
  hiveWorker,
  workerWith,
  HIVE_WORKER,
  UNSKILLED,
  byzantineHiveWorker,
  BYZANTINE_HIVE_WORKER,
  decisionAlgorithm,
  electorate,
  electorateSize,
  judgeRound,
  DECISION_OPTIONS,
  SOUND,
  topologyFor,
  adapt,
  QUEEN_TYPES,
  HIVE_CONSENSUS,
  TASK_KINDS,
  DECISION_KINDS,
  CRITICAL_AT,
} from './hive/index.ts';
export type {
  HiveRunReport,
  HiveSession,
  HiveOptions,
  ResolvedHiveOptions,
  ObjectiveReport,
  HiveTopology,
  Coordination,
  WorkDraw,
  QueenProps,
  QueenState,
  TeamLeadProps,
  HiveWorkerProps,
  ByzantineHiveWorkerProps,
  ObjectiveMessage,
  WorkMessage,
  ResultMessage,
  RoundVerdict,
  QueenType,
  HiveConsensus,
  DecisionAlgorithm,
  TaskKind,
  ObjectiveFeatures,
  Subtask,
  TaskGraph,
  Section,
  WorkerInfo,
} from './hive/index.ts';
