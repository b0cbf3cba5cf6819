import type { Violation } from '../check/violation.ts';
import type { PbftFigures } from './pbft-run.ts';
import type { RaftFigures } from './raft-run.ts';
import type { RunSummary } from '../protocols/voting/coordinator.ts';
import { percentile } from '../protocols/voting/latency-histogram.ts';
import type { Scenario } from '../scenario/index.ts';
import type { RunResult } from '../scheduler/actor-system.ts';
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
  decisions: { attempted: number; decided: number; noConsensus: number; timedOut: number; escalated: number };
  /**
   * Decisions closed per wall-clock minute: votes that closed with a result, consensus or not
   * (timeouts are liveness failures and do not count).
   */
  decisionsPerMinute: number;
  /** The same per simulated minute (sim mode). */
  simDecisionsPerMinute?: number;
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
  messages: { sent: number; delivered: number; dropped: number; deadLettered: number; inFlight: number; relayed: number; droppedBy: Record<string, number>; deadLetteredBy: Record<string, number> };
  messagesPerDecision: number;
  accountingImbalance: number;
  byOutcome: Record<string, number>;
  refusedVotes: RunSummary['refusedVotes'];
  topologySwitches: { at: number; from: string | null; to: string; epoch: number; reason: string }[];
  topologyEpochs: EpochFigures[];
  byzantineDetected: { agent: string; evidence: string }[];
  stages?: RunSummary['stages'];
  weights?: Record<string, number>;
  wallMs: number;
  virtualMs?: number;
  traceHash: string;
  /** Raft runs: who led each term, and how long each leader crash left the cluster leaderless. */
  raft?: RaftFigures;
  /** PBFT runs: views, failovers, the Byzantine replicas and what the honest ones refused. */
  pbft?: PbftFigures;
}

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
export function buildReport(scenario: Scenario, plan: SwarmPlan, s: RunSummary, result: RunResult, observed: { violations: readonly Violation[]; liveness: readonly Violation[]; latencies: ReadonlyMap<number, readonly number[]> }, run: { mode: 'sim' | 'threads'; seed: number; wallMs: number; traced: boolean }): ScenarioResult {
  const m = result.messages;
  // Every decision the run opened has closed by the time the coordinator replies.
  const closed = s.attempted;
  const virtualMs = s.finishedAt - s.startedAt;
  return {
    scenario: scenario.name,
    seed: run.seed,
    mode: run.mode,
    algorithm: scenario.consensus.algorithm,
    agents: plan.voters,
    topology: typeof plan.topology === 'string' ? plan.topology : plan.topology.type,
    topologyReason: plan.topologyReason,
    decisions: { attempted: s.attempted, decided: s.decided, noConsensus: s.noConsensus, timedOut: s.timedOut, escalated: s.escalated },
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
    topologySwitches: result.topology.switches.map((w) => ({ at: round(w.at), from: w.from, to: w.to, epoch: w.epoch, reason: w.reason })),
    topologyEpochs: epochFigures(result.topology.epochs, observed.latencies),
    byzantineDetected: Object.entries(s.byzantine ?? {}).map(([agent, evidence]) => ({ agent, evidence })),
    ...(s.stages ? { stages: s.stages } : {}),
    ...(Object.keys(s.weights).length > 0 ? { weights: s.weights } : {}),
    wallMs: round(run.wallMs),
    ...(run.mode === 'sim' ? { virtualMs: round(virtualMs) } : {}),
    traceHash: result.traceHash,
  };
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
    sent: m.sent, delivered: m.delivered, dropped: m.dropped, deadLettered: m.deadLettered, inFlight: m.inFlight, relayed: m.relayed,
    droppedBy: { ...m.droppedBy }, deadLetteredBy: { ...m.deadLetteredBy },
  };
}
