import type { KeyObject } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Envelope } from '../actors/envelope.ts';
import type { Transport } from '../scheduler/transport.ts';
import { decodeFrame, encodeFrame, type NodeIdentity } from './batch-frame.ts';
import type { SwarmSubjects } from './subjects.ts';

/** Batches a host refused (bad signature, unknown sender, wrong version), and the last reason. */
export interface RefusedBatches {
  batches: number;
  /** Bytes of refused frames (their envelopes are never decoded, so never counted). */
  bytes: number;
  lastReason: string | undefined;
}

/**
 * Transport between hosts over NATS: one subject per host, each batch one signed message
 * (batch-frame.ts). A connection delivers its messages to a subscriber in the order it
 * published them, so per-sender FIFO holds as over a MessagePort. A frame that is not signed
 * by the key of the host it names is refused and counted, never delivered.
 *
 * @example
 * ```ts
 * const t = new NatsTransport(nc, subjects, run, index, identity);
 * t.setKeys(keys); t.onBatch((from, batch) => ...); t.post(1, batch);
 * ```
 */
export class NatsTransport implements Transport {
  private handler: (from: number, batch: Envelope[]) => void = () => {};
  private keys: (KeyObject | undefined)[] = [];
  private readonly closed = new Set<number>();
  private readonly sub: Subscription;
  readonly refused: RefusedBatches = { batches: 0, bytes: 0, lastReason: undefined };

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: SwarmSubjects,
    private readonly run: string,
    private readonly index: number,
    private readonly identity: NodeIdentity,
  ) {
    this.sub = nc.subscribe(subjects.envelopes(run, index), {
      callback: (err, msg) => {
        if (err) return;
        const r = decodeFrame(msg.data, this.keys);
        if (!r.ok) {
          this.refused.batches++;
          this.refused.bytes += msg.data.length;
          this.refused.lastReason = r.reason;
          return;
        }
        // A dead peer's late batches were settled as lost when it died: taking them now would
        // count them twice.
        if (this.closed.has(r.from)) return;
        this.handler(r.from, r.batch);
      },
    });
  }

  /** Every host's public key, by index (sent by the coordinator once all hosts are claimed). */
  setKeys(keys: (KeyObject | undefined)[]): void {
    this.keys = keys;
  }

  post(to: number, batch: Envelope[]): void {
    this.nc.publish(this.subjects.envelopes(this.run, to), encodeFrame(this.index, batch, this.identity));
  }

  onBatch(handler: (from: number, batch: Envelope[]) => void): void {
    this.handler = handler;
  }

  /** Nothing waits in our hands: NATS hands each batch to the subscription callback as it arrives. */
  drainFrom(): void {}

  close(peer: number): void {
    this.closed.add(peer);
  }

  /** Stops receiving (the run is over on this host). */
  stop(): void {
    this.sub.unsubscribe();
  }
}
