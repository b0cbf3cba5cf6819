/**
 * Suite `hive`: subtasks per wall-clock minute of a hive in sim mode (queen, team leads, workers;
 * 50 objectives in a row per session) with 20 workers in 4 teams and with 200 workers in 20;
 * the cost of one `runHiveObjective` call (the ReasoningBank's evaluator); and the zero
 * architectural mistakes sweep: 1,000 seeded sessions with f = 2 Byzantine experts of 7, every
 * critical decision checked against the honest majority.
 */
import { runHive } from '../src/hive/run-hive.ts';
import { runHiveObjective } from '../src/hive/evaluator.ts';
import { hiveCandidates, hiveTaskClasses } from '../src/hive/hive-candidates.ts';
import type { Arm, TaskClass } from '../src/hive/chooser.ts';
import { summarize, type Check, type Row, type SuiteReport } from './harness.ts';

const REPETITIONS = 3;
const TARGET_PER_MIN = 10_000;

async function throughput(workers: number, teams: number, log: (l: string) => void): Promise<Row> {
  const rates: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const h = await runHive({
      objective: 'bench objective',
      queen: 'tactical',
      workers,
      teams,
      objectives: 50,
      seed: r + 1,
      features: { complexity: 0.6, novelty: 0.4, criticality: 0.7, sequentiality: 0.2 },
    });
    if (h.objectives.length !== 50 || h.accountingImbalance !== 0)
      throw new Error(`hive bench: ${h.objectives.length} objectives, imbalance ${h.accountingImbalance}`);
    rates.push(h.subtasksPerMinute);
    log(
      `  ${workers} workers / ${teams} teams, repetition ${r + 1}: ${h.subtasks} subtasks in ${h.wallMs.toFixed(0)} ms wall = ${h.subtasksPerMinute.toLocaleString('en')} subtasks/min (${h.objectives.filter((o) => o.status === 'done').length}/50 objectives done)`,
    );
  }
  return {
    task: `hive sim, ${workers} workers in ${teams} teams (+ queen and leads)`,
    unit: 'subtasks/min',
    better: 'higher',
    ...summarize(rates),
    targets: workers === 20 ? [{ label: '≥ 10,000 subtasks/min', pass: summarize(rates).median >= TARGET_PER_MIN }] : [],
  };
}

/** Trials per arm and class in the landscape. */
const TRIALS = 10;

interface ArmFigures {
  arm: string;
  success: number;
  durationMs: number;
  trials: boolean[];
}

/** Every arm on every class, `trials` seeds each: success rate, mean duration, each trial's success. */
async function evaluateAll(arms: readonly Arm[], classes: readonly TaskClass[], trials: number, log: (l: string) => void): Promise<Map<string, ArmFigures[]>> {
  const out = new Map<string, ArmFigures[]>();
  for (const c of classes) {
    const rows: ArmFigures[] = [];
    for (const a of arms) {
      const t: boolean[] = [];
      let d = 0;
      for (let i = 0; i < trials; i++) {
        const o = await runHiveObjective(a, c, 10_000 + i);
        t.push(o.success);
        d += o.durationMs / trials;
      }
      rows.push({ arm: `${a.topology}/${a.consensus}/${a.queen}/${a.teamSize}`, success: t.filter(Boolean).length / trials, durationMs: d, trials: t });
    }
    rows.sort((x, y) => y.success - x.success || x.durationMs - y.durationMs);
    log(
      `  ${c.name}: best ${rows[0].arm} (success ${rows[0].success.toFixed(2)}, ${rows[0].durationMs.toFixed(0)} ms), 2nd ${rows[1].arm} (${rows[1].success.toFixed(2)}), median arm ${rows[24].success.toFixed(2)}, worst ${rows[47].success.toFixed(2)}`,
    );
    out.set(c.name, rows);
  }
  return out;
}

/**
 * What the landscape says: the best arm of each class, how many distinct best arms, and how often
 * one trial per arm would pick the true best (the trial's successes, ties broken by the true
 * mean duration: generous to the one-trial picker).
 */
function landscape(byClass: Map<string, ArmFigures[]>): string[] {
  const best = [...byClass].map(([name, rows]) => `${name} → ${rows[0].arm}`);
  const distinct = new Set([...byClass.values()].map((rows) => rows[0].arm)).size;
  const reveal = [...byClass].map(([name, rows]) => {
    let hits = 0;
    for (let i = 0; i < TRIALS; i++) {
      const pick = [...rows].sort((x, y) => Number(y.trials[i]) - Number(x.trials[i]) || x.durationMs - y.durationMs)[0];
      if (pick.arm === rows[0].arm) hits++;
    }
    return `${name} ${hits}/${TRIALS}`;
  });
  return [
    `best arm per class (${TRIALS} trials each): ${best.join('; ')}`,
    `${distinct} distinct best arms over ${byClass.size} classes`,
    `one trial per arm picks the best arm: ${reveal.join(', ')}`,
  ];
}

export default async function hive(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const rows = [await throughput(20, 4, log), await throughput(200, 20, log)];
  const arms = hiveCandidates(),
    classes = hiveTaskClasses();
  const costs: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const t = performance.now();
    for (let i = 0; i < 48; i++) await runHiveObjective(arms[i], classes[i % classes.length], 100 + i);
    costs.push((performance.now() - t) / 48);
  }
  rows.push({ task: 'runHiveObjective (12 workers, one objective, sim)', unit: 'ms/call', better: 'lower', ...summarize(costs) });
  const notes = [...landscape(await evaluateAll(arms, classes, TRIALS, log))];
  let mistakes = 0,
    decisions = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= 1000; seed++) {
    const h = await runHive({
      objective: 'critical',
      queen: 'tactical',
      consensus: 'byzantine',
      seed,
      workers: 7,
      teams: 1,
      features: { complexity: 0.2, novelty: 0.2, criticality: 0.9, sequentiality: 0 },
      byzantine: { count: 2, types: ['false_information', 'conflicting_votes'] },
    });
    mistakes += h.safety.filter((v) => v.checker === 'zero-architectural-mistakes').length;
    decisions += h.objectives[0].decisions;
  }
  log(`  zero architectural mistakes: 1,000 sessions, ${decisions} decision rounds, ${mistakes} mistakes, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const checks: Check[] = [
    {
      name: 'zero architectural mistakes, f = 2 of 7 lying, 1,000 seeds',
      ok: mistakes === 0,
      detail: `${decisions} decision rounds, ${mistakes} against the honest majority`,
    },
  ];
  return {
    suite: 'hive',
    description:
      "Hive sessions in sim mode (wall clock), 50 objectives each; evaluator cost; the evaluator's landscape (every arm on every class); the 1,000-seed zero-architectural-mistakes sweep.",
    rows,
    checks,
    notes,
  };
}
