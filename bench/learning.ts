/**
 * Suite `learning`: does the ReasoningBank learn across sessions? Each session is a new Node
 * process that opens the run store anew and runs 120 objectives drawn across six task classes of
 * the synthetic hive-shaped world (48 configurations), with four choosers side by side on the
 * same seeded objectives: the bank (Thompson sampling), a greedy store-the-success-rate bank, a
 * fixed configuration and a random one. The oracle (each class's best configuration by 300
 * trials of every arm) judges them: expected success rate and time per objective, and regret.
 * A second variant changes the world at session 10. Prints a table per variant and writes
 * bench/results/learning.html (inline SVG).
 *
 * Acceptance (issue 19) printed as checks: 95 % of the oracle's success rate at no more than
 * 1.1x its time by session 5; cumulative regret below greedy's; recovery within 5 sessions of
 * the change.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { learningHtml, learningTable, learningVerdict, runLearningExperiment, type SessionFigures } from '../src/reasoning-bank/index.ts';
import type { Row, SuiteReport } from './harness.ts';

const SESSIONS = 15;
const OBJECTIVES = 120;
const CHANGE_AT = 10;
const SEEDS = [3, 1];

const here = dirname(fileURLToPath(import.meta.url));

function figureRow(task: string, unit: string, better: Row['better'], v: number, note?: string): Row {
  return { task, unit, better, median: v, p25: v, p75: v, min: v, max: v, samples: 1, note };
}

export default async function learning(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const rows: Row[] = [];
  const checks: SuiteReport['checks'] = [];
  const notes: string[] = [];
  for (const seed of SEEDS) {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-learning-'));
    const t0 = performance.now();
    const r = await runLearningExperiment({
      dir,
      sessions: SESSIONS,
      objectivesPerSession: OBJECTIVES,
      seed,
      changeAtSession: CHANGE_AT,
      onSession: (s, ms) => log(`  seed ${seed}: session ${s} done in ${(ms / 1000).toFixed(1)} s (its own process)`),
    });
    rmSync(dir, { recursive: true, force: true });
    const verdict = learningVerdict(r, { convergeBy: 5, changeAt: CHANGE_AT, recoverWithin: 5 });
    log(`\n  seed ${seed}, stationary (success % expected, time s per objective, regret, cumulative regret):`);
    for (const l of learningTable(r.stationary)) log(`    ${l}`);
    log(`\n  seed ${seed}, the best arms change at session ${CHANGE_AT}:`);
    for (const l of learningTable(r.changing)) log(`    ${l}`);
    for (const c of verdict) checks.push({ name: `seed ${seed}: ${c.name}`, ok: c.ok, detail: c.detail });
    const at = (rs: SessionFigures[], s: number, st: SessionFigures['strategy']) => rs.find((x) => x.session === s && x.strategy === st)!;
    const o5 = at(r.stationary, 5, 'oracle');
    rows.push(
      figureRow(`seed ${seed}: bank success, session 5 (share of oracle)`, '%', 'higher', (100 * at(r.stationary, 5, 'bank').successRate) / o5.successRate),
    );
    rows.push(figureRow(`seed ${seed}: bank time, session 5 (x oracle)`, 'x', 'lower', at(r.stationary, 5, 'bank').timeMs / o5.timeMs));
    for (const st of ['bank', 'greedy', 'fixed', 'random'] as const)
      rows.push(figureRow(`seed ${seed}: cumulative regret, ${SESSIONS} sessions, ${st}`, 'utility', 'lower', at(r.stationary, SESSIONS, st).cumulativeRegret));
    rows.push(
      figureRow(
        `seed ${seed}: bank success, session ${CHANGE_AT + 4} after the change (share of oracle)`,
        '%',
        'higher',
        (100 * at(r.changing, CHANGE_AT + 4, 'bank').successRate) / at(r.changing, CHANGE_AT + 4, 'oracle').successRate,
      ),
    );
    if (seed === SEEDS[0]) {
      const html = join(here, 'results', 'learning.html');
      mkdirSync(dirname(html), { recursive: true });
      writeFileSync(
        html,
        learningHtml(r, verdict, {
          changeAt: CHANGE_AT,
          note: `Seed ${seed}: ${SESSIONS} sessions of ${OBJECTIVES} objectives, each session its own process; ${SEEDS.length} seeds in the printed suite. Success rate and time are the oracle's estimates for the arms chosen (300 trials per class and arm).`,
        }),
      );
      notes.push(`HTML plot of seed ${seed}: ${html}`);
    }
    notes.push(`seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s for the oracle and ${SESSIONS} session processes`);
  }
  return {
    suite: 'learning',
    description: `ReasoningBank across ${SESSIONS} sessions (separate processes) of ${OBJECTIVES} objectives over 6 task classes and 48 configurations, vs greedy, fixed and random choosers and the oracle; the world changes at session ${CHANGE_AT} in the second variant.`,
    rows,
    checks,
    notes,
  };
}
