import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import { SYSTEM_SENDER, type ActorId, type Envelope } from '../../actors/envelope.ts';
import { selectTopology, type SelectionRule, type TaskDescriptor, type TopologySpec } from '../../topologies/index.ts';
import { algorithmFor, policyFor, type AlgorithmConfig } from './algorithms.ts';
import { emptyClassCounts, reviewByExperts, tallyOf, type DecisionClassRules, type PolicyClassCounts } from './decision-class.ts';
import { asOversightAnswer, emptyOversightCounts, type OversightCounts, type OversightSettlement } from './oversight.ts';
import { emptyHistogram, record } from './latency-histogram.ts';
import { ABSTAIN, type Outcome, type Policy, type Proposal, type RiskLevel, type Vote } from './types.ts';
import { updateWeights, type DynamicWeightOptions } from './weights.ts';
import { checkCompliance, justified, openBallot, refusalCounters, type SecurityRefusal, type VoteSecurity } from './vote-security.ts';
import { detailedVote } from './vote-detail.ts';
import { blockedBy, electorateFor, readyStages, type Stage, type StageStatus } from './workflow.ts';

/**
 * How a coordinator decides: the algorithm and its parameters, the voting timeout, what to do
 * when a decision escalates, and what dynamic weights learn from.
 *
 * @example
 * ```ts
 * const c: CoordinatorConsensus = { algorithm: 'simple_majority', votingTimeoutMs: 60_000 };
 * ```
 */
export interface CoordinatorConsensus extends AlgorithmConfig {
  readonly votingTimeoutMs: number;
  /** `record` (default): count it as escalated and go on; `wait`: hold it open for a `human-decision`. */
  readonly escalation?: 'record' | 'wait';
  readonly weight_reference?: 'truth' | 'outcome';
  readonly dynamicOptions?: DynamicWeightOptions;
}

/**
 * What the coordinator is given at spawn: plain data, so it runs the same in a worker.
 *
 * @example
 * ```ts
 * await system.spawn('coordinator', COORDINATOR, { props: { consensus, task, voterInfo } satisfies CoordinatorProps });
 * ```
 */
export interface CoordinatorProps {
  readonly consensus: CoordinatorConsensus;
  readonly task: {
    readonly question: string;
    readonly options: readonly string[];
    readonly truth?: string;
    readonly domain?: string;
    readonly risk?: RiskLevel;
    readonly decisions?: number;
    readonly durationMs?: number;
    readonly inFlight: number;
    /** The task's class of decision (a key of `policies`). */
    readonly policy?: string;
  } & TaskDescriptor;
  /** Classes of decision (`decision_policies`), by name. */
  readonly policies?: Readonly<Record<string, DecisionClassRules>>;
  /** Each voter's domains of expertise, for `expert_review`. */
  readonly experts?: Readonly<Record<ActorId, readonly string[]>>;
  /** Voters and what they know (domains pick stage electorates); default: the topology's other members. */
  readonly voterInfo?: Readonly<Record<ActorId, { readonly role: string; readonly domains?: readonly string[] }>>;
  readonly workflow?: { readonly stages: readonly Stage[] };
  /** Topology switches and task changes at points in time (virtual in sim mode). */
  readonly schedule?: readonly {
    readonly atMs: number;
    readonly switch_topology?: TopologySpec;
    readonly task?: Partial<TaskDescriptor & { risk: RiskLevel }>;
  }[];
  /** When set, the topology follows the task descriptor through these rules (re-evaluated at every task change). */
  readonly selectionRules?: readonly SelectionRule[];
  /** The topology already installed (JSON of its spec), so the selector does not ask for it again. */
  readonly initialTopology?: string;
  /** Emit one trace event per vote (the timeline). Default true; benchmarks turn it off. */
  readonly traceVotes?: boolean;
  /** What the scenario's `security:` and `audit:` sections ask of ballots and records (vote-security.ts). */
  readonly security?: VoteSecurity;
}

interface OpenDecision {
  readonly proposal: Proposal;
  readonly expected: readonly ActorId[];
  /** `expected` as a set: a vote's membership check is O(1) in the swarm's size, not O(n). */
  readonly electorate: ReadonlySet<ActorId>;
  readonly votes: Vote[];
  /** Who has voted, with their first ballot (a second, different one is evidence). */
  readonly voted: Map<ActorId, Vote>;
  readonly openedAt: number;
  readonly stage?: string;
  /** Its class of decision (`policies`), if any. */
  readonly policyClass?: string;
  /**
   * Voters asked a second time after a host crash: an honest one whose first ballot was only
   * slow votes twice, so a second, different vote from them is refused but is no evidence of lying.
   */
  resolicited?: Set<ActorId>;
}

