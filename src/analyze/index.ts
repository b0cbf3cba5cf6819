/** `conclave analyze` and `conclave optimize`: reading bench files, comparing them, flagging noise, recommending. */
export { readBenchFile, parseBenchFile, type BenchFile } from './read-bench-file.ts';
export { rowBetter, failedChecks, type MicroResults, type MicroRow } from './micro-results.ts';
export { analyzeBench, analyzeMicro, safetyFindings, type BenchAnalysis, type MicroAnalysis, type MicroRowAnalysis, type SafetyFinding } from './analysis.ts';
export { compareBenchReports, compareMicroResults, verdict, type Comparison, type ComparedGroup, type MetricChange, type Verdict } from './compare.ts';
export {
  noiseFindings,
  groupSpreads,
  spread,
  withinNoise,
  NOISE_CV_THRESHOLD,
  type NoiseFinding,
  type NoiseMetric,
  type Spread,
  type GroupSpreads,
} from './noise.ts';
export { rankBySize, clockThroughput, type SizeRanking } from './size-ranking.ts';
export { recommend, optimizeTarget, OPTIMIZE_TARGETS, type OptimizeTarget, type Recommendation, type BenchSource } from './recommend.ts';
export { measuredSettings, defaultSettings, scenarioFor, type Parameter } from './recommended-settings.ts';
export { propertyPick, benchCommands, type PropertyPick } from './property-picks.ts';
export { taskTypeRule, TASK_TYPE_NAMES, type TaskTypeRule } from './task-types.ts';
