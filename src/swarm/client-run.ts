import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { isEmptyFaultPlan, type FaultPlan } from '../scenario/fault-plan.ts';
import type { CheckReport } from '../check/registry.ts';
import { ConfigError, HostCrashedError } from '../errors.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem, RunResult } from '../scheduler/actor-system.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { buildTopology, type RouteGraph } from '../topologies/index.ts';
import { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import { bookEntries, hostCrashReports, perMinute, runStatus, type RunFailure, type ScenarioResult } from './report.ts';

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
  /** Requests lost with a client that died with its worker, and why the run stopped early, if it did. */
  aborted?: number; failure?: RunFailure; origin?: number;
}): ScenarioResult {
  const aborted = r.aborted ?? 0;
  const m = r.result.messages;
  const latencies = r.latencies.sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 1000) / 1000 : 0);
  return {
    scenario: r.scenario.name, seed: r.seed, mode: r.mode, algorithm: r.algorithm, agents: r.agents, topology: 'mesh', topologyReason: r.topologyReason,
    decisions: { attempted: r.attempted, decided: r.acked, noConsensus: 0, timedOut: r.attempted - r.acked - aborted, escalated: 0, aborted },
    status: runStatus(aborted, r.failure),
    ...(r.failure ? { failure: r.failure } : {}),
    hostCrashes: hostCrashReports(r.result.hostCrashes, r.origin),
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
 * How a client-driven run goes on when its client dies with its worker (threads mode).
 *
 * @example
 * ```ts
 * const successors: ClientSuccession = { total: 100, traced: true, progress: (id) => counts.of(id), spawn: (id, remaining, elapsedMs) => system.spawn(id, PBFT_CLIENT, { props: { ...props, requests: remaining } }) };
 * ```
 */
export interface ClientSuccession {
  /** Requests (commands) the whole run is to make. */
  readonly total: number;
  /** False with the trace off: then nothing is known of what a lost client had done. */
  readonly traced: boolean;
  /** What a client had done, from the trace: requests it issued, and those acknowledged. */
  progress(client: ActorId): { issued: number; acked: number };
  /** Spawns a successor client, under a new name, for the `remaining` requests. */
  spawn(client: ActorId, remaining: number, elapsedMs: number): Promise<void>;
}

/**
 * What driveClient hands back: the last client's summary (none when the run stopped with its
 * client), and what earlier clients, lost with their workers, had done.
 *
 * @example
 * ```ts
 * const { summary, ackedBefore, aborted } = await driveClient<PbftClientSummary>(system, 'client', 600_000, succession);
 * const accepted = ackedBefore + (summary?.accepted ?? 0);
 * ```
 */
export interface ClientDrive<S> {
  readonly summary: S | undefined;
  /** Requests acknowledged to clients lost in crashes (their summaries died with them). */
  readonly ackedBefore: number;
  /** Requests those clients left unacknowledged: lost with them. */
  readonly aborted: number;
  readonly failure?: RunFailure;
  readonly wallMs: number;
  readonly result: RunResult;
}

/**
 * Asks the client to `start` and waits for its summary (the measured part of the run: wall
 * time from the ask to the reply), then settles and shuts the system down. When the client dies
 * with its worker, a successor takes the rest of the run under a new name (`client-2`, ...):
 * under its old name it would reuse request numbers the cluster has already executed and be
 * answered with their old results. What the lost client had left in flight is counted as
 * aborted; when no successor can be started, the run ends with what was done and a failure.
 *
 * @example
 * ```ts
 * const { summary, wallMs, result } = await driveClient<RaftClientSummary>(system, 'client', 600_000, succession);
 * ```
 */
export async function driveClient<S>(system: ActorSystem, client: ActorId, timeoutMs: number, succession?: ClientSuccession): Promise<ClientDrive<S>> {
  const started = performance.now();
  let current = client;
  let summary: S | undefined;
  let ackedBefore = 0;
  let aborted = 0;
  let failure: RunFailure | undefined;
  for (let generation = 2; ; generation++) {
    try {
      summary = (await system.ask(current, { kind: 'start' }, { timeoutMs })).body as S;
      break;
    } catch (e) {
      if (!(e instanceof HostCrashedError && system instanceof ThreadSystem && succession)) throw e;
      const crash = (await system.recovered()).at(-1);
      const done = succession.progress(current);
      ackedBefore += done.acked;
      aborted += done.issued - done.acked;
      const where = `worker ${e.worker} died${crash ? ` (${crash.detail})` : ''} with "${current}" and ${done.issued - done.acked} of its requests in flight`;
      if (!succession.traced) {
        failure = { kind: 'host-crash', message: `${where}; with the trace off, what it had done is unknown, so no successor can take over` };
        break;
      }
      const remaining = Math.max(0, succession.total - ackedBefore - aborted);
      current = `${client}-${generation}`;
      try {
        await succession.spawn(current, remaining, performance.now() - started);
      } catch (spawnError) {
        failure = { kind: 'host-crash', message: `${where}; no successor could be started: ${(spawnError as Error).message}` };
        break;
      }
    }
  }
  const wallMs = performance.now() - started;
  await settleBounded(system);
  return { summary, ackedBefore, aborted, failure, wallMs, result: await system.shutdown() };
}

/**
 * Counts, from the trace, what each client issued and had acknowledged (for ClientSuccession).
 *
 * @example
 * ```ts
 * const counts = new ClientCounts('pbft-request', 'pbft-accepted');
 * system.trace$.subscribe((e) => counts.observe(e));
 * counts.of('client'); // { issued: 12, acked: 9 }
 * ```
 */
export class ClientCounts {
  private readonly counts = new Map<ActorId, { issued: number; acked: number }>();
  constructor(private readonly issuedType: string, private readonly ackedType: string) {}

  observe(e: TraceEvent): void {
    if (e.type !== 'emit') return;
    const type = e.event.type;
    if (type !== this.issuedType && type !== this.ackedType) return;
    let c = this.counts.get(e.actor);
    if (c === undefined) this.counts.set(e.actor, (c = { issued: 0, acked: 0 }));
    if (type === this.issuedType) c.issued++;
    else c.acked++;
  }

  of(client: ActorId): { issued: number; acked: number } {
    return { ...(this.counts.get(client) ?? { issued: 0, acked: 0 }) };
  }
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
