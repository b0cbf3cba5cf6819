import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/actors/key-ring.ts';
import { ConfigError, createSystem, SimSystem, ThreadSystem, type ActorSystem, type Envelope, type SignatureScheme, type TraceEvent } from '../src/index.ts';
import type { Signed } from './fixtures/signers.ts';

const module = fileURLToPath(new URL('./fixtures/signers.ts', import.meta.url));
const signer = { module, export: 'signer' };
const verifier = { module, export: 'verifier' };

const DATA = 'prepare|view=3|seq=1042|digest=9f86d081884c7d659a2feaa0c55ad0';
const FORMAT: Record<SignatureScheme, RegExp> = { token: /^[0-9a-f]{16}$/, ed25519: /^[A-Za-z0-9+/]{86}==$/ };

interface Checked {
  genuine: boolean | string;
  again: boolean | string;
  ownLoneSurrogate: boolean | string;
  falsy: Record<string, boolean | string>;
  signNonString: string;
}

const ask = (system: ActorSystem, to: string, kind: string, body?: unknown): Promise<Envelope> => system.ask(to, { kind, body }, { timeoutMs: 10_000 });

/**
 * Two signers and a verifier (in threads mode: signers on worker 0, the verifier on worker 1):
 * the verifier checks a genuine signature and every tampered or malformed variant of it, and
 * verifies signed envelopes against their runtime-stamped sender.
 */
async function exercise(system: ActorSystem, scheme: SignatureScheme): Promise<void> {
  const threads = system.mode === 'threads';
  await system.spawn('alice', signer, threads ? { worker: 0 } : {});
  await system.spawn('mallory', signer, threads ? { worker: 0 } : {});
  await system.spawn('victor', verifier, threads ? { worker: 1 } : {});
  if (system instanceof ThreadSystem) expect(['alice', 'mallory', 'victor'].map((id) => system.workerOf(id))).toEqual([0, 0, 1]);

  const signed = (await ask(system, 'alice', 'sign', DATA)).body as Signed;
  expect(signed.data).toBe(DATA);
  expect(signed.signature).toMatch(FORMAT[scheme]);
  // Signing is a function of (actor, data): the same statement signed again is the same.
  expect(((await ask(system, 'alice', 'sign', DATA)).body as Signed).signature).toBe(signed.signature);
  // Mallory signing the same words makes a different signature, which is not Alice's.
  const forged = (await ask(system, 'mallory', 'sign', DATA)).body as Signed;
  expect(forged.signature).not.toBe(signed.signature);

  const checked = (await ask(system, 'victor', 'check', { signer: 'alice', data: DATA, signature: signed.signature, other: 'mallory' })).body as Checked;
  expect(checked.genuine).toBe(true);
  expect(checked.again).toBe(true);
  expect(checked.ownLoneSurrogate).toBe(true);
  expect(checked.signNonString).toBe('ConfigError');
  const expectedFalse = Object.fromEntries(Object.keys(checked.falsy).map((k) => [k, false]));
  expect(checked.falsy).toEqual(expectedFalse);
  if (scheme === 'ed25519') expect(Object.keys(checked.falsy)).toContain('non-canonical base64');
  const mallorysClaim = (await ask(system, 'victor', 'check', { signer: 'alice', data: DATA, signature: forged.signature, other: 'mallory' })).body as Checked;
  expect(mallorysClaim.genuine).toBe(false);
  expect(mallorysClaim.falsy['claimed by another actor']).toBe(true); // it is Mallory's own signature

  // Actor to actor: the receiver verifies against the envelope's runtime-stamped sender.
  system.send('alice', { kind: 'send-signed', body: { to: 'victor', data: 'commit|1042' } });
  system.send('mallory', { kind: 'send-signed', body: { to: 'victor', data: 'commit|1043' } });
  await system.settle();
  const received = (await ask(system, 'victor', 'get')).body as [string, string, boolean][];
  expect([...received].sort()).toEqual([
    ['alice', 'commit|1042', true],
    ['mallory', 'commit|1043', true],
  ]);

  const result = await system.shutdown();
  expect(result.signatures).toBe(scheme);
  expect(result.accountingImbalance).toBe(0);
}

