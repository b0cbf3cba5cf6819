/**
 * Conclave's public API. Every export is named here; types are exported separately below.
 */
export { createSystem } from './system/create-system.ts';
export { SimSystem } from './scheduler/sim-system.ts';
export { ThreadSystem } from './scheduler/threads/thread-system.ts';
export { registerBehaviour, registeredBehaviours, loadBehaviour, refName } from './actors/registry.ts';
export { accountingImbalance } from './actors/counters.ts';
export { DEFAULT_SUPERVISION, decide } from './actors/supervision.ts';
export { DEFAULT_MAILBOX_CAPACITY } from './actors/mailbox.ts';
export { SYSTEM_SENDER, ASK_TIMEOUT_KIND } from './actors/envelope.ts';
export { DEFAULT_LINK, sampleLatency } from './scheduler/link-model.ts';
export { createPrng } from './scheduler/prng.ts';
export { TraceRecorder } from './scheduler/trace-recorder.ts';
export { echo, counter, sink, volley, producer, relay } from './actors/library.ts';
export { buildTopology, TOPOLOGY_KINDS } from './topologies/index.ts';
export { TopologyRouter } from './scheduler/topology-router.ts';
export { AdaptiveTopology } from './scheduler/adaptive-topology.ts';
export { selectTopology, validateSelectionRules, DEFAULT_SELECTION_RULES } from './topologies/index.ts';
export { Swarm } from './swarm/swarm.ts';
export { runScenario } from './swarm/run-scenario.ts';
export { planSwarm, COORDINATOR_ID } from './swarm/build-swarm.ts';
export { loadScenarioFile, parseScenario, parseLegacyConfig, DEFAULT_SCENARIO_TEXT, estimateFootprint, SCENARIO_LIMITS } from './scenario/index.ts';
export { checkVotingSafety } from './check/voting-agreement.ts';
export { COORDINATOR, VOTER } from './protocols/voting/refs.ts';
export { simpleMajority, supermajority, weightedVoting, byzantineSupermajority } from './protocols/voting/builtin-policies.ts';
export { tally } from './protocols/voting/tally.ts';
export { weightFor, updateWeights } from './protocols/voting/weights.ts';
export { algorithmForRisk, DEFAULT_ADAPTIVE } from './protocols/voting/adaptive.ts';
export { loadPolicyModule, registerPolicy, getPolicy, policyNames } from './protocols/voting/policy-module.ts';
export { VOTING_ALGORITHMS, checkAlgorithm } from './protocols/voting/algorithms.ts';
export { ABSTAIN } from './protocols/voting/types.ts';
export { loadOversightModule } from './protocols/voting/oversight.ts';
export { AlertWatcher } from './monitoring/alert-watcher.ts';
export { enterpriseLines } from './monitoring/enterprise-text.ts';
export { POLICY_CLASSES } from './scenario/decision-policies.ts';
export { raftNode, raftNodeWith, RAFT_NODE, RAFT_CLIENT, KeyValueMachine } from './protocols/raft/index.ts';
export { RaftSafetyMonitor, checkRaftSafety } from './check/raft-safety.ts';
export { PbftSafetyMonitor, checkPbftSafety } from './check/pbft-safety.ts';
export { historyLines, historyOps } from './check/history-export.ts';
export { CHECKERS, RunCheckers, runCheckers } from './check/registry.ts';
export { TerminationMonitor, DEFAULT_TERMINATION_BOUND_MS } from './check/termination.ts';
export { checkAccounting } from './check/accounting.ts';
export { violationText } from './check/violation.ts';
export { raftDriver } from './swarm/raft-driver.ts';
export { votingDriver } from './swarm/voting-driver.ts';
export { ScenarioRun } from './swarm/scenario-run.ts';
export { driverFor, driverForConsensus } from './swarm/drivers.ts';
export { pbftReplica, pbftClient, PBFT_REPLICA, PBFT_CLIENT, Ledger } from './protocols/pbft/index.ts';
export { pbftDriver } from './swarm/pbft-driver.ts';
export { gossipNode, gossipNodeWith, gossipClient, GOSSIP_NODE, GOSSIP_CLIENT } from './protocols/gossip/index.ts';
export { gossipDriver } from './swarm/gossip-driver.ts';
export { GossipAgreementMonitor } from './check/gossip-agreement.ts';
export { BYZANTINE_REPLICA, PBFT_BYZANTINE_KINDS } from './adversary/byzantine-replica.ts';
export { BYZANTINE_VOTER, BYZANTINE_KINDS } from './adversary/byzantine-voter.ts';
export { ballot, openBallot, ballotText } from './protocols/voting/vote-security.ts';
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

