import type { MessagePort } from 'node:worker_threads';
import type { Escalation, SpawnOptions } from '../../actors/actor-host.ts';
import type { ActorId, Envelope, Message } from '../../actors/envelope.ts';
import type { SignatureScheme } from '../../actors/key-ring.ts';
import type { BehaviourRef } from '../../actors/registry.ts';
import type { SupervisionPolicy } from '../../actors/supervision.ts';
import type { TraceEvent, TraceLevel } from '../../actors/trace-event.ts';
import type { Member, TopologySpec } from '../../topologies/index.ts';
import type { NetworkFaultState } from '../network-faults.ts';

/** What each worker is started with (`workerData`). Ports are transferred. */
export interface WorkerInit {
  readonly index: number;
  readonly workers: number;
  readonly seed: number;
  readonly traceLevel: TraceLevel;
  readonly mailboxCapacity?: number;
  readonly supervision?: Partial<SupervisionPolicy>;
  /** How `ctx.sign` signs. */
  readonly signatures: SignatureScheme;
  /** The run's signing secret: the same for every worker, so a signature verifies on any of them. */
  readonly signingSecret: string;
  /** Modules (absolute paths or file: URLs) imported before anything else, e.g. to register behaviours. */
  readonly preload: readonly string[];
  /** This worker's counters (see HostCounters). */
  readonly counters: SharedArrayBuffer;
  /** An Int32 every worker bumps and notifies after each turn, so main can wait for activity. */
  readonly activity: SharedArrayBuffer;
  /** `peers[j]` links to worker j (undefined at this worker's own index). */
  readonly peers: (MessagePort | undefined)[];
  /** Worker → main: trace event batches. */
  readonly events: MessagePort;
  /** An Int32 main adds to as it takes in this worker's trace events (trace backpressure). */
  readonly traceAck: SharedArrayBuffer;
}

/**
 * Worker → main on the events port, after each turn that had something to say. Stops and
 * escalations are sent whatever the trace level: main's registry of actors depends on them.
 */
export interface WorkerEvents {
  readonly trace: TraceEvent[];
  readonly stopped?: { actor: ActorId; reason: string }[];
  readonly escalations?: Escalation[];
  /** Topology switches actors asked for (`ctx.requestTopology`); main validates and applies them. */
  readonly topologyRequests?: TopologyRequest[];
}

/** An actor's request for a topology switch, as it travels to main. */
export interface TopologyRequest {
  readonly actor: ActorId;
  readonly spec: unknown;
  readonly reason: string;
}

/** The control plane each worker exposes over comlink. */
export interface WorkerApi {
  /** Resolves once preloaded modules are imported. */
  ready(): Promise<number>;
  /** Spawns and returns the supervision policy in force (spawn options over the behaviour's own). */
  spawn(id: ActorId, ref: BehaviourRef, options: SpawnOptions): Promise<SupervisionPolicy>;
  /** Tells this worker where actors live (id → worker index); `undefined` removes the route. */
  setRoutes(entries: [ActorId, number | undefined][]): void;
  stop(id: ActorId): boolean;
  snapshot(id: ActorId): unknown;
  send(to: ActorId, message: Message): void;
  ask(to: ActorId, message: Message, timeoutMs: number): Promise<Envelope>;
  /** Builds the graph of a topology epoch and keeps it ready (phase one of a switch). */
  prepareTopology(epoch: number, spec: TopologySpec, members: readonly (Member | ActorId)[]): void;
  /** Puts a prepared epoch in force (phase two, once every worker has prepared it). */
  commitTopology(epoch: number): void;
  /** Peer `index` died: take what it already sent, stop posting to it. */
  peerDied(index: number): void;
  /**
   * The faults in force now (partitions, cuts, isolated actors, network conditions, pauses until
   * an epoch-ms instant, skewed clocks), as main holds them: the whole state each time, so calls
   * are idempotent and the last one wins. Main serialises them with crash and recover calls.
   */
  setFaults(state: NetworkFaultState): void;
  /**
   * Crashes an actor here (fault `crash`): stopped at once, timers gone, its mailbox and what a
   * pause held for it dead-lettered `actor-stopped`; its durable store kept. Not reported back
   * as a stop (main already marked it crashed). False when it was not running here.
   */
  crash(id: ActorId): Promise<boolean>;
  /** Spawns a crashed actor again here (`wipe`: its durable store emptied first). */
  recover(id: ActorId, ref: BehaviourRef, options: SpawnOptions, wipe: boolean): Promise<SupervisionPolicy>;
  /**
   * Gives `id` (not running here yet) the durable store it had on a host that died, from the
   * coordinator's mirror (src/net/), before it is spawned here again.
   */
  restoreDurable(id: ActorId, entries: [string, unknown][]): void;
  /** Crashes `id` here and spawns it again under `ref` and `options` (an adversary's), in one call (FaultControl.compromise). */
  compromise(id: ActorId, ref: BehaviourRef, options: SpawnOptions): Promise<SupervisionPolicy>;
  /** Runs a last turn and publishes final counters. */
  close(): void;
}
