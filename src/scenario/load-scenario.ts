/**
 * Scenario files in, normalised {@link Scenario} objects out. Everything wrong with a file is a
 * ScenarioError naming the file, line, column and field.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ScenarioError, ScenarioTooLargeError } from '../errors.ts';
import { clip } from './bounded-text.ts';
import { checkFaultNumbers } from './check-faults.ts';
import { checkProtocolNumbers } from './check-protocol-numbers.ts';
import { DEFAULT_SCENARIO_TEXT } from './default-scenario.ts';
import { estimateFootprint, overBudget } from './footprint.ts';
import { applyConfigLayers } from './apply-config.ts';
import { has, layerName, layerOf, type ConfigLayer } from './config-layers.ts';
import { honestKeys } from './honest-keys.ts';
import { shapeWorkflow, workflowWarnings } from './workflow-shape.ts';
import { parseLegacyConfig, type LegacyConfig } from './legacy-config.ts';
import { parsePath } from './locate-config-error.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { firstIssueError, locate, parseYamlSource, readSourceFile, readSourceFileSync, refuseNonFinite, type YamlSource } from './yaml-source.ts';

/**
 * Options for {@link parseScenario}.
 *
 * @example
 * ```ts
 * const options: ParseScenarioOptions = { configFile: 'consensus.yml' };
 * ```
 */
export interface ParseScenarioOptions {
  /** A legacy configuration already parsed with `parseLegacyConfig`, merged under the scenario. */
  readonly config?: LegacyConfig;
  /**
   * Configuration files to read (synchronously) and merge, in order (later keys win, mappings
   * merge deeply, lists replace), when neither `config` nor `layers` is given.
   */
  readonly configFile?: string | readonly string[];
  /** Configuration layers already read (user file, project file, `--config` files), in order; they come after `config`. */
  readonly layers?: readonly ConfigLayer[];
  /**
   * Accept a scenario whose estimated memory or wall time is over this machine's budget (see
   * `estimateFootprint`); `conclave run --force`. The fixed ranges still apply.
   */
  readonly force?: boolean;
}

/** How errors name the built-in scenario, which has no file. */
const BUILT_IN = '(built-in scenario)';

/**
 * Parses and normalises a scenario from YAML text. `file` (as the user wrote it) is used in error
 * messages and to resolve module paths, which are relative to the file's folder (to the working
 * directory without a file). With `text` undefined, runs {@link DEFAULT_SCENARIO_TEXT}: that is
 * `conclave run --config FILE` without a scenario file.
 *
 * @example
 * ```ts
 * const s = parseScenario('name: x\nagents: [{ role: coder, count: 3 }]\ntask: { question: "A or B?", options: [A, B] }\n');
 * s.task.decisions;            // 1
 * s.consensus.votingTimeoutMs; // 60000
 * parseScenario(undefined, undefined, { configFile: 'consensus.yml' }).name; // 'db-choice'
 * ```
 */
export function parseScenario(text: string | undefined, file?: string, options: ParseScenarioOptions = {}): Scenario {
  const layers: ConfigLayer[] = [
    ...(options.config ? [{ label: 'configuration', file: options.config.file, config: options.config }] : []),
    ...(options.layers ?? []),
  ];
  if (options.config === undefined && options.layers === undefined) {
    for (const f of configFiles(options.configFile))
      layers.push({ label: '--config file', file: f, config: parseLegacyConfig(readSourceFileSync(f, 'configuration'), f) });
  }
  const source = parseYamlSource(text ?? DEFAULT_SCENARIO_TEXT, text === undefined ? (file ?? BUILT_IN) : file, 'scenario');
  // Merged before validation, so a value that came from the configuration is checked like any other.
  let raw: unknown;
  let warnings: string[];
  try {
    const applied = applyConfigLayers(shapeWorkflow(source.value, file), layers);
    // Where a key came from, for messages: the scenario's own, or the last layer that set it.
    const origin = (path: string): string | undefined => {
      if (has(source.value, path)) return undefined;
      const layer = layerOf(layers, CONFIG_PATH[path] ?? path);
      return layer && layerName(layer);
    };
    const honest = honestKeys(applied.raw, origin);
    raw = honest.raw;
    warnings = [...applied.warnings, ...honest.warnings];
  } catch (e) {
    // At its line when the scenario wrote it; a configuration file's value is named with its file.
    throw e instanceof ConfigError && writtenAt(source.value, parsePath(e.path)) ? located(source, e) : e;
  }
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw firstIssueError(source, result.error.issues, raw);
  const scenario = result.data;
  try {
    checkFaultNumbers(
      scenario.faults,
      scenario.agents.reduce((n, g) => n + g.count, 0),
    );
    checkProtocolNumbers(scenario.consensus);
  } catch (e) {
    throw e instanceof ConfigError ? located(source, e) : e;
  }
  refuseNonFinite(source, raw);
  if (!options.force) refuseTooLarge(source, scenario);
  warnings.push(...workflowWarnings(scenario));
  const done = finish(scenario, text === undefined ? undefined : file);
  return warnings.length > 0 ? { ...done, warnings } : done;
}

