import type { ActorId } from '../actors/envelope.ts';
import type { LatencyDistribution } from './link-model.ts';

/**
 * A change to the network laid on some links for a while (`faults.network` in a scenario):
 * another latency distribution, a loss or duplication rate, or reordering. `from` / `to` narrow
 * it to envelopes sent by, or addressed to, the given actors (any actor when absent).
 *
 * @example
 * ```ts
 * const slowLinks: NetworkCondition = { to: new Set(['node_003']), latency: { kind: 'uniform', minMs: 20, maxMs: 80 }, dropRate: 0.05 };
 * sim.setNetwork('slow', slowLinks);
 * ```
 */
export interface NetworkCondition {
  readonly from?: ReadonlySet<ActorId>;
  readonly to?: ReadonlySet<ActorId>;
  readonly latency?: LatencyDistribution;
  /** Dropped envelopes are counted under fault `drop`. */
  readonly dropRate?: number;
  /** Copies are counted under fault `duplicate`. */
  readonly duplicateRate?: number;
  /** Let a later envelope overtake an earlier one on the same link (fault `reorder`). */
  readonly reorder?: boolean;
}

/**
 * The faults a simulation's scheduler applies to envelopes and timers, kept apart from the event
 * loop: who cannot reach whom (partitions, one-way and ring cuts, isolated actors), network
 * conditions in force, paused actors and skewed clocks. Everything is empty in a healthy run,
 * and each check is a single `undefined` test then, so faults cost nothing until they happen.
 *
 * @example
 * ```ts
 * const faults = new NetworkFaults();
 * faults.block([['a', 'b']]);
 * faults.cut('a', 'b'); // 'partition'
 * faults.cut('b', 'a'); // undefined: a one-way cut
 * ```
 */
export class NetworkFaults {
  /** Partition sides (actor -> group), while a partition lasts. */
  private sides: Map<ActorId, number> | undefined;
  /** Directed cuts (from -> blocked destinations): one-way and ring partitions. */
  private blocked: Map<ActorId, Set<ActorId>> | undefined;
  /** Actors cut out of the routes for good: what they send is dropped, fault `isolated`. */
  private isolated: Set<ActorId> | undefined;
  /** Network conditions in force, by name, in the order they started (a later one wins per field). */
  private conditions: Map<string, NetworkCondition> | undefined;
  /** Paused actors, until when (virtual ms). */
  private paused: Map<ActorId, number> | undefined;
  /** Clock rates of skewed actors (2 = their timers fire twice as fast). */
  private rates: Map<ActorId, number> | undefined;

  /** True while any condition is in force (the event loop then leaves its fixed-latency lane). */
  get conditioned(): boolean {
    return this.conditions !== undefined;
  }

  /** The fault that stops an envelope from `from` to `to` (its next hop), if one does. */
  cut(from: ActorId, to: ActorId): 'isolated' | 'partition' | undefined {
    if (this.isolated?.has(from)) return 'isolated';
    const sides = this.sides;
    if (sides !== undefined) {
      const a = sides.get(from);
      const b = sides.get(to);
      if (a !== undefined && b !== undefined && a !== b) return 'partition';
    }
    if (this.blocked?.get(from)?.has(to)) return 'partition';
    return undefined;
  }

  /** Splits actors into groups that cannot reach each other (actors in no group reach everyone). */
  partition(sides: Map<ActorId, number>): void {
    this.sides = sides.size > 0 ? sides : undefined;
  }

  /** Blocks each directed link `[from, to]` (on top of any partition in force). */
  block(links: Iterable<readonly [ActorId, ActorId]>): void {
    for (const [from, to] of links) {
      let set = (this.blocked ??= new Map()).get(from);
      if (set === undefined) this.blocked.set(from, (set = new Set<ActorId>()));
      set.add(to);
    }
  }

  /** Ends every partition and cut; says whether there was one. */
  heal(): boolean {
    const was = this.sides !== undefined || this.blocked !== undefined;
    this.sides = undefined;
    this.blocked = undefined;
    return was;
  }

  isolate(id: ActorId): boolean {
    if (this.isolated?.has(id)) return false;
    (this.isolated ??= new Set()).add(id);
    return true;
  }

  setCondition(name: string, c: NetworkCondition | undefined): void {
    if (c === undefined) {
      this.conditions?.delete(name);
      if (this.conditions?.size === 0) this.conditions = undefined;
    } else {
      (this.conditions ??= new Map()).delete(name);
      this.conditions.set(name, c);
    }
  }

