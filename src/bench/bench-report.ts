import { perMinute } from '../swarm/report.ts';
import type { BenchAlgorithm } from './bench-algorithms.ts';
import type { BenchFaults } from './bench-faults.ts';
import type { BenchTopology } from './bench-plan.ts';
import type { FaultTolerance } from './fault-tolerance.ts';

/**
 * The version of the {@link BenchReport} shape; raised when a field changes meaning or goes.
 *
 * @example
 * ```ts
 * if (report.version !== BENCH_REPORT_VERSION) throw new Error('a bench file of another version');
 * ```
 */
export const BENCH_REPORT_VERSION = 1;

/**
 * The file `conclave bench --output` writes (`consensus_benchmark.json`): what ran, on what, and
 * per (algorithm, size) the figures over its iterations, with every iteration's own figures.
 *
 * Clocks: in sim mode consensus times are virtual ms (the simulated network's latency, 1-3 ms
 * per link by default, plus what the protocol waits); in threads mode they are wall-clock ms.
 * Throughput is given per wall-clock minute (what this machine did) and, in sim mode, per
 * simulated minute.
 *
 * @example
 * ```ts
 * const report: BenchReport = JSON.parse(readFileSync('consensus_benchmark.json', 'utf8'));
 * for (const g of report.results) if (g.status === 'measured') console.log(g.algorithm, g.agents, g.throughput.wallPerMinute);
 * ```
 */
export interface BenchReport {
  readonly version: typeof BENCH_REPORT_VERSION;
  readonly kind: 'conclave-bench';
  readonly meta: BenchMeta;
  /** One entry per (algorithm, agents), algorithms in the order asked, sizes ascending. */
  readonly results: readonly BenchGroup[];
}

/**
 * What a bench ran and where.
 *
 * @example
 * ```ts
 * console.log(`${report.meta.mode} mode on ${report.meta.machine.cores} cores, ${report.meta.wallMs} ms`);
 * ```
 */
export interface BenchMeta {
  /** ISO 8601 time the bench started. */
  readonly date: string;
  /** The command line, as typed. */
  readonly command: string;
  readonly mode: 'sim' | 'threads';
  /** Run i of every (algorithm, agents) used seed `seed + i`. */
  readonly seed: number;
  readonly iterations: number;
  readonly algorithms: readonly BenchAlgorithm[];
  readonly agents: readonly number[];
  /** Per run: `decisions`, or `durationMs` (voting only); `inFlight` open at once. */
  readonly workload: { readonly decisions?: number; readonly durationMs?: number; readonly inFlight: number; readonly topology: BenchTopology };
  /** The faults laid on every run (`null`: none), as given and as read. */
  readonly faults: { readonly spec: string; readonly plan: BenchFaults } | null;
  /** Sim mode: threads running iterations in parallel (this one and a pool); threads mode: worker threads of each run. */
  readonly workers: number;
  /** `virtual` in sim mode, `wall` in threads mode: the clock of every consensus time. */
  readonly clock: 'virtual' | 'wall';
  readonly machine: BenchMachine;
  /** Wall-clock ms of the whole bench. */
  readonly wallMs: number;
}

/**
 * The machine a bench ran on.
 *
 * @example
 * ```ts
 * const m: BenchMachine = { cpu: 'Intel Xeon', cores: 2, node: 'v20.20.2', platform: 'linux x64', loadAverage: [0.8, 2.1, 2.8] };
 * ```
 */
export interface BenchMachine {
  readonly cpu: string;
  /** Cores Node may use (`os.availableParallelism()`). */
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the bench started (a shared machine is noisy). */
  readonly loadAverage: readonly [number, number, number];
}

/**
 * One (algorithm, agents) of a bench: measured, not applicable (with why), or failed (every
 * iteration failed outright, a bug rather than a finding).
 *
 * @example
 * ```ts
 * if (g.status === 'not_applicable') console.log(g.reason);
 * ```
 */
export type BenchGroup = MeasuredGroup | NotApplicableGroup | FailedGroup;

/**
 * What every group says, measured or not.
 *
 * @example
 * ```ts
 * const base: BenchGroupBase = { algorithm: 'raft', agents: 5, tolerance: faultTolerance('raft', 5), load: { liars: 0, crashes: 1, withinTolerance: true } };
 * ```
 */
