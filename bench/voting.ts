/**
 * Suite `voting`: decisions per minute of a whole voting swarm, run end to end with
 * `runScenario` as users run it.
 *
 * - simple_majority, supermajority and weighted_voting at n = 3, 5, 7, 9 voters (mesh topology,
 *   a coordinator that broadcasts each proposal and collects one vote per voter);
 * - sim mode and threads mode (2 workers); one decision at a time (`in_flight: 1`) and 64 decisions
 *   in flight (`in_flight: 64`), a fixed number of decisions per run;
 * - every run with `traceLevel: 'off'` (the throughput a run gets when it does not pay for a
 *   trace), and one extra row at n = 5, 64 in flight, sim, with the default trace ('events', one
 *   trace event per proposal, vote and decision) to show what the trace costs.
 *
 * The figure is `decisionsPerMinute` of the ScenarioResult: closed decisions per wall-clock minute
 * of the coordinator's run (from the `run` ask to its reply). Spawning the swarm, installing the
 * topology and, in threads mode, starting the workers come before that and are not counted.
 * Configurations are interleaved in rounds (every configuration once per round), so a slow
 * phase of a shared machine hits all of them alike.
 *
 * Baselines, measured in the same run: each 64-in-flight row is compared with the one-at-a-time
 * row of the same mode, algorithm and n (the ratio is what pipelining buys); the traced row with
 * the untraced one. The runtime's own message rate is in each row's note: messages per decision
 * (envelopes sent / decisions closed, measured) and the message rate that implies
 * (decisions/min × messages/decision / 60), to compare with `npm run bench -- messaging`.
 * Threads one-at-a-time rows are compared with the bare cross-worker round trip
 * (support/raw-round-trip.ts: two raw workers, one encoded envelope each way, one in flight),
 * timed in every threads round and shown as the decisions/min one round trip per decision allows.
 *
 * Checks, per configuration over all its runs (warm-up included): accounting balanced
 * (accountingImbalance 0), nothing in flight, dropped or dead-lettered at the end, no decision
 * timed out, and exactly the requested number of decisions attempted and closed; traced runs
 * also pass the voting safety check.
 */
import type { ScenarioResult } from '../src/swarm/run-scenario.ts';
import {
  fmtInt,
  fmtMs,
  fmtTarget,
  interleavedSweep,
  runScenarioSample,
  startupMedian,
  sweepRows,
  type ScenarioSample,
  type SweepRun,
} from './support/interleaved-sweep.ts';
import { formatNumber, summarize, type Check, type Row, type SuiteReport, type TargetCheck } from './harness.ts';

type Mode = 'sim' | 'threads';
type Algorithm = (typeof ALGORITHMS)[number];

const ALGORITHMS = ['simple_majority', 'supermajority', 'weighted_voting'] as const;
const SIZES = [3, 5, 7, 9] as const;
const IN_FLIGHT = [1, 64] as const;
const WORKERS = 2;
const SEED = 1;

/**
 * Decisions per run, sized so one run's coordinator phase takes roughly 0.3–1 s on a 2-core
 * machine (threads runs also pay ~1.5 s of worker start-up and shutdown around it, not measured).
 */
const DECISIONS: Readonly<Record<Mode, Readonly<Record<(typeof IN_FLIGHT)[number], number>>>> = {
  sim: { 1: 15_000, 64: 25_000 },
  threads: { 1: 2_000, 64: 20_000 },
};
/** Measured runs per configuration. */
const SAMPLES: Readonly<Record<Mode, number>> = { sim: 5, threads: 3 };
/** Threads mode covers every algorithm at n = 5 and simple_majority at the other sizes (worker start-up makes each run cost ~1.5 s more). */
const THREADS_ALL_ALGORITHMS_AT = 5;

/** Raw cross-worker round trips per sample, and samples per threads round. */
const RAW_ROUND_TRIPS = 5_000;
const RAW_SAMPLES_PER_ROUND = 2;
const RAW_TASK = `threads ${WORKERS}w raw worker round trip`;

const TARGET_N = 5;
const TARGET_IN_FLIGHT = 64;
const TARGETS: Readonly<Record<Mode, number>> = { sim: 3_000_000, threads: 1_000_000 };

interface Config {
  readonly mode: Mode;
  readonly algorithm: Algorithm;
  readonly n: number;
  readonly inFlight: number;
  readonly decisions: number;
  /** Default trace level ('events', votes traced) instead of 'off'. */
  readonly traced: boolean;
}

/** A configuration's measured and warm-up runs (warm-ups are checked, not measured). */
type Runs = SweepRun<Config, Sample>;
type Sample = ScenarioSample;

/**
 * The scenario as a user would write it: n voters in three roles (a researcher and an architect
 * with their own weights and accuracies, the rest coders), a ground truth, a mesh topology.
 */
