/**
 * Suite `store`: what recording a run in the run store costs. The same sim run (simple majority,
 * 5 voters, 20,000 decisions: 100,000 votes, 8 in flight, trace at the default level) with and
 * without a RunRecorder, alternating, so a slow phase of a shared machine hits both. The figure
 * is decisions per wall-clock minute from the start of the run to the moment the store holds
 * all of it (the recorder's start-up and its last write included: a user waits for them); the
 * process's CPU time (this thread and the writer thread) is reported beside it. Issue 15's
 * target (a recorded run at most 10% slower) is printed, never asserted. Three ways: unrecorded;
 * recorded by default (the first 1,000 decisions one by one with their votes, the rest counted
 * in aggregates); recorded with every decision (what a scenario with an audit: section costs).
 * Checks: what the store holds matches what the run closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/actors/library.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { ALL_DECISIONS, DEFAULT_DETAIL_LIMIT, openStore, RunRecorder, scenarioRunEnd } from '../src/store/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { summarize, type Check, type Row, type SuiteReport } from './harness.ts';

const DECISIONS = 20_000;
const SAMPLES = 9;
const SCENARIO = parseScenario(`
name: store-bench
agents: [{ role: analyst, count: 5, accuracy: 0.8, reasons: [ACID compliance, mature ecosystem, benchmarks favour it] }]
consensus: { algorithm: simple_majority }
task: { question: Choose a database, options: [PostgreSQL, MongoDB, DynamoDB], truth: PostgreSQL, decisions: ${DECISIONS}, in_flight: 8 }
`);

export default async function store(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-store-bench-'));
  const file = join(dir, 'conclave.db');
  const plain: number[] = [];
  const recorded: number[] = [];
  const recordedWithStart: number[] = [];
  const recordedAll: number[] = [];
  const cpuAll: number[] = [];
  const cpuPlain: number[] = [];
  const cpuRecorded: number[] = [];
  const checks: Check[] = [];
  try {
    for (let i = 0; i < SAMPLES + 1; i++) {
      // Sample 0 warms both paths up (module loading, JIT) and is not counted.
      const a = await once(undefined);
      const b = await once(file);
      const c = await once(file, ALL_DECISIONS);
      if (i === 0) continue;
      recordedAll.push(c.perMinute);
      cpuAll.push(c.cpuMs);
      checks.push({
        name: `sample ${i}: every decision stored one by one (audit)`,
        ok: c.stored === c.closed,
        detail: `${c.stored} stored of ${c.closed} closed`,
      });
      plain.push(a.perMinute);
      recorded.push(b.perMinute);
      recordedWithStart.push(b.perMinuteWithStart);
      cpuPlain.push(a.cpuMs);
      cpuRecorded.push(b.cpuMs);
      log(
        `  sample ${i}: unrecorded ${a.perMinute.toFixed(0)}/min (${a.cpuMs.toFixed(0)} ms CPU), recorded ${b.perMinute.toFixed(0)}/min (${b.perMinuteWithStart.toFixed(0)}/min with the writer thread's start-up; ${b.cpuMs.toFixed(0)} ms CPU), ratio ${(b.perMinute / a.perMinute).toFixed(2)}`,
      );
      checks.push({
        name: `sample ${i}: the first ${DEFAULT_DETAIL_LIMIT.toLocaleString('en')} decisions stored one by one, every one counted`,
        ok: b.stored === Math.min(DEFAULT_DETAIL_LIMIT, b.closed) && b.counted === b.closed,
        detail: `${b.stored} stored, ${b.counted} counted of ${b.closed} closed`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base: Row = {
    task: `sim simple_majority n=5, ${DECISIONS.toLocaleString('en')} decisions, not recorded`,
    unit: 'decisions/min',
    better: 'higher',
    ...summarize(plain),
    perIteration: DECISIONS,
    note: `CPU ${summarize(cpuPlain).median.toFixed(0)} ms per run (median)`,
  };
  const r = summarize(recorded);
  const row: Row = {
    task: `sim simple_majority n=5, ${DECISIONS.toLocaleString('en')} decisions, recorded (default)`,
    unit: 'decisions/min',
    better: 'higher',
    ...r,
    perIteration: DECISIONS,
    baseline: base.task,
    ratio: r.median / base.median,
    targets: [{ label: '≥ 0.9× unrecorded (issue 15)', pass: r.median / base.median >= 0.9 }],
    note: `from the run's start (the writer thread up and waiting) until the store holds all of it; CPU ${summarize(cpuRecorded).median.toFixed(0)} ms per run (median; this thread and the writer thread, its start-up included); the first ${DEFAULT_DETAIL_LIMIT.toLocaleString('en')} decisions with their votes stored, chained and signed, the rest counted in aggregates`,
  };
  const a = summarize(recordedAll);
  const all: Row = {
    task: `sim simple_majority n=5, ${DECISIONS.toLocaleString('en')} decisions, recorded, every decision (audit)`,
    unit: 'decisions/min',
    better: 'higher',
    ...a,
    perIteration: DECISIONS,
    baseline: base.task,
    ratio: a.median / base.median,
    note: `every decision with its votes stored, chained and signed (a scenario with an audit: section, or --store-detail); CPU ${summarize(cpuAll).median.toFixed(0)} ms per run (median)`,
  };
  const w = summarize(recordedWithStart);
  const withStart: Row = {
    task: `sim simple_majority n=5, ${DECISIONS.toLocaleString('en')} decisions, recorded (default), with the writer's start-up`,
    unit: 'decisions/min',
    better: 'higher',
    ...w,
    perIteration: DECISIONS,
    baseline: base.task,
    ratio: w.median / base.median,
    note: "as above, the writer thread's start-up (tsx loading the store's sources in the thread) counted in the wall time too",
  };
  return {
    suite: 'store',
    description: `Recording cost: the same run with and without the run store, ${SAMPLES} alternating samples; wall clock from the run's start until the store holds all of it.`,
    rows: [base, row, withStart, all],
    checks,
  };
}

async function once(
  file: string | undefined,
  detailLimit = DEFAULT_DETAIL_LIMIT,
): Promise<{ perMinute: number; perMinuteWithStart: number; cpuMs: number; stored: number; counted: number; closed: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const recorder = file
    ? RunRecorder.start(file, {
        kind: 'run',
        name: SCENARIO.name,
        protocol: 'simple_majority',
        mode: 'sim',
        detailLimit,
        signed: true,
        plannedDecisions: DECISIONS,
      })
    : undefined;
  await recorder?.ready();
  const running = performance.now();
  const result = await runScenario(SCENARIO, { onEvent: recorder ? recorder.onEvent : () => undefined });
  const closed = result.decisions.decided + result.decisions.noConsensus;
  let stored = closed;
  let counted = closed;
  if (recorder) await recorder.finish(scenarioRunEnd(result, 0));
  const wall = performance.now() - running;
  const withStart = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (recorder) {
    const db = openStore(file!, { readonly: true });
    stored = (db.prepare('SELECT count(*) AS n FROM decisions WHERE run_id = ?').get(recorder.id) as { n: number }).n;
    counted = stored + ((db.prepare('SELECT sum(closed) AS n FROM aggregates WHERE run_id = ?').get(recorder.id) as { n: number | null }).n ?? 0);
    db.close();
  }
  return {
    perMinute: (closed / wall) * 60_000,
    perMinuteWithStart: (closed / withStart) * 60_000,
    cpuMs: (used.user + used.system) / 1000,
    stored,
    counted,
    closed,
  };
}
