import { hostname } from 'node:os';
import type { ChainedDecision } from './audit-chain.ts';
import type { StoreDb } from './open-store.ts';
import { findRunId } from './resolve-run.ts';

/**
 * Read-only questions over the run store: which runs it holds, one run's row, its decisions,
 * timeline events and findings. Nothing here writes; `show`, `runs` and `stats` are built on it.
 */

/** What a run's status reads as: the stored status, or `interrupted` for a `running` run whose process is gone. */
export type RunStatus = 'running' | 'interrupted' | 'completed' | 'failed' | 'violated' | 'broken';

/** A stored run, as `conclave runs` lists it. */
export interface RunListing {
  readonly id: string;
  readonly kind: string;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly name: string;
  readonly protocol: string;
  readonly mode: string | null;
  readonly seed: number | null;
  readonly agents: number | null;
  readonly topology: string | null;
  readonly attempted: number | null;
  readonly decided: number | null;
  readonly exitCode: number | null;
}

/** A stored run's whole row, its JSON columns parsed. */
export interface RunRow extends RunListing {
  readonly pid: number;
  readonly host: string;
  readonly argv: string[] | null;
  readonly file: string | null;
  readonly scenarioResolved: Record<string, unknown> | null;
  readonly machine: Record<string, unknown>;
  readonly detailLimit: number;
  readonly signed: boolean;
  /** The run's result (a `ScenarioResult` for runs and replays; a report for stress and bench). */
  readonly result: Record<string, unknown> | null;
  readonly traceHash: string | null;
  readonly tracePath: string | null;
  readonly error: string | null;
}

/** One stored decision, its ballots parsed. */
export interface DecisionRow extends Omit<ChainedDecision, 'detail' | 'ballots'> {
  readonly detail: Record<string, unknown> | null;
  readonly ballots: Ballot[];
}

/** One vote as stored: `[t, agent, vote, reason, confidence]`. */
export interface Ballot {
  readonly t: number;
  readonly agent: string;
  readonly vote: string | null;
  readonly reason: string | null;
  readonly confidence: number | null;
}

/** One timeline event: its kind (topology, fault, leader, view, byzantine, weights, ...), the actor that emitted it, the trace event. */
export interface EventRow {
  readonly t: number;
  readonly kind: string;
  readonly actor: string | null;
  readonly detail: Record<string, unknown>;
}

/** What `runs` and `stats` filter on. */
export interface RunFilter {
  readonly protocol?: string;
  /** Runs started at or after this epoch ms. */
  readonly since?: number;
  readonly kind?: string;
  readonly limit?: number;
}

/** The kinds of run the store records. */
export const RUN_KINDS = ['run', 'stress', 'bench', 'replay', 'hive'] as const;