export function scenarioYaml(c: Pick<Config, 'algorithm' | 'n' | 'inFlight' | 'decisions'>): string {
  if (c.n < 3) throw new Error(`n must be at least 3 (got ${c.n})`);
  return `name: bench-${c.algorithm}-n${c.n}-inflight${c.inFlight}
agents:
  - { role: researcher, count: 1, weight: 1.5, accuracy: 0.8 }
  - { role: architect, count: 1, weight: 1.2, accuracy: 0.75 }
  - { role: coder, count: ${c.n - 2}, accuracy: 0.7 }
topology: mesh
consensus:
  algorithm: ${c.algorithm}
  voting_timeout: 60s
task:
  question: "Choose the best database for a high-traffic e-commerce platform"
  options: [PostgreSQL, MongoDB, DynamoDB]
  truth: PostgreSQL
  domain: architecture
  risk: low
  decisions: ${c.decisions}
  in_flight: ${c.inFlight}
`;
}

function runOnce(c: Config): Promise<Sample> {
  return runScenarioSample(scenarioYaml(c), { seed: SEED, mode: c.mode, workers: WORKERS, traced: c.traced ?? false, requested: c.decisions });
}

// ---- names ----

const inFlightLabel = (k: number) => (k === 1 ? '1 at a time' : `${k} in flight`);

function taskName(c: Config): string {
  const mode = c.mode === 'sim' ? 'sim' : `threads ${WORKERS}w`;
  return `${mode.padEnd(10)} ${c.algorithm.padEnd(15)} n=${c.n} ${inFlightLabel(c.inFlight).padEnd(12)}${c.traced ? ' trace events' : ''}`.trimEnd();
}

function scenarioLabel(c: Config): string {
  return `${c.mode} ${c.algorithm} n=${c.n} ${inFlightLabel(c.inFlight)}${c.traced ? ', trace events' : ''}`;
}

// ---- the plan ----

function configs(): Config[] {
  const out: Config[] = [];
  for (const mode of ['sim', 'threads'] as const) {
    for (const algorithm of ALGORITHMS) {
      for (const n of SIZES) {
        if (mode === 'threads' && algorithm !== 'simple_majority' && n !== THREADS_ALL_ALGORITHMS_AT) continue;
        for (const inFlight of IN_FLIGHT) out.push({ mode, algorithm, n, inFlight, decisions: DECISIONS[mode][inFlight], traced: false });
      }
    }
    if (mode === 'sim')
      out.push({ mode, algorithm: 'simple_majority', n: TARGET_N, inFlight: TARGET_IN_FLIGHT, decisions: DECISIONS.sim[TARGET_IN_FLIGHT], traced: true });
  }
  return out;
}

// ---- checks ----

const closedOf = (x: ScenarioResult) => x.decisions.decided + x.decisions.noConsensus + x.decisions.escalated;

function checksFor(r: Runs): Check[] {
  const label = scenarioLabel(r.config);
  const all = [...r.warmups, ...r.samples];
  const runs = `${all.length} runs`;
  const bad = <T>(f: (x: Sample) => T, ok: (v: T) => boolean) => all.map(f).filter((v) => !ok(v));
  const imbalance = bad(
    (x) => x.result.accountingImbalance,
    (v) => v === 0,
  );
  const leftover = bad(
    (x) => x.result.messages,
    (m) => m.inFlight === 0 && m.dropped === 0 && m.deadLettered === 0,
  );
  const timedOut = bad(
    (x) => x.result.decisions.timedOut,
    (v) => v === 0,
  );
  const counts = bad(
    (x) => x,
    (x) => x.result.decisions.attempted === x.requested && closedOf(x.result) === x.requested,
  );
  const checks: Check[] = [
    {
      name: `${label}: accounting balanced`,
      ok: imbalance.length === 0,
      detail: imbalance.length ? `imbalance ${imbalance.join(', ')}` : `imbalance 0 in ${runs}`,
    },
    {
      name: `${label}: nothing in flight, dropped or dead-lettered`,
      ok: leftover.length === 0,
      detail: leftover.length
        ? leftover.map((m) => `inFlight ${m.inFlight}, dropped ${m.dropped}, deadLettered ${m.deadLettered}`).join('; ')
        : `all 0 in ${runs}`,
    },
    { name: `${label}: no decision timed out`, ok: timedOut.length === 0, detail: timedOut.length ? `timed out ${timedOut.join(', ')}` : `0 in ${runs}` },
    {
      name: `${label}: every decision asked for attempted and closed`,
      ok: counts.length === 0,
      detail: counts.length
        ? counts.map((x) => `asked ${x.requested}: ${JSON.stringify(x.result.decisions)}`).join('; ')
        : `${fmtInt(r.config.decisions)} per measured run, ${runs}`,
    },
  ];
  if (r.config.traced) {
    const unsafe = bad(
      (x) => x.result,
      (x) => x.safetyChecked && x.safetyViolations.length === 0,
    );
    checks.push({
      name: `${label}: voting safety checked, no violation`,
      ok: unsafe.length === 0,
      detail: unsafe.length ? unsafe.map((x) => `checked ${x.safetyChecked}, ${x.safetyViolations.length} violations`).join('; ') : `checked in ${runs}`,
    });
  }
  return checks;
}

