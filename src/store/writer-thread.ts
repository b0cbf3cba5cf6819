/**
 * The store's writer thread: opens the store, takes a run's record batches from the run's
 * thread, writes each in one transaction and answers with what is now durable. Writing here
 * keeps SQLite and hashing off the thread that runs the simulation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { auditKey } from './audit-keys.ts';
import { openStore } from './open-store.ts';
import type { RecordBatch } from './record-batch.ts';
import { RunWriter, type RunEnd, type WriterState } from './writer-core.ts';

/** What the writer thread is started with. */
export interface WriterThreadData {
  readonly file: string;
  readonly runId: string;
  readonly detailLimit: number;
  readonly signed: boolean;
  /** Where the run's own thread left the chain. */
  readonly state: WriterState;
}

/** Messages to the writer thread. */
export type ToWriter = { readonly op: 'batch'; readonly batch: RecordBatch } | { readonly op: 'finish'; readonly end: RunEnd };

/** Messages from it: what is durable after each batch, the end, or why it stopped writing. */
export type FromWriter =
  | { readonly op: 'ready' }
  | { readonly op: 'ack'; readonly counts: RunWriter['counts'] }
  | { readonly op: 'done'; readonly counts: RunWriter['counts'] }
  | { readonly op: 'error'; readonly message: string };

const data = workerData as WriterThreadData;
const port = parentPort!;
try {
  const db = openStore(data.file);
  const key = data.signed ? auditKey(data.file, { create: false }) : undefined;
  const writer = new RunWriter(db, data.runId, { detailLimit: data.detailLimit, key: key?.privateKey, keyId: key?.id }, data.state);
  let failed = false;
  port.postMessage({ op: 'ready' } satisfies FromWriter);
  port.on('message', (m: ToWriter) => {
    if (failed) return;
    try {
      if (m.op === 'batch') {
        writer.apply(m.batch);
        port.postMessage({ op: 'ack', counts: writer.counts } satisfies FromWriter);
      } else {
        writer.finish(m.end);
        db.close();
        port.postMessage({ op: 'done', counts: writer.counts } satisfies FromWriter);
      }
    } catch (e) {
      failed = true;
      port.postMessage({ op: 'error', message: (e as Error).message } satisfies FromWriter);
    }
  });
} catch (e) {
  port.postMessage({ op: 'error', message: (e as Error).message } satisfies FromWriter);
}
