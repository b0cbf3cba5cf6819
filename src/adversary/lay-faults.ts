import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { createPrng } from '../scheduler/prng.ts';
import type { FaultControl } from '../scheduler/fault-control.ts';
import type { CascadeFault, FaultPlan, PartitionFault } from '../scenario/fault-plan.ts';

/**
 * What the fault layer needs to know of a run: the protocol's members (what faults hit), the
 * actors outside them that drive the run (a client, a coordinator: they stay on the majority's
 * side of a partition and are never a target), each member's role, the leader now (for targets
 * `leader` / `primary`; `leaderName` undefined where the protocol has none), and each member's
 * neighbours in the current topology (where cascading failures spread).
 *
 * @example
 * ```ts
 * const cluster: FaultCluster = { members: nodes, outsiders: ['client'], roles, leaderName: 'leader', leader: () => leader, neighbours: (id) => graph.neighbours(id), seed };
 * ```
 */
export interface FaultCluster {
  readonly members: readonly ActorId[];
  readonly outsiders: readonly ActorId[];
  readonly roles: ReadonlyMap<ActorId, string>;
  readonly leaderName: 'leader' | 'primary' | undefined;
  leader(): ActorId | null;
  neighbours(id: ActorId): readonly ActorId[];
  readonly seed: number;
  /** The host an actor is on (threads mode, or across nodes); absent in sim mode, which has one. */
  readonly hostOf?: (id: ActorId) => number | undefined;
}

/**
 * Lays a fault plan on a system's clock (virtual in sim mode, wall-clock in threads mode) through
 * its fault control. The scheduler applies every fault; the protocol's behaviours never see them
 * coming. Targets are checked now (a name that matches no member is a ConfigError naming the
 * field) and resolved when each fault fires.
 *
 * @example
 * ```ts
 * layFaults(system.faults, cluster, parseFaultPlan(scenario.faults));
 * ```
 */
export function layFaults(faults: FaultControl, cluster: FaultCluster, plan: FaultPlan): void {
  const rnd = createPrng(cluster.seed, '$faults');
  const running = (id: ActorId) => faults.running(id);
  const resolve = targets(cluster, rnd, running);
  const crash = (id: ActorId, durationMs: number | undefined, wipe: boolean): boolean => {
    if (!running(id) || !faults.crash(id)) return false;
    if (durationMs !== undefined) faults.at(durationMs, () => running(id) || faults.recover(id, { wipe }));
    return true;
  };
  plan.crashes.forEach((c, i) => {
    const targetsNow = resolve(c.target, `faults.crash[${i}].target`);
    faults.at(c.atMs, () => {
      for (const id of targetsNow()) crash(id, c.durationMs, c.wipe);
    });
  });
  plan.partitions.forEach((p, i) => {
    if (p.hosts !== undefined) return layHostPartition(faults, cluster, p, i);
    if (p.shape === 'bridge' && cluster.members.length < 3)
      throw new ConfigError(`faults.partition[${i}].shape`, 'split or ring (a bridge needs 3 members or more)', p.shape);
    faults.at(p.atMs, () => {
      partitionNow(faults, cluster, p);
      faults.at(p.durationMs, () => faults.heal());
    });
  });
  plan.network.forEach((n, i) => {
    const path = `faults.network[${i}]`;
    const from = n.from?.map((t, j) => resolve(t, `${path}.from[${j}]`));
    const to = n.to?.map((t, j) => resolve(t, `${path}.to[${j}]`));
    faults.at(n.atMs, () => {
      const set = (rs: (() => ActorId[])[] | undefined) => (rs === undefined ? undefined : new Set(rs.flatMap((r) => r())));
      faults.setNetwork(path, { from: set(from), to: set(to), latency: n.latency, dropRate: n.dropRate, duplicateRate: n.duplicateRate, reorder: n.reorder });
      if (n.durationMs !== undefined) faults.at(n.durationMs, () => faults.setNetwork(path, undefined));
    });
  });
  plan.pauses.forEach((p, i) => {
    const targetsNow = resolve(p.target, `faults.pause[${i}].target`);
    faults.at(p.atMs, () => {
      for (const id of targetsNow()) if (running(id)) faults.pause(id, p.durationMs);
    });
  });
  plan.skews.forEach((s, i) => {
    const targetsNow = resolve(s.target, `faults.clock_skew[${i}].target`);
    faults.at(s.atMs, () => {
      for (const id of targetsNow()) {
        faults.skewClock(id, s.rate);
        if (s.durationMs !== undefined) faults.at(s.durationMs, () => faults.skewClock(id, undefined));
      }
    });
  });
  if (plan.cascade) layCascade(faults, cluster, plan.cascade, crash, running);
}

/**
 * Checks a target name against the cluster now and returns what resolves it when a fault
 * fires: the leader of that moment, a seeded random member still running, an id, or every
 * member of a role.
 */
