import { describe, expect, it } from 'vitest';
import {
  ActorInitError,
  registerBehaviour,
  SimSystem,
  UnknownActorError,
  type Behaviour,
  type LinkModel,
  type SupervisionPolicy,
  type TraceEvent,
} from '../src/index.ts';

/** Counts `inc`; throws on `boom`; replies to `get` with its count. */
const flaky: Behaviour<{ n: number }> = {
  init: () => ({ n: 0 }),
  receive(state, env, ctx) {
    if (env.kind === 'inc') state.n++;
    else if (env.kind === 'boom') throw new Error('kaboom');
    else if (env.kind === 'get') ctx.reply(env, { kind: 'count', body: state.n });
  },
};

/** Every `props.everyMs`, sends `boom` to `props.target`, `props.times` times in all. */
const bomber: Behaviour<{ fired: number }, { target: string; everyMs: number; times: number }> = {
  init(ctx) {
    ctx.setTimer('fire', ctx.props.everyMs, { kind: 'fire' });
    return { fired: 0 };
  },
  receive(state, env, ctx) {
    if (env.kind !== 'fire') return;
    ctx.send(ctx.props.target, { kind: 'boom' });
    state.fired++;
    if (state.fired < ctx.props.times) ctx.setTimer('fire', ctx.props.everyMs, { kind: 'fire' });
  },
};

let initCalls = 0;
/** Counts its init calls in `initCalls`; its init throws from the second call on. */
const fragileInit: Behaviour<{ ok: true }> = {
  init() {
    initCalls++;
    if (initCalls > 1) throw new Error('cannot come back');
    return { ok: true };
  },
  receive(_s, env) {
    if (env.kind === 'boom') throw new Error('kaboom');
  },
};

/** Stop-by-default behaviour (spawn options may override). */
const stopByDefault: Behaviour<{ n: number }> = { ...flaky, supervision: { strategy: 'stop' } };

registerBehaviour('sup-flaky', flaky);
registerBehaviour('sup-bomber', bomber);
registerBehaviour('sup-fragile-init', fragileInit);
registerBehaviour('sup-stop-default', stopByDefault);
registerBehaviour('sup-init-throws', {
  init: () => {
    throw new Error('bad props: need a peer');
  },
  receive: () => undefined,
});

const FIXED: LinkModel = { latency: { kind: 'fixed', ms: 1 } };

function newSim() {
  return new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
}

async function spawnFlaky(sim: SimSystem, supervision: Partial<SupervisionPolicy>, id = 'f') {
  await sim.spawn(id, 'sup-flaky', { supervision });
}

function sendAll(sim: SimSystem, to: string, kinds: string[]) {
  for (const kind of kinds) sim.send(to, { kind });
}

const ofType = <T extends TraceEvent['type']>(sim: SimSystem, type: T) =>
  sim.recorder.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);

