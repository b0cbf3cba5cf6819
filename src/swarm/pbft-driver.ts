import { LatencySample } from './latency-sample.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { SignatureScheme } from '../actors/key-ring.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { BYZANTINE_REPLICA, PBFT_BYZANTINE_KINDS, type ByzantineReplicaProps, type PbftByzantineKind } from '../adversary/byzantine-replica.ts';
import { ConfigError } from '../errors.ts';
import type { PbftClientProps, PbftClientSummary } from '../protocols/pbft/pbft-client.ts';
import { type PbftProps, type ResolvedPbftProps, resolvePbftProps } from '../protocols/pbft/messages.ts';
import { PBFT_CLIENT, PBFT_REPLICA } from '../protocols/pbft/refs.ts';
import { parseDuration, refuseUnknownKeys } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { Member, TopologySpec } from '../topologies/index.ts';
import { agentIds, memberTopology, roleMap, stripUndefined } from './build-swarm.ts';
import { byzantinePlan, type ByzantinePlan } from './byzantine-plan.ts';
import { ClientCounts, clientRunReport, clientTotals, driveClientRun, unusedSettings, type ClientDrive } from './client-run.ts';
import { mainRole } from './main-role.ts';
import type { PbftFigures } from './pbft-figures.ts';
import type { DriverSetup, FinishedRun, ProtocolAdversary, ProtocolDriver, ProtocolRun, TraceContext, Workload } from './protocol-driver.ts';
import type { ScenarioResult } from './report.ts';

/** The client actor of a PBFT run. */
const CLIENT = 'client';
/**
 * When the task sets a count rather than a duration: how long the client waits with no result
 * accepted before it gives up (virtual ms in sim mode). A stall, not a deadline for the whole
 * run: a fixed 30 s for the run cut 2,000,000 requests off at 591,713 (issue 18's long run).
 */
const STALL_MS = 30_000;
/** With a `duration` workload: how long past it the client waits for the results still open. */
const AFTER_DURATION_MS = 10_000;
/** The view-change timeout in threads mode unless the scenario sets one. */
const THREADS_VIEW_TIMEOUT_MS = 1_000;

/**
 * PBFT (`byzantine_tolerant` or `pbft`): one replica per agent (Byzantine ones wrapped by the
 * adversary from `faults.byzantine`), a client that sends requests (`task.decisions`, or as many
 * as fit in `task.duration`), `in_flight` at once, and the PBFT checkers over the trace. A
 * decision is one request whose result the client accepted (f + 1 matching replies). The
 * replicas are the topology's members: a prepare to a replica that is not a neighbour is
 * relayed hop by hop.
 *
 * @example
 * ```ts
 * const result = await runScenario(await loadScenarioFile('examples/pbft-ledger.yml'));
 * result.byzantineDetected; // [{ agent: 'node_001', evidence: 'equivocation in pre-prepare ...' }]
 * ```
 */
export const pbftDriver: ProtocolDriver = {
  name: 'byzantine_tolerant',
  prepare: async (setup) => new PbftRun(setup, await mainRole(setup.scenario, PBFT_REPLICA)),
};

