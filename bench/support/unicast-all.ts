import type { Behaviour } from '../../src/index.ts';

/**
 * The naive alternative to a broadcast, for bench/topology.ts: on `fanout` the actor sends one
 * unicast `heard` envelope to every other member of the topology in force (`ctx.members()`), each
 * routed hop by hop on the graph like any other send. Remembers what it heard (sender and hop
 * count), like test/fixtures/gossip.ts, so the suite can check that each member got exactly one.
 */
export const unicastAll: Behaviour<{ heard: { from: string; hops: number }[] }> = {
  init: () => ({ heard: [] }),
  receive(state, env, ctx) {
    if (env.kind === 'fanout') {
      for (const m of ctx.members()) if (m !== ctx.self) ctx.send(m, { kind: 'heard', body: env.body });
    } else if (env.kind === 'heard') state.heard.push({ from: env.from, hops: env.hops ?? 1 });
  },
};
