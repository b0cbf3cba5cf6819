/**
 * Suite `pbft`: committed client requests per minute of a PBFT cluster, run end to end with
 * `runScenario` as users run it (`consensus: { algorithm: byzantine_tolerant }`), and the time the
 * cluster takes to change view after its primary crashes.
 *
 * - n = 4, 7, 10, 13 replicas (f = 1, 2, 3, 4) and one closed-loop client
 *   (src/protocols/pbft/pbft-client.ts; a request is committed once the client has f + 1 matching
 *   replies);
 * - one request in flight (`in_flight: 1`) and a client window of 512 (`in_flight: 512`: the
 *   primary batches what arrives, up to `max_batch`, default 64, per pre-prepare);
 * - sim mode and threads mode (2 workers), a fixed number of requests per run (by mode, window and n);
 * - signed with the mode's default scheme (modelled tokens in sim, real Ed25519 in threads:
 *   `consensus.pbft.signatures` unset) and unsigned (`signatures: none`, channels only); one more
 *   row at n = 7, window 512, sim, with real Ed25519 (`signatures: ed25519`), so the cost of real
 *   signatures shows in sim mode too. Every row's note names the scheme the run reported
 *   (`result.pbft.signatures`), and a check holds it to the one the row is named after;
 * - every throughput run with `traceLevel: 'off'` (the checkers then cannot run, and views are not
 *   observed: a view change shows only as client retries in the note), and one extra row at n = 7,
 *   window 512, sim, with the default trace ('events'), whose PBFT checkers (agreement, validity,
 *   integrity, result integrity, liveness) are a check and whose views are reported;
 * - view change: 15 seeded sim runs at n = 4 and n = 7 with
 *   `faults: { crash: [{ target: primary, at: 300ms }] }`, the figure being
 *   `result.pbft.failovers[0].ms` (virtual ms from the crash until a quorum of honest replicas
 *   installed the next view), median and p99.
 *
 * The throughput figure is `decisionsPerMinute` of the ScenarioResult: requests the client
 * accepted per wall-clock minute of its run (from the `start` ask to its reply). Spawning, in
 * threads mode starting the workers, settle and shutdown come before or after and are not counted.
 * Configurations are interleaved in rounds (each configuration once per round), so a slow phase of
 * a shared machine hits all of them alike.
 *
 * Baselines, measured in the same run: each signed row is compared with the unsigned row of the
 * same mode, n and window (the ratio is what signatures cost); each unsigned window-512 row with
 * the unsigned one-in-flight row (what batching buys); the traced row with the untraced one. A row
 * has one baseline column, so the other comparison a signed window-512 row has (with the signed
 * one-in-flight row, or for the sim Ed25519 row with the token row) is in its note.
 *
 * The client gives up at its deadline, 30 s (virtual in sim, real in threads) when the task sets
 * no duration: one-in-flight sim runs (~10 virtual ms per request) stay at 2,500 requests or fewer.
 *
 * Checks, per configuration over all its runs (warm-up included): every run accepted all its
 * requests; accounting balanced (accountingImbalance 0, nothing in flight, dropped or
 * dead-lettered at the end); the signature scheme used is the one the row is named after.
 * View-change runs: the crash hit the primary and a quorum installed a view with a new primary in
 * every run, all requests accepted, accounting balanced (the crashed replica's mail is
 * dead-lettered), the PBFT checkers found nothing. Targets (n = 7, window 512, the mode's default
 * signatures: ≥ 600,000/min in sim, ≥ 200,000/min in threads) are printed as PASS/BELOW, never
 * asserted.
 */
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario, type ScenarioResult } from '../src/swarm/run-scenario.ts';
import type { PbftFigures } from '../src/swarm/pbft-figures.ts';
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
import { formatNumber, invalidateOnFailure, quantile, summarize, type Check, type Row, type SuiteReport, type TargetCheck } from './harness.ts';