/**
 * The body of a `run` that resumes a run whose coordinator was lost with its worker (threads
 * mode): the swarm rebuilt from the trace what the lost coordinator had done, and the restarted
 * one takes the rest of the workload from there. Its reply then covers only what it did itself.
 *
 * @example
 * ```ts
 * system.ask('coordinator', { kind: 'run', body: { seq: 12, decisions: 88, elapsedMs: 420 } satisfies RunResume }, { timeoutMs: 60_000 });
 * ```
 */
export interface RunResume {
  /**
   * The highest decision number used so far: new decisions are numbered after it, so a late
   * ballot for a decision lost with the crash is refused as late, never counted for a new one.
   */
  readonly seq: number;
  /** Decisions still to open (a `decisions` workload). */
  readonly decisions?: number;
  /** ms of the run already gone: a `duration` workload and the schedule count from the run's start. */
  readonly elapsedMs: number;
  /** Workflow stages as they stood; a stage still `open` was lost with the crash, and fails. */
  readonly stages?: RunSummary['stages'];
  /** Dynamic weights learnt so far. */
  readonly weights?: Record<string, number>;
}

/**
 * The figures a run reports, as the coordinator counts them. `decided` reached consensus;
 * `noConsensus` closed with every vote in and no consensus; `timedOut` closed at the timeout
 * without consensus (a liveness failure); `escalated` went to human oversight (and, when a
 * person answered, is also counted as decided or not).
 *
 * @example
 * ```ts
 * const summary = (await system.ask('coordinator', { kind: 'run' }, { timeoutMs: 60_000 })).body as RunSummary;
 * console.log(summary.decided / summary.attempted);
 * ```
 */
export interface RunSummary {
  attempted: number;
  decided: number;
  noConsensus: number;
  timedOut: number;
  escalated: number;
  /** Decisions with a ground truth that reached consensus, and how many of them chose it. */
  judged: number;
  correct: number;
  byOutcome: Record<string, number>;
  /**
   * Votes refused: from a non-voter, a second vote by the same agent, malformed, or late; and,
   * only when the scenario's security or audit settings enforce them, the SecurityRefusal reasons.
   */
  refusedVotes: { stranger: number; duplicate: number; malformed: number; late: number } & Partial<Record<SecurityRefusal, number>>;
  /** Agents caught lying, with the first evidence against each. */
  byzantine: Record<string, string>;
  latency: number[];
  startedAt: number;
  finishedAt: number;
  weights: Record<string, number>;
  stages?: Record<string, { status: StageStatus; decision?: string; strength?: number; reason?: string }>;
  /** Per class of decision (`decision_policies`), when the run has classes. */
  byPolicy?: Record<string, PolicyClassCounts>;
  /** Decisions held for human oversight, and how they were settled, when any class asks for it. */
  oversight?: OversightCounts;
  /** With `audit.compliance_check`: decisions checked, and those that failed (the first 100) with why. */
  compliance?: { checked: number; failed: number; findings: { decision: string; finding: string }[] };
}

/**
 * The coordinator's books. A class, not a plain object, on purpose: immer leaves class instances
 * alone, so the coordinator updates its books in place instead of through a draft (reading 64
 * open decisions and their votes through proxies made 20,000 decisions take 3.2 s instead of 0.7 s),
 * and the runtime hands out deep copies as snapshots. Only this behaviour touches it.
 */
class CoordinatorState {
  seq = 0;
  running = false;
  /** Asked to wind down: open no more decisions, close those in flight, then report. */
  windingDown = false;
  request: { from: ActorId; corr: number | undefined } | undefined = undefined;
  // The tables by decision id have no prototype: a stage may be named "__proto__" (its entry was
  // set as the table's prototype, and every ballot for it refused as late) or "constructor" (a
  // timeout or a late oversight answer for it, once settled, found Object's and threw).
  open: Record<string, OpenDecision> = Object.create(null);
  waiting: Record<string, OpenDecision> = Object.create(null);
  openCount = 0;
  waitingCount = 0;
  /** Decisions voted on and held for human oversight, with the outcome the vote reached. */
  held: Record<string, { d: OpenDecision; outcome: Outcome; cause: 'complete' | 'timeout'; algorithm: string }> = Object.create(null);
  heldCount = 0;
  summary: RunSummary = emptySummary();
  /** Decisions this coordinator may open (a resumed run's remainder); default `task.decisions`. */
  budget: number | undefined = undefined;
  constructor(
    public task: CoordinatorProps['task'],
    /** JSON of the topology last asked for (or installed), so the selector does not ask twice. */
    public topology: string | undefined,
  ) {}
}

/** A summary of nothing yet: a coordinator's at start, and each segment of a run split by coordinator crashes (src/swarm/coordinator-ledger.ts). */
export const emptySummary = (): RunSummary => ({
  attempted: 0,
  decided: 0,
  noConsensus: 0,
  timedOut: 0,
  escalated: 0,
  judged: 0,
  correct: 0,
  byOutcome: {},
  refusedVotes: { stranger: 0, duplicate: 0, malformed: 0, late: 0 },
  byzantine: {},
  latency: emptyHistogram(),
  startedAt: 0,
  finishedAt: 0,
  weights: {},
});

