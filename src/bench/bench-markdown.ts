import { algorithmName } from './bench-algorithms.ts';
import type { BenchReport } from './bench-report.ts';

const int = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * The bench as a Markdown table, for a README: a row per (algorithm, n) with consensus time,
 * success rate, what the algorithm tolerates at that size, throughput on both clocks, messages
 * per decision and quality, under a line saying what ran and on what machine. What
 * `conclave bench --markdown FILE` writes; regenerate it when the figures change.
 *
 * @example
 * ```ts
 * writeFileSync('bench.md', benchMarkdown(report));
 * ```
 */
export function benchMarkdown(report: BenchReport): string {
  const m = report.meta;
  const clock = m.clock === 'virtual' ? 'virtual ms' : 'wall ms';
  const sim = m.mode === 'sim';
  const lines = [
    `\`${m.command}\` — ${m.mode} mode, ${m.iterations} iterations per size, ${m.workload.decisions !== undefined ? `${int(m.workload.decisions)} decisions` : `${m.workload.durationMs} ms`} per run, ${m.workload.inFlight} in flight, ${m.faults ? `faults ${m.faults.spec}` : 'no faults'}; ` +
      `${m.machine.cpu}, ${m.machine.cores} cores, Node ${m.machine.node}, load average ${m.machine.loadAverage[0]} at the start; ${report.results.length} groups in ${(m.wallMs / 1000).toFixed(1)} s wall clock.`,
    '',
    `| algorithm | n | consensus time p50 / p99 (${clock}) | success | tolerates | decisions/min (wall clock)${sim ? ' | decisions/min (simulated)' : ''} | msgs/decision | quality | safety violations |`,
    `|---|---|---|---|---|---|${sim ? '---|' : ''}---|---|---|`,
  ];
  for (const g of report.results) {
    const name = algorithmName(g.algorithm);
    if (g.status !== 'measured') {
      lines.push(
        `| ${name} | ${g.agents} | ${g.status === 'not_applicable' ? `not applicable: ${g.reason}` : 'every run failed'} |  |  |  |${sim ? '  |' : ''}  |  |  |`,
      );
      continue;
    }
    const c = g.consensusMs;
    const tolerates = `${g.tolerance.bound} (here ${g.tolerance.maxFaulty})`;
    lines.push(
      `| ${name} | ${g.agents} | ${ms(c.p50)} / ${ms(c.p99)} | ${(g.successRate * 100).toFixed(1)}% | ${tolerates} | ${int(g.throughput.wallPerMinute)}${sim ? ` | ${int(g.throughput.simPerMinute ?? 0)}` : ''} | ${g.messagesPerDecision.toFixed(1)} | ${g.quality === null ? '-' : `${(g.quality * 100).toFixed(1)}%`} | ${g.safetyViolations} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
