/**
 * Suite `raft`: committed client commands per minute of a Raft cluster, run end to end with
 * `runScenario` as users run it (`consensus: { algorithm: raft }`), and the time the cluster
 * takes to elect a new leader after its leader crashes.
 *
 * - n = 3, 5, 7, 9 Raft nodes and one closed-loop client (src/protocols/raft/raft-client.ts);
 * - one command in flight (`in_flight: 1`) and a client window of 256 (`in_flight: 256`: the
 *   leader batches what arrives between two AppendEntries, up to `max_batch`, default 64);
 * - sim mode and threads mode (2 workers), a fixed number of commands per run;
 * - every throughput run with `traceLevel: 'off'` (the checkers then cannot run), and one extra
 *   row at n = 5, window 256, sim, with the default trace ('events'), whose Raft safety result
 *   (election safety, log matching, leader completeness, state-machine safety, no acknowledged
 *   command lost) is a check;
 * - failover: ~20 seeded sim runs per size with `faults: { crash: [{ target: leader, at: 500ms }] }`,
 *   the figure being `result.raft.failovers[0].ms` (virtual ms from the crash to the first
 *   `raft-leader` emit after it), median and p99.
 *
 * The throughput figure is `decisionsPerMinute` of the ScenarioResult: acknowledged commands per
 * wall-clock minute of the client's run (from the `start` ask to its reply). Spawning, in threads
 * mode starting the workers, settle and shutdown come before or after and are not counted.
 * Configurations are interleaved in rounds (each configuration once per round), so a slow phase
 * of a shared machine hits all of them alike.
 *
 * Baselines, measured in the same run: each window-256 row is compared with the one-in-flight row
 * of the same mode and n (the ratio is what batching buys); the traced row with the untraced one;
 * a threads one-in-flight row with the bare cross-worker round trip (support/raw-round-trip.ts, as
 * the voting suite does), shown as the commands/min one round trip per command allows.
 *
 * In threads mode the first election runs in real time (150–300 ms timeouts) while the client's
 * first window is bounced and then paced by its 100 ms retry timer: a fixed ~0.3–0.5 s inside
 * every threads run's decisionsPerMinute. A short run (5,000 commands) at n = 5, window 256 beside
 * the full one gives the "marginal" row: the rate once a leader is in place. It has no target.
 *
 * Checks, per configuration over all its runs (warm-up included): every run acknowledged all its
 * commands; accounting balanced (accountingImbalance 0, and nothing in flight, dropped or
 * dead-lettered at the end). Failover runs: the crash hit a leader and a new one was elected in
 * every run, all commands acknowledged, accounting balanced, the Raft checkers found nothing.
 * Targets are printed as PASS/BELOW, never asserted.
 */
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario, type ScenarioResult } from '../src/swarm/run-scenario.ts';
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

const SIZES = [3, 5, 7, 9] as const;
const WINDOWS = [1, 256] as const;
const WORKERS = 2;
const SEED = 1;

/**
 * Commands per run, sized so one run's client phase takes roughly 0.3–1 s on a 2-core machine
 * (threads runs also pay ~1–1.5 s of worker start-up and shutdown around it, not measured).
 */
const COMMANDS: Readonly<Record<Mode, Readonly<Record<Window, number>>>> = {
  sim: { 1: 10_000, 256: 50_000 },
  threads: { 1: 2_000, 256: 40_000 },
};
/**
 * A short threads run at n = 5, window 256, beside the full one: in threads mode the first
 * election waits real time (150–300 ms timeouts, then the client's 100 ms retry pacing for the
 * commands bounced meanwhile), a fixed cost inside decisionsPerMinute. The difference of the two
 * runs of a round gives the rate after it (the "marginal" row).
 */
const SHORT_COMMANDS = 5_000;
/** Measured runs per configuration. */
const SAMPLES: Readonly<Record<Mode, number>> = { sim: 5, threads: 3 };

/** Raw cross-worker round trips per sample, and samples per threads round. */
const RAW_ROUND_TRIPS = 5_000;
const RAW_SAMPLES_PER_ROUND = 2;
const RAW_TASK = `threads ${WORKERS}w raw worker round trip`;

const TARGET_N = 5;
/** decisions/min at n = 5: with batching (window 256) per mode, and one in flight in sim mode. */
const TARGETS: Readonly<Record<Mode, Partial<Record<Window, number>>>> = { sim: { 256: 6_000_000, 1: 1_200_000 }, threads: { 256: 2_000_000 } };

