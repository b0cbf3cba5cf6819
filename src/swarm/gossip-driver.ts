import { LatencySample } from './latency-sample.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { ConfigError } from '../errors.ts';
import type { GossipClientProps, GossipClientSummary } from '../protocols/gossip/gossip-client.ts';
import { GOSSIP_DEFAULTS, type GossipProps } from '../protocols/gossip/messages.ts';
import { GOSSIP_CLIENT, GOSSIP_NODE } from '../protocols/gossip/refs.ts';
import { parseDuration, refuseUnknownKeys } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { agentIds, memberTopology, roleMap, stripUndefined } from './build-swarm.ts';
import { ClientCounts, clientRunReport, clientTotals, driveClientRun, unusedSettings, type ClientDrive } from './client-run.ts';
import { mainRole } from './main-role.ts';
import type { DriverSetup, FinishedRun, ProtocolDriver, ProtocolRun, TraceContext, Workload } from './protocol-driver.ts';
import type { ScenarioResult } from './report.ts';

/** The client actor of a gossip run. */
const CLIENT = 'client';

/**
 * Gossip agreement, leaderless: one node per agent; a client opens instances (`task.decisions`,
 * or as many as fit in `task.duration`), `in_flight` at once. A decision is one instance every
 * node settled on with one value. The nodes are the topology's members: a push to a peer that is
 * not a neighbour is relayed hop by hop.
 *
 * @example
 * ```ts
 * const result = await runScenario(await loadScenarioFile('examples/gossip-max.yml'));
 * result.decisions.decided; // 20
 * ```
 */
export const gossipDriver: ProtocolDriver = {
  name: 'gossip',
  prepare: async (setup) => new GossipRun(setup, await mainRole(setup.scenario, GOSSIP_NODE)),
};

class GossipRun implements ProtocolRun {
  readonly checker = 'gossip' as const;
  readonly checkerOptions;
  readonly system = {};
  readonly members;
  readonly topology;
  readonly topologyReason;
  readonly faultDefaults = { defaultTarget: 'random' };
  readonly faultCluster;
  readonly runsSchedule = false;
  readonly warnings: string[];
  private readonly nodes: ActorId[];
  private readonly props: GossipProps;
  private readonly client: GossipClientProps;
  private readonly opened = new Map<string, number>();
  private readonly counts = new ClientCounts('gossip-open', 'gossip-decided');
  private readonly latencies = new LatencySample();
  private drive$: ClientDrive<GossipClientSummary> | undefined;

  constructor(
    private readonly setup: DriverSetup,
    private readonly node: BehaviourRef,
  ) {
    const { scenario, options } = setup;
    if (scenario.faults?.byzantine !== undefined)
      throw new ConfigError(
        'faults.byzantine',
        'no byzantine section: gossip agreement has no Byzantine model (crash, partition and link faults apply)',
        scenario.faults.byzantine,
      );
    this.nodes = agentIds(scenario.agents).flat();
    this.props = gossipProps(scenario.consensus.gossip, this.nodes);
    const roles = roleMap(scenario);
    const { task } = scenario;
    // Long enough for a round of pushes to spread and every node to go quiet, with room to spare.
    const retryMs = (this.props.roundMs ?? GOSSIP_DEFAULTS.roundMs) * ((this.props.quietRounds ?? GOSSIP_DEFAULTS.quietRounds) + 1) * 5;
    this.client = stripUndefined({
      nodes: this.nodes,
      decisions: task.decisions,
      durationMs: task.durationMs,
      window: task.inFlight,
      clientId: CLIENT,
      retryMs,
    });
    this.checkerOptions = { terminationBoundMs: options.terminationBoundMs };
    ({ members: this.members, topology: this.topology, reason: this.topologyReason } = memberTopology(scenario, this.nodes, roles));
    this.faultCluster = { members: this.nodes, outsiders: [CLIENT], roles, leaderName: undefined, leader: () => null };
    this.warnings = unusedSettings(scenario, 'gossip');
  }

  observe(e: TraceEvent, run: TraceContext): void {
    this.counts.observe(e);
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: string; decision?: string };
    if (ev.type === 'gossip-open') this.opened.set(ev.decision!, e.t);
    else if (ev.type === 'gossip-decided') {
      const at = this.opened.get(ev.decision!);
      if (at === undefined) return;
      this.latencies.add(e.t - at);
      run.epochs.add(e.t - at);
    }
  }

  async spawn(system: ActorSystem): Promise<void> {
    for (const id of this.nodes) await system.spawn(id, this.node, { props: this.props });
    await system.spawn(CLIENT, GOSSIP_CLIENT, { props: this.client, supervision: { strategy: 'stop' } });
  }

  async drive(system: ActorSystem): Promise<Workload> {
    this.drive$ = await driveClientRun<GossipClientSummary, GossipClientProps>(system, this.setup.options, this.counts, {
      client: CLIENT,
      behaviour: GOSSIP_CLIENT,
      props: this.client,
      count: 'decisions',
      successor: (rest, id) => ({ ...rest, clientId: id }),
    });
    return this.drive$;
  }

  report(f: FinishedRun): ScenarioResult {
    const d = this.drive$!;
    return clientRunReport(f, {
      algorithm: 'gossip',
      agents: this.nodes.length,
      topologyReason: this.topologyReason,
      latencies: this.latencies,
      warnings: this.warnings,
      ...clientTotals(d, this.client.decisions, d.summary?.decided ?? 0),
    });
  }
}

const GOSSIP_KEYS = ['fanout', 'round', 'quiet_rounds'];

/** `consensus.gossip: { fanout, round, quiet_rounds }`: fanout and quiet_rounds integers in 1..1000, round a duration of 1 ms .. 1 min. */
function gossipProps(raw: unknown, nodes: ActorId[]): GossipProps {
  if (raw === undefined) return { peers: nodes };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('consensus.gossip', `{ ${GOSSIP_KEYS.join(', ')} }`, raw);
  const r = raw as Record<string, unknown>;
  refuseUnknownKeys(r, GOSSIP_KEYS, 'consensus.gossip');
  const int = (key: string): number | undefined => {
    const v = r[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000))
      throw new ConfigError(`consensus.gossip.${key}`, 'an integer from 1 to 1000', v);
    return v as number | undefined;
  };
  const roundMs = r.round === undefined ? undefined : parseDuration(r.round, 'consensus.gossip.round');
  if (roundMs !== undefined && !(roundMs >= 1 && roundMs <= 60_000)) throw new ConfigError('consensus.gossip.round', 'a duration from 1ms to 1m', r.round);
  return stripUndefined({ peers: nodes, fanout: int('fanout'), roundMs, quietRounds: int('quiet_rounds') });
}
