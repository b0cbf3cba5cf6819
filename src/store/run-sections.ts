import type { StoreDb } from './open-store.ts';
import { decisionsOf, eventsOf, scenarioAgents, type Ballot, type DecisionRow, type EventRow, type RunRow } from './queries.ts';

/**
 * The sections of `conclave show RUN`, each a read-only question over one stored run, each
 * answered as plain data (the CLI prints it; `--json` prints it as it is).
 */

/** One line of a run's timeline: a decision opening, a vote, a decision closing, or a timeline event. */
export interface TimelineEntry {
  readonly t: number;
  readonly kind: string;
  readonly actor: string | null;
  readonly decision?: string;
  readonly detail: Record<string, unknown>;
}

/**
 * The run's timeline: the first `limit` decisions (opened, each vote, closed) and every event
 * (topology switches, faults, leaders and views, Byzantine detections, crashes, alerts, ...), in
 * time order. Weight updates are left to {@link weightEvolution}.
 *
 * @example
 * ```ts
 * for (const e of timeline(db, run, 2)) console.log(e.t, e.kind, e.actor);
 * ```
 */
export function timeline(db: StoreDb, run: RunRow, limit: number): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const d of decisionsOf(db, run.id, limit)) {
    if (d.openedT !== null) entries.push({ t: d.openedT, kind: 'opened', actor: null, decision: d.decision, detail: {} });
    for (const b of d.ballots)
      entries.push({ t: b.t, kind: 'vote', actor: b.agent, decision: d.decision, detail: { vote: b.vote, reason: b.reason, confidence: b.confidence } });
    entries.push({
      t: d.t,
      kind: 'closed',
      actor: null,
      decision: d.decision,
      detail: {
        outcome: d.outcome,
        value: d.value,
        strength: d.strength,
        votes: d.votes,
        of: d.of,
        algorithm: d.algorithm,
        latencyMs: d.latencyMs,
        ...(d.detail ?? {}),
      },
    });
  }
  for (const e of eventsOf(db, run.id)) if (e.kind !== 'weights') entries.push({ t: e.t, kind: e.kind, actor: e.actor, detail: e.detail });
  // Stable: at one time, events come before the decisions they may explain, in stored order.
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map(({ e }) => e);
}

/** One decision's votes, as `--votes` lists them. */
export interface DecisionVotes {
  readonly seq: number;
  readonly decision: string;
  readonly t: number;
  readonly outcome: string;
  readonly value: string | null;
  readonly strength: number | null;
  readonly votes: number | null;
  readonly of: number | null;
  readonly latencyMs: number | null;
  readonly reason: string | null;
  readonly algorithm: string | null;
  /** What else the closing event said (a Raft command's key and log index, say). */
  readonly detail: Record<string, unknown> | null;
  readonly ballots: readonly Ballot[];
}

/**
 * Each agent's vote (and confidence, and reason) in the first `limit` stored decisions.
 *
 * @example
 * ```ts
 * const [d1] = votesOf(db, run, 1); // d1.ballots[0].agent, .vote, .confidence, .reason
 * ```
 */
export function votesOf(db: StoreDb, run: RunRow, limit: number): DecisionVotes[] {
  return decisionsOf(db, run.id, limit).map((d) => ({
    seq: d.seq,
    decision: d.decision,
    t: d.t,
    outcome: d.outcome,
    value: d.value,
    strength: d.strength,
    votes: d.votes,
    of: d.of,
    latencyMs: d.latencyMs,
    reason: typeof d.detail?.reason === 'string' ? d.detail.reason : null,
    algorithm: d.algorithm,
    detail: d.detail,
    ballots: d.ballots,
  }));
}

/** How one agent's weight moved over the run. */
export interface AgentWeights {
  readonly agent: string;
  /** Its weight before the first update (the scenario's, 1 by default), when the scenario names it. */
  readonly initial: number | null;
  readonly final: number;
  readonly min: number;
  readonly max: number;
  /** Updates that changed it. */
  readonly changes: number;
  /** Its weight at each sampled update (the same samples for every agent: `WeightEvolution.samples`). */
  readonly series: readonly (number | null)[];
}

/** Weight evolution: the updates sampled evenly (first and last included), and each agent's figures. */
export interface WeightEvolution {
  readonly updates: number;
  readonly samples: readonly { readonly t: number; readonly decision: string | null }[];
  readonly agents: readonly AgentWeights[];
}

