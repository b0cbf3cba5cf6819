/**
 * Consensus times folded into log-scale buckets (about 4 % wide), so a frame's p50 and p99 cost
 * O(1) per decision and O(buckets) per frame, with no sample kept and no random choice.
 */

/** Buckets per doubling of the time: 2^(1/16) is about 4.4 % per bucket. */
const PER_DOUBLING = 16;
/** Times from 1 µs (bucket 0) up to about 2^40 µs, 12 days: enough for any run. */
const BUCKETS = 40 * PER_DOUBLING;

/**
 * A histogram of times in ms; {@link quantile} answers within one bucket's width.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.add(12); h.add(15);
 * h.quantile(0.5); // about 12
 * h.clear();
 * ```
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;

  add(ms: number): void {
    const us = ms * 1000;
    const b = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * PER_DOUBLING));
    this.counts[b]++;
    this.count++;
  }

  /** The time below which a share `q` (0..1) of the times fall: the upper edge of that bucket, in ms; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) return 2 ** ((b + 1) / PER_DOUBLING) / 1000;
    }
    return undefined;
  }

  clear(): void {
    if (this.count === 0) return;
    this.counts.fill(0);
    this.count = 0;
  }
}
