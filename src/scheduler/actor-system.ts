import type { Observable } from 'rxjs';
import type { Escalation, SpawnOptions } from '../actors/actor-host.ts';
import type { MessageAccounting } from '../actors/counters.ts';
import type { ActorId, Envelope, Message } from '../actors/envelope.ts';
import type { SignatureScheme } from '../actors/key-ring.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { Member, RouteGraph, TopologySpec } from '../topologies/index.ts';
import type { FaultControl } from './fault-control.ts';
import type { EpochStats, SwitchOptions, TopologySwitch } from './topology-control.ts';

/**
 * `sim`: deterministic discrete-event simulation on one thread. `threads`: real worker threads.
 *
 * @example
 * ```ts
 * const mode: ExecutionMode = process.env.THREADS ? 'threads' : 'sim';
 * const system = await createSystem(mode === 'sim' ? { mode, seed: 42 } : { mode, workers: 2 });
 * ```
 */
export type ExecutionMode = 'sim' | 'threads';

/**
 * Where a system is in its life.
 *
 * @example
 * ```ts
 * const result = await system.shutdown();
 * result.status; // 'stopped'
 * ```
 */
export type SystemStatus = 'running' | 'stopped';

/**
 * A worker that died, and what the runtime did about it.
 *
 * @example
 * ```ts
 * const crash: HostCrash = await threads.killWorker(0);
 * console.log(crash.restarted, crash.stopped, crash.lostInFlight);
 * ```
 */
export interface HostCrash {
  readonly host: number;
  readonly t: number;
  readonly detail: string;
  /** Actors moved to live workers (restarted from `init`). */
  readonly restarted: readonly ActorId[];
  /** Actors that stayed stopped (their strategy is `stop`). */
  readonly stopped: readonly ActorId[];
  /** Envelopes lost with the worker (dead-lettered `host-crashed`). */
  readonly lostInFlight: number;
  /** From noticing the death to every actor restarted and every worker's routes updated. */
  readonly recoveryMs: number;
}

/**
 * A run's result: plain data, so it can be printed, stored and compared.
 *
 * @example
 * ```ts
 * const result: RunResult = await system.shutdown();
 * console.log(result.accountingImbalance === 0, result.traceHash);
 * ```
 */
export interface RunResult {
  readonly mode: ExecutionMode;
  readonly seed: number;
  readonly status: SystemStatus;
  readonly actors: number;
  readonly hosts: number;
  readonly messages: MessageAccounting;
  /** `sent - (delivered + dropped + deadLettered + inFlight)`: 0 when every envelope is accounted for. */
  readonly accountingImbalance: number;
  readonly escalations: readonly Escalation[];
  readonly hostCrashes: readonly HostCrash[];
  /** Virtual ms in sim mode, wall-clock ms in threads mode. */
  readonly elapsedMs: number;
  readonly wallMs: number;
  readonly traceEvents: number;
  /** sha256 of the canonical trace (one JSON line per event). */
  readonly traceHash: string;
  /** Every topology switch, and what each epoch carried (empty when no topology was installed). */
  readonly topology: { readonly switches: readonly TopologySwitch[]; readonly epochs: readonly EpochStats[] };
  /** How `ctx.sign` signed in this run: modelled tokens or real Ed25519 (the `signatures` option). */
  readonly signatures: SignatureScheme;
}

/**
 * The API both execution modes share: spawn actors, talk to them from outside, wait for quiet,
 * read accounting and shut down. Behaviour code is identical in both modes.
 *
 * @example
 * ```ts
 * const system = await createSystem({ mode: 'sim', seed: 7 });
 * await system.spawn('echo-1', 'echo');
 * const reply = await system.ask('echo-1', { kind: 'ping', body: 1 }, { timeoutMs: 100 });
 * const result = await system.shutdown();
 * ```
 */
export interface ActorSystem {
  readonly mode: ExecutionMode;
  readonly seed: number;
  /** How `ctx.sign` signs in this system (the `signatures` option). */
  readonly signatures: SignatureScheme;
  /** Every trace event as it happens. */
  readonly trace$: Observable<TraceEvent>;
  spawn(id: ActorId, behaviour: BehaviourRef, options?: SpawnOptions & { readonly worker?: number }): Promise<void>;
  /** Sends from outside (`from` is `$system`); never throws for an unknown `to` (dead letter). */
  send(to: ActorId, message: Message): void;
  ask(to: ActorId, message: Message, options: { timeoutMs: number }): Promise<Envelope>;
  stop(id: ActorId): Promise<boolean>;
  snapshot<S = unknown>(id: ActorId): Promise<S>;
  /** Resolves when no envelope is in flight (mailboxes, queues and links are empty). */
  settle(options?: { timeoutMs?: number }): Promise<void>;
  /** Current accounting. */
  accounting(): Promise<MessageAccounting>;
  shutdown(): Promise<RunResult>;
  /** Crashes, partitions, network conditions, pauses, clock skews and isolation, on the system's clock. */
  readonly faults: FaultControl;
  /** The route graph in force (undefined until a topology is installed). */
  readonly topology: RouteGraph | undefined;
  /**
   * Installs or switches the topology the scheduler routes members' envelopes on. It takes effect
   * at an epoch boundary on every host: envelopes in flight are still delivered exactly once,
   * continuing on the new routes from wherever they are. The first call names the members.
   */
  switchTopology(spec: TopologySpec, options?: SwitchOptions): Promise<TopologySwitch>;
  /** Adds a member (an actor already spawned, or about to be) and rebuilds the routes. */
  joinTopology(member: Member | ActorId): Promise<TopologySwitch>;
  /** Removes a member and rebuilds the routes; envelopes on their way through it still arrive. */
  leaveTopology(id: ActorId): Promise<TopologySwitch>;
}
