import type { TraceEvent } from '../actors/trace-event.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { parseScenario } from '../scenario/index.ts';
import { runScenario } from '../swarm/run-scenario.ts';
import type { BenchIteration } from './bench-report.ts';

/**
 * One run of a bench: its scenario (YAML), seed and mode, and which group it belongs to.
 * Plain data, so a pool thread can be handed the whole list.
 *
 * @example
 * ```ts
 * const task: BenchTask = { group: 0, seed: 1, scenario: benchScenario(plan, 'raft', 5, 1), mode: 'sim' };
 * ```
 */
export interface BenchTask {
  /** Index of its (algorithm, agents) among the bench's groups. */
  readonly group: number;
  readonly seed: number;
  readonly scenario: string;
  readonly mode: 'sim' | 'threads';
  /** Threads mode: worker threads of the run. */
  readonly workers?: number;
}

/**
 * Runs one bench task and keeps its figures. Never throws: a run that fails outright is an
 * iteration with `error` (and its scenario, to replay it).
 *
 * @example
 * ```ts
 * const it = await runBenchTask(task);
 * if (it.error) console.error(it.error, it.scenario);
 * ```
 */
export async function runBenchTask(
  task: BenchTask,
  watch: { readonly onSystem?: (s: ActorSystem) => void; readonly onEvent?: (e: TraceEvent) => void } = {},
): Promise<BenchIteration> {
  try {
    const r = await runScenario(parseScenario(task.scenario), {
      seed: task.seed,
      mode: task.mode,
      ...(task.workers ? { workers: task.workers } : {}),
      ...(watch.onSystem ? { onSystem: watch.onSystem } : {}),
      ...(watch.onEvent ? { onEvent: watch.onEvent } : {}),
    });
    const safetyViolations = r.safetyViolations.map((v) => ({ checker: v.checker, property: v.property, detail: v.detail }));
    return {
      seed: task.seed,
      attempted: r.decisions.attempted,
      decided: r.decisions.decided,
      noConsensus: r.decisions.noConsensus,
      timedOut: r.decisions.timedOut,
      latencyMs: { ...r.latencyMs },
      wallMs: r.wallMs,
      virtualMs: r.virtualMs ?? null,
      messagesSent: r.messages.sent,
      quality: r.quality,
      safetyViolations,
      liveness: r.livenessViolations.map((v) => ({ property: v.property, detail: v.detail })),
      topology: r.topology,
      traceHash: r.traceHash,
      ...(safetyViolations.length > 0 ? { scenario: task.scenario } : {}),
      // A run that ended with its report but not its workload (a crash it could not recover
      // from, a coordinator that failed) failed all the same.
      ...(r.status === 'failed'
        ? { scenario: task.scenario, error: `run failed: ${r.failure?.message ?? `${r.decisions.aborted} decisions lost in a crash`}` }
        : {}),
    };
  } catch (e) {
    return {
      seed: task.seed,
      attempted: 0,
      decided: 0,
      noConsensus: 0,
      timedOut: 0,
      latencyMs: { p50: 0, p99: 0 },
      wallMs: 0,
      virtualMs: null,
      messagesSent: 0,
      quality: null,
      safetyViolations: [],
      liveness: [],
      topology: '',
      traceHash: '',
      scenario: task.scenario,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
  }
}
