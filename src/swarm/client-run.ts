import type { LatencySample } from './latency-sample.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { ConfigError, HostCrashedError } from '../errors.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import { epochFigures } from './epoch-figures.ts';
import { securityWarnings } from './security-warnings.ts';
import type { FinishedRun, Workload } from './protocol-driver.ts';
import type { RunOptions } from './run-options.ts';
import { bookEntries, hostCrashReports, perMinute, runStatus, topologySwitches, type RunFailure, type ScenarioResult } from './report.ts';

/**
 * What the drivers of the replicated-log protocols (Raft, PBFT) share: one client actor drives
 * the workload against a cluster, and the result is a ScenarioResult built from the client's
 * counts and the scheduler's books.
 */

/**
 * The ScenarioResult of a client-driven run: a decision is one request the client had
 * acknowledged; latencies are per acknowledged request (sorted here). The topology, its
 * switches and per-epoch figures are the run's own: the members' envelopes travel on it.
 *
 * @example
 * ```ts
 * return { ...clientRunReport(finished, { algorithm: 'raft', agents: 5, topologyReason, attempted, acked, virtualMs, latencies }), raft: figures };
 * ```
 */
export function clientRunReport(
  f: FinishedRun,
  r: {
    algorithm: string;
    agents: number;
    topologyReason: string;
    attempted: number;
    acked: number;
    virtualMs: number;
    latencies: LatencySample;
    byzantineDetected?: ScenarioResult['byzantineDetected'];
    warnings?: readonly string[];
  },
): ScenarioResult {
  const { workload, result, setup } = f;
  const { aborted, failure } = workload;
  const m = result.messages;
  const pick = (q: number) => round(r.latencies.quantile(q, (n) => Math.floor(q * n)));
  const topology = result.topology.switches[0]?.to ?? 'mesh';
  return {
    scenario: setup.scenario.name,
    seed: setup.seed,
    mode: setup.mode,
    algorithm: r.algorithm,
    agents: r.agents,
    topology,
    topologyReason: r.topologyReason,
    decisions: { attempted: r.attempted, decided: r.acked, noConsensus: 0, timedOut: Math.max(0, r.attempted - r.acked - aborted), escalated: 0, aborted },
    status: runStatus(aborted, failure),
    ...(failure ? { failure } : {}),
    hostCrashes: hostCrashReports(result.hostCrashes, f.origin),
    decisionsPerMinute: perMinute(r.acked, workload.wallMs),
    ...(setup.mode === 'sim' ? { simDecisionsPerMinute: perMinute(r.acked, r.virtualMs), virtualMs: r.virtualMs } : {}),
    latencyMs: { p50: pick(0.5), p99: pick(0.99) },
    quality: null,
    safetyViolations: [...f.checks.safety],
    livenessViolations: [...f.checks.liveness],
    safetyChecked: f.safetyChecked,
    messages: bookEntries(m),
    messagesPerDecision: r.acked > 0 ? m.sent / r.acked : 0,
    accountingImbalance: result.accountingImbalance,
    byOutcome: {},
    refusedVotes: { stranger: 0, duplicate: 0, malformed: 0, late: 0 },
    topologySwitches: topologySwitches(result),
    topologyEpochs: epochFigures(result.topology.epochs, f.epochs.byEpoch),
    byzantineDetected: r.byzantineDetected ?? [],
    alerts: [],
    ...(r.warnings && r.warnings.length > 0 ? { warnings: [...r.warnings] } : {}),
    wallMs: round(workload.wallMs),
    traceHash: result.traceHash,
    replayable: setup.mode === 'sim',
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The settings of a vote a protocol that votes on nothing does not read (task keys, agent
 * traits, the voting keys of `consensus`), present in the scenario: each one is a warning that
 * names it (the file stays valid, but it must not look honoured). A `workflow` is refused: a
 * whole staged plan cannot be ignored quietly.
 *
 * @example
 * ```ts
 * unusedSettings(scenario, 'raft'); // ['task.options: raft votes on nothing, so the options are not used']
 * ```
 */
export function unusedSettings(scenario: Scenario, protocol: string, uses: { reads?: boolean; signs?: boolean; detectsByzantine?: boolean } = {}): string[] {
  if (scenario.workflow !== undefined)
    throw new ConfigError('workflow', `no workflow for ${protocol} (a workflow's stages are votes: use a voting algorithm)`, 'a workflow');
  const t = scenario.task;
  const out: string[] = [];
  if (t.reads !== undefined && !uses.reads)
    out.push(`task.reads: ${protocol} has no reads (they are Raft's linearizable reads), so every operation is a write`);
  // A voter's traits shape its opinions and its weight in a vote; a log replica has neither.
  scenario.agents.forEach((g, i) => {
    // (`accuracy` is not among them: the schema fills its default, so a given one cannot be told apart.)
    for (const key of ['weight', 'expertise', 'reasons', 'behaviour', 'vote_fields', 'risk_view'] as const) {
      if (g[key] !== undefined)
        out.push(
          `agents[${i}].${key}: ${protocol} agents do not vote, so it is not used${key === 'behaviour' ? " (consensus.implementation replaces the protocol's own role)" : ''}`,
        );
    }
  });
  const c = scenario.consensus as unknown as Record<string, unknown>;
  for (const key of VOTE_KEYS) if (c[key] !== undefined) out.push(`consensus.${key}: ${protocol} does not vote, so it is not used`);
  if (scenario.consensus.escalation === 'wait') out.push(`consensus.escalation: ${protocol} escalates nothing to a human, so 'wait' is not used`);
  if (t.options.length > 0) out.push(`task.options: ${protocol} votes on nothing, so the options are not used`);
  if (t.truth !== undefined) out.push(`task.truth: ${protocol} has no ground truth to judge (every committed entry is the client's own)`);
  if (t.domain !== undefined) out.push(`task.domain: ${protocol} does not weigh expertise`);
  if (t.risk !== undefined) out.push(`task.risk: ${protocol} does not pick its algorithm by risk (that is consensus.algorithm: adaptive, a voting algorithm)`);
  out.push(...securityWarnings(scenario, protocol, uses));
  return out;
}

/**
 * The keys of `consensus` only a vote reads, among those the schema leaves unset unless given
 * (`voting_timeout` and `weight_reference` get defaults, so a given one cannot be told apart).
 * `byzantine_tolerance` is not among them: loading checks it against the algorithm (honest-keys.ts).
 */
const VOTE_KEYS = [
  'threshold',
  'min_participants',
  'agent_weights',
  'agent_expertise',
  'expert_weight',
  'regular_weight',
  'dynamic_weights',
  'policy',
  'adaptive',
] as const;

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
export interface ClientDrive<S> extends Workload {
  readonly summary: S | undefined;
  /** Requests acknowledged to clients lost in crashes (their summaries died with them). */
  readonly ackedBefore: number;
  /** Requests those clients issued (acknowledged or not). */
  readonly issuedBefore: number;
  /** Requests those clients left unacknowledged: lost with them. */
  readonly aborted: number;
}

/**
 * Asks the client to `start` and waits for its summary (the measured part of the run: wall
 * time from the ask to the reply), then lets what is in flight land. When the client dies
 * with its worker, a successor takes the rest of the run under a new name (`client-2`, ...):
 * under its old name it would reuse request numbers the cluster has already executed and be
 * answered with their old results. What the lost client had left in flight is counted as
 * aborted; when no successor can be started, the run ends with what was done and a failure.
 *
 * @example
 * ```ts
 * const { summary, wallMs } = await driveClient<RaftClientSummary>(system, 'client', 600_000, succession);
 * ```
 */
export async function driveClient<S>(system: ActorSystem, client: ActorId, timeoutMs: number, succession?: ClientSuccession): Promise<ClientDrive<S>> {
  const started = performance.now();
  let current = client;
  let summary: S | undefined;
  let ackedBefore = 0;
  let issuedBefore = 0;
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
      issuedBefore += done.issued;
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
  return { summary, ackedBefore, issuedBefore, aborted, failure, wallMs };
}

/**
 * Drives a client-driven protocol's workload (Raft, PBFT, gossip): asks its client, spawned as
 * `client` with `props`, to start; when the client dies with its worker, a successor takes the
 * rest of the run (what is left of `props[count]` or of its duration), `successor` adding what
 * else a successor needs (its own client id, a shorter deadline). Stopped, not restarted, by its
 * supervision: a successor under a new name takes over (driveClient says why).
 *
 * @example
 * ```ts
 * const drive = await driveClientRun<RaftClientSummary, RaftClientProps>(system, options, counts, { client: 'client', behaviour: RAFT_CLIENT, props, count: 'commands', successor: (rest, id) => ({ ...rest, clientId: id }) });
 * ```
 */
export function driveClientRun<S, P extends { readonly durationMs?: number }>(
  system: ActorSystem,
  options: RunOptions,
  counts: ClientCounts,
  c: {
    readonly client: ActorId;
    readonly behaviour: BehaviourRef;
    readonly props: P;
    readonly count: keyof P & string;
    readonly successor: (rest: P, id: ActorId, elapsedMs: number) => P;
  },
): Promise<ClientDrive<S>> {
  const planned = c.props[c.count] as number | undefined;
  return driveClient<S>(system, c.client, options.timeoutMs ?? 600_000, {
    total: planned ?? Number.MAX_SAFE_INTEGER,
    traced: options.traceLevel !== 'off',
    progress: (id) => counts.of(id),
    spawn: (id, remaining, elapsedMs) =>
      system.spawn(id, c.behaviour, {
        props: c.successor(restOfRun(c.props, c.count, remaining, elapsedMs), id, elapsedMs),
        supervision: { strategy: 'stop' },
      }),
  });
}

/**
 * The props of a successor client (driveClient): what is left of the run, as a count
 * (`remaining` under the props' own count key, when the run has a count) or as what is left of
 * its duration.
 *
 * @example
 * ```ts
 * restOfRun({ commands: 100, durationMs: undefined }, 'commands', 40, 1_200); // { commands: 40 }
 * restOfRun({ durationMs: 5_000 }, 'commands', 0, 1_200);                  // { durationMs: 3_800 }
 * ```
 */
function restOfRun<P extends { readonly durationMs?: number }>(props: P, count: keyof P & string, remaining: number, elapsedMs: number): P {
  return {
    ...props,
    ...(props[count] !== undefined ? { [count]: remaining } : {}),
    ...(props.durationMs !== undefined ? { durationMs: Math.max(1, props.durationMs - elapsedMs) } : {}),
  };
}

/**
 * What a client-driven run did, over every client it had (those lost with their workers too):
 * attempted (the planned count, or with a duration what was issued), acknowledged, and the last
 * client's span (virtual ms in sim mode).
 *
 * @example
 * ```ts
 * const totals = clientTotals(drive, props.commands, drive.summary?.acked ?? 0);
 * ```
 */
export function clientTotals(
  d: ClientDrive<{ readonly issued: number; readonly firstAt: number; readonly lastAt: number }>,
  planned: number | undefined,
  acked: number,
): { attempted: number; acked: number; virtualMs: number } {
  return {
    attempted: planned ?? d.issuedBefore + (d.summary?.issued ?? 0),
    acked: d.ackedBefore + acked,
    virtualMs: d.summary ? d.summary.lastAt - d.summary.firstAt : 0,
  };
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
  constructor(
    private readonly issuedType: string,
    private readonly ackedType: string,
  ) {}

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
