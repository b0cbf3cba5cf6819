/**
 * Raw cross-thread baselines, with no actor runtime in the way: two of these workers are linked
 * by a MessageChannel (created in main, one port each).
 *
 * Roles (workerData.role):
 * - `sender`: on `{ n, batch, codec }` from main, posts n envelopes `{ id, from, to, kind, body }`
 *   over the port as fast as it can, `batch` per postMessage: either as plain arrays of objects
 *   (structured clone of every object) or encoded with the runtime's columnar codec (encodeBatch).
 * - `receiver`: takes every batch (decoding encoded ones, as the runtime does), counts the
 *   envelopes that are well formed and, once the count reaches the target main stored in shared
 *   memory, publishes the count and notifies main.
 * - `requester` / `responder`: request/reply with a window. The requester keeps `window` requests
 *   in flight: it sends the first window in batches of `batch`, and answers every reply batch with
 *   as many new requests (one postMessage) until n requests are answered; the responder answers
 *   each request batch with one reply batch. Plain arrays or encodeBatch, as for streaming.
 *
 * Shared memory (workerData.shared, Int32): [0] envelopes (or replies) counted so far,
 * [1] the count main waits for.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { decodeBatch, encodeBatch, type EncodedBatch } from '../../src/scheduler/threads/batch-codec.ts';
import type { Envelope } from '../../src/actors/envelope.ts';

export interface RawWorkerData {
  readonly role: 'sender' | 'receiver' | 'requester' | 'responder';
  readonly port: MessagePort;
  readonly shared: SharedArrayBuffer;
}

export interface RawStreamCommand {
  readonly n: number;
  readonly batch: number;
  readonly codec: boolean;
}

export interface RawRpcCommand {
  readonly n: number;
  readonly window: number;
  readonly batch: number;
  readonly codec: boolean;
}

const COUNT = 0;
const TARGET = 1;

const { role, port, shared } = workerData as RawWorkerData;
const cells = new Int32Array(shared);
let nextId = 0;

/** Publishes the count; wakes main once the target is reached. */
function progress(count: number): void {
  if (count >= Atomics.load(cells, TARGET)) {
    Atomics.store(cells, COUNT, count);
    Atomics.notify(cells, COUNT);
  }
}

function sender(): void {
  parentPort!.on('message', ({ n, batch, codec }: RawStreamCommand) => {
    for (let sent = 0; sent < n; ) {
      const k = Math.min(batch, n - sent);
      const out = new Array<Envelope>(k);
      for (let i = 0; i < k; i++) out[i] = { id: ++nextId, from: 'producer', to: 'sink', kind: 'data', body: sent + i };
      port.postMessage(codec ? encodeBatch(out) : out);
      sent += k;
    }
  });
}

function receiver(): void {
  let count = 0;
  port.on('message', (m: Envelope[] | EncodedBatch) => {
    const batch = Array.isArray(m) ? m : decodeBatch(m);
    for (let i = 0; i < batch.length; i++) if (batch[i].kind === 'data') count++;
    progress(count);
  });
}

function requester(): void {
  let answered = 0;
  let sent = 0;
  let goal = 0;
  let corr = 0;
  let codec = false;
  const request = (k: number): void => {
    const out = new Array<Envelope>(k);
    for (let i = 0; i < k; i++) out[i] = { id: ++nextId, from: 'asker', to: 'echo', kind: 'req', body: sent + i, corr: ++corr };
    sent += k;
    port.postMessage(codec ? encodeBatch(out) : out);
  };
  parentPort!.on('message', (command: RawRpcCommand) => {
    goal += command.n;
    codec = command.codec;
    const first = Math.min(command.window, goal - sent);
    for (let done = 0; done < first; ) {
      const k = Math.min(command.batch, first - done);
      request(k);
      done += k;
    }
  });
  port.on('message', (m: Envelope[] | EncodedBatch) => {
    const replies = Array.isArray(m) ? m : decodeBatch(m);
    for (let i = 0; i < replies.length; i++) if (replies[i].re !== undefined) answered++;
    const k = Math.min(replies.length, goal - sent);
    if (k > 0) request(k);
    progress(answered);
  });
}

function responder(): void {
  port.on('message', (m: Envelope[] | EncodedBatch) => {
    const coded = !Array.isArray(m);
    const requests = coded ? decodeBatch(m) : m;
    const out = new Array<Envelope>(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i];
      out[i] = { id: ++nextId, from: r.to, to: r.from, kind: 'echo', body: r.body, re: r.corr };
    }
    port.postMessage(coded ? encodeBatch(out) : out);
  });
}

({ sender, receiver, requester, responder })[role]();
