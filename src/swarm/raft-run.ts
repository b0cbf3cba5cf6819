import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { RunCheckers } from '../check/registry.ts';
import { ConfigError } from '../errors.ts';
import type { RaftClientProps, RaftClientSummary } from '../protocols/raft/raft-client.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../protocols/raft/refs.ts';
import type { RaftProps } from '../protocols/raft/messages.ts';
import { parseDuration, type Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { createSystem } from '../system/create-system.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import type { ScenarioResult } from './report.ts';
import { ClientCounts, clientRunReport, driveClient, faultGraph, refuseTimedFaultsInThreads } from './client-run.ts';
import { agentIds, roleMap } from './build-swarm.ts';
import { parseFaultPlan } from '../scenario/fault-plan.ts';
import { layFaults } from '../adversary/lay-faults.ts';
import { BYZANTINE_RAFT, RAFT_BYZANTINE_KINDS, type ByzantineRaftProps, type RaftByzantineKind } from '../adversary/byzantine-raft.ts';
import { byzantinePlan } from './byzantine-plan.ts';
import { mainRole } from './main-role.ts';
import type { RunOptions } from './swarm.ts';
import { TraceFile } from './trace-file.ts';

/** The client actor of a Raft run. */
const CLIENT = 'client';

/**
 * What a Raft run adds to a scenario result: who led each term and when, and for every crash of
 * a leader how long the cluster went without one.
 *
 * @example
 * ```ts
 * for (const f of result.raft!.failovers) console.log(`${f.crashed} crashed; new leader after ${f.ms} ms`);
 * ```
 */
export interface RaftFigures {
  readonly leaders: { term: number; leader: ActorId; at: number }[];
  readonly failovers: { crashed: ActorId; at: number; newLeader: ActorId | null; ms: number | null }[];
  /** Client sends beyond the first of each command (redirects and timeouts). */
  retries: number;
}

/**
 * Runs a scenario whose algorithm is `raft`: one Raft node per agent, a client that sends
 * `task.decisions` commands (`in_flight` at once), and the scenario's crash and partition faults
 * laid on the run in virtual time (sim mode). A decision is one committed client command.
 *
 * @example
 * ```ts
 * const result = await runRaftScenario(await loadScenarioFile('examples/raft-deployment.yml'));
 * result.raft!.failovers; // [{ crashed: 'node_001', at: 1000, newLeader: 'node_004', ms: 168 }]
 * ```
 */
export async function runRaftScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult & { raft: RaftFigures }> {
  const mode = options.mode ?? scenario.mode ?? 'sim';
  const seed = options.seed ?? scenario.seed ?? 1;
  const nodes = agentIds(scenario.agents).flat();
  const props = raftProps(scenario.consensus.raft, nodes);
  const node = await mainRole(scenario, RAFT_NODE);
  const faults = parseFaultPlan(scenario.faults, { splitRatio: 0.4, defaultTarget: 'leader' });
  // Raft tolerates no liar at all: Byzantine nodes are there to show what its checkers catch.
  const roles = roleMap(scenario);
  const adversaries = byzantinePlan<RaftByzantineKind>(scenario.faults?.byzantine, [...roles].map(([id, role]) => ({ id, role })), seed, { kinds: RAFT_BYZANTINE_KINDS });
  refuseTimedFaultsInThreads(mode, faults, scenario.faults);
  // Cascading failures spread along the scenario's topology (Raft itself talks to every node).
  const graph = faultGraph(scenario, nodes);
  const traceLevel = options.traceLevel ?? 'events';
  const system: ActorSystem = mode === 'sim' ? await createSystem({ mode, seed, traceLevel }) : await createSystem({ mode, seed, traceLevel, workers: options.workers });
  options.onSystem?.(system);
  const out = options.traceFile ? new TraceFile(options.traceFile) : undefined;
  const checks = new RunCheckers('raft', { terminationBoundMs: options.terminationBoundMs });
  const figures: RaftFigures = { leaders: [], failovers: [], retries: 0 };
  /** When each command (client#seq: a successor client numbers from 1 again) was invoked. */
  const invoked = new Map<string, number>();
  const counts = new ClientCounts('client-invoke', 'client-ok');
  const latencies: number[] = [];
  let leader: ActorId | null = null;
  let origin: number | undefined;
  try {
    // Times in the figures count from the first event: virtual ms in sim mode, and in threads
    // mode wall-clock ms since the run began rather than since 1970.
    system.trace$.subscribe((e: TraceEvent) => {
      origin ??= e.t;
      counts.observe(e);
      checks.observe(e);
      out?.write(e);
      options.onEvent?.(e);
      if (e.type !== 'emit') return;
      const ev = e.event as { type?: string; term?: number; seq?: number };
      if (ev.type === 'raft-leader') {
        leader = e.actor;
        figures.leaders.push({ term: ev.term!, leader: e.actor, at: e.t - origin });
        for (const f of figures.failovers) if (f.newLeader === null) Object.assign(f, { newLeader: e.actor, ms: e.t - origin - f.at });
      } else if (ev.type === 'client-invoke') invoked.set(`${e.actor}#${ev.seq}`, e.t);
      else if (ev.type === 'client-ok' && invoked.has(`${e.actor}#${ev.seq}`)) latencies.push(e.t - invoked.get(`${e.actor}#${ev.seq}`)!);
    });
    for (const id of nodes) {
      if (adversaries?.agents.has(id)) await system.spawn(id, BYZANTINE_RAFT, { props: { ...props, peers: nodes, byzantine: adversaries.kinds, delayMs: adversaries.delayMs } satisfies ByzantineRaftProps });
      else await system.spawn(id, node, { props: { ...props, peers: nodes } satisfies RaftProps });
    }
    const client: RaftClientProps = { nodes, commands: scenario.task.decisions ?? 1, window: scenario.task.inFlight, clientId: CLIENT };
    // Stopped, not restarted, when its worker dies: a successor under a new name takes over (driveClient).
    await system.spawn(CLIENT, RAFT_CLIENT, { props: client, supervision: { strategy: 'stop' } });
    if (system instanceof SimSystem) {
      // The leader's side of a partition is the minority, so the majority must elect a new one.
      layFaults(system.faults, { members: nodes, outsiders: [CLIENT], roles, leaderName: 'leader', leader: () => leader, neighbours: (id) => graph.neighbours(id), seed }, faults, {
        onCrash: (crashed, at, wasLeader) => wasLeader && figures.failovers.push({ crashed, at, newLeader: null, ms: null }),
      });
    }
    const { summary, ackedBefore, aborted, failure, wallMs, result } = await driveClient<RaftClientSummary>(system, CLIENT, options.timeoutMs ?? 600_000, {
      total: client.commands, traced: traceLevel !== 'off', progress: (id) => counts.of(id),
      spawn: (id, remaining) => system.spawn(id, RAFT_CLIENT, { props: { ...client, commands: remaining, clientId: id }, supervision: { strategy: 'stop' } }),
    });
    // The retries of a client lost in a crash died with it: these are the last client's.
    figures.retries = summary?.retries ?? 0;
    return {
      ...clientRunReport({
        scenario, seed, mode, algorithm: 'raft', agents: nodes.length, topologyReason: 'Raft nodes talk directly',
        attempted: client.commands, acked: ackedBefore + (summary?.acked ?? 0), wallMs, virtualMs: summary ? summary.lastAt - summary.firstAt : 0, latencies, aborted, failure, origin,
        checks: checks.finish(result), safetyChecked: traceLevel !== 'off', result,
      }),
      raft: figures,
    };
  } finally {
    await system.shutdown().catch(() => undefined);
    out?.close();
  }
}

/** `consensus.raft: { election_timeout_min, election_timeout_max, heartbeat, max_batch }` (durations or seconds). */
function raftProps(raw: unknown, nodes: ActorId[]): RaftProps {
  if (raw === undefined) return { peers: nodes };
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('consensus.raft', '{ election_timeout_min, election_timeout_max, heartbeat, max_batch }', raw);
  const r = raw as Record<string, unknown>;
  const ms = (key: string) => (r[key] === undefined ? undefined : parseDuration(r[key], `consensus.raft.${key}`));
  const maxBatch = r.max_batch;
  if (maxBatch !== undefined && !(Number.isInteger(maxBatch) && (maxBatch as number) >= 1)) throw new ConfigError('consensus.raft.max_batch', 'an integer >= 1', maxBatch);
  const props: RaftProps = { peers: nodes, electionTimeoutMinMs: ms('election_timeout_min'), electionTimeoutMaxMs: ms('election_timeout_max'), heartbeatMs: ms('heartbeat'), maxBatch: maxBatch as number | undefined };
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as unknown as RaftProps;
}
