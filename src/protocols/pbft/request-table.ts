import type { ActorId } from '../../actors/envelope.ts';
import type { PbftRequest } from './messages.ts';

/**
 * Requests by (client, ts), in arrival order per client. Nested maps rather than one map keyed
 * by a `client#ts` string: a replica looks requests up several times each, and a fresh string
 * key has to be built and hashed every time, where a client id arrives hashed already and a
 * timestamp is a small integer (the string keys were a tenth of a replica's time).
 *
 * @example
 * ```ts
 * const t = new RequestTable();
 * t.add(request);
 * t.has('client', 7); // true
 * ```
 */
export class RequestTable {
  private readonly byClient = new Map<ActorId, Map<number, PbftRequest>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(client: ActorId, ts: number): PbftRequest | undefined {
    return this.byClient.get(client)?.get(ts);
  }

  has(client: ActorId, ts: number): boolean {
    return this.byClient.get(client)?.has(ts) ?? false;
  }

  /** Adds `r` unless (client, ts) is there already. */
  add(r: PbftRequest): void {
    let m = this.byClient.get(r.client);
    if (m === undefined) this.byClient.set(r.client, (m = new Map()));
    if (m.has(r.ts)) return;
    m.set(r.ts, r);
    this.count++;
  }

  delete(client: ActorId, ts: number): void {
    const m = this.byClient.get(client);
    if (m !== undefined && m.delete(ts)) this.count--;
  }

  /** Removes and returns up to `max` requests, oldest first per client. */
  take(max: number): PbftRequest[] {
    const out: PbftRequest[] = [];
    for (const m of this.byClient.values()) {
      for (const [ts, r] of m) {
        if (out.length >= max) return out;
        m.delete(ts);
        this.count--;
        out.push(r);
      }
    }
    return out;
  }

  clear(): void {
    this.byClient.clear();
    this.count = 0;
  }

  *values(): IterableIterator<PbftRequest> {
    for (const m of this.byClient.values()) yield* m.values();
  }
}
