import { bold, dim, green, red, yellow } from '../text/format.ts';
import { algorithmName, type BenchAlgorithm } from './bench-algorithms.ts';
import type { BenchGroup, BenchReport, MeasuredGroup } from './bench-report.ts';

/**
 * The bench as a terminal table: a header saying what ran (mode, clock, workload, faults), one
 * block per algorithm with its fault tolerance and a row per size (consensus time mean ± sd,
 * p50 / p99, success rate, what it tolerates at that size, throughput, messages per decision,
 * quality, safety, liveness), then the verdict and the machine.
 *
 * @example
 * ```ts
 * for (const line of benchTable(report)) console.log(line);
 * ```
 */
export function benchTable(report: BenchReport): string[] {
  const m = report.meta;
  const lines: string[] = [];
  lines.push(bold('Algorithm Performance Analysis'), '==============================');
  const w = m.workload;
  const amount = w.decisions !== undefined ? `${w.decisions.toLocaleString('en-US')} decisions per run` : `decisions for ${w.durationMs} ms per run`;
  lines.push(
    dim(
      `${m.mode} mode · ${m.iterations} iterations per size (seeds ${m.seed}..${m.seed + m.iterations - 1}) · ${amount}, ${w.inFlight} in flight · ${w.topology} · ${m.faults ? `faults ${m.faults.spec}` : 'no faults'}`,
    ),
  );
  lines.push(
    dim(
      m.clock === 'virtual'
        ? "consensus time: virtual ms (the simulated network's clock); throughput: decisions reached per wall-clock minute · per simulated minute"
        : 'consensus time: wall-clock ms; throughput: decisions reached per wall-clock minute',
    ),
  );
  const header = [
    'n',
    'consensus time',
    'p50 / p99',
    'success',
    'tolerates',
    `throughput/min ${m.clock === 'virtual' ? '(wall · sim)' : '(wall)'}`,
    'msgs/dec',
    'quality',
    'safety',
    'liveness',
  ];
  // One set of column widths for every block, so the blocks line up.
  const cells = new Map(report.results.flatMap((g) => (g.status === 'measured' ? [[g, groupCells(g)] as const] : [])));
  const widths = header.map((h, i) => Math.max(h.length, ...[...cells.values()].map((c) => c[i].length)));
  for (const algorithm of m.algorithms) {
    const groups = report.results.filter((g) => g.algorithm === algorithm);
    if (groups.length === 0) continue;
    const t = groups[0].tolerance;
    lines.push('', `${bold(algorithmName(algorithm))}  ${dim('tolerance')} ${t.bound}`, dim(`  ${t.note}`));
    lines.push(dim(`  ${row(header, widths)}`));
    for (const g of groups) lines.push(`  ${groupRow(g, cells.get(g as MeasuredGroup), widths)}`);
  }
  lines.push('', ...verdict(report));
  const mc = m.machine;
  lines.push(dim(`machine   ${mc.cpu} · ${mc.cores} cores · Node ${mc.node} · ${mc.platform} · load average ${mc.loadAverage.join(' / ')} at the start`));
  const runs = report.results.reduce((a, g) => a + (g.status === 'not_applicable' ? 0 : g.runs.length), 0);
  const skipped = report.results.filter((g) => g.status === 'not_applicable').length;
  lines.push(
    dim(
      `bench     ${runs} runs${skipped > 0 ? ` (${skipped} algorithm-size pair${skipped === 1 ? '' : 's'} not applicable)` : ''} in ${(m.wallMs / 1000).toFixed(1)} s wall clock · ${m.mode === 'sim' ? (m.workers === 1 ? 'one thread, one run at a time' : `${m.workers} threads (this one and a pool of ${m.workers - 1})`) : `one run at a time, ${m.workers} worker threads each`} · ${m.date}`,
    ),
  );
  return lines;
}

/** Cells padded to their widths (the last one not). */
function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
}

/** A measured group's cells, uncoloured (so their widths are their lengths). */
function groupCells(g: MeasuredGroup): string[] {
  const c = g.consensusMs;
  const unit = c.mean >= 1000 ? 's' : 'ms';
  // Nothing reached, no time to show (the figures are 0).
  const none = g.decisions.decided === 0;
  return [
    String(g.agents),
    none ? '- (none reached)' : `${time(c.mean, unit)} ± ${time(c.sd, unit)} ${unit}`,
    none ? '-' : `${time(c.p50, unit)} / ${time(c.p99, unit)} ${unit}`,
    `${(g.successRate * 100).toFixed(1)}%`,
    tolerates(g),
    `${g.throughput.wallPerMinute.toLocaleString('en-US')}${g.throughput.simPerMinute !== null ? ` · ${g.throughput.simPerMinute.toLocaleString('en-US')}` : ''}`,
    none ? '-' : g.messagesPerDecision.toFixed(1),
    g.quality === null ? '-' : `${(g.quality * 100).toFixed(1)}%`,
    String(g.safetyViolations),
    g.livenessFindings > 0 || g.unfinished.length > 0 ? `${g.livenessFindings} (${g.unfinished.length} runs unfinished)` : '0',
  ];
}

