import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { TopologySwitch } from '../scheduler/topology-control.ts';
import type { Member, TopologySpec } from '../topologies/index.ts';
import { COORDINATOR_ID, type SwarmPlan } from './build-swarm.ts';
import type { ScenarioResult } from './report.ts';
import type { RunOptions } from './run-options.ts';
import { ScenarioRun } from './scenario-run.ts';
import { votingDriver, type VotingRun } from './voting-driver.ts';

/**
 * A voting scenario's swarm, running: its actors spawned, its topology installed, its faults
 * laid. `run()` drives the workload and reports; meanwhile (threads mode, or from a trace
 * callback in sim mode) the swarm can be rewired with `switchTopology`, `joinTopology` and
 * `leaveTopology`. The run itself takes the one path every protocol takes (ScenarioRun).
 *
 * @example
 * ```ts
 * const swarm = await Swarm.start(scenario, { mode: 'threads', workers: 2 });
 * const running = swarm.run();
 * await swarm.switchTopology('ring');
 * const result = await running;
 * ```
 */
export class Swarm {
  private constructor(private readonly scenarioRun: ScenarioRun) {}

  /** Checks the scenario, then creates the system, spawns the swarm and installs its topology. */
  static async start(scenario: Scenario, options: RunOptions = {}): Promise<Swarm> {
    return new Swarm(await ScenarioRun.start(scenario, votingDriver, options));
  }

  get scenario(): Scenario {
    return this.scenarioRun.setup.scenario;
  }

  get plan(): SwarmPlan {
    return (this.scenarioRun.protocol as VotingRun).plan;
  }

  get system(): ActorSystem {
    return this.scenarioRun.system;
  }

  /** Switches the swarm's topology now (it keeps its members). */
  switchTopology(spec: TopologySpec, reason = 'api'): Promise<TopologySwitch> {
    return this.system.switchTopology(spec, { reason });
  }

  /** Adds a member to the topology (an actor spawned on `system`; it votes from the next decision). */
  joinTopology(member: Member | ActorId): Promise<TopologySwitch> {
    return this.system.joinTopology(member);
  }

  /** Takes a member out of the topology: later decisions no longer ask it. */
  async leaveTopology(id: ActorId): Promise<TopologySwitch> {
    if (id === COORDINATOR_ID)
      throw new ConfigError('leaveTopology', 'a voter (the coordinator broadcasts every proposal over the topology, so it cannot leave it)', id);
    return this.system.leaveTopology(id);
  }

  /** Runs the workload to its end, then settles, shuts the system down and reports. Once. */
  run(): Promise<ScenarioResult> {
    return this.scenarioRun.finish();
  }

  /**
   * Ends the workload early: the coordinator opens no more decisions (nor workflow stages),
   * closes those in flight as usual, and `run()` then reports what was done. For a stop on
   * Ctrl-C, or a test that decides when it has seen enough. Harmless once the run has ended.
   */
  stop(): void {
    this.scenarioRun.windDown();
  }

  /** Shuts the system down (if still running) and closes the trace file. */
  close(): Promise<void> {
    return this.scenarioRun.close();
  }
}
