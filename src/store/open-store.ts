import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { APPLICATION_ID, MIGRATIONS } from './migrations.ts';

/** An open store: the better-sqlite3 handle and the file it is on. */
export type StoreDb = Database.Database;

/** How long a writer waits for another process's write lock before failing (two runs at once share the file). */
const BUSY_TIMEOUT_MS = 10_000;

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Opens (creating if need be) the run store at `file`: WAL mode so that readers (`monitor`,
 * `show`) never block the run writing, a busy timeout so that two runs writing at once both
 * land, and the schema migrated to this Conclave's version. A file that is not a Conclave store
 * (not SQLite, another application's database, damaged, or from a newer Conclave) is refused
 * with a {@link StoreError} naming it; it is never written to.
 *
 * @example
 * ```ts
 * const db = openStore('.conclave/conclave.db');
 * const runs = db.prepare('SELECT id FROM runs').all();
 * db.close();
 * ```
 */
export function openStore(file: string, o: { readonly?: boolean } = {}): StoreDb {
  checkBeforeOpening(file, o.readonly ?? false);
  let db: StoreDb;
  try {
    db = new Database(file, { readonly: o.readonly ?? false, fileMustExist: o.readonly ?? false });
  } catch (e) {
    throw new StoreError(file, `cannot be opened (${(e as Error).message})`, 'Check the path and its permissions, or choose another with --store PATH.', {
      cause: e,
    });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // One read transaction: another process may be creating the schema right now, and reading
    // its application id before and its tables after would call our own store foreign.
    const { appId, version, tables } = whenUnlocked(() =>
      db.transaction(() => ({
        appId: db.pragma('application_id', { simple: true }) as number,
        version: db.pragma('user_version', { simple: true }) as number,
        tables: (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n,
      }))(),
    );
    if (appId !== APPLICATION_ID && !(appId === 0 && tables === 0)) {
      throw new StoreError(
        file,
        'is an SQLite database of another application, not a Conclave run store',
        'It was left untouched; choose another path with --store PATH (or CONCLAVE_STORE).',
      );
    }
    if (version > MIGRATIONS.length) {
      throw new StoreError(
        file,
        `was written by a newer Conclave (schema ${version}; this one knows up to ${MIGRATIONS.length})`,
        'Upgrade Conclave, or use another store with --store PATH.',
      );
    }
    if (!o.readonly) {
      whenUnlocked(() => {
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      });
      db.pragma('synchronous = NORMAL');
      migrate(db, version);
    }
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(
      file,
      `is damaged or not a database (${(e as Error).message})`,
      'It was left untouched; move it aside, or choose another path with --store PATH.',
      { cause: e },
    );
  }
}

/**
 * Runs `step`, again while another process holds the lock it needs, up to the busy timeout.
 * Switching a new file to WAL takes an exclusive lock and SQLite does not wait for it (the busy
 * handler is not asked), so two runs opening a new store at once would see "database is locked".
 */
function whenUnlocked<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return step();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/** Brings a store from `from` up to the newest schema, each step in its own transaction (another process may be doing the same: the write lock serialises them and the second sees the new version). */
function migrate(db: StoreDb, from: number): void {
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now > v) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * Refuses, before SQLite touches it, a file that is not SQLite at all (SQLite would call a text
 * file "not a database" only at the first query, and a zero-length file is a new database).
 */
function checkBeforeOpening(file: string, readonly: boolean): void {
  if (!existsSync(file)) {
    if (readonly)
      throw new StoreError(
        file,
        'does not exist: no run has been recorded here yet',
        'Run something first (conclave run), or point at the store with --store PATH.',
      );
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw new StoreError(
        file,
        `cannot be created: its directory cannot be made (${(e as Error).message})`,
        'Choose a writable path with --store PATH (or CONCLAVE_STORE), or --no-store to run without recording.',
        { cause: e },
      );
    }
    return;
  }
  const stat = statSync(file);
  if (stat.isDirectory()) throw new StoreError(file, 'is a directory', 'Give the path of a file, e.g. --store .conclave/conclave.db.');
  if (stat.size === 0) return;
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_HEADER) {
    throw new StoreError(
      file,
      'is not an SQLite database (its first bytes are not an SQLite header)',
      'It was left untouched; move it aside, or choose another path with --store PATH (or CONCLAVE_STORE).',
    );
  }
}
