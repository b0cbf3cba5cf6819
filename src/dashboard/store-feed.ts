import type { TraceEvent } from '../actors/trace-event.ts';
import type { StoreDb } from '../store/open-store.ts';
import { scenarioAgents } from '../store/queries.ts';
import { RunWatch } from '../store/run-watch.ts';
import { buildTopology, type RouteGraph, type TopologySpec } from '../topologies/index.ts';
import type { FeedFrame, LedgerView, SeriesPoint } from './feed-frame.ts';
import { LiveFeed } from './live-feed.ts';

/** Stored events read per frame at most (a long finished run catches up over a few frames). */
const EVENTS_PER_FRAME = 5_000;

/**
 * Frames for a run read from the store: one another process is writing (followed as it
 * goes, as `conclave monitor` does) or one that ended. Its timeline events are replayed into a
 * {@link LiveFeed} (the store keeps them as the trace had them), so the graph shows crashes,
 * detections, leaders and switches as a live run would; decisions and rates come from the
 * progress rows. The graph is rebuilt from the stored topology events over the scenario's
 * agents (when the counts agree); the books are known once the run has ended (its result).
 *
 * @example
 * ```ts
 * const feed = new StoreFeed(openStore(file, { readonly: true }), runId);
 * const frame = feed.frame(Date.now());
 * ```
 */
export class StoreFeed {
  private readonly watch: RunWatch;
  private readonly live: LiveFeed;
  private graph: RouteGraph | undefined;
  private graphNote: string | undefined;
  private lastEvent = 0;
  private ledger: LedgerView | undefined;
  private readonly members: string[];
  private readonly events;
  private lastAt: number | undefined;

  constructor(
    db: StoreDb,
    readonly runId: string,
  ) {
    this.watch = new RunWatch(db, runId);
    const row = db.prepare('SELECT scenario_resolved, protocol, mode FROM runs WHERE id = ?').get(runId) as
      | { scenario_resolved: string | null; protocol: string; mode: string | null }
      | undefined;
    if (!row) throw new Error(`run ${runId} is not in the store`);
    let scenario: Record<string, unknown> | null = null;
    try {
      scenario = row.scenario_resolved ? (JSON.parse(row.scenario_resolved) as Record<string, unknown>) : null;
    } catch {
      scenario = null;
    }
    this.members = scenarioAgents(scenario);
    this.events = db.prepare('SELECT rowid AS id, t, kind, actor, detail FROM events WHERE run_id = ? AND rowid > ? ORDER BY rowid LIMIT ?');
    this.live = new LiveFeed(
      { run: runId, mode: row.mode === 'threads' ? 'threads' : 'sim', protocol: row.protocol, controls: [] },
      { graph: () => this.graph, ledger: () => undefined },
    );
  }

  /** The frame for now: what the store holds, and what it added since the previous frame. */
  frame(at: number): FeedFrame {
    const rows = this.events.all(this.runId, this.lastEvent, EVENTS_PER_FRAME) as {
      id: number;
      t: number;
      kind: string;
      actor: string | null;
      detail: string;
    }[];
    for (const r of rows) {
      this.lastEvent = r.id;
      const e = traceEventOf(r);
      if (e === undefined) continue;
      if (e.type === 'topology') this.rebuild(e.spec, e.members);
      this.live.observe(e);
      if (r.kind === 'alert') this.live.alert(JSON.parse(r.detail) as never);
    }
    const look = this.watch.look();
    if (look.run.status !== 'running') {
      this.live.end(look.run.status);
      this.ledger ??= ledgerOf(look.run.result);
    }
    const base = this.live.frame(at);
    const p = look.progress;
    const series: SeriesPoint[] = [];
    if (p && look.decisionsPerMinute !== undefined && this.lastAt !== p.at) series.push({ at: p.at, t: p.t ?? 0, perMin: Math.round(look.decisionsPerMinute) });
    this.lastAt = p?.at;
    const notes = [
      ...base.notes,
      ...(this.graphNote ? [this.graphNote] : []),
      'read from the store: consensus time per interval and the books while running are only shown for a run served live (conclave run --dashboard)',
    ];
    return {
      ...base,
      source: 'store',
      status: look.run.status,
      mode: look.run.mode,
      protocol: look.run.protocol,
      t: p?.t ?? base.t,
      decided: p?.decided ?? 0,
      closed: p?.closed ?? 0,
      series,
      ...(this.ledger ? { ledger: this.ledger } : {}),
      notes,
    };
  }

  /** The graph a stored switch put in force, over the scenario's agents (a voting run's coordinator first). */
  private rebuild(spec: unknown, count: number): void {
    const ids = count === this.members.length + 1 ? ['coordinator', ...this.members] : this.members;
    if (ids.length !== count) {
      this.graph = undefined;
      this.graphNote = `the graph is not drawn: the stored scenario names ${this.members.length} agents, the topology had ${count} members`;
      return;
    }
    try {
      this.graph = buildTopology(spec as TopologySpec, ids);
      this.graphNote = undefined;
    } catch (e) {
      this.graph = undefined;
      this.graphNote = `the graph is not drawn: ${(e as Error).message}`;
    }
  }
}

/** A stored timeline event as the trace event it was (the store keeps the event's fields as its detail). */
function traceEventOf(r: { t: number; actor: string | null; detail: string }): TraceEvent | undefined {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(r.detail) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const runtime = new Set(['topology', 'fault', 'host-crash']);
  if (runtime.has(String(d.type))) return { ...d, t: r.t } as TraceEvent;
  if (r.actor === null && d.type !== 'alert') return undefined;
  return { t: r.t, type: 'emit', actor: r.actor ?? '', event: d };
}

/** The books of an ended run, from its stored result. */
function ledgerOf(result: string | null): LedgerView | undefined {
  if (!result) return undefined;
  try {
    const m = (JSON.parse(result) as { messages?: Record<string, unknown> }).messages;
    if (!m || typeof m.sent !== 'number') return undefined;
    return {
      sent: m.sent,
      delivered: Number(m.delivered),
      dropped: Number(m.dropped),
      deadLettered: Number(m.deadLettered),
      inFlight: Number(m.inFlight),
      droppedBy: (m.droppedBy as Record<string, number>) ?? {},
    };
  } catch {
    return undefined;
  }
}
