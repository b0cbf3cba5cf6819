import type { Draft } from 'immer';
import type { DurableStore } from './durable-store.ts';
import type { ActorId, Envelope, Message } from './envelope.ts';
import type { SupervisionPolicy } from './supervision.ts';

/**
 * Everything a behaviour may touch. Behaviours never call Date.now, setTimeout or Math.random:
 * time, timers and randomness come from here, so the same code is deterministic in `sim` mode
 * and real in `threads` mode. The context is a frozen capability: nothing reachable from it
 * leads to the host, the key ring or another actor's identity (see actor-context.ts).
 *
 * @example
 * ```ts
 * const ticker: Behaviour<number> = {
 *   init: (ctx) => { ctx.setTimer('tick', 100, { kind: 'tick' }); return 0; },
 *   receive: (n, env, ctx) => { ctx.send('log', { kind: 'tick', body: ctx.now() }); return n + 1; },
 * };
 * ```
 */
export interface ActorContext<P = unknown> {
  /** This actor's id. */
  readonly self: ActorId;
  /** The props given at spawn (plain data). */
  readonly props: P;
  /**
   * Sends a message; the runtime stamps `from` with `self`. The body is deep-frozen as it leaves
   * (recipients may share the object), so build a new one rather than changing it after sending.
   */
  send(to: ActorId, message: Message): void;
  /**
   * Sends a message to every other member of the topology in force, along its spanning
   * structure (a tree or the ring, not n unicasts from here); returns how many members it goes to.
   * Throws NoTopologyError when no topology is installed or `self` is not a member.
   */
  broadcast(message: Message): number;
  /** The members of the topology in force (empty when none is installed). */
  members(): readonly ActorId[];
  /**
   * Asks the scheduler to switch topology (a queen or an adaptive protocol does this). The switch
   * happens at the next epoch boundary, not during this message; a spec the scheduler rejects is
   * recorded in the trace as `topology-rejected`.
   */
  requestTopology(spec: unknown, reason: string): void;
  /** Replies to an envelope that was sent with `ask`: the reply carries `re = request.corr`. */
  reply(request: Envelope, message: Message): void;
  /**
   * Asks and returns the correlation id. The reply arrives later as an ordinary envelope with
   * `re` equal to that id; if none arrives within `timeoutMs`, an envelope of kind
   * `$ask-timeout` with body `{ corr, to, kind, timeoutMs, error }` arrives instead.
   */
  ask(to: ActorId, message: Message, options: { timeoutMs: number }): number;
  /** Arms (or re-arms) the timer `key`: `message` arrives from `self` after `delayMs`. */
  setTimer(key: string, delayMs: number, message: Message): void;
  /** Cancels the timer `key` if armed. */
  cancelTimer(key: string): void;
  /** Current time in ms (virtual in sim mode). */
  now(): number;
  /** A number in [0, 1) from this actor's own seeded stream. */
  random(): number;
  /**
   * This actor's durable storage: it survives a crash and restart of the actor (not a wipe, not
   * the loss of its host). Protocols that must remember across crashes (Raft's term, vote and
   * log) keep it here; everything else belongs in the state.
   */
  readonly durable: DurableStore;
  /**
   * Signs `data` as this actor. The runtime holds every actor's key; a behaviour cannot sign as
   * anyone else. The scheme is the system's `signatures` option: a modelled signature (`token`,
   * the sim default) or real Ed25519 (`ed25519`, the threads default). Throws for a non-string.
   */
  sign(data: string): string;
  /** Whether `signature` is `signer`'s signature over `data` (false for any malformed input; never throws). */
  verify(signer: ActorId, data: string, signature: string): boolean;
  /**
   * `plaintext` encrypted by this actor for `to` alone (X25519 key agreement, HKDF, AES-256-GCM;
   * a fresh nonce per call). The runtime holds every actor's key pair, as it holds the signing
   * keys: relays and other members see only the ciphertext. Throws for a non-string.
   */
  encryptFor(to: ActorId, plaintext: string): string;
  /**
   * What `from` encrypted for this actor with `encryptFor`, or undefined when `box` is not that
   * (tampered, truncated, meant for someone else, from someone else): never throws.
   */
  decryptFrom(from: ActorId, box: string): string | undefined;
  /** Writes an event into the run's trace. */
  emit(event: Readonly<Record<string, unknown>>): void;
  /** Stops this actor after the current message. */
  stop(): void;
}

/**
 * An actor's logic: pure with respect to its environment. `receive` may mutate the draft it is
 * given (immer) or return a replacement state; snapshots between turns are frozen.
 *
 * @example
 * ```ts
 * const counter: Behaviour<{ n: number }> = {
 *   init: () => ({ n: 0 }),
 *   receive(state, env) { if (env.kind === 'inc') state.n++; },
 * };
 * ```
 */
export interface Behaviour<S = any, P = any> {
  init(ctx: ActorContext<P>): S;
  receive(state: Draft<S>, envelope: Envelope<any>, ctx: ActorContext<P>): S | void;
  /** Default supervision for actors with this behaviour (spawn options override it). */
  readonly supervision?: Partial<SupervisionPolicy>;
}

/** True when `b` looks like a behaviour. */
export function isBehaviour(b: unknown): b is Behaviour {
  return typeof b === 'object' && b !== null && typeof (b as Behaviour).init === 'function' && typeof (b as Behaviour).receive === 'function';
}
