import type { Message } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { BYZANTINE_KINDS, BYZANTINE_VOTER, type ByzantineKind, type ByzantineVoterProps } from '../adversary/byzantine-voter.ts';
import type { VoterProps } from '../protocols/voting/voter.ts';
import { DEFAULT_TERMINATION_BOUND_MS } from '../check/termination.ts';
import { VotingTallyMonitor } from '../check/voting-tally.ts';
import { ConfigError, CoordinatorFailedError, HostCrashedError } from '../errors.ts';
import { validateAdaptiveMapping } from '../protocols/voting/adaptive.ts';
import { checkAlgorithm } from '../protocols/voting/algorithms.ts';
import type { CoordinatorProps, RunSummary } from '../protocols/voting/coordinator.ts';
import { asOversightAnswer, loadOversightModule, type OversightAnswer, type OversightHook } from '../protocols/voting/oversight.ts';
import { loadPolicyModule, registerPolicy } from '../protocols/voting/policy-module.ts';
import { voteAlgorithmFor } from '../scenario/decision-policies.ts';
import { COORDINATOR } from '../protocols/voting/refs.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import { COORDINATOR_ID, planSwarm, roleMap, type SwarmPlan } from './build-swarm.ts';
import { settleBounded } from './client-run.ts';
import { votingSecurityWarnings } from './security-warnings.ts';
import { CoordinatorLedger, joinSummaries } from './coordinator-ledger.ts';
import { classesUsed, longestDecisionMs } from './enterprise-settings.ts';
import { mainRole } from './main-role.ts';
import type { DriverSetup, FinishedRun, ProtocolAdversary, ProtocolDriver, ProtocolRun, Workload } from './protocol-driver.ts';
import { buildReport, type RunFailure, type ScenarioResult } from './report.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * The voting algorithms (simple_majority, supermajority, weighted_voting,
 * byzantine_supermajority, adaptive, a custom policy, workflows): a coordinator proposes over
 * the topology, voters answer, the coordinator tallies. It runs the scenario's `schedule:`
 * itself (its entries may change the task mid-run, and a coordinator restarted after its
 * worker died resumes the schedule where it was).
 *
 * @example
 * ```ts
 * const run = await ScenarioRun.start(scenario, votingDriver);
 * ```
 */
export const votingDriver: ProtocolDriver = {
  name: 'voting',
  prepare: async (setup) => {
    const { scenario, options } = setup;
    if (scenario.consensus.escalation === 'wait' && options.onEscalation === undefined) {
      throw new ConfigError(
        'consensus.escalation',
        "'record', or 'wait' together with a human-oversight hook (RunOptions.onEscalation; the command line has none)",
        'wait',
      );
    }
    if (scenario.workflow === undefined && scenario.task.options.length === 0) {
      throw new ConfigError('task.options', `a list of at least 2 options (${scenario.consensus.algorithm} votes on them)`, undefined);
    }
    if (scenario.task.reads !== undefined)
      throw new ConfigError(
        'task.reads',
        `no reads for ${scenario.consensus.algorithm} (reads are Raft's: linearizable reads of its log)`,
        scenario.task.reads,
      );
    const unhonoured = scenario.production_mode ? votingSecurityWarnings(scenario, options) : [];
    if (unhonoured.length > 0)
      throw new ConfigError(
        'production_mode',
        `a scenario every setting of which this run honours (production_mode: true refuses what would only be warned about): ${unhonoured[0]}`,
        true,
      );
    const preload = await preparePolicies(scenario);
    await mainRole(scenario, COORDINATOR); // a bad consensus.implementation fails here, naming the field
    const oversight = options.oversight ?? (scenario.oversight ? await loadOversightModule(scenario.oversight) : undefined);
    return new VotingRun(setup, planSwarm(scenario, { traceVotes: options.traceVotes, seed: setup.seed }), preload, oversight);
  },
};

