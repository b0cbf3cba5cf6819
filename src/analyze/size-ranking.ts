import type { BenchGroup, BenchReport, MeasuredGroup } from '../bench/bench-report.ts';

/**
 * A group's decisions per minute on the clock of its consensus times: per simulated minute in sim
 * mode (the protocol's own speed over the simulated network, the same on any machine), per
 * wall-clock minute in threads mode. Throughput and latency are then on one clock.
 *
 * @example
 * ```ts
 * clockThroughput(group); // group.throughput.simPerMinute in sim mode
 * ```
 */
export function clockThroughput(g: MeasuredGroup): number {
  return g.consensusMs.clock === 'virtual' && g.throughput.simPerMinute !== null ? g.throughput.simPerMinute : g.throughput.wallPerMinute;
}

/**
 * The algorithms at one size, best first: groups without safety violations ranked (1, 2, ...) by
 * {@link clockThroughput}, highest first, ties by lower median consensus time; groups with
 * violations after them, unranked (`rank: null`: a fast wrong answer is not a result); groups
 * not run or failed in `others`.
 *
 * @example
 * ```ts
 * const r: SizeRanking = rankBySize(report)[0];
 * r.ranked[0].rank; // 1
 * ```
 */
export interface SizeRanking {
  readonly agents: number;
  readonly ranked: readonly { readonly rank: number | null; readonly group: MeasuredGroup }[];
  readonly others: readonly Exclude<BenchGroup, MeasuredGroup>[];
}

/**
 * Ranks the algorithms of a bench at each size (sizes ascending); see {@link SizeRanking}.
 *
 * @example
 * ```ts
 * for (const size of rankBySize(report)) console.log(size.agents, size.ranked.map((r) => r.group.algorithm));
 * ```
 */
export function rankBySize(report: BenchReport): SizeRanking[] {
  const sizes = [...new Set(report.results.map((g) => g.agents))].sort((a, b) => a - b);
  return sizes.map((agents) => {
    const here = report.results.filter((g) => g.agents === agents);
    const measured = here.filter((g): g is MeasuredGroup => g.status === 'measured');
    const faster = (a: MeasuredGroup, b: MeasuredGroup) => clockThroughput(b) - clockThroughput(a) || a.consensusMs.p50 - b.consensusMs.p50;
    const safe = measured.filter((g) => g.safetyViolations === 0).sort(faster);
    const unsafe = measured.filter((g) => g.safetyViolations > 0).sort(faster);
    return {
      agents,
      ranked: [...safe.map((group, i) => ({ rank: i + 1, group })), ...unsafe.map((group) => ({ rank: null, group }))],
      others: here.filter((g): g is Exclude<BenchGroup, MeasuredGroup> => g.status !== 'measured'),
    };
  });
}