/**
 * Each agent's weight over time, from the run's `weights` events, sampled at `columns` evenly
 * spaced updates.
 *
 * @example
 * ```ts
 * const w = weightEvolution(db, run, 6); // w.agents[0].series: its weight at each of 6 samples
 * ```
 */
export function weightEvolution(db: StoreDb, run: RunRow, columns = 6): WeightEvolution {
  const events = eventsOf(db, run.id, ['weights']).filter((e) => typeof e.detail.weights === 'object' && e.detail.weights !== null);
  const initial = new Map<string, number>();
  const groups = run.scenarioResolved?.agents;
  const ids = scenarioAgents(run.scenarioResolved);
  if (Array.isArray(groups)) {
    let i = 0;
    for (const g of groups as { count?: number; weight?: unknown }[]) {
      for (let k = 0; k < (g.count ?? 0) && i < ids.length; k++) initial.set(ids[i++]!, typeof g.weight === 'number' ? g.weight : 1);
    }
  }
  const agents: string[] = [];
  const seen = new Set<string>();
  for (const e of events)
    for (const a of Object.keys(e.detail.weights as object))
      if (!seen.has(a)) {
        seen.add(a);
        agents.push(a);
      }
  const picks =
    events.length <= columns ? events.map((_, i) => i) : Array.from({ length: columns }, (_, k) => Math.round((k * (events.length - 1)) / (columns - 1)));
  const stats = new Map(agents.map((a) => [a, { last: initial.get(a) ?? (null as number | null), min: Infinity, max: -Infinity, changes: 0 }]));
  const series = new Map(agents.map((a) => [a, [] as (number | null)[]]));
  let next = 0;
  events.forEach((e, i) => {
    const w = e.detail.weights as Record<string, number>;
    for (const a of agents) {
      const s = stats.get(a)!;
      const v = w[a];
      if (typeof v === 'number') {
        if (s.last !== null && v !== s.last) s.changes++;
        s.last = v;
        s.min = Math.min(s.min, v);
        s.max = Math.max(s.max, v);
      }
    }
    if (picks[next] === i) {
      for (const a of agents) series.get(a)!.push(stats.get(a)!.last);
      next++;
    }
  });
  return {
    updates: events.length,
    samples: picks.map((i) => ({ t: events[i]!.t, decision: typeof events[i]!.detail.decision === 'string' ? (events[i]!.detail.decision as string) : null })),
    agents: agents.map((a) => {
      const s = stats.get(a)!;
      return { agent: a, initial: initial.get(a) ?? null, final: s.last ?? 0, min: s.min, max: s.max, changes: s.changes, series: series.get(a)! };
    }),
  };
}

/** The vote an agent casts to abstain (as the voting protocol sends it). */
const ABSTAIN = 'abstain';

/** One agent's participation in the run's stored votes. */
export interface AgentParticipation {
  readonly agent: string;
  /** Decisions it voted in. */
  readonly cast: number;
  /** Stored voting decisions it was asked in: every one whose electorate was every agent, and those it voted in. */
  readonly asked: number;
  /** Votes it cast without a choice (`abstain`). */
  readonly abstained: number;
  /** asked - cast: decisions that closed without its vote. */
  readonly missing: number;
}

/**
 * Who voted in how many of the stored voting decisions: per agent, and overall the votes a
 * decision was owed (`of`) against those it got. An agent counts as asked in a decision whose
 * electorate was every agent, and in one it voted in; where a smaller electorate (a workflow
 * stage, say) came up short, the missing votes cannot be put on an agent and are counted apart.
 *
 * @example
 * ```ts
 * const p = participation(db, run); // p.agents.find((a) => a.missing > 0)
 * ```
 */
