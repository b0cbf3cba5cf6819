/**
 * `conclave/actors`: what a behaviour is written against — the behaviour and context types,
 * envelopes, the registry, supervision, the built-in behaviours, the trace event shapes.
 */
export { registerBehaviour, registeredBehaviours, loadBehaviour, refName } from './registry.ts';
export { accountingImbalance } from './counters.ts';
export { DEFAULT_SUPERVISION, decide } from './supervision.ts';
export { DEFAULT_MAILBOX_CAPACITY } from './mailbox.ts';
export { SYSTEM_SENDER, ASK_TIMEOUT_KIND } from './envelope.ts';
export { echo, counter, sink, volley, producer, relay } from './library.ts';
export type { Behaviour, ActorContext } from './behaviour.ts';
export type { SignatureScheme } from './key-ring.ts';
export type { ActorId, Envelope, Message, DeadLetterReason } from './envelope.ts';
export type { BehaviourRef } from './registry.ts';
export type { SpawnOptions, Escalation } from './actor-host.ts';
export type { SupervisionPolicy, SupervisionStrategy, SupervisionDirective } from './supervision.ts';
export type { TraceEvent, TraceLevel, TraceEventType } from './trace-event.ts';
export type { MessageAccounting } from './counters.ts';
export type { RouteTable } from './route-table.ts';
