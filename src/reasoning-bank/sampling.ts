import type { Prng } from '../scheduler/prng.ts';

/**
 * Draws from the distributions Thompson sampling needs, from a seeded generator (never
 * Math.random), so the same seed gives the same choice.
 */

/**
 * A standard normal draw (Box-Muller; the second value is thrown away to keep draws independent
 * of call order).
 *
 * @example
 * ```ts
 * const z = normal(createPrng(1)); // same value for the same seed
 * ```
 */
export function normal(rnd: Prng): number {
  const u = 1 - rnd(); // in (0, 1]: log(0) would be -Infinity
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 boosted by U^(1/shape)).
 *
 * @example
 * ```ts
 * const g = gamma(createPrng(1), 2.5);
 * ```
 */
export function gamma(rnd: Prng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma: shape must be > 0 (got ${shape})`);
  if (shape < 1) return gamma(rnd, shape + 1) * Math.pow(1 - rnd(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rnd();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(a, b) draw: the posterior of a success rate after a - 1 successes and b - 1 failures
 * from a uniform prior.
 *
 * @example
 * ```ts
 * const p = beta(createPrng(1), 8, 3); // near 0.73 on average
 * ```
 */
export function beta(rnd: Prng, a: number, b: number): number {
  const x = gamma(rnd, a);
  const y = gamma(rnd, b);
  return x / (x + y);
}
