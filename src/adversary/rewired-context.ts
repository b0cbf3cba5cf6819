import type { ActorContext } from '../actors/behaviour.ts';
import type { ActorId, Envelope, Message } from '../actors/envelope.ts';

/**
 * The context an adversary hands the honest behaviour it runs: the real one, except that
 * `send` goes through `send` here, where the adversary rewrites, holds back or drops what the
 * honest code says. The runtime still stamps the sender, so nothing sent is anyone else's.
 *
 * @example
 * ```ts
 * const view = rewiredContext(ctx, (to, m) => ctx.send(to, lie(m)));
 * inner.receive(state, env, view);
 * ```
 */
export function rewiredContext<P>(ctx: ActorContext<unknown>, send: (to: ActorId, m: Message) => void): ActorContext<P> {
  // One function per method, made once: the inner behaviour looks `send` up on every message.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(ctx, {
    get(target, key) {
      if (key === 'send') return send;
      const v = Reflect.get(target, key, target);
      if (typeof v !== 'function') return v;
      let f = bound.get(key);
      if (f === undefined) bound.set(key, (f = v.bind(target)));
      return f;
    },
  }) as unknown as ActorContext<P>;
}

/** The kind of the timer an adversary holds a message back with (`delayed_responses`). */
const LATE_KIND = 'adversary-late';

/**
 * Holds `message` back for `delayMs`, then sends it to `to` (see `deliverLate`). `n` numbers
 * the held messages, so each has a timer of its own.
 *
 * @example
 * ```ts
 * holdBack(ctx, ++a.late, ctx.props.delayMs ?? 1000, to, message);
 * ```
 */
export function holdBack(ctx: ActorContext<unknown>, n: number, delayMs: number, to: ActorId, message: Message): void {
  ctx.setTimer(`late:${n}`, delayMs, { kind: LATE_KIND, body: { to, message } });
}

/**
 * Sends a message `holdBack` held, when its timer fires; says whether `env` was one. Only the
 * actor's own timers count: nobody else can make an adversary send.
 *
 * @example
 * ```ts
 * receive(state, env, ctx) { if (deliverLate(env, ctx)) return; ... }
 * ```
 */
export function deliverLate(env: Envelope, ctx: ActorContext<unknown>): boolean {
  if (env.kind !== LATE_KIND || env.from !== ctx.self) return false;
  const { to, message } = env.body as { to: ActorId; message: Message };
  ctx.send(to, message);
  return true;
}