// ---- rows ----

function rowFor(r: Runs, rawRoundTripUs: number | undefined): Row {
  const c = r.config;
  const results = r.samples.map((x) => x.result);
  const stats = summarize(results.map((x) => x.decisionsPerMinute));
  const perDecision = summarize(results.map((x) => x.messages.sent / closedOf(x))).median;
  const msgsPerSecond = (stats.median * perDecision) / 60;
  const noteParts = [`${perDecision.toFixed(2)} msgs/decision → ${formatNumber(msgsPerSecond)} msgs/s`];
  if (c.inFlight === 1)
    noteParts.push(
      `${(60e6 / stats.median).toFixed(1)} µs/decision${c.mode === 'threads' && rawRoundTripUs !== undefined ? ` = ${(60e6 / stats.median / rawRoundTripUs).toFixed(1)} raw round trips` : ''}`,
    );
  const wallS = summarize(results.map((x) => x.wallMs)).median / 1000;
  noteParts.push(`${fmtInt(c.decisions)} decisions in ${wallS.toFixed(2)} s`);
  const isTarget = !c.traced && c.n === TARGET_N && c.inFlight === TARGET_IN_FLIGHT;
  const targets: TargetCheck[] | undefined = isTarget ? [{ label: `≥ ${fmtTarget(TARGETS[c.mode])}/min`, pass: stats.median >= TARGETS[c.mode] }] : undefined;
  const untraced = { ...c, traced: false };
  const baseline = c.traced
    ? taskName(untraced)
    : c.inFlight !== 1
      ? taskName({ ...c, inFlight: 1, decisions: DECISIONS[c.mode][1] })
      : c.mode === 'threads' && rawRoundTripUs !== undefined
        ? RAW_TASK
        : undefined;
  return { task: taskName(c), unit: 'decisions/min', better: 'higher', ...stats, perIteration: c.decisions, baseline, targets, note: noteParts.join('; ') };
}

// ---- the suite ----

export default async function voting(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const sweep = await interleavedSweep(configs(), {
    samples: SAMPLES,
    warmup: (c) => (c.n === TARGET_N && c.inFlight === TARGET_IN_FLIGHT && !c.traced ? { ...c, decisions: c.decisions / 2 } : undefined),
    runOnce,
    log,
    rawRoundTrips: RAW_ROUND_TRIPS,
    rawSamplesPerRound: RAW_SAMPLES_PER_ROUND,
  });
  const runs = sweep.runs;
  const notes: string[] = [];
  const { rows, checks } = sweepRows(sweep, { rawTask: RAW_TASK, what: 'decision', rawRoundTrips: RAW_ROUND_TRIPS, checksFor, rowFor });

  // Start-up cost, for scale: runScenario's whole duration minus the measured coordinator run.
  const threads = runs.filter((r) => r.config.mode === 'threads');
  const sim = runs.filter((r) => r.config.mode === 'sim');
  notes.push(
    `Outside the measured run (runScenario's whole duration minus wallMs), median: sim ${fmtMs(startupMedian(sim))}; threads ${fmtMs(startupMedian(threads))} (starting ${WORKERS} workers, spawning, settle, shutdown). Not counted.`,
  );

  return {
    suite: 'voting',
    description: [
      `Decisions per minute (ScenarioResult.decisionsPerMinute: decisions closed, consensus or not, per wall-clock minute of the coordinator's run, from the 'run' ask to its reply;`,
      `system start-up — in threads mode starting ${WORKERS} workers —, spawning, settle and shutdown are excluded). Scenarios built as YAML: n voters (researcher w1.5 acc 0.8,`,
      `architect w1.2 acc 0.75, n - 2 coders acc 0.7), truth set, mesh topology, 3 options, seed ${SEED}; traceLevel 'off' except the "trace events" row (default 'events', votes traced).`,
      `Decisions per run: sim ${fmtInt(DECISIONS.sim[1])} one at a time / ${fmtInt(DECISIONS.sim[64])} with 64 in flight; threads (${WORKERS} workers) ${fmtInt(DECISIONS.threads[1])} / ${fmtInt(DECISIONS.threads[64])}.`,
      `Medians of ${SAMPLES.sim} (sim) / ${SAMPLES.threads} (threads) runs, configurations interleaved in rounds, after one warm-up run per algorithm and mode.`,
      `Threads mode: every algorithm at n = ${THREADS_ALL_ALGORITHMS_AT}, simple_majority at the other sizes. Baselines (same run): a 64-in-flight row vs the one-at-a-time row of the`,
      `same mode, algorithm and n; the traced row vs the untraced one; a threads one-at-a-time row vs "raw worker round trip" (${fmtInt(RAW_ROUND_TRIPS)} bare worker-to-worker round trips,`,
      `timed ${RAW_SAMPLES_PER_ROUND}× per threads round, as decisions/min if each decision cost one). Notes: measured envelopes per decision and the message rate they imply (compare with the messaging suite).`,
    ].join('\n'),
    rows,
    checks,
    notes,
  };
}