type Mode = 'sim' | 'threads';
type Window = (typeof WINDOWS)[number];
type Size = (typeof SIZES)[number];
/** `default`: `consensus.pbft.signatures` unset (token in sim, ed25519 in threads); else the value written. */
type Signatures = 'default' | 'ed25519' | 'none';
type Scheme = PbftFigures['signatures'];

const SIZES = [4, 7, 10, 13] as const;
const WINDOWS = [1, 512] as const;
const WORKERS = 2;
const SEED = 1;

/** The scheme each mode signs with when the scenario does not say (src/system/create-system.ts). */
const DEFAULT_SCHEME: Readonly<Record<Mode, Scheme>> = { sim: 'token', threads: 'ed25519' };

/**
 * Requests per run, by mode, window and n, sized so one run's client phase takes roughly
 * 0.3–1 s on a 2-core machine (PBFT sends O(n²) messages per pre-prepare, so larger clusters get
 * fewer; threads runs also pay ~1.5–2 s of worker start-up and shutdown around it, not measured).
 * The same count is used signed and unsigned, so their ratio compares the same work. One-in-flight
 * sim runs are capped by the client's 30 s virtual deadline (~10 virtual ms per request): 2,500
 * requests take ~25 virtual s. In threads mode every run starts fresh workers, whose code is cold:
 * a fixed ~0.5 s inside every threads run's client phase, so longer runs score higher (n = 7,
 * window 512, ed25519 measured ~145,000/min at 4,000 requests and ~180,000/min at 10,000); the
 * target row (n = 7) runs 8,000.
 */
const REQUESTS: Readonly<Record<Mode, Readonly<Record<Window, Readonly<Record<Size, number>>>>>> = {
  sim: { 1: { 4: 2_500, 7: 2_500, 10: 1_500, 13: 1_000 }, 512: { 4: 20_000, 7: 15_000, 10: 8_000, 13: 5_000 } },
  threads: { 1: { 4: 200, 7: 120, 10: 80, 13: 60 }, 512: { 4: 6_000, 7: 8_000, 10: 3_000, 13: 2_000 } },
};
/** The sim row with real Ed25519 (n = 7, window 512): ~4–5× slower than tokens. */
const SIM_ED25519_REQUESTS = 3_000;
/**
 * Measured runs per configuration. Sim runs are cheap, and the short one-in-flight runs at n = 4
 * (~0.3 s, capped by the client's virtual deadline) swing by 2× from run to run: five of them.
 */
const SAMPLES: Readonly<Record<Mode, number>> = { sim: 5, threads: 2 };

const TARGET_N = 7;
const TARGET_WINDOW = 512;
/** decisions/min at n = 7, window 512, the mode's default signatures. */
const TARGETS: Readonly<Record<Mode, number>> = { sim: 600_000, threads: 200_000 };

/** View change: seeded sim runs per size, the primary crashed at CRASH_AT_MS of virtual time. */
const FAILOVER_SEEDS = 15;
const FAILOVER_SIZES = [4, 7] as const;
const CRASH_AT_MS = 300;
/** One in flight: ~10 virtual ms per request, so 100 requests outlast the crash and the view change. */
const FAILOVER_REQUESTS = 100;
const FAILOVER_WINDOW = 1;

interface Config {
  readonly mode: Mode;
  readonly n: number;
  readonly window: Window;
  readonly signatures: Signatures;
  readonly requests: number;
  /** Default trace level ('events', PBFT checkers run) instead of 'off'. */
  readonly traced: boolean;
}

/** A configuration's measured and warm-up runs (warm-ups are checked, not measured). */
type Runs = SweepRun<Config, Sample>;
type Sample = ScenarioSample;
type PbftResult = ScenarioResult & { pbft?: PbftFigures };

const pbftOf = (x: Sample): PbftFigures | undefined => (x.result as PbftResult).pbft;

