import type { BenchReport, MeasuredGroup } from '../bench/bench-report.ts';
import { safetyFindings } from './analysis.ts';
import { pct } from './figure-format.ts';
import { failedChecks, rowBetter, type MicroResults, type MicroRow } from './micro-results.ts';
import { groupSpreads, intervalsOverlap, noiseInterval, type GroupSpreads, type Spread } from './noise.ts';
import { clockThroughput } from './size-ranking.ts';

/**
 * How a figure moved from before to after: `same` (equal), `within noise` (the two sides'
 * spreads overlap, see {@link Comparison.rule}), else `better` or `worse` in the figure's good
 * direction.
 *
 * @example
 * ```ts
 * const v: Verdict = 'within noise';
 * ```
 */
export type Verdict = 'better' | 'worse' | 'same' | 'within noise';

/**
 * One figure of one group, before and after.
 *
 * @example
 * ```ts
 * const c: MetricChange = { metric: 'throughput', unit: 'decisions/min', better: 'higher', before: 100, after: 150, ratio: 1.5, verdict: 'better', spreads: { before: [95, 105], after: [140, 160] } };
 * ```
 */
export interface MetricChange {
  readonly metric: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly before: number;
  readonly after: number;
  /** after / before (null when before is 0). */
  readonly ratio: number | null;
  readonly verdict: Verdict;
  /** The interval each side's noise is judged by (mean ± sd, or p25 - p75); null when unknown. */
  readonly spreads: { readonly before: readonly [number, number]; readonly after: readonly [number, number] } | null;
}

/**
 * A group found in both files: per (algorithm, n) for bench files, per (suite, task) for
 * micro-benchmarks.
 *
 * @example
 * ```ts
 * const g: ComparedGroup = { key: 'raft n=5', changes: [], notes: ['success 100.0% → 99.5%'] };
 * ```
 */
export interface ComparedGroup {
  readonly key: string;
  readonly changes: readonly MetricChange[];
  /** What moved besides the ratios (success rate, quality, safety violations). */
  readonly notes: readonly string[];
}

/**
 * Two files side by side.
 *
 * @example
 * ```ts
 * const c: Comparison = compareBenchReports(before, after, ['before.json', 'after.json']);
 * c.compared.filter((g) => g.changes.some((m) => m.verdict === 'worse'));
 * ```
 */
export interface Comparison {
  readonly kind: 'bench' | 'micro';
  readonly before: string;
  readonly after: string;
  /** The rule that calls a change within noise, in words. */
  readonly rule: string;
  readonly compared: readonly ComparedGroup[];
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
  /** In both files but with nothing to compare (not measured on one side, invalid, other unit). */
  readonly notComparable: readonly { readonly key: string; readonly why: string }[];
  /** Differences of setting that bear on every ratio (clock, machine, workload). */
  readonly notes: readonly string[];
  /** What makes either file's figures suspect: safety violations (bench), failed correctness checks (micro). */
  readonly alarms: readonly string[];
}

/** The rule for bench files, as the output states it. */
const BENCH_RULE =
  'within noise: the intervals mean ± sd of the per-iteration figures of the two files overlap; ratios are after / before of the group figures';
/** The rule for micro-benchmarks. */
const MICRO_RULE = 'within noise: the p25 - p75 ranges of the two files overlap; ratios are after / before of the medians';

/**
 * The verdict on one figure (see {@link Verdict}).
 *
 * @example
 * ```ts
 * verdict(100, 80, 'lower', null); // 'better'
 * verdict(100, 104, 'higher', { before: [95, 105], after: [99, 109] }); // 'within noise'
 * ```
 */
export function verdict(before: number, after: number, better: 'higher' | 'lower', spreads: MetricChange['spreads']): Verdict {
  if (before === after) return 'same';
  if (spreads !== null && intervalsOverlap(spreads.before, spreads.after)) return 'within noise';
  return after > before === (better === 'higher') ? 'better' : 'worse';
}

function change(metric: string, unit: string, better: 'higher' | 'lower', before: number, after: number, spreads: MetricChange['spreads']): MetricChange {
  return { metric, unit, better, before, after, ratio: before > 0 ? after / before : null, verdict: verdict(before, after, better, spreads), spreads };
}

const spreadsOf = (a: Spread, b: Spread): MetricChange['spreads'] => ({ before: noiseInterval(a), after: noiseInterval(b) });

const groupKey = (g: { algorithm: string; agents: number }) => `${g.algorithm} n=${g.agents}`;

