import { LatencySample } from './latency-sample.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { BYZANTINE_RAFT, RAFT_BYZANTINE_KINDS, type ByzantineRaftProps, type RaftByzantineKind } from '../adversary/byzantine-raft.ts';
import { ConfigError } from '../errors.ts';
import type { RaftClientProps, RaftClientSummary } from '../protocols/raft/raft-client.ts';
import { DEFAULT_SNAPSHOT_EVERY, type RaftProps } from '../protocols/raft/messages.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../protocols/raft/refs.ts';
import { parseDuration, refuseUnknownKeys } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { agentIds, memberTopology, roleMap, stripUndefined } from './build-swarm.ts';
import { byzantinePlan } from './byzantine-plan.ts';
import { ClientCounts, clientRunReport, clientTotals, driveClientRun, unusedSettings, type ClientDrive } from './client-run.ts';
import { mainRole } from './main-role.ts';
import type { DriverSetup, FinishedRun, ProtocolAdversary, ProtocolDriver, ProtocolRun, TraceContext, Workload } from './protocol-driver.ts';
import type { RaftFigures } from './raft-figures.ts';
import type { ScenarioResult } from './report.ts';

/** The client actor of a Raft run. */
const CLIENT = 'client';

/**
 * Raft: one node per agent, a client that sends commands (`task.decisions`, or as many as fit in
 * `task.duration`; `task.reads` of them linearizable reads), `in_flight` at once. A decision is
 * one acknowledged command. The nodes are the topology's members: a leader's AppendEntries to a
 * node that is not its neighbour is relayed hop by hop.
 *
 * @example
 * ```ts
 * const result = await runScenario(await loadScenarioFile('examples/raft-deployment.yml'));
 * result.raft!.failovers; // [{ crashed: 'node_001', at: 1000, newLeader: 'node_004', ms: 168 }]
 * ```
 */
export const raftDriver: ProtocolDriver = {
  name: 'raft',
  prepare: async (setup) => {
    const node = await mainRole(setup.scenario, RAFT_NODE);
    return new RaftRun(setup, node);
  },
};

class RaftRun implements ProtocolRun {
  readonly checker = 'raft' as const;
  readonly checkerOptions;
  readonly system = {};
  readonly members;
  readonly topology;
  readonly topologyReason;
  readonly faultDefaults = { splitRatio: 0.4, defaultTarget: 'leader' };
  readonly faultCluster;
  readonly runsSchedule = false;
  readonly warnings: string[];
  private readonly nodes: ActorId[];
  private readonly props: RaftProps;
  private readonly client: RaftClientProps;
  private readonly adversaries;
  readonly adversary: ProtocolAdversary = {
    behaviour: BYZANTINE_RAFT,
    kinds: RAFT_BYZANTINE_KINDS,
    // Two grants in one term: two leaders may be elected in it, which election safety reports.
    defaultKinds: ['conflicting_votes'],
    compromised: (_id, kinds) => ({
      props: { ...this.props, peers: this.nodes, byzantine: kinds as RaftByzantineKind[], delayMs: this.adversaries?.delayMs } satisfies ByzantineRaftProps,
    }),
  };
  private readonly figures: RaftFigures = { leaders: [], failovers: [], retries: 0, rejected: {} };
  /** When each command (client#seq: a successor client numbers from 1 again) was invoked. */
  private readonly invoked = new Map<string, number>();
  private readonly counts = new ClientCounts('client-invoke', 'client-ok');
  private readonly latencies = new LatencySample();
  private leader: ActorId | null = null;
  private drive$: ClientDrive<RaftClientSummary> | undefined;

  constructor(
    private readonly setup: DriverSetup,
    private readonly node: BehaviourRef,
  ) {
    const { scenario, options, seed } = setup;
    this.nodes = agentIds(scenario.agents).flat();
    this.props = raftProps(scenario.consensus.raft, this.nodes);
    const roles = roleMap(scenario);
    // Raft tolerates no liar at all: Byzantine nodes are there to show what its checkers catch.
    this.adversaries = byzantinePlan<RaftByzantineKind>(
      scenario.faults?.byzantine,
      [...roles].map(([id, role]) => ({ id, role })),
      seed,
      { kinds: RAFT_BYZANTINE_KINDS },
    );
    const { task } = scenario;
    this.client = stripUndefined({
      nodes: this.nodes,
      commands: task.decisions,
      durationMs: task.durationMs,
      window: task.inFlight,
      clientId: CLIENT,
      reads: task.reads,
    });
    this.checkerOptions = { terminationBoundMs: options.terminationBoundMs };
    ({ members: this.members, topology: this.topology, reason: this.topologyReason } = memberTopology(scenario, this.nodes, roles));
    this.faultCluster = { members: this.nodes, outsiders: [CLIENT], roles, leaderName: 'leader' as const, leader: () => this.leader };
    this.warnings = unusedSettings(scenario, 'raft', { reads: true });
  }

