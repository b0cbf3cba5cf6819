import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { SignatureScheme } from '../actors/key-ring.ts';
import { BYZANTINE_REPLICA, PBFT_BYZANTINE_KINDS, type ByzantineReplicaProps, type PbftByzantineKind } from '../adversary/byzantine-replica.ts';
import { RunCheckers } from '../check/registry.ts';
import { ConfigError } from '../errors.ts';
import type { PbftClientProps, PbftClientSummary } from '../protocols/pbft/pbft-client.ts';
import { PBFT_CLIENT, PBFT_REPLICA } from '../protocols/pbft/refs.ts';
import { type PbftProps, resolvePbftProps } from '../protocols/pbft/messages.ts';
import { didYouMean, parseDuration, type Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { createSystem } from '../system/create-system.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { agentIds } from './build-swarm.ts';
import { parseFaultPlan } from '../scenario/fault-plan.ts';
import { layFaults } from '../adversary/lay-faults.ts';
import { byzantinePlan } from './byzantine-plan.ts';
import { mainRole } from './main-role.ts';
import type { ScenarioResult } from './report.ts';
import { ClientCounts, clientRunReport, driveClient, faultGraph, refuseTimedFaultsInThreads } from './client-run.ts';
import type { RunOptions } from './swarm.ts';
import { TraceFile } from './trace-file.ts';

/** The client actor of a PBFT run. */
const CLIENT = 'client';
/** How long the client waits for all its results when the task sets no duration (virtual ms in sim mode). */
const DEFAULT_DEADLINE_MS = 30_000;
/** The view-change timeout in threads mode unless the scenario sets one. */
const THREADS_VIEW_TIMEOUT_MS = 1_000;

/**
 * What a PBFT run adds to a scenario result.
 *
 * @example
 * ```ts
 * for (const v of result.pbft!.views) console.log(`view ${v.view}: primary ${v.primary} from ${v.at} ms`);
 * ```
 */
export interface PbftFigures {
  /** Replicas and the faults they tolerate. */
  readonly n: number;
  readonly f: number;
  /** How messages were authenticated: signed with modelled tokens or Ed25519, or not signed at all. */
  readonly signatures: SignatureScheme | 'none';
  /** Each view a quorum of honest replicas installed, with its primary and when. */
  readonly views: { view: number; primary: ActorId; at: number }[];
  /** For each crash of a primary: how long until a new view was installed. */
  readonly failovers: { crashed: ActorId; at: number; newPrimary: ActorId | null; ms: number | null }[];
  /** The replicas run Byzantine in this run, and how. */
  readonly byzantine: { agents: ActorId[]; kinds: PbftByzantineKind[] };
  /** Each replica proven Byzantine: the first proof an honest replica found (its signed messages). */
  readonly detected: { suspect: ActorId; by: ActorId; kind: string; phase: string; view: number; seq: number; at: number; evidence: unknown[] }[];
  /** Messages the honest replicas refused, by reason. */
  readonly rejected: Record<string, number>;
  /** Client resends after a request went unanswered. */
  retries: number;
}

/**
 * Runs a scenario whose algorithm is `byzantine_tolerant` (or `pbft`): one PBFT replica per
 * agent (Byzantine ones wrapped by the adversary from `faults.byzantine`), a client that sends
 * `task.decisions` requests (`in_flight` at once), crash and partition faults laid on virtual
 * time (sim mode), and the PBFT checkers over the trace. A decision is one request whose result
 * the client accepted (f + 1 matching replies).
 *
 * @example
 * ```ts
 * const result = await runPbftScenario(await loadScenarioFile('examples/pbft-ledger.yml'));
 * result.byzantineDetected; // [{ agent: 'node_001', evidence: 'equivocation in pre-prepare ...' }]
 * ```
 */
export async function runPbftScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult & { pbft: PbftFigures }> {
  const mode = options.mode ?? scenario.mode ?? 'sim';
  const seed = options.seed ?? scenario.seed ?? 1;
  const agents = agentIds(scenario.agents);
  const replicas = agents.flat();
  const roles = scenario.agents.flatMap((a, i) => agents[i].map((id) => ({ id, role: a.role })));
  const configured = pbftProps(scenario.consensus.pbft, replicas);
  const signatures = configured.signatures;
  // Wall-clock timers in threads mode run on machines that may be busy signing: a 200 ms
  // suspicion timer there replaces healthy primaries of large clusters (measured at n = 10 and
  // 13 with Ed25519 on 2 cores), so the default is longer; sim mode keeps the protocol's 200 ms.
  const props: PbftProps = mode === 'threads' && configured.props.viewChangeTimeoutMs === undefined ? { ...configured.props, viewChangeTimeoutMs: THREADS_VIEW_TIMEOUT_MS } : configured.props;
  const resolved = resolvePbftProps(props);
  const replica = await mainRole(scenario, PBFT_REPLICA);
  const faults = parseFaultPlan(scenario.faults, { splitRatio: 0.3, defaultTarget: 'primary' });
  const byzantine = scenario.faults?.byzantine;
  const adversaries = byzantinePlan<PbftByzantineKind>(byzantine, roles, seed, { kinds: PBFT_BYZANTINE_KINDS, targets: { primary: replicas[0] } });
  refuseTimedFaultsInThreads(mode, faults, scenario.faults);
  // Cascading failures spread along the scenario's topology (PBFT replicas talk to each other directly).
  const graph = faultGraph(scenario, replicas);
  const traceLevel = options.traceLevel ?? 'events';
  const scheme = signatures === 'none' ? undefined : signatures;
  const system: ActorSystem = mode === 'sim'
    ? await createSystem({ mode, seed, traceLevel, signatures: scheme })
    : await createSystem({ mode, seed, traceLevel, workers: options.workers, signatures: scheme });
  options.onSystem?.(system);
  const out = options.traceFile ? new TraceFile(options.traceFile) : undefined;
  const liars = [...(adversaries?.agents ?? [])];
  const checks = new RunCheckers('pbft', { byzantine: liars, terminationBoundMs: options.terminationBoundMs });
  const figures: PbftFigures = {
    n: resolved.n, f: resolved.f, signatures: props.auth === 'none' ? 'none' : system.signatures,
    views: [], failovers: [], detected: [], byzantine: { agents: liars, kinds: [...(adversaries?.kinds ?? [])] }, rejected: {}, retries: 0,
  };
  const honest = (id: ActorId) => replicas.includes(id) && !liars.includes(id);
  const installed = new Map<number, Set<ActorId>>();
  /** Per replica proven Byzantine: what it was caught at, and which honest replicas hold proof. */
  const detected = new Map<ActorId, { kinds: Set<string>; by: Set<ActorId> }>();
  let primary: ActorId = replicas[0];
  /** When each request (client#ts: a successor client numbers from 1 again) was issued. */
  const invoked = new Map<string, number>();
  const latencies: number[] = [];
  const counts = new ClientCounts('pbft-request', 'pbft-accepted');
  let origin: number | undefined;
  try {
    system.trace$.subscribe((e: TraceEvent) => {
      origin ??= e.t;
      counts.observe(e);
      checks.observe(e);
      out?.write(e);
      options.onEvent?.(e);
      if (e.type !== 'emit') return;
      const ev = e.event as { type?: string; view?: number; primary?: string; reason?: string; ts?: number };
      if (ev.type === 'pbft-detected' && honest(e.actor)) {
        const d = e.event as { suspect: ActorId; kind: string; phase: string; view: number; seq: number; evidence: unknown[] };
        const proof = detected.get(d.suspect) ?? { kinds: new Set(), by: new Set() };
        detected.set(d.suspect, proof);
        proof.kinds.add(d.kind);
        proof.by.add(e.actor);
        if (!figures.detected.some((x) => x.suspect === d.suspect)) {
          figures.detected.push({ suspect: d.suspect, by: e.actor, kind: d.kind, phase: d.phase, view: d.view, seq: d.seq, at: e.t - origin, evidence: d.evidence });
          // The swarm takes a replica proven Byzantine out of the routes (sim mode; in threads
          // mode each honest replica drops what it sends). Proof, not suspicion: the evidence is
          // its own signed messages, which every replica checks before believing it.
          if (system instanceof SimSystem) system.faults.isolate(d.suspect, `${d.kind} in ${d.phase}, proven to ${e.actor}`);
        }
      } else if (ev.type === 'pbft-rejected' && honest(e.actor)) figures.rejected[ev.reason!] = (figures.rejected[ev.reason!] ?? 0) + 1;
      else if (ev.type === 'pbft-view' && honest(e.actor)) {
        // A view counts once a quorum of honest replicas is in it (2f + 1 minus the liars).
        const at = installed.get(ev.view!) ?? new Set<ActorId>();
        installed.set(ev.view!, at.add(e.actor));
        if (at.size === Math.max(1, resolved.quorum - liars.length) && !figures.views.some((v) => v.view === ev.view)) {
          primary = ev.primary!;
          figures.views.push({ view: ev.view!, primary: ev.primary!, at: e.t - origin });
          for (const f of figures.failovers) if (f.newPrimary === null) Object.assign(f, { newPrimary: ev.primary, ms: e.t - origin - f.at });
        }
      } else if (ev.type === 'pbft-request') invoked.set(`${e.actor}#${ev.ts}`, e.t);
      else if (ev.type === 'pbft-accepted' && invoked.has(`${e.actor}#${ev.ts}`)) latencies.push(e.t - invoked.get(`${e.actor}#${ev.ts}`)!);
    });
    for (const id of replicas) {
      if (adversaries?.agents.has(id)) await system.spawn(id, BYZANTINE_REPLICA, { props: { ...props, byzantine: adversaries.kinds, delayMs: adversaries.delayMs, colluders: liars } satisfies ByzantineReplicaProps });
      else await system.spawn(id, replica, { props });
    }
    // A run beyond the fault bound may never finish: the client reports what it got by then.
    const deadlineMs = scenario.task.durationMs ?? DEFAULT_DEADLINE_MS;
    // The client resends after two suspicion timeouts: sooner only adds load to a busy cluster.
    const client: PbftClientProps = { replicas, f: resolved.f, requests: scenario.task.decisions ?? 1, window: scenario.task.inFlight, deadlineMs, retryMs: 2 * resolved.viewChangeTimeoutMs };
    // Stopped, not restarted, when its worker dies: a successor under a new name takes over (driveClient).
    await system.spawn(CLIENT, PBFT_CLIENT, { props: client, supervision: { strategy: 'stop' } });
    if (system instanceof SimSystem) {
      // The primary's side of a partition is the minority: the rest must change view to go on.
      layFaults(system.faults, { members: replicas, outsiders: [CLIENT], roles: new Map(roles.map((r) => [r.id, r.role])), leaderName: 'primary', leader: () => primary, neighbours: (id) => graph.neighbours(id), seed }, faults, {
        onCrash: (crashed, at, wasLeader) => wasLeader && figures.failovers.push({ crashed, at, newPrimary: null, ms: null }),
      });
    }
    const { summary, ackedBefore, aborted, failure, wallMs, result } = await driveClient<PbftClientSummary>(system, CLIENT, options.timeoutMs ?? 600_000, {
      total: client.requests, traced: traceLevel !== 'off', progress: (id) => counts.of(id),
      spawn: (id, remaining, elapsedMs) => system.spawn(id, PBFT_CLIENT, { props: { ...client, requests: remaining, deadlineMs: Math.max(1, deadlineMs - elapsedMs) }, supervision: { strategy: 'stop' } }),
    });
    // The resends of a client lost in a crash died with it: these are the last client's.
    figures.retries = summary?.retries ?? 0;
    // Liveness is not a safety property: requests left unanswered show as timed out decisions,
    // and as a termination-after-heal finding when the run went on long after the faults ended.
    return {
      ...clientRunReport({
        scenario, seed, mode, algorithm: 'byzantine_tolerant', agents: replicas.length, topologyReason: 'PBFT replicas talk to each other directly',
        attempted: client.requests, acked: ackedBefore + (summary?.accepted ?? 0), wallMs, virtualMs: summary ? summary.lastAt - summary.firstAt : 0, latencies, aborted, failure, origin,
        checks: checks.finish(result), safetyChecked: traceLevel !== 'off', result,
        byzantineDetected: [...detected].map(([agent, d]) => ({ agent, evidence: `${[...d.kinds].join(', ')}: signed proof held by ${d.by.size} replica${d.by.size === 1 ? '' : 's'}` })),
      }),
      pbft: figures,
    };
  } finally {
    await system.shutdown().catch(() => undefined);
    out?.close();
  }
}

const PBFT_KEYS = ['f', 'checkpoint_interval', 'log_window', 'max_batch', 'max_inflight', 'view_change_timeout', 'signatures'];

/**
 * `consensus.pbft: { f, checkpoint_interval, log_window, max_batch, max_inflight,
 * view_change_timeout, signatures: token | ed25519 | none }`.
 */
function pbftProps(raw: unknown, replicas: ActorId[]): { props: PbftProps; signatures: SignatureScheme | 'none' | undefined } {
  if (raw === undefined) return { props: { replicas }, signatures: undefined };
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('consensus.pbft', `{ ${PBFT_KEYS.join(', ')} }`, raw);
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (PBFT_KEYS.includes(key)) continue;
    const near = didYouMean(key, PBFT_KEYS);
    throw new ConfigError(`consensus.pbft.${key}`, `${near ? `${near} (did you mean it?), or ` : ''}one of ${PBFT_KEYS.join(', ')}`, r[key]);
  }
  const int = (key: string): number | undefined => {
    const v = r[key];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < (key === 'f' ? 0 : 1)) throw new ConfigError(`consensus.pbft.${key}`, key === 'f' ? 'an integer >= 0' : 'an integer >= 1', v);
    return v as number;
  };
  const signatures = r.signatures;
  if (signatures !== undefined && !['token', 'ed25519', 'none'].includes(signatures as string)) throw new ConfigError('consensus.pbft.signatures', 'token (modelled), ed25519 (real) or none (channels only)', signatures);
  const props: PbftProps = {
    replicas, f: int('f'), checkpointInterval: int('checkpoint_interval'), logWindow: int('log_window'), maxBatch: int('max_batch'), maxInflight: int('max_inflight'),
    viewChangeTimeoutMs: r.view_change_timeout === undefined ? undefined : parseDuration(r.view_change_timeout, 'consensus.pbft.view_change_timeout'),
    auth: signatures === 'none' ? 'none' : 'sign',
  };
  return { props: Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as unknown as PbftProps, signatures: signatures as SignatureScheme | 'none' | undefined };
}
