import type { BenchReport, MeasuredGroup } from '../bench/bench-report.ts';
import { bold, dim, green, int, red, yellow } from '../text/format.ts';
import type { BenchAnalysis, MicroAnalysis } from './analysis.ts';
import type { Comparison, MetricChange } from './compare.ts';
import { fixed, pct, short } from './figure-format.ts';
import type { MicroResults } from './micro-results.ts';
import { groupSpreads, type NoiseFinding } from './noise.ts';
import { clockThroughput } from './size-ranking.ts';

/**
 * One bench file's analysis as terminal lines: what ran and where, a table per size with the
 * algorithms ranked, the noisy figures with the per-iteration values that make them noisy, and
 * safety violations, loudly. `detailed` adds every iteration's row under its group.
 *
 * @example
 * ```ts
 * for (const line of benchAnalysisText(report, analyzeBench(report, file), { detailed: true })) console.log(line);
 * ```
 */
export function benchAnalysisText(report: BenchReport, a: BenchAnalysis, o: { detailed?: boolean } = {}): string[] {
  const m = report.meta;
  const w = m.workload;
  const virtual = m.clock === 'virtual';
  const lines = [
    bold(`Bench analysis: ${a.file}`),
    dim(
      `${m.mode} mode · ${m.iterations} iterations per size (seeds ${m.seed}..${m.seed + m.iterations - 1}) · ${w.decisions !== undefined ? `${int(w.decisions)} decisions` : `${w.durationMs} ms of decisions`} per run, ${w.inFlight} in flight · ${w.topology} · ${m.faults ? `faults ${m.faults.spec}` : 'no faults'}`,
    ),
    dim(
      `machine ${m.machine.cpu} · ${m.machine.cores} cores · Node ${m.machine.node} · load average ${m.machine.loadAverage.join(' / ')} at the start · ${m.date}`,
    ),
    dim(`ranked by ${a.rankedBy}`),
  ];
  if (a.safety.length > 0) lines.push('', ...safetyText(a));
  const header = [
    '#',
    'algorithm',
    `throughput/min ${virtual ? '(sim · wall)' : '(wall)'}`,
    `consensus ${m.clock} ms`,
    'p50 / p99',
    'success',
    'safety',
    'msgs/dec',
    'quality',
    'tolerates',
    'noise',
  ];
  const noisy = new Map<string, NoiseFinding[]>();
  for (const f of a.noise.findings) {
    if (f.metric === 'wall throughput') continue;
    const k = `${f.algorithm} ${f.agents}`;
    noisy.set(k, [...(noisy.get(k) ?? []), f]);
  }
  for (const size of a.sizes) {
    lines.push('', bold(`n = ${size.agents}`));
    const rows = size.ranked.map(({ rank, group: g }) => [
      rank === null ? '✗' : String(rank),
      g.algorithm,
      `${int(clockThroughput(g))}${virtual ? ` · ${int(g.throughput.wallPerMinute)}` : ''}`,
      `${fixed(g.consensusMs.mean)} ± ${fixed(g.consensusMs.sd)}`,
      `${fixed(g.consensusMs.p50)} / ${fixed(g.consensusMs.p99)}`,
      pct(g.successRate),
      String(g.safetyViolations),
      g.messagesPerDecision.toFixed(1),
      g.quality === null ? '-' : pct(g.quality),
      `${g.tolerance.bound}, f <= ${g.tolerance.maxFaulty}${g.load.withinTolerance ? '' : ' (exceeded)'}`,
      (noisy.get(`${g.algorithm} ${g.agents}`) ?? []).map((f) => `${f.metric} cv ${f.spread.cv.toFixed(2)}`).join(', ') || '-',
    ]);
    const table = columns([header, ...rows]);
    lines.push(dim(`  ${table[0]}`));
    size.ranked.forEach(({ group: g }, i) => {
      const line = `  ${table[i + 1]}`;
      lines.push(g.safetyViolations > 0 ? red(line) : noisy.has(`${g.algorithm} ${g.agents}`) ? yellow(line) : line);
      if (o.detailed) lines.push(...iterationRows(g, virtual));
    });
    for (const g of size.others)
      lines.push(
        dim(`  -  ${g.algorithm}: ${g.status === 'not_applicable' ? `not applicable: ${g.reason}` : `every run failed (${g.runs[0]?.error ?? 'no runs'})`}`),
      );
  }
  lines.push('', ...noiseText(a));
  return lines;
}

