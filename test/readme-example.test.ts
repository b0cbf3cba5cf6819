import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('has a quick start of exactly the two commands, and its API example runs as printed', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/
      .exec(readme)![1]
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(quick).toEqual(['npm install && npm start', 'npm test']);
    const code = /## API in one screen\n\n```ts\n([\s\S]*?)```/
      .exec(readme)![1]
      .replace("from 'conclave'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`);
    const file = join(mkdtempSync(join(tmpdir(), 'conclave-readme-')), 'example.mts');
    writeFileSync(file, code);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 });
    expect(stdout).toContain('{ PostgreSQL: 2, MongoDB: 1 }');
    expect(stdout).toMatch(/sent: 5,\s+delivered: 5/);
  });
});