  observe(e: TraceEvent, run: TraceContext): void {
    this.counts.observe(e);
    // A crash of the leader of the moment starts a failover (its end is the next leader elected).
    if (e.type === 'fault' && e.fault === 'crash' && e.detail === this.leader)
      this.figures.failovers.push({ crashed: e.detail, at: e.t - run.origin, newLeader: null, ms: null });
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: string; term?: number; seq?: number };
    if (ev.type === 'raft-leader') {
      this.leader = e.actor;
      const at = e.t - run.origin;
      this.figures.leaders.push({ term: ev.term!, leader: e.actor, at });
      for (const f of this.figures.failovers) if (f.newLeader === null) Object.assign(f, { newLeader: e.actor, ms: at - f.at });
    } else if (ev.type === 'raft-rejected' && !this.adversaries?.agents.has(e.actor)) {
      const why = String((ev as { reason?: unknown }).reason);
      this.figures.rejected[why] = (this.figures.rejected[why] ?? 0) + 1;
    } else if (ev.type === 'client-invoke') this.invoked.set(`${e.actor}#${ev.seq}`, e.t);
    else if (ev.type === 'client-ok') {
      const key = `${e.actor}#${ev.seq}`;
      const at = this.invoked.get(key);
      if (at === undefined) return;
      this.invoked.delete(key); // a long run must not keep every command it ever sent
      this.latencies.add(e.t - at);
      run.epochs.add(e.t - at);
    }
  }

  async spawn(system: ActorSystem): Promise<void> {
    const { nodes, props, adversaries } = this;
    for (const id of nodes) {
      if (adversaries?.agents.has(id))
        await system.spawn(id, BYZANTINE_RAFT, {
          props: { ...props, peers: nodes, byzantine: adversaries.kinds, delayMs: adversaries.delayMs } satisfies ByzantineRaftProps,
        });
      else await system.spawn(id, this.node, { props: { ...props, peers: nodes } satisfies RaftProps });
    }
    // Stopped, not restarted, when its worker dies: a successor under a new name takes over (driveClient).
    await system.spawn(CLIENT, RAFT_CLIENT, { props: this.client, supervision: { strategy: 'stop' } });
  }

  async drive(system: ActorSystem): Promise<Workload> {
    this.drive$ = await driveClientRun<RaftClientSummary, RaftClientProps>(system, this.setup.options, this.counts, {
      client: CLIENT,
      behaviour: RAFT_CLIENT,
      props: this.client,
      count: 'commands',
      successor: (rest, id) => ({ ...rest, clientId: id }),
    });
    // The retries of a client lost in a crash died with it: these are the last client's.
    this.figures.retries = this.drive$.summary?.retries ?? 0;
    return this.drive$;
  }

  report(f: FinishedRun): ScenarioResult {
    const d = this.drive$!;
    return {
      ...clientRunReport(f, {
        algorithm: 'raft',
        agents: this.nodes.length,
        topologyReason: this.topologyReason,
        latencies: this.latencies,
        warnings: this.warnings,
        ...clientTotals(d, this.client.commands, d.summary?.acked ?? 0),
      }),
      raft: this.figures,
    };
  }
}

const RAFT_KEYS = ['election_timeout_min', 'election_timeout_max', 'heartbeat', 'max_batch', 'snapshot'];
const SNAPSHOT_KEYS = ['every', 'chunk_chars'];

/**
 * `consensus.raft.snapshot`: `{ every: N, chunk_chars: C }` (a snapshot at every N-th applied
 * index, 0 for none; C characters per InstallSnapshot chunk), or `false` for no compaction.
 */
function snapshotProps(raw: unknown): Pick<RaftProps, 'snapshotEvery' | 'snapshotChunkChars'> {
  const path = 'consensus.raft.snapshot';
  if (raw === undefined) return {};
  if (raw === false) return { snapshotEvery: 0 };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(
      path,
      `{ every: N } (a snapshot every N applied entries, 0 for none; default ${DEFAULT_SNAPSHOT_EVERY.toLocaleString('en-US')}) or false`,
      raw,
    );
  const r = raw as Record<string, unknown>;
  refuseUnknownKeys(r, SNAPSHOT_KEYS, path);
  const { every, chunk_chars: chunk } = r;
  if (every !== undefined && !(Number.isInteger(every) && (every as number) >= 0 && (every as number) <= 1e9))
    throw new ConfigError(`${path}.every`, 'an integer from 0 (no compaction) to 1,000,000,000', every);
  if (chunk !== undefined && !(Number.isInteger(chunk) && (chunk as number) >= 1 && (chunk as number) <= 1 << 26))
    throw new ConfigError(`${path}.chunk_chars`, 'an integer from 1 to 67,108,864', chunk);
  return { snapshotEvery: every as number | undefined, snapshotChunkChars: chunk as number | undefined };
}

/**
 * `consensus.raft: { election_timeout_min, election_timeout_max, heartbeat, max_batch, snapshot }`
 * (durations; a bare number is milliseconds; `snapshot` see snapshotProps).
 */
function raftProps(raw: unknown, nodes: ActorId[]): RaftProps {
  if (raw === undefined) return { peers: nodes };
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('consensus.raft', `{ ${RAFT_KEYS.join(', ')} }`, raw);
  const r = raw as Record<string, unknown>;
  refuseUnknownKeys(r, RAFT_KEYS, 'consensus.raft');
  const ms = (key: string) => (r[key] === undefined ? undefined : parseDuration(r[key], `consensus.raft.${key}`));
  const maxBatch = r.max_batch;
  if (maxBatch !== undefined && !(Number.isInteger(maxBatch) && (maxBatch as number) >= 1))
    throw new ConfigError('consensus.raft.max_batch', 'an integer >= 1', maxBatch);
  const props: RaftProps = {
    peers: nodes,
    electionTimeoutMinMs: ms('election_timeout_min'),
    electionTimeoutMaxMs: ms('election_timeout_max'),
    heartbeatMs: ms('heartbeat'),
    maxBatch: maxBatch as number | undefined,
    ...snapshotProps(r.snapshot),
  };
  return stripUndefined(props);
}