/** Failover: seeded sim runs per size, the leader crashed at CRASH_AT_MS of virtual time. */
const FAILOVER_SEEDS = 20;
const FAILOVER_SIZES = [3, 5, 7, 9] as const;
const CRASH_AT_MS = 500;
/** One in flight: ~8 virtual ms per command, so 300 commands outlast the crash and the election. */
const FAILOVER_COMMANDS = 300;

interface Config {
  readonly mode: Mode;
  readonly n: number;
  readonly window: Window;
  readonly commands: number;
  /** Default trace level ('events', Raft checkers run) instead of 'off'. */
  readonly traced: boolean;
  /** The short run of SHORT_COMMANDS beside a full one (threads, n = 5, window 256). */
  readonly short?: boolean;
}

/** A configuration's measured and warm-up runs (warm-ups are checked, not measured). */
type Runs = SweepRun<Config, Sample>;
type Sample = ScenarioSample;

/**
 * The scenario as a user would write it: n Raft nodes with the default timing (election timeout
 * 150–300 ms, heartbeat 50 ms, max_batch 64), `commands` puts from one client, `window` at a time.
 *
 * @example
 * ```ts
 * const scenario = parseScenario(scenarioYaml({ n: 5, window: 256, commands: 50_000 }));
 * const result = await runScenario(scenario, { mode: 'sim', traceLevel: 'off' });
 * ```
 */
export function scenarioYaml(c: { n: number; window: number; commands: number; faults?: string }): string {
  if (c.n < 3) throw new Error(`n must be at least 3 (got ${c.n})`);
  return `name: bench-raft-n${c.n}-window${c.window}
agents:
  - { role: node, count: ${c.n} }
consensus:
  algorithm: raft
task:
  question: Apply the commands in one agreed order
  options: [commit, skip]
  decisions: ${c.commands}
  in_flight: ${c.window}
${c.faults ?? ''}`;
}

function runOnce(c: Config): Promise<Sample> {
  return runScenarioSample(scenarioYaml(c), { seed: SEED, mode: c.mode, workers: WORKERS, traced: c.traced ?? false, requested: c.commands });
}

// ---- names ----

const windowLabel = (w: number) => (w === 1 ? '1 in flight' : `window ${w}`);

function taskName(c: Pick<Config, 'mode' | 'n' | 'window' | 'traced' | 'short'>): string {
  const mode = c.mode === 'sim' ? 'sim' : `threads ${WORKERS}w`;
  return `${mode.padEnd(10)} raft n=${c.n} ${windowLabel(c.window).padEnd(11)}${c.traced ? ' trace events' : ''}${c.short ? ` short (${fmtInt(SHORT_COMMANDS)})` : ''}`.trimEnd();
}

function scenarioLabel(c: Config): string {
  return `${c.mode} raft n=${c.n} ${windowLabel(c.window)}${c.traced ? ', trace events' : ''}${c.short ? `, short run of ${fmtInt(SHORT_COMMANDS)}` : ''}`;
}

const MARGINAL_TASK = `threads ${WORKERS}w raft n=${TARGET_N} window 256 marginal`;

// ---- the plan ----

function configs(): Config[] {
  const out: Config[] = [];
  for (const mode of ['sim', 'threads'] as const) {
    for (const n of SIZES) for (const window of WINDOWS) out.push({ mode, n, window, commands: COMMANDS[mode][window], traced: false });
    if (mode === 'sim') out.push({ mode, n: TARGET_N, window: 256, commands: COMMANDS.sim[256], traced: true });
    else out.push({ mode, n: TARGET_N, window: 256, commands: SHORT_COMMANDS, traced: false, short: true });
  }
  return out;
}

// ---- checks ----

/**
 * Accounting balanced and nothing left over: undefined when fine, else what was wrong. In threads
 * mode a few envelopes may be in flight at shutdown and still balance the books: Raft's heartbeat
 * timers keep firing after settle() has found a quiet instant, and shutdown counts what they sent.
 */
function accountingProblem(x: ScenarioResult, allowLoss = false): string | undefined {
  const m = x.messages;
  if (x.accountingImbalance !== 0) return `imbalance ${x.accountingImbalance}`;
  if (m.inFlight !== 0 && x.mode !== 'threads') return `inFlight ${m.inFlight}`;
  if (!allowLoss && (m.dropped !== 0 || m.deadLettered !== 0)) return `dropped ${m.dropped}, deadLettered ${m.deadLettered}`;
  return undefined;
}

function ackProblem(x: Sample): string | undefined {
  const d = x.result.decisions;
  return d.attempted === x.requested && d.decided === x.requested && d.timedOut === 0
    ? undefined
    : `asked ${x.requested}: attempted ${d.attempted}, acknowledged ${d.decided}, not acknowledged ${d.timedOut}`;
}

