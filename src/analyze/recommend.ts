import { algorithmFamily, type BenchAlgorithm } from '../bench/bench-algorithms.ts';
import type { BenchReport, MeasuredGroup } from '../bench/bench-report.ts';
import { benchAgents, benchWeights } from '../bench/bench-scenario.ts';
import { faultTolerance, type FaultTolerance } from '../bench/fault-tolerance.ts';
import { int } from '../text/format.ts';
import { ConfigError } from '../errors.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';
import { fixed, pct } from './figure-format.ts';
import { groupSpreads, withinNoise } from './noise.ts';
import { benchCommands, propertyPick } from './property-picks.ts';
import { defaultSettings, measuredSettings, scenarioFor, type Parameter } from './recommended-settings.ts';
import { clockThroughput } from './size-ranking.ts';
import type { TaskTypeRule } from './task-types.ts';

/**
 * What `conclave optimize` optimizes for.
 *
 * @example
 * ```ts
 * OPTIMIZE_TARGETS.includes('expertise'); // true
 * ```
 */
export const OPTIMIZE_TARGETS = Object.freeze(['speed', 'reliability', 'expertise'] as const);

/**
 * One of {@link OPTIMIZE_TARGETS}.
 *
 * @example
 * ```ts
 * const t: OptimizeTarget = 'speed';
 * ```
 */
export type OptimizeTarget = (typeof OPTIMIZE_TARGETS)[number];

/**
 * Reads `--target`, or throws a ConfigError at `path` that suggests what a typo meant.
 *
 * @example
 * ```ts
 * optimizeTarget('speed'); // 'speed'
 * optimizeTarget('sped');  // throws: speed (did you mean it?), or one of speed, reliability, expertise
 * ```
 */
export function optimizeTarget(value: string, path = '--target'): OptimizeTarget {
  if ((OPTIMIZE_TARGETS as readonly string[]).includes(value)) return value as OptimizeTarget;
  const near = didYouMean(value, OPTIMIZE_TARGETS);
  throw new ConfigError(path, `${near ? `${near} (did you mean it?), or ` : ''}one of ${OPTIMIZE_TARGETS.join(', ')}`, value);
}

/**
 * A bench file the recommendation may draw on.
 *
 * @example
 * ```ts
 * const s: BenchSource = { file: 'consensus_benchmark.json', report };
 * ```
 */
export interface BenchSource {
  readonly file: string;
  readonly report: BenchReport;
}

/**
 * An algorithm, its size and settings for a target, with what backs them: `measured` (figures
 * quoted from the bench files) or `properties` (what the algorithms promise, no measurement).
 *
 * @example
 * ```ts
 * const r: Recommendation = recommend('speed', taskTypeRule(undefined), [{ file, report }]);
 * console.log(r.algorithm, r.agents, r.evidence.join('\n'));
 * ```
 */
export interface Recommendation {
  readonly target: OptimizeTarget;
  readonly taskType: TaskTypeRule;
  readonly basis: 'measured' | 'properties';
  readonly algorithm: BenchAlgorithm;
  readonly agents: number;
  readonly inFlight: number;
  /** The topology the chosen group ran on (`mesh` without measurements). */
  readonly topology: string;
  /** The file whose group was chosen (measured only). */
  readonly from?: string;
  /** The rule that chose it, in one sentence. */
  readonly rule: string;
  /** The figures (or, without measurements, the properties) that justify the choice. */
  readonly evidence: readonly string[];
  readonly parameters: readonly Parameter[];
  /** Groups measured but not eligible, and why. */
  readonly excluded: readonly { readonly key: string; readonly why: string }[];
  readonly notes: readonly string[];
  /** A scenario file that runs the recommendation (`conclave run` takes it). */
  readonly scenario: string;
  /** Commands that would back the recommendation with measurements, or sharpen it. */
  readonly next: readonly string[];
}

/** A measured group and the file (and in-flight window) it came from. */
interface Candidate {
  readonly file: string;
  readonly group: MeasuredGroup;
  readonly inFlight: number;
  readonly faults: string | null;
}

