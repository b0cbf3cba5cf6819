import type { Worker } from 'node:worker_threads';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import { startWorker } from '../scheduler/threads/spawn-worker.ts';
import { auditKey } from './audit-keys.ts';
import { openStore, type StoreDb } from './open-store.ts';
import { addEvent, emptyBatch, type RecordBatch } from './record-batch.ts';
import { insertRun, type RunStart } from './run-row.ts';
import { FLUSH_EVERY_MS } from './store-limits.ts';
import { RunWriter, type RunEnd, type WriterCounts } from './writer-core.ts';
import type { FromWriter, ToWriter, WriterThreadData } from './writer-thread.ts';
import { moduleUrl } from '../module-url.ts';

/** Records kept in one batch at most before it is sent, however soon. */
const BATCH_RECORDS = 8192;

/** Trace events between two reads of the clock (reading it per event would cost more than recording). */
const CLOCK_EVERY = 256;

/**
 * A run writes from its own thread unless it stores more than this many decisions one by one
 * (`--store-detail`, an `audit:` section): then the rows, their hashes and their votes (about
 * 13 µs a decision) go to a writer thread. Within the default detail limit what is left per
 * batch is a few ms of counting and one transaction, cheaper than a thread whose start-up
 * (tsx loading the sources) costs about half a second of CPU.
 */
const THREADED_DETAIL = 5_000;

/** Records a run writes from its own thread before a detailed run's writing moves to the writer thread. */
const INLINE_RECORDS = 4096;

/** A detailed run that plans this many decisions starts its writer thread before it runs. */
const THREAD_FROM_DECISIONS = 1000;

/**
 * Records one run into the store while it runs: hand {@link onEvent} to the run as (part of)
 * its `onEvent`, then {@link finish} with its outcome. Records go in batches, at least every
 * {@link FLUSH_EVERY_MS} ms of wall clock, each stored in one transaction: from this thread,
 * or, for a run that stores many decisions one by one, from a writer thread; {@link committed}
 * says what is durable. A
 * store that fails mid-run (disk full, locked too long) never stops the run: recording stops,
 * and `finish` says why.
 *
 * @example
 * ```ts
 * const rec = RunRecorder.start('.conclave/conclave.db', { kind: 'run', name: 'db-choice', protocol: 'simple_majority', detailLimit: 1_000, signed: true });
 * const result = await runScenario(scenario, { onEvent: rec.onEvent });
 * await rec.finish({ status: 'completed', exitCode: 0, result: JSON.stringify(result) });
 * ```
 */
export class RunRecorder {
  private batch: RecordBatch = emptyBatch();
  private lastFlush = performance.now();
  private sinceClock = 0;
  private written = 0;
  /** Decisions closed so far (batched, not necessarily stored). */
  private closed = 0;
  /** Trace time of the run's first event: where an alert's `at` counts from. */
  private firstT: number | undefined;
  private counts: WriterCounts;
  private failure: string | undefined;
  private ended: Promise<WriterCounts> | undefined;
  private settleEnd: ((c: WriterCounts) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The writer in this thread, until the run moves to a writer thread (then undefined). */
  private inline: { db: StoreDb; writer: RunWriter } | undefined;
  private worker: Worker | undefined;
  /** The writer thread has answered at least once since the hand-over. */
  private answered = false;
  /** Settles when the writer thread (if any) has opened the store and waits for batches. */
  private started: Promise<void> = Promise.resolve();

  private constructor(
    readonly id: string,
    readonly file: string,
    private readonly run: RunStart,
    db: StoreDb,
  ) {
    const key = run.signed ? auditKey(file, { create: false }) : undefined;
    const writer = new RunWriter(db, id, { detailLimit: run.detailLimit, key: key?.privateKey, keyId: key?.id });
    this.inline = { db, writer };
    this.counts = writer.counts;
    if (run.detailLimit > THREADED_DETAIL && (run.plannedDecisions ?? 0) >= THREAD_FROM_DECISIONS) this.moveToThread();
    // A quiet run (threads mode waiting on timers) still shows progress; unref: it never keeps the process alive.
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS).unref();
  }