function groupRow(g: BenchGroup, cells: string[] | undefined, widths: readonly number[]): string {
  const n = String(g.agents).padEnd(widths[0]);
  if (g.status === 'not_applicable') return `${n}  ${dim(`not applicable: ${g.reason}`)}`;
  if (g.status === 'failed' || cells === undefined) return `${n}  ${red(`every run failed: ${g.status === 'failed' ? (g.runs[0]?.error ?? 'no runs') : ''}`)}`;
  const padded = cells.map((s, i) => (i === cells.length - 1 ? s : s.padEnd(widths[i])));
  // Colour after padding: a violation is red, work left undone and faults beyond the tolerance yellow.
  padded[8] = g.safetyViolations > 0 ? red(padded[8]) : green(padded[8]);
  if (g.livenessFindings > 0 || g.unfinished.length > 0) padded[9] = yellow(padded[9]);
  if (!g.load.withinTolerance) padded[4] = yellow(padded[4]);
  const errors = g.errors.length > 0 ? red(`  ${g.errors.length} runs failed (seed ${g.errors[0].seed}: ${g.errors[0].error})`) : '';
  return padded.join('  ').trimEnd() + errors;
}

function time(x: number, unit: 's' | 'ms'): string {
  const v = unit === 's' ? x / 1000 : x;
  return v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
}

/** What the algorithm tolerates at this size and, under faults, what each run was given (✗: beyond the tolerance). */
function tolerates(g: MeasuredGroup): string {
  const t = g.tolerance;
  const what = t.model === 'crash' ? 'crash' : t.model === 'byzantine' ? 'Byzantine' : 'liar';
  const bound = `f <= ${t.maxFaulty} ${what}${t.maxFaulty === 1 || what === 'Byzantine' ? '' : what === 'crash' ? 'es' : 's'}`;
  const given = [
    g.load.liars > 0 ? `${g.load.liars} liar${g.load.liars === 1 ? '' : 's'}` : '',
    g.load.crashes > 0 ? `${g.load.crashes} crash${g.load.crashes === 1 ? '' : 'es'}` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  return given === '' ? bound : `${bound}; given ${given}${g.load.withinTolerance ? '' : ' ✗'}`;
}

/** Safety, liveness and failures over the whole bench, with the seeds that show them. */
function verdict(report: BenchReport): string[] {
  const measured = report.results.filter((g): g is MeasuredGroup => g.status === 'measured');
  const unsafe = measured.filter((g) => g.safetyViolations > 0);
  const lines: string[] = [];
  if (unsafe.length === 0) lines.push(`safety    ${green('0 violations')} in every run`);
  else {
    for (const g of unsafe) {
      const seeds = g.runs.filter((r) => r.safetyViolations.length > 0).map((r) => r.seed);
      const props = Object.entries(g.safetyByProperty)
        .map(([p, k]) => `${k} ${p}`)
        .join(', ');
      lines.push(
        `safety    ${red(`${label(g.algorithm, g.agents)}: ${props}`)}${g.load.withinTolerance ? red(' within its tolerance: a bug') : dim(' (faults beyond its tolerance)')} · seeds ${seeds.join(', ')} (the JSON keeps each one's scenario: conclave run replays it)`,
      );
    }
  }
  const slow = measured.filter((g) => g.livenessFindings > 0 || g.unfinished.length > 0);
  lines.push(
    slow.length === 0
      ? `liveness  ${green('every run reached or closed all its decisions')}`
      : `liveness  ${yellow(slow.map((g) => `${label(g.algorithm, g.agents)}: ${g.unfinished.length} runs left decisions unreached (timed out)${g.livenessFindings > 0 ? `, ${g.livenessFindings} termination findings` : ''}`).join(' · '))}`,
  );
  const failed = report.results.filter((g) => g.status === 'failed' || (g.status === 'measured' && g.errors.length > 0));
  if (failed.length > 0)
    lines.push(`errors    ${red(failed.map((g) => label(g.algorithm, g.agents)).join(', '))} had runs that failed outright (see "errors" in the JSON)`);
  return lines;
}

const label = (algorithm: BenchAlgorithm, n: number) => `${algorithm} n=${n}`;
