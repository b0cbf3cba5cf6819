/**
 * Scenario files: load, validate and normalise what a run is about (agents, topology, consensus,
 * task, workflow, faults, schedule).
 */
export { loadScenarioFile, parseScenario } from './load-scenario.ts';
export { withScenarioLine } from './locate-config-error.ts';
export { parseLegacyConfig, applyLegacyConfig, legacyConfigSchema } from './legacy-config.ts';
export { DEFAULT_SCENARIO_TEXT } from './default-scenario.ts';
export { scenarioSchema, RISK_LEVELS } from './schema.ts';
export { parseDuration, tryParseDuration, DURATION_FORMS } from './duration.ts';
export { didYouMean, refuseUnknownKeys } from './did-you-mean.ts';
export { estimateFootprint, memoryBudget, MEMORY_SHARE, MAX_ESTIMATED_SECONDS } from './footprint.ts';
export { SCENARIO_LIMITS } from './bounds.ts';
export { readSourceFileSync } from './yaml-source.ts';
export { applyConfigLayers, checkConfigValues } from './apply-config.ts';
export { mergeConfigLayers, layerOf, layerName, getPath, has } from './config-layers.ts';
export { deepMerge, isMapping, leafPaths } from './deep-merge.ts';
export { unknownKey, unknownKeys, refuseUnknownConfigKeys, knownPaths } from './config-keys.ts';
export { ENTERPRISE_KEYS, enterpriseSections } from './enterprise-keys.ts';
export type { ConfigLayer } from './config-layers.ts';

export type { ParseScenarioOptions } from './load-scenario.ts';
export type { Footprint } from './footprint.ts';
export type { LegacyConfig, LegacyAlgorithmParams } from './legacy-config.ts';
export type {
  Scenario,
  AgentGroup,
  ConsensusConfig,
  TaskConfig,
  TaskTrait,
  StageConfig,
  ScheduleEntry,
  ModuleRef,
} from './schema.ts';