export function participation(
  db: StoreDb,
  run: RunRow,
  decisions: readonly DecisionRow[] = decisionsOf(db, run.id),
): { decisions: number; votesOwed: number; votesCast: number; short: number; unattributed: number; agents: AgentParticipation[] } {
  const voting = decisions.filter((d) => (d.of !== null && d.algorithm !== 'gossip') || d.ballots.length > 0);
  const agents = new Map<string, { cast: number; asked: number; abstained: number }>();
  const entry = (agent: string) => {
    let a = agents.get(agent);
    if (!a) agents.set(agent, (a = { cast: 0, asked: 0, abstained: 0 }));
    return a;
  };
  for (const a of scenarioAgents(run.scenarioResolved)) entry(a);
  for (const d of voting) for (const b of d.ballots) entry(b.agent);
  let owed = 0,
    cast = 0,
    short = 0,
    unattributed = 0,
    everyone = 0;
  for (const d of voting) {
    owed += d.of ?? d.ballots.length;
    cast += d.ballots.length;
    const missing = d.of !== null ? Math.max(0, d.of - d.ballots.length) : 0;
    if (missing > 0) short++;
    const voted = new Set<string>();
    for (const b of d.ballots) {
      const a = entry(b.agent);
      if (!voted.has(b.agent)) {
        a.cast++;
        a.asked++;
      }
      voted.add(b.agent);
      if (b.vote === null || b.vote === ABSTAIN) a.abstained++;
    }
    if (d.of === null || d.of >= agents.size) {
      everyone++;
      for (const [agent, a] of agents) if (!voted.has(agent)) a.asked++;
    } else unattributed += missing;
  }
  // Agents that never voted anywhere and are not voters (a Raft client, say) stay out when no decision had votes.
  const list =
    voting.length === 0
      ? []
      : [...agents.entries()].map(([agent, a]) => ({ agent, cast: a.cast, asked: a.asked, abstained: a.abstained, missing: a.asked - a.cast }));
  return { decisions: voting.length, votesOwed: owed, votesCast: cast, short, unattributed, agents: list };
}

/** A decision whose votes split. */
export interface VoteConflict {
  readonly seq: number;
  readonly decision: string;
  readonly outcome: string;
  /** The winning value, or (no consensus) the most voted. */
  readonly majority: string | null;
  /** Votes per value, most first. */
  readonly split: readonly { readonly value: string | null; readonly votes: number; readonly agents: readonly string[] }[];
  /** Share of the votes that were not for `majority`. */
  readonly minorityShare: number;
  readonly dissenters: readonly string[];
}

/**
 * The stored decisions whose votes split, grouped: by the shape of the split (4-1, 3-2, ...) and
 * by who dissented how often; the first `limit` listed.
 *
 * @example
 * ```ts
 * const c = voteConflicts(db, run, 10); // c.byDissenter[0]: the agent that dissented most
 * ```
 */
export function voteConflicts(
  db: StoreDb,
  run: RunRow,
  limit: number,
  decisions: readonly DecisionRow[] = decisionsOf(db, run.id),
): {
  decisions: number;
  split: number;
  noConsensus: number;
  byShape: { shape: string; decisions: number; noConsensus: number }[];
  byDissenter: { agent: string; dissents: number; share: number }[];
  conflicts: VoteConflict[];
} {
  const withVotes = decisions.filter((d) => d.ballots.length > 0);
  const conflicts: VoteConflict[] = [];
  const shapes = new Map<string, { decisions: number; noConsensus: number }>();
  const dissents = new Map<string, number>();
  const votedIn = new Map<string, number>();
  for (const d of withVotes) {
    for (const a of new Set(d.ballots.map((b) => b.agent))) votedIn.set(a, (votedIn.get(a) ?? 0) + 1);
    const c = conflictOf(d);
    if (!c) continue;
    conflicts.push(c);
    const shape = c.split.map((s) => s.votes).join('-');
    const s = shapes.get(shape) ?? { decisions: 0, noConsensus: 0 };
    s.decisions++;
    if (d.outcome === 'no-consensus') s.noConsensus++;
    shapes.set(shape, s);
    for (const a of c.dissenters) dissents.set(a, (dissents.get(a) ?? 0) + 1);
  }
  return {
    decisions: withVotes.length,
    split: conflicts.length,
    noConsensus: conflicts.filter((c) => c.outcome === 'no-consensus').length,
    byShape: [...shapes.entries()].map(([shape, s]) => ({ shape, ...s })).sort((a, b) => b.decisions - a.decisions || a.shape.localeCompare(b.shape)),
    byDissenter: [...dissents.entries()]
      .map(([agent, n]) => ({ agent, dissents: n, share: n / (votedIn.get(agent) ?? n) }))
      .sort((a, b) => b.dissents - a.dissents || a.agent.localeCompare(b.agent)),
    conflicts: conflicts.slice(0, limit),
  };
}