export interface BenchGroupBase {
  readonly algorithm: BenchAlgorithm;
  readonly agents: number;
  readonly tolerance: FaultTolerance;
  /** Liars and crashes each run was given, and whether they stay within the tolerance. */
  readonly load: { readonly liars: number; readonly crashes: number; readonly withinTolerance: boolean };
}

/**
 * A group whose algorithm does not run at this size under these faults.
 *
 * @example
 * ```ts
 * const g: NotApplicableGroup = { status: 'not_applicable', reason: 'PBFT needs n >= 4 replicas', algorithm: 'byzantine_tolerant', agents: 3, tolerance, load };
 * ```
 */
export interface NotApplicableGroup extends BenchGroupBase {
  readonly status: 'not_applicable';
  readonly reason: string;
}

/**
 * A group all of whose iterations failed outright.
 *
 * @example
 * ```ts
 * if (g.status === 'failed') console.error(g.runs[0].error);
 * ```
 */
export interface FailedGroup extends BenchGroupBase {
  readonly status: 'failed';
  readonly runs: readonly BenchIteration[];
}

/**
 * A measured group: figures over its iterations (those that did not fail outright).
 *
 * @example
 * ```ts
 * console.log(`${g.consensusMs.mean} ± ${g.consensusMs.sd} ${g.consensusMs.clock} ms, ${(g.successRate * 100).toFixed(1)} %`);
 * ```
 */
export interface MeasuredGroup extends BenchGroupBase {
  readonly status: 'measured';
  /** Where the votes went (Raft and PBFT report mesh: their members talk directly). */
  readonly topology: string;
  /** Iterations measured (failed ones are in `errors`). */
  readonly iterations: number;
  /** Sums over the iterations; `decided` counts decisions reached (a vote that closed without consensus is not one). */
  readonly decisions: { readonly attempted: number; readonly decided: number; readonly noConsensus: number; readonly timedOut: number };
  /** decided / attempted. */
  readonly successRate: number;
  /**
   * Consensus time per decision. `mean` and `sd` (sample standard deviation) are over the
   * iterations, of each run's median decision latency; `p50` and `p99` are the medians over the
   * iterations of each run's p50 and p99. `clock` says which ms these are. All 0 when no run
   * reached a decision (`decisions.decided` is 0): there is no time to speak of.
   */
  readonly consensusMs: { readonly clock: 'virtual' | 'wall'; readonly mean: number; readonly sd: number; readonly p50: number; readonly p99: number };
  /**
   * Decisions reached per minute: all decided over all iterations' wall-clock time (the measured
   * part of each run) and, in sim mode, over their simulated time (`simPerMinute`, else null).
   */
  readonly throughput: { readonly wallPerMinute: number; readonly simPerMinute: number | null };
  /** Messages sent per decision reached (0 when none was reached). */
  readonly messagesPerDecision: number;
  /** Share of reached decisions that chose the ground truth (voting algorithms); null without one (Raft, PBFT). */
  readonly quality: number | null;
  /** Safety violations over all iterations (must be 0 within the tolerance), by property. */
  readonly safetyViolations: number;
  readonly safetyByProperty: Readonly<Record<string, number>>;
  /** Liveness findings (termination after heal) over all iterations, and the seeds of runs that left decisions unreached. */
  readonly livenessFindings: number;
  readonly unfinished: readonly number[];
  /** Iterations that failed outright (a bug, not a finding): seed and error. */
  readonly errors: readonly { readonly seed: number; readonly error: string }[];
  readonly runs: readonly BenchIteration[];
}

/**
 * One bench run's figures: plain data, so it crosses from a pool thread unchanged.
 *
 * @example
 * ```ts
 * const it: BenchIteration = await runBenchTask({ group: 0, seed: 1, scenario: yaml, mode: 'sim' });
 * ```
 */
