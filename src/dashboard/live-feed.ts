import type { MessageAccounting } from '../actors/counters.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import { CLOSES, OPENS } from '../monitoring/decision-keys.ts';
import type { RouteGraph } from '../topologies/index.ts';
import type { ControlAction, FeedFrame, GraphView, LedgerView, MemberView, SeriesPoint, TeamView, TimelineEntry, VoteView, WeightsView } from './feed-frame.ts';
import { LatencyHistogram } from './latency-histogram.ts';

/** Above this many members the graph is drawn as teams (and the page says so). */
export const AGGREGATE_ABOVE = 200;
/** Votes of the latest decisions kept for the page. */
const VOTES_KEPT = 12;
/** Agents whose weights a frame lists (the heaviest); the rest are counted. */
const WEIGHTS_SHOWN = 20;
/** Timeline entries held between two frames at most (a storm of faults keeps the first ones and counts the rest). */
const TIMELINE_PER_FRAME = 100;

/** What a live feed reads from the run besides its trace: the graph in force and the books (both read once per frame). */
export interface LiveSources {
  readonly graph: () => RouteGraph | undefined;
  readonly ledger: () => MessageAccounting | undefined;
  /** The protocol's adversary kinds (empty: members cannot be made Byzantine); read per frame, as the run attaches late. */
  readonly byzantineKinds?: () => readonly string[];
}

/** The run a live feed describes. */
export interface LiveRunInfo {
  readonly run: string;
  readonly mode: 'sim' | 'threads';
  readonly protocol: string;
  readonly controls: readonly ControlAction['action'][];
}

/**
 * Folds a live run's trace into dashboard frames. {@link observe} is on the run's hot path, so it
 * does a type switch and a few counters per event and nothing per envelope (the trace's
 * `events` level has no per-envelope events); the graph, the books and the rates are read once
 * per {@link frame}, which the server asks for every ~250 ms.
 *
 * @example
 * ```ts
 * const feed = new LiveFeed({ run: 'r1', mode: 'sim', protocol: 'raft', controls: [] }, { graph: () => system.topology, ledger: () => undefined });
 * system.trace$.subscribe((e) => feed.observe(e));
 * const frame = feed.frame(Date.now());
 * ```
 */
export class LiveFeed {
  private t = 0;
  private origin: number | undefined;
  private closed = 0;
  private decided = 0;
  private readonly opened = new Map<string, number>();
  private readonly window = new LatencyHistogram();
  private readonly voteRing: Record<string, unknown>[] = [];
  private voteHead = 0;
  private leader: string | undefined;
  private primary: string | undefined;
  private raftTerm: number | undefined;
  /** Dynamic weights: each agent's first weight seen, and the latest (with its decision). */
  private firstWeights: Record<string, number> | undefined;
  private weights: { decision: string; weights: Record<string, number> } | undefined;
  private pbftView: number | undefined;
  private readonly crashed = new Set<string>();
  /** Made Byzantine during the run (fault `byzantine`). */
  private readonly compromised = new Set<string>();
  private readonly byzantine = new Set<string>();
  private readonly isolated = new Set<string>();
  private groups: Map<string, number> | undefined;
  private epoch = 0;
  private timeline: TimelineEntry[] = [];
  private timelineSkipped = 0;
  private seq = 0;
  private status = 'running';
  private paused = false;
  private last: { at: number; closed: number; sent: number } | undefined;
  private graphCache:
    | { graph: RouteGraph; links: (readonly [number, number])[]; complete: boolean; teamOf?: Int32Array; teamLinks?: (readonly [number, number])[] }
    | undefined;

  constructor(
    private readonly info: LiveRunInfo,
    private readonly sources: LiveSources,
  ) {}

  /** One trace event. */
  observe(e: TraceEvent): void {
    // Threads-mode traces carry epoch ms: shown from the run's first event, as sim time is.
    this.origin ??= this.info.mode === 'threads' ? e.t : 0;
    this.t = e.t - this.origin;
    switch (e.type) {
      case 'emit':
        return this.emitted(e.actor, e.event as Record<string, unknown>);
      case 'fault':
        return this.fault(this.t, e.fault, e.detail);
      case 'topology':
        this.epoch = e.epoch;
        return this.note(this.t, 'topology', `topology ${e.from ?? '(none)'} -> ${e.to} (epoch ${e.epoch}: ${e.reason})`);
      case 'host-crash':
        return this.note(this.t, 'crash', `worker ${e.host} died (${e.detail}): ${e.actors} actors, ${e.lostInFlight} envelopes lost in flight`);
      default:
    }
  }

