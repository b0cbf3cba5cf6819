import { ConfigError } from '../errors.ts';
import { countRuns, listing, listRuns, type RunStatus } from '../store/queries.ts';
import { bold, dim, green, int, red, yellow } from '../text/format.ts';
import { EXIT_OK } from './exit-codes.ts';
import { checkKind, checkLimit, parseSince, utc, withStore, type StoreFilterOptions } from './store-read.ts';

/**
 * Options of `conclave runs`.
 *
 * @example
 * ```ts
 * runsCommand({ limit: 5, protocol: 'raft', store: '/tmp/s.db' }, console.log);
 * ```
 */
export interface RunsCommandOptions extends StoreFilterOptions {
  readonly limit?: number;
}

/**
 * How a run's status reads in a table: completed green, interrupted yellow, failed ones red.
 *
 * @example
 * ```ts
 * statusText('interrupted'); // 'interrupted' (yellow on a terminal)
 * ```
 */
export function statusText(s: RunStatus): string {
  return s === 'completed' ? green(s) : s === 'running' ? bold(s) : s === 'interrupted' ? yellow(s) : red(s);
}

/**
 * `conclave runs`: the stored runs, newest first (id, when, kind, name, protocol, mode, agents,
 * decisions decided/attempted, status, exit code), or with `--json` as an array. Returns the exit
 * code; bad input throws a ConclaveError (exit 2).
 *
 * @example
 * ```ts
 * process.exitCode = runsCommand({ limit: 20 }, (l) => console.log(l));
 * ```
 */
export function runsCommand(opts: RunsCommandOptions, out: (line: string) => void): number {
  checkLimit('--limit', opts.limit);
  checkKind(opts.kind);
  const since = opts.since !== undefined ? parseSince(opts.since, opts.now) : undefined;
  return withStore(opts.store, (db, file) => {
    const limit = opts.limit ?? 20;
    const runs = listRuns(db, { protocol: opts.protocol, since, kind: opts.kind, limit });
    if (opts.json) {
      out(JSON.stringify(runs.map(listing), null, 2));
      return EXIT_OK;
    }
    const total = countRuns(db);
    if (runs.length === 0) {
      const filters = [opts.protocol && `protocol ${opts.protocol}`, opts.kind && `kind ${opts.kind}`, opts.since && `since ${opts.since}`]
        .filter(Boolean)
        .join(', ');
      out(
        total === 0
          ? `No run has been recorded in ${file} yet: conclave run SCENARIO records one.`
          : `None of the ${int(total)} stored runs matches ${filters}.`,
      );
      return EXIT_OK;
    }
    const rows = runs.map((r) => [
      r.id,
      utc(r.startedAt),
      r.kind,
      r.name,
      r.protocol,
      r.mode ?? '-',
      r.agents === null ? '-' : String(r.agents),
      r.attempted === null ? '-' : `${int(r.decided ?? 0)}/${int(r.attempted)}`,
      r.status,
      r.exitCode === null ? '-' : String(r.exitCode),
    ]);
    const head = ['id', 'started (UTC)', 'kind', 'name', 'protocol', 'mode', 'agents', 'decided', 'status', 'exit'];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const right = new Set([6, 7, 9]);
    const line = (cells: string[], colour = (i: number, s: string) => s) =>
      `  ${cells.map((c, i) => colour(i, right.has(i) ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ')}`.trimEnd();
    out(dim(line(head)));
    runs.forEach((r, k) => out(line(rows[k]!, (i, s) => (i === 8 ? s.replace(r.status, statusText(r.status)) : i === 0 ? bold(s) : s))));
    const more = total > runs.length ? ` of ${int(total)} stored` : '';
    out(dim(`\n  ${int(runs.length)} run${runs.length === 1 ? '' : 's'}${more} in ${file} · conclave show ID (or a unique prefix, or last)`));
    return EXIT_OK;
  });
}
