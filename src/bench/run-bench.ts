import { availableParallelism } from 'node:os';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { BenchAlgorithm } from './bench-algorithms.ts';
import { liarsAmong } from './bench-faults.ts';
import { runOnSharedPool, type TaskRunner } from '../sweep/shared-pool.ts';
import { runBenchTask, type BenchTask } from './bench-iteration.ts';
import { benchMachine } from './bench-machine.ts';
import type { BenchPlan } from './bench-plan.ts';
import { BENCH_REPORT_VERSION, benchGroup, type BenchGroup, type BenchGroupBase, type BenchIteration, type BenchReport } from './bench-report.ts';
import { benchScenario, benchWeights, notApplicable } from './bench-scenario.ts';
import { faultTolerance, withinTolerance } from './fault-tolerance.ts';
import { moduleUrl } from '../module-url.ts';

/**
 * How a bench is run and described, beside its plan.
 *
 * @example
 * ```ts
 * const o: RunBenchOptions = { command: 'conclave bench --iterations 2', faultsSpec: 'crash:1', onProgress: (done, total) => undefined };
 * ```
 */
export interface RunBenchOptions {
  /** The command line, for the report. */
  readonly command?: string;
  /** `--faults` as typed, for the report. */
  readonly faultsSpec?: string;
  /** Called as runs finish. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Sim mode: `false` runs every iteration on the pool (this thread stays free); by default this
   * thread takes part, as in `conclave stress`.
   */
  readonly mainThread?: boolean;
  /**
   * Watches each run as it goes (a live dashboard): the runs then go one at a time on this
   * thread, whatever the mode, and their figures include the watcher's cost.
   */
  readonly watch?: (task: BenchTask) => BenchWatch;
}

/**
 * What watches a bench run (see RunBenchOptions.watch): its system once created and its trace.
 *
 * @example
 * ```ts
 * const watch = (task: BenchTask) => ({ onSystem: (s) => dash.nextRun(s, task.algorithm), onEvent: (e) => dash.observe(e) });
 * ```
 */
export interface BenchWatch {
  readonly onSystem?: (system: ActorSystem) => void;
  readonly onEvent?: (event: TraceEvent) => void;
}

/**
 * Runs a bench: for every algorithm and size, `plan.iterations` independent runs (seed
 * `plan.seed + i`), and folds them into a {@link BenchReport}. In sim mode the runs spread over
 * this thread and a piscina pool of `workers - 1` more (one thread per core by default), each
 * taking the next run from a shared counter when it is free; every run depends on its seed
 * alone, so where it ran changes nothing in its figures but its wall-clock time. In threads mode
 * the runs go one after another, each on its own worker threads. Sizes that do not apply (PBFT
 * below 4 replicas, ...) are reported with the reason, not run.
 *
 * @example
 * ```ts
 * const report = await runBench({ algorithms: ['raft'], agents: [3, 5], iterations: 2, mode: 'sim', workload: { decisions: 50 }, inFlight: 1, topology: 'mesh', faults: NO_FAULTS, seed: 1 });
 * ```
 */
export async function runBench(plan: BenchPlan, o: RunBenchOptions = {}): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = benchMachine();
  const started = performance.now();
  const sizes = [...new Set(plan.agents)].sort((a, b) => a - b);
  const groups = plan.algorithms.flatMap((algorithm) => sizes.map((n) => ({ base: groupBase(plan, algorithm, n), reason: notApplicable(plan, algorithm, n) })));
  // Iteration by iteration across the groups, not group by group: the first runs of a thread
  // are slower (the JIT is still cold), and this way every group has its share of them.
  const tasks: BenchTask[] = [];
  for (let i = 0; i < plan.iterations; i++) {
    groups.forEach(({ base, reason }, group) => {
      if (reason !== undefined) return;
      const seed = plan.seed + i;
      tasks.push({
        group,
        seed,
        scenario: benchScenario(plan, base.algorithm, base.agents, seed),
        mode: plan.mode,
        ...(plan.mode === 'threads' && plan.workers ? { workers: plan.workers } : {}),
      });
    });
  }
  // Watched (a live dashboard in this thread), the runs go one at a time here in either mode.
  const threads = plan.mode === 'sim' && o.watch === undefined ? Math.max(1, Math.min(plan.workers ?? availableParallelism(), tasks.length)) : 1;
  const iterations = plan.mode === 'sim' && o.watch === undefined ? await runParallel(tasks, threads, o) : await runSerial(tasks, o);
  const clock = plan.mode === 'sim' ? 'virtual' : 'wall';
  const results: BenchGroup[] = groups.map(({ base, reason }, g) => {
    if (reason !== undefined) return { ...base, status: 'not_applicable', reason };
    return benchGroup(
      base,
      tasks.flatMap((t, i) => (t.group === g ? [iterations[i]] : [])),
      clock,
    );
  });
  return {
    version: BENCH_REPORT_VERSION,
    kind: 'conclave-bench',
    meta: {
      date,
      command: o.command ?? 'conclave bench',
      mode: plan.mode,
      seed: plan.seed,
      iterations: plan.iterations,
      algorithms: plan.algorithms,
      agents: sizes,
      workload: { ...plan.workload, inFlight: plan.inFlight, topology: plan.topology },
      faults: o.faultsSpec === undefined ? null : { spec: o.faultsSpec, plan: plan.faults },
      workers: plan.mode === 'sim' ? threads : (plan.workers ?? availableParallelism()),
      clock,
      machine,
      wallMs: Math.round(performance.now() - started),
    },
    results,
  };
}

function groupBase(plan: BenchPlan, algorithm: BenchAlgorithm, n: number): BenchGroupBase {
  const tolerance = faultTolerance(algorithm, n, benchWeights(n));
  const load = { liars: liarsAmong(plan.faults, n), crashes: plan.faults.crashes };
  return { algorithm, agents: n, tolerance, load: { ...load, withinTolerance: withinTolerance(algorithm, tolerance, load) } };
}

/** Threads mode: one run at a time (each already spreads over the worker threads). */
async function runSerial(tasks: readonly BenchTask[], o: RunBenchOptions): Promise<BenchIteration[]> {
  const results: BenchIteration[] = [];
  for (const task of tasks) {
    results.push(await runBenchTask(task, o.watch?.(task)));
    o.onProgress?.(results.length, tasks.length);
  }
  return results;
}

/** What pool threads run: one bench iteration. */
const RUNNER: TaskRunner = { module: moduleUrl('./bench-iteration.ts', import.meta.url).href, export: 'runBenchTask' };

/** Sim mode: iterations on this thread and a pool, each taking the next from a shared counter. */
function runParallel(tasks: readonly BenchTask[], threads: number, o: RunBenchOptions): Promise<BenchIteration[]> {
  return runOnSharedPool(tasks, { threads, run: runBenchTask, runner: RUNNER, mainThread: o.mainThread, onProgress: o.onProgress });
}
