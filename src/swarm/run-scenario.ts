import { createWriteStream, type WriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TraceEvent, TraceLevel } from '../actors/trace-event.ts';
import { checkVotingSafety, type VotingViolation } from '../check/voting-agreement.ts';
import { ConfigError } from '../errors.ts';
import { validateAdaptiveMapping } from '../protocols/voting/adaptive.ts';
import { checkAlgorithm } from '../protocols/voting/algorithms.ts';
import type { RunSummary } from '../protocols/voting/coordinator.ts';
import { percentile } from '../protocols/voting/latency-histogram.ts';
import { loadPolicyModule, registerPolicy } from '../protocols/voting/policy-module.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem, RunResult } from '../scheduler/actor-system.ts';
import { createSystem } from '../scheduler/create-system.ts';
import { canonicalLine } from '../scheduler/trace-recorder.ts';
import { COORDINATOR_ID, planSwarm } from './build-swarm.ts';
import { epochFigures, type EpochFigures } from './epoch-figures.ts';

/**
 * How to run a scenario; every field overrides the scenario's own setting.
 *
 * @example
 * ```ts
 * const result = await runScenario(scenario, { seed: 7, mode: 'threads', workers: 2, traceFile: 'run.jsonl' });
 * ```
 */
export interface RunOptions {
  readonly seed?: number;
  readonly mode?: 'sim' | 'threads';
  readonly workers?: number;
  /** Writes every trace event as a canonical JSON line. */
  readonly traceFile?: string;
  /** `events` (default) records proposals, votes and decisions; `off` is for raw throughput (no safety check then). */
  readonly traceLevel?: TraceLevel;
  /** One trace event per vote (default true). */
  readonly traceVotes?: boolean;
  /** Sees every trace event as it happens (a live timeline). */
  readonly onEvent?: (event: TraceEvent) => void;
  /**
   * Human oversight for `escalation: wait`: return an option to decide, or undefined to reject.
   * In sim mode answer synchronously (the simulation does not wait for promises).
   */
  readonly onEscalation?: (decision: { decision: string; risk: string | null }) => string | undefined | Promise<string | undefined>;
  /** Longest the run may take, in ms (virtual in sim mode); default: ample for the workload. */
  readonly timeoutMs?: number;
}

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
  safetyViolations: VotingViolation[];
  /** False when the trace was off, so safety could not be checked. */
  safetyChecked: boolean;
  messages: { sent: number; delivered: number; dropped: number; deadLettered: number; inFlight: number; relayed: number };
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
}

/**
 * Runs a scenario end to end: checks its algorithms (loading a custom policy module), plans and
 * spawns the swarm, installs the topology, asks the coordinator to run the workload, then
 * settles, shuts down and reports. Bad configuration fails before anything is spawned.
 *
 * @example
 * ```ts
 * const scenario = await loadScenarioFile('examples/db-choice.yml');
 * const result = await runScenario(scenario, { seed: 42 });
 * ```
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const mode = options.mode ?? scenario.mode ?? 'sim';
  const seed = options.seed ?? scenario.seed ?? 1;
  const preload = await preparePolicies(scenario);
  const plan = planSwarm(scenario, { traceVotes: options.traceVotes });
  const traceLevel = options.traceLevel ?? 'events';
  const system: ActorSystem =
    mode === 'sim' ? await createSystem({ mode, seed, traceLevel }) : await createSystem({ mode, seed, traceLevel, workers: options.workers, preload });
  const kept: TraceEvent[] = [];
  let out: WriteStream | undefined;
  try {
    out = options.traceFile ? createWriteStream(options.traceFile) : undefined;
    system.trace$.subscribe((e) => {
      if (e.type === 'topology' || (e.type === 'emit' && KEPT.has((e.event as { type?: string }).type ?? ''))) kept.push(e);
      out?.write(`${canonicalLine(e)}\n`);
      options.onEvent?.(e);
      if (e.type === 'emit' && options.onEscalation && (e.event as { type?: string; mode?: string }).type === 'escalated' && (e.event as { mode?: string }).mode === 'wait') {
        const ev = e.event as { decision: string; risk: string | null };
        const answer = (value: string | undefined) => system.send(COORDINATOR_ID, { kind: 'human-decision', body: { decision: ev.decision, value } });
        // A synchronous answer is sent at once: in sim mode the run loop does not yield to
        // promises, so an answer that only comes later arrives after the run has ended.
        const value = options.onEscalation({ decision: ev.decision, risk: ev.risk });
        if (value instanceof Promise) void value.then(answer);
        else answer(value);
      }
    });
    for (const a of plan.actors) await system.spawn(a.id, a.behaviour, { props: a.props });
    await system.switchTopology(plan.topology, { members: plan.members, reason: plan.topologyReason });
    const started = performance.now();
    const reply = await system.ask(COORDINATOR_ID, { kind: 'run' }, { timeoutMs: options.timeoutMs ?? ampleTimeout(scenario) });
    const wallMs = performance.now() - started;
    await system.settle();
    const result = await system.shutdown();
    return report(scenario, plan, reply.body as RunSummary, result, kept, { mode, seed, wallMs, traced: traceLevel !== 'off' });
  } finally {
    await system.shutdown().catch(() => undefined);
    await new Promise<void>((resolve) => (out ? out.end(resolve) : resolve()));
  }
}

/** Emitted events the report reads (the rest only go to the trace file and `onEvent`). */
const KEPT = new Set(['proposal', 'decided']);

