import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSystem, ThreadSystem, type ActorSystem, type Envelope } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { FORGED_DATA, type AttackReport } from './fixtures/forgers.ts';

const module = fileURLToPath(new URL('./fixtures/forgers.ts', import.meta.url));
const ref = (name: string) => ({ module, export: name });
const ask = (system: ActorSystem, to: string, kind: string, body?: unknown): Promise<Envelope> => system.ask(to, { kind, body }, { timeoutMs: 10_000 });

/** Every attempt must fail: by a TypeError (frozen, private, no such property) or without effect. */
const REFUSED = /^refused: TypeError$/;

/**
 * The forger, its victim and a sink share one host (one worker in threads mode), where the runtime
 * objects live; a second sink sits on another worker. The forger tries everything, then the test
 * reads who the sinks heard from and whether any signature it got verifies as the victim's.
 */
async function attack(system: ActorSystem): Promise<void> {
  const threads = system instanceof ThreadSystem;
  const on = (worker: number) => (threads ? { worker } : {});
  await system.spawn('mallory', ref('forger'), { ...on(0), props: { role: 'forger' } });
  await system.spawn('victim', ref('sink'), on(0));
  await system.spawn('sink', ref('sink'), on(0));
  await system.spawn('far-sink', ref('sink'), on(threads ? 1 : 0));
  // A topology, so that ctx.members() hands out the route graph's own member list.
  await system.switchTopology('mesh', { members: ['mallory', 'victim', 'sink', 'far-sink'] });

  const report = (await ask(system, 'mallory', 'attack', { victim: 'victim', sink: 'sink' })).body as AttackReport;
  const far = (await ask(system, 'mallory', 'attack', { victim: 'victim', sink: 'far-sink' })).body as AttackReport;
  await system.settle();

  for (const r of [report, far]) {
    expect(r.reached).toEqual([]);
    expect(r.frames).toEqual([]);
    // The walk really went somewhere: the context, its prototype, its methods and their properties.
    expect(r.visited).toBeGreaterThan(20);
    const { attempts } = r;
    for (const name of [
      'ctx.host.send',
      'ctx.host.keys.sign',
      'ctx.keys.sign',
      'ctx.self = victim',
      'defineProperty(ctx, self)',
      'ctx.__proto__ = { self }',
      'setPrototypeOf(ctx)',
      'patch prototype send',
      'patch prototype sign',
      'new ctx.constructor',
      'subclass ctx.constructor',
      'prototype.send.call(fake)',
      'ctx.durable.set = ...',
      'ctx.members().push',
      'ctx.props mutation',
      'send.caller',
    ])
      expect({ name, outcome: attempts[name] }).toEqual({ name, outcome: expect.stringMatching(REFUSED) });
    expect(attempts['Reflect.set(ctx, self)']).toBe('returned false');
    expect(attempts['Function.prototype.toString']).toBe('no error');
  }

  // Every probe that arrived came from the forger, and nothing reached the victim.
  for (const id of ['sink', 'far-sink']) {
    const got = (await ask(system, id, 'get')).body as [string, string, { attack: string }][];
    expect(got.map(([, , b]) => b.attack).sort()).toEqual(['after the attempts', 'stack frames']);
    expect(new Set(got.map(([from]) => from))).toEqual(new Set(['mallory']));
  }
  expect((await ask(system, 'victim', 'get')).body).toEqual([]);

  // The only signature the forger obtained is its own, not the victim's.
  await system.spawn('notary', ref('verifier'), on(1));
  const verify = async (signer: string, signature: string) => (await ask(system, 'notary', 'verify', { signer, data: FORGED_DATA, signature })).body;
  expect(Object.keys(report.signatures)).toEqual(['ctx.sign after the attempts']);
  const own = report.signatures['ctx.sign after the attempts'];
  expect(await verify('victim', own)).toBe(false);
  expect(await verify('mallory', own)).toBe(true);

  // A recipient cannot rewrite what it was sent: the body is frozen, so the other recipients of
  // the same body object read what the sender wrote (its own envelope object it may change: no
  // one else receives that object).
  await system.spawn('greeter', ref('greeter'), on(0));
  system.send('greeter', { kind: 'greet', body: ['mallory', 'sink'] });
  await system.settle();
  const tampered = (await ask(system, 'mallory', 'tampered')).body as Record<string, string>;
  expect(tampered).toEqual({ helloFrom: 'greeter', from: 'no error', body: expect.stringMatching(REFUSED), nested: expect.stringMatching(REFUSED) });
  const hello = ((await ask(system, 'sink', 'get')).body as [string, string, unknown][]).filter(([, kind]) => kind === 'hello');
  expect(hello).toEqual([['greeter', 'hello', { text: 'from the greeter', nested: { text: 'nested' } }]]);
}

