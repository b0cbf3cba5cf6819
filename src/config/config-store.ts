/**
 * `conclave config get | set | merge | show`: dotted keys read from and written to the project
 * or user file. Every key written is checked against what the runtime knows first; a file is
 * written only when the whole result is valid.
 */
import { parse as parseYaml, parseDocument, stringify } from 'yaml';
import { ConfigError } from '../errors.ts';
import {
  checkConfigValues,
  deepMerge,
  getPath,
  has,
  isMapping,
  layerName,
  layerOf,
  leafPaths,
  loadScenarioFile,
  mergeConfigLayers,
  parseLegacyConfig,
  parseScenario,
  readSourceFileSync,
  refuseUnknownConfigKeys,
  unknownKey,
  type ConfigLayer,
} from '../scenario/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import { unusedSettings } from '../swarm/client-run.ts';
import {
  configFileLayers,
  processPlaces,
  projectConfigPath,
  readConfigText,
  standardLayers,
  userConfigPath,
  writeConfigText,
  type ConfigPlaces,
} from './config-files.ts';

/**
 * The file `config set`/`merge` writes: the project file, or with `user` the user file.
 *
 * @example
 * ```ts
 * targetFile({ user: true }, places); // '$CONCLAVE_HOME/config.yml'
 * ```
 */
export function targetFile(o: { readonly user?: boolean }, places: ConfigPlaces = processPlaces()): string {
  return o.user ? userConfigPath(places) : projectConfigPath(places);
}

/**
 * A command-line value read as a YAML scalar: `true`/`false`, numbers, anything else a string
 * (`'[a, b]'` is a list).
 *
 * @example
 * ```ts
 * parseValue('true'); // true
 * parseValue('5000'); // 5000
 * parseValue('byzantine_tolerant'); // 'byzantine_tolerant'
 * ```
 */
export function parseValue(text: string): unknown {
  try {
    const v: unknown = parseYaml(text);
    return v === null || v === undefined ? text : v;
  } catch {
    return text;
  }
}

/**
 * Sets `key` (dotted) to `value` in `file`, keeping the file's comments, and returns the file's
 * new text. An unknown key, or a value the key does not take, is a ConfigError / ScenarioError
 * and the file is left as it was.
 *
 * @example
 * ```ts
 * setConfigValue('conclave.config.yml', 'consensus.default_algorithm', 'byzantine_tolerant');
 * ```
 */
export function setConfigValue(file: string, key: string, value: unknown): string {
  const unknown = unknownKey(key);
  if (unknown !== undefined) {
    throw new ConfigError(
      unknown.path,
      `a setting Conclave knows: the nearest is "${unknown.nearest}" (conclave config show --resolved lists what a run uses); ${file} was not written`,
      value,
    );
  }
  const text = readConfigText(file);
  const doc = parseDocument(text.trim() === '' ? '{}' : text);
  if (!isMapping(doc.toJS())) throw new ConfigError(key, `a mapping at the top of ${file}; ${file} was not written`, doc.toJS());
  doc.setIn(key.split('.'), value);
  const next = doc.toString();
  checkConfigValues(parseLegacyConfig(next, file), file);
  writeConfigText(file, next);
  return next;
}

/**
 * Merges `source` deeply into `file` (mappings merge, lists and scalars from `source` replace),
 * after checking every key of `source` is one the runtime knows and every value is valid.
 *
 * @example
 * ```ts
 * mergeConfigFile('conclave.config.yml', 'expert-weights.yml');
 * ```
 */
export function mergeConfigFile(file: string, source: string): string {
  const incoming = parseLegacyConfig(readSourceFileSync(source, 'configuration'), source);
  const { file: _f, ...content } = incoming;
  refuseUnknownConfigKeys(content, file, source);
  checkConfigValues(incoming, source);
  const current = readConfigText(file);
  const base: unknown = current.trim() === '' ? {} : parseYaml(current);
  const next = stringify(deepMerge(isMapping(base) ? base : {}, content));
  checkConfigValues(parseLegacyConfig(next, file), file);
  writeConfigText(file, next);
  return next;
}

