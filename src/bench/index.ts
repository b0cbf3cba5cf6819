/**
 * `conclave bench`: decisions per minute across algorithms and cluster sizes, from independent
 * seeded runs (in parallel on a piscina pool in sim mode), as a terminal table, a JSON report
 * and a self-contained HTML page.
 */
export { runBench } from './run-bench.ts';
export { runBenchTask } from './bench-iteration.ts';
export { benchGroup, mean, median, sampleSd, BENCH_REPORT_VERSION } from './bench-report.ts';
export { benchTable } from './bench-table.ts';
export { benchHtml } from './bench-html.ts';
export { benchMarkdown } from './bench-markdown.ts';
export { benchScenario, benchAgents, benchWeights, notApplicable } from './bench-scenario.ts';
export { parseBenchFaults, faultsYaml, liarsAmong, NO_FAULTS } from './bench-faults.ts';
export { faultTolerance, withinTolerance } from './fault-tolerance.ts';
export { BENCH_ALGORITHMS, DEFAULT_BENCH_ALGORITHMS, benchAlgorithm, algorithmName, algorithmFamily } from './bench-algorithms.ts';
export { BENCH_TOPOLOGIES, DEFAULT_BENCH_DECISIONS } from './bench-plan.ts';
export { benchMachine } from './bench-machine.ts';
export { progressBar } from './progress.ts';
export type { RunBenchOptions } from './run-bench.ts';
export type { BenchTask } from './bench-iteration.ts';
export type {
  BenchReport,
  BenchMeta,
  BenchMachine,
  BenchGroup,
  BenchGroupBase,
  MeasuredGroup,
  NotApplicableGroup,
  FailedGroup,
  BenchIteration,
} from './bench-report.ts';
export type { BenchFaults } from './bench-faults.ts';
export type { FaultTolerance } from './fault-tolerance.ts';
export type { BenchAlgorithm } from './bench-algorithms.ts';
export type { BenchPlan, BenchTopology } from './bench-plan.ts';
