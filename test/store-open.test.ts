import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../src/errors.ts';
import { openStore, storePath } from '../src/store/index.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'conclave-store-'));

describe('opening the run store', () => {
  it('creates the file and its directory, in WAL mode, at the newest schema', () => {
    const file = join(dir(), 'nested', 'conclave.db');
    const db = openStore(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a text file at the store path, naming it, and leaves it untouched', () => {
    const file = join(dir(), 'notes.txt');
    writeFileSync(file, 'my notes, not a database\n');
    expect(() => openStore(file)).toThrow(StoreError);
    expect(() => openStore(file)).toThrow(/notes\.txt: is not an SQLite database.*--store PATH/);
    expect(readFileSync(file, 'utf8')).toBe('my notes, not a database\n');
  });

  it("refuses another application's SQLite database without writing to it", () => {
    const file = join(dir(), 'other.db');
    const other = new Database(file);
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    const before = readFileSync(file);
    expect(() => openStore(file)).toThrow(/other\.db: is an SQLite database of another application/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a store written by a newer Conclave', () => {
    const file = join(dir(), 'conclave.db');
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openStore(file)).toThrow(/written by a newer Conclave/);
  });

  it('a store path whose directory cannot be made is refused by name, with what to do', () => {
    const d = dir();
    writeFileSync(join(d, 'plain-file'), 'x');
    expect(() => openStore(join(d, 'plain-file', 'conclave.db'))).toThrow(
      /plain-file\/conclave\.db: cannot be created: its directory cannot be made .*--no-store/,
    );
  });

  it('refuses a directory, and a missing store when only reading', () => {
    const d = dir();
    mkdirSync(join(d, 'conclave.db'));
    expect(() => openStore(join(d, 'conclave.db'))).toThrow(/is a directory/);
    expect(() => openStore(join(d, 'absent.db'), { readonly: true })).toThrow(/does not exist: no run has been recorded here yet/);
  });

  it('resolves --store, then CONCLAVE_STORE, then .conclave/conclave.db under the directory; --no-store and off mean none', () => {
    expect(storePath({ store: 'x.db' }, { CONCLAVE_STORE: '/e.db' }, '/w')).toBe('/w/x.db');
    expect(storePath({}, { CONCLAVE_STORE: '/e.db' }, '/w')).toBe('/e.db');
    expect(storePath({}, {}, '/w')).toBe('/w/.conclave/conclave.db');
    expect(storePath({ store: false }, {}, '/w')).toBeUndefined();
    expect(storePath({}, { CONCLAVE_STORE: 'off' }, '/w')).toBeUndefined();
  });

  it('conclave run with a text file as its store: exit 2, the file named, no stack trace, the file untouched', () => {
    const file = join(dir(), 'notes.txt');
    writeFileSync(file, 'keep me\n');
    const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'run', '--store', file, '--timeline', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`Run store ${file}: is not an SQLite database`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('six processes opening a new store at the same instant all get it, one schema and one audit key', async () => {
    const d = dir();
    const file = join(d, 'conclave.db');
    const go = join(d, 'go');
    const child = fileURLToPath(new URL('./fixtures/open-store-child.ts', import.meta.url));
    const children = Array.from({ length: 6 }, () => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, file, go], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) =>
        p.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('ready')) resolve();
        }),
      );
      const done = new Promise<{ code: number | null; out: string }>((resolve) => p.on('exit', (code) => resolve({ code, out })));
      return { ready, done };
    });
    // Every process waits at the go file; then they all open the new store at once.
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const results = await Promise.all(children.map((c) => c.done));
    expect(results.map((r) => [r.code, /error .*/.exec(r.out)?.[0]])).toEqual(Array(6).fill([0, undefined]));
    const keys = new Set(results.map((r) => /key (\w+)/.exec(r.out)![1]));
    expect(keys.size).toBe(1);
    const db = openStore(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(6);
    db.close();
  }, 60_000);
});
