import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { parseDuration, type Scenario } from '../scenario/index.ts';
import type { ActorSystem, RunResult } from '../scheduler/actor-system.ts';
import type { SimSystem } from '../scheduler/sim-system.ts';
import { perMinute, type ScenarioResult } from './report.ts';

/**
 * What the drivers of the replicated-log protocols (Raft, PBFT) share: one client actor drives
 * the workload against a cluster, crash and partition faults are laid on virtual time around
 * the cluster's current leader, and the result is a ScenarioResult built from the client's
 * counts and the scheduler's books.
 */

/**
 * A crash fault: `target` is the leader's name (`leader`, `primary`) or an actor id.
 *
 * @example
 * ```ts
 * const c: CrashFault = { target: 'leader', atMs: 1000, durationMs: 500, wipe: false };
 * ```
 */
export interface CrashFault { readonly target: string; readonly atMs: number; readonly durationMs: number | undefined; readonly wipe: boolean }

/**
 * A partition fault: the leader and `ratio` of the cluster on one side, for `durationMs`.
 *
 * @example
 * ```ts
 * const p: PartitionFault = { atMs: 2500, ratio: 0.4, durationMs: 600 };
 * ```
 */
export interface PartitionFault { readonly atMs: number; readonly ratio: number; readonly durationMs: number }

/**
 * Reads `faults.crash: [{ target?, at, duration?, wipe? }]` and `faults.partition: [{ at,
 * split_ratio?, duration? }]`, refusing any fault kind not in `allowed` with the field's path.
 *
 * @example
 * ```ts
 * const { crashes, partitions } = crashAndPartitionFaults(scenario.faults, { allowed: ['crash', 'partition'], leader: 'leader', splitRatio: 0.4 });
 * ```
 */
export function crashAndPartitionFaults(
  faults: Record<string, unknown> | undefined,
  o: { allowed: readonly string[]; leader: string; splitRatio: number },
): { crashes: CrashFault[]; partitions: PartitionFault[] } {
  for (const key of Object.keys(faults ?? {})) {
    if (!o.allowed.includes(key)) throw new ConfigError(`faults.${key}`, `${o.allowed.join(', ')} (the other kinds come with the adversary layer)`, faults![key]);
  }
  const list = (key: string): Record<string, unknown>[] => {
    const v = faults?.[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new ConfigError(`faults.${key}`, 'a list of faults', v);
    return v.map((f, i) => {
      if (typeof f !== 'object' || f === null) throw new ConfigError(`faults.${key}[${i}]`, 'a fault { at, ... }', f);
      return f as Record<string, unknown>;
    });
  };
  const crashes = list('crash').map((f, i) => ({
    target: typeof f.target === 'string' ? f.target : o.leader,
    atMs: parseDuration(f.at, `faults.crash[${i}].at`),
    durationMs: f.duration === undefined ? undefined : parseDuration(f.duration, `faults.crash[${i}].duration`),
    wipe: f.wipe === true,
  }));
  const partitions = list('partition').map((f, i) => {
    const ratio = f.split_ratio ?? o.splitRatio;
    if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) throw new ConfigError(`faults.partition[${i}].split_ratio`, 'a number between 0 and 1', ratio);
    return { atMs: parseDuration(f.at, `faults.partition[${i}].at`), ratio, durationMs: parseDuration(f.duration ?? '1s', `faults.partition[${i}].duration`) };
  });
  return { crashes, partitions };
}

/**
 * Schedules crashes and partitions on the simulation's clock. The leader (`leader()`, read when
 * a fault fires) is the target named `leaderName`, and is on the minority side of a partition,
 * so the rest must replace it; `onLeaderCrash` hears of each crash of a leader.
 *
 * @example
 * ```ts
 * layCrashesAndPartitions(sim, { members: nodes, client: 'client', leaderName: 'leader', leader: () => leader }, crashes, partitions, (id, at) => failovers.push({ id, at }));
 * ```
 */
export function layCrashesAndPartitions(
  sim: SimSystem,
  cluster: { members: readonly ActorId[]; client: ActorId; leaderName: string; leader: () => ActorId | null },
  crashes: readonly CrashFault[],
  partitions: readonly PartitionFault[],
  onLeaderCrash: (crashed: ActorId, at: number) => void,
): void {
  const { members } = cluster;
  for (const c of crashes) {
    sim.at(c.atMs, () => {
      const target = c.target === cluster.leaderName ? cluster.leader() : c.target;
      if (target === null || !members.includes(target) || !sim.crash(target)) return;
      if (c.target === cluster.leaderName) onLeaderCrash(target, sim.now());
      if (c.durationMs !== undefined) sim.at(c.durationMs, () => sim.recover(target, { wipe: c.wipe }));
    });
  }
  for (const p of partitions) {
    sim.at(p.atMs, () => {
      const lead = cluster.leader();
      const ordered = lead === null ? [...members] : [lead, ...members.filter((n) => n !== lead)];
      const k = Math.max(1, Math.min(members.length - 1, Math.round(members.length * p.ratio)));
      sim.partition([ordered.slice(0, k), [...ordered.slice(k), cluster.client]]);
      sim.at(p.durationMs, () => sim.heal());
    });
  }
}

/**
 * The ScenarioResult of a client-driven run: a decision is one request the client had
 * acknowledged; latencies are per acknowledged request (sorted here).
 *
 * @example
 * ```ts
 * return { ...clientRunReport({ scenario, seed, mode, algorithm: 'raft', agents: 5, topologyReason: 'Raft nodes talk directly', attempted, acked, wallMs, virtualMs, latencies, violations, safetyChecked: true, result }), raft: figures };
 * ```
 */
export function clientRunReport(r: {
  scenario: Scenario; seed: number; mode: 'sim' | 'threads'; algorithm: string; agents: number; topologyReason: string;
  attempted: number; acked: number; wallMs: number; virtualMs: number; latencies: number[];
  violations: readonly { property: string; detail: string }[]; safetyChecked: boolean; result: RunResult;
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
    safetyViolations: r.violations.map((v) => ({ property: v.property, detail: v.detail })),
    safetyChecked: r.safetyChecked,
    messages: { sent: m.sent, delivered: m.delivered, dropped: m.dropped, deadLettered: m.deadLettered, inFlight: m.inFlight, relayed: m.relayed },
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
  await system.settle();
  return { summary: reply.body as S, wallMs, result: await system.shutdown() };
}