  /**
   * Opens the store (refusing a file that is not a Conclave store, before anything runs),
   * records the run as `running` and creates the audit key on first use.
   */
  static start(file: string, run: RunStart): RunRecorder {
    const db = openStore(file);
    try {
      if (run.signed) auditKey(file);
      return new RunRecorder(insertRun(db, run), file, run, db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * Settles when the recorder is ready for the run: at once when it writes from this thread; when
   * a big run starts its writer thread up front, once that thread has loaded and opened the
   * store. Awaiting it keeps the thread's start-up (loading the sources costs about half a
   * second of CPU) out of the run's own time, where it would compete with the simulation.
   */
  ready(): Promise<void> {
    return this.started;
  }

  /** Takes one trace event (as `onEvent`): kept if the store records it, sent on when a batch is due. */
  readonly onEvent = (e: TraceEvent): void => {
    if (this.failure !== undefined) return;
    this.firstT ??= e.t;
    // Past the detail limit the writer keeps counts, not votes: they need not cross to it.
    const before = this.batch.closes.t.length;
    addEvent(this.batch, e, this.closed < this.run.detailLimit);
    this.closed += this.batch.closes.t.length - before;
    if (this.batch.size >= BATCH_RECORDS) this.flush();
    else if (++this.sinceClock >= CLOCK_EVERY) {
      this.sinceClock = 0;
      if (performance.now() - this.lastFlush >= FLUSH_EVERY_MS) this.flush();
    }
  };

  /**
   * Takes an alert the run raised (alerts are not trace events): stored in the run's timeline at
   * its time on the trace's clock (its `at` counts from the run's first trace event).
   */
  readonly onAlert = (a: AlertRecord): void => {
    if (this.failure !== undefined) return;
    this.batch.events.push({ t: (this.firstT ?? 0) + a.at, kind: 'alert', actor: a.agent ?? null, detail: JSON.stringify({ type: 'alert', ...a }) });
    this.batch.size++;
  };

  /** Stores what is batched (an empty batch too: it still writes a progress row, so `monitor` sees the run alive). */
  flush(): void {
    if (this.failure !== undefined || this.ended !== undefined) return;
    this.lastFlush = performance.now();
    const batch = this.batch;
    this.batch = emptyBatch();
    this.written += batch.size;
    if (this.inline && this.written > INLINE_RECORDS && this.run.detailLimit > THREADED_DETAIL && this.closed < this.run.detailLimit) this.moveToThread();
    if (this.inline) this.guard(() => this.inline!.writer.apply(batch));
    else this.post({ op: 'batch', batch });
  }

  /** What the store holds of this run so far (as of the writer thread's last answer). */
  committed(): WriterCounts {
    return this.counts;
  }

  /** Decisions this run stores one by one; the rest are counted in aggregates. */
  get detailLimit(): number {
    return this.run.detailLimit;
  }

  /**
   * Whether {@link committed} is current: always when writing from this thread; with a writer
   * thread, once one of its answers has come in (a sim run holds this thread, so answers wait
   * until it yields: a count of 0 would then be stale, not true).
   */
  get current(): boolean {
    return this.inline !== undefined || this.answered;
  }

  /** Why recording stopped early, if it did. */
  get error(): string | undefined {
    return this.failure;
  }

  /**
   * Stores the rest and the run's end, and waits until the store holds them: after this, what
   * the run reports is durable. Resolves with what was stored; never rejects (a failed store is
   * in {@link error}).
   */
  async finish(end: RunEnd): Promise<WriterCounts> {
    if (this.ended) return this.ended;
    this.flush();
    clearInterval(this.timer);
    if (this.inline) {
      const { db, writer } = this.inline;
      this.guard(() => writer.finish(end));
      db.close();
      this.inline = undefined;
      this.ended = Promise.resolve(writer.counts);
      return this.ended;
    }
    this.ended = new Promise<WriterCounts>((resolve) => {
      this.settleEnd = resolve;
      if (this.failure !== undefined) resolve(this.counts);
    });
    this.post({ op: 'finish', end });
    const counts = await this.ended;
    this.worker!.removeAllListeners('exit');
    await this.worker!.terminate();
    return counts;
  }

  /** Hands the chain over to a writer thread: the run has proved big enough to pay for one. */
  private moveToThread(): void {
    const { db, writer } = this.inline!;
    this.inline = undefined;
    const data: WriterThreadData = { file: this.file, runId: this.id, detailLimit: this.run.detailLimit, signed: this.run.signed, state: writer.state() };
    db.close();
    const worker = startWorker(moduleUrl('./writer-thread.ts', import.meta.url), { workerData: data });
    let isReady: () => void = () => undefined;
    this.started = new Promise<void>((resolve) => {
      isReady = resolve;
    });
    worker.on('message', (m: FromWriter) => {
      if (m.op === 'ready') isReady();
      else if (m.op === 'error') {
        isReady();
        this.fail(m.message);
      } else {
        this.answered = true;
        this.counts = m.counts;
        if (m.op === 'done') this.settleEnd?.(m.counts);
      }
    });
    worker.on('error', (e) => {
      isReady();
      this.fail(e.message);
    });
    worker.on('exit', () => {
      isReady();
      this.fail('the store writer thread stopped');
    });
    this.worker = worker;
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private post(m: ToWriter): void {
    if (this.failure === undefined) this.worker!.postMessage(m);
  }

  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    clearInterval(this.timer);
    this.settleEnd?.(this.counts);
  }
}
