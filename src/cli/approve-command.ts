import { userInfo } from 'node:os';
import { ConfigError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';
import { effectiveStatus } from '../store/queries.ts';
import { resolveRun } from '../store/resolve-run.ts';
import { green } from '../text/format.ts';
import { EXIT_OK } from './exit-codes.ts';

/** Options of `conclave approve`. */
export interface ApproveOptions {
  /** The store file (resolved by the CLI). */
  readonly store: string;
  /** Answer "reject" instead of "approve". */
  readonly reject?: boolean;
  /** Who answers (default: this machine's user name). */
  readonly by?: string;
  /** Wall clock (epoch ms) stamped on the answer (default Date.now). */
  readonly now?: () => number;
}

/**
 * `conclave approve RUN DECISION [--reject] [--by NAME]`: records a person's answer to a
 * decision held for human oversight, in the store's `approvals` table, where the waiting run's
 * hook reads it. A decision is answered once: a second answer is refused, naming the first.
 * Returns 0; bad input (unknown run, empty decision, a second answer) throws a ConclaveError
 * (exit code 2).
 *
 * @example
 * ```ts
 * approveCommand('last', 'd7', { store: '.conclave/conclave.db', by: 'alice' }, console.log);
 * ```
 */
export function approveCommand(ref: string, decision: string, opts: ApproveOptions, out: (line: string) => void): number {
  if (decision.trim() === '')
    throw new ConfigError('DECISION', "the id of the decision to answer (as the run's oversight request names it, e.g. d7)", decision);
  const by = opts.by ?? safeUser();
  if (by.trim() === '') throw new ConfigError('--by', 'a name', opts.by);
  const verdict = opts.reject ? 'reject' : 'approve';
  const db = openStore(opts.store);
  try {
    const run = resolveRun(db, opts.store, ref);
    // Only a run in progress reads answers (its oversight hook polls the store); one that ended
    // or whose process is gone never will, and an answer recorded for it would mislead an audit.
    const status = effectiveStatus(run.status, run.pid, run.host);
    if (status !== 'running') throw new ConfigError('RUN', 'a run in progress (an ended run holds no decision for oversight)', `${run.id} (${status})`);
    const earlier = db.prepare('SELECT verdict, by, at FROM approvals WHERE run_id = ? AND decision = ?').get(run.id, decision) as
      | { verdict: string; by: string; at: number }
      | undefined;
    const first = (e: { verdict: string; by: string; at: number }) =>
      `a decision not answered yet (${decision} of run ${run.id} was already answered "${e.verdict}" by ${e.by} at ${new Date(e.at).toISOString()}; an answer is final)`;
    if (earlier) throw new ConfigError('DECISION', first(earlier), decision);
    try {
      db.prepare('INSERT INTO approvals (run_id, decision, verdict, by, at) VALUES (?, ?, ?, ?, ?)').run(
        run.id,
        decision,
        verdict,
        by,
        (opts.now ?? Date.now)(),
      );
    } catch (e) {
      // Two answers at once: the other one landed first.
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const other = db.prepare('SELECT verdict, by, at FROM approvals WHERE run_id = ? AND decision = ?').get(run.id, decision) as {
          verdict: string;
          by: string;
          at: number;
        };
        throw new ConfigError('DECISION', first(other), decision);
      }
      throw e;
    }
    out(green(`${verdict === 'approve' ? 'approved' : 'rejected'}: decision ${decision} of run ${run.id}, by ${by}`));
    return EXIT_OK;
  } finally {
    db.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
