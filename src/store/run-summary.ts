import type { StoreDb } from './open-store.ts';
import { findingsOf, latenciesOf, percentile, progressOf, storedCounts, type RunListing, type RunRow } from './queries.ts';

/**
 * A stored run's header and result figures, as `conclave show RUN` prints them first: from the
 * run's result where it has one, else from what the store recorded (a run that was interrupted
 * or broke down has decisions but no result).
 */
export interface RunSummary {
  readonly run: RunListing & { readonly host: string; readonly pid: number; readonly file: string | null; readonly argv: string[] | null; readonly machine: Record<string, unknown>; readonly durationMs: number | null; readonly traceHash: string | null; readonly error: string | null };
  readonly decisions: { readonly attempted: number; readonly decided: number; readonly noConsensus: number; readonly timedOut: number; readonly escalated: number; readonly aborted: number; readonly unclosed: number };
  /** decided / attempted; null with nothing attempted. */
  readonly successRate: number | null;
  /** Consensus time: the run's own figures (its result), or the percentiles of the stored decisions' latencies. */
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null; readonly source: 'result' | 'stored decisions' | 'none'; readonly clock: 'simulated' | 'wall' };
  readonly messagesPerDecision: number | null;
  readonly messages: Record<string, unknown> | null;
  readonly quality: number | null;
  readonly truth: string | null;
  readonly byOutcome: Record<string, number>;
  readonly safety: { readonly checked: boolean | null; readonly violations: number; readonly findings: readonly { kind: string; checker: string; text: string }[] };
  readonly throughput: { readonly wallPerMinute: number | null; readonly simPerMinute: number | null };
  /** Decisions stored one by one (with their votes), and those kept only as aggregates past the detail limit. */
  readonly stored: { readonly detailed: number; readonly aggregated: number; readonly detailLimit: number; readonly note: string | null };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The summary of one stored run.
 *
 * @example
 * ```ts
 * const s = summarize(db, resolveRun(db, file, 'last'));
 * console.log(s.decisions.decided, s.latencyMs.p50);
 * ```
 */
export function summarize(db: StoreDb, run: RunRow): RunSummary {
  const r = run.result ?? {};
  const d = (r.decisions ?? {}) as Record<string, unknown>;
  const stored = storedCounts(db, run.id);
  const byStoredOutcome = Object.fromEntries((db.prepare('SELECT outcome, count(*) AS n FROM decisions WHERE run_id = ? GROUP BY outcome').all(run.id) as { outcome: string; n: number }[]).map((o) => [o.outcome, o.n]));
  for (const [k, n] of Object.entries(stored.aggregatedByOutcome)) byStoredOutcome[k] = (byStoredOutcome[k] ?? 0) + n;
  const unclosed = byStoredOutcome.unclosed ?? 0;
  const storedClosed = stored.detailed + stored.aggregated - unclosed;
  // Without a result (a run still going, or interrupted), the last progress row counts every decision, those past the detail limit too.
  const progress = run.result === null ? progressOf(db, run.id) : undefined;
  const attempted = num(d.attempted) ?? progress?.opened ?? storedClosed + unclosed;
  const decided = num(d.decided) ?? progress?.decided ?? storedClosed - (byStoredOutcome['no-consensus'] ?? 0);
  const lat = r.latencyMs as { p50?: unknown; p99?: unknown } | undefined;
  let latencyMs: RunSummary['latencyMs'];
  const clock = run.mode === 'threads' ? 'wall' : 'simulated';
  if (num(lat?.p50) !== null) latencyMs = { p50: num(lat!.p50), p99: num(lat!.p99), source: 'result', clock };
  else {
    const l = latenciesOf(db, [run.id]);
    latencyMs = { p50: percentile(l, 50), p99: percentile(l, 99), source: l.length ? 'stored decisions' : 'none', clock };
  }
  const findings = findingsOf(db, run.id);
  const violations = Array.isArray(r.safetyViolations) ? r.safetyViolations.length : findings.filter((f) => f.kind === 'safety').length;
  const truth = (run.scenarioResolved?.task as { truth?: unknown } | undefined)?.truth;
  const note = stored.aggregated > 0
    ? `votes and decisions stored one by one for the first ${stored.detailed.toLocaleString('en-US')} of ${(stored.detailed + stored.aggregated).toLocaleString('en-US')}; the rest as aggregates`
    : null;
  const { id, kind, status, startedAt, endedAt, name, protocol, mode, seed, agents, topology, exitCode } = run;
  return {
    run: {
      id, kind, status, startedAt, endedAt, name, protocol, mode, seed, agents, topology, attempted: run.attempted, decided: run.decided, exitCode,
      host: run.host, pid: run.pid, file: run.file, argv: run.argv, machine: run.machine, durationMs: endedAt !== null ? endedAt - startedAt : null, traceHash: run.traceHash, error: run.error,
    },
    decisions: {
      attempted, decided, noConsensus: num(d.noConsensus) ?? (progress ? progress.closed - progress.decided : byStoredOutcome['no-consensus'] ?? 0), timedOut: num(d.timedOut) ?? 0,
      escalated: num(d.escalated) ?? 0, aborted: num(d.aborted) ?? 0, unclosed: progress ? Math.max(unclosed, progress.opened - progress.closed) : unclosed,
    },
    successRate: attempted > 0 ? decided / attempted : null,
    latencyMs,
    messagesPerDecision: num(r.messagesPerDecision),
    messages: (r.messages as Record<string, unknown> | undefined) ?? null,
    quality: num(r.quality),
    truth: typeof truth === 'string' ? truth : null,
    byOutcome: (r.byOutcome as Record<string, number> | undefined) ?? {},
    safety: { checked: typeof r.safetyChecked === 'boolean' ? r.safetyChecked : null, violations, findings },
    throughput: { wallPerMinute: num(r.decisionsPerMinute), simPerMinute: num(r.simDecisionsPerMinute) },
    stored: { detailed: stored.detailed, aggregated: stored.aggregated, detailLimit: run.detailLimit, note },
  };
}

