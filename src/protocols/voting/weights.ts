/**
 * How much a vote weighs: static weights from configuration, and dynamic weights that learn from
 * who was right. All pure functions; the caller keeps the dynamic weights between rounds.
 */
import { ConfigError } from '../../errors.ts';
import { ABSTAIN, type Proposal, type Vote } from './types.ts';

/**
 * Weights by role, as written under `consensus:` in a scenario.
 *
 * @example
 * ```ts
 * const c: WeightConfig = {
 *   agent_weights: { researcher: 1.5, coder: 1 },
 *   agent_expertise: { architect: { weight: 3, domains: ['architecture'] } },
 *   expert_weight: 3, regular_weight: 1,
 * };
 * ```
 */
export interface WeightConfig {
  /** Weight per role. */
  readonly agent_weights?: Readonly<Record<string, number>>;
  /** Per role: the weight its votes carry on proposals in one of its domains. */
  readonly agent_expertise?: Readonly<Record<string, { readonly weight: number; readonly domains: readonly string[] }>>;
  /**
   * The multiplier of an expert voting in one of their domains (their expertise weight times
   * this); when set, an expert voting outside their domains weighs as a regular voter.
   */
  readonly expert_weight?: number;
  /** The weight of everyone else (default 1). */
  readonly regular_weight?: number;
}

/**
 * The weight of `vote` on `proposal` under a configuration checked by `validateWeightConfig`.
 * First match wins:
 * 1. the role's `agent_expertise` entry lists `proposal.domain` -> that entry's `weight`, times
 *    `expert_weight` when set (the configuration users have: `expert_weight: 2.0` doubles an
 *    expert in the task's domain);
 * 2. `expert_weight` is set and the role has an `agent_expertise` entry (for other domains) ->
 *    `regular_weight ?? 1`: expertise elsewhere earns nothing here, not even the role weight;
 * 3. `agent_weights[role]` when given;
 * 4. `regular_weight ?? 1`.
 *
 * @example
 * ```ts
 * const c = { agent_weights: { architect: 2 }, agent_expertise: { architect: { weight: 3, domains: ['architecture'] } } };
 * weightFor({ ...vote, role: 'architect' }, { ...proposal, domain: 'architecture' }, c); // 3
 * weightFor({ ...vote, role: 'architect' }, { ...proposal, domain: 'security' }, c); // 2
 * weightFor({ ...vote, role: 'architect' }, { ...proposal, domain: 'architecture' }, { ...c, expert_weight: 2 }); // 6
 * ```
 */
export function weightFor(vote: Vote, proposal: Proposal, config: WeightConfig): number {
  const role = vote.role;
  const expertise = own(config.agent_expertise, role);
  if (expertise && proposal.domain !== undefined && expertise.domains.includes(proposal.domain)) return expertise.weight * (config.expert_weight ?? 1);
  if (expertise && config.expert_weight !== undefined) return config.regular_weight ?? 1;
  return own(config.agent_weights, role) ?? config.regular_weight ?? 1;
}

/** `record[key]` if it is the record's own entry: a role named "constructor" must not find Object's. */
function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Checks a weight configuration, throwing a ConfigError that names the field (e.g.
 * `consensus.agent_expertise.architect.domains[0]`); returns it typed.
 *
 * @example
 * ```ts
 * validateWeightConfig({ agent_weights: { coder: -1 } }, 'consensus'); // throws: consensus.agent_weights.coder
 * ```
 */
export function validateWeightConfig(config: unknown, path = 'consensus'): WeightConfig {
  if (!isRecord(config)) throw new ConfigError(path, 'an object', config);
  const { agent_weights, agent_expertise, expert_weight, regular_weight } = config;
  if (agent_weights !== undefined) {
    if (!isRecord(agent_weights)) throw new ConfigError(`${path}.agent_weights`, 'an object of role: weight', agent_weights);
    for (const [role, w] of Object.entries(agent_weights)) checkWeight(w, `${path}.agent_weights.${role}`);
  }
  if (agent_expertise !== undefined) {
    if (!isRecord(agent_expertise)) throw new ConfigError(`${path}.agent_expertise`, 'an object of role: { weight, domains }', agent_expertise);
    for (const [role, entry] of Object.entries(agent_expertise)) {
      const at = `${path}.agent_expertise.${role}`;
      if (!isRecord(entry)) throw new ConfigError(at, 'an object { weight: number, domains: string[] }', entry);
      checkWeight(entry.weight, `${at}.weight`);
      const domains = entry.domains;
      if (!Array.isArray(domains) || domains.length === 0) throw new ConfigError(`${at}.domains`, 'a non-empty array of domain names', domains);
      domains.forEach((d, i) => {
        if (typeof d !== 'string' || d.length === 0) throw new ConfigError(`${at}.domains[${i}]`, 'a non-empty string', d);
      });
    }
  }
  if (expert_weight !== undefined) checkWeight(expert_weight, `${path}.expert_weight`);
  if (regular_weight !== undefined) checkWeight(regular_weight, `${path}.regular_weight`);
  return config as WeightConfig;
}