function targets(cluster: FaultCluster, rnd: () => number, running: (id: ActorId) => boolean): (name: string, path: string) => () => ActorId[] {
  const roles = new Set(cluster.roles.values());
  return (name, path) => {
    if (name === 'leader' || name === 'primary') {
      if (cluster.leaderName === undefined) throw new ConfigError(path, 'random, an agent id or a role (this protocol has no leader)', name);
      return () => {
        const l = cluster.leader();
        return l === null ? [] : [l];
      };
    }
    if (name === 'random') {
      return () => {
        const alive = cluster.members.filter(running);
        return alive.length === 0 ? [] : [alive[Math.floor(rnd() * alive.length)]];
      };
    }
    if (cluster.members.includes(name)) return () => [name];
    if (roles.has(name)) {
      const ids = cluster.members.filter((m) => cluster.roles.get(m) === name);
      return () => ids;
    }
    const hint = cluster.outsiders.includes(name) ? ` ("${name}" drives the run: it is not a member faults can hit)` : '';
    throw new ConfigError(
      path,
      `${cluster.leaderName ? `${cluster.leaderName}, ` : ''}random, an agent id (${cluster.members.slice(0, 3).join(', ')}${cluster.members.length > 3 ? ', ...' : ''}) or a role (${[...roles].join(', ')})${hint}`,
      name,
    );
  };
}

/**
 * A partition between hosts: when it starts, every actor is in the group of the host it is on
 * then (actors restarted elsewhere since the run began go with their new host); healed after
 * its duration. Sim mode runs on one host: refused by name.
 */
function layHostPartition(faults: FaultControl, cluster: FaultCluster, p: PartitionFault, i: number): void {
  const hostOf = cluster.hostOf;
  if (hostOf === undefined)
    throw new ConfigError(`faults.partition[${i}].hosts`, 'a run on several hosts (threads mode, or across nodes with --nats): sim mode has one', p.hosts);
  faults.at(p.atMs, () => {
    const everyone = [...cluster.members, ...cluster.outsiders];
    const groups = p.hosts!.map((hs) => everyone.filter((a) => hs.includes(hostOf(a) ?? -1))).filter((g) => g.length > 0);
    faults.note('partition-hosts', p.hosts!.map((hs) => hs.join(',')).join(' | '));
    if (groups.length >= 2) faults.partition(groups);
    faults.at(p.durationMs, () => faults.heal());
  });
}

/** Splits, bridges or rings the members now (the leader of this moment on the minority side). */
function partitionNow(faults: FaultControl, cluster: FaultCluster, p: PartitionFault): void {
  const { members, outsiders } = cluster;
  const lead = cluster.leader();
  const ordered = lead === null ? [...members] : [lead, ...members.filter((n) => n !== lead)];
  if (p.shape === 'ring') {
    // Each member reaches the members within d steps in ring order: a majority each, never the same one.
    const n = members.length;
    const d = Math.ceil(Math.floor(n / 2) / 2);
    const cut: [ActorId, ActorId][] = [];
    members.forEach((a, i) =>
      members.forEach((b, j) => {
        const dist = Math.min((i - j + n) % n, (j - i + n) % n);
        if (dist > d) cut.push([a, b]);
      }),
    );
    faults.block(cut, `ring: each member reaches the ${d} nearest on each side`);
    return;
  }
  const k = Math.max(1, Math.min(members.length - (p.shape === 'bridge' ? 2 : 1), Math.round(members.length * p.ratio)));
  // The run's driver stays with the quorum unless the scenario puts it with the leader's minority.
  const minority = [...ordered.slice(0, k), ...(p.client === 'minority' ? outsiders : [])];
  // A bridge member sits in no group, so it reaches both sides.
  const bridge = p.shape === 'bridge' ? ordered[k] : undefined;
  const majority = [...ordered.slice(bridge === undefined ? k : k + 1), ...(p.client === 'minority' ? [] : outsiders)];
  if (p.direction === 'one_way') {
    faults.block(
      minority.flatMap((a) => majority.map((b) => [a, b] as [ActorId, ActorId])),
      `one-way: ${minority.join(',')} cannot reach ${majority.join(',')}${bridge ? ` (bridge ${bridge})` : ''}`,
    );
  } else faults.partition([minority, majority]);
}

/** Initial failures at `atMs`, each spreading along the topology of the moment, seeded. */
function layCascade(
  faults: FaultControl,
  cluster: FaultCluster,
  c: CascadeFault,
  crash: (id: ActorId, durationMs: number | undefined, wipe: boolean) => boolean,
  running: (id: ActorId) => boolean,
): void {
  const rnd = createPrng(cluster.seed, '$cascade');
  const failed = new Set<ActorId>();
  const fail = (id: ActorId, cause: string) => {
    if (failed.has(id) || !running(id)) return;
    failed.add(id);
    faults.note('cascade', `${id} ${cause}`);
    if (!crash(id, c.recoveryMs, false)) return;
    faults.at(c.hopMs, () => {
      for (const next of cluster.neighbours(id)) if (cluster.members.includes(next) && rnd() < c.propagation) fail(next, `from ${id}`);
    });
  };
  faults.at(c.atMs, () => {
    for (const id of cluster.members) if (rnd() < c.initialFailureRate) fail(id, 'initial');
  });
}