function conflictOf(d: DecisionRow): VoteConflict | undefined {
  const by = new Map<string | null, string[]>();
  for (const b of d.ballots) by.set(b.vote, [...(by.get(b.vote) ?? []), b.agent]);
  if (by.size < 2) return undefined;
  const split = [...by.entries()]
    .map(([value, agents]) => ({ value, votes: agents.length, agents }))
    .sort((a, b) => b.votes - a.votes || String(a.value).localeCompare(String(b.value)));
  const majority = d.outcome === 'decided' && d.value !== null && by.has(d.value) ? d.value : split[0]!.value;
  const dissenters = split.filter((s) => s.value !== majority).flatMap((s) => s.agents);
  return { seq: d.seq, decision: d.decision, outcome: d.outcome, majority, split, minorityShare: dissenters.length / d.ballots.length, dissenters };
}

/** One agent caught lying, with what proves it. */
export interface Detection {
  readonly suspect: string;
  readonly kinds: readonly string[];
  readonly firstAt: number;
  /** Who caught it, in the order they did. */
  readonly caughtBy: readonly string[];
  readonly detections: number;
  /** The first detection's evidence (a text for voting; signed messages for PBFT). */
  readonly evidence: unknown;
  /** When the runtime isolated it (PBFT: proven faulty, its messages dropped), if it did. */
  readonly isolatedAt: number | null;
}

/**
 * The run's Byzantine detections, one per suspect, and which agents the scenario made
 * Byzantine (where the result names them) that were never caught.
 *
 * @example
 * ```ts
 * const b = byzantineOf(db, run); // b.detected[0].suspect, .caughtBy, .evidence
 * ```
 */
export function byzantineOf(db: StoreDb, run: RunRow): { detected: Detection[]; configured: string[] | null; undetected: string[] | null } {
  const events = eventsOf(db, run.id, ['byzantine', 'fault']);
  const by = new Map<string, { kinds: Set<string>; firstAt: number; caughtBy: string[]; detections: number; evidence: unknown; isolatedAt: number | null }>();
  for (const e of events.filter((x) => x.kind === 'byzantine')) {
    const d = e.detail;
    const suspects =
      typeof d.suspect === 'string' ? [d.suspect] : typeof d.agent === 'string' ? [d.agent] : Array.isArray(d.agents) ? (d.agents as string[]) : [];
    const kind =
      typeof d.kind === 'string'
        ? d.kind
        : d.type === 'byzantine-detected'
          ? String(d.evidence).includes('not an option')
            ? 'vote for no option'
            : 'conflicting votes'
          : String(d.type);
    for (const s of suspects) {
      const x = by.get(s) ?? { kinds: new Set<string>(), firstAt: e.t, caughtBy: [], detections: 0, evidence: d.evidence ?? null, isolatedAt: null };
      x.kinds.add(kind);
      x.detections++;
      if (e.actor && !x.caughtBy.includes(e.actor)) x.caughtBy.push(e.actor);
      by.set(s, x);
    }
  }
  for (const e of events.filter((x) => x.kind === 'fault' && x.detail.fault === 'isolated')) {
    const suspect = String(e.detail.detail ?? '').split(':')[0]!;
    const x = by.get(suspect);
    if (x && x.isolatedAt === null) x.isolatedAt = e.t;
  }
  const pbft = (run.result?.pbft as { byzantine?: { agents?: string[] } } | undefined)?.byzantine?.agents;
  const configured = Array.isArray(pbft) ? pbft : null;
  return {
    detected: [...by.entries()].map(([suspect, x]) => ({
      suspect,
      kinds: [...x.kinds],
      firstAt: x.firstAt,
      caughtBy: x.caughtBy,
      detections: x.detections,
      evidence: x.evidence,
      isolatedAt: x.isolatedAt,
    })),
    configured,
    undetected: configured ? configured.filter((a) => !by.has(a)) : null,
  };
}

/** A Raft term's leader, or a PBFT view's primary, and how long it held. */
export interface Reign {
  readonly term: number;
  readonly leader: string;
  readonly from: number;
  /** When it stopped leading (stepped down, crashed, or a later leader appeared); null: it led to the end. */
  readonly until: number | null;
  readonly ended: string | null;
}

/**
 * Raft terms and their leaders, PBFT views and their primaries, failovers, and how long the
 * cluster went without a leader (or primary).
 *
 * @example
 * ```ts
 * const l = leadersOf(db, run); // l.currentLeader, l.terms, l.leaderlessMs
 * ```
 */
