/**
 * Configuration layers applied under a raw scenario, saying what is not used. The part
 * `applyLegacyConfig` does (algorithm, its parameters, voting timeout, weights) plus the keys the
 * consensus configuration users already have holds beyond that: the Raft section, malicious
 * detection, the Byzantine-tolerant algorithm's parameters, and the enterprise sections (passed
 * through untouched).
 */
import { ConfigError } from '../errors.ts';
import { applyLegacyConfig, type LegacyAlgorithmParams, type LegacyConfig } from './legacy-config.ts';
import { unknownKey, unknownKeys } from './config-keys.ts';
import { layerName, layerOf, mergeConfigLayers, type ConfigLayer } from './config-layers.ts';
import { deepMerge, isMapping } from './deep-merge.ts';
import { ENTERPRISE_KEYS } from './enterprise-keys.ts';

/** The names the PBFT driver runs under. */
export const PBFT_NAMES: readonly string[] = ['byzantine_tolerant', 'pbft'];

/** The quorum PBFT commits with, as the share users write for it (2f + 1 of 3f + 1 is just over 2/3). */
const PBFT_SHARES = [0.66, 0.67];

/**
 * Checks the values a configuration file holds that the scenario schema cannot (it never sees
 * them): a threshold for the Byzantine-tolerant algorithm other than PBFT's own quorum.
 *
 * @example
 * ```ts
 * checkConfigValues({ consensus: { algorithms: { byzantine_tolerant: { threshold: 0.9 } } } }, 'c.yml'); // throws
 * ```
 */
export function checkConfigValues(config: LegacyConfig, file: string | undefined): void {
  for (const name of PBFT_NAMES) {
    const t = config.consensus?.algorithms?.[name]?.threshold;
    if (t === undefined || (t >= PBFT_SHARES[0] && t <= PBFT_SHARES[1])) continue;
    throw new ConfigError(
      `consensus.algorithms.${name}.threshold`,
      `0.67 or no threshold${file ? ` in ${file}` : ''}: PBFT (${name}) commits with a quorum of 2f + 1 of n = 3f + 1 replicas, which a threshold cannot change; for a higher bar on a vote write consensus.algorithm: byzantine_supermajority (more than 2/3 of the whole electorate) or supermajority with consensus.threshold`,
      t,
    );
  }
}

/**
 * The raw scenario with the layers applied under it (the scenario's own values win), and the
 * warnings a run will list: keys no part of Conclave reads, and settings that are accepted but
 * do not change the run (each named with its file and what to write instead).
 *
 * @example
 * ```ts
 * const { raw, warnings } = applyConfigLayers(parsedYaml, [{ label: '--config file', file: 'c.yml', config }]);
 * ```
 */