  /** An alert the run raised (shown on the timeline). */
  alert(a: AlertRecord): void {
    this.note(this.t, 'alert', `ALERT ${a.rule}: ${a.message}`);
  }

  /** A control action taken from the page (or refused), on the timeline. */
  control(text: string): void {
    this.note(this.t, 'control', text);
  }

  /** The run is held (or released) by a dashboard pause. */
  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** The run ended: `completed`, `failed`, ... */
  end(status: string): void {
    this.status = status;
  }

  /** The frame for now: state, and the series point and timeline entries since the previous frame. */
  frame(at: number): FeedFrame {
    const ledger = this.ledgerView();
    const sent = ledger?.sent ?? 0;
    const series: SeriesPoint[] = [];
    if (this.last && at > this.last.at) {
      const dt = at - this.last.at;
      const p50 = this.window.quantile(0.5);
      const p99 = this.window.quantile(0.99);
      series.push({
        at,
        t: this.t,
        perMin: Math.round(((this.closed - this.last.closed) / dt) * 60_000),
        ...(p50 !== undefined ? { p50: round(p50), p99: round(p99!) } : {}),
        ...(ledger ? { msgsPerSec: Math.round(((sent - this.last.sent) / dt) * 1000) } : {}),
      });
    }
    if (!this.last || at > this.last.at) {
      this.last = { at, closed: this.closed, sent };
      this.window.clear();
    }
    const timeline = this.timeline;
    if (this.timelineSkipped > 0)
      timeline.push({ seq: ++this.seq, t: this.t, kind: 'fault', text: `${this.timelineSkipped} more timeline entries in this interval (not shown)` });
    this.timeline = [];
    this.timelineSkipped = 0;
    const graph = this.graphView();
    const notes: string[] = [];
    if (graph?.teams)
      notes.push(
        `${graph.size} members: drawn as ${graph.teams.length} teams of consecutive members (above ${AGGREGATE_ABOVE} members each member is not drawn)`,
      );
    else if (graph?.complete && graph.size > 40) notes.push(`a ${graph.size}-member mesh: every member links to every other; links not drawn`);
    return {
      run: this.info.run,
      source: 'live',
      status: this.status,
      mode: this.info.mode,
      protocol: this.info.protocol,
      t: this.t,
      paused: this.paused,
      decided: this.decided,
      closed: this.closed,
      ...(graph ? { graph } : {}),
      ...(ledger ? { ledger } : {}),
      series,
      votes: this.voteViews(),
      ...(this.raftTerm !== undefined ? { raftTerm: this.raftTerm } : {}),
      ...(this.pbftView !== undefined ? { pbftView: this.pbftView } : {}),
      ...(this.weights ? { weights: this.weightsView(this.weights) } : {}),
      timeline,
      ...this.controlsNow(),
      notes,
    };
  }

  private weightsView(w: { decision: string; weights: Record<string, number> }): WeightsView {
    const all = Object.entries(w.weights)
      .map(([agent, now]) => ({ agent, first: this.firstWeights?.[agent] ?? now, now }))
      .sort((a, b) => b.now - a.now || (a.agent < b.agent ? -1 : 1));
    return { decision: w.decision, agents: all.slice(0, WEIGHTS_SHOWN), more: Math.max(0, all.length - WEIGHTS_SHOWN) };
  }

  /** The actions the page may take now, and the lies it may choose from when one is `byzantine`. */
  private controlsNow(): { controls: readonly ControlAction['action'][]; byzantineKinds?: readonly string[] } {
    if (this.status !== 'running') return { controls: [] };
    const kinds = this.sources.byzantineKinds?.() ?? [];
    if (kinds.length === 0) return { controls: this.info.controls.filter((a) => a !== 'byzantine') };
    return { controls: this.info.controls, byzantineKinds: kinds };
  }