export function leadersOf(
  db: StoreDb,
  run: RunRow,
): {
  protocol: 'raft' | 'pbft' | null;
  terms: Reign[];
  currentLeader: string | null;
  leaderlessMs: number;
  gaps: { from: number; until: number | null; why: string }[];
  failovers: unknown[];
  viewChanges: { view: number; startedAt: number; reason: string | null; installedAt: number | null; primary: string | null; replicas: number }[];
} {
  const events = eventsOf(db, run.id, ['leader', 'view', 'fault']);
  const start = traceStart(db, run);
  const end = runEnd(db, run);
  const raftEvents = events.filter((e) => e.kind === 'leader');
  if (raftEvents.length > 0 || run.protocol === 'raft') return raftLeaders(events, start, end, run);
  const viewEvents = events.filter((e) => e.kind === 'view');
  if (viewEvents.length > 0 || run.result?.pbft) return pbftViews(viewEvents, start, end, run);
  return { protocol: null, terms: [], currentLeader: null, leaderlessMs: 0, gaps: [], failovers: [], viewChanges: [] };
}

/** When the run began on the trace's clock: 0 in sim mode (virtual time); in threads mode (epoch ms) its first stored record. */
function traceStart(db: StoreDb, run: RunRow): number {
  if (run.mode !== 'threads') return 0;
  const first = db
    .prepare(
      'SELECT min(t) AS t FROM (SELECT min(coalesce(opened_t, t)) AS t FROM decisions WHERE run_id = ? UNION ALL SELECT min(t) FROM events WHERE run_id = ?)',
    )
    .get(run.id, run.id) as { t: number | null };
  return first.t ?? 0;
}

/** When the run ended on the trace's clock: its virtual time (sim), else its last stored decision or event. */
function runEnd(db: StoreDb, run: RunRow): number {
  const v = run.result?.virtualMs;
  if (typeof v === 'number') return v;
  const last = db
    .prepare('SELECT max(t) AS t FROM (SELECT max(t) AS t FROM decisions WHERE run_id = ? UNION ALL SELECT max(t) FROM events WHERE run_id = ?)')
    .get(run.id, run.id) as { t: number | null };
  return last.t ?? 0;
}

function raftLeaders(events: EventRow[], start: number, end: number, run: RunRow) {
  const terms: { term: number; leader: string; from: number; until: number | null; ended: string | null }[] = [];
  const gaps: { from: number; until: number | null; why: string }[] = [];
  let current: (typeof terms)[number] | undefined;
  let gapFrom: number | null = start;
  let gapWhy = 'no leader elected yet';
  const close = (t: number, why: string) => {
    if (!current) return;
    current.until = t;
    current.ended = why;
    current = undefined;
    gapFrom = t;
    gapWhy = why;
  };
  for (const e of events) {
    const d = e.detail;
    if (e.kind === 'leader' && d.type === 'raft-leader' && e.actor) {
      if (current) close(e.t, `term ${d.term as number} began`);
      if (gapFrom !== null && e.t > gapFrom) gaps.push({ from: gapFrom, until: e.t, why: gapWhy });
      gapFrom = null;
      current = { term: d.term as number, leader: e.actor, from: e.t, until: null, ended: null };
      terms.push(current);
    } else if (e.kind === 'leader' && d.type === 'raft-step-down' && current && e.actor === current.leader) {
      close(e.t, `stepped down (${String(d.reason ?? 'step-down')})`);
    } else if (e.kind === 'fault' && (d.fault === 'crash' || d.fault === 'pause') && current && String(d.detail).split(' ')[0] === current.leader) {
      close(e.t, `${current.leader} ${d.fault === 'crash' ? 'crashed' : 'paused'}`);
    }
  }
  if (gapFrom !== null) gaps.push({ from: gapFrom, until: null, why: gapWhy });
  const leaderlessMs = gaps.reduce((n, g) => n + Math.max(0, (g.until ?? end) - g.from), 0);
  const failovers = (run.result?.raft as { failovers?: unknown[] } | undefined)?.failovers ?? [];
  return { protocol: 'raft' as const, terms, currentLeader: current?.leader ?? null, leaderlessMs, gaps, failovers, viewChanges: [] };
}

