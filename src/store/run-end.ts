import { violationText } from '../check/violation.ts';
import type { ScenarioResult } from '../swarm/report.ts';
import type { RunEnd } from './writer-core.ts';

/**
 * How a finished scenario run goes into the store: its status from its exit code (0 completed,
 * 1 violated, 3 failed), the result as JSON, and every checker finding.
 *
 * @example
 * ```ts
 * await recorder.finish(scenarioRunEnd(result, runExitCode(result), opts.trace));
 * ```
 */
export function scenarioRunEnd(result: ScenarioResult, exitCode: number, tracePath?: string): RunEnd {
  const status = exitCode === 0 ? 'completed' : exitCode === 1 ? 'violated' : 'failed';
  const findings = [...result.safetyViolations, ...result.livenessViolations].map((v) => ({
    kind: v.kind,
    checker: v.checker,
    text: violationText(v),
    detail: JSON.stringify(v),
  }));
  return { status, exitCode, result: JSON.stringify(result), traceHash: result.traceHash, tracePath, findings };
}

/**
 * How a run that broke off (an error instead of a result) goes into the store.
 *
 * @example
 * ```ts
 * await recorder.finish(brokenRunEnd(error, exitCodeForError(error)));
 * ```
 */
export function brokenRunEnd(error: unknown, exitCode: number): RunEnd {
  return { status: 'broken', exitCode, error: error instanceof Error ? error.message : String(error) };
}
