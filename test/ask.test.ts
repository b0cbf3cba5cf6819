import { describe, expect, it } from 'vitest';
import {
  ASK_TIMEOUT_KIND,
  AskTimeoutError,
  ConfigError,
  registerBehaviour,
  SimSystem,
  UndeliverableError,
  type Behaviour,
  type Envelope,
  type LinkModel,
  type TraceEvent,
} from '../src/index.ts';

/** Replies `pong` with body * 2 and remembers the corr of every request it saw. */
const doubler: Behaviour<{ corrs: (number | undefined)[] }> = {
  init: () => ({ corrs: [] }),
  receive(state, env, ctx) {
    state.corrs.push(env.corr);
    ctx.reply(env, { kind: 'pong', body: (env.body as number) * 2 });
  },
};

/** Never replies. */
const silent: Behaviour<number> = { init: () => 0, receive: (n) => n + 1 };

/** Replies `pong` only after `props.delayMs`, via a timer. */
const slowpoke: Behaviour<{ pending: { from: string; corr?: number } | null }, { delayMs: number }> = {
  init: () => ({ pending: null }),
  receive(state, env, ctx) {
    if (env.kind === 'reply-now') {
      if (state.pending) ctx.reply(state.pending as Envelope, { kind: 'pong', body: 'late' });
      state.pending = null;
      return;
    }
    state.pending = { from: env.from, corr: env.corr };
    ctx.setTimer('reply', ctx.props.delayMs, { kind: 'reply-now' });
  },
};

interface Seen {
  kind: string;
  from: string;
  re?: number;
  body: unknown;
  t: number;
}
/** On `go` (body: { to, timeoutMs }), asks `to` with `ping`; records every other envelope it gets. */
const asker: Behaviour<{ asked: { corr: number; t: number }[]; seen: Seen[] }> = {
  init: () => ({ asked: [], seen: [] }),
  receive(state, env, ctx) {
    if (env.kind === 'go') {
      const { to, timeoutMs } = env.body as { to: string; timeoutMs: number };
      const corr = ctx.ask(to, { kind: 'ping', body: 21 }, { timeoutMs });
      state.asked.push({ corr, t: ctx.now() });
      return;
    }
    state.seen.push({ kind: env.kind, from: env.from, re: env.re, body: env.body, t: ctx.now() });
  },
};

registerBehaviour('ask-doubler', doubler);
registerBehaviour('ask-silent', silent);
registerBehaviour('ask-slowpoke', slowpoke);
registerBehaviour('ask-asker', asker);

const FIXED: LinkModel = { latency: { kind: 'fixed', ms: 2 } };
const deadLetters = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'dead-letter');

