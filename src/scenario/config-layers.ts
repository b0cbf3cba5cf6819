/**
 * Configuration files in layers: the user file, the project file, each `--config` file, in that
 * order, merged deeply (later keys win, lists replace), and what each supplies to a scenario.
 */
import type { LegacyConfig } from './legacy-config.ts';
import { deepMerge, isMapping } from './deep-merge.ts';

/**
 * One configuration file as a layer: a label saying where it sits (`user file`, `project file`,
 * `--config file`), the file, and its validated content.
 *
 * @example
 * ```ts
 * const layer: ConfigLayer = { label: '--config file', file: 'a.yml', config: parseLegacyConfig(text, 'a.yml') };
 * ```
 */
export interface ConfigLayer {
  readonly label: string;
  readonly file?: string;
  readonly config: LegacyConfig;
}

/**
 * The layers merged in order: later keys win, mappings merge deeply, lists replace. The `file`
 * key each parsed configuration carries is not part of the result.
 *
 * @example
 * ```ts
 * mergeConfigLayers([{ label: 'a', config: { consensus: { voting_timeout: '5s' } } }, { label: 'b', config: { consensus: { default_algorithm: 'raft' } } }]);
 * // { consensus: { voting_timeout: '5s', default_algorithm: 'raft' } }
 * ```
 */
export function mergeConfigLayers(layers: readonly ConfigLayer[]): LegacyConfig {
  let merged: unknown = {};
  for (const { config } of layers) {
    const { file: _file, ...content } = config;
    merged = deepMerge(merged, content);
  }
  return merged as LegacyConfig;
}

/**
 * The last layer that sets `path` (dotted), i.e. the one whose value a run uses.
 *
 * @example
 * ```ts
 * layerOf(layers, 'consensus.voting_timeout')?.file; // 'b.yml'
 * ```
 */
export function layerOf(layers: readonly ConfigLayer[], path: string): ConfigLayer | undefined {
  for (let i = layers.length - 1; i >= 0; i--) if (has(layers[i].config, path)) return layers[i];
  return undefined;
}

/**
 * How a layer is named in messages: `the --config file a.yml`.
 *
 * @example
 * ```ts
 * layerName({ label: 'project file', file: 'conclave.config.yml', config: {} }); // 'the project file conclave.config.yml'
 * ```
 */
export function layerName(layer: ConfigLayer): string {
  return `the ${layer.label}${layer.file ? ` ${layer.file}` : ''}`;
}

/**
 * Whether a mapping has a value at a dotted path.
 *
 * @example
 * ```ts
 * has({ consensus: { raft: { heartbeat: 50 } } }, 'consensus.raft.heartbeat'); // true
 * ```
 */
export function has(value: unknown, path: string): boolean {
  let node = value;
  for (const part of path.split('.')) {
    if (!isMapping(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
  }
  return true;
}

/**
 * The value at a dotted path, or undefined.
 *
 * @example
 * ```ts
 * getPath({ consensus: { raft: { heartbeat: 50 } } }, 'consensus.raft.heartbeat'); // 50
 * ```
 */
export function getPath(value: unknown, path: string): unknown {
  let node = value;
  for (const part of path.split('.')) {
    if (!isMapping(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}
