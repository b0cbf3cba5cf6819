/** The ReasoningBank (issue 19): cross-session learning of which configuration to run a task class with. */
export { ReasoningBank, checkOutcome, type ReasoningBankOptions } from './reasoning-bank.ts';
export { GreedyBank } from './greedy-bank.ts';
export { DEFAULT_UTILITY, utility, type UtilityWeights } from './utility.ts';
export { featureSimilarity } from './similarity.ts';
export {
  PATTERN_PREFIX,
  patternKey,
  armKey,
  describeArm,
  readPatterns,
  readPattern,
  readArms,
  readTrajectories,
  deletePattern,
  hasBankTables,
  type ArmStats,
  type PatternRow,
  type TrajectoryRow,
  type Figures,
} from './pattern-store.ts';
export {
  BANK_FORMAT,
  BANK_FORMAT_VERSION,
  exportBank,
  importBank,
  parseBankExport,
  type BankExport,
  type ExportedPattern,
  type ExportedArm,
} from './bank-exchange.ts';
export { BankFileError } from './bank-file-error.ts';
export { queryFeatures, queryPatterns, type QueryHit } from './bank-query.ts';
export { SYNTHETIC_TASK_CLASSES, syntheticCandidates, syntheticEvaluator, syntheticOutcome, type Evaluator, type SyntheticPhase } from './synthetic-tasks.ts';
export { computeOracle, type Oracle, type ArmEstimate } from './oracle.ts';
export { runLearningExperiment, type LearningExperiment, type LearningExperimentOptions } from './learning-experiment.ts';
export { sessionFigures, type SessionFigures } from './learning-figures.ts';
export { STRATEGIES, FIXED_ARM, planObjectives, runSession, type Strategy, type SessionSpec, type ObjectiveLog } from './learning-session.ts';
export { learningVerdict, meetsOracle, SUCCESS_SHARE, TIME_RATIO, type LearningCheck } from './learning-verdict.ts';
export { learningTable, learningHtml } from './learning-report.ts';