export type { Behaviour, ActorContext } from './actors/behaviour.ts';
export type { SignatureScheme } from './actors/key-ring.ts';
export type { ActorId, Envelope, Message, DeadLetterReason } from './actors/envelope.ts';
export type { BehaviourRef } from './actors/registry.ts';
export type { SpawnOptions, Escalation } from './actors/actor-host.ts';
export type { SupervisionPolicy, SupervisionStrategy, SupervisionDirective } from './actors/supervision.ts';
export type { TraceEvent, TraceLevel, TraceEventType } from './actors/trace-event.ts';
export type { MessageAccounting } from './actors/counters.ts';
export type { ActorSystem, ExecutionMode, RunResult, HostCrash, SystemStatus } from './scheduler/actor-system.ts';
export type { SystemOptions } from './system/create-system.ts';
export type { SimOptions } from './scheduler/sim-system.ts';
export type { ThreadOptions } from './scheduler/threads/thread-system.ts';
export type { LinkModel, LatencyDistribution } from './scheduler/link-model.ts';
export type { Transport } from './scheduler/transport.ts';
export type { Member, RouteGraph, TopologyKind, TopologySpec, TaskDescriptor, SelectionRule, Selection, Level } from './topologies/index.ts';
export type { RouteTable } from './actors/route-table.ts';
export type { TopologySwitch, EpochStats, SwitchOptions } from './scheduler/topology-control.ts';
export type { RunOptions, ScenarioResult } from './swarm/run-scenario.ts';
export type { AlertRecord, AlertRule } from './monitoring/alert-record.ts';
export type { OversightHook, OversightRequest, OversightAnswer, OversightCounts } from './protocols/voting/oversight.ts';
export type { PolicyClassCounts } from './protocols/voting/decision-class.ts';
export type { DecisionPolicy, DecisionPolicies, PolicyClass } from './scenario/decision-policies.ts';
export type { MonitoringConfig } from './scenario/monitoring.ts';
export type { RunFailure, HostCrashReport } from './swarm/report.ts';
export type { SwarmPlan } from './swarm/build-swarm.ts';
export type { EpochFigures } from './swarm/epoch-figures.ts';
export type { Scenario, AgentGroup, ConsensusConfig, TaskConfig, StageConfig, ScheduleEntry } from './scenario/index.ts';
export type { VotingViolation } from './check/voting-agreement.ts';
export type { Proposal, Vote, Outcome, Policy, RiskLevel } from './protocols/voting/types.ts';
export type { CoordinatorProps, RunSummary, RunResume } from './protocols/voting/coordinator.ts';
export type { VoterProps } from './protocols/voting/voter.ts';
export type { BallotSecurity, VoteSecurity, SecurityRefusal } from './protocols/voting/vote-security.ts';
export type { SecuritySettings, AuditSettings } from './scenario/security-settings.ts';
export type { Stage, StageStatus } from './protocols/voting/workflow.ts';
export type { RaftProps, RaftClientProps, RaftClientSummary, StateMachine, MachineCommand, KvCommand, KvResult } from './protocols/raft/index.ts';
export type { RaftViolation } from './check/raft-safety.ts';
export type { PbftViolation, PbftProperty } from './check/pbft-safety.ts';
export type { HistoryOp, HistoryOptions } from './check/history-export.ts';
export type { Checker, CheckerSpec, CheckerOptions, CheckReport, RunEnd } from './check/registry.ts';
export type { TerminationFinding } from './check/termination.ts';
export type { Books } from './check/accounting.ts';
export type { Violation, CheckKind, CheckedProtocol } from './check/violation.ts';
export type { RaftFigures } from './swarm/raft-figures.ts';
export type { ProtocolDriver, ProtocolRun, DriverSetup, FinishedRun, Workload, TraceContext } from './swarm/protocol-driver.ts';
export type { PbftProps, PbftClientProps, PbftClientSummary } from './protocols/pbft/index.ts';
export type { PbftFigures } from './swarm/pbft-figures.ts';
export type { GossipProps, GossipClientProps, GossipClientSummary, GossipStart, GossipPush, GossipReport } from './protocols/gossip/index.ts';
export type { GossipFinding } from './check/gossip-agreement.ts';
export type { PbftByzantineKind, ByzantineReplicaProps } from './adversary/byzantine-replica.ts';
export type { ByzantineKind, ByzantineVoterProps } from './adversary/byzantine-voter.ts';
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