class PbftRun implements ProtocolRun {
  readonly checker = 'pbft' as const;
  readonly checkerOptions;
  readonly system: { signatures?: SignatureScheme };
  readonly members: readonly Member[];
  readonly topology: TopologySpec;
  readonly topologyReason: string;
  readonly faultDefaults = { splitRatio: 0.3, defaultTarget: 'primary' };
  readonly faultCluster;
  readonly runsSchedule = false;
  private readonly warnings: string[];
  private readonly replicas: ActorId[];
  private readonly props: PbftProps;
  private readonly resolved: ResolvedPbftProps;
  private readonly client: PbftClientProps;
  private readonly deadlineMs: number | undefined;
  private readonly adversaries: ByzantinePlan<PbftByzantineKind> | undefined;
  private readonly liars: ActorId[];
  readonly adversary: ProtocolAdversary = {
    behaviour: BYZANTINE_REPLICA,
    kinds: PBFT_BYZANTINE_KINDS,
    // Two pre-prepares (as primary) or two votes for one sequence number: what honest replicas prove.
    defaultKinds: ['conflicting_votes'],
    compromised: (id, kinds) => {
      // A liar from now on: views count its honest peers only, and it colludes with the others.
      if (!this.liars.includes(id)) this.liars.push(id);
      for (const k of kinds as PbftByzantineKind[]) if (!this.figures.byzantine.kinds.includes(k)) this.figures.byzantine.kinds.push(k);
      return {
        props: {
          ...this.props,
          byzantine: kinds as PbftByzantineKind[],
          delayMs: this.adversaries?.delayMs,
          colluders: this.liars,
        } satisfies ByzantineReplicaProps,
      };
    },
  };
  private readonly figures: { -readonly [K in keyof PbftFigures]: PbftFigures[K] };
  private readonly installed = new Map<number, Set<ActorId>>();
  /** Per replica proven Byzantine: what it was caught at, and which honest replicas hold proof. */
  private readonly detected = new Map<ActorId, { kinds: Set<string>; by: Set<ActorId> }>();
  private primary: ActorId;
  /** When each request (client#ts: a successor client numbers from 1 again) was issued. */
  private readonly invoked = new Map<string, number>();
  private readonly latencies = new LatencySample();
  private readonly counts = new ClientCounts('pbft-request', 'pbft-accepted');
  private system$: ActorSystem | undefined;
  private drive$: ClientDrive<PbftClientSummary> | undefined;

  constructor(
    private readonly setup: DriverSetup,
    private readonly replica: BehaviourRef,
  ) {
    const { scenario, mode, seed, options } = setup;
    const agents = agentIds(scenario.agents);
    this.replicas = agents.flat();
    const roles = roleMap(scenario);
    const configured = authenticated(pbftProps(scenario.consensus.pbft, this.replicas), scenario.security?.agentAuthentication === true);
    // Wall-clock timers in threads mode run on machines that may be busy signing: a 200 ms
    // suspicion timer there replaces healthy primaries of large clusters (measured at n = 10 and
    // 13 with Ed25519 on 2 cores), so the default is longer; sim mode keeps the protocol's 200 ms.
    this.props =
      mode === 'threads' && configured.props.viewChangeTimeoutMs === undefined
        ? { ...configured.props, viewChangeTimeoutMs: THREADS_VIEW_TIMEOUT_MS }
        : configured.props;
    this.resolved = resolvePbftProps(this.props);
    this.system = configured.signatures === 'none' || configured.signatures === undefined ? {} : { signatures: configured.signatures };
    this.adversaries = byzantinePlan<PbftByzantineKind>(
      scenario.faults?.byzantine,
      [...roles].map(([id, role]) => ({ id, role })),
      seed,
      { kinds: PBFT_BYZANTINE_KINDS, targets: { primary: this.replicas[0] } },
    );
    this.liars = [...(this.adversaries?.agents ?? [])];
    this.checkerOptions = { byzantine: this.liars, terminationBoundMs: options.terminationBoundMs };
    this.primary = this.replicas[0];
    // A run beyond the fault bound may never finish: the client reports what it got by then.
    const { task } = scenario;
    this.deadlineMs = task.durationMs !== undefined ? task.durationMs + AFTER_DURATION_MS : undefined;
    // The client resends after two suspicion timeouts: sooner only adds load to a busy cluster.
    this.client = stripUndefined({
      replicas: this.replicas,
      f: this.resolved.f,
      requests: task.decisions,
      durationMs: task.durationMs,
      window: task.inFlight,
      deadlineMs: this.deadlineMs,
      stallMs: this.deadlineMs === undefined ? STALL_MS : undefined,
      retryMs: 2 * this.resolved.viewChangeTimeoutMs,
    });
    ({ members: this.members, topology: this.topology, reason: this.topologyReason } = memberTopology(scenario, this.replicas, roles));
    this.faultCluster = { members: this.replicas, outsiders: [CLIENT], roles, leaderName: 'primary' as const, leader: () => this.primary };
    this.figures = {
      n: this.resolved.n,
      f: this.resolved.f,
      signatures: 'none',
      views: [],
      failovers: [],
      detected: [],
      byzantine: { agents: this.liars, kinds: [...(this.adversaries?.kinds ?? [])] },
      rejected: {},
      retries: 0,
    };
    this.warnings = unusedSettings(scenario, 'PBFT', { signs: true, detectsByzantine: true });
  }