/**
 * One voting run: the coordinator's workload, what the trace shows of it, its report.
 *
 * @example
 * ```ts
 * const run = (await votingDriver.prepare({ scenario, options: {}, mode: 'sim', seed: 1 })) as VotingRun;
 * run.plan.actors.map((a) => a.id); // ['coordinator', 'researcher_001', ...]
 * ```
 */
export class VotingRun implements ProtocolRun {
  readonly checker = 'voting' as const;
  readonly checkerOptions;
  readonly system;
  readonly members;
  readonly topology;
  readonly topologyReason;
  readonly faultDefaults = { defaultTarget: 'random' };
  readonly faultCluster;
  readonly runsSchedule = true;
  readonly adversary: ProtocolAdversary = {
    behaviour: BYZANTINE_VOTER,
    kinds: BYZANTINE_KINDS,
    // An equivocation: the coordinator catches it at the second vote ("voted yes, then no").
    defaultKinds: ['conflicting_votes'],
    compromised: (id, kinds) => {
      const a = this.plan.actors.find((x) => x.id === id);
      if (a === undefined || id === COORDINATOR_ID) throw new ConfigError('member', `a voter of this swarm (the coordinator runs the vote)`, id);
      return { ...a.options, props: { ...(a.props as VoterProps), byzantine: kinds as ByzantineKind[] } satisfies ByzantineVoterProps };
    },
  };
  /** Re-counts every decision from its recorded votes; it needs the coordinator's configuration, which the registry's checkers are not given. */
  private readonly tally: VotingTallyMonitor;
  /** What the coordinator did, from the trace: survives the coordinator's worker. */
  private readonly ledger: CoordinatorLedger;
  private coordinatorFailed: (error: Error) => void = () => undefined;
  /** Rejects when the coordinator fails or stops (seen in the trace). */
  private readonly coordinatorDown = new Promise<never>((_, reject) => (this.coordinatorFailed = reject));
  private failureText = '';
  private seen = 0;
  private windingDown = false;
  private closed = false;
  private system$: ActorSystem | undefined;
  private summary: RunSummary | undefined;
  /** Oversight answers sim mode could not wait for (a Promise): the decisions took their timeout outcome. */
  private readonly unawaited: string[] = [];

  constructor(
    private readonly setup: DriverSetup,
    readonly plan: SwarmPlan,
    preload: string[],
    private readonly oversight?: OversightHook,
  ) {
    const { scenario, options } = setup;
    this.checkerOptions = { terminationBoundMs: options.terminationBoundMs ?? DEFAULT_TERMINATION_BOUND_MS + longestDecisionMs(scenario) };
    // agent_authentication: required signs ballots with real Ed25519 in both modes (sim would default to modelled tokens).
    this.system = { preload, ...(scenario.security?.agentAuthentication ? { signatures: 'ed25519' as const } : {}) };
    this.members = plan.members;
    this.topology = plan.topology;
    this.topologyReason = plan.topologyReason;
    const roles = roleMap(scenario);
    // The coordinator drives the run: it is never a target and stays on the majority's side.
    this.faultCluster = { members: [...roles.keys()], outsiders: [COORDINATOR_ID], roles, leaderName: undefined, leader: () => null };
    this.tally = new VotingTallyMonitor(plan.actors.find((a) => a.id === COORDINATOR_ID)!.props as CoordinatorProps);
    this.ledger = new CoordinatorLedger(scenario);
    this.coordinatorDown.catch(() => undefined);
  }

