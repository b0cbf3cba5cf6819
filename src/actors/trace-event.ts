import type { ActorId, DeadLetterReason } from './envelope.ts';
import type { SupervisionDirective } from './supervision.ts';

/** Fields every trace event has: the (virtual or wall-clock) time in ms and the event type. */
interface At {
  readonly t: number;
}

/**
 * How much the runtime writes to the trace: `full` adds one event per send and delivery.
 *
 * @example
 * ```ts
 * const sim = new SimSystem({ seed: 1, traceLevel: 'full', keepTrace: true });
 * ```
 */
export type TraceLevel = 'off' | 'events' | 'full';

/**
 * One entry in a run's trace. The trace is an RxJS stream (`system.trace$`) that checkers,
 * reports and stores subscribe to; these are the runtime's own event types, and behaviours add
 * theirs with `ctx.emit()` (type `emit`).
 *
 * @example
 * ```ts
 * system.trace$.subscribe((e: TraceEvent) => {
 *   if (e.type === 'failure') console.warn(`${e.actor} failed (${e.directive}): ${e.error}`);
 * });
 * ```
 */
export type TraceEvent =
  | (At & { type: 'spawn'; actor: ActorId; behaviour: string; host: number })
  | (At & { type: 'stop'; actor: ActorId; reason: string })
  | (At & { type: 'send'; id: number; from: ActorId; to: ActorId; kind: string })
  | (At & { type: 'deliver'; id: number; from: ActorId; to: ActorId; kind: string })
  | (At & { type: 'dead-letter'; id: number; from: ActorId; to: ActorId; kind: string; reason: DeadLetterReason; detail?: string })
  | (At & { type: 'dead-letters-summarised'; count: number; byReason: Partial<Record<DeadLetterReason, number>>; host: number })
  | (At & { type: 'relay'; id: number; at: ActorId; to: ActorId; next: ActorId })
  | (At & { type: 'broadcast-orphaned'; id: number; from: ActorId; at: ActorId; epoch: number })
  | (At & { type: 'topology'; epoch: number; from: string | null; to: string; members: number; spec: unknown; reason: string })
  | (At & { type: 'fault'; fault: string; detail: string })
  | (At & { type: 'topology-rejected'; actor: ActorId; spec: unknown; error: string })
  | (At & { type: 'duplicate'; id: number; from: ActorId; to: ActorId; kind: string; fault: string })
  | (At & { type: 'drop'; id: number; from: ActorId; to: ActorId; kind: string; fault: string })
  | (At & { type: 'failure'; actor: ActorId; kind: string; error: string; directive: SupervisionDirective; failuresInWindow: number })
  | (At & { type: 'restart'; actor: ActorId; reason: string; host: number })
  | (At & { type: 'escalate'; actor: ActorId; failuresInWindow: number; windowMs: number; error: string })
  | (At & { type: 'emit'; actor: ActorId; event: Readonly<Record<string, unknown>> })
  | (At & { type: 'host-crash'; host: number; actors: number; lostInFlight: number; detail: string });

/**
 * The `type` tags of trace events.
 *
 * @example
 * ```ts
 * const counts: Partial<Record<TraceEventType, number>> = {};
 * system.trace$.subscribe((e) => { counts[e.type] = (counts[e.type] ?? 0) + 1; });
 * ```
 */
export type TraceEventType = TraceEvent['type'];