describe('supervision', () => {
  it("'resume' keeps the state built before the failure and keeps processing", async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'resume' });
    sendAll(sim, 'f', ['inc', 'inc', 'boom', 'inc', 'inc']);
    await sim.settle();
    expect(await sim.snapshot('f')).toEqual({ n: 4 });
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['resume']);
    expect(ofType(sim, 'restart')).toHaveLength(0);
    expect((await sim.ask('f', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(4);
  });

  it("'resume' survives repeated failures in different turns", async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'resume', maxFailures: 10 });
    for (let i = 0; i < 3; i++) {
      sendAll(sim, 'f', ['inc', 'boom']);
      await sim.settle();
    }
    expect(await sim.snapshot('f')).toEqual({ n: 3 });
    expect(ofType(sim, 'failure')).toHaveLength(3);
  });

  it("'restart' re-runs init (state reset) and keeps processing later messages", async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'restart' });
    sendAll(sim, 'f', ['inc', 'inc', 'inc', 'boom', 'inc']);
    await sim.settle();
    expect(await sim.snapshot('f')).toEqual({ n: 1 });
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['restart']);
    const restarts = ofType(sim, 'restart');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatchObject({ actor: 'f', t: 1 });
    expect(restarts[0].reason).toContain('kaboom');
    expect((await sim.ask('f', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(1);
  });

  it("'stop' stops the actor: what waits and what comes later is dead-lettered actor-stopped", async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'stop' });
    sendAll(sim, 'f', ['inc', 'boom', 'inc', 'inc']);
    await sim.settle();
    await expect(sim.snapshot('f')).rejects.toBeInstanceOf(UnknownActorError);
    expect(sim.accountingNow().deadLetteredBy['actor-stopped']).toBe(2);
    sim.send('f', { kind: 'inc' });
    await sim.settle();
    expect(sim.accountingNow().deadLetteredBy['actor-stopped']).toBe(3);
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['stop']);
    expect(ofType(sim, 'stop')).toEqual([{ t: 1, type: 'stop', actor: 'f', reason: 'supervision: strategy stop after Error: kaboom' }]);
    expect(sim.result().escalations).toHaveLength(0);
    expect(sim.result().actors).toBe(0);
  });

  it('the failure trace event carries the error message, the kind and the actor', async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'resume' });
    sim.send('f', { kind: 'boom' });
    await sim.settle();
    const [failure] = ofType(sim, 'failure');
    expect(failure).toMatchObject({ t: 1, actor: 'f', kind: 'boom', error: 'Error: kaboom', directive: 'resume', failuresInWindow: 1 });
  });

  it('escalates on the 3rd failure within the window with { restart, maxFailures: 2, windowMs: 1000 }', async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'restart', maxFailures: 2, windowMs: 1000 });
    sendAll(sim, 'f', ['boom', 'boom', 'boom', 'inc']);
    await sim.settle();
    const result = sim.result();
    expect(result.escalations).toHaveLength(1);
    expect(result.escalations[0]).toMatchObject({ actor: 'f', t: 1, failuresInWindow: 3 });
    expect(result.escalations[0].error).toContain('kaboom');
    const esc = ofType(sim, 'escalate');
    expect(esc).toHaveLength(1);
    expect(esc[0]).toMatchObject({ actor: 'f', failuresInWindow: 3, windowMs: 1000 });
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['restart', 'restart', 'escalate']);
    // Escalation stops the actor; the message behind the failing one is dead-lettered.
    await expect(sim.snapshot('f')).rejects.toBeInstanceOf(UnknownActorError);
    expect(sim.accountingNow().deadLetteredBy['actor-stopped']).toBe(1);
  });

  it('failures spread outside the window (virtual time advanced with run({ untilMs })) do not escalate', async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'restart', maxFailures: 2, windowMs: 1000 });
    for (let i = 0; i < 5; i++) {
      sim.send('f', { kind: 'boom' });
      sim.run({ untilMs: (i + 1) * 600 });
      expect(sim.now()).toBe((i + 1) * 600);
    }
    sim.send('f', { kind: 'inc' });
    await sim.settle();
    expect(sim.result().escalations).toHaveLength(0);
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['restart', 'restart', 'restart', 'restart', 'restart']);
    expect(ofType(sim, 'failure').map((e) => e.t)).toEqual([1, 601, 1201, 1801, 2401]);
    expect(await sim.snapshot('f')).toEqual({ n: 1 });
  });

  it('failures driven by timers: 600 ms apart never escalate, 300 ms apart escalate on the 3rd', async () => {
    const slow = newSim();
    await spawnFlaky(slow, { strategy: 'restart', maxFailures: 2, windowMs: 1000 });
    await slow.spawn('bomber', 'sup-bomber', { props: { target: 'f', everyMs: 600, times: 6 } });
    slow.run();
    expect(ofType(slow, 'failure')).toHaveLength(6);
    expect(slow.result().escalations).toHaveLength(0);
    expect((await slow.ask('f', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(0);

    const fast = newSim();
    await spawnFlaky(fast, { strategy: 'restart', maxFailures: 2, windowMs: 1000 });
    await fast.spawn('bomber', 'sup-bomber', { props: { target: 'f', everyMs: 300, times: 6 } });
    fast.run();
    const esc = fast.result().escalations;
    expect(esc).toHaveLength(1);
    expect(esc[0].failuresInWindow).toBe(3);
    expect(ofType(fast, 'failure').map((e) => e.directive)).toEqual(['restart', 'restart', 'escalate']);
    // The remaining booms hit a stopped actor.
    expect(fast.accountingNow().deadLetteredBy['actor-stopped']).toBe(3);
  });

  it('maxFailures 0 escalates on the first failure', async () => {
    const sim = newSim();
    await spawnFlaky(sim, { strategy: 'resume', maxFailures: 0 });
    sim.send('f', { kind: 'boom' });
    await sim.settle();
    expect(sim.result().escalations).toHaveLength(1);
    expect(ofType(sim, 'failure').map((e) => e.directive)).toEqual(['escalate']);
  });

  it("spawn options override the behaviour's own supervision default", async () => {
    const sim = newSim();
    await sim.spawn('by-default', 'sup-stop-default');
    await sim.spawn('overridden', 'sup-stop-default', { supervision: { strategy: 'resume' } });
    sendAll(sim, 'by-default', ['inc', 'boom', 'inc']);
    sendAll(sim, 'overridden', ['inc', 'boom', 'inc']);
    await sim.settle();
    await expect(sim.snapshot('by-default')).rejects.toBeInstanceOf(UnknownActorError);
    expect(await sim.snapshot('overridden')).toEqual({ n: 2 });
  });

  it('an init that throws during a restart escalates and stops the actor', async () => {
    initCalls = 0;
    const sim = newSim();
    await sim.spawn('fragile', 'sup-fragile-init', { supervision: { strategy: 'restart' } });
    sim.send('fragile', { kind: 'boom' });
    await sim.settle();
    expect(initCalls).toBe(2);
    const esc = sim.result().escalations;
    expect(esc).toHaveLength(1);
    expect(esc[0].error).toContain('init failed during restart');
    expect(esc[0].error).toContain('cannot come back');
    await expect(sim.snapshot('fragile')).rejects.toBeInstanceOf(UnknownActorError);
  });

  it('an init that throws at spawn rejects spawn with ActorInitError, and the id stays free', async () => {
    const sim = newSim();
    const err = await sim.spawn('bad', 'sup-init-throws').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActorInitError);
    expect((err as ActorInitError).code).toBe('actor-init');
    expect((err as Error).message).toContain('"bad"');
    expect((err as Error).message).toContain('bad props: need a peer');
    expect(((err as Error).cause as Error).message).toBe('bad props: need a peer');
    await expect(sim.snapshot('bad')).rejects.toBeInstanceOf(UnknownActorError);
    expect(ofType(sim, 'spawn')).toHaveLength(0);
    // The system still works, and the id can be used.
    await spawnFlaky(sim, { strategy: 'resume' }, 'bad');
    sim.send('bad', { kind: 'inc' });
    expect((await sim.ask('bad', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(1);
  });

  it('rejects an invalid supervision policy at spawn', async () => {
    const sim = newSim();
    await expect(spawnFlaky(sim, { strategy: 'retry' as never })).rejects.toMatchObject({ code: 'config' });
    await expect(spawnFlaky(sim, { maxFailures: -1 })).rejects.toMatchObject({ code: 'config' });
    await expect(spawnFlaky(sim, { windowMs: 0 })).rejects.toMatchObject({ code: 'config' });
  });
});