  /**
   * The next run of a campaign (`conclave stress --dashboard`) is watched from here: what belongs
   * to one run (leader, views, crashes, liars, partitions, decisions in flight, weights, the
   * graph) starts again; the counts, the series and the timeline go on, and the timeline says
   * where the new run begins.
   */
  nextRun(label: string): void {
    this.leader = this.primary = this.raftTerm = this.pbftView = undefined;
    this.firstWeights = this.weights = undefined;
    this.groups = undefined;
    this.graphCache = undefined;
    this.origin = undefined;
    this.epoch = 0;
    for (const s of [this.crashed, this.compromised, this.byzantine, this.isolated]) s.clear();
    this.opened.clear();
    this.note(this.t, 'fault', `run ${label} starts`);
  }

  private emitted(actor: string, ev: Record<string, unknown>): void {
    const type = ev.type as string;
    switch (type) {
      case 'vote':
        // The event itself into a ring (no object built per vote: this is the hot path); views are made per frame.
        this.voteRing[this.voteHead++ % VOTES_KEPT] = ev;
        return;
      case 'decided':
        return this.close(Number(ev.latencyMs ?? 0), ev.consensus === true);
      case 'weights': {
        // Copied: the coordinator's own map is its state. One per decision, a few entries each.
        const weights = { ...(ev.weights as Record<string, number>) };
        this.firstWeights ??= { ...weights };
        for (const [agent, w] of Object.entries(weights)) this.firstWeights[agent] ??= w;
        this.weights = { decision: String(ev.decision), weights };
        return;
      }
      case 'raft-leader':
        this.leader = actor;
        this.raftTerm = Number(ev.term);
        return this.note(this.t, 'leader', `${actor} elected leader of term ${String(ev.term)}`);
      case 'raft-step-down':
        if (this.leader === actor) this.leader = undefined;
        return;
      case 'pbft-view': {
        const view = Number(ev.view);
        if (this.pbftView === view) return;
        this.pbftView = view;
        this.primary = String(ev.primary);
        return this.note(this.t, 'view', `view ${view}: ${this.primary} is primary`);
      }
      case 'byzantine-detected':
        return this.detect(String(ev.agent), String(ev.evidence ?? ''));
      case 'pbft-detected':
        return this.detect(String(ev.suspect), `${String(ev.kind ?? 'misbehaviour')} reported by ${actor}`);
      default: {
        const open = OPENS[type];
        if (open !== undefined && type !== 'proposal') {
          this.opened.set(open(actor, ev), this.t);
          return;
        }
        const close = CLOSES[type];
        if (close === undefined) return;
        const key = close.key(actor, ev);
        const at = this.opened.get(key);
        if (at === undefined) return;
        this.opened.delete(key);
        this.close(this.t - at, close.ok);
      }
    }
  }

  /** The latest votes, oldest first. */
  private voteViews(): VoteView[] {
    const out: VoteView[] = [];
    for (let i = Math.max(0, this.voteHead - VOTES_KEPT); i < this.voteHead; i++) {
      const ev = this.voteRing[i % VOTES_KEPT];
      out.push({
        decision: String(ev.decision),
        agent: String(ev.agent),
        vote: String(ev.vote),
        ...(ev.reason !== undefined ? { reason: String(ev.reason) } : {}),
        ...(typeof ev.confidence === 'number' ? { confidence: ev.confidence } : {}),
      });
    }
    return out;
  }

  private close(latencyMs: number, ok: boolean): void {
    this.closed++;
    if (ok) this.decided++;
    this.window.add(latencyMs);
  }

  private detect(agent: string, evidence: string): void {
    if (this.byzantine.has(agent)) return;
    this.byzantine.add(agent);
    this.note(this.t, 'byzantine', `${agent} detected as Byzantine${evidence ? `: ${evidence}` : ''}`);
  }

  private fault(t: number, fault: string, detail: string): void {
    if (fault === 'crash') this.crashed.add(detail);
    else if (fault === 'recover') this.crashed.delete(detail.split(' ')[0]);
    else if (fault === 'isolated') this.isolated.add(detail.split(':')[0]);
    else if (fault === 'byzantine') this.compromised.add(detail.split(' ')[0]);
    else if (fault === 'heal') this.groups = undefined;
    else if (fault === 'partition') {
      // `partition(groups)` writes `a,b | c,d,e`; a cut of links (one-way, bridge) is only named.
      const parts = detail.split(' | ');
      if (parts.length >= 2) {
        this.groups = new Map();
        parts.forEach((p, i) => p.split(',').forEach((id) => this.groups!.set(id.trim(), i)));
      }
    }
    this.note(t, 'fault', `${fault}: ${detail}`);
  }