/**
 * The scenario as a user would write it: n PBFT replicas with the default settings (f the most
 * n tolerates, max_batch 64, checkpoint every 64, view-change timeout 200 ms in sim, 1 s in threads), `requests` from one
 * client, `window` at a time; `signatures` written only when it is not the mode's default.
 *
 * @example
 * ```ts
 * const scenario = parseScenario(scenarioYaml({ n: 7, window: 512, signatures: 'none', requests: 10_000 }));
 * const result = await runScenario(scenario, { mode: 'sim', traceLevel: 'off' });
 * ```
 */
export function scenarioYaml(c: { n: number; window: number; signatures: Signatures; requests: number; faults?: string }): string {
  if (c.n < 4) throw new Error(`n must be at least 4 (got ${c.n})`);
  return `name: bench-pbft-n${c.n}-window${c.window}-${c.signatures}
agents:
  - { role: node, count: ${c.n} }
consensus:
  algorithm: byzantine_tolerant
${c.signatures === 'default' ? '' : `  pbft: { signatures: ${c.signatures} }\n`}task:
  question: Apply the requests in one agreed order
  options: [commit, skip]
  decisions: ${c.requests}
  in_flight: ${c.window}
${c.faults ?? ''}`;
}

function runOnce(c: Config): Promise<Sample> {
  return runScenarioSample(scenarioYaml(c), { seed: SEED, mode: c.mode, workers: WORKERS, traced: c.traced, requested: c.requests });
}

/** The scheme a configuration is expected to run with. */
const schemeOf = (c: Pick<Config, 'mode' | 'signatures'>): Scheme => (c.signatures === 'default' ? DEFAULT_SCHEME[c.mode] : c.signatures);

// ---- names ----

const windowLabel = (w: number) => (w === 1 ? '1 in flight' : `window ${w}`);

function taskName(c: Pick<Config, 'mode' | 'n' | 'window' | 'signatures' | 'traced'>): string {
  const mode = c.mode === 'sim' ? 'sim' : `threads ${WORKERS}w`;
  return `${mode.padEnd(10)} pbft n=${String(c.n).padEnd(2)} ${windowLabel(c.window).padEnd(11)} ${schemeOf(c).padEnd(7)}${c.traced ? ' trace events' : ''}`.trimEnd();
}

function scenarioLabel(c: Config): string {
  return `${c.mode} pbft n=${c.n} ${windowLabel(c.window)} ${schemeOf(c)}${c.signatures === 'default' ? ' (default)' : ''}${c.traced ? ', trace events' : ''}`;
}

// ---- the plan ----

function configs(): Config[] {
  const out: Config[] = [];
  for (const mode of ['sim', 'threads'] as const) {
    for (const n of SIZES) {
      for (const window of WINDOWS) {
        const requests = REQUESTS[mode][window][n];
        // The unsigned row (the baseline) first, then the signed one.
        for (const signatures of ['none', 'default'] as const) out.push({ mode, n, window, signatures, requests, traced: false });
        if (mode === 'sim' && n === TARGET_N && window === TARGET_WINDOW) {
          out.push({ mode, n, window, signatures: 'ed25519', requests: SIM_ED25519_REQUESTS, traced: false });
          out.push({ mode, n, window, signatures: 'default', requests, traced: true });
        }
      }
    }
  }
  return out;
}

// ---- checks ----

/** Accounting balanced and nothing left over: undefined when fine, else what was wrong. */
function accountingProblem(x: ScenarioResult, allowLoss = false): string | undefined {
  const m = x.messages;
  if (x.accountingImbalance !== 0) return `imbalance ${x.accountingImbalance}`;
  if (m.inFlight !== 0) return `inFlight ${m.inFlight}`;
  if (!allowLoss && (m.dropped !== 0 || m.deadLettered !== 0)) return `dropped ${m.dropped}, deadLettered ${m.deadLettered}`;
  return undefined;
}

