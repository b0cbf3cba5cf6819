import { emptyHistogram, percentile, record } from '../protocols/voting/latency-histogram.ts';

/** Latencies a sample keeps one by one (8 MB of them) before it folds them into a histogram. */
export const EXACT_LATENCIES = 1 << 20;

/**
 * A run's decision latencies (ms), for its p50 and p99: every value, exactly, up to
 * `EXACT_LATENCIES` of them, then the log-scale histogram the voting coordinator keeps (about 2 %
 * resolution), so a run of ten million decisions holds as much as one of a million (issue 18:
 * a long run's memory stays flat). `exact` says which a figure came from.
 *
 * @example
 * ```ts
 * const s = new LatencySample();
 * for (const ms of [3, 1, 2]) s.add(ms);
 * s.quantile(0.5, (n) => Math.floor(n / 2)); // 2 (exact: the sorted values [1, 2, 3] at rank 1)
 * ```
 */
export class LatencySample {
  private values = new Float64Array(1024);
  private n = 0;
  private sorted = true;
  private histogram: number[] | undefined;

  /** How many latencies were added. */
  get count(): number {
    return this.n;
  }

  /** Whether quantiles are exact (every value kept) rather than read from the histogram. */
  get exact(): boolean {
    return this.histogram === undefined;
  }

  add(ms: number): void {
    this.n++;
    if (this.histogram !== undefined) return record(this.histogram, ms);
    if (this.n > this.values.length) {
      if (this.values.length >= EXACT_LATENCIES) {
        this.histogram = emptyHistogram();
        for (const v of this.values) record(this.histogram, v);
        this.values = new Float64Array(0);
        return record(this.histogram, ms);
      }
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n - 1] = ms;
    this.sorted = false;
  }

  /**
   * The latency at quantile `q`: while exact, the sorted values at `rankOf(count)` (callers keep
   * their own rank convention); past that, the histogram's quantile. 0 when empty.
   */
  quantile(q: number, rankOf: (n: number) => number): number {
    if (this.n === 0) return 0;
    if (this.histogram !== undefined) return percentile(this.histogram, q);
    const kept = this.values.subarray(0, this.n);
    if (!this.sorted) {
      kept.sort();
      this.sorted = true;
    }
    return kept[Math.min(this.n - 1, Math.max(0, rankOf(this.n)))];
  }
}
