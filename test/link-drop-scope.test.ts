import { describe, expect, it } from 'vitest';
import { ASK_TIMEOUT_KIND, registerBehaviour, SimSystem, type Behaviour, type LinkModel } from '../src/index.ts';

/**
 * Timers and ask timeouts are local to an actor: the link model's loss (dropRate) is a property of
 * the network between actors and must not swallow them. Otherwise a protocol that copes with loss
 * by retrying on a timer (or on an ask timeout) can hang forever in a lossy simulation.
 */

/** Arms `props.timers` timers with distinct keys in init; counts the `tick`s that arrive. */
const timerUser: Behaviour<{ ticks: number }, { timers: number }> = {
  init(ctx) {
    for (let i = 0; i < ctx.props.timers; i++) ctx.setTimer(`t${i}`, 10 + i, { kind: 'tick' });
    return { ticks: 0 };
  },
  receive(state, env) {
    if (env.kind === 'tick') state.ticks++;
  },
};

/** Asks `props.target` (which never replies) `props.asks` times in init; counts `$ask-timeout`s. */
const asker: Behaviour<{ timeouts: number; asked: number }, { target: string; asks: number }> = {
  init(ctx) {
    for (let i = 0; i < ctx.props.asks; i++) ctx.ask(ctx.props.target, { kind: 'ping', body: i }, { timeoutMs: 50 });
    return { timeouts: 0, asked: ctx.props.asks };
  },
  receive(state, env) {
    if (env.kind === ASK_TIMEOUT_KIND) state.timeouts++;
  },
};

/** Counts what it gets, never replies. */
const mute: Behaviour<number> = { init: () => 0, receive: (n) => n + 1 };

/** On `go`, sends `body` envelopes to `props.target`. */
const sender: Behaviour<null, { target: string }> = {
  init: () => null,
  receive(_s, env, ctx) {
    if (env.kind === 'go') for (let i = 0; i < (env.body as number); i++) ctx.send(ctx.props.target, { kind: 'data' });
  },
};

registerBehaviour('rdrop-timer-user', timerUser);
registerBehaviour('rdrop-asker', asker);
registerBehaviour('rdrop-mute', mute);
registerBehaviour('rdrop-sender', sender);

const LOSSY: LinkModel = { latency: { kind: 'fixed', ms: 1 }, dropRate: 0.5 };

describe('link drops apply to envelopes between actors, not to runtime-local ones', () => {
  it('envelopes between actors are dropped at about the configured rate (baseline)', async () => {
    const sim = new SimSystem({ seed: 1, link: LOSSY });
    await sim.spawn('m', 'rdrop-mute');
    await sim.spawn('s', 'rdrop-sender', { props: { target: 'm' } });
    // The kick-off comes from outside the simulation ($system): no link loss applies to it.
    sim.send('s', { kind: 'go', body: 1000 });
    sim.run();
    const received = await sim.snapshot<number>('m');
    expect(received).toBeGreaterThan(400);
    expect(received).toBeLessThan(600);
  });

  it('every armed timer fires and its message arrives, even with dropRate 0.5', async () => {
    const sim = new SimSystem({ seed: 1, link: LOSSY });
    await sim.spawn('t', 'rdrop-timer-user', { props: { timers: 20 } });
    sim.run();
    expect(await sim.snapshot('t')).toEqual({ ticks: 20 });
    expect(sim.accountingNow().droppedBy['link-drop'] ?? 0).toBe(0);
  });

  it('calls from outside the simulation and their replies cross no lossy link or partition', async () => {
    const sim = new SimSystem({ seed: 1, link: { latency: { kind: 'fixed', ms: 1 }, dropRate: 0.9 } });
    await sim.spawn('e', 'echo');
    sim.faults.partition([['e'], ['x']]);
    for (let i = 0; i < 50; i++) expect((await sim.ask('e', { kind: 'ping', body: i }, { timeoutMs: 100 })).body).toBe(i);
    expect(sim.accountingNow().dropped).toBe(0);
  });

  it('every actor ask that gets no reply ends in an $ask-timeout envelope, even with dropRate 0.5', async () => {
    const sim = new SimSystem({ seed: 1, link: LOSSY });
    await sim.spawn('m', 'rdrop-mute');
    await sim.spawn('a', 'rdrop-asker', { props: { target: 'm', asks: 20 } });
    sim.run();
    expect(await sim.snapshot('a')).toEqual({ timeouts: 20, asked: 20 });
  });
});
