import type { SpawnOptions } from '../actors/actor-host.ts';
import type { ActorHost } from '../actors/actor-host.ts';
import type { Behaviour } from '../actors/behaviour.ts';
import type { ActorId } from '../actors/envelope.ts';
import { loadedBehaviour, refName, type BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { ConfigError, SystemStoppedError, UnknownActorError } from '../errors.ts';
import type { FaultControl } from './fault-control.ts';
import type { NetworkCondition, NetworkFaults } from './network-faults.ts';

/**
 * How an actor was spawned in a simulation, so a crashed one can be recovered as it was.
 *
 * @example
 * ```ts
 * const record: SpawnRecord = { behaviour, name: 'raft-node', options: { props } };
 * ```
 */
export interface SpawnRecord {
  readonly behaviour: Behaviour;
  readonly name: string;
  readonly options: SpawnOptions;
}

/**
 * What sim-mode fault control needs of its simulation: the host, the virtual clock and timers,
 * the network fault state the event loop consults for every envelope, and the spawn records.
 */
export interface SimFaultHost {
  readonly host: ActorHost;
  readonly network: NetworkFaults;
  readonly spawned: Map<ActorId, SpawnRecord>;
  readonly running: boolean;
  now(): number;
  at(delayMs: number, action: () => void): () => void;
  startTimer(delayMs: number, fire: () => void, owner?: ActorId): unknown;
  trace(event: TraceEvent): void;
}

/**
 * Sim mode's fault control: every fault takes effect at once on the virtual clock, between
 * events. The event loop applies what is in force (`SimSystem.route` asks `NetworkFaults` about
 * each hop; paused actors' events are put back on the clock), so a healthy run pays nothing.
 *
 * @example
 * ```ts
 * const sim = new SimSystem({ seed: 1 });
 * sim.faults.at(1_000, () => sim.faults.crash('node_001'));
 * ```
 */
export class SimFaults implements FaultControl {
  constructor(private readonly sim: SimFaultHost) {}

  now(): number {
    return this.sim.now();
  }

  at(delayMs: number, action: () => void): () => void {
    return this.sim.at(delayMs, action);
  }

  running(id: ActorId): boolean {
    return this.sim.host.cells.has(id);
  }

  note(fault: string, detail: string): void {
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault, detail });
  }

  crash(id: ActorId): boolean {
    this.assertRunning('crash');
    if (!this.sim.host.stopActor(id, 'crashed')) return false;
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'crash', detail: id });
    return true;
  }

  recover(id: ActorId, options: { wipe?: boolean } = {}): void {
    this.assertRunning('recover');
    const { host } = this.sim;
    const record = this.sim.spawned.get(id);
    if (record === undefined) throw new UnknownActorError(id, 'recover (it was never spawned)');
    if (host.cells.has(id)) throw new ConfigError(`recover("${id}")`, 'an actor that is crashed or stopped', 'a running actor');
    if (options.wipe) host.durables.wipe(id);
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'recover', detail: options.wipe ? `${id} (durable state lost)` : id });
    host.spawn(id, record.behaviour, record.name, record.options);
  }

  compromise(id: ActorId, behaviour: BehaviourRef, options: SpawnOptions, detail: string): boolean {
    this.assertRunning('compromise');
    const b = loadedBehaviour(behaviour);
    if (b === undefined)
      throw new ConfigError(`compromise("${id}").behaviour`, 'a behaviour loaded in this thread (await loadBehaviour(ref) first)', refName(behaviour));
    if (!this.sim.spawned.has(id)) throw new UnknownActorError(id, 'compromise (it was never spawned)');
    if (!this.sim.host.stopActor(id, 'crashed')) return false;
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'byzantine', detail: `${id} ${detail}` });
    const record: SpawnRecord = { behaviour: b, name: refName(behaviour), options };
    this.sim.spawned.set(id, record);
    this.sim.host.spawn(id, record.behaviour, record.name, record.options);
    return true;
  }

  partition(groups: readonly (readonly ActorId[])[]): void {
    this.assertRunning('partition');
    this.sim.network.partition(partitionSides(groups));
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'partition', detail: groups.map((g) => g.join(',')).join(' | ') });
  }

  block(links: readonly (readonly [ActorId, ActorId])[], detail: string): void {
    this.assertRunning('block');
    checkLinks(links);
    this.sim.network.block(links);
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'partition', detail });
  }

  heal(): void {
    this.assertRunning('heal');
    if (!this.sim.network.heal()) return;
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'heal', detail: 'partition healed' });
  }

  setNetwork(name: string, condition: NetworkCondition | undefined): void {
    this.assertRunning('setNetwork');
    this.sim.network.setCondition(name, condition);
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: condition === undefined ? 'network-end' : 'network', detail: name });
  }

  pause(id: ActorId, durationMs: number): void {
    this.assertRunning('pause');
    if (!this.sim.spawned.has(id)) throw new UnknownActorError(id, 'pause (it was never spawned)');
    checkPause(durationMs);
    const { network } = this.sim;
    network.pause(id, this.sim.now() + durationMs);
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'pause', detail: `${id} for ${durationMs} ms` });
    this.sim.startTimer(durationMs, () => {
      if (network.pausedUntil(id, this.sim.now()) === undefined) this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'resume', detail: id });
    });
  }

  skewClock(id: ActorId, rate: number | undefined): void {
    this.assertRunning('skewClock');
    if (!this.sim.spawned.has(id)) throw new UnknownActorError(id, 'skewClock (it was never spawned)');
    checkRate(rate);
    this.sim.network.skew(id, rate);
    this.sim.trace({
      t: this.sim.now(),
      type: 'fault',
      fault: rate === undefined ? 'clock-skew-end' : 'clock-skew',
      detail: rate === undefined ? id : `${id} x${rate}`,
    });
  }

  isolate(id: ActorId, reason: string): void {
    this.assertRunning('isolate');
    if (!this.sim.spawned.has(id)) throw new UnknownActorError(id, 'isolate (it was never spawned)');
    if (!this.sim.network.isolate(id)) return;
    this.sim.trace({ t: this.sim.now(), type: 'fault', fault: 'isolated', detail: `${id}: ${reason}` });
  }

  private assertRunning(call: string): void {
    if (!this.sim.running) throw new SystemStoppedError(call);
  }
}