  observe(e: TraceEvent): void {
    if (e.type === 'failure' && e.actor === COORDINATOR_ID) this.failureText = e.error;
    if (e.type === 'stop' && e.actor === COORDINATOR_ID) this.coordinatorFailed(new CoordinatorFailedError(this.failureText || e.reason));
    // Ballots may have died with a worker: have the coordinator ask for the missing ones again.
    if (e.type === 'host-crash' && !this.closed) this.tell({ kind: 'resolicit' });
    this.ledger.observe(e);
    this.tally.observe(e, this.seen++);
    const onEscalation = this.setup.options.onEscalation;
    if (e.type === 'emit' && onEscalation && (e.event as { type?: string }).type === 'escalated' && (e.event as { mode?: string }).mode === 'wait') {
      const ev = e.event as { decision: string; risk: string | null };
      const answer = (value: string | undefined) => this.tell({ kind: 'human-decision', body: { decision: ev.decision, value } });
      // A synchronous answer is sent at once: in sim mode the run loop does not yield to
      // promises, so an answer that only comes later arrives after the run has ended.
      const value = onEscalation({ decision: ev.decision, risk: ev.risk });
      if (value instanceof Promise) void value.then(answer);
      else answer(value);
    }
    if (e.type === 'emit' && (e.event as { type?: string }).type === 'oversight-requested') this.askOversight(e.event as Record<string, unknown>);
  }

  /**
   * Asks the oversight hook about a held decision and sends its answer to the coordinator (from
   * the runtime's side). A hook that throws, or answers anything but approve/reject, rejects. In
   * sim mode a Promise is not awaited (see src/protocols/voting/oversight.ts): the decision takes
   * its timeout outcome, and the run's warnings say which.
   */
  private askOversight(ev: Record<string, unknown>): void {
    const decision = String(ev.decision);
    const send = (answer: OversightAnswer) => this.tell({ kind: 'oversight-answer', body: { decision, answer } });
    let value: OversightAnswer | Promise<OversightAnswer>;
    try {
      value = this.oversight!({
        decision,
        question: String(ev.question),
        options: [...(ev.options as string[])],
        value: String(ev.value),
        strength: Number(ev.strength),
        tally: { ...(ev.tally as Record<string, number>) },
        votes: Number(ev.votes),
        policyClass: String(ev.policy),
        timeoutMs: Number(ev.timeoutMs),
        ...(ev.stage !== undefined ? { stage: String(ev.stage) } : {}),
        ...(this.setup.options.runId !== undefined ? { runId: this.setup.options.runId } : {}),
      });
    } catch {
      value = 'reject';
    }
    if (!(value instanceof Promise)) return send(asOversightAnswer(value));
    if (this.setup.mode === 'sim') {
      value.catch(() => undefined);
      this.unawaited.push(decision);
      return;
    }
    value.then(
      (a) => send(asOversightAnswer(a)),
      () => send('reject'),
    );
  }

  runWarnings(): string[] {
    if (this.unawaited.length === 0) return [];
    const list = this.unawaited.length <= 5 ? this.unawaited.join(', ') : `${this.unawaited.slice(0, 5).join(', ')} and ${this.unawaited.length - 5} more`;
    return [
      `oversight: the hook answered ${list} with a Promise, which sim mode does not wait for (virtual time does not stop for a person), so each took its on_timeout outcome at oversight_timeout; answer synchronously in sim mode, or run with mode: threads`,
    ];
  }

  async spawn(system: ActorSystem): Promise<void> {
    this.system$ = system;
    for (const a of this.plan.actors) await system.spawn(a.id, a.behaviour, { ...a.options, props: a.props });
  }

  windDown(): void {
    this.windingDown = true;
    this.tell({ kind: 'wind-down' });
  }