export interface BenchIteration {
  readonly seed: number;
  readonly attempted: number;
  readonly decided: number;
  readonly noConsensus: number;
  readonly timedOut: number;
  /** The run's median and 99th-percentile decision latency (virtual ms in sim mode, wall ms in threads mode). */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** Wall-clock ms of the measured part of the run (the workload, not start-up). */
  readonly wallMs: number;
  /** Simulated ms of the workload (sim mode), else null. */
  readonly virtualMs: number | null;
  readonly messagesSent: number;
  readonly quality: number | null;
  readonly safetyViolations: readonly { readonly checker: string; readonly property: string; readonly detail: string }[];
  readonly liveness: readonly { readonly property: string; readonly detail: string }[];
  readonly topology: string;
  readonly traceHash: string;
  /** The run's scenario, kept when it broke safety or failed: `conclave run` on it replays it (sim mode). */
  readonly scenario?: string;
  /** Set when the run failed outright. */
  readonly error?: string;
}

/**
 * Folds a group's iterations into its figures (pure: the same iterations, the same figures).
 * Iterations with an `error` are listed apart and count in nothing else; with none left the
 * group is `failed`.
 *
 * @example
 * ```ts
 * const g = benchGroup({ algorithm: 'raft', agents: 5, tolerance, load }, runs, 'virtual');
 * g.status === 'measured' && g.throughput.wallPerMinute;
 * ```
 */
export function benchGroup(base: BenchGroupBase, runs: readonly BenchIteration[], clock: 'virtual' | 'wall'): MeasuredGroup | FailedGroup {
  const ok = runs.filter((r) => r.error === undefined);
  if (ok.length === 0) return { ...base, status: 'failed', runs };
  const sum = (f: (r: BenchIteration) => number) => ok.reduce((a, r) => a + f(r), 0);
  const decided = sum((r) => r.decided);
  const attempted = sum((r) => r.attempted);
  // A run that reached nothing has no latency to speak of.
  const timed = ok.filter((r) => r.decided > 0);
  const p50s = timed.map((r) => r.latencyMs.p50);
  const judged = ok.filter((r) => r.quality !== null && r.decided > 0);
  const safetyByProperty: Record<string, number> = {};
  for (const r of ok) for (const v of r.safetyViolations) safetyByProperty[v.property] = (safetyByProperty[v.property] ?? 0) + 1;
  return {
    ...base,
    status: 'measured',
    topology: ok[0].topology,
    iterations: ok.length,
    decisions: { attempted, decided, noConsensus: sum((r) => r.noConsensus), timedOut: sum((r) => r.timedOut) },
    successRate: attempted > 0 ? decided / attempted : 0,
    consensusMs: { clock, mean: round(mean(p50s)), sd: round(sampleSd(p50s)), p50: round(median(p50s)), p99: round(median(timed.map((r) => r.latencyMs.p99))) },
    throughput: {
      wallPerMinute: perMinute(
        decided,
        sum((r) => r.wallMs),
      ),
      simPerMinute:
        clock === 'virtual'
          ? perMinute(
              decided,
              sum((r) => r.virtualMs ?? 0),
            )
          : null,
    },
    messagesPerDecision: decided > 0 ? round(sum((r) => r.messagesSent) / decided, 100) : 0,
    quality: judged.length > 0 ? round(judged.reduce((a, r) => a + r.quality! * r.decided, 0) / judged.reduce((a, r) => a + r.decided, 0), 10_000) : null,
    safetyViolations: sum((r) => r.safetyViolations.length),
    safetyByProperty,
    livenessFindings: sum((r) => r.liveness.length),
    unfinished: ok.filter((r) => r.timedOut > 0 || r.decided + r.noConsensus < r.attempted).map((r) => r.seed),
    errors: runs.filter((r) => r.error !== undefined).map((r) => ({ seed: r.seed, error: r.error! })),
    runs,
  };
}

/**
 * The arithmetic mean (0 of nothing).
 *
 * @example
 * ```ts
 * mean([1, 2, 3]); // 2
 * ```
 */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The sample standard deviation (n - 1 in the denominator; 0 for fewer than two values).
 *
 * @example
 * ```ts
 * sampleSd([2, 4, 4, 4, 5, 5, 7, 9]); // 2.138...
 * ```
 */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * The median (the mean of the middle two for an even count; 0 of nothing).
 *
 * @example
 * ```ts
 * median([3, 1, 2, 10]); // 2.5
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, per = 1000): number => Math.round(x * per) / per;
