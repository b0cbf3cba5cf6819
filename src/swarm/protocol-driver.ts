import type { SpawnOptions } from '../actors/actor-host.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { SignatureScheme } from '../actors/key-ring.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { FaultCluster } from '../adversary/lay-faults.ts';
import type { CheckerOptions, CheckReport } from '../check/registry.ts';
import type { CheckedProtocol } from '../check/violation.ts';
import type { FaultPlanDefaults } from '../scenario/fault-plan.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem, RunResult } from '../scheduler/actor-system.ts';
import type { Member, TopologySpec } from '../topologies/index.ts';
import type { EpochLatencies } from './epoch-figures.ts';
import type { ScenarioResult } from './report.ts';
import type { RunOptions } from './run-options.ts';

/**
 * What a protocol brings to the one swarm driver (src/swarm/scenario-run.ts): its actors, the
 * workload that drives them (a client, a coordinator), what it reads from the trace, its checkers
 * and its figures. The common path does the rest the same way for every protocol: create the
 * system, spawn, install the topology, lay the faults and the schedule, drive, settle, check and
 * report. A new protocol is one folder under src/protocols plus one entry in `drivers.ts`.
 *
 * @example
 * ```ts
 * export const raftDriver: ProtocolDriver = { name: 'raft', prepare: async (setup) => new RaftRun(setup) };
 * ```
 */
export interface ProtocolDriver {
  /** The protocol's name in results and errors. */
  readonly name: string;
  /** Checks the scenario's protocol settings (failing before anything is spawned) and plans the run. */
  prepare(setup: DriverSetup): Promise<ProtocolRun>;
}

/**
 * What every driver is given: the scenario, the caller's options, and the mode and seed in force.
 *
 * @example
 * ```ts
 * const setup: DriverSetup = { scenario, options: {}, mode: 'sim', seed: 42 };
 * ```
 */
export interface DriverSetup {
  readonly scenario: Scenario;
  readonly options: RunOptions;
  readonly mode: 'sim' | 'threads';
  readonly seed: number;
}

/**
 * One planned run of a protocol. The common path calls, in order: `spawn`, then (topology
 * installed, faults and schedule laid) `drive`, then `report`; `observe` sees every trace event
 * throughout, after the checkers.
 *
 * @example
 * ```ts
 * const run = await raftDriver.prepare(setup);
 * run.members; // the Raft nodes: the topology routes their envelopes
 * ```
 */
export interface ProtocolRun {
  /** Which checkers judge the trace, with what. */
  readonly checker: CheckedProtocol;
  readonly checkerOptions: CheckerOptions;
  /** How the system must sign (PBFT), and modules every worker preloads (a custom policy). */
  readonly system: { readonly signatures?: SignatureScheme; readonly preload?: readonly string[] };
  /** The topology's members: their envelopes are routed hop by hop on it. */
  readonly members: readonly Member[];
  readonly topology: TopologySpec;
  readonly topologyReason: string;
  /** How the scenario's `faults:` section reads for this protocol (who `leader` is, split ratio). */
  readonly faultDefaults: FaultPlanDefaults;
  /** What faults may hit and who drives the run (never a target). */
  readonly faultCluster: Pick<FaultCluster, 'members' | 'outsiders' | 'roles' | 'leaderName' | 'leader'>;
  /** True when the workload actor runs `schedule:` itself (the voting coordinator: its entries may change the task). */
  readonly runsSchedule: boolean;
  observe(event: TraceEvent, run: TraceContext): void;
  spawn(system: ActorSystem): Promise<void>;
  /** Runs the workload to its end and lets what is in flight land; the common path then shuts the system down. */
  drive(system: ActorSystem): Promise<Workload>;
  report(finished: FinishedRun): ScenarioResult;
  /** Ends the workload early (Ctrl-C): no new decisions; what is open closes as usual. */
  windDown?(system: ActorSystem): void;
  /** What a member turns into when it is compromised mid-run; absent where the protocol has no adversary (gossip). */
  readonly adversary?: ProtocolAdversary;
  /** Warnings the run itself gave rise to (e.g. an oversight answer sim mode could not wait for), added to the result's. */
  runWarnings?(): readonly string[];
}

/**
 * A protocol's adversary for members compromised during a run (the dashboard's "make
 * Byzantine"): the behaviour from src/adversary that wraps the honest one, the kinds of lie it
 * knows, and the spawn options a member runs with as one. `compromised` also counts the member
 * as a liar in the run's own figures from then on.
 *
 * @example
 * ```ts
 * const a = run.adversary!;
 * system.faults.compromise('node_002', a.behaviour, a.compromised('node_002', a.defaultKinds), 'now lies');
 * ```
 */
export interface ProtocolAdversary {
  readonly behaviour: BehaviourRef;
  readonly kinds: readonly string[];
  /** The kinds used when none are named: a lie the protocol's detectors or checkers can see. */
  readonly defaultKinds: readonly string[];
  /** Member `id`'s spawn options as an adversary of `kinds` (already checked against `kinds`). */
  compromised(id: ActorId, kinds: readonly string[]): SpawnOptions;
}

/**
 * What `observe` may use: when the run's first event happened, and the latencies of decisions
 * per topology epoch (a driver adds each decision's latency as it closes).
 *
 * @example
 * ```ts
 * observe(e, run) { if (isAck(e)) run.epochs.add(e.t - invokedAt); }
 * ```
 */
export interface TraceContext {
  readonly origin: number;
  readonly epochs: EpochLatencies;
}

/**
 * How a workload ended: wall time of the measured part, and anything lost on the way.
 *
 * @example
 * ```ts
 * const w: Workload = { wallMs: 812, aborted: 0 };
 * ```
 */
export interface Workload {
  readonly wallMs: number;
  readonly aborted: number;
  readonly failure?: ScenarioResult['failure'];
}

/**
 * Everything the common path measured, for the driver's report.
 *
 * @example
 * ```ts
 * report(f) { return { ...clientRunReport(f, ...), raft: this.figures }; }
 * ```
 */
export interface FinishedRun {
  readonly setup: DriverSetup;
  readonly workload: Workload;
  readonly result: RunResult;
  readonly checks: CheckReport;
  readonly safetyChecked: boolean;
  readonly origin: number | undefined;
  readonly epochs: EpochLatencies;
}
