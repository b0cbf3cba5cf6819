import { loadBehaviour } from '../actors/registry.ts';
import type { TraceEvent, TraceLevel } from '../actors/trace-event.ts';
import { layFaults } from '../adversary/lay-faults.ts';
import { RunCheckers } from '../check/registry.ts';
import { ConfigError } from '../errors.ts';
import { AlertWatcher } from '../monitoring/alert-watcher.ts';
import { parseFaultPlan, type FaultPlan } from '../scenario/fault-plan.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { createSystem } from '../system/create-system.ts';
import { buildTopology, type TopologySpec } from '../topologies/index.ts';
import { enterpriseWarnings } from './enterprise-settings.ts';
import { EpochLatencies } from './epoch-figures.ts';
import { withLoadWarnings } from './load-warnings.ts';
import type { DriverSetup, ProtocolDriver, ProtocolRun } from './protocol-driver.ts';
import type { ScenarioResult } from './report.ts';
import type { LiveRun, RunOptions } from './run-options.ts';
import { TraceFile } from './trace-file.ts';

/**
 * The one path every protocol's run takes: plan (the driver checks its settings), check the
 * scenario's faults, schedule and topology against the members, create the system, spawn,
 * install the topology, lay the faults and the schedule on the system's clock, drive the
 * workload, settle, shut down, check the trace and report. Nothing here knows a protocol by name:
 * what differs is the driver's (src/swarm/drivers.ts).
 *
 * @example
 * ```ts
 * const run = await ScenarioRun.start(scenario, raftDriver, { seed: 7 });
 * const result = await run.finish();
 * ```
 */
export class ScenarioRun implements LiveRun {
  private finished: Promise<ScenarioResult> | undefined;
  private out: TraceFile | undefined;
  private origin: number | undefined;
  private readonly epochs = new EpochLatencies();
  /** The `monitoring:` alerts, raised from the trace as it goes. */
  private readonly watcher: AlertWatcher;

  private constructor(
    readonly setup: DriverSetup,
    readonly protocol: ProtocolRun,
    readonly system: ActorSystem,
    private readonly checks: RunCheckers,
    private readonly traced: boolean,
    /** The enterprise settings this run does not honour, each named (see enterprise-settings.ts). */
    private readonly enterprise: readonly string[],
  ) {
    this.watcher = new AlertWatcher(setup.scenario.monitoring ?? {}, setup.options.onAlert);
  }

  /**
   * Everything up to the workload: bad configuration fails here, before anything is spawned;
   * once the system exists, a failure shuts it down before it is thrown.
   */
  static async start(scenario: Scenario, driver: ProtocolDriver, options: RunOptions = {}): Promise<ScenarioRun> {
    const mode = options.mode ?? scenario.mode ?? 'sim';
    const seed = options.seed ?? scenario.seed ?? 1;
    const setup: DriverSetup = { scenario, options, mode, seed };
    const traceLevel: TraceLevel = options.traceLevel ?? 'events';
    // Before the driver: production_mode refuses here what would only be warned about.
    const enterprise = enterpriseWarnings(scenario, driver.name === 'voting' ? 'voting' : scenario.consensus.algorithm, {
      hook: options.oversight !== undefined || scenario.oversight !== undefined,
      traced: traceLevel !== 'off',
    });
    const protocol = await driver.prepare(setup);
    const faults = parseFaultPlan(scenario.faults, protocol.faultDefaults);
    checkTopologies(scenario, protocol);
    const system = await (options.createSystem ?? createSystem)(
      mode === 'sim'
        ? { mode, seed, traceLevel, signatures: protocol.system.signatures }
        : { mode, seed, traceLevel, workers: options.workers, signatures: protocol.system.signatures, preload: protocol.system.preload },
    );
    const run = new ScenarioRun(setup, protocol, system, new RunCheckers(protocol.checker, protocol.checkerOptions), traceLevel !== 'off', enterprise);
    options.onSystem?.(system, run);
    try {
      run.listen();
      // Sim-mode fault control compromises a member between two events: the adversary must be loaded.
      if (protocol.adversary !== undefined) await loadBehaviour(protocol.adversary.behaviour);
      await protocol.spawn(system);
      await system.switchTopology(protocol.topology, { members: protocol.members, reason: protocol.topologyReason });
      run.layFaults(faults);
      if (!protocol.runsSchedule) run.laySchedule();
    } catch (e) {
      await run.close();
      throw e;
    }
    return run;
  }

  /** Drives the workload to its end, shuts the system down, checks and reports. Once. */
  finish(): Promise<ScenarioResult> {
    this.finished ??= this.finishOnce();
    return this.finished;
  }

  get byzantineKinds(): readonly string[] {
    return this.protocol.adversary?.kinds ?? [];
  }

