import type { TraceEvent } from '../actors/trace-event.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { fixedChooser, type Arm, type Choice, type ConfigChooser, type Outcome, type TaskClass } from './chooser.ts';
import { resolveHiveOptions, type HiveOptions } from './hive-options.ts';
import { runHive, type HiveHooks, type HiveRunReport } from './run-hive.ts';

/**
 * One session: the configuration the chooser picked, the hive's report, and the outcome the
 * chooser was told.
 *
 * @example
 * ```ts
 * const s: HiveSession = await runHiveSession({ objective: 'Document the API' });
 * console.log(s.choice.reason, s.outcome.success);
 * ```
 */
export interface HiveSession {
  readonly taskClass: TaskClass;
  readonly choice: Choice;
  readonly report: HiveRunReport;
  readonly outcome: Outcome;
}

/** The task class of an objective: its name made a key, its features. */
export function taskClassOf(o: HiveOptions): TaskClass {
  const r = resolveHiveOptions(o);
  const name =
    r.objective
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'objective';
  return { name, features: { ...r.features, adversity: r.byzantine.count / r.workers } };
}

/** The arm the options configure (what a fixed chooser keeps choosing). */
export function armOf(o: HiveOptions): Arm {
  const r = resolveHiveOptions(o);
  return { topology: r.topology, consensus: r.consensus, queen: r.queen, teamSize: Math.ceil(r.workers / r.teams) };
}

/**
 * Runs one hive session with the configuration a chooser picks for the objective's task class
 * (by default the fixed chooser: the options' own configuration), then records the outcome
 * with the chooser. The candidates are the options' arm and whatever `candidates` adds; an arm
 * sets topology, consensus, queen type and team size (teams = workers / team size).
 *
 * @example
 * ```ts
 * const s = await runHiveSession({ objective: 'Document the API', seed: 3 }, { chooser: myBank, candidates: hiveCandidates() });
 * ```
 */
export async function runHiveSession(options: HiveOptions, o: { chooser?: ConfigChooser; candidates?: readonly Arm[] } & HiveHooks = {}): Promise<HiveSession> {
  const resolved = resolveHiveOptions(options);
  const taskClass = taskClassOf(options);
  const own = armOf(options);
  const chooser = o.chooser ?? fixedChooser(own);
  const choice = chooser.choose(taskClass, o.candidates ?? [own], resolved.seed);
  const arm = choice.arm;
  const teamSize = Number(arm.teamSize ?? own.teamSize);
  const report = await runHive(
    {
      ...options,
      topology: String(arm.topology ?? own.topology) as never,
      consensus: String(arm.consensus ?? own.consensus) as never,
      queen: String(arm.queen ?? own.queen) as never,
      teams: Math.max(1, Math.min(resolved.workers, Math.ceil(resolved.workers / teamSize))),
    },
    { onEvent: o.onEvent, onSystem: o.onSystem, createSystem: o.createSystem },
  );
  const objectives = report.objectives;
  const outcome: Outcome = {
    success: objectives.every((x) => x.status === 'done' && x.unsound === 0) && report.safety.length === 0,
    quality: objectives.reduce((a, x) => a + x.quality, 0) / objectives.length,
    durationMs: objectives.reduce((a, x) => a + x.durationMs, 0) / objectives.length,
    trajectory: objectives.flatMap((x) => [
      { step: `${x.queenType} queen, ${x.topology}, ${x.consensus}`, outcome: `${x.status}, quality ${x.quality}` },
      ...x.switches.map((s) => ({ step: s.what, outcome: s.reason })),
    ]),
  };
  chooser.record(taskClass, choice, outcome);
  return { taskClass, choice, report, outcome };
}