function acceptProblem(x: Sample): string | undefined {
  const d = x.result.decisions;
  return d.attempted === x.requested && d.decided === x.requested && d.timedOut === 0
    ? undefined
    : `asked ${x.requested}: attempted ${d.attempted}, accepted ${d.decided}, not accepted ${d.timedOut}`;
}

function checksFor(r: Runs): Check[] {
  const c = r.config;
  const label = scenarioLabel(c);
  const all = [...r.warmups, ...r.samples];
  const runs = `${all.length} runs`;
  const accepts = all.map(acceptProblem).filter((p) => p !== undefined);
  const books = all.map((x) => accountingProblem(x.result)).filter((p) => p !== undefined);
  const expected = schemeOf(c);
  const schemes = all.map((x) => pbftOf(x)?.signatures);
  const wrongScheme = schemes.filter((s) => s !== expected);
  const checks: Check[] = [
    {
      name: `${label}: every request accepted`,
      ok: accepts.length === 0,
      detail: accepts.length ? accepts.join('; ') : `${fmtInt(c.requests)} per measured run, ${runs}`,
    },
    {
      name: `${label}: accounting balanced, nothing in flight, dropped or dead-lettered`,
      ok: books.length === 0,
      detail: books.length ? books.join('; ') : `all 0 in ${runs}`,
    },
    {
      name: `${label}: signature scheme used is ${expected}`,
      ok: wrongScheme.length === 0,
      detail: `result.pbft.signatures: ${[...new Set(schemes.map(String))].join(', ')} in ${runs}`,
    },
  ];
  if (c.traced) {
    const unsafe = all.filter((x) => !(x.result.safetyChecked && x.result.safetyViolations.length === 0));
    checks.push({
      name: `${label}: PBFT checkers ran (agreement, validity, integrity, result integrity, liveness), no violation`,
      ok: unsafe.length === 0,
      detail: unsafe.length
        ? unsafe.map((x) => `checked ${x.result.safetyChecked}: ${x.result.safetyViolations.map((v) => `${v.property}: ${v.detail}`).join(', ')}`).join('; ')
        : `checked in ${runs}`,
    });
  }
  return checks;
}

// ---- rows ----

/** The median decisions/min of a configuration's measured runs, if it was measured. */
type MedianOf = (c: Config) => number | undefined;

function sameAs(a: Config, b: Config): boolean {
  return a.mode === b.mode && a.n === b.n && a.window === b.window && a.signatures === b.signatures && a.traced === b.traced;
}

/** The row this one is compared with in the table (see the doc comment), or undefined for a baseline. */
function baselineOf(c: Config): Config | undefined {
  if (c.traced) return { ...c, traced: false };
  if (c.signatures !== 'none') return { ...c, signatures: 'none' };
  if (c.window !== 1) return { ...c, window: 1 };
  return undefined;
}

/** The second comparison of a signed window-512 row, shown in its note. */
function secondBaselineOf(c: Config): Config | undefined {
  if (c.traced || c.signatures === 'none' || c.window === 1) return undefined;
  if (c.signatures === 'ed25519' && c.mode === 'sim') return { ...c, signatures: 'default' };
  return { ...c, window: 1 };
}

