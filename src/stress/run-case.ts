import type { TraceEvent } from '../actors/trace-event.ts';
import { cutsAsNetworkFaults } from '../adversary/event-cuts.ts';
import { parseScenario } from '../scenario/index.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { unclosedDecisions } from './unclosed.ts';
import { runScenario } from '../swarm/run-scenario.ts';
import { raftCutAdversary } from './raft-search.ts';
import { drawRun, type StressPlan } from './schedule.ts';

/**
 * What one stress run found: plain data, so it crosses from a pool worker unchanged.
 *
 * @example
 * ```ts
 * if (outcome.violations.length > 0) console.log(outcome.scenario); // the YAML that reproduces it
 * ```
 */
export interface StressOutcome {
  readonly seed: number;
  /**
   * The scenario the run drew: `conclave run` on it replays the run exactly (sim mode). A run of
   * the guided Raft search lists the cuts its adversary laid as `faults.network` entries; laid
   * from the clock, a cut may also drop what the node sent in the same instant before the event
   * (a handler that sends, then emits), so such a scenario replays the run up to there, and may
   * then differ: see `replays`.
   */
  readonly scenario: string;
  /**
   * Set for a failing run whose adversary reacted to its trace (the guided Raft search): whether
   * `scenario`, run alone, violated safety again (checked once the run failed). The run itself is
   * replayed exactly from its seed (`conclave replay --seed`).
   */
  readonly replays?: boolean;
  readonly attempted: number;
  readonly decided: number;
  /** Safety violations, each with its checker and the trace position that proves it. */
  readonly violations: readonly { checker: string; property: string; detail: string; at?: number }[];
  /**
   * Decisions the run left without an end (see `unclosedDecisions`): a vote that closed at its
   * timeout or without consensus has ended; a request or command never acknowledged has not.
   */
  readonly unclosed: number;
  /** Liveness findings (termination after heal): decisions not reached once the faults ended. */
  readonly liveness: readonly { property: string; detail: string }[];
  /** Agents that lied in the run. */
  readonly liars: number;
  /** Whether the liars stayed within the protocol's bound: then a liveness finding is a bug. */
  readonly withinBound: boolean;
  /** The slowest recovery of the run: ms from a leader's (or primary's) crash to its successor; null when none was replaced. */
  readonly recoveryMs: number | null;
  /** Crashes of a leader that no successor followed (it came back first, or the run ended). */
  readonly unreplaced: number;
  /** Agents caught lying (with proof, for PBFT; by the coordinator, for votes). */
  readonly detected: number;
  readonly wallMs: number;
  readonly traceHash: string;
  /** Set when the run itself failed (a bug in the runtime or the driver, not a finding). */
  readonly error?: string;
}

/**
 * What watches a stress run as it goes (a live dashboard, in this thread): its system once
 * created and its trace. Watching changes nothing in the run.
 *
 * @example
 * ```ts
 * await runStressCase({ plan, seed }, { onSystem: (s) => dash.nextRun(s, `seed ${seed}`), onEvent: (e) => dash.observe(e) });
 * ```
 */
export interface StressWatch {
  readonly onSystem?: (system: ActorSystem) => void;
  readonly onEvent?: (event: TraceEvent) => void;
}

/**
 * Draws run `seed`'s scenario from the plan, runs it in sim mode with the protocol's checkers
 * (and, for a run of the guided Raft search, the adversary that cuts nodes as they emit events),
 * and reports. Never throws: a run that fails is an outcome with `error`.
 *
 * @example
 * ```ts
 * const outcome = await runStressCase({ plan, seed: 42 });
 * ```
 */
export async function runStressCase(task: { plan: StressPlan; seed: number }, watch: StressWatch = {}): Promise<StressOutcome> {
  const drawn = drawRun(task.plan, task.seed);
  const { liars, withinBound } = drawn;
  let scenario = drawn.scenario;
  const started = performance.now();
  try {
    const cuts = drawn.cuts && raftCutAdversary(drawn.cuts, task.seed);
    const r = await runScenario(parseScenario(scenario), {
      seed: task.seed,
      mode: task.plan.mode ?? 'sim',
      // Hooked only when something watches: every trace event of every run passes through onEvent.
      ...(cuts || watch.onSystem
        ? {
            onSystem: (s: ActorSystem) => {
              cuts?.attach(s.faults);
              watch.onSystem?.(s);
            },
          }
        : {}),
      ...(cuts || watch.onEvent
        ? {
            onEvent: (e: TraceEvent) => {
              cuts?.observe(e);
              watch.onEvent?.(e);
            },
          }
        : {}),
    });
    let replays: boolean | undefined;
    if (cuts && cuts.laid.length > 0) {
      scenario = drawRun(task.plan, task.seed, cutsAsNetworkFaults(cuts.laid)).scenario;
      if (r.safetyViolations.length > 0) replays = (await runScenario(parseScenario(scenario), { seed: task.seed, mode: 'sim' })).safetyViolations.length > 0;
    }
    return {
      seed: task.seed,
      scenario,
      ...(replays === undefined ? {} : { replays }),
      liars,
      withinBound,
      attempted: r.decisions.attempted,
      decided: r.decisions.decided,
      unclosed: unclosedDecisions(task.plan.protocol, r.decisions),
      violations: r.safetyViolations.map((v) => ({ checker: v.checker, property: v.property, detail: v.detail, ...(v.at !== undefined ? { at: v.at } : {}) })),
      liveness: r.livenessViolations.map((v) => ({ property: v.property, detail: v.detail })),
      ...recoveries([...(r.raft?.failovers ?? []), ...(r.pbft?.failovers ?? [])]),
      detected: r.byzantineDetected.length,
      wallMs: performance.now() - started,
      traceHash: r.traceHash,
    };
  } catch (e) {
    return {
      seed: task.seed,
      scenario,
      liars,
      withinBound,
      attempted: 0,
      decided: 0,
      unclosed: 0,
      violations: [],
      liveness: [],
      recoveryMs: null,
      unreplaced: 0,
      detected: 0,
      wallMs: performance.now() - started,
      traceHash: '',
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
  }
}

/** The longest failover of a run, and how many leader crashes had no successor. */
function recoveries(failovers: readonly { ms: number | null }[]): { recoveryMs: number | null; unreplaced: number } {
  const replaced = failovers.flatMap((f) => (f.ms === null ? [] : [f.ms]));
  return { recoveryMs: replaced.length === 0 ? null : Math.max(...replaced), unreplaced: failovers.length - replaced.length };
}
