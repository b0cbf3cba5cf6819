import { hostname } from 'node:os';
import type { StoreDb } from './open-store.ts';
import type { RunRow } from './resolve-run.ts';

/** One progress row: what the run's writer had made durable at wall-clock `at`. */
export interface ProgressRow {
  readonly at: number;
  readonly t: number | null;
  readonly opened: number;
  readonly closed: number;
  readonly decided: number;
  readonly votes: number;
  readonly latency_sum: number;
  readonly latency_max: number;
}

/** One timeline event row (`id` is its rowid: how a watcher knows which rows are new). */
export interface EventRow {
  readonly id: number;
  readonly t: number;
  readonly kind: string;
  readonly actor: string | null;
  readonly detail: string;
}

/** Whether the run's process is alive: `yes`/`no` on this host, `unknown` for a run on another host. */
export type Liveness = 'yes' | 'no' | 'unknown';

/** What a watcher saw at one look. */
export interface RunLook {
  readonly run: RunRow;
  readonly progress?: ProgressRow;
  /** Decisions closed per wall-clock minute since the previous look (or over the last second of progress rows at the first look). */
  readonly decisionsPerMinute?: number;
  /** No progress row was stored since the previous look (the run is stalled, or its process gone). */
  readonly stalled: boolean;
  /** Votes stored since the previous look. */
  readonly newVotes: number;
  /** Decisions opened and not closed yet. */
  readonly inFlight: number;
  readonly latencyMeanMs?: number;
  readonly latencyMaxMs?: number;
  /** Events stored since the previous look (at the first look: the last few). */
  readonly events: readonly EventRow[];
  readonly alive: Liveness;
}

/** Events shown at a watcher's first look, at most. */
const FIRST_EVENTS = 10;

/**
 * Whether process `pid` runs on this machine (a run on another host cannot be checked from here).
 *
 * @example
 * ```ts
 * processAlive(run.pid, run.host); // 'no' when the run was killed
 * ```
 */
export function processAlive(pid: number, host: string): Liveness {
  if (host !== hostname()) return 'unknown';
  try {
    process.kill(pid, 0);
    return 'yes';
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'yes' : 'no';
  }
}

/**
 * Watches one run through the store while another process writes it: each {@link look} reads
 * the run's row, its latest progress row and the events stored since the previous look. Reads
 * only; each query sees the store as the run last committed it (WAL: the run is never blocked).
 *
 * @example
 * ```ts
 * const watch = new RunWatch(openStore(file, { readonly: true }), run.id);
 * const look = watch.look(); // look.progress?.closed, look.decisionsPerMinute, look.events
 * ```
 */
export class RunWatch {
  private lastEvent = 0;
  private previous: ProgressRow | undefined;
  private rate: number | undefined;
  private first = true;
  private readonly runQuery;
  private readonly progressQuery;
  private readonly eventsQuery;
  private readonly lastEventsQuery;
  private readonly secondAgo;
  private readonly firstProgress;
  private readonly reachedQuery;

  constructor(
    db: StoreDb,
    readonly runId: string,
    private readonly alive: (pid: number, host: string) => Liveness = processAlive,
  ) {
    this.runQuery = db.prepare(
      'SELECT id, kind, status, started_at, ended_at, pid, host, name, protocol, mode, agents, detail_limit, signed, exit_code, result, error FROM runs WHERE id = ?',
    );
    this.progressQuery = db.prepare(
      'SELECT at, t, opened, closed, decided, votes, latency_sum, latency_max FROM progress WHERE run_id = ? ORDER BY at DESC, rowid DESC LIMIT 1',
    );
    this.eventsQuery = db.prepare('SELECT rowid AS id, t, kind, actor, detail FROM events WHERE run_id = ? AND rowid > ? ORDER BY rowid');
    this.lastEventsQuery = db.prepare('SELECT rowid AS id, t, kind, actor, detail FROM events WHERE run_id = ? ORDER BY rowid DESC LIMIT ?');
    this.firstProgress = db.prepare(
      'SELECT at, t, opened, closed, decided, votes, latency_sum, latency_max FROM progress WHERE run_id = ? ORDER BY at, rowid LIMIT 1',
    );
    this.reachedQuery = db.prepare('SELECT min(at) AS at FROM progress WHERE run_id = ? AND closed >= ?');
    this.secondAgo = db.prepare(
      'SELECT at, t, opened, closed, decided, votes, latency_sum, latency_max FROM progress WHERE run_id = ? AND at <= ? ORDER BY at DESC, rowid DESC LIMIT 1',
    );
  }