/** Whether the scenario itself has a value at `path` (keys and list indices). */
function writtenAt(value: unknown, path: readonly (string | number)[]): boolean {
  let node = value;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return false;
    node = (node as Record<string | number, unknown>)[part];
  }
  return path.length > 0;
}

/** Where a configuration file writes what a scenario writes at another path. */
const CONFIG_PATH: Readonly<Record<string, string>> = {
  'consensus.algorithm': 'consensus.default_algorithm',
  'consensus.agent_weights': 'agent_weights',
  'consensus.agent_expertise': 'agent_expertise',
};

/** `configFile` as a list. */
function configFiles(files: string | readonly string[] | undefined): readonly string[] {
  return files === undefined ? [] : typeof files === 'string' ? [files] : files;
}

/** Refuses, with the estimate, a scenario this machine cannot hold or finish within the budget. */
function refuseTooLarge(source: YamlSource, scenario: Scenario): void {
  const f = estimateFootprint(scenario);
  const over = overBudget(f);
  if (!over) return;
  const path = f.dominant === 'agents' ? ['agents'] : scenario.task.decisions !== undefined ? ['task', 'decisions'] : ['task', 'duration'];
  const pos = locate(source, path, false);
  throw new ScenarioTooLargeError(source.file, pos?.line, pos?.col, path.join('.'), f.bytes, f.seconds, f.budgetBytes, f.budgetSeconds, over);
}

/** A ConfigError from reading the faults, as a ScenarioError at the line the value is on. */
function located(source: YamlSource, e: ConfigError): ScenarioError {
  const pos = locate(source, parsePath(e.path), false);
  // ConfigError says "Invalid configuration at "p": expected X, got Y."; keep X and Y.
  const m = /^Invalid configuration at ".*?": expected ([\s\S]*), got ([\s\S]*)\.$/.exec(e.message);
  return new ScenarioError(source.file, pos?.line, pos?.col, clip(e.path), clip(m?.[1] ?? e.message, 600), undefined, {
    gotText: clip(m?.[2] ?? 'a value out of range', 300),
    cause: e,
  });
}

/**
 * Reads, parses and normalises a scenario file, with configuration files (one, or a list merged
 * in order: later keys win, mappings merge deeply, lists replace) and layers merged under it
 * (see `applyConfigLayers`). A missing file is a ScenarioError that says what to pass.
 *
 * @example
 * ```ts
 * const scenario = await loadScenarioFile('scenarios/db-choice.yml', { configFile: ['consensus.yml', 'expert-weights.yml'] });
 * scenario.agents.reduce((n, g) => n + g.count, 0); // 5
 * ```
 */
export async function loadScenarioFile(
  path: string,
  options: { configFile?: string | readonly string[]; layers?: readonly ConfigLayer[]; force?: boolean } = {},
): Promise<Scenario> {
  // One after the other, so that when both files are missing the scenario is always the one reported.
  const text = await readSourceFile(path, 'scenario');
  const layers: ConfigLayer[] = [...(options.layers ?? [])];
  for (const f of configFiles(options.configFile))
    layers.push({ label: '--config file', file: f, config: parseLegacyConfig(await readSourceFile(f, 'configuration'), f) });
  return parseScenario(text, path, { layers, force: options.force });
}

/** The steps that need the file's location or the whole validated scenario. */
function finish(scenario: Scenario, file: string | undefined): Scenario {
  const absolute = file === undefined ? undefined : resolve(file);
  const base = absolute === undefined ? process.cwd() : dirname(absolute);
  const { consensus, task } = scenario;
  return {
    ...scenario,
    ...(absolute !== undefined && { file: absolute }),
    agents: scenario.agents.map((g) => (g.behaviour ? { ...g, behaviour: { ...g.behaviour, module: modulePath(g.behaviour.module, base) } } : g)),
    ...(scenario.oversight && { oversight: { ...scenario.oversight, module: modulePath(scenario.oversight.module, base) } }),
    consensus: {
      ...consensus,
      // Weights adapt towards the ground truth when there is one; otherwise towards the decided outcome.
      weight_reference: consensus.weight_reference ?? (task.truth !== undefined ? 'truth' : 'outcome'),
      ...(consensus.policy && { policy: { ...consensus.policy, module: modulePath(consensus.policy.module, base) } }),
      ...(consensus.implementation && { implementation: { ...consensus.implementation, module: modulePath(consensus.implementation.module, base) } }),
    },
  };
}

/** Absolute, so actor hosts in other workers (with other working directories) import the same file. */
function modulePath(module: string, base: string): string {
  if (module.startsWith('file:')) return fileURLToPath(module);
  return isAbsolute(module) ? module : resolve(base, module);
}