function checksFor(r: Runs): Check[] {
  const label = scenarioLabel(r.config);
  const all = [...r.warmups, ...r.samples];
  const runs = `${all.length} runs`;
  const acks = all.map(ackProblem).filter((p) => p !== undefined);
  const books = all.map((x) => accountingProblem(x.result)).filter((p) => p !== undefined);
  const checks: Check[] = [
    {
      name: `${label}: every command acknowledged`,
      ok: acks.length === 0,
      detail: acks.length ? acks.join('; ') : `${fmtInt(r.config.commands)} per measured run, ${runs}`,
    },
    {
      name: `${label}: accounting balanced, nothing ${r.config.mode === 'threads' ? '' : 'in flight, '}dropped or dead-lettered`,
      ok: books.length === 0,
      detail: books.length
        ? books.join('; ')
        : `all 0 in ${runs}${r.config.mode === 'threads' ? `; in flight at shutdown (heartbeats after settle, counted): ${all.map((x) => x.result.messages.inFlight).join(', ')}` : ''}`,
    },
  ];
  if (r.config.traced) {
    const unsafe = all.filter((x) => !(x.result.safetyChecked && x.result.safetyViolations.length === 0));
    checks.push({
      name: `${label}: Raft safety checked (election safety, log matching, leader completeness, state-machine safety, no acknowledged command lost), no violation`,
      ok: unsafe.length === 0,
      detail: unsafe.length
        ? unsafe.map((x) => `checked ${x.result.safetyChecked}: ${x.result.safetyViolations.map((v) => `${v.property}: ${v.detail}`).join(', ')}`).join('; ')
        : `checked in ${runs}`,
    });
  }
  return checks;
}

// ---- rows ----

function rowFor(r: Runs, rawRoundTripUs: number | undefined): Row {
  const c = r.config;
  const results = r.samples.map((x) => x.result);
  const stats = summarize(results.map((x) => x.decisionsPerMinute));
  const perCommand = summarize(results.map((x) => x.messagesPerDecision)).median;
  const noteParts = [`${perCommand.toFixed(2)} msgs/command → ${formatNumber((stats.median * perCommand) / 60)} msgs/s`];
  if (c.window === 1)
    noteParts.push(
      `${(60e6 / stats.median).toFixed(1)} µs/command${c.mode === 'threads' && rawRoundTripUs !== undefined ? ` = ${(60e6 / stats.median / rawRoundTripUs).toFixed(1)} raw round trips` : ''}`,
    );
  if (c.mode === 'sim') noteParts.push(`virtual ${formatNumber(summarize(results.map((x) => x.simDecisionsPerMinute ?? NaN)).median)}/min`);
  if (c.traced)
    noteParts.push(
      `latency p50 ${summarize(results.map((x) => x.latencyMs.p50)).median.toFixed(1)} / p99 ${summarize(results.map((x) => x.latencyMs.p99)).median.toFixed(1)} virtual ms`,
    );
  const retries = summarize(results.map((x) => x.raft?.retries ?? 0)).median;
  if (retries > 0) noteParts.push(`${fmtInt(retries)} client retries`);
  noteParts.push(`${fmtInt(c.commands)} commands in ${(summarize(results.map((x) => x.wallMs)).median / 1000).toFixed(2)} s`);
  const target = c.traced || c.short || c.n !== TARGET_N ? undefined : TARGETS[c.mode][c.window];
  const targets: TargetCheck[] | undefined = target === undefined ? undefined : [{ label: `≥ ${fmtTarget(target)}/min`, pass: stats.median >= target }];
  const baseline =
    c.traced || c.short
      ? taskName({ ...c, traced: false, short: false })
      : c.window !== 1
        ? taskName({ ...c, window: 1 })
        : c.mode === 'threads' && rawRoundTripUs !== undefined
          ? RAW_TASK
          : undefined;
  return { task: taskName(c), unit: 'decisions/min', better: 'higher', ...stats, perIteration: c.commands, baseline, targets, note: noteParts.join('; ') };
}

// ---- failover ----

interface Failover {
  readonly n: number;
  readonly results: ScenarioResult[];
  readonly totalMs: number;
}

async function failovers(n: number): Promise<Failover> {
  const scenario = parseScenario(
    scenarioYaml({ n, window: 1, commands: FAILOVER_COMMANDS, faults: `faults:\n  crash: [{ target: leader, at: ${CRASH_AT_MS}ms }]\n` }),
  );
  const results: ScenarioResult[] = [];
  const t0 = performance.now();
  for (let seed = 1; seed <= FAILOVER_SEEDS; seed++) results.push(await runScenario(scenario, { seed, mode: 'sim' }));
  return { n, results, totalMs: performance.now() - t0 };
}

