import type { MessageAccounting } from '../actors/counters.ts';
import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { buildTopology, type Member, type RouteGraph, type TopologyKind, type TopologySpec } from '../topologies/index.ts';

/**
 * One topology switch, as the trace and the result report it.
 *
 * @example
 * ```ts
 * const s: TopologySwitch = await system.switchTopology('ring');
 * console.log(`${s.from} -> ${s.to} at ${s.at} ms (epoch ${s.epoch}, built in ${s.buildMs} ms)`);
 * ```
 */
export interface TopologySwitch {
  /** When it took effect (virtual ms in sim mode, ms since the system started in threads mode). */
  readonly at: number;
  readonly epoch: number;
  readonly from: TopologyKind | null;
  readonly to: TopologyKind;
  readonly members: number;
  /** Why: `'api'`, `'join <id>'`, `'leave <id>'`, `'schedule'`, a selector's reason, an actor's request. */
  readonly reason: string;
  /** Wall-clock ms from the request to the new graph in force on every host. */
  readonly switchMs: number;
}

/**
 * What one epoch of a run carried: envelopes sent and delivered while its graph was in force,
 * and the relay hops they took. `linksPerMessage = 1 + relayed / delivered`.
 *
 * @example
 * ```ts
 * for (const e of result.topology.epochs) console.log(e.kind, e.linksPerMessage.toFixed(2));
 * ```
 */
export interface EpochStats {
  readonly epoch: number;
  readonly kind: TopologyKind;
  readonly fromMs: number;
  readonly toMs: number;
  readonly sent: number;
  readonly delivered: number;
  readonly relayed: number;
  readonly linksPerMessage: number;
}

/**
 * Options of a switch: the members (required the first time; afterwards the current members are
 * kept) and a reason for the trace.
 *
 * @example
 * ```ts
 * await system.switchTopology({ type: 'star', hub: 'queen' }, { members: ['queen', 'a', 'b'], reason: 'centralised task' });
 * ```
 */
export interface SwitchOptions {
  readonly members?: readonly (Member | ActorId)[];
  readonly reason?: string;
}

/**
 * The scheduler's record of the topology: the spec as the caller gave it (membership changes
 * rebuild from it), the members, the epoch and the switches so far, with accounting marks to
 * report per-epoch figures. Shared by both execution modes; each mode installs the graphs
 * `plan` builds on its hosts.
 *
 * @example
 * ```ts
 * const control = new TopologyControl();
 * const planned = control.plan('ring', { members: ['a', 'b', 'c'] }); // validates and builds
 * ```
 */
export class TopologyControl {
  spec: TopologySpec | undefined;
  members: readonly (Member | ActorId)[] = [];
  epoch = 0;
  graph: RouteGraph | undefined;
  readonly switches: TopologySwitch[] = [];
  private readonly marks: { epoch: number; kind: TopologyKind; at: number; sent: number; delivered: number; relayed: number }[] = [];

  /** Validates a switch and builds its graph (throws ConfigError naming the field). Changes nothing. */
  plan(spec: TopologySpec, options: SwitchOptions = {}): { graph: RouteGraph; members: readonly (Member | ActorId)[]; epoch: number } {
    const members = options.members ?? this.members;
    if (members.length === 0)
      throw new ConfigError('switchTopology.members', 'the members (ids or { id, role, team }) the first time a topology is installed', options.members);
    const graph = buildTopology(spec, members, { path: 'topology', membersPath: 'switchTopology.members' });
    return { graph, members, epoch: this.epoch + 1 };
  }

  /** A member joining: the new member list with it appended (error if it is already one). */
  withMember(member: Member | ActorId): readonly (Member | ActorId)[] {
    const id = typeof member === 'string' ? member : member?.id;
    if (this.spec === undefined) throw new ConfigError('joinTopology', 'a topology installed first (switchTopology)', member);
    if (this.members.some((m) => idOf(m) === id)) throw new ConfigError('joinTopology.id', 'an id that is not already a member', id);
    return [...this.members, member];
  }

  /** A member leaving: the member list without it (error if it is not one, or is the last). */
  withoutMember(id: ActorId): readonly (Member | ActorId)[] {
    if (this.spec === undefined) throw new ConfigError('leaveTopology', 'a topology installed first (switchTopology)', id);
    const rest = this.members.filter((m) => idOf(m) !== id);
    if (rest.length === this.members.length) throw new ConfigError('leaveTopology.id', 'a current member', id);
    if (rest.length === 0) throw new ConfigError('leaveTopology.id', 'a member other than the last one', id);
    return rest;
  }

  /** Records a switch that is now in force on every host. */
  commit(
    spec: TopologySpec,
    planned: { graph: RouteGraph; members: readonly (Member | ActorId)[]; epoch: number },
    at: number,
    reason: string,
    switchMs: number,
    acc: MessageAccounting,
  ): TopologySwitch {
    const from = this.graph?.kind ?? null;
    this.spec = spec;
    this.members = planned.members;
    this.epoch = planned.epoch;
    this.graph = planned.graph;
    const record: TopologySwitch = { at, epoch: planned.epoch, from, to: planned.graph.kind, members: planned.graph.members.length, reason, switchMs };
    this.switches.push(record);
    this.marks.push({ epoch: planned.epoch, kind: planned.graph.kind, at, sent: acc.sent, delivered: acc.delivered, relayed: acc.relayed });
    return record;
  }

  /** Per-epoch figures, closing the last epoch at `now` with accounting `acc`. */
  epochs(now: number, acc: MessageAccounting): EpochStats[] {
    return this.marks.map((m, i) => {
      const next = this.marks[i + 1] ?? { at: now, sent: acc.sent, delivered: acc.delivered, relayed: acc.relayed };
      const delivered = next.delivered - m.delivered;
      const relayed = next.relayed - m.relayed;
      return {
        epoch: m.epoch,
        kind: m.kind,
        fromMs: m.at,
        toMs: next.at,
        sent: next.sent - m.sent,
        delivered,
        relayed,
        linksPerMessage: delivered > 0 ? 1 + relayed / delivered : 0,
      };
    });
  }
}

const idOf = (m: Member | ActorId): ActorId => (typeof m === 'string' ? m : m.id);
