import type { ActorContext } from '../actors/behaviour.ts';
import type { ActorId, Message } from '../actors/envelope.ts';

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