/** Safety violations, loudly: the groups, the properties, the seeds, and how to replay one. */
function safetyText(a: BenchAnalysis): string[] {
  const total = a.safety.reduce((s, f) => s + f.violations, 0);
  return [
    red(
      bold(
        `SAFETY VIOLATIONS: ${total} in ${a.safety.length} group${a.safety.length === 1 ? '' : 's'} — a consensus run that breaks safety gave different or invalid answers`,
      ),
    ),
    ...a.safety.map((f) =>
      red(
        `  ${f.algorithm} n=${f.agents}: ${Object.entries(f.byProperty)
          .map(([p, k]) => `${k} ${p}`)
          .join(
            ', ',
          )} · seeds ${f.seeds.join(', ')} · ${f.withinTolerance ? 'within its tolerance: a bug' : 'faults beyond its tolerance: what its bound predicts'}`,
      ),
    ),
    dim(
      '  each such run keeps its scenario in the file (results[i].runs[j].scenario): save it as a .yml file and `conclave replay FILE` shows the trace around each violation',
    ),
  ];
}

/** The noisy figures, with the values that make them so. */
function noiseText(a: BenchAnalysis): string[] {
  const t = a.noise.threshold;
  const ranked = a.noise.findings.filter((f) => f.metric !== 'wall throughput');
  const wall = a.noise.findings.filter((f) => f.metric === 'wall throughput');
  const lines = [bold(`Noise (coefficient of variation sd / mean of the per-iteration figures above ${t})`)];
  if (ranked.length === 0) lines.push(green(`  none: every ranked figure's iterations stay within ${t} of their mean`));
  for (const f of ranked) {
    const values =
      f.spread.values.length <= 10
        ? f.spread.values.map(short).join(' · ')
        : `${short(Math.min(...f.spread.values))} .. ${short(Math.max(...f.spread.values))} over ${f.spread.values.length}`;
    lines.push(
      yellow(
        `  ${f.algorithm} n=${f.agents}: ${f.metric} cv ${f.spread.cv.toFixed(2)} — per iteration ${values} (mean ${short(f.spread.mean)} ± ${short(f.spread.sd)})${f.metric === 'latency' ? ' ms' : ' decisions/min'}`,
      ),
    );
  }
  if (ranked.length > 0)
    lines.push(dim("  a noisy group's rank may not hold: run more iterations (--iterations), or more decisions per run, and compare again"));
  if (wall.length > 0) {
    const worst = Math.max(...wall.map((f) => f.spread.cv));
    const groups = a.sizes.reduce((n, s) => n + s.ranked.length, 0);
    lines.push(
      dim(
        `  wall-clock throughput (the simulator's own speed on this machine, not used for ranking) spreads above ${t} in ${wall.length} of ${groups} groups (cv up to ${worst.toFixed(2)}): short runs on a shared machine time poorly`,
      ),
    );
  }
  return lines;
}

/** A group's iterations, one row each (`--detailed`). */
function iterationRows(g: MeasuredGroup, virtual: boolean): string[] {
  const per = (decided: number, ms: number | null) => (ms !== null && ms > 0 ? int((decided * 60_000) / ms) : '-');
  const rows = g.runs.map((r) =>
    r.error !== undefined
      ? [String(r.seed), red(`failed: ${r.error}`)]
      : [
          String(r.seed),
          `${r.decided}/${r.attempted}`,
          `${fixed(r.latencyMs.p50)} / ${fixed(r.latencyMs.p99)}`,
          virtual ? `${per(r.decided, r.virtualMs)} · ${per(r.decided, r.wallMs)}` : per(r.decided, r.wallMs),
          String(r.messagesSent),
          r.quality === null ? '-' : pct(r.quality),
          String(r.safetyViolations.length),
        ],
  );
  const s = groupSpreads(g);
  const table = columns([['seed', 'decided', 'p50 / p99 ms', `per min ${virtual ? '(sim · wall)' : '(wall)'}`, 'messages', 'quality', 'safety'], ...rows]);
  return [
    dim(
      `       ${g.algorithm} n=${g.agents}, per iteration (throughput cv ${s.throughput.cv.toFixed(2)}, latency cv ${s.latency.cv.toFixed(2)}${s.wall ? `, wall cv ${s.wall.cv.toFixed(2)}` : ''}):`,
    ),
    ...table.map((l, i) => (i === 0 ? dim(`         ${l}`) : `         ${l}`)),
  ];
}

/**
 * One micro-benchmark file's analysis as terminal lines: a row per figure with its median, unit,
 * which way is better, quartiles and estimated spread; noisy rows and failed checks flagged.
 *
 * @example
 * ```ts
 * for (const line of microAnalysisText(results, analyzeMicro(results, file))) console.log(line);
 * ```
 */
