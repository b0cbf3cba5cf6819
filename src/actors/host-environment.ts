import type { ActorId, Envelope } from './envelope.ts';
import type { TraceEvent, TraceLevel } from './trace-event.ts';

/**
 * What an actor host needs from its execution mode. `sim` implements it with a virtual clock and
 * an event queue; `threads` with real timers and a transport to other workers. Behaviour code
 * never sees it: it only sees the context the host builds on top.
 */
export interface HostEnvironment {
  /** This host's index (0 in sim mode; the worker index in threads mode). */
  readonly hostIndex: number;
  readonly traceLevel: TraceLevel;
  /** Current time in ms. */
  now(): number;
  /**
   * Takes an envelope that an actor on this host has just sent (already counted as sent): deliver
   * it locally, schedule it, or hand it to the transport.
   */
  route(env: Envelope): void;
  /**
   * Arms a one-shot timer; returns a handle for `cancelTimer`. `owner` is the actor whose clock
   * it runs on (sim mode skews or pauses it under a fault).
   */
  startTimer(delayMs: number, fire: () => void, owner?: ActorId): unknown;
  cancelTimer(handle: unknown): void;
  /** Publishes a trace event. */
  trace(event: TraceEvent): void;
  /** A fresh envelope id, unique in the run. */
  nextEnvelopeId(): number;
  /** The seeded random stream of one actor. */
  randomFor(actor: ActorId): () => number;
  /**
   * An actor asks the scheduler for a topology switch (`ctx.requestTopology`). The scheduler
   * validates and applies it at the next epoch boundary; a bad spec is traced, never thrown.
   */
  requestTopology?(actor: ActorId, spec: unknown, reason: string): void;
  /** An actor stopped (by itself, its supervisor or the system): threads mode tells main. */
  actorStopped?(actor: ActorId, reason: string): void;
}
