import type { Envelope } from '../actors/envelope.ts';

/**
 * How envelope batches move between hosts. Threads mode uses MessagePorts between workers; a
 * network transport (scale-out across machines) implements the same interface later.
 *
 * @example
 * ```ts
 * transport.onBatch((from, batch) => { for (const env of batch) host.deliver(env); });
 * transport.post(1, outgoing); // a batch of envelopes for host 1
 * ```
 */
export interface Transport {
  /** Hands a batch to the link towards host `to`. Throws what the link throws (e.g. a clone error). */
  post(to: number, batch: Envelope[]): void;
  /** Registers the single receiver of incoming batches. */
  onBatch(handler: (from: number, batch: Envelope[]) => void): void;
  /** Synchronously hands over every batch from `from` that already arrived but was not yet handled. */
  drainFrom(from: number): void;
  /** Stops using the link to `peer` (it died). */
  close(peer: number): void;
}
