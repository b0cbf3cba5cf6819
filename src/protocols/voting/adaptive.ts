/**
 * Adaptive consensus: the riskier the decision, the stricter the algorithm. The mapping is data,
 * so a scenario can override it under `consensus.adaptive`.
 */
import { ConfigError } from '../../errors.ts';
import type { RiskLevel } from './types.ts';

/**
 * The algorithm for each risk level: an algorithm name, or `'escalate'` to hand the decision to a
 * human instead of voting.
 *
 * @example
 * ```ts
 * const m: AdaptiveMapping = { ...DEFAULT_ADAPTIVE, medium: 'supermajority' };
 * ```
 */
export type AdaptiveMapping = Record<RiskLevel, string>;

/** The risk levels, lowest first. */
const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/**
 * The default mapping: critical decisions are not left to the swarm.
 *
 * @example
 * ```ts
 * DEFAULT_ADAPTIVE.high; // 'byzantine_supermajority'
 * ```
 */
export const DEFAULT_ADAPTIVE: Readonly<AdaptiveMapping> = Object.freeze({
  low: 'simple_majority',
  medium: 'weighted_voting',
  high: 'byzantine_supermajority',
  critical: 'escalate',
});

/**
 * The algorithm for a risk level. A proposal without a risk is `'low'`. A value that is not a
 * risk level (only possible from untyped input) is treated as `'critical'`: guessing low would
 * quietly weaken the safeguard the risk level exists for.
 *
 * @example
 * ```ts
 * algorithmForRisk('high'); // 'byzantine_supermajority'
 * algorithmForRisk(undefined); // 'simple_majority'
 * ```
 */
export function algorithmForRisk(risk: RiskLevel | undefined, mapping: Readonly<AdaptiveMapping> = DEFAULT_ADAPTIVE): string {
  const level = risk ?? 'low';
  return RISK_LEVELS.includes(level) ? mapping[level] : mapping.critical;
}

/**
 * Checks a user mapping (possibly partial) and completes it from `DEFAULT_ADAPTIVE`. Throws a
 * ConfigError naming `path.<key>` for an unknown risk level or a value that is not a non-empty
 * string. Whether the names are known algorithms is for the caller, who knows the registry.
 *
 * @example
 * ```ts
 * validateAdaptiveMapping({ medium: 'supermajority' }); // { low: 'simple_majority', medium: 'supermajority', ... }
 * validateAdaptiveMapping({ extreme: 'raft' }); // throws at consensus.adaptive.extreme
 * ```
 */
export function validateAdaptiveMapping(mapping: unknown, path = 'consensus.adaptive'): AdaptiveMapping {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping))
    throw new ConfigError(path, `an object of risk level (${RISK_LEVELS.join(', ')}): algorithm`, mapping);
  const result: AdaptiveMapping = { ...DEFAULT_ADAPTIVE };
  for (const [key, value] of Object.entries(mapping)) {
    if (!(RISK_LEVELS as readonly string[]).includes(key)) throw new ConfigError(`${path}.${key}`, `a risk level (${RISK_LEVELS.join(', ')})`, key);
    if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`${path}.${key}`, "an algorithm name or 'escalate'", value);
    result[key as RiskLevel] = value;
  }
  return result;
}