/** Enough for every decision to time out one after another, twice over. */
function ampleTimeout(s: Scenario): number {
  const rounds = s.workflow ? s.workflow.stages.length : Math.ceil((s.task.decisions ?? 1) / s.task.inFlight);
  return (s.task.durationMs ?? 0) + 2 * (rounds + 1) * s.consensus.votingTimeoutMs;
}

/**
 * Loads and registers a custom policy module (here and, through a preload, in every worker),
 * then checks every algorithm the scenario names. Returns the workers' preload list.
 */
async function preparePolicies(scenario: Scenario): Promise<string[]> {
  const { consensus } = scenario;
  const preload: string[] = [];
  if (consensus.policy) {
    const policy = await loadPolicyModule(consensus.policy, 'consensus.policy');
    const name = consensus.policy.name ?? policy.name;
    registerPolicy(name, policy);
    const registry = pathToFileURL(new URL('../protocols/voting/policy-module.ts', import.meta.url).pathname).href;
    const source = `import { loadPolicyModule, registerPolicy } from ${JSON.stringify(registry)};\n` +
      `registerPolicy(${JSON.stringify(name)}, await loadPolicyModule(${JSON.stringify(consensus.policy)}));`;
    preload.push(`data:text/javascript,${encodeURIComponent(source)}`);
  }
  checkAlgorithm(consensus.algorithm, 'consensus.algorithm');
  if (consensus.adaptive) {
    const mapping = validateAdaptiveMapping(consensus.adaptive, 'consensus.adaptive');
    for (const [risk, algorithm] of Object.entries(mapping)) if (algorithm !== 'escalate') checkAlgorithm(algorithm, `consensus.adaptive.${risk}`);
  }
  scenario.workflow?.stages.forEach((s, i) => checkAlgorithm(s.consensus_algorithm, `workflow.stages[${i}].consensus_algorithm`));
  if (consensus.dynamic_weights && consensus.algorithm !== 'weighted_voting') {
    throw new ConfigError('consensus.dynamic_weights', 'to be used with algorithm weighted_voting (weights only matter there)', consensus.algorithm);
  }
  return preload;
}

function report(scenario: Scenario, plan: ReturnType<typeof planSwarm>, s: RunSummary, result: RunResult, kept: readonly TraceEvent[], run: { mode: 'sim' | 'threads'; seed: number; wallMs: number; traced: boolean }): ScenarioResult {
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
    safetyViolations: run.traced ? checkVotingSafety(kept) : [],
    safetyChecked: run.traced,
    messages: { sent: m.sent, delivered: m.delivered, dropped: m.dropped, deadLettered: m.deadLettered, inFlight: m.inFlight, relayed: m.relayed },
    messagesPerDecision: closed > 0 ? m.sent / closed : 0,
    accountingImbalance: result.accountingImbalance,
    byOutcome: s.byOutcome,
    refusedVotes: s.refusedVotes,
    topologySwitches: result.topology.switches.map((w) => ({ at: round(w.at), from: w.from, to: w.to, epoch: w.epoch, reason: w.reason })),
    topologyEpochs: epochFigures(result.topology.epochs, kept),
    byzantineDetected: [],
    ...(s.stages ? { stages: s.stages } : {}),
    ...(Object.keys(s.weights).length > 0 ? { weights: s.weights } : {}),
    wallMs: round(run.wallMs),
    ...(run.mode === 'sim' ? { virtualMs: round(virtualMs) } : {}),
    traceHash: result.traceHash,
  };
}

const perMinute = (n: number, ms: number): number => (ms > 0 ? Math.round((n / ms) * 60_000) : 0);
const round = (x: number): number => Math.round(x * 1000) / 1000;