/**
 * Compares two `conclave bench` files group by group (algorithm, n): throughput on the bench's
 * clock (and in sim mode wall-clock throughput, the simulator's speed), median and p99
 * consensus time, with success rate, quality and safety violations noted when they moved.
 * Consensus times are compared only when both files ran on the same clock.
 *
 * @example
 * ```ts
 * const c = compareBenchReports(before, after, ['before.json', 'after.json']);
 * c.compared[0].changes[0]; // { metric: 'throughput', ratio: 1.12, verdict: 'better', ... }
 * ```
 */
export function compareBenchReports(before: BenchReport, after: BenchReport, names: readonly [string, string]): Comparison {
  const sameClock = before.meta.clock === after.meta.clock;
  const notes = settingNotes(before, after);
  const beforeGroups = new Map(before.results.map((g) => [groupKey(g), g]));
  const afterGroups = new Map(after.results.map((g) => [groupKey(g), g]));
  const compared: ComparedGroup[] = [];
  const notComparable: { key: string; why: string }[] = [];
  for (const [key, b] of beforeGroups) {
    const a = afterGroups.get(key);
    if (a === undefined) continue;
    if (b.status !== 'measured' || a.status !== 'measured') {
      const why = (g: typeof a, name: string) =>
        g.status === 'not_applicable' ? `not applicable in ${name} (${g.reason})` : g.status === 'failed' ? `every run failed in ${name}` : '';
      notComparable.push({ key, why: [why(b, names[0]), why(a, names[1])].filter(Boolean).join('; ') });
      continue;
    }
    compared.push(compareGroups(key, b, a, sameClock));
  }
  const alarms = [before, after].flatMap((r, i) =>
    safetyFindings(r).map(
      (f) =>
        `${names[i]}: ${f.algorithm} n=${f.agents}: ${f.violations} safety violations (${Object.entries(f.byProperty)
          .map(([p, k]) => `${k} ${p}`)
          .join(', ')}), seeds ${f.seeds.join(', ')}`,
    ),
  );
  return {
    kind: 'bench',
    before: names[0],
    after: names[1],
    rule: BENCH_RULE,
    compared,
    notComparable,
    notes,
    alarms,
    onlyBefore: [...beforeGroups.keys()].filter((k) => !afterGroups.has(k)),
    onlyAfter: [...afterGroups.keys()].filter((k) => !beforeGroups.has(k)),
  };
}

function compareGroups(key: string, b: MeasuredGroup, a: MeasuredGroup, sameClock: boolean): ComparedGroup {
  const sb = groupSpreads(b);
  const sa = groupSpreads(a);
  const changes: MetricChange[] = [];
  if (sameClock) {
    const clock = b.consensusMs.clock;
    changes.push(
      change(
        'throughput',
        clock === 'virtual' ? 'decisions per simulated min' : 'decisions/min',
        'higher',
        clockThroughput(b),
        clockThroughput(a),
        spreadsOf(sb.throughput, sa.throughput),
      ),
    );
    if (sb.wall !== null && sa.wall !== null)
      changes.push(
        change(
          'wall throughput',
          'decisions per wall-clock min',
          'higher',
          b.throughput.wallPerMinute,
          a.throughput.wallPerMinute,
          spreadsOf(sb.wall, sa.wall),
        ),
      );
    changes.push(change('consensus time', `${clock} ms`, 'lower', b.consensusMs.mean, a.consensusMs.mean, spreadsOf(sb.latency, sa.latency)));
    changes.push(change('p99', `${clock} ms`, 'lower', b.consensusMs.p99, a.consensusMs.p99, spreadsOf(sb.p99, sa.p99)));
  } else {
    // Different clocks: only wall-clock throughput means the same thing on both sides.
    const wall = (g: MeasuredGroup, s: GroupSpreads) => (g.consensusMs.clock === 'wall' ? s.throughput : s.wall!);
    changes.push(
      change(
        'wall throughput',
        'decisions per wall-clock min',
        'higher',
        b.throughput.wallPerMinute,
        a.throughput.wallPerMinute,
        spreadsOf(wall(b, sb), wall(a, sa)),
      ),
    );
  }
  const notes: string[] = [];
  if (b.successRate !== a.successRate) notes.push(`success ${pct(b.successRate)} → ${pct(a.successRate)}`);
  if (b.quality !== a.quality && b.quality !== null && a.quality !== null) notes.push(`quality ${pct(b.quality)} → ${pct(a.quality)}`);
  if (b.safetyViolations !== a.safetyViolations || a.safetyViolations > 0) notes.push(`safety violations ${b.safetyViolations} → ${a.safetyViolations}`);
  if (b.messagesPerDecision !== a.messagesPerDecision) notes.push(`messages/decision ${b.messagesPerDecision} → ${a.messagesPerDecision}`);
  return { key, changes, notes };
}

