import { mean, sampleSd, type BenchIteration, type BenchReport, type MeasuredGroup } from '../bench/bench-report.ts';
import type { BenchAlgorithm } from '../bench/bench-algorithms.ts';

/**
 * A group is noisy when the coefficient of variation (sample standard deviation / mean) of a
 * per-iteration figure is above this: iterations a fifth apart on average say little about which
 * of two close algorithms is faster. `conclave analyze --noise-threshold` changes it.
 *
 * @example
 * ```ts
 * spread([100, 160]).cv > NOISE_CV_THRESHOLD; // true: cv 0.33
 * ```
 */
export const NOISE_CV_THRESHOLD = 0.2;

/**
 * A figure over a group's iterations: the values, their mean, sample standard deviation and
 * coefficient of variation (0 when the mean is 0).
 *
 * @example
 * ```ts
 * const s: Spread = spread([90, 110]); // { values: [90, 110], mean: 100, sd: 14.14, cv: 0.141 }
 * ```
 */
export interface Spread {
  readonly values: readonly number[];
  readonly mean: number;
  readonly sd: number;
  readonly cv: number;
}

/**
 * The {@link Spread} of some values.
 *
 * @example
 * ```ts
 * spread([2, 4, 4, 4, 5, 5, 7, 9]).sd; // 2.138...
 * ```
 */
export function spread(values: readonly number[]): Spread {
  const m = mean(values);
  const sd = sampleSd(values);
  return { values, mean: m, sd, cv: m > 0 ? sd / m : 0 };
}

/**
 * The interval a figure's noise is judged by: mean ± sd over its iterations.
 *
 * @example
 * ```ts
 * noiseInterval(spread([90, 110])); // [85.86, 114.14]
 * ```
 */
export function noiseInterval(s: Spread): readonly [number, number] {
  return [s.mean - s.sd, s.mean + s.sd];
}

/**
 * Whether two closed intervals share a point.
 *
 * @example
 * ```ts
 * intervalsOverlap([1, 3], [3, 5]); // true
 * ```
 */
export function intervalsOverlap(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

/**
 * Whether two figures cannot be told apart: their intervals mean ± sd (over each side's
 * iterations) overlap. With one iteration a side's interval is a point.
 *
 * @example
 * ```ts
 * withinNoise(spread([100, 110]), spread([108, 118])); // true
 * withinNoise(spread([100, 102]), spread([150, 152])); // false
 * ```
 */
export function withinNoise(a: Spread, b: Spread): boolean {
  return intervalsOverlap(noiseInterval(a), noiseInterval(b));
}

/**
 * What is measured per iteration and judged for noise: `throughput` on the bench's own clock
 * (decisions per simulated minute in sim mode, per wall-clock minute in threads mode), the
 * iteration's median consensus time (`latency`), and in sim mode `wall throughput`, the
 * simulator's own speed on this machine.
 *
 * @example
 * ```ts
 * const m: NoiseMetric = 'latency';
 * ```
 */
export type NoiseMetric = 'throughput' | 'latency' | 'wall throughput';

/**
 * A group's figures per iteration: throughput on the bench's clock, median and 99th-percentile
 * consensus time, and in sim mode (else null) the wall-clock throughput.
 *
 * @example
 * ```ts
 * const s: GroupSpreads = groupSpreads(group);
 * s.latency.mean; // the group's consensusMs.mean
 * ```
 */
export interface GroupSpreads {
  readonly throughput: Spread;
  readonly latency: Spread;
  readonly p99: Spread;
  readonly wall: Spread | null;
}

/**
 * A group's per-iteration figures. Runs that failed outright count in none; a run that reached
 * no decision has a throughput (0) but no latency.
 *
 * @example
 * ```ts
 * groupSpreads(group).throughput.cv; // spread of decisions per minute between iterations
 * ```
 */
export function groupSpreads(g: MeasuredGroup): GroupSpreads {
  const ok = g.runs.filter((r) => r.error === undefined);
  const timed = ok.filter((r) => r.decided > 0);
  const perMinute = (r: BenchIteration, ms: number | null) => (ms !== null && ms > 0 ? (r.decided * 60_000) / ms : 0);
  const wall = spread(ok.map((r) => perMinute(r, r.wallMs)));
  const latency = spread(timed.map((r) => r.latencyMs.p50));
  const p99 = spread(timed.map((r) => r.latencyMs.p99));
  if (g.consensusMs.clock === 'wall') return { throughput: wall, latency, p99, wall: null };
  return { throughput: spread(ok.map((r) => perMinute(r, r.virtualMs))), latency, p99, wall };
}

/**
 * One noisy figure of one group.
 *
 * @example
 * ```ts
 * const f: NoiseFinding = { algorithm: 'raft', agents: 5, metric: 'throughput', spread: spread([900, 1500]) };
 * ```
 */
export interface NoiseFinding {
  readonly algorithm: BenchAlgorithm;
  readonly agents: number;
  readonly metric: NoiseMetric;
  readonly spread: Spread;
}

/**
 * Every figure of every measured group whose iterations spread wider than `threshold` (a
 * coefficient of variation). Groups with fewer than two iterations cannot be judged and are left
 * out.
 *
 * @example
 * ```ts
 * for (const f of noiseFindings(report)) console.log(`${f.algorithm} n=${f.agents}: ${f.metric} cv ${f.spread.cv.toFixed(2)}`);
 * ```
 */
export function noiseFindings(report: BenchReport, threshold = NOISE_CV_THRESHOLD): NoiseFinding[] {
  const findings: NoiseFinding[] = [];
  for (const g of report.results) {
    if (g.status !== 'measured') continue;
    const s = groupSpreads(g);
    const judged: [NoiseMetric, Spread | null][] = [
      ['throughput', s.throughput],
      ['latency', s.latency],
      ['wall throughput', s.wall],
    ];
    for (const [metric, sp] of judged) {
      if (sp !== null && sp.values.length >= 2 && sp.cv > threshold) findings.push({ algorithm: g.algorithm, agents: g.agents, metric, spread: sp });
    }
  }
  return findings;
}