const RULES: Readonly<Record<OptimizeTarget, string>> = {
  speed:
    'speed: the highest throughput (decisions per minute on the bench clock), ties to the lower median consensus time, among groups with 0 safety violations and a success rate at or above the floor',
  reliability:
    'reliability: the strongest fault model (Byzantine, then crash, then the voting algorithms, whose trusted coordinator is a single point of failure), then runs under faults before runs without, then the highest success rate, then the most faulty members tolerated, then throughput; only groups with 0 safety violations, run within their tolerance, at or above the success floor',
  expertise:
    'expertise: the highest decision quality (share of decisions that chose the ground truth), ties to weighted voting (expert weights), then throughput; only groups whose quality is measured, with 0 safety violations and a success rate at or above the floor',
};

/** Ranks fault models for reliability: what survives lying members first. */
const MODEL_RANK: Readonly<Record<FaultTolerance['model'], number>> = { byzantine: 3, crash: 2, outcome: 1 };

/**
 * Recommends an algorithm, a size and settings for `target` (pure: the same files, the same
 * advice). With bench files, it picks among their measured groups by the target's rule (see
 * `rule` in the result) and quotes the figures; a task type (see {@link TaskTypeRule}) raises or
 * lowers the success floor, restricts the candidates and scales the voting timeout. The voting
 * timeout is derived from the measured p99 consensus times, Raft's election and PBFT's
 * view-change timeouts from the median commit time, the in-flight window is the best one measured.
 * Without files, or when no measured group qualifies, it recommends from the algorithms'
 * properties alone (`basis: 'properties'`) and says which bench would back it. `only`
 * (`--recommended-algorithm`) restricts the choice to one algorithm, measured or not.
 *
 * @example
 * ```ts
 * const r = recommend('speed', taskTypeRule('routine'), [{ file: 'consensus_benchmark.json', report }]);
 * r.basis;      // 'measured'
 * r.parameters; // [{ key: 'agents', ... }, { key: 'task.in_flight', ... }, { key: 'consensus.voting_timeout', ... }]
 * ```
 */
export function recommend(target: OptimizeTarget, rule: TaskTypeRule, sources: readonly BenchSource[], only?: BenchAlgorithm): Recommendation {
  sources.forEach((s, i) => {
    if (s.report.meta.clock !== sources[0].report.meta.clock) {
      throw new ConfigError(
        `--from[${i}]`,
        `a bench on the same clock as --from[0] (${sources[0].file}: ${sources[0].report.meta.mode} mode): figures on different clocks do not compare, so pass files of one mode`,
        `${s.file} (${s.report.meta.mode} mode)`,
      );
    }
  });
  const excluded: { key: string; why: string }[] = [];
  const eligible: Candidate[] = [];
  for (const s of sources) {
    for (const g of s.report.results) {
      const key = `${g.algorithm} n=${g.agents} (${s.file})`;
      if (only !== undefined && g.algorithm !== only) excluded.push({ key, why: `not ${only} (--recommended-algorithm)` });
      else if (g.status === 'not_applicable') excluded.push({ key, why: `not run: ${g.reason}` });
      else if (g.status === 'failed') excluded.push({ key, why: 'every run failed outright' });
      else {
        const why = ineligible(g, target, rule);
        if (why !== undefined) excluded.push({ key, why });
        else eligible.push({ file: s.file, group: g, inFlight: s.report.meta.workload.inFlight, faults: s.report.meta.faults?.spec ?? null });
      }
    }
  }
  if (eligible.length === 0) return byProperties(target, rule, sources, excluded, only);
  const ranked = [...eligible].sort(ORDER[target]);
  const best = ranked[0];
  const g = best.group;
  const notes: string[] = [];
  if (rule.note) notes.push(rule.note);
  if (g.consensusMs.clock === 'virtual')
    notes.push(
      'consensus times are virtual ms of the simulated network (1-3 ms per link): the timeouts fit that network; for a real one, bench in threads mode (--mode threads) or scale them by your link latency',
    );
  if (target === 'reliability' && sources.every((s) => s.report.meta.faults === null)) {
    notes.push(
      `no run in ${sources.map((s) => s.file).join(', ')} had faults: the success rates were measured without faults and show nothing about reliability under them, so the choice rests on the fault model and the tolerance; bench under faults to measure it (see below)`,
    );
  }
  const params = parameters(target, best, eligible, rule);
  return {
    target,
    taskType: rule,
    basis: 'measured',
    algorithm: g.algorithm,
    agents: g.agents,
    inFlight: best.inFlight,
    topology: g.topology,
    from: best.file,
    rule: `${RULES[target]}; ${rule.summary}`,
    evidence: evidence(target, best, ranked, eligible, excluded, sources),
    parameters: params,
    excluded,
    notes,
    scenario: scenarioFor(target, g.algorithm, g.agents, best.inFlight, g.topology, params, `measured: ${best.file}`),
    next: target === 'reliability' && sources.every((s) => s.report.meta.faults === null) ? benchCommands('reliability') : [],
  };
}

