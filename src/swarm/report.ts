import type { LatencySample } from './latency-sample.ts';
import type { Violation } from '../check/violation.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import type { PolicyClassCounts } from '../protocols/voting/decision-class.ts';
import type { OversightCounts } from '../protocols/voting/oversight.ts';
import type { PbftFigures } from './pbft-figures.ts';
import type { RaftFigures } from './raft-figures.ts';
import type { RunSummary } from '../protocols/voting/coordinator.ts';
import { percentile } from '../protocols/voting/latency-histogram.ts';
import type { Scenario } from '../scenario/index.ts';
import type { HostCrash, RunResult } from '../scheduler/actor-system.ts';
import type { SwarmPlan } from './build-swarm.ts';
import { epochFigures, type EpochFigures } from './epoch-figures.ts';

/**
 * A scenario run's result: the public JSON shape (`conclave run --json`), see DESIGN.md
 * "Contracts". `decisionsPerMinute` is per wall-clock minute; in sim mode
 * `simDecisionsPerMinute` is per simulated minute.
 *
 * @example
 * ```ts
 * const r = await runScenario(scenario);
 * console.log(r.decisions.decided, r.quality, r.safetyViolations.length === 0);
 * ```
 */
export interface ScenarioResult {
  scenario: string;
  seed: number;
  mode: 'sim' | 'threads';
  algorithm: string;
  agents: number;
  topology: string;
  topologyReason: string;
  /**
   * `aborted`: decisions (requests, commands) lost with a coordinator or client that died with
   * its worker before they closed; neither decided nor timed out, a liveness failure.
   */
  decisions: { attempted: number; decided: number; noConsensus: number; timedOut: number; escalated: number; aborted: number };
  /**
   * `completed`: the workload ran to its end (every decision closed, whatever its outcome).
   * `failed`: it did not: decisions were aborted, or the run stopped early; `failure` says why.
   * Safety is judged apart (`safetyViolations`).
   */
  status: 'completed' | 'failed';
  failure?: RunFailure;
  /** Workers that died during the run (threads mode): when, why, and what happened to their actors. */
  hostCrashes: HostCrashReport[];
  /**
   * Decisions closed per wall-clock minute: votes that closed with a result, consensus or not
   * (timeouts are liveness failures and do not count).
   */
  decisionsPerMinute: number;
  /** The same per simulated minute (sim mode). */
  simDecisionsPerMinute?: number;
  /**
   * Decision latency. Voting reads it from the coordinator's log-scale histogram (about 2 %
   * resolution); Raft, PBFT and gossip from every latency, exactly, up to 1,048,576 decisions and
   * from that histogram past them (LatencySample: a long run's memory stays flat).
   */
  latencyMs: { p50: number; p99: number };
  /** Share of decided decisions equal to the ground truth; null without a truth. */
  quality: number | null;
  /**
   * What the safety checkers that apply found (agreement and validity for voting; election
   * safety, state-machine safety... for Raft; the accounting identity for all), each with its
   * checker and the trace positions that prove it.
   */
  safetyViolations: Violation[];
  /** What the liveness checkers found (termination after heal): failures to make progress, not safety violations. */
  livenessViolations: Violation[];
  /** False when the trace was off, so safety could not be checked. */
  safetyChecked: boolean;
  /** The books: sent = delivered + dropped + deadLettered + inFlight; drops by the fault that dropped them, dead letters by reason. */
  messages: {
    sent: number;
    delivered: number;
    dropped: number;
    deadLettered: number;
    inFlight: number;
    relayed: number;
    droppedBy: Record<string, number>;
    deadLetteredBy: Record<string, number>;
  };
  messagesPerDecision: number;
  accountingImbalance: number;
  byOutcome: Record<string, number>;
  refusedVotes: RunSummary['refusedVotes'];
  topologySwitches: { at: number; from: string | null; to: string; epoch: number; reason: string }[];
  topologyEpochs: EpochFigures[];
  byzantineDetected: { agent: string; evidence: string }[];
  /** Settings the scenario gave that this protocol does not use, each named (they are not errors). */
  warnings?: string[];
  stages?: RunSummary['stages'];
  weights?: Record<string, number>;
  /** Alerts the `monitoring:` thresholds raised while the run went, in order (empty without monitoring). */
  alerts: AlertRecord[];
  /** Decisions per class of decision (`decision_policies`), for a vote whose decisions name classes. */
  byPolicy?: Record<string, PolicyClassCounts>;
  /** Decisions held for human oversight and how each was settled. */
  oversight?: OversightCounts;
  /** With `audit.compliance_check` (voting): decisions checked and the findings against them. */
  compliance?: RunSummary['compliance'];
  wallMs: number;
  virtualMs?: number;
  traceHash: string;
  /**
   * True in sim mode: the same seed gives this trace again, byte for byte. False in threads mode:
   * the run was on the wall clock (faults and the schedule too), so a rerun differs.
   */
  replayable: boolean;
  /** Raft runs: who led each term, and how long each leader crash left the cluster leaderless. */
  raft?: RaftFigures;
  /** PBFT runs: views, failovers, the Byzantine replicas and what the honest ones refused. */
  pbft?: PbftFigures;
}

