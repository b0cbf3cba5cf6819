import { ConfigError } from '../errors.ts';
import type { StoreDb } from './open-store.ts';

/** The columns of a run row the store commands read. */
export interface RunRow {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly pid: number;
  readonly host: string;
  readonly name: string;
  readonly protocol: string;
  readonly mode: string | null;
  readonly agents: number | null;
  readonly detail_limit: number;
  readonly signed: number;
  readonly exit_code: number | null;
  readonly result: string | null;
  readonly error: string | null;
}

const COLUMNS = 'id, kind, status, started_at, ended_at, pid, host, name, protocol, mode, agents, detail_limit, signed, exit_code, result, error';

/**
 * Finds the run a user named: its full id, a prefix only one run starts with, or `last` (the
 * run started most recently). Anything else is refused with a {@link ConfigError} naming the
 * argument (`what`, e.g. `RUN`) and what to write instead: exit code 2 at the command line.
 *
 * @example
 * ```ts
 * const run = resolveRun(db, 'last');
 * const same = resolveRun(db, run.id.slice(0, 12));
 * ```
 */
export function resolveRun(db: StoreDb, ref: string, what = 'RUN'): RunRow {
  const given = ref.trim();
  if (given === '') throw new ConfigError(what, 'a run id, a unique prefix of one, or "last"', ref);
  if (given === 'last') {
    const row = db.prepare(`SELECT ${COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1`).get() as RunRow | undefined;
    if (!row) throw new ConfigError(what, 'a run id, but the store holds no run yet (run one with conclave run)', ref);
    return row;
  }
  const exact = db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(given) as RunRow | undefined;
  if (exact) return exact;
  // substr rather than LIKE: ids may hold '_' or '%' and LIKE is case-insensitive.
  const matches = db.prepare(`SELECT ${COLUMNS} FROM runs WHERE substr(id, 1, ?) = ? ORDER BY started_at DESC LIMIT 6`).all(given.length, given) as RunRow[];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const recent = (db.prepare('SELECT id FROM runs ORDER BY started_at DESC LIMIT 3').all() as { id: string }[]).map((r) => r.id);
    throw new ConfigError(what, `the id of a stored run, or a prefix of one, or "last" (no run id starts with it${recent.length > 0 ? `; the latest: ${recent.join(', ')}` : '; the store holds no run yet'})`, ref);
  }
  const shown = matches.slice(0, 5).map((r) => r.id).join(', ');
  throw new ConfigError(what, `a prefix that names one run (it is ambiguous: ${shown}${matches.length > 5 ? ', ...' : ''}; give more of the id)`, ref);
}

/**
 * Every run in the store, oldest first (what `audit verify` without a run goes through).
 *
 * @example
 * ```ts
 * for (const run of allRuns(db)) console.log(run.id, run.status);
 * ```
 */
export function allRuns(db: StoreDb): RunRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM runs ORDER BY started_at, rowid`).all() as RunRow[];
}
