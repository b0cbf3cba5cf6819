/**
 * The bare cross-worker round trip, for comparison with one-decision-at-a-time threads runs:
 * two raw workers (support/raw-stream-worker.ts, roles requester / responder) linked by a
 * MessageChannel, one request in flight, one envelope per postMessage, encoded with the runtime's
 * columnar codec (encodeBatch) as the runtime sends it. No actor runtime in the way.
 */
import { MessageChannel } from 'node:worker_threads';
import { startWorker } from '../../src/scheduler/threads/spawn-worker.ts';
import type { RawRpcCommand, RawWorkerData } from './raw-stream-worker.ts';

const RAW_WORKER = new URL('./raw-stream-worker.ts', import.meta.url);

export class RawRoundTrip {
  private readonly shared = new SharedArrayBuffer(8);
  private readonly cells = new Int32Array(this.shared);
  private target = 0;
  private readonly requester;
  private readonly responder;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const data = (role: RawWorkerData['role'], port: typeof port1): RawWorkerData => ({ role, port, shared: this.shared });
    this.requester = startWorker(RAW_WORKER, { workerData: data('requester', port1), transferList: [port1] });
    this.responder = startWorker(RAW_WORKER, { workerData: data('responder', port2), transferList: [port2] });
  }

  /** Runs `n` round trips one after another; returns the wall µs per round trip. */
  async measure(n: number): Promise<number> {
    this.target += n;
    Atomics.store(this.cells, 1, this.target);
    const t0 = performance.now();
    this.requester.postMessage({ n, window: 1, batch: 1, codec: true } satisfies RawRpcCommand);
    for (;;) {
      const v = Atomics.load(this.cells, 0);
      if (v >= this.target) break;
      const w = Atomics.waitAsync(this.cells, 0, v);
      if (w.async) await w.value;
    }
    return ((performance.now() - t0) * 1000) / n;
  }

  /** Round trips answered so far (for a check). */
  get answered(): number {
    return Atomics.load(this.cells, 0);
  }

  async close(): Promise<void> {
    await Promise.all([this.requester.terminate(), this.responder.terminate()]);
  }
}
