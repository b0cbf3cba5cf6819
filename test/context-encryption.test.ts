import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSystem, ThreadSystem, type ActorSystem } from '../src/index.ts';

const sealer = { module: fileURLToPath(new URL('./fixtures/sealers.ts', import.meta.url)), export: 'sealer' };
const TEXT = '{"decision":"d7","vote":{"agent":"alice","decision":"PostgreSQL"}}';

const ask = async (system: ActorSystem, to: string, kind: string, body: unknown) => (await system.ask(to, { kind, body }, { timeoutMs: 10_000 })).body;

describe('ctx.encryptFor / ctx.decryptFrom: the runtime holds the keys', () => {
  for (const mode of ['sim', 'threads'] as const) {
    it(`only the recipient reads it, and only as from its sender; keys agree across workers (${mode})`, async () => {
      const system = await createSystem(mode === 'sim' ? { mode, seed: 9 } : { mode, workers: 2 });
      try {
        await system.spawn('alice', sealer, mode === 'threads' ? { worker: 0 } : {});
        await system.spawn('mallory', sealer, mode === 'threads' ? { worker: 0 } : {});
        await system.spawn('bob', sealer, mode === 'threads' ? { worker: 1 } : {});
        if (system instanceof ThreadSystem) expect(['alice', 'mallory', 'bob'].map((id) => system.workerOf(id))).toEqual([0, 0, 1]);
        const box = (await ask(system, 'alice', 'seal', { to: 'bob', text: TEXT })) as string;
        expect(box).not.toContain('PostgreSQL');
        expect(await ask(system, 'bob', 'open', { from: 'alice', box })).toBe(TEXT);
        // Mallory, on alice's worker, holding the box: nothing, whoever she says sent it.
        expect(await ask(system, 'mallory', 'open', { from: 'alice', box })).toBeNull();
        expect(await ask(system, 'mallory', 'open', { from: 'bob', box })).toBeNull();
        // Bob told it is mallory's; alice reading her own box back: nothing.
        expect(await ask(system, 'bob', 'open', { from: 'mallory', box })).toBeNull();
        expect(await ask(system, 'alice', 'open', { from: 'alice', box })).toBeNull();
        // What mallory encrypts for bob, claiming nothing, reads as mallory's, not alice's.
        const hers = (await ask(system, 'mallory', 'seal', { to: 'bob', text: TEXT })) as string;
        expect(await ask(system, 'bob', 'open', { from: 'alice', box: hers })).toBeNull();
        expect(await ask(system, 'bob', 'open', { from: 'mallory', box: hers })).toBe(TEXT);
      } finally {
        await system.shutdown();
      }
    }, 60_000);
  }
});