describe('ctx.sign / ctx.verify', () => {
  it('sim mode signs with tokens by default', async () => {
    const sim = await createSystem({ mode: 'sim', seed: 3 });
    expect((sim as SimSystem).signatures).toBe('token');
    await exercise(sim, 'token');
  });

  it('sim mode signs with Ed25519 when asked', async () => {
    await exercise(await createSystem({ mode: 'sim', seed: 3, signatures: 'ed25519' }), 'ed25519');
  });

  it('threads mode signs with Ed25519 by default, and a signature made on one worker verifies on another', async () => {
    const threads = await createSystem({ mode: 'threads', workers: 2 });
    expect((threads as ThreadSystem).signatures).toBe('ed25519');
    await exercise(threads, 'ed25519');
  });

  it('threads mode signs with tokens when asked', async () => {
    await exercise(await createSystem({ mode: 'threads', workers: 2, signatures: 'token' }), 'token');
  });

  it('sim signatures are a function of the seed: same seed, same signatures and same trace', async () => {
    const run = async (seed: number, signatures?: SignatureScheme) => {
      const sim = new SimSystem({ seed, signatures, traceLevel: 'full', keepTrace: true });
      await sim.spawn('alice', signer);
      await sim.spawn('bob', signer);
      const sigs: string[] = [];
      for (const [who, data] of [
        ['alice', DATA],
        ['bob', DATA],
        ['alice', 'view-change|4'],
      ]) {
        sigs.push(((await ask(sim, who, 'sign', data)).body as Signed).signature);
      }
      const emitted = sim.recorder.events.filter((e: TraceEvent) => e.type === 'emit').length;
      const result = await sim.shutdown();
      return { sigs, traceHash: result.traceHash, emitted, scheme: result.signatures };
    };
    const a = await run(11);
    const b = await run(11);
    expect(a.scheme).toBe('token');
    expect(a.emitted).toBe(3); // the signatures are in the trace the hash covers
    expect(b.sigs).toEqual(a.sigs);
    expect(b.traceHash).toBe(a.traceHash);
    const c = await run(12);
    expect(c.sigs.every((s, i) => s !== a.sigs[i])).toBe(true);
    expect(c.traceHash).not.toBe(a.traceHash);
    // Ed25519 signatures are deterministic too.
    const e1 = await run(11, 'ed25519');
    const e2 = await run(11, 'ed25519');
    expect(e2.sigs).toEqual(e1.sigs);
    expect(e2.traceHash).toBe(e1.traceHash);
    expect(e1.scheme).toBe('ed25519');
  });

  it('threads mode draws a fresh secret per run: keys differ between runs', async () => {
    const sigOf = async () => {
      const sys = await ThreadSystem.start({ workers: 1 });
      await sys.spawn('alice', signer);
      const s = ((await ask(sys, 'alice', 'sign', DATA)).body as Signed).signature;
      await sys.shutdown();
      return s;
    };
    expect(await sigOf()).not.toBe(await sigOf());
  });

  it('rejects an unknown scheme', async () => {
    await expect(createSystem({ mode: 'sim', signatures: 'rsa' as SignatureScheme })).rejects.toThrow(ConfigError);
    await expect(createSystem({ mode: 'threads', workers: 1, signatures: 'rsa' as SignatureScheme })).rejects.toThrow(/signatures/);
  });
});

describe('KeyRing', () => {
  for (const scheme of ['token', 'ed25519'] as const) {
    it(`${scheme}: verifies what it signed, for the signer only, and survives re-verification`, () => {
      const ring = new KeyRing(scheme, 'secret');
      const other = new KeyRing(scheme, 'another secret');
      const sig = ring.sign('r1', DATA);
      for (let i = 0; i < 3; i++) expect(ring.verify('r1', DATA, sig)).toBe(true);
      expect(ring.verify('r2', DATA, sig)).toBe(false);
      expect(other.verify('r1', DATA, sig)).toBe(false);
      expect(new KeyRing(scheme, 'secret').verify('r1', DATA, sig)).toBe(true);
      // A remembered verification is exact: nothing near it passes.
      expect(ring.verify('r1', `${DATA} `, sig)).toBe(false);
      expect(ring.verify('r11', DATA, sig)).toBe(false);
      expect(ring.verify('r1', DATA, sig.replace(/.$/, sig.endsWith('0') ? '1' : '0'))).toBe(false);
      expect(ring.sign('r1', '')).toMatch(FORMAT[scheme]);
      expect(ring.verify('r1', '', ring.sign('r1', ''))).toBe(true);
    });
  }

  it('token signatures are spread: no collisions over many near-identical statements', () => {
    const ring = new KeyRing('token', 'secret');
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) seen.add(ring.sign('r1', `prepare|view=0|seq=${i}`));
    for (let i = 0; i < 1_000; i++) seen.add(ring.sign(`r${i}`, 'prepare|view=0|seq=0'));
    expect(seen.size).toBe(51_000 - 1); // r1 signing seq=0 appears in both loops
  });
});