/** Why a measured group may not be recommended for `target` under `rule`, or undefined. */
function ineligible(g: MeasuredGroup, target: OptimizeTarget, rule: TaskTypeRule): string | undefined {
  if (g.safetyViolations > 0)
    return `${g.safetyViolations} safety violation${g.safetyViolations === 1 ? '' : 's'} (${Object.entries(g.safetyByProperty)
      .map(([p, k]) => `${k} ${p}`)
      .join(', ')})`;
  if (g.errors.length > 0) return `${g.errors.length} of its runs failed outright (seed ${g.errors[0].seed}: ${g.errors[0].error})`;
  if (!g.load.withinTolerance)
    return `ran beyond its tolerance (${g.load.liars} liars, ${g.load.crashes} crashes against ${g.tolerance.bound}, f <= ${g.tolerance.maxFaulty}): its figures promise nothing`;
  const floor = target === 'expertise' ? rule.expertiseFloor : rule.successFloor;
  if (g.successRate < floor)
    return `success ${pct(g.successRate)} is below the ${pct(floor)} floor (${rule.label}${target === 'expertise' ? ', expertise' : ''})`;
  if (g.quality === null && (target === 'expertise' || rule.candidates === 'quality'))
    return `no decision quality measured (${g.algorithm} replicates a value, it does not choose among options)${target === 'expertise' ? '' : `; ${rule.label} need it`}`;
  if (rule.candidates === 'byzantine') {
    if (target !== 'expertise' && g.tolerance.model !== 'byzantine')
      return `fault model "${g.tolerance.model}" (${g.tolerance.bound}): ${rule.label} need Byzantine tolerance`;
    if (target === 'expertise' && g.tolerance.maxFaulty < 1)
      return `tolerates no lying member at n=${g.agents} (${g.tolerance.bound}): ${rule.label} need at least one`;
  }
  return undefined;
}

type Order = (a: Candidate, b: Candidate) => number;
const faster: Order = (a, b) => clockThroughput(b.group) - clockThroughput(a.group) || a.group.consensusMs.p50 - b.group.consensusMs.p50;
const ORDER: Readonly<Record<OptimizeTarget, Order>> = {
  speed: faster,
  reliability: (a, b) =>
    MODEL_RANK[b.group.tolerance.model] - MODEL_RANK[a.group.tolerance.model] ||
    // A success rate measured under faults says more than one measured without.
    Number(b.faults !== null) - Number(a.faults !== null) ||
    b.group.successRate - a.group.successRate ||
    b.group.tolerance.maxFaulty - a.group.tolerance.maxFaulty ||
    faster(a, b),
  expertise: (a, b) =>
    b.group.quality! - a.group.quality! || Number(b.group.algorithm === 'weighted_voting') - Number(a.group.algorithm === 'weighted_voting') || faster(a, b),
};

