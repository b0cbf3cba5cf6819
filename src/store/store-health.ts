import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keyDir } from './audit-keys.ts';
import { openStore } from './open-store.ts';

/** One health check's verdict: ok or not, why, and how long it took. */
export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was found (ok) or what is wrong and what to do (not ok). */
  readonly detail: string;
  readonly ms: number;
  /** Figures the check measured, for --json. */
  readonly figures?: Readonly<Record<string, number | string | boolean>>;
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/**
 * Checks the run store: it opens as a Conclave store, passes `PRAGMA integrity_check`, and its
 * figures (runs, runs still marked running, size with the WAL, whether the audit key is there).
 * A store not created yet is fine (the first run creates it).
 *
 * @example
 * ```ts
 * const check = storeHealth('.conclave/conclave.db'); // { name: 'store', ok: true, detail: 'integrity ok, 12 runs ...' }
 * ```
 */
export function storeHealth(file: string, now: () => number = () => performance.now()): HealthCheck {
  const start = now();
  const done = (ok: boolean, detail: string, figures?: HealthCheck['figures']): HealthCheck => ({ name: 'store', ok, detail, ms: now() - start, figures });
  if (!existsSync(file)) return done(true, `${file}: not created yet (the first recorded run creates it)`, { exists: false });
  let db;
  try {
    db = openStore(file, { readonly: true });
  } catch (e) {
    return done(false, (e as Error).message);
  }
  try {
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok')
      return done(
        false,
        `${file}: PRAGMA integrity_check found ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}. Copy what is readable elsewhere (sqlite3 ${file} .recover) and move the file aside.`,
      );
    const runs = (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
    const running = (db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'running'").get() as { n: number }).n;
    const bytes = size(file) + size(`${file}-wal`);
    const key = existsSync(join(keyDir(file), 'audit-ed25519.pem'));
    const mb = (bytes / 2 ** 20).toFixed(1);
    return done(
      true,
      `${file}: integrity ok, ${runs.toLocaleString('en-US')} runs (${running} marked running), ${mb} MB, audit key ${key ? 'present' : 'absent (created by the next signed run)'}`,
      { exists: true, runs, running, bytes, key },
    );
  } catch (e) {
    return done(false, `${file}: ${(e as Error).message}`);
  } finally {
    db.close();
  }
}