function failoverOutcome(f: Failover): { row: Row; checks: Check[] } {
  const label = `sim raft n=${f.n} leader crash at ${CRASH_AT_MS} ms`;
  const ms = f.results.map((x) => x.raft?.failovers[0]?.ms).filter((v): v is number => typeof v === 'number');
  const missing = f.results.flatMap((x, i) =>
    x.raft?.failovers.length === 1 && x.raft.failovers[0].ms !== null ? [] : [`seed ${i + 1}: ${JSON.stringify(x.raft?.failovers ?? null)}`],
  );
  const acks = f.results.flatMap((x, i) =>
    x.decisions.decided === FAILOVER_COMMANDS && x.decisions.timedOut === 0
      ? []
      : [`seed ${i + 1}: acknowledged ${x.decisions.decided} of ${FAILOVER_COMMANDS}`],
  );
  // A crashed node's mail is dead-lettered or dropped: only the books must balance here.
  const books = f.results.flatMap((x, i) => {
    const p = accountingProblem(x, true);
    return p === undefined ? [] : [`seed ${i + 1}: ${p}`];
  });
  const unsafe = f.results.flatMap((x, i) =>
    x.safetyChecked && x.safetyViolations.length === 0 ? [] : [`seed ${i + 1}: ${x.safetyViolations.map((v) => v.property).join(', ') || 'not checked'}`],
  );
  const runs = `${f.results.length} runs (seeds 1–${f.results.length})`;
  const checks: Check[] = [
    { name: `${label}: the leader crashed and a new one was elected`, ok: missing.length === 0, detail: missing.length ? missing.join('; ') : `in ${runs}` },
    { name: `${label}: every command acknowledged`, ok: acks.length === 0, detail: acks.length ? acks.join('; ') : `${FAILOVER_COMMANDS} per run, ${runs}` },
    { name: `${label}: accounting balanced`, ok: books.length === 0, detail: books.length ? books.join('; ') : `imbalance 0, nothing in flight, in ${runs}` },
    { name: `${label}: Raft safety checked, no violation`, ok: unsafe.length === 0, detail: unsafe.length ? unsafe.join('; ') : `checked in ${runs}` },
  ];
  const sorted = [...ms].sort((a, b) => a - b);
  const stats = ms.length > 0 ? summarize(ms) : { median: NaN, p25: NaN, p75: NaN, min: NaN, max: NaN, samples: 0 };
  const retries = summarize(f.results.map((x) => x.raft?.retries ?? 0)).median;
  const row: Row = {
    task: `sim        raft n=${f.n} failover (new leader after leader crash)`,
    unit: 'virtual ms',
    better: 'lower',
    ...stats,
    note: `p99 ${quantile(sorted, 0.99).toFixed(1)} ms over ${ms.length} seeded runs (p99 of ${ms.length} samples is interpolated between the two largest); election timeout 150–300 ms; median ${fmtInt(retries)} client retries per run; ${(f.totalMs / 1000).toFixed(1)} s wall for all ${f.results.length} runs`,
  };
  return { row: invalidateOnFailure([row], checks)[0], checks };
}

// ---- the suite ----

/**
 * Runs the suite: throughput rows (sim and threads, n = 3–9, one in flight and window 256), the
 * raw worker round trip baseline, and failover times; returns the report bench/run.ts prints.
 *
 * @example
 * ```ts
 * const report = await raft(console.log);
 * console.log(renderTable(report));
 * ```
 */