/** The figures that justify the choice, quoted from the files. */
function evidence(
  target: OptimizeTarget,
  best: Candidate,
  ranked: readonly Candidate[],
  eligible: readonly Candidate[],
  excluded: readonly { key: string; why: string }[],
  sources: readonly BenchSource[],
): string[] {
  const g = best.group;
  const lines = [`${label(best)}: ${figures(g)}`];
  const rival = ranked.find((c) => c.group.algorithm !== g.algorithm);
  if (target === 'speed') {
    if (rival) {
      const close = withinNoise(groupSpreads(g).throughput, groupSpreads(rival.group).throughput);
      lines.push(
        `next fastest algorithm: ${label(rival)} at ${int(clockThroughput(rival.group))} ${perMin(rival.group)}: ${times(clockThroughput(g) / Math.max(clockThroughput(rival.group), 1e-9))} the throughput, ${close ? 'but within noise (the mean ± sd of their iterations overlap): either will do' : 'beyond noise (the mean ± sd of their iterations do not overlap)'}`,
      );
    } else lines.push('no other algorithm qualified to compare with');
  }
  if (target === 'reliability') {
    const t = g.tolerance;
    lines.push(`tolerance: ${t.bound}: up to ${t.maxFaulty} of ${g.agents} members (${t.note})`);
    lines.push(
      best.faults !== null
        ? `measured under faults "${best.faults}": each run had ${g.load.liars} lying and ${g.load.crashes} crashing members, within its tolerance, and reached ${int(g.decisions.decided)} of ${int(g.decisions.attempted)} decisions`
        : 'measured without faults: the success rate shows no behaviour under faults',
    );
    if (rival)
      lines.push(
        `next: ${label(rival)}: ${rival.group.tolerance.bound} (up to ${rival.group.tolerance.maxFaulty}), success ${pct(rival.group.successRate)}${rival.faults !== null ? ` under "${rival.faults}"` : ''}`,
      );
  }
  if (target === 'expertise') {
    const right = Math.round(g.quality! * g.decisions.decided);
    lines.push(
      `quality ${pct(g.quality!)}: about ${int(right)} of ${int(g.decisions.decided)} decisions reached chose the ground truth${g.decisions.decided < g.decisions.attempted ? `; ${int(g.decisions.attempted - g.decisions.decided)} of ${int(g.decisions.attempted)} ended without a decision (no consensus or timed out: an open question rather than a wrong answer)` : ''}`,
    );
    const same = eligible.filter((c) => c !== best && c.group.agents === g.agents && c.file === best.file && c.group.quality !== null);
    if (same.length > 0) {
      lines.push(`at n=${g.agents} in the same file: ${same.map((c) => `${c.group.algorithm} ${pct(c.group.quality!)}`).join(', ')}`);
      // Quality is among decisions reached; wrong decisions per decision asked is what a user pays for.
      const wrong = (m: MeasuredGroup) => (1 - m.quality!) * m.successRate;
      lines.push(`wrong decisions per decision asked: ${pct(wrong(g))} (${same.map((c) => `${c.group.algorithm} ${pct(wrong(c.group))}`).join(', ')})`);
    }
    const agents = benchAgents(g.agents);
    lines.push(
      `measured with the bench's agents at n=${g.agents}: ${agents.map((a) => `${a.count} ${a.role}${a.count === 1 ? '' : 's'} (weight ${a.weight}, ${pct(a.accuracy)} accurate)`).join(', ')}${g.algorithm === 'weighted_voting' ? ": the weights let the experts' better signal outvote the generalists" : ''}`,
    );
    const weighted = ranked.find((c) => c.group.algorithm === 'weighted_voting');
    if (g.algorithm !== 'weighted_voting') {
      const unfit = excluded.filter((e) => e.key.startsWith('weighted_voting '));
      lines.push(
        weighted
          ? `weighted_voting measured lower quality here (${label(weighted)}: ${pct(weighted.group.quality!)}): with these agents, weighting the experts did not pay`
          : unfit.length > 0
            ? `weighted_voting did not qualify: ${unfit.map((e) => `${e.key}: ${e.why}`).join('; ')}`
            : `weighted_voting was not measured in ${sources.map((s) => s.file).join(', ')}: bench it to see whether expert weights raise the quality`,
      );
    }
  }
  return lines;
}

/** The settings, each derived from the chosen group (and the other windows measured for it). */
function parameters(target: OptimizeTarget, best: Candidate, eligible: readonly Candidate[], rule: TaskTypeRule): Parameter[] {
  const g = best.group;
  const figure = (c: Candidate) =>
    target === 'speed'
      ? `${int(clockThroughput(c.group))}/min`
      : target === 'reliability'
        ? `success ${pct(c.group.successRate)}, f <= ${c.group.tolerance.maxFaulty}`
        : `quality ${pct(c.group.quality!)}`;
  const sizes = eligible.filter((c) => c.group.algorithm === g.algorithm && c.file === best.file);
  const params: Parameter[] = [
    {
      key: 'agents',
      value: g.agents,
      derivation:
        sizes.length > 1
          ? `the best size for ${target} of those measured for ${g.algorithm} (${sizes
              .sort((a, b) => a.group.agents - b.group.agents)
              .map((c) => `n=${c.group.agents}: ${figure(c)}`)
              .join('; ')}); tolerates ${g.tolerance.bound}, up to ${g.tolerance.maxFaulty}`
          : `the only size measured for ${g.algorithm} that qualified; tolerates ${g.tolerance.bound}, up to ${g.tolerance.maxFaulty}`,
    },
  ];
  const windows = eligible.filter((c) => c.group.algorithm === g.algorithm && c.group.agents === g.agents);
  const windowSet = [...new Set(windows.map((c) => c.inFlight))];
  params.push({
    key: 'task.in_flight',
    value: best.inFlight,
    derivation:
      windowSet.length > 1
        ? `the best of the in-flight windows measured for ${g.algorithm} n=${g.agents} (${windows
            .sort((a, b) => a.inFlight - b.inFlight)
            .map((c) => `${c.inFlight}: ${figure(c)}`)
            .join('; ')})`
        : `the window the bench ran (the only one measured); to compare others, bench again with --in-flight 16 (say) and pass both files: --from ${best.file} --from other.json`,
  });
  return [...params, ...measuredSettings(best.group, best.inFlight, rule)];
}

