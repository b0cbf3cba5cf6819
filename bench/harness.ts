/**
 * Shared pieces of the benchmark suites: the result shapes bench/run.ts prints and saves, a thin
 * wrapper over tinybench 6 that turns latency samples of "one iteration moves N envelopes" into
 * msgs/s statistics, and the table printer.
 */
import { Bench, type Task } from 'tinybench';

/** One measured figure (a row of a suite's table). */
export interface Row {
  /** Short name, unique within the suite. */
  readonly task: string;
  /** What the numbers count, e.g. 'msgs/s', 'requests/s', 'bytes/actor'. */
  readonly unit: string;
  /** Higher is better (throughput) or lower is better (memory). */
  readonly better: 'higher' | 'lower';
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Envelopes (or actors, requests) per iteration. */
  readonly perIteration?: number;
  /** Name of the row measured in the same run this one is compared with (undefined for baselines). */
  readonly baseline?: string;
  /** median / baseline median. */
  ratio?: number;
  /** Targets printed beside the figure: never asserted. */
  readonly targets?: TargetCheck[];
  readonly note?: string;
  /** Set when a correctness check of the same scenario failed: the figures must not be used. */
  invalid?: string;
}

export interface TargetCheck {
  readonly label: string;
  readonly pass: boolean;
}

/** A correctness check a suite ran on its own measurements (lost envelopes, accounting). */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SuiteReport {
  readonly suite: string;
  /** One paragraph printed under the suite's title. */
  readonly description?: string;
  readonly rows: Row[];
  readonly checks: Check[];
  readonly notes?: string[];
}

/** Linear-interpolated quantile of a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Statistics of a set of per-iteration values (rates or sizes). */
export function summarize(values: readonly number[]): Pick<Row, 'median' | 'p25' | 'p75' | 'min' | 'max' | 'samples'> {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), min: s[0], max: s[s.length - 1], samples: s.length };
}

/** Latency samples (ms per iteration) of a finished tinybench task. */
function samplesOf(task: Task): number[] {
  const r = task.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed') throw new Error(`task "${task.name}" did not complete (state ${r.state})`);
  const samples = r.latency.samples;
  if (!samples) throw new Error(`task "${task.name}" kept no samples (retainSamples must be on)`);
  return [...samples];
}

/** A tinybench task description: one iteration moves `perIteration` envelopes. */
export interface ThroughputTask {
  readonly name: string;
  readonly perIteration: number;
  readonly fn: () => unknown;
  readonly async: boolean;
  readonly unit?: string;
  readonly baseline?: string;
  readonly targets?: (rate: number, baselineRate: number | undefined) => TargetCheck[];
  readonly note?: string;
}

export interface BenchPlan {
  /** Measured iterations per task (fixed count; no time budget). */
  readonly iterations: number;
  /** Warm-up iterations per task (not measured), before the first round. */
  readonly warmup: number;
  /**
   * The measured iterations are split into this many rounds, each running every task in turn
   * (A A B B C C, A A B B C C, ...), so that a slow phase of a shared machine hits baselines and
   * measured tasks alike instead of skewing their ratio.
   */
  readonly rounds: number;
}

/**
 * Runs tasks with tinybench (fixed iteration counts, samples retained), interleaved in rounds,
 * and returns one row per task with its baseline resolved to a ratio.
 */
export async function measure(name: string, plan: BenchPlan, tasks: readonly ThroughputTask[]): Promise<Row[]> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  const perRound = Math.ceil(plan.iterations / plan.rounds);
  for (let round = 0; round < plan.rounds; round++) {
    const warm = round === 0 && plan.warmup > 0;
    const bench = new Bench({
      name: `${name} (round ${round + 1}/${plan.rounds})`,
      time: 0,
      iterations: Math.min(perRound, plan.iterations - round * perRound),
      warmup: warm,
      warmupTime: 0,
      warmupIterations: warm ? plan.warmup : 0,
      retainSamples: true,
      throws: true,
    });
    for (const t of tasks) bench.add(t.name, t.fn, { async: t.async });
    await bench.run();
    for (const t of tasks) samples.get(t.name)!.push(...samplesOf(bench.getTask(t.name)!));
  }
  const rows: Row[] = tasks.map((t) => {
    const stats = summarize(samples.get(t.name)!.map((ms) => (t.perIteration * 1000) / ms));
    return { task: t.name, unit: t.unit ?? 'msgs/s', better: 'higher', ...stats, perIteration: t.perIteration, baseline: t.baseline, note: t.note };
  });
  return resolveBaselines(rows, tasks);
}

/** Fills `ratio` (and targets that need the baseline) for rows that name a baseline. */
function resolveBaselines(rows: Row[], tasks: readonly ThroughputTask[]): Row[] {
  return rows.map((row, i) => {
    const base = row.baseline === undefined ? undefined : rows.find((r) => r.task === row.baseline);
    if (row.baseline !== undefined && !base) throw new Error(`row "${row.task}" names baseline "${row.baseline}", which was not measured`);
    const ratio = base ? row.median / base.median : undefined;
    const targets = tasks[i].targets?.(row.median, base?.median);
    return { ...row, ratio, targets };
  });
}

/** Fills `ratio` from the baseline rows named (measured in the same run). */
export function withRatios(rows: Row[]): Row[] {
  return rows.map((r) => {
    if (r.baseline === undefined) return r;
    const base = rows.find((b) => b.task === r.baseline);
    if (!base) throw new Error(`row "${r.task}" names baseline "${r.baseline}", which was not measured`);
    return { ...r, ratio: r.median / base.median };
  });
}

/** Marks the rows of a scenario invalid when one of its checks failed. */
export function invalidateOnFailure(rows: Row[], checks: readonly Check[]): Row[] {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return rows;
  const reason = `check failed: ${failed.map((c) => c.name).join('; ')}`;
  return rows.map((r) => ({ ...r, invalid: reason }));
}

// ---- formatting ----

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  if (a >= 100) return n.toFixed(0);
  return n.toFixed(2);
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** Renders a suite's rows as a plain-text table. */
export function renderTable(report: SuiteReport): string {
  const head = ['task', 'median', 'unit', 'p25 – p75', 'min – max', 'n', 'vs baseline', 'targets'];
  const body = report.rows.map((r) =>
    r.invalid !== undefined
      ? [r.task, 'INVALID', r.unit, '', '', String(r.samples), '', `(${r.invalid})`]
      : [
          r.task,
          formatNumber(r.median),
          r.unit,
          `${formatNumber(r.p25)} – ${formatNumber(r.p75)}`,
          `${formatNumber(r.min)} – ${formatNumber(r.max)}`,
          String(r.samples),
          r.baseline !== undefined && r.ratio !== undefined ? `${r.ratio >= 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(3)}× ${r.baseline}` : '(baseline)',
          (r.targets ?? []).map((t) => `${t.pass ? 'PASS' : 'BELOW'} ${t.label}`).join('; '),
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const right = new Set([1, 5]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i], right.has(i)))
      .join('  ')
      .trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const b of body) out.push(line(b));
  return out.join('\n');
}