  /**
   * Drives the workload. When the coordinator's worker dies (threads mode), the coordinator is
   * restarted on a live worker by its supervision, and the run resumes: the part before the
   * crash is taken from the trace (CoordinatorLedger), the decisions it left open are counted
   * as aborted, and the restarted coordinator is asked to run the rest. When it cannot go on
   * (no live worker, its own failure, the trace off so the part before is unknown), the run
   * still reports what was done, with `status: 'failed'` and why.
   */
  async drive(system: ActorSystem): Promise<Workload> {
    const { scenario, options } = this.setup;
    const started = performance.now();
    const parts: RunSummary[] = [];
    let aborted = 0;
    let failure: RunFailure | undefined;
    let request: Message = { kind: 'run' };
    let reply: RunSummary | undefined;
    for (;;) {
      try {
        const asked = system.ask(COORDINATOR_ID, request, { timeoutMs: options.timeoutMs ?? ampleTimeout(scenario) });
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
        if (options.traceLevel === 'off') {
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
    this.closed = true;
    this.summary = joinSummaries(reply ? [...parts, reply] : parts);
    return { wallMs, aborted, failure };
  }

  report(f: FinishedRun): ScenarioResult {
    const { setup, workload } = f;
    const violations = [...f.checks.safety, ...this.tally.violations.map((v) => ({ checker: 'voting-tally', kind: 'safety' as const, ...v }))];
    const report = buildReport(
      setup.scenario,
      this.plan,
      this.summary!,
      f.result,
      { violations, liveness: f.checks.liveness, latencies: f.epochs.byEpoch, origin: f.origin },
      { mode: setup.mode, seed: setup.seed, wallMs: workload.wallMs, traced: f.safetyChecked },
      { aborted: workload.aborted, failure: workload.failure },
    );
    const warnings = votingSecurityWarnings(setup.scenario, setup.options);
    return warnings.length > 0 ? { ...report, warnings } : report;
  }

  private tell(message: Message): void {
    try {
      this.system$?.send(COORDINATOR_ID, message);
    } catch {
      // The system is shutting down: nothing is waiting for it any more.
    }
  }
}

/** Enough for every decision to time out one after another, twice over. */
function ampleTimeout(s: Scenario): number {
  const rounds = s.workflow ? s.workflow.stages.length : Math.ceil((s.task.decisions ?? 1) / s.task.inFlight);
  return (s.task.durationMs ?? 0) + 2 * (rounds + 1) * longestDecisionMs(s);
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
    const registry = moduleUrl('../protocols/voting/policy-module.ts', import.meta.url).href;
    const source =
      `import { loadPolicyModule, registerPolicy } from ${JSON.stringify(registry)};\n` +
      `registerPolicy(${JSON.stringify(name)}, await loadPolicyModule(${JSON.stringify(consensus.policy)}));`;
    preload.push(`data:text/javascript,${encodeURIComponent(source)}`);
  }
  checkAlgorithm(consensus.algorithm, 'consensus.algorithm');
  if (consensus.adaptive) {
    const mapping = validateAdaptiveMapping(consensus.adaptive, 'consensus.adaptive');
    for (const [risk, algorithm] of Object.entries(mapping)) {
      if (algorithm === 'adaptive')
        throw new ConfigError(`consensus.adaptive.${risk}`, 'an algorithm adaptive can pick (not adaptive itself) or escalate', algorithm);
      if (algorithm !== 'escalate') checkAlgorithm(algorithm, `consensus.adaptive.${risk}`);
    }
  }
  scenario.workflow?.stages.forEach((s, i) =>
    checkAlgorithm(
      s.consensus_algorithm,
      s.consensus_algorithm === voteAlgorithmFor(scenario.decision_policies?.[s.policy!]?.algorithm ?? '')
        ? `decision_policies.${s.policy}.algorithm`
        : `workflow.stages[${i}].consensus_algorithm`,
    ),
  );
  for (const name of classesUsed(scenario)) {
    const algorithm = scenario.decision_policies?.[name]?.algorithm;
    if (algorithm !== undefined && algorithm !== 'raft') checkAlgorithm(voteAlgorithmFor(algorithm), `decision_policies.${name}.algorithm`);
  }
  if (consensus.dynamic_weights && consensus.algorithm !== 'weighted_voting') {
    throw new ConfigError('consensus.dynamic_weights', 'to be used with algorithm weighted_voting (weights only matter there)', consensus.algorithm);
  }
  return preload;
}
