import type { ActorContext } from './behaviour.ts';
import type { DurableStore } from './durable-store.ts';
import type { ActorId, Envelope, Message } from './envelope.ts';

/** Only `contextFor` may construct a context: `new ctx.constructor(...)` from a behaviour throws. */
const MINT = Symbol('conclave.context');

/**
 * The context a behaviour is given: a capability, not a view of the runtime. The cell behind it
 * sits in an ES private field, which no reflection reaches (`Reflect.ownKeys`, prototypes,
 * `Object.getOwnPropertyDescriptors`, a proxy); `self` and `props` are frozen own data
 * properties, the instance, its prototype and its class are frozen, and the methods are
 * strict-mode code, so a stack-trace hook's `getThis()` sees `undefined` in them. So a behaviour
 * cannot re-point `self`, reach its host or the key ring, or patch the prototype that every other
 * actor's context shares.
 */
class CellContext implements ActorContext {
  readonly #cell: ActorContext;
  readonly self: ActorId;
  readonly props: unknown;

  constructor(mint: symbol, cell: ActorContext) {
    if (mint !== MINT) throw new TypeError('An ActorContext is made by the runtime, not by a behaviour.');
    this.#cell = cell;
    this.self = cell.self;
    this.props = cell.props;
    Object.freeze(this);
  }

  get durable(): DurableStore {
    return this.#cell.durable;
  }

  send(to: ActorId, message: Message): void {
    this.#cell.send(to, message);
  }

  broadcast(message: Message): number {
    return this.#cell.broadcast(message);
  }

  members(): readonly ActorId[] {
    return this.#cell.members();
  }

  requestTopology(spec: unknown, reason: string): void {
    this.#cell.requestTopology(spec, reason);
  }

  reply(request: Envelope, message: Message): void {
    this.#cell.reply(request, message);
  }

  ask(to: ActorId, message: Message, options: { timeoutMs: number }): number {
    return this.#cell.ask(to, message, options);
  }

  setTimer(key: string, delayMs: number, message: Message): void {
    this.#cell.setTimer(key, delayMs, message);
  }

  cancelTimer(key: string): void {
    this.#cell.cancelTimer(key);
  }

  now(): number {
    return this.#cell.now();
  }

  random(): number {
    return this.#cell.random();
  }

  sign(data: string): string {
    return this.#cell.sign(data);
  }

  verify(signer: ActorId, data: string, signature: string): boolean {
    return this.#cell.verify(signer, data, signature);
  }

  encryptFor(to: ActorId, plaintext: string): string {
    return this.#cell.encryptFor(to, plaintext);
  }

  decryptFrom(from: ActorId, box: string): string | undefined {
    return this.#cell.decryptFrom(from, box);
  }

  emit(event: Readonly<Record<string, unknown>>): void {
    this.#cell.emit(event);
  }

  stop(): void {
    this.#cell.stop();
  }
}
Object.freeze(CellContext.prototype);
Object.freeze(CellContext);

/**
 * The context of the actor `cell` runs: one per actor (and per incarnation), made by the cell.
 * The cell implements the context's methods itself; this object is what may be handed out.
 *
 * @example
 * ```ts
 * const ctx = contextFor(cell);
 * behaviour.receive(state, envelope, ctx);
 * ```
 */
export function contextFor<P>(cell: ActorContext): ActorContext<P> {
  return new CellContext(MINT, cell) as ActorContext<P>;
}