/** One protocol's figures across runs, as `conclave stats` shows them. */
export interface ProtocolStats {
  readonly protocol: string;
  readonly runs: number;
  readonly attempted: number;
  readonly decided: number;
  readonly successRate: number | null;
  /** Pooled over every stored decision of these runs (exact percentiles, not an average of the runs' own). */
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null; readonly decisions: number };
  /** Messages sent over decisions attempted, all runs together. */
  readonly messagesPerDecision: number | null;
  /** Share of decided decisions that chose the ground truth, over the runs that had one. */
  readonly quality: number | null;
  readonly safetyViolations: number;
  readonly failedRuns: number;
}

/**
 * Figures across runs, grouped by protocol (in name order).
 *
 * @example
 * ```ts
 * for (const p of protocolStats(db, listRuns(db, { since }))) console.log(p.protocol, p.successRate);
 * ```
 */
export function protocolStats(db: StoreDb, runs: readonly RunRow[]): ProtocolStats[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of runs) groups.set(r.protocol, [...(groups.get(r.protocol) ?? []), r]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([protocol, rs]) => {
    let attempted = 0, decided = 0, sent = 0, sentOver = 0, qualitySum = 0, qualityOver = 0, violations = 0, failed = 0;
    for (const run of rs) {
      const s = summarize(db, run);
      attempted += s.decisions.attempted;
      decided += s.decisions.decided;
      const m = num(s.messages?.sent);
      if (m !== null) { sent += m; sentOver += s.decisions.attempted; }
      if (s.quality !== null) { qualitySum += s.quality * s.decisions.decided; qualityOver += s.decisions.decided; }
      violations += s.safety.violations;
      if (run.status !== 'completed' && run.status !== 'running') failed++;
    }
    const l = latenciesOf(db, rs.map((r) => r.id));
    return {
      protocol, runs: rs.length, attempted, decided, successRate: attempted > 0 ? decided / attempted : null,
      latencyMs: { p50: percentile(l, 50), p99: percentile(l, 99), decisions: l.length },
      messagesPerDecision: sentOver > 0 ? sent / sentOver : null,
      quality: qualityOver > 0 ? qualitySum / qualityOver : null,
      safetyViolations: violations, failedRuns: failed,
    };
  });
}