describe('ask from outside (system.ask)', () => {
  it('resolves with the reply: body, kind, from, and re equal to the request corr', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('d', 'ask-doubler');
    const reply = await sim.ask('d', { kind: 'ping', body: 21 }, { timeoutMs: 100 });
    expect(reply.kind).toBe('pong');
    expect(reply.body).toBe(42);
    expect(reply.from).toBe('d');
    expect(reply.to.startsWith('$ask:')).toBe(true);
    const { corrs } = await sim.snapshot<{ corrs: number[] }>('d');
    expect(corrs).toHaveLength(1);
    expect(typeof corrs[0]).toBe('number');
    expect(reply.re).toBe(corrs[0]);
    expect(sim.now()).toBe(4); // request 2 ms there, reply 2 ms back
  });

  it('gives each ask its own correlation id and temporary address', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('d', 'ask-doubler');
    const r1 = await sim.ask('d', { kind: 'ping', body: 1 }, { timeoutMs: 100 });
    const r2 = await sim.ask('d', { kind: 'ping', body: 2 }, { timeoutMs: 100 });
    expect([r1.body, r2.body]).toEqual([2, 4]);
    expect(r1.re).not.toBe(r2.re);
    expect(r1.to).not.toBe(r2.to);
    expect((await sim.snapshot<{ corrs: number[] }>('d')).corrs).toEqual([r1.re, r2.re]);
  });

  it('rejects with AskTimeoutError after exactly timeoutMs of virtual time when the actor never replies', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('s', 'ask-silent');
    sim.run({ untilMs: 10 });
    const t0 = sim.now();
    expect(t0).toBe(10);
    const err = await sim.ask('s', { kind: 'hello' }, { timeoutMs: 250 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AskTimeoutError);
    expect(err).toMatchObject({ to: 's', kind: 'hello', timeoutMs: 250, code: 'ask-timeout' });
    expect(sim.now()).toBe(t0 + 250);
    // The request itself was delivered (the actor saw it).
    expect(await sim.snapshot('s')).toBe(1);
  });

  it('rejects with UndeliverableError (unknown-actor) on arrival for an unknown id, well before the timeout', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
    const err = await sim.ask('nobody', { kind: 'hello' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UndeliverableError);
    expect(err).toMatchObject({ to: 'nobody', kind: 'hello', reason: 'unknown-actor' });
    expect(sim.now()).toBe(2);
    expect(sim.accountingNow().deadLetteredBy['unknown-actor']).toBe(1);
    expect(deadLetters(sim.recorder.events)).toHaveLength(1);
  });

  it('rejects with UndeliverableError (actor-stopped) for a stopped actor', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('d', 'ask-doubler');
    await sim.stop('d');
    await expect(sim.ask('d', { kind: 'ping', body: 1 }, { timeoutMs: 1000 })).rejects.toMatchObject({ name: 'UndeliverableError', reason: 'actor-stopped' });
  });

  it('dead-letters a reply that arrives after the ask timed out as late-reply', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
    await sim.spawn('slow', 'ask-slowpoke', { props: { delayMs: 300 } });
    await expect(sim.ask('slow', { kind: 'ping' }, { timeoutMs: 50 })).rejects.toBeInstanceOf(AskTimeoutError);
    expect(sim.now()).toBe(50);
    expect(sim.accountingNow().deadLetteredBy['late-reply']).toBeUndefined();
    sim.run();
    const acc = sim.accountingNow();
    expect(acc.deadLetteredBy['late-reply']).toBe(1);
    const [dl] = deadLetters(sim.recorder.events);
    expect(dl).toMatchObject({ type: 'dead-letter', from: 'slow', kind: 'pong', reason: 'late-reply' });
    expect((dl as { to: string }).to.startsWith('$ask:')).toBe(true);
    expect(acc.inFlight).toBe(0);
    expect(acc.sent).toBe(acc.delivered + acc.dropped + acc.deadLettered);
    // The system keeps working.
    await sim.spawn('d', 'ask-doubler');
    expect((await sim.ask('d', { kind: 'ping', body: 5 }, { timeoutMs: 100 })).body).toBe(10);
  });

  it('throws ConfigError synchronously for invalid ask options, sending nothing', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('d', 'ask-doubler');
    for (const bad of [0, -5, Number.NaN, undefined]) {
      expect(() => sim.ask('d', { kind: 'ping', body: 1 }, { timeoutMs: bad as number })).toThrow(ConfigError);
    }
    expect(() => sim.ask('d', { kind: 'ping' }, undefined as never)).toThrow(ConfigError);
    expect(sim.accountingNow().sent).toBe(0);
  });

  it('a system ask answered early does not move virtual time to its (cancelled) timeout', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED });
    await sim.spawn('d', 'ask-doubler');
    await sim.ask('d', { kind: 'ping', body: 1 }, { timeoutMs: 10_000 });
    expect(sim.now()).toBe(4);
    // Nothing is left to happen: running to quiescence must not jump the clock to t = 10,000.
    const steps = sim.run();
    expect(sim.now()).toBe(4);
    expect(sim.result().elapsedMs).toBe(4);
    expect(steps).toBe(0);
  });
});