/**
 * The value a run would take for `key` from the configuration files (user, then project), or
 * with `user` from the user file alone; undefined when none sets it.
 *
 * @example
 * ```ts
 * getConfigValue('consensus.default_algorithm', {}, places); // 'byzantine_tolerant'
 * ```
 */
export function getConfigValue(key: string, o: { readonly user?: boolean }, places: ConfigPlaces = processPlaces()): unknown {
  const unknown = unknownKey(key);
  if (unknown !== undefined) throw new ConfigError(unknown.path, `a setting Conclave knows: the nearest is "${unknown.nearest}"`, key);
  const layers = standardLayers(places).filter((l) => !o.user || l.label === 'user file');
  return getPath(mergeConfigLayers(layers), key);
}

/**
 * One setting a run will use, and where it comes from.
 *
 * @example
 * ```ts
 * const e: ResolvedEntry = { key: 'consensus.algorithm', value: 'raft', source: 'the project file /p/conclave.config.yml' };
 * ```
 */
export interface ResolvedEntry {
  readonly key: string;
  readonly value: unknown;
  /** `default`, `scenario FILE`, or the layer (`the user file F`, `the project file F`, `the --config file F`). */
  readonly source: string;
}

/**
 * What a run of `scenario` (the built-in one without it) will use: every consensus setting of
 * the resolved scenario with its source (default, user file, project file, --config file,
 * scenario), and the warnings the run will list.
 *
 * @example
 * ```ts
 * const { entries, warnings } = await resolvedConfig({ configFiles: ['a.yml'] });
 * ```
 */
export async function resolvedConfig(
  o: { readonly configFiles?: readonly string[]; readonly scenario?: string },
  places: ConfigPlaces = processPlaces(),
): Promise<{ entries: ResolvedEntry[]; warnings: string[]; scenario: Scenario }> {
  const layers = [...standardLayers(places), ...configFileLayers(o.configFiles ?? [], places)];
  const scenario = o.scenario ? await loadScenarioFile(o.scenario, { layers }) : parseScenario(undefined, undefined, { layers });
  const raw: unknown = o.scenario ? parseYaml(readSourceFileSync(o.scenario, 'scenario')) : {};
  const { votingTimeoutMs, ...consensus } = scenario.consensus;
  const shown = { ...consensus, voting_timeout: `${votingTimeoutMs}ms` };
  const entries = leafPaths({ consensus: shown }).map(
    ([key, value]): ResolvedEntry => ({ key, value, source: sourceOf(key, consensus.algorithm, raw, layers, o.scenario) }),
  );
  // What the protocol's driver will name too (Raft, PBFT and gossip do not vote).
  const protocol = DRIVER_NAMES[consensus.algorithm];
  const driver = protocol === undefined ? [] : unusedSettings(scenario, protocol, { reads: protocol === 'raft' });
  return { entries, warnings: [...new Set([...(scenario.warnings ?? []), ...driver])], scenario };
}

/** The names the client-driven protocols' drivers give themselves in warnings. */
const DRIVER_NAMES: Readonly<Record<string, string>> = { raft: 'raft', byzantine_tolerant: 'PBFT', pbft: 'PBFT', gossip: 'gossip' };

/** Where a resolved consensus setting came from. */
function sourceOf(key: string, algorithm: string, raw: unknown, layers: readonly ConfigLayer[], scenarioFile: string | undefined): string {
  if (has(raw, key)) return `scenario ${scenarioFile}`;
  for (const candidate of configPaths(key, algorithm)) {
    const layer = layerOf(layers, candidate);
    if (layer) return layerName(layer).replace(/^the /, '');
  }
  return 'default';
}

/** The paths in a configuration file that feed a scenario's consensus key. */
function configPaths(key: string, algorithm: string): string[] {
  const rest = key.replace(/^consensus\./, '');
  const [head] = rest.split('.');
  if (key === 'consensus.algorithm') return ['consensus.default_algorithm'];
  if (head === 'agent_weights' || head === 'agent_expertise') return [rest];
  if (['threshold', 'min_participants', 'expert_weight', 'regular_weight'].includes(rest)) return [`consensus.algorithms.${algorithm}.${rest}`];
  if (rest === 'malicious_detection') return [key, `consensus.algorithms.${algorithm}.byzantine_detection`];
  return [key];
}
