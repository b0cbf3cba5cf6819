import type { ScenarioResult } from './report.ts';

/**
 * A run's result with the warnings its scenario gathered while loading (configuration keys the
 * runtime does not read, small bare-number timeouts) put before the protocol's own, each once.
 * The run summary prints every warning as "not used".
 *
 * @example
 * ```ts
 * withLoadWarnings(result, ['consensus.malicious_detection: not used ...']).warnings![0]; // 'consensus.malicious_detection: not used ...'
 * ```
 */
export function withLoadWarnings(result: ScenarioResult, warnings: readonly string[] | undefined): ScenarioResult {
  if (warnings === undefined || warnings.length === 0) return result;
  const all = [...new Set([...warnings, ...(result.warnings ?? [])])];
  return { ...result, warnings: all };
}