/** A kind of run: what `runs --kind` and `stats --kind` accept. */
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * Whether a process with this pid is alive on this machine (another host's process cannot be told: `undefined`).
 *
 * @example
 * ```ts
 * processAlive(process.pid, hostname()); // true
 * ```
 */
export function processAlive(pid: number, host: string, thisHost = hostname()): boolean | undefined {
  if (host !== thisHost) return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The status to show: a `running` run whose process is gone (killed, crashed machine) was interrupted.
 *
 * @example
 * ```ts
 * effectiveStatus('running', deadPid, hostname()); // 'interrupted'
 * ```
 */
export function effectiveStatus(status: string, pid: number, host: string): RunStatus {
  if (status === 'running' && processAlive(pid, host) === false) return 'interrupted';
  return status as RunStatus;
}

const parse = <T>(text: unknown): T | null => {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
};

type RawRun = Record<string, unknown> & { id: string; status: string; pid: number; host: string; result: string | null };

/** Decisions attempted and decided: the result's, else (a run still going, or interrupted) the last progress row's. */
/**
 * Decisions attempted and decided: the result's (a benchmark's summed over its groups), else,
 * for a run or replay still going or interrupted, the last progress row's (a stress campaign's
 * or a benchmark's progress counts runs, not decisions).
 */
function counts(db: StoreDb, id: string, kind: string, result: Record<string, unknown> | null): { attempted: number | null; decided: number | null } {
  const d = result?.decisions as { attempted?: unknown; decided?: unknown } | undefined;
  if (typeof d?.attempted === 'number' && typeof d.decided === 'number') return { attempted: d.attempted, decided: d.decided };
  if (Array.isArray(result?.results)) {
    let attempted = 0,
      decided = 0;
    for (const g of result.results as { decisions?: { attempted?: unknown; decided?: unknown } }[]) {
      attempted += typeof g.decisions?.attempted === 'number' ? g.decisions.attempted : 0;
      decided += typeof g.decisions?.decided === 'number' ? g.decisions.decided : 0;
    }
    return { attempted, decided };
  }
  const p = kind === 'run' || kind === 'replay' ? progressOf(db, id) : undefined;
  return p ? { attempted: p.opened, decided: p.decided } : { attempted: null, decided: null };
}

/** What the store has recorded of a run so far: its last progress row (decisions opened, closed, decided; votes), if any. */
export interface Progress {
  readonly at: number;
  readonly t: number | null;
  readonly opened: number;
  readonly closed: number;
  readonly decided: number;
  readonly votes: number;
  readonly latencySum: number;
  readonly latencyMax: number;
}

/**
 * A run's last progress row: how far it had got when last recorded (what `show` reports for a
 * run still going, or interrupted).
 *
 * @example
 * ```ts
 * const p = progressOf(db, run.id); // p?.closed decisions closed so far
 * ```
 */
export function progressOf(db: StoreDb, runId: string): Progress | undefined {
  const r = db
    .prepare('SELECT at, t, opened, closed, decided, votes, latency_sum, latency_max FROM progress WHERE run_id = ? ORDER BY at DESC, rowid DESC LIMIT 1')
    .get(runId) as Record<string, number | null> | undefined;
  return (
    r && {
      at: r.at!,
      t: r.t ?? null,
      opened: r.opened!,
      closed: r.closed!,
      decided: r.decided!,
      votes: r.votes!,
      latencySum: r.latency_sum!,
      latencyMax: r.latency_max!,
    }
  );
}

function toRow(db: StoreDb, r: RawRun): RunRow {
  const result = parse<Record<string, unknown>>(r.result);
  return {
    id: r.id,
    kind: r.kind as string,
    status: effectiveStatus(r.status, r.pid, r.host),
    startedAt: r.started_at as number,
    endedAt: (r.ended_at as number | null) ?? null,
    name: r.name as string,
    protocol: r.protocol as string,
    mode: (r.mode as string | null) ?? null,
    seed: (r.seed as number | null) ?? null,
    agents: (r.agents as number | null) ?? null,
    topology: (r.topology as string | null) ?? null,
    ...counts(db, r.id, r.kind as string, result),
    exitCode: (r.exit_code as number | null) ?? null,
    pid: r.pid,
    host: r.host,
    argv: parse<string[]>(r.argv),
    file: (r.file as string | null) ?? null,
    scenarioResolved: parse<Record<string, unknown>>(r.scenario_resolved),
    machine: parse<Record<string, unknown>>(r.machine) ?? {},
    detailLimit: r.detail_limit as number,
    signed: r.signed === 1,
    result,
    traceHash: (r.trace_hash as string | null) ?? null,
    tracePath: (r.trace_path as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  };
}

/**
 * Only the listing's keys of a row (what `conclave runs --json` prints per run).
 *
 * @example
 * ```ts
 * listRuns(db).map(listing);
 * ```
 */
export function listing(r: RunRow): RunListing {
  const { id, kind, status, startedAt, endedAt, name, protocol, mode, seed, agents, topology, attempted, decided, exitCode } = r;
  return { id, kind, status, startedAt, endedAt, name, protocol, mode, seed, agents, topology, attempted, decided, exitCode };
}

/**
 * Stored runs, newest first, filtered.
 *
 * @example
 * ```ts
 * listRuns(db, { protocol: 'raft', since: Date.now() - 86_400_000, limit: 20 });
 * ```
 */
export function listRuns(db: StoreDb, f: RunFilter = {}): RunRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.protocol !== undefined) {
    where.push('protocol = ?');
    args.push(f.protocol);
  }
  if (f.since !== undefined) {
    where.push('started_at >= ?');
    args.push(f.since);
  }
  if (f.kind !== undefined) {
    where.push('kind = ?');
    args.push(f.kind);
  }
  const sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC${f.limit !== undefined ? ' LIMIT ?' : ''}`;
  if (f.limit !== undefined) args.push(f.limit);
  return (db.prepare(sql).all(...args) as RawRun[]).map((r) => toRow(db, r));
}

/**
 * How many runs the store holds.
 *
 * @example
 * ```ts
 * if (countRuns(db) === 0) console.log('nothing recorded yet');
 * ```
 */
export function countRuns(db: StoreDb): number {
  return (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
}

/**
 * The protocols the store's runs used, for a message naming what `--protocol` may be.
 *
 * @example
 * ```ts
 * storedProtocols(db); // ['raft', 'simple_majority']
 * ```
 */
export function storedProtocols(db: StoreDb): string[] {
  return (db.prepare('SELECT DISTINCT protocol FROM runs ORDER BY protocol').all() as { protocol: string }[]).map((r) => r.protocol);
}

/**
 * The run a user named (an id, a unique prefix, or `last`: see findRunId in resolve-run.ts, the
 * one resolver), with everything `show` and `stats` read.
 *
 * @example
 * ```ts
 * const run = resolveRun(db, '.conclave/conclave.db', 'last');
 * ```
 */
export function resolveRun(db: StoreDb, file: string, ref: string): RunRow {
  return toRow(db, db.prepare('SELECT * FROM runs WHERE id = ?').get(findRunId(db, file, ref)) as RawRun);
}

/**
 * A run's stored decisions in the order they closed: the first `limit` (all without one).
 *
 * @example
 * ```ts
 * for (const d of decisionsOf(db, run.id, 10)) console.log(d.decision, d.value, d.ballots.length);
 * ```
 */
export function decisionsOf(db: StoreDb, runId: string, limit?: number): DecisionRow[] {
  const rows = db
    .prepare(`SELECT * FROM decisions WHERE run_id = ? ORDER BY seq${limit !== undefined ? ' LIMIT ?' : ''}`)
    .all(...(limit !== undefined ? [runId, limit] : [runId])) as Record<string, unknown>[];
  return rows.map((r) => ({
    seq: r.seq as number,
    decision: r.decision as string,
    t: r.t as number,
    openedT: (r.opened_t as number | null) ?? null,
    latencyMs: (r.latency_ms as number | null) ?? null,
    outcome: r.outcome as string,
    value: (r.value as string | null) ?? null,
    strength: (r.strength as number | null) ?? null,
    votes: (r.votes as number | null) ?? null,
    of: (r.of as number | null) ?? null,
    algorithm: (r.algorithm as string | null) ?? null,
    detail: parse<Record<string, unknown>>(r.detail),
    ballots: (parse<unknown[][]>(r.ballots) ?? []).map(([t, agent, vote, reason, confidence]) => ({
      t: t as number,
      agent: agent as string,
      vote: (vote as string | null) ?? null,
      reason: (reason as string | null) ?? null,
      confidence: (confidence as number | null) ?? null,
    })),
  }));
}

/**
 * How many decisions a run stored one by one, and how many it kept only in aggregates (with their outcomes).
 *
 * @example
 * ```ts
 * const { detailed, aggregated } = storedCounts(db, run.id);
 * ```
 */
export function storedCounts(db: StoreDb, runId: string): { detailed: number; aggregated: number; aggregatedByOutcome: Record<string, number> } {
  const detailed = (db.prepare('SELECT count(*) AS n FROM decisions WHERE run_id = ?').get(runId) as { n: number }).n;
  const byOutcome: Record<string, number> = {};
  let aggregated = 0;
  for (const a of db.prepare('SELECT closed, by_outcome FROM aggregates WHERE run_id = ?').all(runId) as { closed: number; by_outcome: string }[]) {
    aggregated += a.closed;
    for (const [k, n] of Object.entries(parse<Record<string, number>>(a.by_outcome) ?? {})) byOutcome[k] = (byOutcome[k] ?? 0) + n;
  }
  return { detailed, aggregated, aggregatedByOutcome: byOutcome };
}

/**
 * The latencies (ms) of the runs' stored decisions that closed (not `unclosed`), run by run in seq order.
 *
 * @example
 * ```ts
 * percentile(latenciesOf(db, [run.id]), 99);
 * ```
 */
export function latenciesOf(db: StoreDb, runIds: readonly string[]): number[] {
  const out: number[] = [];
  const q = db.prepare("SELECT latency_ms AS l FROM decisions WHERE run_id = ? AND outcome != 'unclosed' AND latency_ms IS NOT NULL ORDER BY seq");
  for (const id of runIds) for (const r of q.iterate(id) as Iterable<{ l: number }>) out.push(r.l);
  return out;
}

/**
 * A run's timeline events in time order, of the given kinds (all without).
 *
 * @example
 * ```ts
 * const leaders = eventsOf(db, run.id, ['leader', 'fault']);
 * ```
 */
export function eventsOf(db: StoreDb, runId: string, kinds?: readonly string[]): EventRow[] {
  const sql = `SELECT t, kind, actor, detail FROM events WHERE run_id = ?${kinds ? ` AND kind IN (${kinds.map(() => '?').join(', ')})` : ''} ORDER BY t, rowid`;
  return (db.prepare(sql).all(runId, ...(kinds ?? [])) as { t: number; kind: string; actor: string | null; detail: string }[]).map((e) => ({
    t: e.t,
    kind: e.kind,
    actor: e.actor,
    detail: parse<Record<string, unknown>>(e.detail) ?? {},
  }));
}

/**
 * A run's checker findings (safety and liveness), as stored.
 *
 * @example
 * ```ts
 * findingsOf(db, run.id).filter((f) => f.kind === 'safety');
 * ```
 */
export function findingsOf(db: StoreDb, runId: string): { kind: string; checker: string; text: string }[] {
  return db.prepare('SELECT kind, checker, text FROM findings WHERE run_id = ? ORDER BY rowid').all(runId) as { kind: string; checker: string; text: string }[];
}

/**
 * The p-th percentile (0..100) of values, nearest rank; `null` for none.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The agent ids a scenario names, group by group: `<role>_<nnn>`, numbered per role (as the swarm names them).
 *
 * @example
 * ```ts
 * scenarioAgents({ agents: [{ role: 'coder', count: 2 }] }); // ['coder_001', 'coder_002']
 * ```
 */
export function scenarioAgents(scenario: Record<string, unknown> | null): string[] {
  const groups = scenario?.agents;
  if (!Array.isArray(groups)) return [];
  const perRole = new Map<string, number>();
  const ids: string[] = [];
  for (const g of groups as { role?: unknown; count?: unknown }[]) {
    if (typeof g.role !== 'string' || typeof g.count !== 'number' || g.count > 100_000) continue;
    for (let i = 0; i < g.count; i++) {
      const n = (perRole.get(g.role) ?? 0) + 1;
      perRole.set(g.role, n);
      ids.push(`${g.role}_${String(n).padStart(3, '0')}`);
    }
  }
  return ids;
}