export default async function raft(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const sweep = await interleavedSweep(configs(), {
    samples: SAMPLES,
    warmup: (c) => (c.n === TARGET_N && !c.traced && !c.short ? { ...c, commands: c.commands / 2 } : undefined),
    runOnce,
    log,
    rawRoundTrips: RAW_ROUND_TRIPS,
    rawSamplesPerRound: RAW_SAMPLES_PER_ROUND,
  });
  const runs = sweep.runs;
  const notes: string[] = [];
  const t = performance.now();
  log(`  failover: ${FAILOVER_SEEDS} seeded sim runs at n = ${FAILOVER_SIZES.join(', ')} ...`);
  const fails: Failover[] = [];
  for (const n of FAILOVER_SIZES) fails.push(await failovers(n));
  log(`  failover done in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const { rows: throughput, checks } = sweepRows(sweep, { rawTask: RAW_TASK, what: 'command', rawRoundTrips: RAW_ROUND_TRIPS, checksFor, rowFor });
  const failoverOut = fails.map(failoverOutcome);
  for (const f of failoverOut) checks.push(...f.checks);
  const rows = [...throughput, ...marginalRow(runs), ...failoverOut.map((f) => f.row)];

  const byMode = (mode: Mode) => runs.filter((r) => r.config.mode === mode);
  notes.push(
    `Outside the measured run (runScenario's whole duration minus wallMs), median: sim ${fmtMs(startupMedian(byMode('sim')))}; threads ${fmtMs(startupMedian(byMode('threads')))} (starting ${WORKERS} workers, spawning, settle, shutdown). Not counted.`,
  );

  return {
    suite: 'raft',
    description: [
      `Committed commands per minute (ScenarioResult.decisionsPerMinute: client commands acknowledged per wall-clock minute of the client's run, from the 'start' ask to`,
      `its reply; system start-up — in threads mode starting ${WORKERS} workers —, spawning, settle and shutdown are excluded). Scenarios built as YAML: n Raft nodes, default timing`,
      `(election timeout 150–300 ms, heartbeat 50 ms, max_batch 64), one client of puts over 16 keys, seed ${SEED}, traceLevel 'off' except the "trace events" row (default 'events', Raft`,
      `checkers run). Commands per run: sim ${fmtInt(COMMANDS.sim[1])} one in flight / ${fmtInt(COMMANDS.sim[256])} with a window of 256; threads (${WORKERS} workers) ${fmtInt(COMMANDS.threads[1])} / ${fmtInt(COMMANDS.threads[256])}, and a short run of ${fmtInt(SHORT_COMMANDS)} at n = ${TARGET_N}, window 256 (for the "marginal" row).`,
      `Medians of ${SAMPLES.sim} (sim) / ${SAMPLES.threads} (threads) runs, configurations interleaved in rounds, after one warm-up run per window and mode at n = ${TARGET_N}.`,
      `Baselines (same run): a window-256 row vs the one-in-flight row of the same mode and n; the traced row vs the untraced one; a threads one-in-flight row vs "raw worker`,
      `round trip" (${fmtInt(RAW_ROUND_TRIPS)} bare worker-to-worker round trips, timed ${RAW_SAMPLES_PER_ROUND}× per threads round, as commands/min if each command cost one). "virtual" in a note:`,
      `commands per simulated minute (the protocol's own pace, default sim link latency 1–3 ms per hop). Failover rows: virtual ms from a leader crash at ${CRASH_AT_MS} ms to the next raft-leader`,
      `emit (result.raft.failovers[0].ms), ${FAILOVER_SEEDS} seeded sim runs per size, ${FAILOVER_COMMANDS} commands one in flight, trace on.`,
    ].join('\n'),
    rows,
    checks,
    notes,
  };
}

/**
 * Threads n = 5 window 256, after the first election: per round, (full − short) commands over
 * (full − short) wall time. Informational (no target): the target row is the whole-run figure.
 */
function marginalRow(runs: readonly Runs[]): Row[] {
  const find = (short: boolean) =>
    runs.find(
      (r) => r.config.mode === 'threads' && r.config.n === TARGET_N && r.config.window === 256 && !r.config.traced && (r.config.short ?? false) === short,
    );
  const full = find(false);
  const short = find(true);
  if (!full || !short) return [];
  const rounds = full.samples.flatMap((f, i) => {
    const s = short.samples[i];
    const dt = s === undefined ? 0 : f.result.wallMs - s.result.wallMs;
    if (!(dt > 0)) return [];
    const perMinute = ((f.result.decisions.decided - s.result.decisions.decided) / dt) * 60_000;
    // The short run's wall time minus what its commands cost at that rate: the fixed part.
    return [{ perMinute, fixedMs: s.result.wallMs - (s.result.decisions.decided / perMinute) * 60_000 }];
  });
  if (rounds.length === 0) return [];
  const fixedMs = summarize(rounds.map((r) => r.fixedMs)).median;
  return invalidateOnFailure(
    [
      {
        task: MARGINAL_TASK,
        unit: 'decisions/min',
        better: 'higher',
        ...summarize(rounds.map((r) => r.perMinute)),
        note: `rate after the first election: (${fmtInt(full.config.commands)} − ${fmtInt(SHORT_COMMANDS)}) commands / (wall of the full run − wall of the short run), per round; implies ~${fmtMs(fixedMs)} of fixed cost (first election in real time, bounced commands waiting for the client's 100 ms retry) inside every threads run's decisionsPerMinute. No target: the target row is the whole-run figure`,
      },
    ],
    [...checksFor(full), ...checksFor(short)],
  );
}
