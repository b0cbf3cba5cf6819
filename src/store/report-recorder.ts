import { auditKey } from './audit-keys.ts';
import { openStore, type StoreDb } from './open-store.ts';
import { insertRun, type RunStart } from './run-row.ts';
import { RunWriter, type RunEnd } from './writer-core.ts';
import { FLUSH_EVERY_MS } from './store-limits.ts';

/**
 * Records a command whose outcome is a report rather than a stream of decisions (a stress
 * campaign, a benchmark): a `running` row at the start, a progress row as its runs finish (runs
 * done as `closed`, runs planned as `opened`), and the report with its findings at the end.
 * Writes are few and small, so they go straight to the store from this thread.
 *
 * @example
 * ```ts
 * const rec = ReportRecorder.start(file, { kind: 'stress', name: 'stress raft', protocol: 'raft', detailLimit: 0, signed: true });
 * rec.progress(10, 100);
 * rec.finish({ status: 'completed', exitCode: 0, result: JSON.stringify(report) });
 * ```
 */
export class ReportRecorder {
  private readonly progressRow;
  private lastProgress = 0;
  private constructor(
    readonly id: string,
    readonly file: string,
    private readonly db: StoreDb,
    private readonly writer: RunWriter,
  ) {
    this.progressRow = db.prepare(
      'INSERT INTO progress (run_id, at, t, opened, closed, decided, votes, latency_sum, latency_max) VALUES (?, ?, NULL, ?, ?, ?, 0, 0, 0)',
    );
  }

  /** Opens the store (refusing a foreign or damaged file before anything runs) and records the command as running. */
  static start(file: string, run: RunStart): ReportRecorder {
    const db = openStore(file);
    try {
      const key = run.signed ? auditKey(file) : undefined;
      const id = insertRun(db, run);
      return new ReportRecorder(id, file, db, new RunWriter(db, id, { detailLimit: run.detailLimit, key: key?.privateKey, keyId: key?.id }));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * `done` of `planned` runs finished (`decided` of them without a finding, when known): a row at
   * most every {@link FLUSH_EVERY_MS} ms, and the last one always (a campaign of a million short
   * runs must not write a million rows).
   */
  progress(done: number, planned: number, decided = done): void {
    const now = Date.now();
    if (done < planned && now - this.lastProgress < FLUSH_EVERY_MS) return;
    this.lastProgress = now;
    this.progressRow.run(this.id, now, planned, done, decided);
  }

  /** Stores the report and findings, signs the end, and closes the store. */
  finish(end: RunEnd): void {
    try {
      this.writer.finish(end);
    } finally {
      this.db.close();
    }
  }
}
