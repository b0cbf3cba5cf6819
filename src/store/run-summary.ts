import type { StoreDb } from './open-store.ts';
import { findingsOf, latenciesOf, percentile, progressOf, storedCounts, type RunListing, type RunRow } from './queries.ts';

/**
 * A stored run's header and result figures, as `conclave show RUN` prints them first: from the
 * run's result where it has one, else from what the store recorded (a run that was interrupted
 * or broke down has decisions but no result).
 */
export interface RunSummary {
  readonly run: RunListing & {
    readonly host: string;
    readonly pid: number;
    readonly file: string | null;
    readonly argv: string[] | null;
    readonly machine: Record<string, unknown>;
    readonly durationMs: number | null;
    readonly traceHash: string | null;
    readonly error: string | null;
  };
  readonly decisions: {
    readonly attempted: number;
    readonly decided: number;
    readonly noConsensus: number;
    readonly timedOut: number;
    readonly escalated: number;
    readonly aborted: number;
    readonly unclosed: number;
  };
  /** decided / attempted; null with nothing attempted. */
  readonly successRate: number | null;
  /** Consensus time: the run's own figures (its result), or the percentiles of the stored decisions' latencies. */
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly source: 'result' | 'stored decisions' | 'none';
    readonly clock: 'simulated' | 'wall';
  };
  readonly messagesPerDecision: number | null;
  readonly messages: Record<string, unknown> | null;
  readonly quality: number | null;
  readonly truth: string | null;
  readonly byOutcome: Record<string, number>;
  readonly safety: {
    readonly checked: boolean | null;
    readonly violations: number;
    readonly findings: readonly { kind: string; checker: string; text: string }[];
  };
  readonly throughput: { readonly wallPerMinute: number | null; readonly simPerMinute: number | null };
  /** Answers given with `conclave approve` to decisions the run held for human oversight. */
  readonly approvals: readonly { readonly decision: string; readonly verdict: string; readonly by: string; readonly at: number }[];
  /** A stress campaign's figures, as its report has them; null for other kinds. */
  readonly stress: StressFigures | null;
  /** A benchmark's groups (algorithm x size), as its report has them; null for other kinds. */
  readonly bench: readonly BenchGroup[] | null;
  /** A hive session's figures, as its report has them; null for other kinds. */
  readonly hive: HiveFigures | null;
  /** Decisions stored one by one (with their votes), and those kept only as aggregates past the detail limit. */
  readonly stored: { readonly detailed: number; readonly aggregated: number; readonly detailLimit: number; readonly note: string | null };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One group of a benchmark (an algorithm at a size, over its iterations). */
export interface BenchGroup {
  readonly algorithm: string;
  readonly agents: number;
  readonly iterations: number;
  readonly attempted: number;
  readonly decided: number;
  readonly successRate: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly messagesPerDecision: number | null;
  readonly quality: number | null;
  readonly safetyViolations: number;
}

/** A benchmark run's groups from its report (`results`), or null for any other run. */
function benchOf(run: RunRow): BenchGroup[] | null {
  const results = run.kind === 'bench' ? run.result?.results : undefined;
  if (!Array.isArray(results)) return null;
  return (results as Record<string, any>[]).map((g) => ({
    algorithm: String(g.algorithm),
    agents: num(g.agents) ?? 0,
    iterations: num(g.iterations) ?? 0,
    attempted: num(g.decisions?.attempted) ?? 0,
    decided: num(g.decisions?.decided) ?? 0,
    successRate: num(g.successRate),
    p50: num(g.consensusMs?.p50),
    p99: num(g.consensusMs?.p99),
    messagesPerDecision: num(g.messagesPerDecision),
    quality: num(g.quality),
    safetyViolations: num(g.safetyViolations) ?? 0,
  }));
}

/** What a stress campaign's report says, in brief. */
export interface StressFigures {
  readonly runs: number;
  readonly faults: readonly string[];
  readonly failing: number;
  readonly stalled: number;
  readonly notTerminated: number;
  readonly unfinished: number;
  readonly detected: number;
  readonly byChecker: Record<string, number>;
  readonly slowestRecoveryMs: number | null;
}

/** What a hive session's report says, in brief: its critical decisions are the run's decisions. */
export interface HiveFigures {
  readonly queen: string | null;
  readonly topology: string | null;
  readonly consensus: string | null;
  readonly workers: number | null;
  readonly teams: number | null;
  readonly objectives: number;
  readonly objectivesDone: number;
  readonly subtasks: number;
  readonly subtasksDone: number;
  readonly subtasksFailed: number;
  /** Critical decisions taken by consensus, those left undecided, and those taken against the honest experts. */
  readonly decisions: number;
  readonly undecided: number;
  readonly unsound: number;
  /** Mean work quality of the objectives (0-1), not a share of decisions. */
  readonly quality: number | null;
  readonly simulatedMs: number | null;
  readonly pattern: string | null;
  readonly choice: string | null;
  readonly safetyViolations: number;
}