export function applyConfigLayers(raw: unknown, layers: readonly ConfigLayer[]): { raw: unknown; warnings: string[] } {
  if (layers.length === 0) return { raw, warnings: [] };
  const warnings: string[] = [];
  for (const layer of layers) {
    checkConfigValues(layer.config, layer.file);
    for (const u of unknownKeys(withoutFile(layer.config))) {
      warnings.push(`${u.path} (${layerName(layer)}): not a setting Conclave knows, so it is not used; the nearest known key is ${u.nearest}`);
    }
  }
  const merged = mergeConfigLayers(layers);
  const scenario = isMapping(raw) && isMapping(raw.consensus) ? raw.consensus : {};
  const algorithm = typeof scenario.algorithm === 'string' ? scenario.algorithm : merged.consensus?.default_algorithm;
  const pbft = typeof algorithm === 'string' && PBFT_NAMES.includes(algorithm);
  const algorithms: Record<string, LegacyAlgorithmParams> = {};
  let detection: boolean | undefined;
  for (const [name, params] of Object.entries(merged.consensus?.algorithms ?? {})) {
    const { byzantine_detection, ...rest } = params;
    if (name === algorithm && byzantine_detection !== undefined) detection = byzantine_detection;
    if (name === algorithm && pbft) {
      // PBFT takes no vote threshold or participant count: they are checked here, not passed on.
      const named = (key: string) => {
        const layer = layerOf(layers, `consensus.algorithms.${name}.${key}`);
        return `consensus.algorithms.${name}.${key}${layer ? ` (${layerName(layer)})` : ''}`;
      };
      if (rest.threshold !== undefined)
        warnings.push(
          `${named('threshold')}: ${rest.threshold} is PBFT's own quorum (2f + 1 of n = 3f + 1 replicas, just over 2/3), which it always uses: the key changes nothing and can go`,
        );
      if (rest.min_participants !== undefined)
        checkReplicas(
          raw,
          rest.min_participants,
          `consensus.algorithms.${name}.min_participants`,
          layerOf(layers, `consensus.algorithms.${name}.min_participants`),
        );
      for (const key of Object.keys(rest))
        if (key !== 'threshold' && key !== 'min_participants') warnings.push(`${named(key)}: PBFT does not vote, so it is not used`);
      continue;
    }
    algorithms[name] = rest;
  }
  const legacy: LegacyConfig = { ...merged, consensus: { ...merged.consensus, algorithms } };
  const applied = applyLegacyConfig(raw, legacy);
  if (!isMapping(applied) || !isMapping(applied.consensus)) return { raw: applied, warnings };
  const consensus: Record<string, unknown> = { ...applied.consensus };
  const from = merged.consensus ?? {};
  // Only the Raft keys the runtime knows: the others were named above, and must not fail the run.
  if (isMapping(from.raft))
    consensus.raft = deepMerge(Object.fromEntries(Object.entries(from.raft).filter(([k]) => unknownKey(`consensus.raft.${k}`) === undefined)), consensus.raft);
  const malicious = from.malicious_detection ?? detection;
  if (malicious !== undefined && consensus.malicious_detection === undefined) consensus.malicious_detection = malicious;
  for (const key of ENTERPRISE_KEYS) if (from[key] !== undefined) consensus[key] = deepMerge(from[key], consensus[key]);
  // Weights matter only to a weighted vote (honest-keys.ts names them otherwise).
  if (algorithm === 'weighted_voting' || algorithm === 'adaptive') warnings.push(...unmatchedRoles(raw, merged, layers));
  return { raw: { ...applied, consensus }, warnings };
}

/** Roles in the configuration's weights that no agent of the scenario has: their weight never counts. */
function unmatchedRoles(raw: unknown, merged: LegacyConfig, layers: readonly ConfigLayer[]): string[] {
  if (!isMapping(raw) || !Array.isArray(raw.agents)) return [];
  const roles = new Set(raw.agents.map((g) => (isMapping(g) ? g.role : undefined)).filter((r): r is string => typeof r === 'string'));
  const out: string[] = [];
  for (const section of ['agent_weights', 'agent_expertise'] as const) {
    for (const role of Object.keys(merged[section] ?? {})) {
      if (roles.has(role) || (/_\d{3,}$/.test(role) && roles.has(role.replace(/_\d{3,}$/, '')))) continue;
      const layer = layerOf(layers, `${section}.${role}`);
      out.push(
        `${section}.${role}${layer ? ` (${layerName(layer)})` : ''}: no agent has the role ${role} (roles: ${[...roles].join(', ')}), so it is not used`,
      );
    }
  }
  return out;
}

/** PBFT's `min_participants` honoured as a check: the scenario must have at least that many replicas. */
function checkReplicas(raw: unknown, min: number, path: string, layer: ConfigLayer | undefined): void {
  if (!isMapping(raw) || !Array.isArray(raw.agents)) return;
  let n = 0;
  for (const g of raw.agents) {
    const count = isMapping(g) ? (g.count ?? 1) : 1;
    if (typeof count !== 'number') return;
    n += count;
  }
  if (n < min)
    throw new ConfigError(
      path,
      `at most as many replicas as the scenario has agents (${n})${layer ? `, in ${layerName(layer)}` : ''}: add agents, or lower it (PBFT needs n = 3f + 1, at least 4 to tolerate one liar)`,
      min,
    );
}

function withoutFile(config: LegacyConfig): Record<string, unknown> {
  const { file: _file, ...rest } = config;
  return rest;
}
