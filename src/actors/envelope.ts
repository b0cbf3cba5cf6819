/** An actor's address: unique within a system. Ids starting with `$` are reserved for the runtime. */
export type ActorId = string;

/** What a behaviour sends: a kind (the message type) and an optional body. */
export interface Message<B = unknown> {
  readonly kind: string;
  readonly body?: B;
}

/**
 * What the runtime delivers. The runtime fills in `id`, `from` and `to`; an actor cannot choose
 * `from`, so a Byzantine actor can lie in its body but never about who sent it.
 *
 * @example
 * ```ts
 * receive(state, env, ctx) { if (env.kind === 'ping') ctx.reply(env, { kind: 'pong' }); }
 * ```
 */
export interface Envelope<B = unknown> {
  /** Unique per system run (sim: a sequence; threads: `worker * 2^40 + sequence`). */
  readonly id: number;
  /** Stamped by the runtime: the sending actor, or `$system` / `$ask:N` for calls from outside. */
  readonly from: ActorId;
  readonly to: ActorId;
  readonly kind: string;
  readonly body: B | undefined;
  /** Correlation id of an ask request. */
  readonly corr?: number;
  /** On a reply: the `corr` of the request it answers. */
  readonly re?: number;
}

/** Sender stamped on envelopes that come from outside any actor (the system API). */
export const SYSTEM_SENDER = '$system';

/** Why an envelope was dead-lettered. */
export type DeadLetterReason =
  | 'unknown-actor'
  | 'actor-stopped'
  | 'mailbox-full'
  | 'host-crashed'
  | 'not-serializable'
  | 'late-reply';

/** Kinds the runtime itself delivers to behaviours. */
export const ASK_TIMEOUT_KIND = '$ask-timeout';

/** True when `m` has the shape `{ kind: string }`. */
export function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as Message).kind === 'string';
}
