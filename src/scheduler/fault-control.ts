import type { SpawnOptions } from '../actors/actor-host.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { NetworkCondition } from './network-faults.ts';

/**
 * The faults the scheduler can lay on a running system, in either execution mode. The fault
 * layer (`layFaults`) drives a scenario's `faults:` section through this interface only, so a
 * fault kind works in sim mode and in threads mode alike or is refused by name.
 *
 * Calls return at once: in sim mode they take effect between events of the virtual clock; in
 * threads mode main applies them to the workers in the order they were called (a fault's effect
 * on envelopes lands where each envelope is routed: at the sender's worker). Every envelope a
 * fault stops is in the books: dropped with the fault named (`partition`, `isolated`, `drop`),
 * or dead-lettered with a reason (`actor-stopped` for a crashed actor's mailbox).
 *
 * Clock: `now()` and `at()` count virtual ms in sim mode and wall-clock ms in threads mode. A
 * threads-mode run with faults is therefore not replayable byte for byte (its result says so).
 *
 * @example
 * ```ts
 * const f = system.faults;
 * f.at(1_000, () => f.crash('node_001'));
 * f.at(1_500, () => f.recover('node_001'));
 * f.at(2_000, () => f.partition([['node_002'], ['node_003', 'node_004', 'node_005']]));
 * f.at(3_000, () => f.heal());
 * ```
 */
export interface FaultControl {
  /** The clock faults are laid on: virtual ms (sim) or wall-clock ms since the system started (threads). */
  now(): number;
  /** Runs `action` after `delayMs` on that clock; returns a function that cancels it. */
  at(delayMs: number, action: () => void): () => void;
  /** True while `id` is spawned and neither crashed nor stopped. */
  running(id: ActorId): boolean;
  /**
   * Crashes an actor: it stops at once (timers gone, what waits in its mailbox dead-lettered
   * `actor-stopped`, later envelopes too), its durable store survives as a disk would.
   * Returns false when it was not running.
   */
  crash(id: ActorId): boolean;
  /** Starts a crashed actor again (same id, behaviour, props, host); `wipe` loses its durable store. */
  recover(id: ActorId, options?: { wipe?: boolean }): void;
  /**
   * Compromises a running actor: it is stopped as a crash stops it (what waits in its mailbox
   * dead-lettered `actor-stopped`) and started again at once under `behaviour` and `options` (an
   * adversary's), with its durable store; a later `recover` starts it as that. The trace has a
   * `byzantine` fault (`detail` says what it does now), then the actor's `spawn` naming the new
   * behaviour, which is how checkers learn who lies from then on. In sim mode the behaviour must
   * already be loaded in this thread (`loadBehaviour`): a fault acts between two events of the
   * virtual clock and cannot wait for an import. Returns false when it was not running.
   */
  compromise(id: ActorId, behaviour: BehaviourRef, options: SpawnOptions, detail: string): boolean;
  /** Groups that cannot reach each other (fault `partition`); actors in no group reach everyone. */
  partition(groups: readonly (readonly ActorId[])[]): void;
  /** Cuts directed links `[from, to]` (fault `partition`): one-way, bridge and ring partitions. */
  block(links: readonly (readonly [ActorId, ActorId])[], detail: string): void;
  /** Ends every partition and cut. */
  heal(): void;
  /** Lays (or with `undefined` lifts) a named network condition: latency, loss, duplication, reordering. */
  setNetwork(name: string, condition: NetworkCondition | undefined): void;
  /** Holds an actor's mailbox and timers for `durationMs`; nothing is lost. */
  pause(id: ActorId, durationMs: number): void;
  /** Timers `id` arms from now on fire after `delay / rate`; `undefined` puts its clock right. */
  skewClock(id: ActorId, rate: number | undefined): void;
  /** Drops everything `id` sends from now on (fault `isolated`), for the rest of the run. */
  isolate(id: ActorId, reason: string): void;
  /** Records a fault event (`type: 'fault'`) in the run's trace, on the trace's clock: a cascade's spread, say. */
  note(fault: string, detail: string): void;
}