/** A hive session's figures from its result, or null for any other run. */
function hiveOf(run: RunRow): HiveFigures | null {
  const report = run.kind === 'hive' ? (run.result?.report as Record<string, unknown> | undefined) : undefined;
  if (!report) return null;
  const objectives = Array.isArray(report.objectives) ? (report.objectives as Record<string, unknown>[]) : [];
  const sum = (figure: string) => objectives.reduce((n, o) => n + (num(o[figure]) ?? 0), 0);
  const qualities = objectives.map((o) => num(o.quality)).filter((q) => q !== null);
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const choice = run.result?.choice as { patternKey?: unknown; reason?: unknown } | undefined;
  return {
    queen: str(report.queenType),
    topology: str(report.topology),
    consensus: str(report.consensus),
    workers: num(report.workers),
    teams: num(report.teams),
    objectives: objectives.length,
    objectivesDone: objectives.filter((o) => o.status === 'done').length,
    subtasks: sum('subtasks'),
    subtasksDone: sum('done'),
    subtasksFailed: sum('failed'),
    decisions: sum('decisions'),
    undecided: sum('undecided'),
    unsound: sum('unsound'),
    quality: qualities.length > 0 ? qualities.reduce((a, b) => a + b, 0) / qualities.length : null,
    simulatedMs: num(report.elapsedMs),
    pattern: str(choice?.patternKey),
    choice: str(choice?.reason),
    safetyViolations: Array.isArray(report.safety) ? report.safety.length : 0,
  };
}

/** A stress campaign's figures from its report, or null for any other run. */
function stressOf(run: RunRow): StressFigures | null {
  const r = run.kind === 'stress' ? run.result : null;
  if (!r) return null;
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const plan = r.plan as { faults?: unknown } | undefined;
  return {
    runs: num(r.runs) ?? 0,
    faults: Array.isArray(plan?.faults) ? (plan.faults as string[]) : [],
    failing: len(r.failing),
    stalled: len(r.stalled),
    notTerminated: len(r.notTerminated),
    unfinished: len(r.unfinished),
    detected: num(r.detected) ?? 0,
    byChecker: (r.byChecker as Record<string, number> | undefined) ?? {},
    slowestRecoveryMs: num((r.slowestRecovery as { ms?: unknown } | undefined)?.ms),
  };
}