type Ctx = ActorContext<CoordinatorProps>;

/**
 * Runs decisions as conversations: it opens a decision (a proposal with its options and
 * deadline), broadcasts it over the topology in force, collects one vote per voter, and closes
 * when every vote is in or at the voting timeout, judging with the configured policy. Asked
 * `run`, it drives the whole workload (`decisions` or `duration`, `inFlight` at once, or a
 * workflow's stages) and replies with a RunSummary when the last decision closes; sent
 * `wind-down`, it opens nothing more and replies once those in flight have closed. Every step is
 * traced (`proposal`, `vote`, `decided`, `escalated`, `weights`, `stage`), which is what the
 * timeline and the safety checker read.
 *
 * The sender of a vote is the runtime-stamped `from`, never the `agent` field of its body: an
 * agent can lie about what it votes, not about who it is.
 *
 * @example
 * ```ts
 * const reply = await system.ask('coordinator', { kind: 'run' }, { timeoutMs: 600_000 });
 * const summary = reply.body as RunSummary;
 * ```
 */
export const coordinator: Behaviour<CoordinatorState, CoordinatorProps> = {
  init: (ctx) => {
    const state = new CoordinatorState(ctx.props.task, ctx.props.initialTopology);
    Object.assign(state.summary.refusedVotes, refusalCounters(ctx.props.security));
    if (ctx.props.security?.compliance) state.summary.compliance = { checked: 0, failed: 0, findings: [] };
    return state;
  },
  receive(state, env, ctx) {
    switch (env.kind) {
      case 'run':
        return start(state, env, ctx);
      case 'vote':
        return onVote(state, env, ctx);
      // Control messages count only from where they come from: the coordinator's own timers
      // (timeout, schedule) or the runtime's side (human-decision, wind-down). From a voter they
      // would close decisions early, fire schedule entries or end the run.
      case 'timeout':
        if (env.from === ctx.self && typeof env.body === 'string' && state.open[env.body]) close(state, env.body, 'timeout', ctx);
        return;
      case 'human-decision':
        if (env.from === SYSTEM_SENDER) onHumanDecision(state, env, ctx);
        return;
      case 'oversight-answer':
        // Only the runtime's side, where the hook runs: a voter must not approve a decision.
        if (env.from === SYSTEM_SENDER) onOversightAnswer(state, env.body, 'hook', ctx);
        return;
      case 'oversight-timeout':
        if (env.from === ctx.self) onOversightAnswer(state, env.body, 'timeout', ctx);
        return;
      case 'schedule':
        if (env.from === ctx.self) onSchedule(state, env.body as number, ctx);
        return;
      case 'wind-down':
        if (env.from !== SYSTEM_SENDER) return;
        state.windingDown = true;
        return finishIfDone(state, ctx);
      case 'resolicit':
        // Only the runtime's own side (the swarm, after a host crash) may ask for ballots again:
        // from a voter it would be a way to vote twice unsuspected.
        if (env.from === SYSTEM_SENDER) resolicit(state, ctx);
        return;
    }
  },
};

function start(state: CoordinatorState, env: Envelope, ctx: Ctx): void {
  if (state.running) return;
  state.running = true;
  state.request = { from: env.from, corr: env.corr };
  const resume = asResume(env.body);
  const elapsed = resume?.elapsedMs ?? 0;
  state.summary.startedAt = ctx.now() - elapsed;
  if (resume) {
    state.seq = resume.seq;
    state.budget = resume.decisions;
    if (resume.weights) state.summary.weights = { ...resume.weights };
  }
  ctx.props.schedule?.forEach((entry, i) => {
    // A resumed run: what the schedule already did stays done (a switch is the system's; a task
    // change is taken again here, silently), and the rest keeps its time from the run's start.
    if (entry.atMs > elapsed || !resume) ctx.setTimer(`schedule:${i}`, entry.atMs - elapsed, { kind: 'schedule', body: i });
    else if (entry.task !== undefined) state.task = { ...state.task, ...entry.task };
  });
  if (ctx.props.selectionRules) adaptTopology(state, ctx);
  const workflow = ctx.props.workflow;
  if (workflow) {
    state.summary.stages = Object.fromEntries(workflow.stages.map((s) => [s.name, { ...(resume?.stages?.[s.name] ?? { status: 'pending' as StageStatus }) }]));
    if (resume) failLostStages(state, ctx);
    openReadyStages(state, ctx);
  } else {
    for (let i = 0; i < state.task.inFlight && wantsMore(state, ctx); i++) openDecision(state, ctx, undefined);
  }
  finishIfDone(state, ctx);
}