  private honest(id: ActorId): boolean {
    return this.replicas.includes(id) && !this.liars.includes(id);
  }

  observe(e: TraceEvent, run: TraceContext): void {
    this.counts.observe(e);
    const { figures } = this;
    if (e.type === 'fault' && e.fault === 'crash' && e.detail === this.primary)
      figures.failovers.push({ crashed: e.detail, at: e.t - run.origin, newPrimary: null, ms: null });
    // The crashed primary back before any new view: the failover ended without one.
    if (e.type === 'fault' && e.fault === 'recover') {
      for (const f of figures.failovers)
        if (f.newPrimary === null && f.recoveredMs === undefined && e.detail.split(' ')[0] === f.crashed) f.recoveredMs = e.t - run.origin - f.at;
    }
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: string; view?: number; primary?: string; reason?: string; ts?: number };
    if (ev.type === 'pbft-detected' && this.honest(e.actor)) {
      const d = e.event as { suspect: ActorId; kind: string; phase: string; view: number; seq: number; evidence: unknown[] };
      const proof = this.detected.get(d.suspect) ?? { kinds: new Set(), by: new Set() };
      this.detected.set(d.suspect, proof);
      proof.kinds.add(d.kind);
      proof.by.add(e.actor);
      if (!figures.detected.some((x) => x.suspect === d.suspect)) {
        figures.detected.push({
          suspect: d.suspect,
          by: e.actor,
          kind: d.kind,
          phase: d.phase,
          view: d.view,
          seq: d.seq,
          at: e.t - run.origin,
          evidence: d.evidence,
        });
        // The swarm takes a replica proven Byzantine out of the routes. Proof, not suspicion: the
        // evidence is its own signed messages, which every replica checks before believing it.
        this.system$?.faults.isolate(d.suspect, `${d.kind} in ${d.phase}, proven to ${e.actor}`);
      }
    } else if (ev.type === 'pbft-rejected' && this.honest(e.actor)) figures.rejected[ev.reason!] = (figures.rejected[ev.reason!] ?? 0) + 1;
    else if (ev.type === 'pbft-view' && this.honest(e.actor)) {
      // A view counts once a quorum of honest replicas is in it (2f + 1 minus the liars).
      const at = this.installed.get(ev.view!) ?? new Set<ActorId>();
      this.installed.set(ev.view!, at.add(e.actor));
      if (at.size === Math.max(1, this.resolved.quorum - this.liars.length) && !figures.views.some((v) => v.view === ev.view)) {
        this.primary = ev.primary!;
        figures.views.push({ view: ev.view!, primary: ev.primary!, at: e.t - run.origin });
        for (const f of figures.failovers) if (f.newPrimary === null) Object.assign(f, { newPrimary: ev.primary, ms: e.t - run.origin - f.at });
      }
    } else if (ev.type === 'pbft-request') this.invoked.set(`${e.actor}#${ev.ts}`, e.t);
    else if (ev.type === 'pbft-accepted') {
      const key = `${e.actor}#${ev.ts}`;
      const at = this.invoked.get(key);
      if (at === undefined) return;
      this.invoked.delete(key); // a long run must not keep every request it ever sent
      this.latencies.add(e.t - at);
      run.epochs.add(e.t - at);
    }
  }

  async spawn(system: ActorSystem): Promise<void> {
    this.system$ = system;
    this.figures.signatures = this.props.auth === 'none' ? 'none' : system.signatures;
    const { adversaries, props } = this;
    for (const id of this.replicas) {
      if (adversaries?.agents.has(id))
        await system.spawn(id, BYZANTINE_REPLICA, {
          props: { ...props, byzantine: adversaries.kinds, delayMs: adversaries.delayMs, colluders: this.liars } satisfies ByzantineReplicaProps,
        });
      else await system.spawn(id, this.replica, { props });
    }
    // Stopped, not restarted, when its worker dies: a successor under a new name takes over (driveClient).
    await system.spawn(CLIENT, PBFT_CLIENT, { props: this.client, supervision: { strategy: 'stop' } });
  }

  async drive(system: ActorSystem): Promise<Workload> {
    const { deadlineMs } = this;
    this.drive$ = await driveClientRun<PbftClientSummary, PbftClientProps>(system, this.setup.options, this.counts, {
      client: CLIENT,
      behaviour: PBFT_CLIENT,
      props: this.client,
      count: 'requests',
      successor: (rest, _id, elapsedMs) => (deadlineMs === undefined ? rest : { ...rest, deadlineMs: Math.max(1, deadlineMs - elapsedMs) }),
    });
    // The resends of a client lost in a crash died with it: these are the last client's.
    this.figures.retries = this.drive$.summary?.retries ?? 0;
    return this.drive$;
  }

  report(f: FinishedRun): ScenarioResult {
    const d = this.drive$!;
    // Liveness is not a safety property: requests left unanswered show as timed out decisions,
    // and as a termination-after-heal finding when the run went on long after the faults ended.
    return {
      ...clientRunReport(f, {
        algorithm: 'byzantine_tolerant',
        agents: this.replicas.length,
        topologyReason: this.topologyReason,
        latencies: this.latencies,
        warnings: this.warnings,
        ...clientTotals(d, this.client.requests, d.summary?.accepted ?? 0),
        byzantineDetected: [...this.detected].map(([agent, p]) => ({
          agent,
          evidence: `${[...p.kinds].join(', ')}: signed proof held by ${p.by.size} replica${p.by.size === 1 ? '' : 's'}`,
        })),
      }),
      pbft: this.figures,
    };
  }
}

