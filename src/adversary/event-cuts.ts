import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { FaultControl } from '../scheduler/fault-control.ts';

/**
 * One cut laid by {@link EventCuts}: from `atMs`, for `durationMs`, every envelope `actor` sends
 * is dropped (it still receives), because it had just emitted an event of type `on`.
 *
 * @example
 * ```ts
 * const cut: LaidCut = { actor: 'node_003', atMs: 812.4418, durationMs: 300, on: 'raft-leader' };
 * ```
 */
export interface LaidCut {
  readonly actor: ActorId;
  readonly atMs: number;
  readonly durationMs: number;
  readonly on: string;
}

/**
 * How {@link EventCuts} reacts: for an event an actor emits (`ctx.emit`), the chance that the
 * actor's sends are cut at once (0 or undefined: never); how long a cut lasts (drawn uniformly
 * from `minMs`-`maxMs`); and at most `max` cuts in a run, so every run ends with its network whole.
 *
 * @example
 * ```ts
 * const policy: EventCutPolicy = { chance: (e) => (e.type === 'raft-leader' ? 0.5 : 0), minMs: 150, maxMs: 800, max: 60 };
 * ```
 */
export interface EventCutPolicy {
  chance(event: Readonly<Record<string, unknown>>): number | undefined;
  readonly minMs: number;
  readonly maxMs: number;
  readonly max: number;
}

/**
 * An adversary that watches the trace and, at the moment an actor emits an event the policy
 * picks, cuts that actor's outgoing links: whatever the handler that emitted sends next (a new
 * leader's first AppendEntries, the batch a commit releases) is lost. Faults laid on the clock
 * cannot do this: the window is the same instant as the event, which a fault schedule drawn in
 * advance hits only by chance (test/MUTATION.md, "Planted mutants").
 *
 * It reads only events every node of the protocol emits, never the state of a node, and draws
 * from its own seeded stream, so the same seed cuts the same way. Sim mode only: the cut must
 * land before the emitting handler's sends leave, which only a single-threaded run guarantees.
 *
 * @example
 * ```ts
 * const cuts = new EventCuts(system.faults, policy, createPrng(seed, '$event-cuts'));
 * await runScenario(scenario, { seed, onSystem: (s) => cuts.attach(s.faults), onEvent: (e) => cuts.observe(e) });
 * cuts.laid; // what was cut, when, for how long
 * ```
 */
export class EventCuts {
  readonly #policy: EventCutPolicy;
  readonly #rnd: () => number;
  #faults: FaultControl | undefined;
  readonly #laid: LaidCut[] = [];
  /** The actor and time of the last cut: a burst of events (a commit of many indexes) makes one cut at most. */
  #last = '';

  constructor(policy: EventCutPolicy, rnd: () => number) {
    this.#policy = policy;
    this.#rnd = rnd;
  }

  /** The run's fault control, once its system exists. */
  attach(faults: FaultControl): void {
    this.#faults = faults;
  }

  /** The cuts laid so far, in the order they were laid. */
  get laid(): readonly LaidCut[] {
    return this.#laid;
  }

  /** Sees one trace event; may cut the actor that emitted it. */
  observe(e: TraceEvent): void {
    if (e.type !== 'emit' || this.#faults === undefined || this.#laid.length >= this.#policy.max) return;
    const p = this.#policy.chance(e.event);
    if (p === undefined || p <= 0) return;
    if (this.#rnd() >= p) return;
    const key = `${e.actor}@${e.t}`;
    if (key === this.#last) return;
    this.#last = key;
    const { minMs, maxMs } = this.#policy;
    const durationMs = minMs + Math.floor(this.#rnd() * (maxMs - minMs + 1));
    const name = `event-cut[${this.#laid.length}]`;
    const faults = this.#faults;
    faults.setNetwork(name, { from: new Set([e.actor]), dropRate: 1 });
    faults.at(durationMs, () => faults.setNetwork(name, undefined));
    this.#laid.push({ actor: e.actor, atMs: e.t, durationMs, on: String(e.event.type) });
  }
}

/**
 * The cuts as entries of a scenario's `faults.network` list, so a saved run can be replayed and
 * shrunk like any other: each from the last microsecond at or before its event (scenario times
 * keep microseconds), dropping everything the actor sends.
 *
 * @example
 * ```ts
 * cutsAsNetworkFaults([{ actor: 'node_003', atMs: 812.4418, durationMs: 300, on: 'raft-leader' }]);
 * // ['{ at: 812.441ms, duration: 300ms, from: [node_003], drop_rate: 1 }']
 * ```
 */
export function cutsAsNetworkFaults(cuts: readonly LaidCut[]): string[] {
  return cuts.map((c) => {
    let at = Math.floor(c.atMs * 1000) / 1000;
    if (at > c.atMs) at -= 0.001;
    return `{ at: ${at}ms, duration: ${c.durationMs}ms, from: [${c.actor}], drop_rate: 1 }`;
  });
}
