import { analyzeBench, analyzeMicro } from '../analyze/analysis.ts';
import { benchAnalysisText, comparisonText, microAnalysisText } from '../analyze/analysis-text.ts';
import { compareBenchReports, compareMicroResults } from '../analyze/compare.ts';
import { NOISE_CV_THRESHOLD } from '../analyze/noise.ts';
import { readBenchFile, type BenchFile } from '../analyze/read-bench-file.ts';
import { ConfigError } from '../errors.ts';

/**
 * Options of `conclave analyze`, as commander parses them.
 *
 * @example
 * ```ts
 * const o: AnalyzeCommandOptions = { detailed: true, noiseThreshold: 0.2 };
 * ```
 */
export interface AnalyzeCommandOptions {
  /** Add every iteration's row under its group. */
  readonly detailed?: boolean;
  readonly json?: boolean;
  /** The coefficient of variation above which a figure is noisy (default {@link NOISE_CV_THRESHOLD}). */
  readonly noiseThreshold?: number;
}

/**
 * `conclave analyze FILE [FILE2]`: with one file, the comparison across algorithms and sizes
 * (ranked per size), noisy figures and safety violations of a `conclave bench` file, or the rows
 * of an `npm run bench` results file; with two files of one kind, before → after ratios per
 * group. Returns the exit code: 1 when a file reports a safety violation (bench) or a failed
 * correctness check (micro-benchmarks), else 0. Bad input throws a ConfigError (exit 2).
 *
 * @example
 * ```ts
 * process.exitCode = analyzeCommand(['before.json', 'after.json'], {}, console.log);
 * ```
 */
export function analyzeCommand(files: readonly string[], o: AnalyzeCommandOptions, out: (line: string) => void): number {
  if (files.length === 0 || files.length > 2) {
    throw new ConfigError(
      'files',
      'one file to analyze, or two (before and after) to compare: conclave analyze consensus_benchmark.json, or conclave analyze before.json after.json',
      files.length === 0 ? 'none' : `${files.length} files`,
    );
  }
  const threshold = o.noiseThreshold ?? NOISE_CV_THRESHOLD;
  const loaded = files.map(readBenchFile);
  if (loaded.length === 1) {
    const f = loaded[0];
    if (f.kind === 'bench') {
      const a = analyzeBench(f.report, f.file, threshold);
      // The per-iteration runs are in the bench file itself; the analysis names what it found.
      if (o.json) out(JSON.stringify(a, (k, v) => (k === 'runs' ? undefined : v), 2));
      else benchAnalysisText(f.report, a, { detailed: o.detailed }).forEach((l) => out(l));
      return a.safety.length > 0 ? 1 : 0;
    }
    const a = analyzeMicro(f.results, f.file, threshold);
    if (o.json) out(JSON.stringify(a, null, 2));
    else microAnalysisText(f.results, a).forEach((l) => out(l));
    return a.failedChecks.length > 0 ? 1 : 0;
  }
  const [before, after] = loaded;
  const names = [before.file, after.file] as const;
  let comparison;
  if (before.kind === 'bench' && after.kind === 'bench') comparison = compareBenchReports(before.report, after.report, names);
  else if (before.kind === 'micro' && after.kind === 'micro') comparison = compareMicroResults(before.results, after.results, names);
  else
    throw new ConfigError(
      after.file,
      `a file of the same kind as ${before.file} (${kindName(before)}): a bench report compares with a bench report, micro-benchmark results with micro-benchmark results`,
      kindName(after),
    );
  if (o.json) out(JSON.stringify(comparison, null, 2));
  else comparisonText(comparison).forEach((l) => out(l));
  return comparison.alarms.length > 0 ? 1 : 0;
}

const kindName = (f: BenchFile) => (f.kind === 'bench' ? 'a conclave bench report' : 'npm run bench results');