/**
 * Why a run did not complete its workload: its coordinator (or client) died with its worker
 * and could not take the rest of the run, or failed on its own.
 *
 * @example
 * ```ts
 * if (result.status === 'failed') console.error(result.failure?.kind, result.failure?.message);
 * ```
 */
export interface RunFailure {
  readonly kind: 'host-crash' | 'coordinator-failed';
  readonly message: string;
}

/**
 * One worker death in a run, as the result reports it (`at`: ms since the run's first event).
 *
 * @example
 * ```ts
 * for (const c of result.hostCrashes) console.log(`worker ${c.host} died at ${c.at} ms; restarted ${c.restarted.join(', ')}`);
 * ```
 */
export interface HostCrashReport extends Omit<HostCrash, 't' | 'recoveryMs'> {
  readonly at: number;
}

/**
 * A run's crashes as the result reports them, times from `origin` (the run's first event).
 *
 * @example
 * ```ts
 * hostCrashReports(result.hostCrashes, firstEventAt);
 * ```
 */
export function hostCrashReports(crashes: RunResult['hostCrashes'], origin: number | undefined): HostCrashReport[] {
  return crashes.map((c) => ({
    host: c.host,
    at: round(c.t - (origin ?? c.t)),
    detail: c.detail,
    restarted: [...c.restarted],
    stopped: [...c.stopped],
    lostInFlight: c.lostInFlight,
  }));
}

/**
 * `completed` unless the run lost decisions or stopped early (see ScenarioResult.status).
 *
 * @example
 * ```ts
 * runStatus(0, undefined); // 'completed'
 * ```
 */
export const runStatus = (aborted: number, failure: RunFailure | undefined): ScenarioResult['status'] =>
  aborted > 0 || failure !== undefined ? 'failed' : 'completed';

/**
 * Joins what the coordinator counted, what the scheduler measured and what the trace shows into
 * the public result shape.
 *
 * @example
 * ```ts
 * const checks = runChecks.finish(result);
 * const report = buildReport(scenario, plan, summary, result, { violations: checks.safety, liveness: checks.liveness, latencies: latencies.byEpoch }, { mode: 'sim', seed: 1, wallMs, traced: true });
 * ```
 */