/**
 * Partition groups as a side per actor; an actor named in two groups is a ConfigError.
 *
 * @example
 * ```ts
 * partitionSides([['a'], ['b', 'c']]); // Map { a => 0, b => 1, c => 1 }
 * ```
 */
export function partitionSides(groups: readonly (readonly ActorId[])[]): Map<ActorId, number> {
  const side = new Map<ActorId, number>();
  groups.forEach((g, i) => {
    if (!Array.isArray(g)) throw new ConfigError(`partition[${i}]`, 'a list of actor ids', g);
    for (const id of g) {
      if (side.has(id)) throw new ConfigError(`partition[${i}]`, `each actor in one group only ("${id}" is also in group ${side.get(id)})`, id);
      side.set(id, i);
    }
  });
  return side;
}

/**
 * Checks directed links `[from, to]` of a cut.
 *
 * @example
 * ```ts
 * checkLinks([['a', 'b']]); // ok; checkLinks([['a']]) throws ConfigError at block[0]
 * ```
 */
export function checkLinks(links: readonly (readonly [ActorId, ActorId])[]): void {
  links.forEach((l, i) => {
    if (!Array.isArray(l) || l.length !== 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string')
      throw new ConfigError(`block[${i}]`, 'a pair [from, to] of actor ids', l);
  });
}

/**
 * Checks a pause's length (ms > 0).
 *
 * @example
 * ```ts
 * checkPause(500); // ok; checkPause(0) throws ConfigError at pause.durationMs
 * ```
 */
export function checkPause(durationMs: number): void {
  if (!(durationMs > 0)) throw new ConfigError('pause.durationMs', 'a number of ms > 0', durationMs);
}

/**
 * Checks a clock rate (finite, > 0; undefined ends a skew).
 *
 * @example
 * ```ts
 * checkRate(2); // ok; checkRate(-1) throws ConfigError at skewClock.rate
 * ```
 */
export function checkRate(rate: number | undefined): void {
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) throw new ConfigError('skewClock.rate', 'a number > 0 (2 = timers twice as fast)', rate);
}