export function microAnalysisText(results: MicroResults, a: MicroAnalysis): string[] {
  const m = results.machine;
  const lines = [
    bold(`Micro-benchmark results: ${a.file}`),
    dim(
      `suites ${results.suites.join(', ')} · ${m.cpu} · ${m.cores} cores · Node ${m.node} · load average ${m.loadAverage.join(' / ')} at the start · ${m.date}`,
    ),
  ];
  if (a.failedChecks.length > 0) lines.push('', red(bold(`FAILED CHECKS: ${a.failedChecks.length}`)), ...a.failedChecks.map((c) => red(`  ${c}`)));
  const rows = a.rows.map((r) =>
    r.row.median === null
      ? [r.row.suite, r.row.task, 'INVALID', r.row.unit, '', '', '', r.row.invalid ?? '']
      : [
          r.row.suite,
          r.row.task,
          short(r.row.median),
          r.row.unit,
          r.better,
          `${short(r.row.p25 ?? NaN)} – ${short(r.row.p75 ?? NaN)}`,
          r.cv === null ? '-' : r.cv.toFixed(2),
          r.noisy ? 'noisy' : '',
        ],
  );
  const table = columns([['suite', 'task', 'median', 'unit', 'better', 'p25 – p75', 'cv≈', ''], ...rows]);
  lines.push('', dim(table[0]), ...a.rows.map((r, i) => (r.row.median === null ? red(table[i + 1]) : r.noisy ? yellow(table[i + 1]) : table[i + 1])));
  lines.push('', dim(`cv≈ estimates sd / median from the quartiles ((p75 - p25) / 1.349 / median); above ${a.threshold} a row is noisy`));
  return lines;
}

/**
 * A comparison of two files as terminal lines: the rule, what differs between the files, one row
 * per figure (before → after, after / before, verdict), the groups found in one file only, and a
 * count of verdicts.
 *
 * @example
 * ```ts
 * for (const line of comparisonText(compareBenchReports(before, after, names))) console.log(line);
 * ```
 */
export function comparisonText(c: Comparison): string[] {
  const lines = [bold(`Comparison (${c.kind === 'bench' ? 'conclave bench files' : 'micro-benchmarks'}): ${c.before} → ${c.after}`), dim(c.rule)];
  if (c.alarms.length > 0)
    lines.push(
      '',
      red(bold(c.kind === 'bench' ? 'SAFETY VIOLATIONS' : 'FAILED CHECKS (figures of these runs are not to be trusted)')),
      ...c.alarms.map((x) => red(`  ${x}`)),
    );
  for (const n of c.notes) lines.push(yellow(`note: ${n}`));
  const rows: { cells: string[]; change: MetricChange | null }[] = [];
  for (const g of c.compared) {
    g.changes.forEach((m, i) =>
      rows.push({
        change: m,
        cells: [i === 0 ? g.key : '', m.metric, short(m.before), short(m.after), m.unit, m.ratio === null ? '-' : `x${m.ratio.toFixed(3)}`, m.verdict],
      }),
    );
    if (g.notes.length > 0) rows.push({ change: null, cells: ['', `  ${g.notes.join(' · ')}`] });
  }
  const widthRows = rows.filter((r) => r.change !== null).map((r) => r.cells);
  const table = columns([['group', 'figure', 'before', 'after', 'unit', 'after/before', 'verdict'], ...widthRows]);
  lines.push('', dim(table[0]));
  let k = 1;
  for (const r of rows) {
    if (r.change === null) {
      lines.push(dim(r.cells.join('')));
      continue;
    }
    const line = table[k++];
    lines.push(r.change.verdict === 'better' ? green(line) : r.change.verdict === 'worse' ? red(line) : line);
  }
  if (c.onlyBefore.length > 0) lines.push('', `only in ${c.before}: ${c.onlyBefore.join(', ')}`);
  if (c.onlyAfter.length > 0) lines.push('', `only in ${c.after}: ${c.onlyAfter.join(', ')}`);
  if (c.notComparable.length > 0) lines.push('', 'in both, not comparable:', ...c.notComparable.map((n) => dim(`  ${n.key}: ${n.why}`)));
  const count = (v: MetricChange['verdict']) => c.compared.reduce((s, g) => s + g.changes.filter((m) => m.verdict === v).length, 0);
  lines.push(
    '',
    `${count('better')} better, ${count('worse')} worse, ${count('within noise')} within noise, ${count('same')} the same · ${c.compared.length} groups compared, ${c.onlyBefore.length} only before, ${c.onlyAfter.length} only after`,
  );
  return lines;
}

/** Pads cells into aligned columns (the last one unpadded). */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}
