/**
 * Latencies as a fixed log-scale histogram: 50 buckets per e-fold (about 2 % resolution) from
 * 0 to ~10^7 ms. A plain array of counts, so it lives in immer state and crosses threads as is,
 * and a million decisions cost no more memory than ten.
 */
const PER_E = 50;
const BUCKETS = 810;

/**
 * An empty histogram.
 *
 * @example
 * ```ts
 * const h = emptyHistogram(); record(h, 12.5); percentile(h, 0.5); // ~12.5
 * ```
 */
export function emptyHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

/** Adds one latency (ms) to a histogram (mutates it: pass a draft or your own copy). */
export function record(h: number[], ms: number): void {
  const i = Math.min(BUCKETS - 1, Math.max(0, Math.round(Math.log1p(ms) * PER_E)));
  h[i]++;
}

/** The latency at quantile `q` (0..1), to bucket resolution; 0 for an empty histogram. */
export function percentile(h: readonly number[], q: number): number {
  let total = 0;
  for (const c of h) total += c;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= rank) return Math.expm1(i / PER_E);
  }
  return Math.expm1((h.length - 1) / PER_E);
}
