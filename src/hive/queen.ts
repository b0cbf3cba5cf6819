import { moduleUrl } from '../module-url.ts';
import { fileURLToPath } from 'node:url';
import type { Draft } from 'immer';
import type { ActorContext, Behaviour } from '../actors/behaviour.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { Vote } from '../protocols/voting/types.ts';
import { adapt, topologyFor } from './adaptive-queen.ts';
import { coordination, type HiveTopology } from './coordination.ts';
import { DECISION_OPTIONS, SOUND, decisionAlgorithm, electorate, electorateSize, judgeRound } from './decision-rules.ts';
import { asResult, type ObjectiveMessage, type ResultMessage } from './messages.ts';
import type { ObjectiveReport } from './objective-report.ts';
import { attemptTimeoutMs, bestWorker, freeWorker, planGraph, skillOf } from './queen-planner.ts';
import type { DecisionState, QueenProps, QueenState, TaskState } from './queen-state.ts';
import { decompose } from './task-graph.ts';
import { CRITICAL_AT, DECISION_KINDS, type Subtask } from './types.ts';

type Ctx = ActorContext<QueenProps>;
type S = Draft<QueenState>;

/** What an unsound decision leaves of its subtask's quality. */
const UNSOUND_QUALITY = 0.3;
/** Rounds a decision gets before its subtask fails (escalated). */
const DECISION_TRIES = 3;

function emptyFigures(): QueenState['figures'] {
  return { attempts: 0, failures: 0, timeouts: 0, reassigned: 0, staleResults: 0, decisions: 0, undecided: 0, unsound: 0, equivocations: 0, switches: [] };
}

function asObjective(body: unknown): ObjectiveMessage | undefined {
  const o = body as ObjectiveMessage;
  return typeof o === 'object' && o !== null && typeof o.objective === 'string' && typeof o.features === 'object' && o.features !== null ? o : undefined;
}

function workerInfo(ctx: Ctx, id: string) {
  return ctx.props.workers.find((w) => w.id === id);
}

function note(s: S, ctx: Ctx, what: string, reason: string): void {
  // Relative to the objective's start: threads mode's clock is the epoch.
  s.figures.switches.push({ at: Math.round(ctx.now() - s.startedAt), what, reason });
  ctx.emit({ hive: 'replan', what, reason });
}

function switchTopology(s: S, ctx: Ctx, to: HiveTopology, reason: string): void {
  const spec =
    to === 'hierarchical' ? { type: 'hierarchical', queen: ctx.self, teams: Math.max(1, Math.ceil(ctx.props.workers.length / ctx.props.teamSize)) } : to;
  ctx.requestTopology(spec, reason);
  s.topology = to;
}

/** Starts the next waiting objective, if the queen is free. */
function startNext(s: S, ctx: Ctx): void {
  if (s.objective !== null) return;
  const env = s.pending.shift();
  if (env === undefined) return;
  const o = asObjective(env.body)!;
  s.requester = env;
  s.objective = o as Draft<ObjectiveMessage>;
  s.startedAt = ctx.now();
  s.figures = emptyFigures();
  const graph = decompose(o.objective, o.features, () => ctx.random(), o.sections);
  s.graph = graph.subtasks as Draft<Subtask>[];
  s.tasks = {};
  for (const t of graph.subtasks) s.tasks[t.id] = { status: t.deps.length === 0 ? 'ready' : 'waiting', attempt: 0, worker: null, tried: [], quality: 0 };
  s.decisions = {};
  s.assign = ctx.props.queenType === 'strategic' ? 'strategic' : 'tactical';
  s.consensus = ctx.props.consensus;
  ctx.emit({ hive: 'objective', n: s.objectivesDone, objective: o.objective, subtasks: graph.subtasks.length, queen: ctx.props.queenType });
  if (ctx.props.queenType === 'strategic') {
    s.plan = planGraph(graph.subtasks, ctx.props.workers);
    ctx.emit({ hive: 'plan', subtasks: graph.subtasks.length, workers: new Set(Object.values(s.plan)).size });
  } else s.plan = {};
  if (ctx.props.queenType === 'adaptive') {
    const pick = topologyFor(o.features);
    if (pick !== undefined && pick.topology !== s.topology) {
      note(s, ctx, `topology ${s.topology} → ${pick.topology}`, `selector: ${pick.reason}`);
      switchTopology(s, ctx, pick.topology, `adaptive queen: ${pick.reason}`);
    }
  }
  dispatch(s, ctx);
}

