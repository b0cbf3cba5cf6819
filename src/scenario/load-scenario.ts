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
import { applyLegacyConfig, parseLegacyConfig, type LegacyConfig } from './legacy-config.ts';
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
  /** A legacy configuration file to read (synchronously) and merge, when `config` is not given. */
  readonly configFile?: string;
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
  const config = options.config
    ?? (options.configFile === undefined ? undefined : parseLegacyConfig(readSourceFileSync(options.configFile, 'configuration'), options.configFile));
  const source = parseYamlSource(text ?? DEFAULT_SCENARIO_TEXT, text === undefined ? file ?? BUILT_IN : file, 'scenario');
  // Merged before validation, so a value that came from the configuration is checked like any other.
  const raw = config ? applyLegacyConfig(source.value, config) : source.value;
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw firstIssueError(source, result.error.issues, raw);
  const scenario = result.data;
  try {
    checkFaultNumbers(scenario.faults, scenario.agents.reduce((n, g) => n + g.count, 0));
    checkProtocolNumbers(scenario.consensus);
  } catch (e) {
    throw e instanceof ConfigError ? located(source, e) : e;
  }
  refuseNonFinite(source, raw);
  if (!options.force) refuseTooLarge(source, scenario);
  return finish(scenario, text === undefined ? undefined : file);
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
  return new ScenarioError(source.file, pos?.line, pos?.col, clip(e.path), clip(m?.[1] ?? e.message, 600), undefined, { gotText: clip(m?.[2] ?? 'a value out of range', 300), cause: e });
}

/**
 * Reads, parses and normalises a scenario file, with an optional legacy configuration file merged
 * under it (see `applyLegacyConfig`). A missing file is a ScenarioError that says what to pass.
 *
 * @example
 * ```ts
 * const scenario = await loadScenarioFile('scenarios/db-choice.yml', { configFile: 'consensus.yml' });
 * scenario.agents.reduce((n, g) => n + g.count, 0); // 5
 * ```
 */
export async function loadScenarioFile(path: string, options: { configFile?: string; force?: boolean } = {}): Promise<Scenario> {
  // One after the other, so that when both files are missing the scenario is always the one reported.
  const text = await readSourceFile(path, 'scenario');
  const config = options.configFile === undefined ? undefined : parseLegacyConfig(await readSourceFile(options.configFile, 'configuration'), options.configFile);
  return parseScenario(text, path, { config, force: options.force });
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