  /**
   * The conditions in force on a link, merged (a later one wins per field); undefined when none
   * applies. It runs per envelope while a condition lasts: a single match is returned as it is,
   * and only overlapping ones are copied into a merge.
   */
  conditionOf(from: ActorId, to: ActorId): NetworkCondition | undefined {
    if (this.conditions === undefined) return undefined;
    let found: NetworkCondition | undefined;
    for (const c of this.conditions.values()) {
      if ((c.from !== undefined && !c.from.has(from)) || (c.to !== undefined && !c.to.has(to))) continue;
      found = found === undefined ? c : { ...found, ...c };
    }
    return found;
  }

  pause(id: ActorId, untilMs: number): void {
    (this.paused ??= new Map()).set(id, Math.max(untilMs, this.paused.get(id) ?? 0));
  }

  /** Until when `id` is paused, if it is at `now` (clears pauses that are over). */
  pausedUntil(id: ActorId, now: number): number | undefined {
    const until = this.paused?.get(id);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.paused!.delete(id);
    if (this.paused!.size === 0) this.paused = undefined;
    return undefined;
  }

  get anyPaused(): boolean {
    return this.paused !== undefined;
  }

  /** Sets (or with `undefined`, ends) the clock rate of an actor's timers. */
  skew(id: ActorId, rate: number | undefined): void {
    if (rate === undefined) {
      this.rates?.delete(id);
      if (this.rates?.size === 0) this.rates = undefined;
    } else (this.rates ??= new Map()).set(id, rate);
  }

  /** A timer delay as `owner`'s skewed clock measures it. */
  timerDelay(delayMs: number, owner: ActorId | undefined): number {
    if (this.rates === undefined || owner === undefined) return delayMs;
    const rate = this.rates.get(owner);
    return rate === undefined ? delayMs : delayMs / rate;
  }

  /** A copy of everything in force, as plain data (undefined fields are the healthy ones). */
  state(): NetworkFaultState {
    return {
      sides: this.sides && new Map(this.sides),
      blocked: this.blocked && new Map([...this.blocked].map(([k, v]) => [k, new Set(v)])),
      isolated: this.isolated && new Set(this.isolated),
      conditions: this.conditions && new Map(this.conditions),
      paused: this.paused && new Map(this.paused),
      rates: this.rates && new Map(this.rates),
    };
  }

  /** True while no fault at all is in force. */
  get healthy(): boolean {
    return (
      this.sides === undefined &&
      this.blocked === undefined &&
      this.isolated === undefined &&
      this.conditions === undefined &&
      this.paused === undefined &&
      this.rates === undefined
    );
  }

  /** Paused actors and until when (a copy), or undefined when none is. */
  pauses(): Map<ActorId, number> | undefined {
    return this.paused && new Map(this.paused);
  }

  /**
   * Fault state rebuilt from `state()` (threads mode: main holds the faults in force and every
   * worker applies a copy it receives over the control plane).
   *
   * @example
   * ```ts
   * const copy = NetworkFaults.fromState(original.state());
   * copy.cut('a', 'b') === original.cut('a', 'b');
   * ```
   */
  static fromState(state: NetworkFaultState): NetworkFaults {
    const f = new NetworkFaults();
    const some = <T extends { size: number }>(x: T | undefined): T | undefined => (x !== undefined && x.size > 0 ? x : undefined);
    f.sides = some(state.sides && new Map(state.sides));
    f.blocked = some(state.blocked && new Map([...state.blocked].map(([k, v]) => [k, new Set(v)])));
    f.isolated = some(state.isolated && new Set(state.isolated));
    f.conditions = some(state.conditions && new Map(state.conditions));
    f.paused = some(state.paused && new Map(state.paused));
    f.rates = some(state.rates && new Map(state.rates));
    return f;
  }
}

/**
 * The fault state of a `NetworkFaults`, as plain data (Maps and Sets clone between threads):
 * what threads mode's main sends to every worker whenever a fault starts or ends.
 *
 * @example
 * ```ts
 * const state = mainFaults.state();
 * worker.setFaults(state); // in the worker: NetworkFaults.fromState(state)
 * ```
 */
export interface NetworkFaultState {
  readonly sides?: ReadonlyMap<ActorId, number>;
  readonly blocked?: ReadonlyMap<ActorId, ReadonlySet<ActorId>>;
  readonly isolated?: ReadonlySet<ActorId>;
  readonly conditions?: ReadonlyMap<string, NetworkCondition>;
  /** Paused actors, until when (on the clock the state's owner gave `pause`). */
  readonly paused?: ReadonlyMap<ActorId, number>;
  readonly rates?: ReadonlyMap<ActorId, number>;
}
