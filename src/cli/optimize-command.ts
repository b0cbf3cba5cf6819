import { applySwitches, onlyAlgorithm, type OptimizeSwitches } from '../analyze/optimize-options.ts';
import { readBenchFile } from '../analyze/read-bench-file.ts';
import { optimizeTarget, recommend, type BenchSource } from '../analyze/recommend.ts';
import { recommendationText } from '../analyze/recommendation-text.ts';
import { taskTypeRule } from '../analyze/task-types.ts';
import { ConfigError } from '../errors.ts';

/**
 * Options of `conclave optimize`, as commander parses them.
 *
 * @example
 * ```ts
 * const o: OptimizeCommandOptions = { target: 'speed', taskType: 'routine_decisions', from: ['consensus_benchmark.json'] };
 * ```
 */
export interface OptimizeCommandOptions extends OptimizeSwitches {
  readonly target: string;
  readonly taskType?: string;
  /** `conclave bench` files to draw on (several: e.g. one per in-flight window, or per fault load). */
  readonly from?: readonly string[];
  readonly json?: boolean;
}

/**
 * `conclave optimize --target speed|reliability|expertise [--task-type T] [--from FILE ...]`:
 * recommends an algorithm, a size and settings, quoting the figures that justify them, or
 * without (qualifying) measurements, from the algorithms' properties, labelled as such, with the
 * bench commands that would measure them. Returns 0; bad input throws a ConfigError (exit 2).
 *
 * @example
 * ```ts
 * process.exitCode = optimizeCommand({ target: 'reliability', from: ['faults.json'] }, console.log);
 * ```
 */
export function optimizeCommand(o: OptimizeCommandOptions, out: (line: string) => void): number {
  const target = optimizeTarget(o.target);
  const rule = taskTypeRule(o.taskType);
  const sources: BenchSource[] = (o.from ?? []).map((file, i) => {
    const f = readBenchFile(file);
    if (f.kind !== 'bench')
      throw new ConfigError(
        `--from[${i}]`,
        'a conclave bench file (conclave bench --output FILE): micro-benchmark results measure the runtime, not the algorithms',
        `${file} (npm run bench results)`,
      );
    return { file, report: f.report };
  });
  const r = applySwitches(recommend(target, rule, sources, onlyAlgorithm(o)), o);
  if (o.json) out(JSON.stringify(r, null, 2));
  else recommendationText(r).forEach((l) => out(l));
  return 0;
}
