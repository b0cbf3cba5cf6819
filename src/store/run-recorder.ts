import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { TraceEvent } from '../actors/trace-event.ts';
import { startWorker } from '../scheduler/threads/spawn-worker.ts';
import { auditKey } from './audit-keys.ts';
import { openStore } from './open-store.ts';
import { addEvent, emptyBatch, type RecordBatch } from './record-batch.ts';
import { insertRun, type RunStart } from './run-row.ts';
import type { RunEnd, WriterCounts } from './writer-core.ts';
import type { FromWriter, ToWriter, WriterThreadData } from './writer-thread.ts';

/** Decisions stored one by one (with their votes) by default; a longer run keeps aggregates for the rest. */
export const DEFAULT_DETAIL_LIMIT = 100_000;

/** Wall-clock ms between batches at most: `monitor` sees a run's progress at least this often. */
export const FLUSH_EVERY_MS = 250;

/** Records kept in one batch at most before it is sent, however soon. */
const BATCH_RECORDS = 8192;

/** Trace events between two reads of the clock (reading it per event would cost more than recording). */
const CLOCK_EVERY = 256;

/**
 * Records one run into the store while it runs: hand {@link onEvent} to the run as (part of)
 * its `onEvent`, then {@link finish} with its outcome. Records go in batches, at least every
 * {@link FLUSH_EVERY_MS} ms of wall clock, to a writer thread that stores each batch in one
 * transaction; {@link committed} says what is durable. A store that fails mid-run (disk full,
 * locked too long) never stops the run: recording stops, and `finish` says why.
 *
 * @example
 * ```ts
 * const rec = await RunRecorder.start('.conclave/conclave.db', { kind: 'run', name: 'db-choice', protocol: 'simple_majority', detailLimit: 100_000, signed: true });
 * const result = await runScenario(scenario, { onEvent: rec.onEvent });
 * await rec.finish({ status: 'completed', exitCode: 0, result: JSON.stringify(result) });
 * ```
 */
export class RunRecorder {
  private batch: RecordBatch = emptyBatch();
  private lastFlush = performance.now();
  private sinceClock = 0;
  private counts: WriterCounts = { opened: 0, closed: 0, decided: 0, votes: 0, latencySum: 0, latencyMax: 0 };
  private failure: string | undefined;
  private ended: Promise<WriterCounts> | undefined;
  private settleEnd: ((c: WriterCounts) => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(readonly id: string, readonly file: string, private readonly worker: Worker) {
    worker.on('message', (m: FromWriter) => {
      if (m.op === 'error') this.fail(m.message);
      else {
        this.counts = m.counts;
        if (m.op === 'done') this.settleEnd?.(m.counts);
      }
    });
    worker.on('error', (e) => this.fail(e.message));
    worker.on('exit', () => this.fail('the store writer thread stopped'));
    // A quiet run (threads mode waiting on timers) still shows progress; unref: it never keeps the process alive.
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS).unref();
  }

  /**
   * Opens the store (refusing a file that is not a Conclave store, before anything runs),
   * records the run as `running`, creates the audit key on first use, and starts the writer.
   */
  static start(file: string, run: RunStart): RunRecorder {
    const db = openStore(file);
    let id: string;
    try {
      if (run.signed) auditKey(file);
      id = insertRun(db, run);
    } finally {
      db.close();
    }
    const data: WriterThreadData = { file, runId: id, detailLimit: run.detailLimit, signed: run.signed };
    return new RunRecorder(id, file, startWorker(new URL('./writer-thread.ts', import.meta.url), { workerData: data }));
  }

  /** The run's scenario file as the user wrote it, for {@link RunStart.scenarioGiven} (undefined when unreadable). */
  static given(file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Takes one trace event (as `onEvent`): kept if the store records it, sent on when a batch is due. */
  readonly onEvent = (e: TraceEvent): void => {
    if (this.failure !== undefined) return;
    addEvent(this.batch, e);
    if (this.batch.size >= BATCH_RECORDS) this.flush();
    else if (++this.sinceClock >= CLOCK_EVERY) {
      this.sinceClock = 0;
      if (performance.now() - this.lastFlush >= FLUSH_EVERY_MS) this.flush();
    }
  };

  /** Sends what is batched (an empty batch too: it still writes a progress row, so `monitor` sees the run alive). */
  flush(): void {
    if (this.failure !== undefined || this.ended !== undefined) return;
    this.lastFlush = performance.now();
    this.post({ op: 'batch', batch: this.batch });
    this.batch = emptyBatch();
  }

  /** What the store holds of this run so far (as of the writer's last answer). */
  committed(): WriterCounts {
    return this.counts;
  }

  /** Why recording stopped early, if it did. */
  get error(): string | undefined {
    return this.failure;
  }

  /**
   * Sends the rest and the run's end, and waits until the store holds them: after this, what
   * the run reports is durable. Resolves with what was stored; never rejects (a failed store is
   * in {@link error}).
   */
  async finish(end: RunEnd): Promise<WriterCounts> {
    if (this.ended) return this.ended;
    this.flush();
    clearInterval(this.timer);
    this.ended = new Promise<WriterCounts>((resolve) => {
      this.settleEnd = resolve;
      if (this.failure !== undefined) resolve(this.counts);
    });
    this.post({ op: 'finish', end });
    const counts = await this.ended;
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    return counts;
  }

  private post(m: ToWriter): void {
    if (this.failure === undefined) this.worker.postMessage(m);
  }

  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    clearInterval(this.timer);
    this.settleEnd?.(this.counts);
  }
}