  private note(t: number, kind: TimelineEntry['kind'], text: string): void {
    if (this.timeline.length >= TIMELINE_PER_FRAME) {
      this.timelineSkipped++;
      return;
    }
    this.timeline.push({ seq: ++this.seq, t, kind, text });
  }

  private ledgerView(): LedgerView | undefined {
    const a = this.sources.ledger();
    if (!a) return undefined;
    return { sent: a.sent, delivered: a.delivered, dropped: a.dropped, deadLettered: a.deadLettered, inFlight: a.inFlight, droppedBy: { ...a.droppedBy } };
  }

  private graphView(): GraphView | undefined {
    const graph = this.sources.graph();
    if (!graph) return undefined;
    if (this.graphCache?.graph !== graph) this.graphCache = linksOf(graph);
    const cache = this.graphCache;
    const lead = new Set([this.leader, this.primary, hubOf(graph)].filter((x): x is string => x !== undefined));
    const view = (id: string): MemberView => {
      const role = id === this.leader ? 'leader' : id === this.primary ? 'primary' : lead.has(id) ? 'hub' : undefined;
      const group = this.groups?.get(id);
      return {
        id,
        ...(role ? { role } : {}),
        ...(this.crashed.has(id) ? { crashed: true } : {}),
        ...(this.byzantine.has(id) ? { byzantine: true } : {}),
        ...(this.compromised.has(id) ? { compromised: true } : {}),
        ...(this.isolated.has(id) ? { isolated: true } : {}),
        ...(group !== undefined ? { group } : {}),
      };
    };
    const base = { kind: graph.kind, epoch: this.epoch, size: graph.members.length, complete: cache.complete };
    if (!cache.teamOf) return { ...base, members: graph.members.map(view), links: cache.links };
    const teams: { name: string; size: number; crashed: number; byzantine: number; lead: boolean }[] = [];
    graph.members.forEach((id, i) => {
      const k = cache.teamOf![i];
      const team = (teams[k] ??= { name: `team ${k + 1}`, size: 0, crashed: 0, byzantine: 0, lead: false });
      team.size++;
      if (this.crashed.has(id)) team.crashed++;
      if (this.byzantine.has(id)) team.byzantine++;
      if (lead.has(id)) team.lead = true;
    });
    return { ...base, members: [], links: cache.teamLinks!, teams: teams as TeamView[] };
  }
}

/** The star's hub or the hierarchy's queen, marked on the graph. */
function hubOf(graph: RouteGraph): string | undefined {
  const spec = graph.spec;
  return spec.type === 'star' ? spec.hub : spec.type === 'hierarchical' ? spec.queen : undefined;
}

/** A graph's links as index pairs (none for a mesh), and above the aggregation size its teams and the links between them. */
function linksOf(graph: RouteGraph): {
  graph: RouteGraph;
  links: (readonly [number, number])[];
  complete: boolean;
  teamOf?: Int32Array;
  teamLinks?: (readonly [number, number])[];
} {
  const n = graph.members.length;
  const complete = graph.kind === 'mesh';
  const index = new Map(graph.members.map((id, i) => [id, i]));
  const links: (readonly [number, number])[] = [];
  if (!complete) {
    graph.members.forEach((id, i) => {
      for (const other of graph.neighbours(id)) {
        const j = index.get(other)!;
        // Each undirected link once; a forward-only ring's links are listed from their tail.
        if (i < j || !graph.neighbours(other).includes(id)) links.push([i, j]);
      }
    });
  }
  if (n <= AGGREGATE_ABOVE) return { graph, links, complete };
  const size = Math.ceil(Math.sqrt(n));
  const teamOf = new Int32Array(n).map((_, i) => Math.floor(i / size));
  const teams = Math.ceil(n / size);
  const seen = new Set<number>();
  const teamLinks: (readonly [number, number])[] = [];
  if (complete) {
    for (let a = 0; a < teams; a++) for (let b = a + 1; b < teams; b++) teamLinks.push([a, b]);
  } else {
    for (const [i, j] of links) {
      const a = Math.min(teamOf[i], teamOf[j]);
      const b = Math.max(teamOf[i], teamOf[j]);
      if (a !== b && !seen.has(a * teams + b)) {
        seen.add(a * teams + b);
        teamLinks.push([a, b]);
      }
    }
  }
  return { graph, links: [], complete, teamOf, teamLinks };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
