import type { Behaviour } from './behaviour.ts';
import { registerBehaviour } from './registry.ts';

/**
 * A few general-purpose behaviours, registered under their names in every thread that imports
 * this module (workers always do). The demo and the benchmarks are built from them.
 */

/**
 * Replies to every envelope with `{ kind: 'echo', body }` (to the sender, or to the asker).
 *
 * @example
 * ```ts
 * await system.spawn('e', 'echo');
 * const reply = await system.ask('e', { kind: 'ping', body: 1 }, { timeoutMs: 100 }); // { kind: 'echo', body: 1 }
 * ```
 */
export const echo: Behaviour<null> = {
  init: () => null,
  receive(_s, env, ctx) {
    ctx.reply(env, { kind: 'echo', body: env.body });
  },
};

/**
 * Counts `inc` messages in object state (exercises immer drafts); replies to `get` with the count.
 *
 * @example
 * ```ts
 * await system.spawn('c', 'counter');
 * system.send('c', { kind: 'inc' });
 * await system.settle();
 * (await system.ask('c', { kind: 'get' }, { timeoutMs: 100 })).body; // 1
 * ```
 */
export const counter: Behaviour<{ count: number; last: string | null }> = {
  init: () => ({ count: 0, last: null }),
  receive(state, env, ctx) {
    if (env.kind === 'inc') {
      state.count++;
      state.last = env.from;
    } else if (env.kind === 'get') ctx.reply(env, { kind: 'count', body: state.count });
  },
};

/**
 * Counts everything it receives in a number state (no draft needed); replies to `get`.
 *
 * @example
 * ```ts
 * await system.spawn('s', 'sink');
 * system.send('s', { kind: 'data', body: 1 });
 * await system.settle();
 * await system.snapshot<number>('s'); // 1
 * ```
 */
export const sink: Behaviour<number> = {
  init: () => 0,
  receive(n, env, ctx) {
    if (env.kind === 'get') {
      ctx.reply(env, { kind: 'count', body: n });
      return n;
    }
    return n + 1;
  },
};

/**
 * Ping-pong: on `ball` with a remaining count, passes `ball` with one less to `props.peer` until
 * it reaches zero. Two volleys with each other as peers make a ping-pong of `n` envelopes.
 *
 * @example
 * ```ts
 * await system.spawn('ping', 'volley', { props: { peer: 'pong' } });
 * await system.spawn('pong', 'volley', { props: { peer: 'ping' } });
 * system.send('ping', { kind: 'ball', body: 100 });
 * ```
 */
export const volley: Behaviour<number, { peer: string }> = {
  init: () => 0,
  receive(hits, env, ctx) {
    if (env.kind === 'ball') {
      const left = env.body as number;
      if (left > 0) ctx.send(ctx.props.peer, { kind: 'ball', body: left - 1 });
      return hits + 1;
    }
    if (env.kind === 'get') ctx.reply(env, { kind: 'hits', body: hits });
    return hits;
  },
};

/**
 * One-way streaming: on `start` (body: total), sends `total` envelopes of kind `data` to
 * `props.target`, `props.batch` per turn (default 256), yielding between batches by messaging
 * itself so a producer never monopolises its host.
 *
 * @example
 * ```ts
 * await system.spawn('s', 'sink');
 * await system.spawn('p', 'producer', { props: { target: 's', batch: 128 } });
 * system.send('p', { kind: 'start', body: 1_000_000 });
 * ```
 */
export const producer: Behaviour<{ left: number }, { target: string; batch?: number }> = {
  init: () => ({ left: 0 }),
  receive(state, env, ctx) {
    if (env.kind === 'start') state.left = env.body as number;
    else if (env.kind !== 'more') return;
    const n = Math.min(state.left, ctx.props.batch ?? 256);
    const target = ctx.props.target;
    for (let i = 0; i < n; i++) ctx.send(target, { kind: 'data', body: i });
    state.left -= n;
    if (state.left > 0) ctx.send(ctx.self, { kind: 'more' });
  },
};

/**
 * Passes a token around a ring (`props.next`) until it has made `props.maxHops` hops, counting
 * what it saw in its state; fails on purpose every `props.failEvery` tokens (if set), after
 * passing the token on, so supervision can be watched at work without stopping the race.
 *
 * @example
 * ```ts
 * await system.spawn('r1', 'relay', { props: { next: 'r2', maxHops: 10 } });
 * await system.spawn('r2', 'relay', { props: { next: 'r1', failEvery: 3 } });
 * system.send('r1', { kind: 'token', body: 0 });
 * ```
 */
export const relay: Behaviour<{ seen: number }, { next: string; failEvery?: number; maxHops?: number }> = {
  init: () => ({ seen: 0 }),
  receive(state, env, ctx) {
    if (env.kind !== 'token') return;
    state.seen++;
    const hops = env.body as number;
    if (hops >= (ctx.props.maxHops ?? Infinity)) {
      ctx.emit({ finished: hops });
      return;
    }
    ctx.send(ctx.props.next, { kind: 'token', body: hops + 1 });
    if (ctx.props.failEvery && state.seen % ctx.props.failEvery === 0) throw new Error(`${ctx.self} fumbled token ${hops}`);
  },
};

registerBehaviour('echo', echo);
registerBehaviour('counter', counter);
registerBehaviour('sink', sink);
registerBehaviour('volley', volley);
registerBehaviour('producer', producer);
registerBehaviour('relay', relay);
