import type { SessionFigures } from './learning-figures.ts';
import type { LearningExperiment } from './learning-experiment.ts';
import type { LearningCheck } from './learning-verdict.ts';
import { escapeHtml } from '../text/html.ts';

const SERIES = ['bank', 'greedy', 'fixed', 'random', 'oracle'] as const;
const COLOURS: Record<(typeof SERIES)[number], string> = { bank: '#1f77b4', greedy: '#d62728', fixed: '#7f7f7f', random: '#bcbd22', oracle: '#2ca02c' };

/**
 * The per-session table the benchmark prints: success rate, time per objective and regret (per
 * session and cumulative) of each strategy, the oracle beside them.
 *
 * @example
 * ```ts
 * for (const line of learningTable(result.stationary)) console.log(line);
 * ```
 */
export function learningTable(rows: readonly SessionFigures[]): string[] {
  const sessions = [...new Set(rows.map((r) => r.session))].sort((a, b) => a - b);
  const cell = (r: SessionFigures) =>
    `${(100 * r.successRate).toFixed(1).padStart(5)}% ${(r.timeMs / 1000).toFixed(1).padStart(5)}s ${r.regret.toFixed(1).padStart(5)} ${r.cumulativeRegret.toFixed(0).padStart(5)}`;
  const width = cell(rows[0]!).length;
  const lines = [
    `session  ${SERIES.map((s) => s.padEnd(width)).join('  ')}`,
    `         ${SERIES.map(() => `${'succ'.padStart(6)} ${'time'.padStart(6)} ${'regr'.padStart(5)} ${'cum'.padStart(5)}`.padEnd(width)).join('  ')}`,
  ];
  for (const s of sessions)
    lines.push(`${String(s).padStart(7)}  ${SERIES.map((st) => cell(rows.find((r) => r.session === s && r.strategy === st)!)).join('  ')}`);
  return lines;
}

/** One line chart as inline SVG: a series per strategy over the sessions. */
function chart(rows: readonly SessionFigures[], title: string, value: (r: SessionFigures) => number, unit: string, marker?: number): string {
  const W = 460,
    H = 260,
    L = 56,
    R = 12,
    T = 28,
    B = 36;
  const sessions = [...new Set(rows.map((r) => r.session))].sort((a, b) => a - b);
  const values = rows.map(value);
  let lo = Math.min(...values),
    hi = Math.max(...values);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (s: number) => L + ((s - sessions[0]!) / Math.max(1, sessions.at(-1)! - sessions[0]!)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeHtml(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/><text x="${L - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${v.toFixed(Math.abs(hi - lo) < 5 ? 2 : 0)}${unit}</text>`,
    );
  }
  for (const s of sessions) parts.push(`<text x="${x(s).toFixed(1)}" y="${H - B + 14}" text-anchor="middle" font-size="10">${s}</text>`);
  parts.push(`<text x="${W / 2}" y="${H - 4}" text-anchor="middle" font-size="10">session</text>`);
  if (marker !== undefined)
    parts.push(
      `<line x1="${x(marker).toFixed(1)}" x2="${x(marker).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#999" stroke-dasharray="4 3"/><text x="${(x(marker) + 3).toFixed(1)}" y="${T + 10}" font-size="10" fill="#666">best arms change</text>`,
    );
  for (const st of SERIES) {
    const pts = sessions.map((s) => {
      const r = rows.find((q) => q.session === s && q.strategy === st)!;
      return `${x(s).toFixed(1)},${y(value(r)).toFixed(1)}`;
    });
    parts.push(`<polyline fill="none" stroke="${COLOURS[st]}" stroke-width="${st === 'bank' ? 2.5 : 1.5}" points="${pts.join(' ')}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The benchmark's HTML page: per variant, success rate, time per objective and cumulative regret
 * by session for every strategy (inline SVG, no script, nothing fetched), the acceptance checks
 * and the tables.
 *
 * @example
 * ```ts
 * writeFileSync('bench/results/learning.html', learningHtml(result, checks, { changeAt: 10, note: '...' }));
 * ```
 */
export function learningHtml(r: LearningExperiment, checks: readonly LearningCheck[], o: { changeAt: number; note: string }): string {
  const legend = SERIES.map((s) => `<span style="color:${COLOURS[s]}">&#9632; ${s}</span>`).join(' &nbsp; ');
  const variant = (title: string, rows: readonly SessionFigures[], marker?: number) =>
    `<h2>${escapeHtml(title)}</h2><div>${[
      chart(rows, 'success rate (expected, per objective)', (x) => 100 * x.successRate, '%', marker),
      chart(rows, 'time per objective', (x) => x.timeMs / 1000, 's', marker),
      chart(rows, 'cumulative regret (utility lost vs oracle)', (x) => x.cumulativeRegret, '', marker),
    ].join('')}</div><pre>${escapeHtml(learningTable(rows).join('\n'))}</pre>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Conclave ReasoningBank learning benchmark</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}svg{margin:4px;border:1px solid #ddd}pre{font-size:12px}.ok{color:#2ca02c}.no{color:#d62728}</style></head><body>
<h1>ReasoningBank learning benchmark</h1><p>${escapeHtml(o.note)}</p><p>${legend}</p>
<ul>${checks.map((c) => `<li class="${c.ok ? 'ok' : 'no'}">${c.ok ? 'PASS' : 'FAIL'} ${escapeHtml(c.name)}: ${escapeHtml(c.detail)}</li>`).join('')}</ul>
${variant('Stationary: the same world every session', r.stationary)}
${variant(`Non-stationary: the best arms change at session ${o.changeAt}`, r.changing, o.changeAt)}
</body></html>
`;
}