/** A well-formed RunResume, or undefined (a plain `run`, or a body that is not one). */
function asResume(body: unknown): RunResume | undefined {
  const r = body as RunResume | undefined;
  return typeof r === 'object' && r !== null && Number.isInteger(r.seq) && r.seq >= 0 && typeof r.elapsedMs === 'number' && r.elapsedMs >= 0 ? r : undefined;
}

/**
 * Stages that were open when the coordinator was lost: their ballots went to a coordinator
 * that no longer exists, so they fail (reopening one under its own name could mix ballots of
 * the two rounds), and what depends on them is blocked.
 */
function failLostStages(state: CoordinatorState, ctx: Ctx): void {
  const stages = state.summary.stages!;
  for (const [name, st] of Object.entries(stages)) {
    if (st.status !== 'open') continue;
    stages[name] = { status: 'failed', reason: 'lost with its coordinator in a host crash' };
    ctx.emit({ type: 'stage', stage: name, status: 'failed', because: 'host-crash' });
    for (const blocked of blockedBy(name, ctx.props.workflow!.stages)) {
      if (stages[blocked].status !== 'pending') continue;
      stages[blocked] = { status: 'blocked', reason: `depends on ${name}, which was lost in a host crash` };
      ctx.emit({ type: 'stage', stage: blocked, status: 'blocked', because: name });
    }
  }
}

/**
 * After a host crash (threads mode), ballots can be missing for good: proposals or votes that
 * were queued in the dead worker, or relayed through an actor on it. Ask every voter that has
 * not voted on an open decision again, directly, rather than let the decision run into its
 * timeout with too few votes.
 */
function resolicit(state: CoordinatorState, ctx: Ctx): void {
  for (const d of Object.values(state.open)) {
    const p = d.proposal;
    const message = {
      kind: 'proposal',
      body: { id: p.id, question: p.question, options: p.options, domain: p.domain, ...(d.stage ? { stage: d.stage } : {}) },
    };
    const missing = d.expected.filter((v) => !d.voted.has(v));
    const again = (d.resolicited ??= new Set());
    for (const v of missing) again.add(v);
    for (const v of missing) ctx.send(v, message);
    if (missing.length > 0) ctx.emit({ type: 'resolicited', decision: p.id, voters: missing.length });
  }
}

/** More decisions to open: fewer than `decisions` so far, or still within `duration`. */
function wantsMore(state: CoordinatorState, ctx: Ctx): boolean {
  if (state.windingDown) return false;
  const t = state.task;
  if (t.durationMs !== undefined) return ctx.now() - state.summary.startedAt < t.durationMs;
  return state.summary.attempted < (state.budget ?? t.decisions ?? 1);
}

/** The members minus the coordinator, computed once per member list (it changes only on a switch). */
const votersOf = new WeakMap<readonly ActorId[], ActorId[]>();

function voters(ctx: Ctx): ActorId[] {
  const info = ctx.props.voterInfo;
  if (info) return Object.keys(info);
  const members = ctx.members();
  let list = votersOf.get(members);
  if (list === undefined) votersOf.set(members, (list = members.filter((m) => m !== ctx.self)));
  return list;
}

/** One set per electorate list: the whole-swarm list is the same array for every decision. */
const electorates = new WeakMap<readonly ActorId[], ReadonlySet<ActorId>>();
function electorateSet(list: readonly ActorId[]): ReadonlySet<ActorId> {
  let set = electorates.get(list);
  if (set === undefined) electorates.set(list, (set = new Set(list)));
  return set;
}

function openDecision(state: CoordinatorState, ctx: Ctx, stage: Stage | undefined): void {
  const t = state.task;
  const id = stage ? stage.name : `d${++state.seq}`;
  const all = voters(ctx);
  const expected = stage ? electorateFor(stage, all, ctx.props.voterInfo) : all;
  const policyClass = classNameOf(ctx.props, stage, t);
  const timeoutMs = (policyClass === undefined ? undefined : ctx.props.policies?.[policyClass]?.timeoutMs) ?? ctx.props.consensus.votingTimeoutMs;
  if (policyClass !== undefined) classCounts(state, policyClass).attempted++;
  const proposal: Proposal = {
    id,
    question: stage?.question ?? t.question,
    options: stage?.options ?? t.options,
    // A stage is about its experts' field: weighted voting weighs expertise in that domain.
    domain: stage?.expert_domains?.[0] ?? t.domain,
    risk: stage?.risk ?? t.risk,
    timeoutMs,
    electorate: expected.length,
  };
  state.open[id] = {
    proposal,
    expected,
    electorate: electorateSet(expected),
    votes: [],
    voted: new Map(),
    openedAt: ctx.now(),
    stage: stage?.name,
    ...(policyClass !== undefined ? { policyClass } : {}),
  };
  state.openCount++;
  state.summary.attempted++;
  const message = {
    kind: 'proposal',
    body: { id, question: proposal.question, options: proposal.options, domain: proposal.domain, ...(stage ? { stage: stage.name } : {}) },
  };
  // The whole electorate, and we are a member: one broadcast on the topology's spanning structure.
  if (!stage && ctx.props.voterInfo === undefined) ctx.broadcast(message);
  else for (const v of expected) ctx.send(v, message);
  ctx.setTimer(`timeout:${id}`, timeoutMs, { kind: 'timeout', body: id });
  ctx.emit({
    type: 'proposal',
    decision: id,
    question: proposal.question,
    options: proposal.options,
    voters: expected.length,
    ...(stage ? { stage: stage.name } : {}),
    ...(policyClass !== undefined ? { policy: policyClass } : {}),
  });
  if (expected.length === 0) close(state, id, 'complete', ctx);
}