/** The mean of a figure over groups, weighted; null when no group has it. */
function weighted(groups: readonly BenchGroup[] | null, figure: (g: BenchGroup) => number | null, weight: (g: BenchGroup) => number): number | null {
  let sum = 0,
    over = 0;
  for (const g of groups ?? []) {
    const x = figure(g);
    if (x !== null) {
      sum += x * weight(g);
      over += weight(g);
    }
  }
  return over > 0 ? sum / over : null;
}

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
  const byStoredOutcome = Object.fromEntries(
    (db.prepare('SELECT outcome, count(*) AS n FROM decisions WHERE run_id = ? GROUP BY outcome').all(run.id) as { outcome: string; n: number }[]).map((o) => [
      o.outcome,
      o.n,
    ]),
  );
  for (const [k, n] of Object.entries(stored.aggregatedByOutcome)) byStoredOutcome[k] = (byStoredOutcome[k] ?? 0) + n;
  const unclosed = byStoredOutcome.unclosed ?? 0;
  const storedClosed = stored.detailed + stored.aggregated - unclosed;
  // Without a result (a run still going, or interrupted), the last progress row counts every decision, those past the detail limit too.
  // A stress campaign's or a benchmark's progress rows count runs, not decisions.
  const report = run.kind === 'stress' || run.kind === 'bench';
  const progress = run.result === null && !report ? progressOf(db, run.id) : undefined;
  const bench = benchOf(run);
  const hive = hiveOf(run);
  const attempted = num(d.attempted) ?? hive?.decisions ?? (report ? run.attempted : progress?.opened) ?? storedClosed + unclosed;
  const decided =
    num(d.decided) ??
    (hive ? hive.decisions - hive.undecided : undefined) ??
    (report ? run.decided : progress?.decided) ??
    storedClosed - (byStoredOutcome['no-consensus'] ?? 0);
  const lat = r.latencyMs as { p50?: unknown; p99?: unknown } | undefined;
  let latencyMs: RunSummary['latencyMs'];
  const clock = run.mode === 'threads' ? 'wall' : 'simulated';
  if (num(lat?.p50) !== null) latencyMs = { p50: num(lat!.p50), p99: num(lat!.p99), source: 'result', clock };
  else if (bench?.length === 1 && bench[0]!.p50 !== null) latencyMs = { p50: bench[0]!.p50, p99: bench[0]!.p99, source: 'result', clock };
  else {
    const l = latenciesOf(db, [run.id]);
    latencyMs = { p50: percentile(l, 50), p99: percentile(l, 99), source: l.length ? 'stored decisions' : 'none', clock };
  }
  const findings = findingsOf(db, run.id);
  const violations = Array.isArray(r.safetyViolations)
    ? r.safetyViolations.length
    : hive
      ? hive.safetyViolations
      : bench
        ? bench.reduce((n, g) => n + g.safetyViolations, 0)
        : findings.filter((f) => f.kind === 'safety').length;
  const truth = (run.scenarioResolved?.task as { truth?: unknown } | undefined)?.truth;
  const note =
    stored.aggregated > 0
      ? `votes and decisions stored one by one for the first ${stored.detailed.toLocaleString('en-US')} of ${(stored.detailed + stored.aggregated).toLocaleString('en-US')}; the rest as aggregates`
      : null;
  const { id, kind, status, startedAt, endedAt, name, protocol, mode, seed, agents, topology, exitCode } = run;
  return {
    run: {
      id,
      kind,
      status,
      startedAt,
      endedAt,
      name,
      protocol,
      mode,
      seed,
      agents,
      topology,
      attempted: run.attempted,
      decided: run.decided,
      exitCode,
      host: run.host,
      pid: run.pid,
      file: run.file,
      argv: run.argv,
      machine: run.machine,
      durationMs: endedAt !== null ? endedAt - startedAt : null,
      traceHash: run.traceHash,
      error: run.error,
    },
    decisions: {
      attempted,
      decided,
      noConsensus: num(d.noConsensus) ?? hive?.undecided ?? (progress ? progress.closed - progress.decided : (byStoredOutcome['no-consensus'] ?? 0)),
      timedOut: num(d.timedOut) ?? 0,
      escalated: num(d.escalated) ?? 0,
      aborted: num(d.aborted) ?? 0,
      unclosed: progress ? Math.max(unclosed, progress.opened - progress.closed) : unclosed,
    },
    successRate: attempted > 0 ? decided / attempted : null,
    latencyMs,
    messagesPerDecision:
      num(r.messagesPerDecision) ??
      weighted(
        bench,
        (g) => g.messagesPerDecision,
        (g) => g.attempted,
      ),
    messages: (r.messages as Record<string, unknown> | undefined) ?? null,
    quality:
      num(r.quality) ??
      weighted(
        bench,
        (g) => g.quality,
        (g) => g.decided,
      ),
    truth: typeof truth === 'string' ? truth : null,
    byOutcome: (r.byOutcome as Record<string, number> | undefined) ?? {},
    // A stress or bench report judged every run it made (its findings are stored); a run without a result was not judged.
    safety: { checked: typeof r.safetyChecked === 'boolean' ? r.safetyChecked : (report || hive) && run.result !== null ? true : null, violations, findings },
    bench,
    hive,
    stress: stressOf(run),
    approvals: db.prepare('SELECT decision, verdict, by, at FROM approvals WHERE run_id = ? ORDER BY at').all(run.id) as RunSummary['approvals'],
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
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([protocol, rs]) => {
      let attempted = 0,
        decided = 0,
        sent = 0,
        sentOver = 0,
        qualitySum = 0,
        qualityOver = 0,
        violations = 0,
        failed = 0;
      for (const run of rs) {
        const s = summarize(db, run);
        attempted += s.decisions.attempted;
        decided += s.decisions.decided;
        const m = num(s.messages?.sent);
        if (m !== null) {
          sent += m;
          sentOver += s.decisions.attempted;
        }
        if (s.quality !== null) {
          qualitySum += s.quality * s.decisions.decided;
          qualityOver += s.decisions.decided;
        }
        violations += s.safety.violations;
        if (run.status !== 'completed' && run.status !== 'running') failed++;
      }
      const l = latenciesOf(
        db,
        rs.map((r) => r.id),
      );
      return {
        protocol,
        runs: rs.length,
        attempted,
        decided,
        successRate: attempted > 0 ? decided / attempted : null,
        latencyMs: { p50: percentile(l, 50), p99: percentile(l, 99), decisions: l.length },
        messagesPerDecision: sentOver > 0 ? sent / sentOver : null,
        quality: qualityOver > 0 ? qualitySum / qualityOver : null,
        safetyViolations: violations,
        failedRuns: failed,
      };
    });
}