  makeByzantine(member: string, kinds?: readonly string[]): string {
    const adversary = this.protocol.adversary;
    const name = this.setup.scenario.consensus.algorithm;
    if (adversary === undefined) throw new ConfigError('byzantine', 'a protocol with an adversary (a vote, raft or pbft)', `${name} (it has none)`);
    const { members } = this.protocol.faultCluster;
    if (!members.includes(member))
      throw new ConfigError('byzantine.member', `a member of this ${name} run (${members.slice(0, 4).join(', ')}${members.length > 4 ? ', ...' : ''})`, member);
    const lies = kinds === undefined || kinds.length === 0 ? adversary.defaultKinds : kinds;
    lies.forEach((k, i) => {
      if (!adversary.kinds.includes(k)) throw new ConfigError(`byzantine.kinds[${i}]`, `one of ${adversary.kinds.join(', ')}`, k);
    });
    const faults = this.system.faults;
    if (!faults.running(member)) throw new ConfigError('byzantine.member', 'a member that is running (recover it first)', `${member} (crashed)`);
    faults.at(0, () => {
      if (faults.running(member)) faults.compromise(member, adversary.behaviour, adversary.compromised(member, lies), `now lies: ${lies.join(', ')}`);
    });
    return `make ${member} Byzantine (${lies.join(', ')}) at t=${Math.round(faults.now()).toLocaleString('en-US')} ms`;
  }

  /** Ends the workload early (no new decisions); `finish()` then reports what was done. */
  windDown(): void {
    this.protocol.windDown?.(this.system);
  }

  /** Shuts the system down (if still running) and closes the trace file. */
  async close(): Promise<void> {
    await this.system.shutdown().catch(() => undefined);
    this.out?.close();
    this.out = undefined;
  }

  private async finishOnce(): Promise<ScenarioResult> {
    try {
      const workload = await this.protocol.drive(this.system);
      const result = await this.system.shutdown();
      const report = this.protocol.report({
        setup: this.setup,
        workload,
        result,
        checks: this.checks.finish(result),
        safetyChecked: this.traced,
        origin: this.origin,
        epochs: this.epochs,
      });
      const warnings = [...(report.warnings ?? []), ...this.enterprise, ...(this.protocol.runWarnings?.() ?? [])];
      return withLoadWarnings({ ...report, alerts: [...this.watcher.alerts], ...(warnings.length > 0 ? { warnings } : {}) }, this.setup.scenario.warnings);
    } finally {
      await this.close();
    }
  }

  private listen(): void {
    const { options } = this.setup;
    this.out = options.traceFile ? new TraceFile(options.traceFile) : undefined;
    const context = { origin: 0, epochs: this.epochs };
    this.system.trace$.subscribe((e: TraceEvent) => {
      if (this.origin === undefined) context.origin = this.origin = e.t;
      this.checks.observe(e);
      this.epochs.observe(e);
      if (this.watcher.active) this.watcher.observe(e);
      this.protocol.observe(e, context);
      this.out?.write(e);
      options.onEvent?.(e);
    });
  }

  /** The scenario's faults, on the system's clock; cascades spread along the topology in force. */
  private layFaults(plan: FaultPlan): void {
    const { system, protocol } = this;
    // Hosts exist where actors are placed on workers or nodes (ThreadSystem.workerOf), not in sim mode.
    const placed = system as ActorSystem & { workerOf?: (id: string) => number | undefined };
    const hostOf = typeof placed.workerOf === 'function' ? (id: string) => placed.workerOf!(id) : undefined;
    layFaults(
      system.faults,
      { ...protocol.faultCluster, neighbours: (id) => system.topology?.neighbours(id) ?? [], seed: this.setup.seed, ...(hostOf ? { hostOf } : {}) },
      plan,
    );
  }

  /** `schedule:` topology switches, at their times on the system's clock. */
  private laySchedule(): void {
    const { system } = this;
    for (const entry of this.setup.scenario.schedule) {
      const spec = entry.switch_topology;
      if (spec === undefined) continue;
      system.faults.at(entry.atMs, () => {
        system.switchTopology(spec as TopologySpec, { reason: `schedule at ${entry.atMs} ms` }).catch((e: Error) => {
          system.faults.note('schedule-failed', `switch to ${JSON.stringify(spec)} at ${entry.atMs} ms: ${e.message}`);
        });
      });
    }
  }
}

/**
 * The initial topology and every scheduled switch must build over the members: a switch they
 * cannot take would only fail mid-run. A schedule entry that changes the task is for protocols
 * whose workload actor runs the schedule (voting); elsewhere it is refused by name.
 */
function checkTopologies(scenario: Scenario, protocol: ProtocolRun): void {
  buildTopology(protocol.topology, protocol.members);
  scenario.schedule.forEach((entry, i) => {
    if (entry.switch_topology !== undefined) buildTopology(entry.switch_topology as TopologySpec, protocol.members, { path: `schedule[${i}].switch_topology` });
    if (!protocol.runsSchedule && entry.task !== undefined) {
      throw new ConfigError(
        `schedule[${i}].task`,
        `switch_topology only (a scheduled task change is for voting algorithms; ${scenario.consensus.algorithm} has no task to change)`,
        entry.task,
      );
    }
  });
}