/** Hands every ready subtask to a worker, as the queen's current assignment mode says. */
function dispatch(s: S, ctx: Ctx): void {
  const c = coordination(s.topology, s.objective!.features, ctx.props.teamSize);
  for (const t of s.graph) {
    const ts = s.tasks[t.id];
    if (ts.status !== 'ready') continue;
    const planned = s.assign === 'strategic' && s.plan[t.id] !== undefined && !ts.tried.includes(s.plan[t.id]) ? workerInfo(ctx, s.plan[t.id]) : undefined;
    const w =
      planned ?? (s.assign === 'strategic' ? bestWorker(ctx.props.workers, t.kind, s.load, ts.tried) : freeWorker(ctx.props.workers, t.kind, s.load, ts.tried));
    if (w === undefined) continue; // tactical: everyone is busy; the next result frees someone
    const ahead = s.load[w.id] ?? 0;
    s.load[w.id] = ahead + 1;
    ts.status = 'running';
    ts.attempt++;
    ts.worker = w.id;
    s.figures.attempts++;
    ctx.send(w.id, { kind: 'work', body: { task: t, attempt: ts.attempt, coordination: c } });
    ctx.setTimer(`deadline:${t.id}`, attemptTimeoutMs(t, skillOf(w, t.kind), ahead, c), { kind: 'deadline', body: { taskId: t.id, attempt: ts.attempt } });
  }
}

/** A failed, rejected or timed-out attempt: try again elsewhere, or give the subtask up. */
function retry(s: S, ctx: Ctx, t: Subtask, ts: Draft<TaskState>): void {
  if (ts.worker !== null) ts.tried.push(ts.worker);
  ts.worker = null;
  if (ts.attempt >= ctx.props.maxAttempts) {
    ts.status = 'failed';
    ctx.emit({ hive: 'subtask-failed', task: t.id, attempts: ts.attempt });
    return;
  }
  s.figures.reassigned++;
  ts.status = 'ready';
}

function complete(s: S, t: Subtask, quality: number): void {
  const ts = s.tasks[t.id];
  ts.status = 'done';
  ts.quality = quality;
  for (const d of s.graph) {
    const ds = s.tasks[d.id];
    if (ds.status === 'waiting' && d.deps.every((id) => s.tasks[id].status === 'done')) ds.status = 'ready';
  }
}

function onResult(s: S, ctx: Ctx, r: ResultMessage, from: string): void {
  const w = workerInfo(ctx, r.worker);
  // Only the worker's own lead vouches for a result.
  if (w === undefined || w.lead !== from || s.objective === null) return;
  const t = s.graph.find((x) => x.id === r.taskId);
  const ts = t === undefined ? undefined : s.tasks[t.id];
  s.load[r.worker] = Math.max(0, (s.load[r.worker] ?? 1) - 1);
  if (t === undefined || ts === undefined || ts.status !== 'running' || ts.attempt !== r.attempt || ts.worker !== r.worker) {
    s.figures.staleResults++;
    return;
  }
  ctx.cancelTimer(`deadline:${t.id}`);
  if (r.reviewed !== 'accepted') {
    s.figures.failures++;
    retry(s, ctx, t, ts);
  } else if (DECISION_KINDS.includes(t.kind)) {
    ts.status = 'deciding';
    ts.quality = r.quality;
    openDecision(s, ctx, t, 0);
  } else complete(s, t, r.quality);
}

function onDeadline(s: S, ctx: Ctx, body: { taskId: string; attempt: number }): void {
  const t = s.graph.find((x) => x.id === body.taskId);
  const ts = t === undefined ? undefined : s.tasks[t.id];
  if (t === undefined || ts === undefined || ts.status !== 'running' || ts.attempt !== body.attempt) return;
  s.figures.timeouts++;
  ctx.emit({ hive: 'timeout', task: t.id, worker: ts.worker, attempt: ts.attempt });
  retry(s, ctx, t, ts);
}

function openDecision(s: S, ctx: Ctx, t: Subtask, tries: number): void {
  const algorithm = decisionAlgorithm(s.consensus, t.criticality);
  const electors = electorate(ctx.props.workers, t.kind, electorateSize(ctx.props.workers.length));
  const d: DecisionState = {
    task: t.id,
    kind: t.kind,
    critical: t.criticality >= CRITICAL_AT,
    algorithm,
    electors,
    round: '',
    tries,
    rounds: [],
    votes: {},
  };
  s.decisions[t.id] = d;
  openRound(s.decisions[t.id], ctx, t);
}