/** Without measurements (or none that qualified): what the algorithms promise, labelled as such. */
function byProperties(
  target: OptimizeTarget,
  rule: TaskTypeRule,
  sources: readonly BenchSource[],
  excluded: { key: string; why: string }[],
  only?: BenchAlgorithm,
): Recommendation {
  const rulePick = propertyPick(target, rule);
  const pick =
    only === undefined || only === rulePick.algorithm
      ? rulePick
      : {
          algorithm: only,
          agents: algorithmFamily(only) === 'pbft' ? (target === 'reliability' ? 7 : 4) : 5,
          why: `${only}: the --recommended-algorithm, chosen by you; from the table of picks the ${target} rule${rule.id === null ? '' : ` for ${rule.label}`} would name ${rulePick.why}`,
        };
  const t = faultTolerance(pick.algorithm, pick.agents, benchWeights(pick.agents));
  const notes = [
    sources.length === 0
      ? 'NOT MEASURED: no bench file was given (--from), so no measurement backs this; it follows from what the algorithms promise'
      : `NOT MEASURED: no group in ${sources.map((s) => s.file).join(', ')} qualified (see "not eligible"), so no measurement backs this; it follows from what the algorithms promise`,
  ];
  if (rule.note) notes.push(rule.note);
  const params: Parameter[] = [
    { key: 'agents', value: pick.agents, derivation: `the size the pick names (see why): at it, ${t.bound}, up to ${t.maxFaulty}` },
    { key: 'task.in_flight', value: 1, derivation: 'the default: one decision at a time (raise it for throughput, and measure)' },
    ...defaultSettings(pick.algorithm),
  ];
  return {
    target,
    taskType: rule,
    basis: 'properties',
    algorithm: pick.algorithm,
    agents: pick.agents,
    inFlight: 1,
    topology: 'mesh',
    rule: `not measured: the algorithm whose guarantees fit ${target}${rule.id === null ? ' (no --task-type given)' : ` for ${rule.label}`}, from a fixed table of picks; with bench files the measured rule applies instead (${RULES[target]})`,
    evidence: [pick.why, `tolerance at n=${pick.agents}: ${t.bound} (${t.note})`],
    parameters: params,
    excluded,
    notes,
    scenario: scenarioFor(target, pick.algorithm, pick.agents, 1, 'mesh', params, "not measured: from the algorithms' properties"),
    next: benchCommands(target),
  };
}

function figures(g: MeasuredGroup): string {
  const c = g.consensusMs;
  return [
    `${int(clockThroughput(g))} ${perMin(g)}`,
    `consensus time ${fixed(c.mean)} ± ${fixed(c.sd)} ${c.clock} ms (p50 ${fixed(c.p50)}, p99 ${fixed(c.p99)})`,
    `success ${pct(g.successRate)} (${int(g.decisions.decided)}/${int(g.decisions.attempted)})`,
    `${g.safetyViolations} safety violations`,
    `${g.messagesPerDecision} messages/decision`,
    ...(g.quality !== null ? [`quality ${pct(g.quality)}`] : []),
    `${g.iterations} iterations`,
  ].join(', ');
}

const label = (c: Candidate) => `${c.group.algorithm} n=${c.group.agents}${c.inFlight > 1 ? ` (${c.inFlight} in flight)` : ''} [${c.file}]`;
const perMin = (g: MeasuredGroup) => (g.consensusMs.clock === 'virtual' ? 'decisions per simulated minute' : 'decisions per minute');
const times = (x: number) => `${x.toFixed(2)}x`;