function onVote(state: CoordinatorState, env: Envelope, ctx: Ctx): void {
  const refused = state.summary.refusedVotes;
  const security = ctx.props.security;
  const opened = security ? openBallot(env, ctx, security) : { body: env.body };
  if ('refused' in opened) {
    refused[opened.refused] = (refused[opened.refused] ?? 0) + 1;
    if (opened.evidence) suspect(state, env.from, opened.evidence, ctx);
    return;
  }
  const body = opened.body as { decision?: unknown; vote?: Partial<Vote> } | undefined;
  const id = typeof body?.decision === 'string' ? body.decision : undefined;
  const raw = body?.vote;
  if (id === undefined || typeof raw !== 'object' || raw === null || typeof raw.decision !== 'string') {
    refused.malformed++;
    return;
  }
  const d = own(state.open, id) ?? own(state.waiting, id);
  if (d === undefined) {
    refused.late++;
    return;
  }
  if (!d.electorate.has(env.from)) {
    refused.stranger++;
    return;
  }
  const first = d.voted.get(env.from);
  if (first !== undefined) {
    refused.duplicate++;
    if (first.decision !== raw.decision && !d.resolicited?.has(env.from))
      suspect(state, env.from, `${id}: voted ${first.decision}, then ${String(raw.decision)}`, ctx);
    return;
  }
  if (security?.justify && !justified(raw)) {
    refused.unjustified = (refused.unjustified ?? 0) + 1;
    return;
  }
  if (raw.decision !== ABSTAIN && !d.proposal.options.includes(raw.decision)) {
    suspect(state, env.from, `${id}: voted "${raw.decision}", which is not an option`, ctx);
  }
  const confidence = typeof raw.confidence === 'number' && raw.confidence >= 0 && raw.confidence <= 1 ? raw.confidence : 0;
  const vote: Vote = {
    ...raw,
    agent: env.from,
    role: typeof raw.role === 'string' ? raw.role : 'agent',
    decision: raw.decision,
    reason: typeof raw.reason === 'string' ? raw.reason : '',
    confidence,
  };
  d.votes.push(vote);
  d.voted.set(env.from, vote);
  if (security?.detailedLogging)
    ctx.emit({
      type: 'vote',
      decision: id,
      agent: env.from,
      role: vote.role,
      vote: vote.decision,
      reason: vote.reason,
      confidence,
      ...detailedVote(vote, opened.body, d.proposal, ctx.props.consensus, state.summary.weights),
    });
  else if (ctx.props.traceVotes !== false || (d.policyClass !== undefined && ctx.props.policies?.[d.policyClass]?.audit_trail))
    ctx.emit({ type: 'vote', decision: id, agent: env.from, role: vote.role, vote: vote.decision, reason: vote.reason, confidence });
  if (state.open[id] && d.votes.length === d.expected.length) close(state, id, 'complete', ctx);
}

/**
 * The decision `id` names in `table`, if it is one of its own keys: a ballot for "__proto__" or
 * "constructor" found Object.prototype's members instead, and the coordinator threw on them
 * (supervision then escalated: the whole vote stopped on one voter's malformed ballot).
 */