function rowFor(r: Runs, medianOf: MedianOf): Row {
  const c = r.config;
  const results = r.samples.map((x) => x.result as PbftResult);
  const stats = summarize(results.map((x) => x.decisionsPerMinute));
  const perRequest = summarize(results.map((x) => x.messagesPerDecision)).median;
  const used = [...new Set(r.samples.map((x) => String(pbftOf(x)?.signatures)))].join('/');
  const noteParts = [`signatures: ${used}${c.signatures === 'default' ? ` (${c.mode} default)` : ''}`];
  noteParts.push(`${perRequest.toFixed(1)} msgs/request → ${formatNumber((stats.median * perRequest) / 60)} msgs/s`);
  if (c.window === 1) noteParts.push(`${(60e6 / stats.median).toFixed(0)} µs/request`);
  if (c.mode === 'sim') noteParts.push(`virtual ${formatNumber(summarize(results.map((x) => x.simDecisionsPerMinute ?? NaN)).median)}/min`);
  if (c.traced) {
    noteParts.push(
      `latency p50 ${summarize(results.map((x) => x.latencyMs.p50)).median.toFixed(1)} / p99 ${summarize(results.map((x) => x.latencyMs.p99)).median.toFixed(1)} virtual ms`,
    );
    noteParts.push(`view changes: ${results.map((x) => x.pbft?.views.length ?? 0).join(', ')} per run`);
  }
  const retries = results.map((x) => x.pbft?.retries ?? 0);
  if (retries.some((x) => x > 0))
    noteParts.push(
      `client retries ${retries.map(fmtInt).join(', ')} per run (requests unanswered ${c.mode === 'sim' ? '500 virtual' : '500'} ms: the replicas were overloaded or changed view)`,
    );
  const second = secondBaselineOf(c);
  const secondMedian = second === undefined ? undefined : medianOf(second);
  if (second !== undefined && secondMedian !== undefined) {
    noteParts.push(
      `${(stats.median / secondMedian).toFixed(2)}× ${second.window === 1 ? 'one in flight' : schemeOf(second)} (${taskName(second).replace(/\s+/g, ' ')}: ${formatNumber(secondMedian)}/min)`,
    );
  }
  noteParts.push(`${fmtInt(c.requests)} requests in ${(summarize(results.map((x) => x.wallMs)).median / 1000).toFixed(2)} s`);
  const isTarget = !c.traced && c.n === TARGET_N && c.window === TARGET_WINDOW && c.signatures === 'default';
  const targets: TargetCheck[] | undefined = isTarget ? [{ label: `≥ ${fmtTarget(TARGETS[c.mode])}/min`, pass: stats.median >= TARGETS[c.mode] }] : undefined;
  const base = baselineOf(c);
  return {
    task: taskName(c),
    unit: 'decisions/min',
    better: 'higher',
    ...stats,
    perIteration: c.requests,
    baseline: base && taskName(base),
    targets,
    note: noteParts.join('; '),
  };
}

// ---- view change ----

interface Failover {
  readonly n: number;
  readonly results: PbftResult[];
  readonly totalMs: number;
}

async function failovers(n: number): Promise<Failover> {
  const faults = `faults:\n  crash: [{ target: primary, at: ${CRASH_AT_MS}ms }]\n`;
  const scenario = parseScenario(scenarioYaml({ n, window: FAILOVER_WINDOW, signatures: 'default', requests: FAILOVER_REQUESTS, faults }));
  const results: PbftResult[] = [];
  const t0 = performance.now();
  for (let seed = 1; seed <= FAILOVER_SEEDS; seed++) results.push(await runScenario(scenario, { seed, mode: 'sim' }));
  return { n, results, totalMs: performance.now() - t0 };
}