function openRound(d: Draft<DecisionState>, ctx: Ctx, t: Subtask): void {
  d.round = `${t.id}#${d.tries + 1}`;
  d.rounds.push(d.round);
  d.votes = {};
  ctx.emit({ hive: 'decision-open', decision: d.round, task: t.id, kind: t.kind, critical: d.critical, algorithm: d.algorithm, electorate: [...d.electors] });
  for (const e of d.electors)
    ctx.send(e, { kind: 'proposal', body: { id: d.round, question: `${t.title}: which design?`, options: DECISION_OPTIONS, domain: t.kind } });
  ctx.setTimer(`decision:${t.id}`, ctx.props.decisionTimeoutMs, { kind: 'decision-timeout', body: { round: d.round } });
}

function onVote(s: S, ctx: Ctx, body: { decision?: unknown; vote?: Vote }, from: string): void {
  const round = typeof body?.decision === 'string' ? body.decision : undefined;
  const taskId = round?.split('#')[0];
  const d = taskId === undefined ? undefined : s.decisions[taskId];
  const v = body?.vote;
  if (d === undefined || d.round !== round || !d.electors.includes(from) || typeof v?.decision !== 'string' || v.agent !== from) return;
  ctx.emit({ hive: 'vote', decision: round, agent: from, value: v.decision });
  if (d.votes[from] !== undefined) {
    if (d.votes[from] !== v.decision) {
      s.figures.equivocations++;
      ctx.emit({ hive: 'equivocation', decision: round, agent: from });
      if (ctx.props.queenType === 'adaptive' && s.consensus !== 'byzantine') {
        note(s, ctx, `consensus ${s.consensus} → byzantine`, `${from} voted twice, differently, on ${round}`);
        s.consensus = 'byzantine';
      }
    }
    return; // the first vote counts
  }
  d.votes[from] = v.decision;
  judge(s, ctx, d, false);
}

function judge(s: S, ctx: Ctx, d: Draft<DecisionState>, final: boolean): void {
  const t = s.graph.find((x) => x.id === d.task)!;
  const votes: Vote[] = Object.entries(d.votes).map(([agent, decision]) => ({ agent, role: 'worker', decision, reason: '', confidence: 1 }));
  const weights: Record<string, number> = {};
  for (const id of d.electors) weights[id] = skillOf(workerInfo(ctx, id)!, d.kind);
  const verdict = judgeRound(d.algorithm, { id: d.round, question: t.title, options: DECISION_OPTIONS }, votes, d.electors, weights, final);
  if (!verdict.closed) return;
  ctx.cancelTimer(`decision:${t.id}`);
  const value = verdict.value;
  ctx.emit({
    hive: 'decision',
    decision: d.round,
    rounds: [...d.rounds],
    task: t.id,
    kind: t.kind,
    critical: d.critical,
    algorithm: d.algorithm,
    consensus: value !== undefined,
    ...(value !== undefined ? { value } : {}),
  });
  s.figures.decisions++;
  if (value === undefined) {
    if (d.tries + 1 < DECISION_TRIES) {
      d.tries++;
      openRound(d, ctx, t);
      return;
    }
    s.figures.undecided++;
    s.tasks[t.id].status = 'failed';
    delete s.decisions[t.id];
    return;
  }
  const quality = s.tasks[t.id].quality;
  if (value !== SOUND) s.figures.unsound++;
  delete s.decisions[t.id];
  complete(s, t, value === SOUND ? quality : quality * UNSOUND_QUALITY);
}

