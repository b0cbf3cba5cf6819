import { createWriteStream } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { exportRunAudit, type AuditExportFormat } from '../store/audit-export.ts';
import { verificationKey, verifyRun, type RunAudit } from '../store/audit-verify.ts';
import { openStore } from '../store/open-store.ts';
import { allRuns, resolveRun } from '../store/resolve-run.ts';
import { green, int, red, yellow } from '../text/format.ts';
import { EXIT_OK, EXIT_SAFETY } from './exit-codes.ts';

/** Findings listed under a tampered run's verdict, at most (the first is the verdict). */
const FINDINGS_SHOWN = 5;

/** Options of `conclave audit verify`. */
export interface AuditVerifyOptions {
  /** The store file (resolved by the CLI). */
  readonly store: string;
  readonly json?: boolean;
}

/**
 * `conclave audit verify [RUN]`: checks one run's audit chain (or every run's) and prints a
 * verdict line per run. Returns 0 when every run checked is intact, 1 when one was tampered with
 * or its signatures could not be checked; bad input (an unknown run, no store) throws a
 * ConclaveError (exit code 2).
 *
 * @example
 * ```ts
 * process.exitCode = auditVerifyCommand('last', { store: '.conclave/conclave.db' }, console.log);
 * ```
 */
export function auditVerifyCommand(ref: string | undefined, opts: AuditVerifyOptions, out: (line: string) => void): number {
  const db = openStore(opts.store, { readonly: true });
  try {
    const runs = ref === undefined ? allRuns(db) : [resolveRun(db, opts.store, ref)];
    const keyInfo = verificationKey(opts.store);
    const audits = runs.map((r) => verifyRun(db, r, keyInfo));
    if (opts.json) out(JSON.stringify(ref === undefined ? { store: opts.store, runs: audits } : audits[0], null, 2));
    else {
      if (audits.length === 0) out(`no run in ${opts.store} yet: nothing to verify`);
      for (const a of audits) for (const line of verdictLines(a)) out(line);
      if (audits.length > 1) {
        const bad = audits.filter((a) => a.status !== 'intact').length;
        out(bad === 0 ? green(`${int(audits.length)} runs, all intact`) : red(`${int(bad)} of ${int(audits.length)} runs NOT intact`));
      }
    }
    return audits.every((a) => a.status === 'intact') ? EXIT_OK : EXIT_SAFETY;
  } finally {
    db.close();
  }
}

/**
 * A run's verdict for people: one line, then (tampered) the first findings indented.
 *
 * @example
 * ```ts
 * verdictLines(audit); // ['run 2026...: 20,000 decisions, chain intact, 81 checkpoints signed by key 865f66d5034a0a3f']
 * ```
 */
export function verdictLines(a: RunAudit): string[] {
  const decisions = `${int(a.decisions)} decision${a.decisions === 1 ? '' : 's'}${a.aggregated > 0 ? ` (and ${int(a.aggregated)} more kept as aggregates, not chained)` : ''}`;
  const cps = `${int(a.checkpoints)} checkpoint${a.checkpoints === 1 ? '' : 's'}`;
  const running =
    a.runStatus !== 'running'
      ? ''
      : a.processGone
        ? ' (marked running, but its process is gone (killed?): checked as far as it stored)'
        : ' (still running: checked as far as stored)';
  if (a.status === 'tampered') {
    const [first, ...rest] = a.findings;
    const lines = [red(`run ${a.runId}: TAMPERED: ${first!.text}`)];
    for (const f of rest.slice(0, FINDINGS_SHOWN - 1)) lines.push(`  also: ${f.text}`);
    if (rest.length > FINDINGS_SHOWN - 1) lines.push(`  and ${int(rest.length - (FINDINGS_SHOWN - 1))} more findings (--json lists them all)`);
    return lines;
  }
  if (a.status === 'unverified') {
    return [
      yellow(
        `run ${a.runId}: ${decisions}, chain intact, but the signatures of its ${cps} were NOT checked: ${a.unchecked}${running}. Restore the key file to check them.`,
      ),
    ];
  }
  if (!a.signed) return [green(`run ${a.runId}: ${decisions}, chain intact, ${cps} (recorded unsigned: no signature to check)${running}`)];
  const keys = a.keyIds.length === 0 ? '' : ` by key ${a.keyIds.join(', ')}`;
  return [green(`run ${a.runId}: ${decisions}, chain intact, ${cps} signed${keys}${running}`)];
}

/** Options of `conclave audit export`. */
export interface AuditExportOptions {
  readonly store: string;
  readonly format?: string;
  /** A file to write (default: stdout). */
  readonly output?: string;
}

/**
 * `conclave audit export RUN --format jsonl|csv [--output F]`: every decision record with its
 * votes and hashes, and every checkpoint, for an auditor to re-verify. Returns 0; bad input
 * throws a ConclaveError (exit code 2).
 *
 * @example
 * ```ts
 * await auditExportCommand('last', { store, format: 'csv', output: 'audit.csv' }, console.log);
 * ```
 */
export async function auditExportCommand(
  ref: string,
  opts: AuditExportOptions,
  out: (line: string) => void,
  info: (line: string) => void = () => undefined,
): Promise<number> {
  const format = (opts.format ?? 'jsonl') as AuditExportFormat;
  if (format !== 'jsonl' && format !== 'csv') throw new ConfigError('--format', '"jsonl" or "csv"', opts.format);
  const db = openStore(opts.store, { readonly: true });
  try {
    const run = resolveRun(db, opts.store, ref);
    const { key } = verificationKey(opts.store);
    if (opts.output === undefined) {
      exportRunAudit(db, run, format, key, out);
      return EXIT_OK;
    }
    const stream = createWriteStream(opts.output);
    const failed = new Promise<never>((_, reject) =>
      stream.on('error', (e) => reject(new ConfigError('--output', `a file that can be written (${e.message})`, opts.output))),
    );
    failed.catch(() => undefined);
    const n = exportRunAudit(db, run, format, key, (line) => stream.write(`${line}\n`));
    await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
    info(`wrote ${int(n.decisions)} decisions and ${int(n.checkpoints)} checkpoints of run ${run.id} to ${opts.output} (${format})`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}