function failoverOutcome(f: Failover): { row: Row; checks: Check[] } {
  const label = `sim pbft n=${f.n} primary crash at ${CRASH_AT_MS} ms`;
  const ms = f.results.map((x) => x.pbft?.failovers[0]?.ms).filter((v): v is number => typeof v === 'number');
  const missing = f.results.flatMap((x, i) => {
    const fo = x.pbft?.failovers;
    return fo?.length === 1 && fo[0].ms !== null && fo[0].newPrimary !== null && fo[0].newPrimary !== fo[0].crashed
      ? []
      : [`seed ${i + 1}: ${JSON.stringify(fo ?? null)}`];
  });
  const accepts = f.results.flatMap((x, i) =>
    x.decisions.decided === FAILOVER_REQUESTS && x.decisions.timedOut === 0 ? [] : [`seed ${i + 1}: accepted ${x.decisions.decided} of ${FAILOVER_REQUESTS}`],
  );
  // A crashed replica's mail is dead-lettered: only the books must balance here.
  const books = f.results.flatMap((x, i) => {
    const p = accountingProblem(x, true);
    return p === undefined ? [] : [`seed ${i + 1}: ${p}`];
  });
  const unsafe = f.results.flatMap((x, i) =>
    x.safetyChecked && x.safetyViolations.length === 0 ? [] : [`seed ${i + 1}: ${x.safetyViolations.map((v) => v.property).join(', ') || 'not checked'}`],
  );
  const runs = `${f.results.length} runs (seeds 1–${f.results.length})`;
  const checks: Check[] = [
    {
      name: `${label}: the primary crashed and a quorum installed a view with a new primary`,
      ok: missing.length === 0,
      detail: missing.length ? missing.join('; ') : `in ${runs}`,
    },
    {
      name: `${label}: every request accepted`,
      ok: accepts.length === 0,
      detail: accepts.length ? accepts.join('; ') : `${FAILOVER_REQUESTS} per run, ${runs}`,
    },
    { name: `${label}: accounting balanced`, ok: books.length === 0, detail: books.length ? books.join('; ') : `imbalance 0, nothing in flight, in ${runs}` },
    { name: `${label}: PBFT checkers ran, no violation`, ok: unsafe.length === 0, detail: unsafe.length ? unsafe.join('; ') : `checked in ${runs}` },
  ];
  const sorted = [...ms].sort((a, b) => a - b);
  const stats = ms.length > 0 ? summarize(ms) : { median: NaN, p25: NaN, p75: NaN, min: NaN, max: NaN, samples: 0 };
  const schemes = [...new Set(f.results.map((x) => String(x.pbft?.signatures)))].join('/');
  const views = summarize(f.results.map((x) => x.pbft?.views.length ?? 0));
  const retries = summarize(f.results.map((x) => x.pbft?.retries ?? 0)).median;
  const row: Row = {
    task: `sim        pbft n=${String(f.n).padEnd(2)} view change after primary crash`,
    unit: 'virtual ms',
    better: 'lower',
    ...stats,
    note: `signatures: ${schemes} (sim default); p99 ${quantile(sorted, 0.99).toFixed(1)} ms over ${ms.length} seeded runs (interpolated between the two largest); view-change timeout 200 ms (default); ${FAILOVER_REQUESTS} requests ${windowLabel(FAILOVER_WINDOW)}; views installed per run ${views.min === views.max ? views.min : `${views.min}–${views.max}`}; median ${fmtInt(retries)} client retries per run; ${(f.totalMs / 1000).toFixed(1)} s wall for all ${f.results.length} runs`,
  };
  return { row: invalidateOnFailure([row], checks)[0], checks };
}

// ---- the suite ----

/**
 * Runs the suite: throughput rows (sim and threads, n = 4–13, one in flight and window 512,
 * signed and unsigned), and view-change times; returns the report bench/run.ts prints.
 *
 * @example
 * ```ts
 * const report = await pbft(console.log);
 * console.log(renderTable(report));
 * ```
 */