export function buildReport(
  scenario: Scenario,
  plan: SwarmPlan,
  s: RunSummary,
  result: RunResult,
  observed: { violations: readonly Violation[]; liveness: readonly Violation[]; latencies: ReadonlyMap<number, LatencySample>; origin?: number },
  run: { mode: 'sim' | 'threads'; seed: number; wallMs: number; traced: boolean },
  lost: { aborted: number; failure?: RunFailure } = { aborted: 0 },
): ScenarioResult {
  const m = result.messages;
  // Every decision the run opened has closed by the time the coordinator replies, but those
  // lost with a crashed coordinator.
  const closed = s.attempted - lost.aborted;
  const virtualMs = s.finishedAt - s.startedAt;
  return {
    scenario: scenario.name,
    seed: run.seed,
    mode: run.mode,
    algorithm: scenario.consensus.algorithm,
    agents: plan.voters,
    topology: typeof plan.topology === 'string' ? plan.topology : plan.topology.type,
    topologyReason: plan.topologyReason,
    decisions: { attempted: s.attempted, decided: s.decided, noConsensus: s.noConsensus, timedOut: s.timedOut, escalated: s.escalated, aborted: lost.aborted },
    status: runStatus(lost.aborted, lost.failure),
    ...(lost.failure ? { failure: lost.failure } : {}),
    hostCrashes: hostCrashReports(result.hostCrashes, observed.origin),
    decisionsPerMinute: perMinute(closed - s.timedOut, run.wallMs),
    ...(run.mode === 'sim' ? { simDecisionsPerMinute: perMinute(closed - s.timedOut, virtualMs) } : {}),
    latencyMs: { p50: round(percentile(s.latency, 0.5)), p99: round(percentile(s.latency, 0.99)) },
    quality: s.judged > 0 ? s.correct / s.judged : null,
    safetyViolations: [...observed.violations],
    livenessViolations: [...observed.liveness],
    safetyChecked: run.traced,
    messages: bookEntries(m),
    messagesPerDecision: closed > 0 ? m.sent / closed : 0,
    accountingImbalance: result.accountingImbalance,
    byOutcome: s.byOutcome,
    refusedVotes: s.refusedVotes,
    topologySwitches: topologySwitches(result),
    topologyEpochs: epochFigures(result.topology.epochs, observed.latencies),
    byzantineDetected: Object.entries(s.byzantine ?? {}).map(([agent, evidence]) => ({ agent, evidence })),
    ...(s.stages ? { stages: s.stages } : {}),
    ...(Object.keys(s.weights).length > 0 ? { weights: s.weights } : {}),
    alerts: [],
    ...(s.byPolicy ? { byPolicy: s.byPolicy } : {}),
    ...(s.oversight ? { oversight: s.oversight } : {}),
    ...(s.compliance ? { compliance: s.compliance } : {}),
    wallMs: round(run.wallMs),
    ...(run.mode === 'sim' ? { virtualMs: round(virtualMs) } : {}),
    traceHash: result.traceHash,
    replayable: run.mode === 'sim',
  };
}

/**
 * A run's topology switches as a result reports them.
 *
 * @example
 * ```ts
 * topologySwitches(result); // [{ at: 0, from: null, to: 'mesh', epoch: 1, reason: 'as the scenario says' }, { at: 2000, from: 'mesh', to: 'ring', ... }]
 * ```
 */
export function topologySwitches(result: RunResult): ScenarioResult['topologySwitches'] {
  return result.topology.switches.map((w) => ({ at: round(w.at), from: w.from, to: w.to, epoch: w.epoch, reason: w.reason }));
}

/** Events per minute of `ms`, rounded (0 for an empty span). */
export const perMinute = (n: number, ms: number): number => (ms > 0 ? Math.round((n / ms) * 60_000) : 0);
const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * A run's books as a result reports them (with drops by fault and dead letters by reason).
 *
 * @example
 * ```ts
 * bookEntries(result.messages).droppedBy; // { partition: 12, drop: 3 }
 * ```
 */
export function bookEntries(m: RunResult['messages']): ScenarioResult['messages'] {
  return {
    sent: m.sent,
    delivered: m.delivered,
    dropped: m.dropped,
    deadLettered: m.deadLettered,
    inFlight: m.inFlight,
    relayed: m.relayed,
    droppedBy: { ...m.droppedBy },
    deadLetteredBy: { ...m.deadLetteredBy },
  };
}
