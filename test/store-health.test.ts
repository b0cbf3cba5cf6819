import { mkdtempSync, openSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { healthCommand } from '../src/cli/health-command.ts';
import { openStore } from '../src/store/open-store.ts';
import { storeHealth } from '../src/store/store-health.ts';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const dir = () => mkdtempSync(join(tmpdir(), 'conclave-health-'));

/** A store with a table big enough to span many pages. */
function filledStore(): string {
  const file = join(dir(), 'conclave.db');
  const db = openStore(file);
  const insert = db.prepare("INSERT INTO events (run_id, t, kind, actor, detail) VALUES ('r', ?, 'alert', NULL, ?)");
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(i, `detail ${i} ${'x'.repeat(100)}`);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

describe('conclave health', () => {
  it('passes a sound store, worker threads that answer, and 3-node votes in sim and threads mode', async () => {
    const lines: string[] = [];
    const code = await healthCommand({ store: filledStore(), connectivityTest: true }, (l) => lines.push(plain(l)));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ok {4}store \(.*\): .*conclave\.db: integrity ok, 0 runs \(0 marked running\), [\d.]+ MB, audit key absent/);
    expect(lines[1]).toMatch(/^ok {4}worker threads \(.*\): 2 workers started in \d+ ms; an actor on each answered \(round trips [\d.]+ ms, [\d.]+ ms\)$/);
    expect(lines[2]).toMatch(/^ok {4}3-node sim round trip \(.*\): 20 decisions closed by 3 agents, [\d,]+ messages delivered, books balance$/);
    expect(lines[3]).toMatch(/^ok {4}3-node threads round trip \(.*\): 20 decisions closed by 3 agents/);
    expect(lines[4]).toBe('healthy: 4 of 4 checks ok');
    expect(code).toBe(0);
  }, 120_000);

  it('fails a damaged store with why, and a store that is not one', () => {
    const file = filledStore();
    // Overwrite pages in the middle of the file (the header stays valid).
    const fd = openSync(file, 'r+');
    const garbage = Buffer.alloc(4096 * 4, 0xa5);
    writeSync(fd, garbage, 0, garbage.length, Math.floor(statSync(file).size / 2 / 4096) * 4096);
    closeSync(fd);
    const damaged = storeHealth(file);
    expect(damaged.ok).toBe(false);
    expect(damaged.detail).toMatch(/integrity_check found|malformed|damaged/);
    const text = join(dir(), 'notes.db');
    writeFileSync(text, 'not a database');
    expect(storeHealth(text)).toMatchObject({ ok: false, detail: expect.stringMatching(/notes\.db: is not an SQLite database/) });
    expect(storeHealth(join(dir(), 'none.db'))).toMatchObject({ ok: true, detail: expect.stringMatching(/not created yet/) });
  });

  it('says FAIL and why when a check fails, and exits 1', async () => {
    const lines: string[] = [];
    const code = await healthCommand({ store: join(dir(), 'none.db') }, (l) => lines.push(plain(l)), {
      threads: async () => ({ name: 'worker threads', ok: false, detail: 'no answer within 30 s', ms: 30_000 }),
    });
    expect(code).toBe(1);
    expect(lines[1]).toBe('FAIL  worker threads (30.00 s): no answer within 30 s');
    expect(lines.at(-1)).toBe('NOT healthy: 1 of 2 checks failed');
  });

  it('prints the checks as JSON', async () => {
    const lines: string[] = [];
    await healthCommand({ store: join(dir(), 'none.db'), json: true }, (l) => lines.push(l), {
      threads: async () => ({ name: 'worker threads', ok: true, detail: 'fine', ms: 1 }),
    });
    expect(JSON.parse(lines.join('\n'))).toMatchObject({
      ok: true,
      checks: [
        { name: 'store', ok: true },
        { name: 'worker threads', ok: true },
      ],
    });
  });
});