function own<T>(table: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

/**
 * Evidence that a voter is Byzantine (two different votes for one decision, a vote for no
 * option): recorded once per agent with the first evidence, and traced.
 */
function suspect(state: CoordinatorState, agent: ActorId, evidence: string, ctx: Ctx): void {
  if (state.summary.byzantine[agent] !== undefined || ctx.props.security?.detectByzantine === false) return;
  state.summary.byzantine[agent] = evidence;
  ctx.emit({ type: 'byzantine-detected', agent, evidence });
}

/** The risk the voters reported (the most common level; ties go to the higher), when the proposal had none. */
function discoveredRisk(votes: readonly Vote[]): RiskLevel | undefined {
  const levels: RiskLevel[] = ['low', 'medium', 'high', 'critical'];
  const counts = levels.map((l) => votes.filter((v) => v.risk === l).length);
  let best = -1;
  counts.forEach((c, i) => {
    if (c > 0 && (best < 0 || c >= counts[best])) best = i;
  });
  return best < 0 ? undefined : levels[best];
}

function close(state: CoordinatorState, id: string, cause: 'complete' | 'timeout', ctx: Ctx): void {
  const d = state.open[id];
  delete state.open[id];
  state.openCount--;
  ctx.cancelTimer(`timeout:${id}`);
  const props = ctx.props;
  const stage = d.stage ? props.workflow!.stages.find((s) => s.name === d.stage) : undefined;
  const config = decisionConfig(props, stage, d.policyClass);
  const risk = d.proposal.risk ?? discoveredRisk(d.votes);
  const algorithm = algorithmFor(config, risk);
  if (algorithm === 'escalate') {
    ctx.emit({ type: 'escalated', decision: id, risk: risk ?? null, votes: d.votes.length, mode: props.consensus.escalation ?? 'record' });
    if (props.consensus.escalation === 'wait') {
      state.waiting[id] = d;
      state.waitingCount++;
      return;
    }
    state.summary.escalated++;
    return settleDecision(state, d, { consensus: false, strength: 0, reason: 'escalated to human oversight' }, 'escalated', ctx);
  }
  const dynamic = config.dynamic_weights && config.algorithm === 'weighted_voting';
  const policy = dynamic
    ? policyFor(algorithm, config, { electorate: d.expected.length, weights: state.summary.weights })
    : cachedPolicy(props.consensus, `${stage?.name ?? ''}\u0001${d.policyClass ?? ''}`, algorithm, config, d.expected.length);
  let outcome = policy.evaluate(d.proposal, d.votes);
  const rules = d.policyClass === undefined ? undefined : props.policies?.[d.policyClass];
  if (rules?.expert_review) outcome = reviewByExperts(outcome, d.votes, d.proposal.domain, props.experts);
  if (rules?.human_oversight && outcome.consensus) return holdForOversight(state, d, outcome, cause, algorithm, rules, ctx);
  bookClosed(state, d, outcome, cause, algorithm, ctx);
}

/** Counts a closed decision, updates dynamic weights, and settles it. */
function bookClosed(state: CoordinatorState, d: OpenDecision, outcome: Outcome, cause: string, algorithm: string, ctx: Ctx): void {
  const props = ctx.props;
  const stage = d.stage ? props.workflow!.stages.find((s) => s.name === d.stage) : undefined;
  const config = decisionConfig(props, stage, d.policyClass);
  const dynamic = config.dynamic_weights && config.algorithm === 'weighted_voting';
  const s = state.summary;
  if (outcome.consensus) s.decided++;
  else if (cause === 'timeout') s.timedOut++;
  else s.noConsensus++;
  if (dynamic) {
    const truth = stage ? stage.truth : props.task.truth;
    const reference = props.consensus.weight_reference === 'outcome' ? (outcome.consensus ? outcome.decision : undefined) : truth;
    s.weights = updateWeights(s.weights, d.votes, reference, props.consensus.dynamicOptions);
    ctx.emit({ type: 'weights', decision: d.proposal.id, weights: s.weights });
  }
  settleDecision(state, d, outcome, cause, ctx, algorithm);
}

/** The class a decision belongs to: its stage's, else the task's. */
function classNameOf(props: CoordinatorProps, stage: Stage | undefined, task: CoordinatorProps['task']): string | undefined {
  const name = stage ? stage.policy : task.policy;
  return name !== undefined && props.policies?.[name] !== undefined ? name : undefined;
}

/**
 * The configuration that judges a decision: a stage's own algorithm and threshold, else its
 * class's; for the task's decisions, the class's algorithm and threshold over the scenario's
 * (a class that names its own algorithm without a threshold takes that algorithm's default).
 */
function decisionConfig(props: CoordinatorProps, stage: Stage | undefined, policyClass: string | undefined): CoordinatorConsensus {
  const rules = policyClass === undefined ? undefined : props.policies?.[policyClass];
  if (stage) return { ...props.consensus, algorithm: stage.consensus_algorithm, threshold: stage.threshold ?? rules?.threshold };
  if (rules === undefined) return props.consensus;
  return {
    ...props.consensus,
    algorithm: rules.algorithm ?? props.consensus.algorithm,
    threshold: rules.threshold ?? (rules.algorithm === undefined ? props.consensus.threshold : undefined),
  };
}

function classCounts(state: CoordinatorState, name: string): PolicyClassCounts {
  const by = (state.summary.byPolicy ??= {});
  return (by[name] ??= emptyClassCounts());
}

/** Holds a decision that reached consensus until the oversight hook answers or its time is up. */
function holdForOversight(
  state: CoordinatorState,
  d: OpenDecision,
  outcome: Outcome,
  cause: 'complete' | 'timeout',
  algorithm: string,
  rules: DecisionClassRules,
  ctx: Ctx,
): void {
  const id = d.proposal.id;
  state.held[id] = { d, outcome, cause, algorithm };
  state.heldCount++;
  (state.summary.oversight ??= emptyOversightCounts()).requested++;
  const timeoutMs = rules.oversightTimeoutMs!;
  ctx.setTimer(`oversight:${id}`, timeoutMs, { kind: 'oversight-timeout', body: id });
  ctx.emit({
    type: 'oversight-requested',
    decision: id,
    policy: d.policyClass,
    question: d.proposal.question,
    options: d.proposal.options,
    value: outcome.decision,
    strength: outcome.strength,
    tally: tallyOf(d.votes),
    votes: d.votes.length,
    timeoutMs,
    ...(d.stage ? { stage: d.stage } : {}),
  });
}

/** The hook's answer (`by: 'hook'`) or the hold's timeout: settles a held decision, once. */
function onOversightAnswer(state: CoordinatorState, body: unknown, by: OversightSettlement['by'], ctx: Ctx): void {
  const id = by === 'timeout' ? body : (body as { decision?: unknown } | undefined)?.decision;
  const held = typeof id === 'string' ? state.held[id] : undefined;
  if (held === undefined || typeof id !== 'string') return; // settled already (an answer after the timeout is too late)
  delete state.held[id];
  state.heldCount--;
  ctx.cancelTimer(`oversight:${id}`);
  const { d, outcome, cause, algorithm } = held;
  const answer = by === 'timeout' ? (ctx.props.policies?.[d.policyClass!]?.on_timeout ?? 'reject') : asOversightAnswer((body as { answer?: unknown }).answer);
  const counts = state.summary.oversight!;
  if (by === 'timeout') counts.timedOut++;
  ctx.emit({ type: 'oversight-answered', decision: id, policy: d.policyClass, answer, by });
  if (answer === 'approve') {
    counts.approved++;
    return bookClosed(state, d, outcome, cause, algorithm, ctx);
  }
  if (answer === 'escalate') {
    counts.escalated++;
    state.summary.escalated++;
    return settleDecision(
      state,
      d,
      { consensus: false, strength: outcome.strength, reason: 'human oversight did not answer in time: escalated' },
      'oversight-escalated',
      ctx,
      algorithm,
    );
  }
  counts.rejected++;
  state.summary.noConsensus++;
  const reason = by === 'timeout' ? 'human oversight did not answer in time: rejected' : 'rejected by human oversight';
  settleDecision(state, d, { consensus: false, strength: outcome.strength, reason }, 'oversight-rejected', ctx, algorithm);
}

/**
 * Policies are pure and depend only on the configuration and the electorate's size, so each is
 * built once per coordinator configuration (building one per decision was a tenth of the cost
 * of a decision). Keyed by the props object, which lives as long as the actor.
 */
const policies = new WeakMap<object, Map<string, Policy>>();

function cachedPolicy(owner: object, stage: string | undefined, algorithm: string, config: CoordinatorConsensus, electorate: number): Policy {
  let byKey = policies.get(owner);
  if (byKey === undefined) policies.set(owner, (byKey = new Map()));
  const key = `${stage ?? ''}\u0000${algorithm}\u0000${electorate}`;
  let policy = byKey.get(key);
  if (policy === undefined) byKey.set(key, (policy = policyFor(algorithm, config, { electorate })));
  return policy;
}

/** Books a closed decision (figures, trace, stage status) and keeps the workload going. */
function settleDecision(state: CoordinatorState, d: OpenDecision, outcome: Outcome, cause: string, ctx: Ctx, algorithm?: string): void {
  const s = state.summary;
  const value = outcome.consensus ? outcome.decision : undefined;
  const truth = d.stage ? ctx.props.workflow!.stages.find((st) => st.name === d.stage)?.truth : ctx.props.task.truth;
  if (value !== undefined) {
    // defineProperty, not assignment: an option may be named "__proto__" (its count was lost).
    Object.defineProperty(s.byOutcome, value, { value: (own(s.byOutcome, value) ?? 0) + 1, enumerable: true, writable: true, configurable: true });
    if (truth !== undefined) {
      s.judged++;
      if (value === truth) s.correct++;
    }
  }
  const latencyMs = ctx.now() - d.openedAt;
  record(s.latency, latencyMs);
  if (d.policyClass !== undefined) {
    const c = classCounts(state, d.policyClass);
    if (outcome.consensus) c.decided++;
    else if (cause === 'timeout') c.timedOut++;
    else if (cause === 'escalated' || cause === 'oversight-escalated') c.escalated++;
    else c.noConsensus++;
  }
  if (s.compliance)
    checkCompliance(
      s.compliance,
      d.proposal.id,
      d.votes,
      outcome,
      algorithm ?? (cause === 'human' ? 'human oversight' : undefined),
      ctx.props.consensus.threshold ?? 0.5,
      ctx,
    );
  ctx.emit({
    type: 'decided',
    decision: d.proposal.id,
    value: value ?? null,
    consensus: outcome.consensus,
    strength: outcome.strength,
    algorithm: algorithm ?? null,
    votes: d.votes.length,
    of: d.expected.length,
    latencyMs,
    cause,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(d.stage ? { stage: d.stage } : {}),
    ...(d.policyClass !== undefined ? { policy: d.policyClass } : {}),
  });
  if (d.stage && s.stages) {
    s.stages[d.stage] = { status: outcome.consensus ? 'passed' : 'failed', decision: value, strength: outcome.strength, reason: outcome.reason };
    if (!outcome.consensus) {
      for (const blocked of blockedBy(d.stage, ctx.props.workflow!.stages)) {
        if (s.stages[blocked].status === 'pending') {
          s.stages[blocked] = { status: 'blocked', reason: `depends on ${d.stage}, which reached no consensus` };
          ctx.emit({ type: 'stage', stage: blocked, status: 'blocked', because: d.stage });
        }
      }
    }
    openReadyStages(state, ctx);
  } else if (state.running && wantsMore(state, ctx)) openDecision(state, ctx, undefined);
  finishIfDone(state, ctx);
}

function openReadyStages(state: CoordinatorState, ctx: Ctx): void {
  if (state.windingDown) return;
  const stages = ctx.props.workflow!.stages;
  for (const stage of readyStages(stages, state.summary.stages!)) {
    state.summary.stages![stage.name] = { status: 'open' };
    openDecision(state, ctx, stage);
  }
}

function onHumanDecision(state: CoordinatorState, env: Envelope, ctx: Ctx): void {
  const body = env.body as { decision?: unknown; value?: unknown } | undefined;
  const id = typeof body?.decision === 'string' ? body.decision : undefined;
  const d = id === undefined ? undefined : own(state.waiting, id);
  if (d === undefined || id === undefined) return;
  delete state.waiting[id];
  state.waitingCount--;
  const value = typeof body?.value === 'string' && d.proposal.options.includes(body.value) ? body.value : undefined;
  // Escalated, and then decided (or rejected) by a person: both are true of it.
  state.summary.escalated++;
  if (value !== undefined) state.summary.decided++;
  else state.summary.noConsensus++;
  settleDecision(
    state,
    d,
    {
      consensus: value !== undefined,
      decision: value,
      strength: value === undefined ? 0 : 1,
      reason: value === undefined ? 'human oversight rejected it' : 'decided by human oversight',
    },
    'human',
    ctx,
  );
}

function onSchedule(state: CoordinatorState, index: number, ctx: Ctx): void {
  const entry = ctx.props.schedule?.[index];
  if (entry === undefined) return;
  if (entry.switch_topology !== undefined) ctx.requestTopology(entry.switch_topology, `schedule at ${entry.atMs} ms`);
  if (entry.task !== undefined) {
    state.task = { ...state.task, ...entry.task };
    ctx.emit({ type: 'task-changed', task: entry.task });
    if (ctx.props.selectionRules) adaptTopology(state, ctx);
  }
}

/** Adaptive topology: ask for the rules' choice when it differs from the last one asked for. */
function adaptTopology(state: CoordinatorState, ctx: Ctx): void {
  const t = state.task;
  const choice = selectTopology(
    {
      complexity: t.complexity,
      novelty: t.novelty,
      delegated: t.delegated,
      sequential: t.sequential,
      centralised: t.centralised,
      agents: voters(ctx).length + 1,
    },
    ctx.props.selectionRules,
  );
  const key = JSON.stringify(choice.topology);
  if (key === state.topology) return;
  state.topology = key;
  ctx.requestTopology(choice.topology, `selector: ${choice.reason}`);
}

function finishIfDone(state: CoordinatorState, ctx: Ctx): void {
  if (!state.running || state.request === undefined) return;
  if (state.openCount > 0 || state.waitingCount > 0 || state.heldCount > 0) return;
  if (!ctx.props.workflow && wantsMore(state, ctx)) return;
  state.running = false;
  state.summary.finishedAt = ctx.now();
  for (let i = 0; i < (ctx.props.schedule?.length ?? 0); i++) ctx.cancelTimer(`schedule:${i}`);
  ctx.emit({ type: 'run-complete', attempted: state.summary.attempted, decided: state.summary.decided });
  // A copy: these books keep changing in place (a later run), the reply must not.
  ctx.reply({ from: state.request.from, corr: state.request.corr } as Envelope, { kind: 'summary', body: structuredClone(state.summary) });
  state.request = undefined;
}
