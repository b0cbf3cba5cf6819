import { int } from '../text/format.ts';

/**
 * How analyze and optimize write figures: shares as percentages, ms with sensible decimals, and
 * figures of any size short.
 *
 * @example
 * ```ts
 * `${pct(0.985)} success, ${fixed(5.821)} ms, ${short(318122)}/min`; // '98.5% success, 5.82 ms, 318.1 k/min'
 * ```
 */

/**
 * A share as a percentage: one decimal, two just below 100 % (99.95 % is not 100.0 %).
 *
 * @example
 * ```ts
 * pct(0.967); // '96.7%'
 * pct(0.9995); // '99.95%'
 * ```
 */
export function pct(x: number): string {
  return `${(x * 100).toFixed(x >= 0.999 && x < 1 ? 2 : 1)}%`;
}

/**
 * A time (or any figure around 1-1000) with two decimals below 10, one below 100, else none.
 *
 * @example
 * ```ts
 * fixed(5.821); // '5.82'
 * fixed(246.1); // '246'
 * ```
 */
export function fixed(x: number): string {
  return x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);
}

/**
 * A figure of any size, short: 1.23 M, 45.6 k, 789, 4.56 ('-' for NaN).
 *
 * @example
 * ```ts
 * short(318_122); // '318.1 k'
 * ```
 */
export function short(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  // 4,994 beside 12.8 k: separated like every other count.
  return a >= 100 ? int(x) : x.toFixed(2);
}
