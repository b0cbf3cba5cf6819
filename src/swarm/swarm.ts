import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent, TraceLevel } from '../actors/trace-event.ts';
import { ConfigError, CoordinatorFailedError, HostCrashedError } from '../errors.ts';
import { validateAdaptiveMapping } from '../protocols/voting/adaptive.ts';
import { checkAlgorithm } from '../protocols/voting/algorithms.ts';
import type { CoordinatorProps, RunSummary } from '../protocols/voting/coordinator.ts';
import { COORDINATOR } from '../protocols/voting/refs.ts';
import { loadPolicyModule, registerPolicy } from '../protocols/voting/policy-module.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { createSystem } from '../system/create-system.ts';
import type { TopologySwitch } from '../scheduler/topology-control.ts';
import { buildTopology, type Member, type TopologySpec } from '../topologies/index.ts';
import { COORDINATOR_ID, planSwarm, roleMap, type SwarmPlan } from './build-swarm.ts';
import { RunCheckers } from '../check/registry.ts';
import { VotingTallyMonitor } from '../check/voting-tally.ts';
import { mainRole } from './main-role.ts';
import { DEFAULT_TERMINATION_BOUND_MS } from '../check/termination.ts';
import { EpochLatencies } from './epoch-figures.ts';
import { buildReport, type ScenarioResult } from './report.ts';
import { TraceFile } from './trace-file.ts';
import { parseFaultPlan, type FaultPlan } from '../scenario/fault-plan.ts';
import { layFaults } from '../adversary/lay-faults.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { refuseTimedFaultsInThreads, settleBounded } from './client-run.ts';
import { CoordinatorLedger, joinSummaries } from './coordinator-ledger.ts';
import type { Message } from '../actors/envelope.ts';
import { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import type { RunFailure } from './report.ts';

/**
 * How to run a scenario; every field overrides the scenario's own setting.
 *
 * @example
 * ```ts
 * const result = await runScenario(scenario, { seed: 7, mode: 'threads', workers: 2, traceFile: 'run.jsonl' });
 * ```
 */
export interface RunOptions {
  readonly seed?: number;
  readonly mode?: 'sim' | 'threads';
  readonly workers?: number;
  /** Writes every trace event as a canonical JSON line. */
  readonly traceFile?: string;
  /** `events` (default) records proposals, votes and decisions; `off` is for raw throughput (no safety check then). */
  readonly traceLevel?: TraceLevel;
  /** One trace event per vote (default true). */
  readonly traceVotes?: boolean;
  /** Sees every trace event as it happens (a live timeline). */
  readonly onEvent?: (event: TraceEvent) => void;
  /**
   * Sees the run's system once it is created, before anything is spawned: for a fault drill or
   * a test that kills a worker mid-run (`(system as ThreadSystem).killWorker(i)`).
   */
  readonly onSystem?: (system: ActorSystem) => void;
  /**
   * Human oversight for `escalation: wait`: return an option to decide, or undefined to reject.
   * In sim mode answer synchronously (the simulation does not wait for promises).
   */
  readonly onEscalation?: (decision: { decision: string; risk: string | null }) => string | undefined | Promise<string | undefined>;
  /** Longest the run may take, in ms (virtual in sim mode); default: ample for the workload. */
  readonly timeoutMs?: number;
  /**
   * Termination after heal: how long a decision may stay unreached once the last fault ended,
   * in ms (virtual in sim mode). Default 5 s; a vote's default adds its voting timeout (a vote
   * may rightly wait that long for its last ballots).
   */
  readonly terminationBoundMs?: number;
}

/**
 * A scenario's swarm, running: its actors spawned, its topology installed. `run()` drives the
 * workload and reports; meanwhile (threads mode, or from a trace callback in sim mode) the swarm
 * can be rewired with `switchTopology`, `joinTopology` and `leaveTopology`.
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
  private readonly checks: RunCheckers;
  /** Re-counts every decision from its recorded votes; it needs the coordinator's configuration, which the registry's checkers are not given. */
  private readonly tally: VotingTallyMonitor;
  private readonly latencies = new EpochLatencies();
  private out: TraceFile | undefined;
  private result: Promise<ScenarioResult> | undefined;
  private closed = false;
  private windingDown = false;
  /** When the run's first event happened: crash times in the report count from it. */
  private origin: number | undefined;
  /** What the coordinator did, from the trace: survives the coordinator's worker. */
  private readonly ledger: CoordinatorLedger;
  private coordinatorFailed: (error: Error) => void = () => undefined;
  /** Rejects when the coordinator fails or stops (seen in the trace). */
  private readonly coordinatorDown = new Promise<never>((_, reject) => (this.coordinatorFailed = reject));

  private constructor(
    readonly scenario: Scenario,
    readonly plan: SwarmPlan,
    readonly system: ActorSystem,
    private readonly options: RunOptions,
    private readonly run$: { mode: 'sim' | 'threads'; seed: number; traced: boolean },
  ) {
    this.checks = new RunCheckers('voting', { terminationBoundMs: options.terminationBoundMs ?? DEFAULT_TERMINATION_BOUND_MS + scenario.consensus.votingTimeoutMs });
    this.tally = new VotingTallyMonitor(plan.actors.find((a) => a.id === COORDINATOR_ID)!.props as CoordinatorProps);
    this.ledger = new CoordinatorLedger(scenario);
  }

  /**
   * Checks the scenario's algorithms (loading a custom policy module), then creates the system,
   * spawns the swarm and installs its topology. Bad configuration fails before anything is spawned.
   */
  static async start(scenario: Scenario, options: RunOptions = {}): Promise<Swarm> {
    if (scenario.consensus.escalation === 'wait' && options.onEscalation === undefined) {
      throw new ConfigError('consensus.escalation', "'record', or 'wait' together with a human-oversight hook (RunOptions.onEscalation; the command line has none)", 'wait');
    }
    const mode = options.mode ?? scenario.mode ?? 'sim';
    const faults = parseFaultPlan(scenario.faults, { defaultTarget: 'random' });
    refuseTimedFaultsInThreads(mode, faults, scenario.faults);
    const seed = options.seed ?? scenario.seed ?? 1;
    const preload = await preparePolicies(scenario);
    await mainRole(scenario, COORDINATOR); // a bad consensus.implementation fails here, naming the field
    const plan = planSwarm(scenario, { traceVotes: options.traceVotes, seed: options.seed ?? scenario.seed ?? 1 });
    // A scheduled switch the members cannot take would only fail mid-run: check it now.
    buildTopology(plan.topology, plan.members);
    scenario.schedule.forEach((entry, i) => {
      if (entry.switch_topology !== undefined) buildTopology(entry.switch_topology, plan.members, { path: `schedule[${i}].switch_topology` });
    });
    const traceLevel: TraceLevel = options.traceLevel ?? 'events';
    const system: ActorSystem =
      mode === 'sim' ? await createSystem({ mode, seed, traceLevel }) : await createSystem({ mode, seed, traceLevel, workers: options.workers, preload });
    options.onSystem?.(system);
    const swarm = new Swarm(scenario, plan, system, options, { mode, seed, traced: traceLevel !== 'off' });
    try {
      swarm.listen();
      for (const a of plan.actors) await system.spawn(a.id, a.behaviour, { ...a.options, props: a.props });
      await system.switchTopology(plan.topology, { members: plan.members, reason: plan.topologyReason });
      if (system instanceof SimSystem) swarm.layFaults(system, faults);
    } catch (e) {
      await swarm.close();
      throw e;
    }
    return swarm;
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
    if (id === COORDINATOR_ID) throw new ConfigError('leaveTopology', 'a voter (the coordinator broadcasts every proposal over the topology, so it cannot leave it)', id);
    return this.system.leaveTopology(id);
  }

  /**
   * Lays the scenario's faults on the voters (the coordinator drives the run: it is never a
   * target and stays on the majority's side). Cascades spread along the topology in force.
   */
  private layFaults(sim: SimSystem, faults: FaultPlan): void {
    const roles = roleMap(this.scenario);
    layFaults(sim.faults, {
      members: [...roles.keys()], outsiders: [COORDINATOR_ID], roles, leaderName: undefined, leader: () => null,
      neighbours: (id) => sim.topology?.neighbours(id) ?? [], seed: this.run$.seed,
    }, faults);
  }

  /** Runs the workload to its end, then settles, shuts the system down and reports. Once. */
  run(): Promise<ScenarioResult> {
    this.result ??= this.runOnce();
    return this.result;
  }

  /**
   * Drives the workload. When the coordinator's worker dies (threads mode), the coordinator is
   * restarted on a live worker by its supervision, and the run resumes: the part before the
   * crash is taken from the trace (CoordinatorLedger), the decisions it left open are counted
   * as aborted, and the restarted coordinator is asked to run the rest. When it cannot go on
   * (no live worker, its own failure, the trace off so the part before is unknown), the run
   * still reports what was done, with `status: 'failed'` and why.
   */
  private async runOnce(): Promise<ScenarioResult> {
    const { system, scenario } = this;
    try {
      const started = performance.now();
      const parts: RunSummary[] = [];
      let aborted = 0;
      let failure: RunFailure | undefined;
      let request: Message = { kind: 'run' };
      let reply: RunSummary | undefined;
      for (;;) {
        try {
          const asked = system.ask(COORDINATOR_ID, request, { timeoutMs: this.options.timeoutMs ?? ampleTimeout(scenario) });
          if (this.windingDown) system.send(COORDINATOR_ID, { kind: 'wind-down' });
          // A coordinator that fails will never answer: report why at once rather than at the timeout.
          // First in the race: in sim mode both are settled by now (the loop ran inside ask).
          reply = (await Promise.race([this.coordinatorDown, asked])).body as RunSummary;
          break;
        } catch (e) {
          if (!(e instanceof CoordinatorFailedError || (e instanceof HostCrashedError && system instanceof ThreadSystem))) throw e;
          const crashes = system instanceof ThreadSystem ? await system.recovered() : [];
          const cut = this.ledger.cut(performance.now() - started);
          parts.push(cut.summary);
          aborted += cut.lost.length;
          const crash = crashes.at(-1);
          // A coordinator stopped by a host crash (no live worker to restart it on) is seen as a
          // stop in the trace too, and that may win the race: it is still the crash's doing.
          if (e instanceof CoordinatorFailedError && !crash?.stopped.includes(COORDINATOR_ID)) {
            failure = { kind: 'coordinator-failed', message: e.message };
            break;
          }
          const host = crash?.host ?? (e as HostCrashedError).worker;
          const where = `worker ${host} died${crash ? ` (${crash.detail})` : ''}, taking the coordinator's state and ${cut.lost.length} open decision${cut.lost.length === 1 ? '' : 's'} with it`;
          if (!this.run$.traced) {
            failure = { kind: 'host-crash', message: `${where}; with the trace off, what it had decided is unknown, so the run cannot resume` };
            break;
          }
          if ((system as ThreadSystem).workerOf(COORDINATOR_ID) === undefined) {
            failure = { kind: 'host-crash', message: `${where}; it could not be restarted (no live worker, or its restart failed)` };
            break;
          }
          // The coordinator was restarted (its supervision restarts it on a host crash): resume.
          request = { kind: 'run', body: cut.resume };
        }
      }
      const wallMs = performance.now() - started;
      await settleBounded(system);
      const result = await system.shutdown();
      const checks = this.checks.finish(result);
      const summary = joinSummaries(reply ? [...parts, reply] : parts);
      return buildReport(scenario, this.plan, summary, result, { violations: [...checks.safety, ...this.tally.violations.map((v) => ({ checker: 'voting-tally', kind: 'safety' as const, ...v }))], liveness: checks.liveness, latencies: this.latencies.byEpoch, origin: this.origin }, { ...this.run$, wallMs }, { aborted, failure });
    } finally {
      await this.close();
    }
  }

  /**
   * Ends the workload early: the coordinator opens no more decisions (nor workflow stages),
   * closes those in flight as usual, and `run()` then reports what was done. For a stop on
   * Ctrl-C, or a test that decides when it has seen enough. Harmless once the run has ended.
   */
  stop(): void {
    this.windingDown = true;
    if (!this.closed) this.system.send(COORDINATOR_ID, { kind: 'wind-down' });
  }

  /** Shuts the system down (if still running) and closes the trace file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.system.shutdown().catch(() => undefined);
    this.out?.close();
    this.out = undefined;
  }

  private resolicit(): void {
    try {
      this.system.send(COORDINATOR_ID, { kind: 'resolicit' });
    } catch {
      // The system is shutting down: nothing is waiting for ballots any more.
    }
  }

  /** Keeps what the report reads, writes the trace file, feeds `onEvent` and the human hook. */
  private listen(): void {
    const { options, system, checks, tally, latencies } = this;
    this.out = options.traceFile ? new TraceFile(options.traceFile) : undefined;
    this.coordinatorDown.catch(() => undefined);
    let failure = '';
    let seen = 0; // each event's position in the trace, as RunCheckers numbers them
    system.trace$.subscribe((e) => {
      this.origin ??= e.t;
      if (e.type === 'failure' && e.actor === COORDINATOR_ID) failure = e.error;
      if (e.type === 'stop' && e.actor === COORDINATOR_ID) this.coordinatorFailed(new CoordinatorFailedError(failure || e.reason));
      // Ballots may have died with a worker: have the coordinator ask for the missing ones again.
      if (e.type === 'host-crash' && !this.closed) this.resolicit();
      this.ledger.observe(e);
      checks.observe(e);
      tally.observe(e, seen++);
      latencies.observe(e);
      this.out?.write(e);
      options.onEvent?.(e);
      if (e.type === 'emit' && options.onEscalation && (e.event as { type?: string; mode?: string }).type === 'escalated' && (e.event as { mode?: string }).mode === 'wait') {
        const ev = e.event as { decision: string; risk: string | null };
        const answer = (value: string | undefined) => system.send(COORDINATOR_ID, { kind: 'human-decision', body: { decision: ev.decision, value } });
        // A synchronous answer is sent at once: in sim mode the run loop does not yield to
        // promises, so an answer that only comes later arrives after the run has ended.
        const value = options.onEscalation({ decision: ev.decision, risk: ev.risk });
        if (value instanceof Promise) void value.then(answer);
        else answer(value);
      }
    });
  }
}

