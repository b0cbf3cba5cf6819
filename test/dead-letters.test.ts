import { describe, expect, it } from 'vitest';
import {
  accountingImbalance,
  DuplicateActorError,
  InvalidActorIdError,
  InvalidMessageError,
  registerBehaviour,
  SimSystem,
  type Behaviour,
  type LinkModel,
  type TraceEvent,
} from '../src/index.ts';

/** On `tell` (body: { to }), sends `hello` to `to`. */
const teller: Behaviour<null> = {
  init: () => null,
  receive(_s, env, ctx) {
    if (env.kind === 'tell') ctx.send((env.body as { to: string }).to, { kind: 'hello' });
    if (env.kind === 'tell-bad') ctx.send('anyone', 'not a message' as never);
  },
};
registerBehaviour('dl-teller', teller);

const FIXED: LinkModel = { latency: { kind: 'fixed', ms: 1 } };
type DeadLetterEvent = Extract<TraceEvent, { type: 'dead-letter' }>;

async function newSim() {
  const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
  await sim.spawn('echo', 'echo');
  return sim;
}

const deadLetters = (sim: SimSystem) => sim.recorder.events.filter((e): e is DeadLetterEvent => e.type === 'dead-letter');

/** The runtime still works: an ask round-trips and the books balance. */
async function expectAlive(sim: SimSystem) {
  const reply = await sim.ask('echo', { kind: 'ping', body: 'still here' }, { timeoutMs: 100 });
  expect(reply.body).toBe('still here');
  expect(accountingImbalance(sim.accountingNow())).toBe(0);
}

