/**
 * What the decisions-per-minute suites (voting, raft) share: configurations measured in
 * interleaved rounds (so a noisy stretch of the machine hits every configuration alike), after
 * warm-up runs, with a raw worker round trip timed in every threads round as the ceiling of
 * one-at-a-time threads runs.
 */
import { invalidateOnFailure, summarize, withRatios, type Check, type Row } from '../harness.ts';
import { parseScenario } from '../../src/scenario/index.ts';
import { runScenario, type ScenarioResult } from '../../src/swarm/run-scenario.ts';
import { RawRoundTrip } from './raw-round-trip.ts';

/** One configuration and what its runs measured. */
export interface SweepRun<C extends { readonly mode: 'sim' | 'threads' }, S> {
  readonly config: C;
  readonly samples: S[];
  readonly warmups: S[];
}

export interface SweepOptions<C extends { readonly mode: 'sim' | 'threads' }, S> {
  /** Measured runs per configuration, by mode. */
  readonly samples: Readonly<Record<'sim' | 'threads', number>>;
  /** The warm-up run for a configuration (a smaller copy), or undefined for none. */
  readonly warmup: (config: C) => C | undefined;
  readonly runOnce: (config: C) => Promise<S>;
  readonly log: (line: string) => void;
  /** Raw round trips per sample, and samples per threads round. */
  readonly rawRoundTrips: number;
  readonly rawSamplesPerRound: number;
}

/** The raw round trips timed during a sweep: µs per round trip, and how many were asked. */
export interface RawSamples {
  readonly us: number[];
  readonly asked: number;
  readonly answered: number;
}

/** Runs every configuration `samples[mode]` times, round by round, after the warm-ups. */
export async function interleavedSweep<C extends { readonly mode: 'sim' | 'threads' }, S>(
  configs: readonly C[],
  o: SweepOptions<C, S>,
): Promise<{ runs: SweepRun<C, S>[]; raw: RawSamples }> {
  const runs: SweepRun<C, S>[] = configs.map((config) => ({ config, samples: [], warmups: [] }));
  const raw = new RawRoundTrip();
  const us: number[] = [];
  let asked = 0;
  const rawSample = async () => {
    asked += o.rawRoundTrips;
    return raw.measure(o.rawRoundTrips);
  };
  try {
    const t0 = performance.now();
    o.log('  warm-up ...');
    await rawSample();
    for (const r of runs) {
      const w = o.warmup(r.config);
      if (w !== undefined) r.warmups.push(await o.runOnce(w));
    }
    o.log(`  warm-up done in ${seconds(t0)}`);
    const rounds = Math.max(o.samples.sim, o.samples.threads);
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['sim', 'threads'] as const) {
        if (round >= o.samples[mode]) continue;
        const t = performance.now();
        const these = runs.filter((r) => r.config.mode === mode);
        o.log(`  ${mode}, round ${round + 1}/${o.samples[mode]}: ${these.length} configurations ...`);
        if (mode === 'threads') for (let i = 0; i < o.rawSamplesPerRound; i++) us.push(await rawSample());
        for (const r of these) r.samples.push(await o.runOnce(r.config));
        o.log(`  ${mode}, round ${round + 1}/${o.samples[mode]} done in ${seconds(t)}`);
      }
    }
    return { runs, raw: { us, asked, answered: raw.answered } };
  } finally {
    await raw.close();
  }
}

/**
 * The raw round trip as a row (per-minute, as if each decision cost one round trip) with the
 * check that every request was answered; none when no threads round ran.
 */
export function rawRoundTripRow(
  raw: RawSamples,
  task: string,
  what: string,
  perIteration: number,
): { rows: Row[]; check: Check | undefined; medianUs: number | undefined } {
  if (raw.us.length === 0) return { rows: [], check: undefined, medianUs: undefined };
  const check: Check = { name: 'raw worker round trip: every request answered', ok: raw.answered === raw.asked, detail: `${raw.answered} of ${raw.asked}` };
  const stats = summarize(raw.us);
  const rows = invalidateOnFailure(
    [
      {
        task,
        unit: 'decisions/min',
        better: 'higher',
        ...summarize(raw.us.map((us) => 60e6 / us)),
        perIteration,
        note: `ceiling for one ${what} at a time if a ${what} cost one bare round trip: two raw workers, MessageChannel, 1 encoded envelope each way, 1 in flight; ${stats.median.toFixed(1)} µs per round trip (p25 – p75 ${stats.p25.toFixed(1)} – ${stats.p75.toFixed(1)})`,
      },
    ],
    [check],
  );
  return { rows, check, medianUs: stats.median };
}

/**
 * A sweep's table: every configuration's row (sim first, then the raw round trip, then threads),
 * ratios filled in, each row invalid if its checks failed; and all the checks.
 */
export function sweepRows<C extends { readonly mode: 'sim' | 'threads' }, S>(
  sweep: { runs: readonly SweepRun<C, S>[]; raw: RawSamples },
  o: {
    rawTask: string;
    what: string;
    rawRoundTrips: number;
    checksFor: (r: SweepRun<C, S>) => Check[];
    rowFor: (r: SweepRun<C, S>, rawRoundTripUs: number | undefined) => Row;
  },
): { rows: Row[]; checks: Check[] } {
  const checks: Check[] = [];
  const raw = rawRoundTripRow(sweep.raw, o.rawTask, o.what, o.rawRoundTrips);
  if (raw.check !== undefined) checks.push(raw.check);
  const measured = sweep.runs.map((r) => {
    const cs = o.checksFor(r);
    checks.push(...cs);
    return { row: o.rowFor(r, raw.medianUs), checks: cs, mode: r.config.mode };
  });
  const rawOnes = raw.rows.map((row) => ({ row, checks: raw.check ? [raw.check] : [] }));
  const ordered = [...measured.filter((m) => m.mode === 'sim'), ...rawOnes, ...measured.filter((m) => m.mode === 'threads')];
  const rows = withRatios(ordered.map((u) => u.row)).map((row, i) => invalidateOnFailure([row], ordered[i].checks)[0]);
  return { rows, checks };
}

/** One runScenario in a sweep: its result, and the whole call's wall time (start-up and shutdown included). */
export interface ScenarioSample {
  /** Decisions (or commands) asked for. */
  readonly requested: number;
  readonly result: ScenarioResult;
  readonly totalMs: number;
}

/** Median time the runScenario calls spent outside the measured run (start-up, spawning, settle, shutdown). */
export function startupMedian(runs: readonly { readonly samples: readonly ScenarioSample[] }[]): number {
  return summarize(runs.flatMap((r) => r.samples.map((x) => x.totalMs - x.result.wallMs))).median;
}

/** Runs one scenario (YAML text) for a sweep: seeded, threads on `workers`, the trace off unless `traced`. */
export async function runScenarioSample(
  yaml: string,
  o: { seed: number; mode: 'sim' | 'threads'; workers: number; traced: boolean; requested: number },
): Promise<ScenarioSample> {
  const scenario = parseScenario(yaml);
  const t0 = performance.now();
  const result = await runScenario(scenario, {
    seed: o.seed,
    mode: o.mode,
    ...(o.mode === 'threads' ? { workers: o.workers } : {}),
    ...(o.traced ? {} : { traceLevel: 'off' as const }),
  });
  return { requested: o.requested, result, totalMs: performance.now() - t0 };
}

export const fmtInt = (n: number): string => n.toLocaleString('en');
export const fmtTarget = (n: number): string => (n >= 1e6 ? `${n / 1e6} M` : fmtInt(n));
export const fmtMs = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);

const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