describe('the context is a capability: no actor can speak or sign as another', () => {
  it('sim mode: every reflection on ctx is refused, and what it sends is its own', async () => {
    const system = await createSystem({ mode: 'sim', seed: 7 });
    await attack(system);
    await system.shutdown();
  });

  it('threads mode (Ed25519): the same, on a worker and across workers', async () => {
    const system = await createSystem({ mode: 'threads', workers: 2, signatures: 'ed25519' });
    try {
      await attack(system);
    } finally {
      await system.shutdown();
    }
  });
});

describe('a duplicated envelope', () => {
  it('arrives as the sender sent it, whatever the first recipient did to its copy', async () => {
    // Every envelope on every link is delivered twice; the forger rewrites `from` on the first.
    const system = await createSystem({ mode: 'sim', seed: 1, link: { latency: { kind: 'fixed', ms: 1 }, duplicateRate: 1 } });
    await system.spawn('mallory', ref('forger'));
    await system.spawn('greeter', ref('greeter'));
    system.send('greeter', { kind: 'greet', body: ['mallory'] });
    await system.settle();
    const tampered = (await ask(system, 'mallory', 'tampered')).body as Record<string, string>;
    const from = tampered.helloFrom.split(',');
    // Each hello twice (and the greeting that caused them may itself have come twice).
    expect(from.length % 2).toBe(0);
    expect(from.length).toBeGreaterThanOrEqual(2);
    expect(new Set(from)).toEqual(new Set(['greeter']));
    await system.shutdown();
  });
});

describe('an impersonating voter among honest ones', () => {
  // Before the context was a capability, one such voter (voting first in the others' names)
  // took decision quality to 45% and had every honest voter flagged Byzantine.
  for (const mode of ['sim', 'threads'] as const) {
    it(`${mode} mode: its votes count as its own, the honest majority decides every time`, async () => {
      const r = await runScenario(
        parseScenario(
          `
name: impersonation
mode: ${mode}
agents:
  - { role: researcher, count: 6, accuracy: 1 }
  - { role: mole, count: 1, behaviour: { module: ${JSON.stringify(module)}, export: impersonator } }
topology: mesh
consensus: { algorithm: simple_majority, voting_timeout: 2s }
task: { question: q, options: [A, B], truth: A, decisions: 20, in_flight: 4 }
`,
          'impersonation.yml',
        ),
        { seed: 3 },
      );
      expect(r.decisions.decided).toBe(20);
      expect(r.byOutcome).toEqual({ A: 20 });
      expect(r.quality).toBe(1);
      // It tried to vote as each of the 6 others in every decision: each attempt arrived as its
      // own repeated vote (a duplicate, or late once the vote had closed), never as another's.
      // Threads mode ends the run when the last vote closes, so the last repeats may still be on
      // their way (in flight or dead-lettered in the books) rather than refused.
      const repeats = r.refusedVotes.duplicate + r.refusedVotes.late;
      if (mode === 'sim') expect(repeats).toBe(20 * 6);
      else expect(repeats).toBeGreaterThan(0);
      expect(r.refusedVotes.stranger).toBe(0);
      expect(r.byzantineDetected.map((b) => b.agent).filter((a) => a.startsWith('researcher'))).toEqual([]);
      expect(r.safetyViolations).toEqual([]);
      expect(r.accountingImbalance).toBe(0);
    });
  }
});
