import type { CounterCut } from './host-counters.ts';
import type { WorkerApi, WorkerEvents, WorkerInit } from './protocol.ts';

/** What every host of a system starts with, whatever kind of host it is. */
export type HostConfig = Pick<WorkerInit, 'seed' | 'traceLevel' | 'mailboxCapacity' | 'supervision' | 'signatures' | 'signingSecret' | 'preload'>;

/** The control plane of one host as the coordinator calls it: every call answers asynchronously. */
export type HostApi = { [K in keyof WorkerApi]: (...args: Parameters<WorkerApi[K]>) => Promise<Awaited<ReturnType<WorkerApi[K]>>> };

/**
 * The coordinator's handle on one host of a system: a worker thread (worker-link.ts) or a node
 * process on NATS (src/net/). ThreadSystem keeps the books, placement, recovery and topology
 * epochs over these handles, so both kinds of host share one implementation of all of that.
 *
 * @example
 * ```ts
 * link.onEvents((m) => console.log(m.trace.length));
 * link.onExit((detail) => console.log('host died:', detail));
 * const cut = link.readCut(); // the host's last published counters
 * ```
 */
export interface HostLink {
  /** The control plane (spawn, stop, routes, topology, faults, ...). */
  readonly api: HostApi;
  /** The host's last published cut of its counters (synchronous: no round trip). */
  readCut(): CounterCut;
  /**
   * The durable store `actor` had on this host as last shipped to the coordinator, where the
   * host mirrors its actors' stores off itself (a node process on NATS); absent for a worker
   * thread, whose actors' stores die with it.
   */
  durableOf?(actor: string): [string, unknown][] | undefined;
  /** Registers the receiver of the host's trace, stops and escalations. */
  onEvents(handler: (m: WorkerEvents) => void): void;
  /** Hands over, synchronously, events that arrived but were not yet handled. */
  drainEvents(): void;
  /**
   * Where events travel asynchronously (a network), resolves once everything the host published
   * before this call has been handed to `onEvents`; absent where `drainEvents` is enough.
   */
  sync?(): Promise<void>;
  /** Tells the host the coordinator took in `n` more trace events (trace backpressure). */
  ackTrace(n: number): void;
  /** Called once when the host dies or is terminated: `detail` says how, `error` what it threw. */
  onExit(handler: (detail: string, error: Error | undefined) => void): void;
  /** Kills the host as a crash would (a test and fault hook); resolves once it is gone. */
  kill(): Promise<void>;
  /** Ends the host after a shutdown. */
  terminate(): Promise<void>;
  /** Lets go of the control plane of a dead host. */
  release(): void;
}

/**
 * Starts the hosts of a system: called once by ThreadSystem with the shared activity word
 * (a host's link bumps and notifies it whenever a new cut arrives, so settle wakes on activity).
 */
export interface HostLauncher {
  /** How many hosts the system has (fixed for its life). */
  readonly hosts: number;
  launch(config: HostConfig, activity: SharedArrayBuffer): Promise<HostLink[]>;
}
