import { moduleUrl } from '../module-url.ts';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sessionFigures, type SessionFigures } from './learning-figures.ts';
import type { ObjectiveLog, SessionSpec } from './learning-session.ts';
import { computeOracle, type Oracle } from './oracle.ts';
import { SYNTHETIC_TASK_CLASSES, syntheticCandidates, syntheticEvaluator } from './synthetic-tasks.ts';

const run = promisify(execFile);

export interface LearningExperimentOptions {
  /** A fresh directory: each variant keeps its stores under it. */
  readonly dir: string;
  readonly sessions: number;
  readonly objectivesPerSession: number;
  readonly seed: number;
  /** The non-stationary variant's world changes from this session on (1-based). */
  readonly changeAtSession: number;
  /** Trials per class and arm for the oracle (default 300). */
  readonly oracleTrials?: number;
  readonly discount?: number;
  /** The bank's posterior sharpening and drift threshold (ReasoningBankOptions; defaults there). */
  readonly sharpen?: number;
  readonly driftThreshold?: number;
  /** Called after each session with its number (progress for the benchmark). */
  readonly onSession?: (session: number, ms: number) => void;
}

export interface LearningExperiment {
  readonly stationary: SessionFigures[];
  readonly changing: SessionFigures[];
  readonly oracles: readonly [Oracle, Oracle];
}

const SESSION_SCRIPT = fileURLToPath(moduleUrl('./learning-session-main.ts', import.meta.url));
/** The package root: `--import tsx` resolves tsx from the working directory. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The learning benchmark: the oracle of each world by exhaustive evaluation, then `sessions`
 * sessions, each a new Node process that opens the stores anew and runs both variants
 * (stationary; and changing, whose world switches phase at `changeAtSession` and which until
 * then is the stationary one), then the figures per session and strategy.
 *
 * @example
 * ```ts
 * const r = await runLearningExperiment({ dir: mkdtempSync('/tmp/l-'), sessions: 15, objectivesPerSession: 120, seed: 1, changeAtSession: 10 });
 * ```
 */
export async function runLearningExperiment(o: LearningExperimentOptions): Promise<LearningExperiment> {
  const classes = SYNTHETIC_TASK_CLASSES;
  const candidates = syntheticCandidates();
  const trials = o.oracleTrials ?? 300;
  const oracles = [
    await computeOracle(syntheticEvaluator(0), classes, candidates, trials),
    await computeOracle(syntheticEvaluator(1), classes, candidates, trials),
  ] as const;
  const variants = { stationary: `${o.dir}/stationary`, changing: `${o.dir}/changing` };
  for (const d of Object.values(variants)) mkdirSync(d, { recursive: true });
  const logs: { stationary: ObjectiveLog[][]; changing: ObjectiveLog[][] } = { stationary: [], changing: [] };
  for (let session = 1; session <= o.sessions; session++) {
    const base = { session, objectives: o.objectivesPerSession, seed: o.seed, discount: o.discount, sharpen: o.sharpen, driftThreshold: o.driftThreshold };
    // Before the change both variants run the same seeds in the same world: the same sessions.
    // So the changing variant starts, at the change, from copies of the stationary stores (the
    // session processes closed them: nothing is left in flight), and shares the logs before it.
    if (session === o.changeAtSession) {
      for (const f of ['bank.db', 'greedy.db']) {
        copyFileSync(`${variants.stationary}/${f}`, `${variants.changing}/${f}`);
        if (existsSync(`${variants.stationary}/${f}-wal`)) copyFileSync(`${variants.stationary}/${f}-wal`, `${variants.changing}/${f}-wal`);
      }
    }
    const specs: SessionSpec[] = [{ ...base, phase: 0, dir: variants.stationary }];
    if (session >= o.changeAtSession) specs.push({ ...base, phase: 1, dir: variants.changing });
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', SESSION_SCRIPT, JSON.stringify(specs)], { cwd: PACKAGE_ROOT, maxBuffer: 64 * 2 ** 20 });
    const [stationary, changing] = JSON.parse(stdout) as [ObjectiveLog[], ObjectiveLog[] | undefined];
    logs.stationary.push(stationary);
    logs.changing.push(changing ?? stationary);
    o.onSession?.(session, performance.now() - t0);
  }
  return {
    stationary: sessionFigures(logs.stationary, () => oracles[0]),
    changing: sessionFigures(logs.changing, (s) => oracles[s >= o.changeAtSession ? 1 : 0]),
    oracles,
  };
}
