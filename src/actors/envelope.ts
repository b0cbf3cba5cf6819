/**
 * An actor's address: unique within a system. Ids starting with `$` are reserved for the runtime.
 *
 * @example
 * ```ts
 * const id: ActorId = 'agent-1';
 * await system.spawn(id, 'echo');
 * ```
 */
export type ActorId = string;

/**
 * What a behaviour sends: a kind (the message type) and an optional body.
 *
 * @example
 * ```ts
 * const vote: Message<string> = { kind: 'vote', body: 'PostgreSQL' };
 * system.send('tally', vote);
 * ```
 */
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
  /**
   * Set by the runtime while a topology relays the envelope: the member whose host it is
   * travelling to next (absent once the next hop is `to` itself).
   */
  readonly via?: ActorId;
  /** Links this envelope has crossed so far when more than one (absent means 1). */
  readonly hops?: number;
  /** On a broadcast copy: the topology epoch whose spanning tree carries the broadcast. */
  readonly tree?: number;
}

/**
 * Sender stamped on envelopes that come from outside any actor (the system API).
 *
 * @example
 * ```ts
 * receive(state, env, ctx) { if (env.from === SYSTEM_SENDER) ctx.emit({ fromOutside: env.kind }); }
 * ```
 */
export const SYSTEM_SENDER = '$system';

/**
 * Why an envelope was dead-lettered.
 *
 * @example
 * ```ts
 * const reason: DeadLetterReason = 'mailbox-full';
 * const full = result.messages.deadLetteredBy[reason] ?? 0;
 * ```
 */
export type DeadLetterReason = 'unknown-actor' | 'actor-stopped' | 'mailbox-full' | 'host-crashed' | 'not-serializable' | 'late-reply' | 'unsolicited';

/**
 * Kinds the runtime itself delivers to behaviours.
 *
 * @example
 * ```ts
 * receive(state, env, ctx) {
 *   if (env.kind === ASK_TIMEOUT_KIND) ctx.emit({ gaveUp: (env.body as { to: string }).to });
 * }
 * ```
 */
export const ASK_TIMEOUT_KIND = '$ask-timeout';

/** True when `m` has the shape `{ kind: string }`. */
export function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as Message).kind === 'string';
}
