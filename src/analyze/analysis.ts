import type { BenchAlgorithm } from '../bench/bench-algorithms.ts';
import type { BenchReport, MeasuredGroup } from '../bench/bench-report.ts';
import { failedChecks, rowBetter, type MicroResults, type MicroRow } from './micro-results.ts';
import { noiseFindings, NOISE_CV_THRESHOLD, type NoiseFinding } from './noise.ts';
import { rankBySize, type SizeRanking } from './size-ranking.ts';

/**
 * What `conclave analyze` finds in one `conclave bench` file (and prints, or gives as JSON):
 * the algorithms ranked at each size, the noisy figures and the safety violations.
 *
 * @example
 * ```ts
 * const a: BenchAnalysis = analyzeBench(report, 'consensus_benchmark.json');
 * a.safety.length > 0; // the bench broke safety somewhere: analyze exits 1
 * ```
 */
export interface BenchAnalysis {
  readonly kind: 'bench-analysis';
  readonly file: string;
  /** What the ranking orders by, in words. */
  readonly rankedBy: string;
  readonly sizes: readonly SizeRanking[];
  readonly noise: { readonly threshold: number; readonly findings: readonly NoiseFinding[] };
  readonly safety: readonly SafetyFinding[];
}

/**
 * A group whose runs broke safety: by property, the seeds that did, and whether the faults stayed
 * within the algorithm's tolerance (then it is a bug; beyond it, what the bound predicts).
 *
 * @example
 * ```ts
 * const s: SafetyFinding = { algorithm: 'raft', agents: 5, violations: 2, byProperty: { 'election-safety': 2 }, seeds: [3], withinTolerance: true };
 * ```
 */
export interface SafetyFinding {
  readonly algorithm: BenchAlgorithm;
  readonly agents: number;
  readonly violations: number;
  readonly byProperty: Readonly<Record<string, number>>;
  readonly seeds: readonly number[];
  readonly withinTolerance: boolean;
}

/**
 * Analyses one bench file: see {@link BenchAnalysis}. `threshold` is the coefficient of variation
 * above which a figure is noisy.
 *
 * @example
 * ```ts
 * analyzeBench(report, 'consensus_benchmark.json').sizes[0].ranked[0].group.algorithm; // the fastest at the smallest size
 * ```
 */
export function analyzeBench(report: BenchReport, file: string, threshold = NOISE_CV_THRESHOLD): BenchAnalysis {
  return {
    kind: 'bench-analysis',
    file,
    rankedBy:
      report.meta.clock === 'virtual'
        ? "decisions per simulated minute (the protocol's speed over the simulated network, the same on any machine), then the lower median consensus time; groups with safety violations are not ranked"
        : 'decisions per wall-clock minute, then the lower median consensus time; groups with safety violations are not ranked',
    sizes: rankBySize(report),
    noise: { threshold, findings: noiseFindings(report, threshold) },
    safety: safetyFindings(report),
  };
}

/**
 * The groups of a bench whose runs broke safety (see {@link SafetyFinding}).
 *
 * @example
 * ```ts
 * safetyFindings(report).length === 0; // the bench is safe everywhere
 * ```
 */
export function safetyFindings(report: BenchReport): SafetyFinding[] {
  return report.results
    .filter((g): g is MeasuredGroup => g.status === 'measured' && g.safetyViolations > 0)
    .map((g) => ({
      algorithm: g.algorithm,
      agents: g.agents,
      violations: g.safetyViolations,
      byProperty: g.safetyByProperty,
      seeds: g.runs.filter((r) => r.safetyViolations.length > 0).map((r) => r.seed),
      withinTolerance: g.load.withinTolerance,
    }));
}

/**
 * One row of a micro-benchmark file with its spread: `cv` estimates the coefficient of variation
 * from the quartiles (sd ≈ (p75 - p25) / 1.349, as for a normal distribution; the file keeps no
 * sd), null for an invalid row.
 *
 * @example
 * ```ts
 * const r: MicroRowAnalysis = { row, better: 'higher', cv: 0.04, noisy: false };
 * ```
 */
export interface MicroRowAnalysis {
  readonly row: MicroRow;
  readonly better: 'higher' | 'lower';
  readonly cv: number | null;
  readonly noisy: boolean;
}

/**
 * What `conclave analyze` finds in one `npm run bench` results file.
 *
 * @example
 * ```ts
 * const a: MicroAnalysis = analyzeMicro(results, 'bench/results/latest.json');
 * a.failedChecks.length; // correctness checks that failed: analyze exits 1
 * ```
 */
export interface MicroAnalysis {
  readonly kind: 'micro-analysis';
  readonly file: string;
  readonly threshold: number;
  readonly rows: readonly MicroRowAnalysis[];
  /** Failed correctness checks and suites that threw. */
  readonly failedChecks: readonly string[];
}

/**
 * Analyses one micro-benchmark results file: see {@link MicroAnalysis}.
 *
 * @example
 * ```ts
 * analyzeMicro(results, 'latest.json').rows.filter((r) => r.noisy);
 * ```
 */
export function analyzeMicro(results: MicroResults, file: string, threshold = NOISE_CV_THRESHOLD): MicroAnalysis {
  const rows = results.results.map((row) => {
    const cv = row.median !== null && row.median > 0 && row.p25 !== null && row.p75 !== null ? (row.p75 - row.p25) / 1.349 / row.median : null;
    return { row, better: rowBetter(row), cv, noisy: cv !== null && row.samples >= 2 && cv > threshold };
  });
  return { kind: 'micro-analysis', file, threshold, rows, failedChecks: failedChecks(results) };
}