describe('dead letters and rejected requests', () => {
  it('a send to an unknown id is dead-lettered unknown-actor, counted and traced', async () => {
    const sim = await newSim();
    sim.send('ghost', { kind: 'boo', body: 1 });
    await sim.settle();
    const acc = sim.accountingNow();
    expect(acc.deadLettered).toBe(1);
    expect(acc.deadLetteredBy).toEqual({ 'unknown-actor': 1 });
    expect(deadLetters(sim)).toEqual([
      expect.objectContaining({ type: 'dead-letter', from: '$system', to: 'ghost', kind: 'boo', reason: 'unknown-actor', t: 1 }),
    ]);
    await expectAlive(sim);
  });

  it('a send from an actor to an unknown id names the actor as sender', async () => {
    const sim = await newSim();
    await sim.spawn('t', 'dl-teller');
    sim.send('t', { kind: 'tell', body: { to: 'nobody' } });
    await sim.settle();
    expect(deadLetters(sim)).toEqual([expect.objectContaining({ from: 't', to: 'nobody', kind: 'hello', reason: 'unknown-actor' })]);
    await expectAlive(sim);
  });

  it('a send to a stopped actor is dead-lettered actor-stopped (not unknown-actor)', async () => {
    const sim = await newSim();
    await sim.spawn('c', 'counter');
    sim.send('c', { kind: 'inc' });
    await sim.settle();
    expect(await sim.stop('c')).toBe(true);
    expect(await sim.stop('c')).toBe(false);
    sim.send('c', { kind: 'inc' });
    sim.send('c', { kind: 'inc' });
    await sim.settle();
    expect(sim.accountingNow().deadLetteredBy).toEqual({ 'actor-stopped': 2 });
    expect(deadLetters(sim).map((e) => [e.to, e.reason])).toEqual([
      ['c', 'actor-stopped'],
      ['c', 'actor-stopped'],
    ]);
    expect(sim.recorder.events.filter((e) => e.type === 'stop')).toEqual([expect.objectContaining({ actor: 'c', reason: 'stopped by system' })]);
    await expectAlive(sim);
  });

  it('envelopes in flight to an actor when it is stopped are dead-lettered actor-stopped on arrival', async () => {
    const sim = await newSim();
    await sim.spawn('c', 'counter');
    for (let i = 0; i < 3; i++) sim.send('c', { kind: 'inc' });
    await sim.stop('c');
    await sim.settle();
    expect(sim.accountingNow().deadLetteredBy['actor-stopped']).toBe(3);
    await expectAlive(sim);
  });

  it('rejects ids starting with "$" (and empty ids) at spawn with InvalidActorIdError', async () => {
    const sim = await newSim();
    for (const id of ['$x', '$system', '$ask:0:1', '']) {
      const err = await sim.spawn(id, 'echo').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidActorIdError);
      expect((err as InvalidActorIdError).code).toBe('invalid-actor-id');
    }
    expect(sim.result().actors).toBe(1);
    expect(sim.recorder.events.filter((e) => e.type === 'spawn')).toHaveLength(1);
    await expectAlive(sim);
  });

  it('rejects a duplicate id with DuplicateActorError and leaves the existing actor untouched', async () => {
    const sim = await newSim();
    await sim.spawn('c', 'counter');
    sim.send('c', { kind: 'inc' });
    await sim.settle();
    const err = await sim.spawn('c', 'echo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateActorError);
    expect((err as Error).message).toContain('"c"');
    expect(await sim.snapshot('c')).toEqual({ count: 1, last: '$system' });
    expect((await sim.ask('c', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(1);
    await expectAlive(sim);
  });

  it("a stopped actor's id can be spawned again, and then receives normally", async () => {
    const sim = await newSim();
    await sim.spawn('c', 'counter');
    await sim.stop('c');
    await sim.spawn('c', 'counter');
    sim.send('c', { kind: 'inc' });
    await sim.settle();
    expect(await sim.snapshot('c')).toEqual({ count: 1, last: '$system' });
    expect(sim.accountingNow().deadLettered).toBe(0);
  });

  it('system.send with a non-message throws InvalidMessageError and sends nothing', async () => {
    const sim = await newSim();
    for (const bad of ['hello', null, undefined, 42, { kind: 7 }, { body: 1 }]) {
      expect(() => sim.send('echo', bad as never)).toThrow(InvalidMessageError);
    }
    expect(() => sim.ask('echo', 'hello' as never, { timeoutMs: 10 })).toThrow(InvalidMessageError);
    expect(sim.accountingNow().sent).toBe(0);
    await expectAlive(sim);
  });

  it('ctx.send with a non-message fails the sending actor (InvalidMessageError), sends nothing', async () => {
    const sim = await newSim();
    await sim.spawn('t', 'dl-teller', { supervision: { strategy: 'resume' } });
    sim.send('t', { kind: 'tell-bad' });
    await sim.settle();
    const failures = sim.recorder.events.filter((e) => e.type === 'failure');
    expect(failures).toHaveLength(1);
    expect((failures[0] as { error: string }).error).toMatch(/^InvalidMessageError: /);
    expect(sim.accountingNow().sent).toBe(1); // only the tell-bad itself
    await expectAlive(sim);
  });

  it('every dead letter is counted once and traced once, per reason', async () => {
    const sim = await newSim();
    await sim.spawn('small', 'counter', { mailboxCapacity: 2 });
    await sim.spawn('gone', 'counter');
    await sim.stop('gone');
    for (let i = 0; i < 5; i++) sim.send('ghost-' + (i % 2), { kind: 'x' });
    for (let i = 0; i < 3; i++) sim.send('gone', { kind: 'inc' });
    for (let i = 0; i < 6; i++) sim.send('small', { kind: 'inc' });
    await sim.settle();
    const acc = sim.accountingNow();
    expect(acc.deadLetteredBy).toEqual({ 'unknown-actor': 5, 'actor-stopped': 3, 'mailbox-full': 4 });
    expect(acc.deadLettered).toBe(12);
    const traced: Record<string, number> = {};
    for (const e of deadLetters(sim)) traced[e.reason] = (traced[e.reason] ?? 0) + 1;
    expect(traced).toEqual(acc.deadLetteredBy);
    expect(new Set(deadLetters(sim).map((e) => e.id)).size).toBe(12);
    expect(accountingImbalance(acc)).toBe(0);
    expect(await sim.snapshot('small')).toEqual({ count: 2, last: '$system' });
    await expectAlive(sim);
  });
});
