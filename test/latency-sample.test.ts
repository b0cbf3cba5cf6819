import { describe, expect, it } from 'vitest';
import { EXACT_LATENCIES, LatencySample } from '../src/swarm/latency-sample.ts';

/** A seeded stream of latencies, 1..1,000 ms, skewed low as decision latencies are. */
function* latencies(n: number, seed = 7): Generator<number> {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    yield 1 + (x / 2 ** 32) ** 3 * 999;
  }
}
const rank = (q: number) => (n: number) => Math.min(n - 1, Math.floor(q * n));

describe('LatencySample', () => {
  it('is exact while it keeps every value: the sorted values at the rank asked for', () => {
    const s = new LatencySample();
    const all = [...latencies(10_000)];
    for (const v of all) s.add(v);
    const sorted = [...all].sort((a, b) => a - b);
    expect(s.exact).toBe(true);
    expect(s.count).toBe(10_000);
    for (const q of [0.5, 0.99]) expect(s.quantile(q, rank(q))).toBe(sorted[rank(q)(sorted.length)]);
    expect(s.quantile(0.5, (n) => Math.floor((n - 1) / 2))).toBe(sorted[4_999]);
    // Adding after a query sorts again.
    s.add(0.5);
    expect(s.quantile(0, () => 0)).toBe(0.5);
  });

  it('past EXACT_LATENCIES values it folds them into the histogram: quantiles within its 2 % resolution', () => {
    const s = new LatencySample();
    const n = EXACT_LATENCIES + 1_000;
    const all = new Float64Array(n);
    let i = 0;
    for (const v of latencies(n)) {
      s.add(v);
      all[i++] = v;
    }
    all.sort();
    expect(s.exact).toBe(false);
    expect(s.count).toBe(n);
    for (const q of [0.5, 0.99]) {
      const exact = all[rank(q)(n)];
      expect(Math.abs(s.quantile(q, rank(q)) - exact) / exact).toBeLessThan(0.02);
    }
  });

  it('is 0 when empty', () => {
    expect(new LatencySample().quantile(0.99, rank(0.99))).toBe(0);
  });
});
