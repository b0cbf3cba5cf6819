import type { ActorId } from '../actors/envelope.ts';
import { isEmptyFaultPlan, type FaultPlan } from '../adversary/fault-plan.ts';
import type { CheckReport } from '../check/registry.ts';
import { ConfigError } from '../errors.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem, RunResult } from '../scheduler/actor-system.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { buildTopology, type RouteGraph } from '../topologies/index.ts';
import { bookEntries, perMinute, type ScenarioResult } from './report.ts';

/**
 * What the drivers of the replicated-log protocols (Raft, PBFT) share: one client actor drives
 * the workload against a cluster, and the result is a ScenarioResult built from the client's
 * counts and the scheduler's books.
 */

/**
 * Refuses faults a threads-mode run cannot take: they are laid on virtual time.
 *
 * @example
 * ```ts
 * refuseTimedFaultsInThreads(mode, plan, scenario.faults);
 * ```
 */
export function refuseTimedFaultsInThreads(mode: 'sim' | 'threads', plan: FaultPlan, faults: unknown): void {
  if (mode !== 'sim' && !isEmptyFaultPlan(plan)) {
    throw new ConfigError('faults', 'only byzantine faults in threads mode (crashes, partitions, network faults, pauses, skews and cascades are laid on virtual time: use --mode sim)', faults);
  }
}

/**
 * The graph cascading failures spread along in a run whose members talk to each other
 * directly: the scenario's topology over the members (mesh when it is `adaptive`).
 *
 * @example
 * ```ts
 * const graph = faultGraph(scenario, nodes); // topology: ring -> each node's two ring neighbours
 * ```
 */
export function faultGraph(scenario: Scenario, members: readonly ActorId[]): RouteGraph {
  return buildTopology(scenario.topology === 'adaptive' ? 'mesh' : scenario.topology, members);
}

/**
 * The ScenarioResult of a client-driven run: a decision is one request the client had
 * acknowledged; latencies are per acknowledged request (sorted here).
 *
 * @example
 * ```ts
 * return { ...clientRunReport({ scenario, seed, mode, algorithm: 'raft', agents: 5, topologyReason: 'Raft nodes talk directly', attempted, acked, wallMs, virtualMs, latencies, checks: checks.finish(result), safetyChecked: true, result }), raft: figures };
 * ```
 */
export function clientRunReport(r: {
  scenario: Scenario; seed: number; mode: 'sim' | 'threads'; algorithm: string; agents: number; topologyReason: string;
  attempted: number; acked: number; wallMs: number; virtualMs: number; latencies: number[];
  checks: CheckReport; safetyChecked: boolean; result: RunResult;
  byzantineDetected?: ScenarioResult['byzantineDetected'];
}): ScenarioResult {
  const m = r.result.messages;
  const latencies = r.latencies.sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 1000) / 1000 : 0);
  return {
    scenario: r.scenario.name, seed: r.seed, mode: r.mode, algorithm: r.algorithm, agents: r.agents, topology: 'mesh', topologyReason: r.topologyReason,
    decisions: { attempted: r.attempted, decided: r.acked, noConsensus: 0, timedOut: r.attempted - r.acked, escalated: 0 },
    decisionsPerMinute: perMinute(r.acked, r.wallMs),
    ...(r.mode === 'sim' ? { simDecisionsPerMinute: perMinute(r.acked, r.virtualMs), virtualMs: r.virtualMs } : {}),
    latencyMs: { p50: pick(0.5), p99: pick(0.99) },
    quality: null,
    safetyViolations: [...r.checks.safety],
    livenessViolations: [...r.checks.liveness],
    safetyChecked: r.safetyChecked,
    messages: bookEntries(m),
    messagesPerDecision: r.acked > 0 ? m.sent / r.acked : 0,
    accountingImbalance: r.result.accountingImbalance,
    byOutcome: {},
    refusedVotes: { stranger: 0, duplicate: 0, malformed: 0, late: 0 },
    topologySwitches: [],
    topologyEpochs: [],
    byzantineDetected: r.byzantineDetected ?? [],
    wallMs: Math.round(r.wallMs * 1000) / 1000,
    traceHash: r.result.traceHash,
  };
}

/**
 * Asks the client to `start` and waits for its summary (the measured part of the run: wall
 * time from the ask to the reply), then settles and shuts the system down.
 *
 * @example
 * ```ts
 * const { summary, wallMs, result } = await driveClient<RaftClientSummary>(system, 'client', 600_000);
 * ```
 */
export async function driveClient<S>(system: ActorSystem, client: ActorId, timeoutMs: number): Promise<{ summary: S; wallMs: number; result: RunResult }> {
  const started = performance.now();
  const reply = await system.ask(client, { kind: 'start' }, { timeoutMs });
  const wallMs = performance.now() - started;
  await settleBounded(system);
  return { summary: reply.body as S, wallMs, result: await system.shutdown() };
}

/** How long (virtual ms) a simulation may run on after its workload ended, for what is in flight to land. */
const SETTLE_LIMIT_MS = 10_000;

/**
 * Lets what is in flight land once a workload has ended. In sim mode the run goes on for at
 * most 10 s of virtual time: adversaries (two leaders of one term, say) can keep messages
 * flowing for ever, and a run must end all the same; what is still in flight then stays
 * in the books as in flight.
 *
 * @example
 * ```ts
 * await settleBounded(system);
 * const result = await system.shutdown(); // result.messages.inFlight may be > 0
 * ```
 */
export async function settleBounded(system: ActorSystem): Promise<void> {
  if (system instanceof SimSystem) system.run({ untilMs: system.now() + SETTLE_LIMIT_MS, stop: () => system.inFlight === 0 });
  else await system.settle();
}