function pbftViews(events: EventRow[], start: number, end: number, run: RunRow) {
  const views = new Map<
    number,
    { view: number; startedAt: number; reason: string | null; installedAt: number | null; primary: string | null; replicas: Set<string> }
  >();
  for (const e of events) {
    const d = e.detail;
    const view = d.view as number;
    const v = views.get(view) ?? { view, startedAt: e.t, reason: null, installedAt: null, primary: null, replicas: new Set<string>() };
    views.set(view, v);
    if (d.type === 'pbft-view-change' && v.reason === null) v.reason = typeof d.reason === 'string' ? d.reason : null;
    if (d.type === 'pbft-view') {
      if (v.installedAt === null) {
        v.installedAt = e.t;
        v.primary = typeof d.primary === 'string' ? d.primary : null;
      }
      if (e.actor) v.replicas.add(e.actor);
    }
  }
  const changes = [...views.values()].sort((a, b) => a.view - b.view);
  const agents = run.agents ?? 0;
  const firstPrimary = scenarioAgents(run.scenarioResolved)[0] ?? (agents > 0 ? 'node_001' : null);
  const terms: Reign[] = [];
  if (firstPrimary)
    terms.push({
      term: 0,
      leader: firstPrimary,
      from: start,
      until: changes[0]?.startedAt ?? null,
      ended: changes[0] ? `view change: ${changes[0].reason ?? 'asked for'}` : null,
    });
  changes.forEach((c, i) => {
    if (c.installedAt !== null && c.primary)
      terms.push({
        term: c.view,
        leader: c.primary,
        from: c.installedAt,
        until: changes[i + 1]?.startedAt ?? null,
        ended: changes[i + 1] ? `view change: ${changes[i + 1]!.reason ?? 'asked for'}` : null,
      });
  });
  const gaps = changes.map((c) => ({ from: c.startedAt, until: c.installedAt, why: c.reason ?? 'view change' }));
  const leaderlessMs = gaps.reduce((n, g) => n + Math.max(0, (g.until ?? end) - g.from), 0);
  const last = terms.at(-1);
  const failovers = (run.result?.pbft as { failovers?: unknown[] } | undefined)?.failovers ?? [];
  return {
    protocol: 'pbft' as const,
    terms,
    currentLeader: last && last.until === null ? last.leader : null,
    leaderlessMs,
    gaps,
    failovers,
    viewChanges: changes.map((c) => ({
      view: c.view,
      startedAt: c.startedAt,
      reason: c.reason,
      installedAt: c.installedAt,
      primary: c.primary,
      replicas: c.replicas.size,
    })),
  };
}

/** A fault the run injected: when it started and (if it was lifted) ended. */
export interface FaultSpan {
  readonly fault: string;
  readonly target: string;
  readonly start: number;
  readonly end: number | null;
  readonly durationMs: number | null;
  readonly endedBy: string | null;
}

/** Which fault event lifts which (`heal` lifts every partition open). */
const ENDS: Readonly<Record<string, string>> = {
  recover: 'crash',
  resume: 'pause',
  'clock-skew-end': 'clock-skew',
  heal: 'partition',
  'network-end': 'network',
};

/**
 * The faults the run injected, each with its start and end (crash → recover, pause → resume,
 * partition → heal, clock skew and network faults → their end), and worker crashes.
 *
 * @example
 * ```ts
 * for (const f of faultsOf(db, run)) console.log(f.fault, f.target, f.start, f.end);
 * ```
 */
export function faultsOf(db: StoreDb, run: RunRow): FaultSpan[] {
  const spans: { fault: string; target: string; start: number; end: number | null; endedBy: string | null }[] = [];
  for (const e of eventsOf(db, run.id, ['fault', 'crash', 'restart'])) {
    const d = e.detail;
    if (e.kind !== 'fault') {
      spans.push({
        fault: e.kind === 'crash' ? String(d.type) : 'restart',
        target: String(d.host ?? d.actor ?? e.actor ?? ''),
        start: e.t,
        end: null,
        endedBy: null,
      });
      continue;
    }
    const fault = String(d.fault);
    const detail = String(d.detail ?? '');
    const lifts = ENDS[fault];
    if (lifts !== undefined) {
      const key = detail.split(' ')[0]!;
      for (const s of spans) {
        if (s.fault === lifts && s.end === null && (fault === 'heal' || s.target.split(' ')[0] === key || s.target === detail)) {
          s.end = e.t;
          s.endedBy = fault;
          if (fault !== 'heal') break;
        }
      }
      continue;
    }
    spans.push({ fault, target: detail, start: e.t, end: null, endedBy: null });
  }
  return spans.map((s) => ({ ...s, durationMs: s.end === null ? null : s.end - s.start }));
}
