import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Envelope } from '../../actors/envelope.ts';
import type { Transport } from '../transport.ts';
import { decodeBatch, encodeBatch, type EncodedBatch } from './batch-codec.ts';

/**
 * Transport over one MessagePort per peer worker, batches encoded as columns (batch-codec.ts), (set up by the main thread, so envelopes go
 * worker to worker without passing through main). Ports are FIFO, so per-sender order holds.
 *
 * @example
 * ```ts
 * const t = new MessagePortTransport(ports); // ports[i] links to worker i (undefined for self)
 * t.onBatch((from, batch) => ...); t.post(1, [env]);
 * ```
 */
export class MessagePortTransport implements Transport {
  private handler: (from: number, batch: Envelope[]) => void = () => {};

  constructor(private readonly ports: (MessagePort | undefined)[]) {
    ports.forEach((port, from) => {
      port?.on('message', (batch: EncodedBatch) => this.handler(from, decodeBatch(batch)));
    });
  }

  post(to: number, batch: Envelope[]): void {
    this.ports[to]!.postMessage(encodeBatch(batch));
  }

  onBatch(handler: (from: number, batch: Envelope[]) => void): void {
    this.handler = handler;
  }

  drainFrom(from: number): void {
    const port = this.ports[from];
    if (!port) return;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) this.handler(from, decodeBatch(m.message as EncodedBatch));
  }

  close(peer: number): void {
    this.ports[peer]?.close();
    this.ports[peer] = undefined;
  }
}