/** What differs between two benches' settings, each making the ratios compare different experiments. */
function settingNotes(before: BenchReport, after: BenchReport): string[] {
  const b = before.meta;
  const a = after.meta;
  const notes: string[] = [];
  if (b.clock !== a.clock)
    notes.push(
      `before ran in ${b.mode} mode (${b.clock} clock), after in ${a.mode} mode (${a.clock} clock): consensus times are not comparable, only wall-clock throughput is compared`,
    );
  const machine = (m: typeof b.machine) => `${m.cpu}, ${m.cores} cores, Node ${m.node}`;
  if (machine(b.machine) !== machine(a.machine))
    notes.push(`different machines (${machine(b.machine)} / ${machine(a.machine)}): wall-clock figures compare machines as much as code`);
  const workload = (m: typeof b) =>
    `${m.workload.decisions !== undefined ? `${m.workload.decisions} decisions` : `${m.workload.durationMs} ms`} per run, ${m.workload.inFlight} in flight, ${m.workload.topology}, ${m.faults ? `faults ${m.faults.spec}` : 'no faults'}`;
  if (workload(b) !== workload(a)) notes.push(`different workloads (${workload(b)} / ${workload(a)}): the ratios compare different experiments`);
  if (b.seed !== a.seed || b.iterations !== a.iterations)
    notes.push(
      `different seeds or iterations (seeds ${b.seed}.., ${b.iterations} iterations / ${a.seed}.., ${a.iterations}): sim-mode figures differ by seed even for the same code`,
    );
  return notes;
}

/**
 * Compares two `npm run bench` result files row by row (suite, task): the ratio after / before of
 * the medians, better or worse in the row's direction, within noise when the p25 - p75 ranges
 * overlap.
 *
 * @example
 * ```ts
 * const c = compareMicroResults(previous, latest, ['bench/results/previous.json', 'bench/results/latest.json']);
 * ```
 */
export function compareMicroResults(before: MicroResults, after: MicroResults, names: readonly [string, string]): Comparison {
  const key = (r: MicroRow) => `${r.suite} · ${r.task}`;
  const beforeRows = new Map(before.results.map((r) => [key(r), r]));
  const afterRows = new Map(after.results.map((r) => [key(r), r]));
  const compared: ComparedGroup[] = [];
  const notComparable: { key: string; why: string }[] = [];
  for (const [k, b] of beforeRows) {
    const a = afterRows.get(k);
    if (a === undefined) continue;
    const why = [
      b.median === null ? `invalid in ${names[0]}${b.invalid ? ` (${b.invalid})` : ''}` : '',
      a.median === null ? `invalid in ${names[1]}${a.invalid ? ` (${a.invalid})` : ''}` : '',
      b.unit !== a.unit ? `units differ (${b.unit} / ${a.unit})` : '',
    ].filter(Boolean);
    if (why.length > 0) {
      notComparable.push({ key: k, why: why.join('; ') });
      continue;
    }
    const spreads =
      b.p25 !== null && b.p75 !== null && a.p25 !== null && a.p75 !== null ? { before: [b.p25, b.p75] as const, after: [a.p25, a.p75] as const } : null;
    compared.push({ key: k, changes: [change('median', a.unit, rowBetter(a.better !== undefined ? a : b), b.median!, a.median!, spreads)], notes: [] });
  }
  const notes: string[] = [];
  const machine = (m: MicroResults['machine']) => `${m.cpu}, ${m.cores} cores, Node ${m.node}`;
  if (machine(before.machine) !== machine(after.machine))
    notes.push(`different machines (${machine(before.machine)} / ${machine(after.machine)}): the ratios compare machines as much as code`);
  const busy = [before, after].filter((r) => r.machine.loadAverage[0] > r.machine.cores / 2).map((r) => (r === before ? names[0] : names[1]));
  if (busy.length > 0) notes.push(`the machine was busy when ${busy.join(' and ')} started (1-minute load average above half the cores): expect noise`);
  const alarms = [before, after].flatMap((r, i) => failedChecks(r).map((c) => `${names[i]}: ${c}`));
  return {
    kind: 'micro',
    before: names[0],
    after: names[1],
    rule: MICRO_RULE,
    compared,
    notComparable,
    notes,
    alarms,
    onlyBefore: [...beforeRows.keys()].filter((k) => !afterRows.has(k)),
    onlyAfter: [...afterRows.keys()].filter((k) => !beforeRows.has(k)),
  };
}
