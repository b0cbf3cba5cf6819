import type { Scenario } from '../scenario/index.ts';
import { driverForConsensus } from './drivers.ts';
import type { ScenarioResult } from './report.ts';
import type { RunOptions } from './run-options.ts';
import { ScenarioRun } from './scenario-run.ts';

export type { RunOptions } from './run-options.ts';
export type { ScenarioResult } from './report.ts';

/**
 * Runs a scenario end to end, whatever its protocol: the protocol's driver checks its settings
 * (loading a custom policy or implementation), then the one common path creates the system,
 * spawns, installs the topology, lays the faults and the schedule, drives the workload,
 * settles, shuts down, checks and reports. Bad configuration fails before anything is spawned.
 *
 * @example
 * ```ts
 * const scenario = await loadScenarioFile('examples/db-choice.yml');
 * const result = await runScenario(scenario, { seed: 42 });
 * ```
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  return (await ScenarioRun.start(scenario, driverForConsensus(scenario.consensus), options)).finish();
}