/** Closes the objective once nothing runs or can run any more; replies with its report. */
function maybeClose(s: S, ctx: Ctx): void {
  if (s.objective === null) return;
  const states = Object.values(s.tasks);
  if (states.some((t) => t.status === 'running' || t.status === 'deciding' || t.status === 'ready')) return;
  for (const t of states) if (t.status === 'waiting') t.status = 'skipped';
  const done = states.filter((t) => t.status === 'done');
  const failed = states.filter((t) => t.status === 'failed').length;
  const f = s.figures;
  const report: ObjectiveReport = {
    objective: s.objective.objective,
    status: failed === 0 && done.length === states.length ? 'done' : 'failed',
    queenType: ctx.props.queenType,
    subtasks: states.length,
    done: done.length,
    failed,
    skipped: states.filter((t) => t.status === 'skipped').length,
    quality: done.length === 0 ? 0 : Math.round((done.reduce((a, t) => a + t.quality, 0) / states.length) * 1000) / 1000,
    durationMs: Math.round(ctx.now() - s.startedAt),
    attempts: f.attempts,
    failures: f.failures,
    timeouts: f.timeouts,
    reassigned: f.reassigned,
    staleResults: f.staleResults,
    decisions: f.decisions,
    undecided: f.undecided,
    unsound: f.unsound,
    equivocations: f.equivocations,
    topology: s.topology,
    consensus: s.consensus,
    switches: f.switches.map((x) => ({ ...x })),
  };
  ctx.emit({ hive: 'objective-closed', n: s.objectivesDone, status: report.status, quality: report.quality, durationMs: report.durationMs });
  if (s.requester !== null) ctx.reply(s.requester, { kind: 'objective-report', body: report });
  s.requester = null;
  s.objective = null;
  s.objectivesDone++;
  startNext(s, ctx);
}

/**
 * The queen: takes objectives (`ask` with an {@link ObjectiveMessage}; the reply is the
 * objective's {@link ObjectiveReport}), decomposes each into a task graph, assigns subtasks to
 * workers by skill and load (strategic: all planned up front on the most skilled; tactical:
 * the best free worker as workers free up; adaptive: re-plans from failure rate and queue
 * length, and switches the topology and the consensus from what it measures), retries or
 * reassigns failed, rejected and timed-out attempts, settles decision subtasks by consensus
 * among the experts of their kind, and closes the objective with a report. Objectives that
 * arrive while one runs wait their turn.
 *
 * @example
 * ```ts
 * await system.spawn('queen', HIVE_QUEEN, { props });
 * const reply = await system.ask('queen', { kind: 'objective', body: { objective: 'Write the docs', features } }, { timeoutMs: 600_000 });
 * ```
 */
export const hiveQueen: Behaviour<QueenState, QueenProps> = {
  init: (ctx) => ({
    requester: null,
    pending: [],
    objective: null,
    startedAt: 0,
    graph: [],
    tasks: {},
    plan: {},
    load: {},
    assign: ctx.props.queenType === 'strategic' ? 'strategic' : 'tactical',
    consensus: ctx.props.consensus,
    topology: ctx.props.topology,
    decisions: {},
    figures: emptyFigures(),
    objectivesDone: 0,
  }),
  receive(s, env, ctx) {
    switch (env.kind) {
      case 'objective':
        if (asObjective(env.body) === undefined) {
          ctx.reply(env, {
            kind: 'objective-refused',
            body: { error: 'an objective body is { objective: string, features: { complexity, novelty, criticality, sequentiality } }' },
          });
          return;
        }
        s.pending.push(env);
        startNext(s, ctx);
        break;
      case 'result': {
        const r = asResult(env.body);
        if (r === undefined) return;
        onResult(s, ctx, r, env.from);
        break;
      }
      case 'deadline':
        if (env.from !== ctx.self) return;
        onDeadline(s, ctx, env.body as { taskId: string; attempt: number });
        break;
      case 'vote':
        onVote(s, ctx, env.body as { decision?: unknown; vote?: Vote }, env.from);
        break;
      case 'decision-timeout': {
        if (env.from !== ctx.self) return;
        const round = (env.body as { round: string }).round;
        const d = s.decisions[round.split('#')[0]];
        if (d !== undefined && d.round === round) judge(s, ctx, d, true);
        break;
      }
      default:
        return;
    }
    if (s.objective === null) return;
    if (ctx.props.queenType === 'adaptive' && (env.kind === 'result' || env.kind === 'deadline')) {
      for (const c of adapt(s as QueenState, ctx.props.workers.length)) {
        note(s, ctx, c.what, c.reason);
        if (c.topology !== undefined) switchTopology(s, ctx, c.topology, `adaptive queen: ${c.reason}`);
      }
    }
    dispatch(s, ctx);
    maybeClose(s, ctx);
  },
};

/**
 * The queen as a behaviour reference.
 *
 * @example
 * ```ts
 * await system.spawn('queen', HIVE_QUEEN, { props });
 * ```
 */
export const HIVE_QUEEN: BehaviourRef = { module: fileURLToPath(moduleUrl('./queen.ts', import.meta.url)), export: 'hiveQueen' };
