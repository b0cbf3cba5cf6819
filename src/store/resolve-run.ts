import { StoreError } from '../errors.ts';
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
 * The id of the run a user named: its full id, a prefix only one run starts with, or `last`
 * (`latest`: the run started most recently). Anything else is refused with a {@link StoreError}
 * naming the store and the argument: an unknown id says how many runs the store holds and the
 * newest ids, an ambiguous prefix lists its matches (exit code 2 at the command line). The one
 * place `show`, `stats`, `monitor`, `audit` and `approve` resolve a run.
 *
 * @example
 * ```ts
 * const id = findRunId(db, '.conclave/conclave.db', 'last');
 * ```
 */
export function findRunId(db: StoreDb, file: string, ref: string): string {
  const given = ref.trim();
  const newest = (limit: number) =>
    db.prepare('SELECT id, name FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as { id: string; name: string }[];
  const total = (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  if (given === 'last' || given === 'latest') {
    const [run] = newest(1);
    if (!run)
      throw new StoreError(
        file,
        'holds no run yet, so there is no last one',
        'Run something first (conclave run SCENARIO), or point at another store with --store PATH.',
      );
    return run.id;
  }
  if (given !== '' && db.prepare('SELECT 1 FROM runs WHERE id = ?').get(given)) return given;
  // substr, not LIKE: LIKE is case-insensitive and takes '_' and '%' as wildcards.
  const matches =
    given === ''
      ? []
      : (db.prepare('SELECT id, name FROM runs WHERE substr(id, 1, ?) = ? ORDER BY started_at DESC, id DESC LIMIT 11').all(given.length, given) as {
          id: string;
          name: string;
        }[]);
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) {
    const shown = matches
      .slice(0, 10)
      .map((m) => `${m.id} (${m.name})`)
      .join(', ');
    throw new StoreError(
      file,
      `run "${ref}" is ambiguous: ${matches.length > 10 ? 'more than 10' : matches.length} run ids begin with it: ${shown}${matches.length > 10 ? ', ...' : ''}`,
      'Give more of the id.',
    );
  }
  if (total === 0)
    throw new StoreError(
      file,
      `has no run "${ref}": it holds no run yet`,
      'Run something first (conclave run SCENARIO), or point at another store with --store PATH.',
    );
  const recent = newest(5)
    .map((r) => `${r.id} (${r.name})`)
    .join(', ');
  throw new StoreError(
    file,
    `has no run "${ref}": it holds ${total} run${total === 1 ? '' : 's'}, the most recent ${recent}`,
    'Give one of these ids (or a unique prefix, or last); conclave runs lists them all.',
  );
}

/**
 * The run a user named (see {@link findRunId}), with the columns the operations commands read.
 *
 * @example
 * ```ts
 * const run = resolveRun(db, '.conclave/conclave.db', 'last');
 * ```
 */
export function resolveRun(db: StoreDb, file: string, ref: string): RunRow {
  return db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(findRunId(db, file, ref)) as RunRow;
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