  /** Reads what the store holds of the run now. */
  look(): RunLook {
    const run = this.runQuery.get(this.runId) as RunRow | undefined;
    if (!run) throw new Error(`run ${this.runId} is no longer in the store`);
    const progress = this.progressQuery.get(this.runId) as ProgressRow | undefined;
    let events: EventRow[];
    if (this.first) {
      events = (this.lastEventsQuery.all(this.runId, FIRST_EVENTS) as EventRow[]).reverse();
      this.lastEvent = events.at(-1)?.id ?? 0;
    } else {
      events = this.eventsQuery.all(this.runId, this.lastEvent) as EventRow[];
      if (events.length > 0) this.lastEvent = events.at(-1)!.id;
    }
    if (this.first && progress && run.status !== 'running') {
      // An ended run: its rate while it decided (from its first progress row to the one that reached its last count).
      const first = this.firstProgress.get(this.runId) as ProgressRow;
      const reached = (this.reachedQuery.get(this.runId, progress.closed) as { at: number }).at;
      if (reached > first.at) this.rate = ((progress.closed - first.closed) / (reached - first.at)) * 60_000;
    }
    const before =
      this.first && progress && run.status === 'running'
        ? ((this.secondAgo.get(this.runId, progress.at - 1000) ?? this.firstProgress.get(this.runId)) as ProgressRow | undefined)
        : this.previous;
    if (progress && before && progress.at > before.at) this.rate = ((progress.closed - before.closed) / (progress.at - before.at)) * 60_000;
    const stalled = !this.first && progress !== undefined && this.previous !== undefined && progress.at === this.previous.at;
    const newVotes = progress ? progress.votes - (this.first ? 0 : (this.previous?.votes ?? 0)) : 0;
    this.first = false;
    this.previous = progress ?? this.previous;
    return {
      run,
      progress,
      decisionsPerMinute: stalled ? undefined : this.rate,
      stalled,
      newVotes,
      inFlight: progress ? progress.opened - progress.closed : 0,
      latencyMeanMs: progress && progress.closed > 0 ? progress.latency_sum / progress.closed : undefined,
      latencyMaxMs: progress && progress.closed > 0 ? progress.latency_max : undefined,
      events,
      alive: run.status === 'running' ? this.alive(run.pid, run.host) : 'no',
    };
  }
}

/** Fault kinds that end a fault (the others start one). */
const FAULT_ENDS = new Set(['recover', 'heal', 'network-end', 'resume']);

/**
 * One event row for people: faults as they start and end, leader changes, Byzantine detections,
 * alerts, topology switches; anything else by its kind.
 *
 * @example
 * ```ts
 * describeEvent({ id: 1, t: 120, kind: 'fault', actor: null, detail: '{"type":"fault","fault":"crash","detail":"n2"}' }); // 'fault started: crash n2'
 * ```
 */
export function describeEvent(e: EventRow): string {
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(e.detail) as Record<string, unknown>;
  } catch {
    return `${e.kind} ${e.detail}`;
  }
  const who = e.actor ? ` ${e.actor}` : '';
  switch (e.kind) {
    case 'fault': {
      const fault = String(d.fault);
      return `fault ${FAULT_ENDS.has(fault) ? 'ended' : 'started'}: ${fault} ${String(d.detail ?? '')}`.trimEnd();
    }
    case 'leader':
      return leaderText(d, who);
    case 'view':
      return `view: ${String(d.type)}${who}${d.view !== undefined ? ` view ${String(d.view)}` : ''}`;
    case 'byzantine':
      return `Byzantine detected: ${String(d.agent ?? d.replica ?? e.actor ?? '?')}${d.evidence !== undefined ? ` (${String(d.evidence)})` : ''}`;
    case 'alert':
      return `ALERT${who}: ${String(d.message ?? d.text ?? d.reason ?? e.detail)}`;
    case 'topology':
      return `topology: ${String(d.from ?? '(none)')} -> ${String(d.to ?? '?')}${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    case 'crash':
      return `crash: ${String(d.type)}${d.host !== undefined ? ` worker ${String(d.host)}` : ''}${who}`;
    default: {
      const text = e.detail.length > 120 ? `${e.detail.slice(0, 117)}...` : e.detail;
      return `${e.kind}${who}: ${text}`;
    }
  }
}

/** A Raft leadership event in words: elected, stepped down (and why), membership, a transfer. */
function leaderText(d: Record<string, unknown>, who: string): string {
  const term = d.term !== undefined ? ` (term ${String(d.term)})` : '';
  switch (d.type) {
    case 'raft-leader':
      return `leader:${who} leads term ${String(d.term)}`;
    case 'raft-step-down':
      return `leader:${who} stepped down${term}${d.reason === 'check-quorum' ? ': it no longer heard from a majority' : d.reason === 'removed' ? ': removed from the configuration' : ''}`;
    case 'raft-config':
      return `membership:${who} configuration at index ${String(d.index)}: ${Array.isArray(d.members) ? d.members.join(', ') : '?'}`;
    case 'raft-transfer':
      return `leadership transfer:${who} to ${String(d.target)}, ${String(d.phase)}${term}`;
    default:
      return `leader: ${String(d.type)}${who}${term}`;
  }
}
