import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystem } from '../src/index.ts';

/** A behaviour written as an ES module in TypeScript, as a user writes one: counts, answers `get`. */
const VOTER = `
export const counter = {
  init: (): number => 0,
  receive(n: number, env: { kind: string }, ctx: { reply(e: unknown, m: unknown): void }): number {
    if (env.kind === 'get') ctx.reply(env, { kind: 'count', body: n });
    return n + 1;
  },
};
`;

/** Writes the behaviour into a fresh folder, with the package.json given (or none). */
function userFolder(manifest: object | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-user-module-'));
  mkdirSync(join(dir, 'src'));
  if (manifest !== undefined) writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'src', 'counter.ts'), VOTER);
  return join(dir, 'src', 'counter.ts');
}

describe("a user's TypeScript behaviour module loads in a worker thread", () => {
  it.each([
    ["with no package.json above it (CommonJS by Node's rules)", undefined],
    ['under a package.json without "type"', { name: 'mine' }],
    ['under a package.json with "type": "module"', { type: 'module' }],
  ])('%s', async (_name, manifest) => {
    const module = userFolder(manifest);
    const system = await createSystem({ mode: 'threads', workers: 1 });
    try {
      await system.spawn('c', { module, export: 'counter' });
      system.send('c', { kind: 'x' });
      system.send('c', { kind: 'x' });
      const reply = await system.ask('c', { kind: 'get' }, { timeoutMs: 10_000 });
      expect(reply.body).toBe(2);
    } finally {
      await system.shutdown();
    }
  });
});