/**
 * `security.agent_authentication: required`: every PBFT message carries a real Ed25519 signature
 * (the default scheme becomes ed25519 in sim mode too); `signatures: none` or `token` (a modelled
 * signature) is refused then.
 */
function authenticated(c: ReturnType<typeof pbftProps>, required: boolean): ReturnType<typeof pbftProps> {
  if (!required) return c;
  if (c.signatures === 'none' || c.signatures === 'token') {
    throw new ConfigError(
      'consensus.pbft.signatures',
      'ed25519, or no signatures key (security.agent_authentication: required asks for real signatures)',
      c.signatures,
    );
  }
  return { ...c, signatures: 'ed25519' };
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
  refuseUnknownKeys(r, PBFT_KEYS, 'consensus.pbft');
  const int = (key: string): number | undefined => {
    const v = r[key];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < (key === 'f' ? 0 : 1))
      throw new ConfigError(`consensus.pbft.${key}`, key === 'f' ? 'an integer >= 0' : 'an integer >= 1', v);
    return v as number;
  };
  const signatures = r.signatures;
  if (signatures !== undefined && !['token', 'ed25519', 'none'].includes(signatures as string))
    throw new ConfigError('consensus.pbft.signatures', 'token (modelled), ed25519 (real) or none (channels only)', signatures);
  const props: PbftProps = {
    replicas,
    f: int('f'),
    checkpointInterval: int('checkpoint_interval'),
    logWindow: int('log_window'),
    maxBatch: int('max_batch'),
    maxInflight: int('max_inflight'),
    viewChangeTimeoutMs: r.view_change_timeout === undefined ? undefined : parseDuration(r.view_change_timeout, 'consensus.pbft.view_change_timeout'),
    auth: signatures === 'none' ? 'none' : 'sign',
  };
  return {
    props: Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as unknown as PbftProps,
    signatures: signatures as SignatureScheme | 'none' | undefined,
  };
}
