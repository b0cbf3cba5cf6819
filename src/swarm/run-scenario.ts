import type { Scenario } from '../scenario/index.ts';
import type { ScenarioResult } from './report.ts';
import { runPbftScenario } from './pbft-run.ts';
import { runRaftScenario } from './raft-run.ts';
import { Swarm, type RunOptions } from './swarm.ts';

export type { RunOptions } from './swarm.ts';
export type { ScenarioResult } from './report.ts';

/**
 * Runs a scenario end to end: checks its algorithms (loading a custom policy module), plans and
 * spawns the swarm, installs the topology, asks the coordinator to run the workload, then
 * settles, shuts down and reports. Bad configuration fails before anything is spawned.
 *
 * @example
 * ```ts
 * const scenario = await loadScenarioFile('examples/db-choice.yml');
 * const result = await runScenario(scenario, { seed: 42 });
 * ```
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  // Raft is a replicated log with a client, not a vote: it has its own driver.
  if (scenario.consensus.algorithm === 'raft') return runRaftScenario(scenario, options);
  // PBFT is three phases among replicas and a client, not a vote collected by a coordinator.
  if (scenario.consensus.algorithm === 'byzantine_tolerant' || scenario.consensus.algorithm === 'pbft') return runPbftScenario(scenario, options);
  return (await Swarm.start(scenario, options)).run();
}