export default async function pbft(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const sweep = await interleavedSweep(configs(), {
    samples: SAMPLES,
    // One smaller run of each kind of configuration at the target size warms the code paths up.
    warmup: (c) => (c.n === TARGET_N && !c.traced ? { ...c, requests: Math.max(1, Math.floor(c.requests / 2)) } : undefined),
    runOnce,
    log,
    // No raw round-trip baseline (its row is made only from threads rounds' samples): the
    // baselines here are the unsigned and one-in-flight rows.
    rawRoundTrips: 100,
    rawSamplesPerRound: 0,
  });
  const runs = sweep.runs;
  const t = performance.now();
  log(`  view change: ${FAILOVER_SEEDS} seeded sim runs at n = ${FAILOVER_SIZES.join(', ')} ...`);
  const fails: Failover[] = [];
  for (const n of FAILOVER_SIZES) fails.push(await failovers(n));
  log(`  view change done in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const medianOf: MedianOf = (c) => {
    const r = runs.find((x) => sameAs(x.config, c));
    return r && r.samples.length > 0 ? summarize(r.samples.map((x) => x.result.decisionsPerMinute)).median : undefined;
  };
  const { rows: throughput, checks } = sweepRows(sweep, {
    rawTask: 'raw worker round trip',
    what: 'request',
    rawRoundTrips: 0,
    checksFor,
    rowFor: (r) => rowFor(r, medianOf),
  });
  const failoverOut = fails.map(failoverOutcome);
  for (const f of failoverOut) checks.push(...f.checks);
  const rows = [...throughput, ...failoverOut.map((f) => f.row)];

  const byMode = (mode: Mode) => runs.filter((r) => r.config.mode === mode);
  const retried = runs.filter((r) => r.samples.some((x) => (pbftOf(x)?.retries ?? 0) > 0)).map((r) => scenarioLabel(r.config));
  const notes = [
    `Outside the measured run (runScenario's whole duration minus wallMs), median: sim ${fmtMs(startupMedian(byMode('sim')))}; threads ${fmtMs(startupMedian(byMode('threads')))} (starting ${WORKERS} workers, spawning, settle, shutdown). Not counted.`,
    retried.length === 0
      ? 'No client retried a request in any measured throughput run.'
      : `Client retries (a request unanswered for 500 ms: overload, or a view change, which untraced runs do not report) in: ${retried.join('; ')}.`,
  ];

  const req = (mode: Mode, window: Window) => SIZES.map((n) => fmtInt(REQUESTS[mode][window][n])).join(' / ');
  return {
    suite: 'pbft',
    description: [
      `Committed requests per minute (ScenarioResult.decisionsPerMinute: client requests accepted, f + 1 matching replies, per wall-clock minute of the client's run, from the`,
      `'start' ask to its reply; system start-up — in threads mode starting ${WORKERS} workers —, spawning, settle and shutdown are excluded). Scenarios built as YAML: n PBFT replicas`,
      `(algorithm byzantine_tolerant, f = floor((n − 1) / 3), default settings: max_batch 64, checkpoint every 64, view-change timeout 200 ms in sim, 1 s in threads), one client, seed ${SEED}, traceLevel 'off'`,
      `except the "trace events" row (default 'events', PBFT checkers run). Signatures: the mode's default (token in sim, ed25519 in threads) vs 'none' (unsigned, channels only), and`,
      `one sim row with real ed25519; each note names the scheme the run reported (result.pbft.signatures). Requests per run at n = ${SIZES.join(' / ')}: sim ${req('sim', 1)} one in flight,`,
      `${req('sim', 512)} with a window of 512 (${fmtInt(SIM_ED25519_REQUESTS)} for the sim ed25519 row); threads (${WORKERS} workers) ${req('threads', 1)} / ${req('threads', 512)}.`,
      `Medians of ${SAMPLES.sim} (sim) / ${SAMPLES.threads} (threads) runs, configurations interleaved in rounds, after one warm-up run (half the requests) per configuration at n = ${TARGET_N}.`,
      `Baselines (same run): a signed row vs the unsigned row of the same mode, n and window (what signatures cost); an unsigned window-512 row vs the unsigned one-in-flight row (what`,
      `batching buys; for signed window-512 rows that ratio is in the note); the traced row vs the untraced one. "virtual" in a note: requests per simulated minute (default sim link`,
      `latency 1–3 ms per hop). View-change rows: virtual ms from a primary crash at ${CRASH_AT_MS} ms until a quorum of honest replicas installed the next view (result.pbft.failovers[0].ms),`,
      `${FAILOVER_SEEDS} seeded sim runs per size, ${FAILOVER_REQUESTS} requests one in flight, default signatures, trace on.`,
    ].join('\n'),
    rows,
    checks,
    notes,
  };
}
