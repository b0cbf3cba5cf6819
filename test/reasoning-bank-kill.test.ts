import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readArms, readPattern, readTrajectories } from '../src/reasoning-bank/index.ts';
import { openStore } from '../src/store/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('ReasoningBank persistence', () => {
  it('kill -9 right after records were reported stored: every reported record is in the store', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'conclave-bank-kill-')), 'bank.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/bank-recorder.ts', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let reported = 0;
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) reported = Math.max(reported, Number(/^stored (\d+)$/.exec(l)?.[1] ?? 0));
        if (reported >= 300 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    const db = openStore(file, { readonly: true });
    const p = readPattern(db, 'reasoning-bank/pattern/kill-test')!;
    // Records after the last line we read may also have landed; none we were told of is missing,
    // and the pattern, its arms and its trajectories agree (each record was one transaction).
    expect(p.uses).toBeGreaterThanOrEqual(reported);
    expect(readArms(db, p.key, 1).reduce((s, a) => s + a.uses, 0)).toBe(p.uses);
    expect(readTrajectories(db, p.key, 1_000_000)).toHaveLength(p.uses);
    expect(p.successes).toBe(p.uses - Math.floor(p.uses / 3));
    db.close();
  });
});