function checkWeight(w: unknown, path: string): void {
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ConfigError(path, 'a finite number >= 0', w);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * How dynamic weights move.
 *
 * @example
 * ```ts
 * const o: DynamicWeightOptions = { rate: 0.1, min: 0.5, max: 2 };
 * ```
 */
export interface DynamicWeightOptions {
  /** Relative step per round, in [0, 1) (default 0.2). */
  readonly rate?: number;
  /** Lowest weight, > 0 so a voter can always recover (default 0.1). */
  readonly min?: number;
  /** Highest weight, >= min, so nobody becomes a dictator (default 5). */
  readonly max?: number;
}

/**
 * Fills in the defaults and checks the options, naming `path.rate`, `path.min` or `path.max`.
 *
 * @example
 * ```ts
 * resolveDynamicWeightOptions({ rate: 0.1 }); // { rate: 0.1, min: 0.1, max: 5 }
 * resolveDynamicWeightOptions({ rate: 1 }); // throws ConfigError at consensus.dynamic_weights.rate
 * ```
 */
export function resolveDynamicWeightOptions(options: DynamicWeightOptions = {}, path = 'consensus.dynamic_weights'): Required<DynamicWeightOptions> {
  const { rate = 0.2, min = 0.1, max = 5 } = options;
  // rate 1 would zero a wrong voter before the clamp; a learning rate past that is a typo.
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ConfigError(`${path}.rate`, 'a number in [0, 1)', rate);
  if (typeof min !== 'number' || !(min > 0 && Number.isFinite(min))) throw new ConfigError(`${path}.min`, 'a finite number > 0', min);
  if (typeof max !== 'number' || !(max >= min && Number.isFinite(max))) throw new ConfigError(`${path}.max`, `a finite number >= min (${min})`, max);
  return { rate, min, max };
}

/**
 * One round of learning, returning a new record (the input is not touched). Each agent that voted
 * `reference` is multiplied by `1 + rate`, each that voted something else by `1 - rate`, clamped to
 * [min, max]. Abstainers and agents that did not vote keep their weight; an agent not yet in
 * `weights` starts at 1. With `reference` undefined (nothing to learn from) the copy is unchanged.
 * Whether `reference` is the ground truth or the decided outcome is the caller's choice. An agent
 * with several votes in `votes` is judged on its last one, from its weight before the round, so
 * repeating a vote does not compound.
 *
 * @example
 * ```ts
 * updateWeights({ a: 1, b: 1 }, [{ ...vote, agent: 'a', decision: 'A' }, { ...vote, agent: 'b', decision: 'B' }], 'A');
 * // { a: 1.2, b: 0.8 }
 * ```
 */
export function updateWeights(
  weights: Readonly<Record<string, number>>,
  votes: readonly Vote[],
  reference: string | undefined,
  options: DynamicWeightOptions = {},
): Record<string, number> {
  const { rate, min, max } = resolveDynamicWeightOptions(options);
  const next: Record<string, number> = { ...weights };
  if (reference === undefined) return next;
  for (const vote of votes) {
    if (vote.decision === ABSTAIN) continue;
    const before = Object.hasOwn(weights, vote.agent) && Number.isFinite(weights[vote.agent]) ? weights[vote.agent] : 1;
    const after = before * (vote.decision === reference ? 1 + rate : 1 - rate);
    // defineProperty, not assignment: an agent named "__proto__" must get a weight, not a prototype.
    Object.defineProperty(next, vote.agent, { value: Math.min(max, Math.max(min, after)), enumerable: true, writable: true, configurable: true });
  }
  return next;
}
