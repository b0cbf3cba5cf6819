import { algorithmName, type BenchAlgorithm } from './bench-algorithms.ts';
import type { BenchGroup, BenchReport, MeasuredGroup } from './bench-report.ts';
import { escapeHtml } from '../text/html.ts';

/**
 * The bench as one self-contained HTML page: charts drawn as inline SVG (throughput against
 * cluster size per algorithm; per algorithm the spread of every run's p50 and p99 consensus
 * time), the data table, and the whole report as embedded JSON. No script, style sheet, font
 * or image is fetched: the page opens offline.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', benchHtml(report));
 * ```
 */
export function benchHtml(report: BenchReport): string {
  const m = report.meta;
  const measured = report.results.filter((g): g is MeasuredGroup => g.status === 'measured');
  const colour = (a: BenchAlgorithm) => PALETTE[m.algorithms.indexOf(a) % PALETTE.length];
  const clock = m.clock === 'virtual' ? 'virtual ms (simulated time)' : 'wall-clock ms';
  const series = (pick: (g: MeasuredGroup) => number | null) =>
    m.algorithms.map((a) => ({
      name: algorithmName(a),
      colour: colour(a),
      points: measured.filter((g) => g.algorithm === a).flatMap((g) => (pick(g) === null ? [] : [{ x: g.agents, y: pick(g)! }])),
    }));
  const charts = [
    lineChart({
      title: 'Throughput: decisions reached per wall-clock minute',
      yLabel: 'decisions / min (wall clock)',
      sizes: m.agents,
      series: series((g) => g.throughput.wallPerMinute),
    }),
    ...(m.clock === 'virtual'
      ? [
          lineChart({
            title: 'Throughput: decisions reached per simulated minute',
            yLabel: 'decisions / min (simulated)',
            sizes: m.agents,
            series: series((g) => g.throughput.simPerMinute),
          }),
        ]
      : []),
  ];
  const spreads = m.algorithms.map((a) =>
    spreadChart({
      title: algorithmName(a),
      unit: m.clock === 'virtual' ? 'virtual ms' : 'wall ms',
      sizes: m.agents,
      groups: measured.filter((g) => g.algorithm === a),
      colour: colour(a),
    }),
  );
  const w = m.workload;
  const facts: [string, string][] = [
    ['mode', `${m.mode}: consensus times in ${clock}`],
    [
      'workload',
      `${w.decisions !== undefined ? `${w.decisions} decisions` : `${w.durationMs} ms of decisions`} per run, ${w.inFlight} in flight, ${w.topology}; ${m.iterations} iterations per size, seeds ${m.seed}..${m.seed + m.iterations - 1}`,
    ],
    ['faults', m.faults ? m.faults.spec : 'none'],
    [
      'machine',
      `${m.machine.cpu}, ${m.machine.cores} cores, Node ${m.machine.node}, ${m.machine.platform}, load average ${m.machine.loadAverage.join(' / ')} at the start`,
    ],
    ['run', `${m.date}, ${(m.wallMs / 1000).toFixed(1)} s wall clock, ${m.mode === 'sim' ? `${m.workers} threads` : `${m.workers} worker threads per run`}`],
    ['command', m.command],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conclave bench · ${escapeHtml(m.date)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Conclave bench</h1>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>Throughput against cluster size</h2>
<div class="charts">${charts.join('\n')}</div>
<h2>Consensus time per decision, run by run</h2>
<p class="note">Each dot is one run: filled, its median decision latency (p50); hollow, its p99. The bar is the mean ± standard deviation of the runs' medians. ${escapeHtml(clock)}.</p>
<div class="charts">${spreads.join('\n')}</div>
<h2>Data</h2>
${dataTable(report.results)}
<p class="note">Report format version ${report.version}; the whole report is embedded below as JSON (element <code>#bench-data</code>).</p>
<script type="application/json" id="bench-data">${JSON.stringify(report).replace(/</g, '\\u003c')}</script>
</body>
</html>
`;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1260px;padding:0 16px;color:#222}
h1{margin:0 0 8px}h2{margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#666}dd{margin:0}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{background:#fafafa;border:1px solid #e4e4e4;border-radius:4px}
.note{color:#555}.table{overflow-x:auto}table{border-collapse:collapse;font-size:13px}th,td{padding:3px 6px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f3f3f3;position:sticky;top:0}td.l,th.l{text-align:left}td.w{white-space:normal;text-align:left;min-width:230px}tr.na td{color:#888}.bad{color:#c00;font-weight:600}.warn{color:#b36b00}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .title{font-size:13px;font-weight:600}svg .axis{stroke:#999}svg .grid{stroke:#e6e6e6}`;

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly { x: number; y: number }[];
}

/** Chart geometry: the plot area inside the margins, and the scales onto it. */
function frame(width: number, height: number, sizes: readonly number[], yMax: number, legendRows = 0) {
  const left = 70,
    right = 16,
    top = 30,
    bottom = 40 + legendRows * 16;
  // The sizes sit inside the plot, not on its edges: marks beside a size stay in the frame.
  const pad = 28;
  const lo = Math.min(...sizes),
    hi = Math.max(...sizes);
  const x = (n: number) => (hi === lo ? (left + width - right) / 2 : left + pad + ((n - lo) / (hi - lo)) * (width - left - right - 2 * pad));
  const ticks = niceTicks(yMax);
  const top2 = ticks[ticks.length - 1] || 1;
  const y = (v: number) => height - bottom - (v / top2) * (height - top - bottom);
  const axes = [
    ...ticks.map(
      (t) =>
        `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${short(t)}</text>`,
    ),
    `<line class="axis" x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}"/>`,
    ...sizes.map((n) => `<text x="${x(n)}" y="${height - bottom + 16}" text-anchor="middle">n = ${n}</text>`),
  ].join('');
  return { x, y, axes, left, top, bottom, legendTop: height - bottom + 30 };
}

function lineChart(o: { title: string; yLabel: string; sizes: readonly number[]; series: readonly Series[] }): string {
  const width = 580,
    rows = Math.ceil(o.series.length / 3),
    height = 320 + rows * 16;
  const f = frame(width, height, o.sizes, Math.max(0, ...o.series.flatMap((s) => s.points.map((p) => p.y))), rows);
  const lines = o.series
    .map((s) => {
      const pts = s.points.map((p) => `${f.x(p.x).toFixed(1)},${f.y(p.y).toFixed(1)}`).join(' ');
      const dots = s.points
        .map(
          (p) =>
            `<circle cx="${f.x(p.x).toFixed(1)}" cy="${f.y(p.y).toFixed(1)}" r="3.5" fill="${s.colour}"><title>${escapeHtml(s.name)}, n = ${p.x}: ${p.y.toLocaleString('en-US')} / min</title></circle>`,
        )
        .join('');
      return `<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"/>${dots}`;
    })
    .join('');
  // The legend goes under the plot, where no line can cross it.
  const legend = o.series
    .map(
      (s, i) =>
        `<rect x="${f.left + (i % 3) * 165}" y="${f.legendTop + Math.floor(i / 3) * 16}" width="10" height="10" fill="${s.colour}"/><text x="${f.left + 14 + (i % 3) * 165}" y="${f.legendTop + 9 + Math.floor(i / 3) * 16}">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(o.title)}">
<text class="title" x="${f.left}" y="18">${escapeHtml(o.title)}</text>${f.axes}
<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">${escapeHtml(o.yLabel)}</text>${lines}${legend}</svg>`;
}

function spreadChart(o: { title: string; unit: string; sizes: readonly number[]; groups: readonly MeasuredGroup[]; colour: string }): string {
  const width = 380,
    height = 260;
  const runs = o.groups.flatMap((g) => g.runs.filter((r) => r.error === undefined && r.decided > 0).map((r) => ({ n: g.agents, r })));
  const f = frame(width, height, o.sizes, Math.max(0, ...runs.map(({ r }) => r.latencyMs.p99), ...o.groups.map((g) => g.consensusMs.mean + g.consensusMs.sd)));
  const marks: string[] = [];
  for (const g of o.groups) {
    const c = g.consensusMs;
    if (g.decisions.decided === 0) continue;
    const x = f.x(g.agents);
    marks.push(
      `<rect x="${x - 14}" y="${f.y(c.mean + c.sd).toFixed(1)}" width="6" height="${Math.max(1, f.y(c.mean - c.sd) - f.y(c.mean + c.sd)).toFixed(1)}" fill="${o.colour}" opacity="0.35"><title>n = ${g.agents}: mean ${c.mean} ± ${c.sd} ${escapeHtml(o.unit)}</title></rect>`,
    );
    const mine = runs.filter((e) => e.n === g.agents);
    mine.forEach(({ r }, i) => {
      const jitter = mine.length > 1 ? (i / (mine.length - 1) - 0.5) * 8 : 0;
      marks.push(
        `<circle cx="${(x - 2 + jitter).toFixed(1)}" cy="${f.y(r.latencyMs.p50).toFixed(1)}" r="2.6" fill="${o.colour}"><title>seed ${r.seed}: p50 ${r.latencyMs.p50} ${escapeHtml(o.unit)}</title></circle>`,
      );
      marks.push(
        `<circle cx="${(x + 12 + jitter).toFixed(1)}" cy="${f.y(r.latencyMs.p99).toFixed(1)}" r="2.6" fill="none" stroke="${o.colour}" stroke-width="1.3"><title>seed ${r.seed}: p99 ${r.latencyMs.p99} ${escapeHtml(o.unit)}</title></circle>`,
      );
    });
  }
  const empty = o.groups.length === 0 ? `<text x="${width / 2}" y="${height / 2}" text-anchor="middle">not measured at these sizes</text>` : '';
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(o.title)} consensus time">
<text class="title" x="${f.left}" y="18">${escapeHtml(o.title)}</text>${f.axes}
<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">${escapeHtml(o.unit)}</text>${marks.join('')}${empty}</svg>`;
}

function dataTable(results: readonly BenchGroup[]): string {
  const head = [
    'algorithm',
    'n',
    'consensus time (mean ± sd)',
    'p50',
    'p99',
    'success',
    'tolerance',
    'given',
    'decisions/min (wall)',
    'decisions/min (sim)',
    'msgs/decision',
    'quality',
    'safety',
    'liveness',
    'runs',
  ];
  const rows = results.map((g) => {
    const first = `<td class="l">${escapeHtml(algorithmName(g.algorithm))}</td><td>${g.agents}</td>`;
    if (g.status !== 'measured') {
      const why = g.status === 'not_applicable' ? `not applicable: ${g.reason}` : `every run failed: ${g.runs[0]?.error ?? ''}`;
      return `<tr class="na">${first}<td class="l" colspan="${head.length - 2}">${escapeHtml(why)}</td></tr>`;
    }
    const c = g.consensusMs;
    // Nothing reached, no time to show (the figures are 0).
    const none = g.decisions.decided === 0;
    const time = (x: number) => (none ? '-' : `${x} ms`);
    const given = [plural(g.load.liars, 'liar', 'liars'), plural(g.load.crashes, 'crash', 'crashes')].filter(Boolean).join(' + ') || '-';
    const cells = [
      none ? 'none reached' : `${c.mean} ± ${c.sd} ms`,
      time(c.p50),
      time(c.p99),
      `${(g.successRate * 100).toFixed(1)}%`,
      `<span title="${escapeHtml(g.tolerance.note)}">${escapeHtml(g.tolerance.bound)}, here f ≤ ${g.tolerance.maxFaulty}</span>`,
      `<span class="${g.load.withinTolerance ? '' : 'warn'}">${escapeHtml(given)}${g.load.withinTolerance ? '' : ' (beyond)'}</span>`,
      g.throughput.wallPerMinute.toLocaleString('en-US'),
      g.throughput.simPerMinute === null ? '-' : g.throughput.simPerMinute.toLocaleString('en-US'),
      none ? '-' : g.messagesPerDecision.toFixed(2),
      g.quality === null ? '-' : `${(g.quality * 100).toFixed(1)}%`,
      `<span class="${g.safetyViolations > 0 ? 'bad' : ''}">${g.safetyViolations}</span>`,
      `<span class="${g.unfinished.length + g.livenessFindings > 0 ? 'warn' : ''}">${g.livenessFindings}${g.unfinished.length > 0 ? ` (${g.unfinished.length} unfinished)` : ''}</span>`,
      `${g.iterations}${g.errors.length > 0 ? ` <span class="bad">(${g.errors.length} failed)</span>` : ''}`,
    ];
    // The tolerance is prose: it may wrap.
    return `<tr>${first}${cells.map((x, i) => `<td${i === 4 ? ' class="w"' : ''}>${x}</td>`).join('')}</tr>`;
  });
  return `<div class="table"><table><thead><tr>${head.map((h, i) => `<th class="${i === 0 ? 'l' : ''}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

/** `1 crash`, `2 crashes`; nothing for 0. */
function plural(k: number, one: string, many: string): string {
  return k === 0 ? '' : `${k} ${k === 1 ? one : many}`;
}

/** Up to about five round ticks from 0 covering `max`. */
function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

/** 1500000 -> "1.5M", 25000 -> "25k", 4.5 -> "4.5". */
function short(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}