describe('ask between actors (ctx.ask)', () => {
  async function setup(target: string, behaviour: string, props?: unknown) {
    const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
    await sim.spawn('asker', 'ask-asker');
    if (behaviour) await sim.spawn(target, behaviour, { props });
    return sim;
  }
  type AskerState = { asked: { corr: number; t: number }[]; seen: Seen[] };

  it('delivers the reply to the asker as an envelope with re === the corr ctx.ask returned', async () => {
    const sim = await setup('d', 'ask-doubler');
    sim.send('asker', { kind: 'go', body: { to: 'd', timeoutMs: 100 } });
    sim.run();
    const s = await sim.snapshot<AskerState>('asker');
    expect(s.asked).toHaveLength(1);
    expect(s.seen).toEqual([{ kind: 'pong', from: 'd', re: s.asked[0].corr, body: 42, t: 6 }]);
    // The timeout timer was cancelled: no $ask-timeout ever arrives (sim.run() ran to quiescence).
    expect(s.seen.some((e) => e.kind === ASK_TIMEOUT_KIND)).toBe(false);
  });

  it('delivers an $ask-timeout envelope with corr/to/kind/timeoutMs/error when the target stays silent', async () => {
    const sim = await setup('s', 'ask-silent');
    sim.send('asker', { kind: 'go', body: { to: 's', timeoutMs: 100 } });
    sim.run();
    const s = await sim.snapshot<AskerState>('asker');
    expect(s.seen).toHaveLength(1);
    const [timeout] = s.seen;
    expect(timeout.kind).toBe(ASK_TIMEOUT_KIND);
    expect(timeout.kind).toBe('$ask-timeout');
    expect(timeout.from).toBe('asker');
    expect(timeout.re).toBeUndefined();
    const body = timeout.body as { corr: number; to: string; kind: string; timeoutMs: number; error: string };
    expect(body).toMatchObject({ corr: s.asked[0].corr, to: 's', kind: 'ping', timeoutMs: 100 });
    expect(body.error).toContain('AskTimeoutError');
    expect(body.error).toContain('"s"');
    // It arrives no earlier than timeoutMs after the ask.
    expect(timeout.t).toBeGreaterThanOrEqual(s.asked[0].t + 100);
  });

  it('an actor ask to an unknown id dead-letters the request and still ends in $ask-timeout', async () => {
    const sim = await setup('ghost', '');
    sim.send('asker', { kind: 'go', body: { to: 'ghost', timeoutMs: 40 } });
    sim.run();
    const s = await sim.snapshot<AskerState>('asker');
    expect(s.seen.map((e) => e.kind)).toEqual([ASK_TIMEOUT_KIND]);
    expect(sim.accountingNow().deadLetteredBy['unknown-actor']).toBe(1);
  });

  it('a reply arriving after the actor ask timed out is delivered to the asker as an ordinary envelope (not dead-lettered)', async () => {
    const sim = await setup('slow', 'ask-slowpoke', { delayMs: 300 });
    sim.send('asker', { kind: 'go', body: { to: 'slow', timeoutMs: 100 } });
    sim.run();
    const s = await sim.snapshot<AskerState>('asker');
    const corr = s.asked[0].corr;
    expect(s.seen.map((e) => e.kind)).toEqual([ASK_TIMEOUT_KIND, 'pong']);
    expect(s.seen[1]).toMatchObject({ from: 'slow', re: corr, body: 'late' });
    expect(s.seen[1].t).toBeGreaterThan(s.seen[0].t);
    expect(sim.accountingNow().deadLetteredBy['late-reply']).toBeUndefined();
  });

  it('ctx.ask with timeoutMs 0 throws ConfigError inside receive (a supervised failure)', async () => {
    const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
    await sim.spawn('asker', 'ask-asker', { supervision: { strategy: 'resume' } });
    await sim.spawn('d', 'ask-doubler');
    sim.send('asker', { kind: 'go', body: { to: 'd', timeoutMs: 0 } });
    sim.run();
    const failures = sim.recorder.events.filter((e) => e.type === 'failure');
    expect(failures).toHaveLength(1);
    expect((failures[0] as { error: string }).error).toMatch(/^ConfigError: .*timeoutMs/);
    const s = await sim.snapshot<AskerState>('asker');
    expect(s.asked).toEqual([]);
    expect((await sim.snapshot<{ corrs: number[] }>('d')).corrs).toEqual([]);
  });
});