/** Enough for every decision to time out one after another, twice over. */
function ampleTimeout(s: Scenario): number {
  const rounds = s.workflow ? s.workflow.stages.length : Math.ceil((s.task.decisions ?? 1) / s.task.inFlight);
  return (s.task.durationMs ?? 0) + 2 * (rounds + 1) * s.consensus.votingTimeoutMs;
}

/**
 * Loads and registers a custom policy module (here and, through a preload, in every worker),
 * then checks every algorithm the scenario names. Returns the workers' preload list.
 */
async function preparePolicies(scenario: Scenario): Promise<string[]> {
  const { consensus } = scenario;
  const preload: string[] = [];
  if (consensus.policy) {
    const policy = await loadPolicyModule(consensus.policy, 'consensus.policy');
    const name = consensus.policy.name ?? policy.name;
    registerPolicy(name, policy);
    const registry = new URL('../protocols/voting/policy-module.ts', import.meta.url).href;
    const source = `import { loadPolicyModule, registerPolicy } from ${JSON.stringify(registry)};\n` +
      `registerPolicy(${JSON.stringify(name)}, await loadPolicyModule(${JSON.stringify(consensus.policy)}));`;
    preload.push(`data:text/javascript,${encodeURIComponent(source)}`);
  }
  checkAlgorithm(consensus.algorithm, 'consensus.algorithm');
  if (consensus.adaptive) {
    const mapping = validateAdaptiveMapping(consensus.adaptive, 'consensus.adaptive');
    for (const [risk, algorithm] of Object.entries(mapping)) {
      if (algorithm === 'adaptive') throw new ConfigError(`consensus.adaptive.${risk}`, 'an algorithm adaptive can pick (not adaptive itself) or escalate', algorithm);
      if (algorithm !== 'escalate') checkAlgorithm(algorithm, `consensus.adaptive.${risk}`);
    }
  }
  scenario.workflow?.stages.forEach((s, i) => checkAlgorithm(s.consensus_algorithm, `workflow.stages[${i}].consensus_algorithm`));
  if (consensus.dynamic_weights && consensus.algorithm !== 'weighted_voting') {
    throw new ConfigError('consensus.dynamic_weights', 'to be used with algorithm weighted_voting (weights only matter there)', consensus.algorithm);
  }
  return preload;
}

