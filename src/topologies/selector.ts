import { ConfigError } from '../errors.ts';
import { TOPOLOGY_KINDS, type TopologySpec } from './route-graph.ts';

/**
 * Low / medium / high, as task descriptors grade complexity and novelty.
 *
 * @example
 * ```ts
 * const level: Level = 'high';
 * ```
 */
export type Level = 'low' | 'medium' | 'high';

/**
 * What the selector knows about the work a swarm is doing.
 *
 * @example
 * ```ts
 * const task: TaskDescriptor = { complexity: 'high', novelty: 'high', agents: 8 };
 * selectTopology(task).topology; // 'mesh'
 * ```
 */
export interface TaskDescriptor {
  readonly complexity?: Level;
  readonly novelty?: Level;
  /** Work is handed down to sub-teams. */
  readonly delegated?: boolean;
  /** Work flows through stages in order (a pipeline). */
  readonly sequential?: boolean;
  /** One coordinator decides; the others report to it. */
  readonly centralised?: boolean;
  readonly agents?: number;
}

/**
 * One selection rule, as data: every condition in `when` must hold (a level condition may list
 * several levels; `minAgents` / `maxAgents` bound `agents`). Rules are tried in order and the
 * first match wins.
 *
 * @example
 * ```ts
 * const rule: SelectionRule = { when: { complexity: ['medium', 'high'], minAgents: 50 }, topology: { type: 'hierarchical', teams: 8 }, reason: 'large swarm' };
 * ```
 */
export interface SelectionRule {
  readonly when: {
    readonly complexity?: Level | readonly Level[];
    readonly novelty?: Level | readonly Level[];
    readonly delegated?: boolean;
    readonly sequential?: boolean;
    readonly centralised?: boolean;
    readonly minAgents?: number;
    readonly maxAgents?: number;
  };
  readonly topology: TopologySpec;
  readonly reason: string;
}

/**
 * The default rules: complex and novel -> mesh; complex and delegated -> hierarchical; simple
 * and centralised -> star; sequential pipeline -> ring. Plain data: copy, edit and pass your own.
 *
 * @example
 * ```ts
 * const mine = [{ when: { sequential: true }, topology: 'ring', reason: 'pipelines first' }, ...DEFAULT_SELECTION_RULES];
 * ```
 */
export const DEFAULT_SELECTION_RULES: readonly SelectionRule[] = Object.freeze([
  { when: { complexity: 'high', novelty: 'high' }, topology: 'mesh', reason: 'complex and novel: every agent needs every other view' },
  { when: { complexity: 'high', delegated: true }, topology: 'hierarchical', reason: 'complex and delegated: leads coordinate their teams' },
  { when: { complexity: 'low', centralised: true }, topology: 'star', reason: 'simple and centralised: one coordinator suffices' },
  { when: { sequential: true }, topology: 'ring', reason: 'sequential pipeline: each agent hands on to the next' },
] satisfies SelectionRule[]);

/**
 * What the selector chose and why.
 *
 * @example
 * ```ts
 * const { topology, reason } = selectTopology({ sequential: true });
 * ```
 */
export interface Selection {
  readonly topology: TopologySpec;
  readonly reason: string;
  /** Index of the rule that matched; -1 for the fallback. */
  readonly rule: number;
}

/** When no rule matches. */
const FALLBACK: Selection = { topology: 'mesh', reason: 'no rule matched: mesh is the safe default', rule: -1 };

/**
 * Picks a topology for a task from rules (data, tried in order; the first match wins).
 *
 * @example
 * ```ts
 * selectTopology({ complexity: 'high', delegated: true }); // { topology: 'hierarchical', reason: 'complex and delegated: ...', rule: 1 }
 * ```
 */
export function selectTopology(task: TaskDescriptor, rules: readonly SelectionRule[] = DEFAULT_SELECTION_RULES): Selection {
  for (let i = 0; i < rules.length; i++) {
    if (matches(rules[i].when, task)) return { topology: rules[i].topology, reason: rules[i].reason, rule: i };
  }
  return FALLBACK;
}

function matches(when: SelectionRule['when'], task: TaskDescriptor): boolean {
  const level = (want: Level | readonly Level[] | undefined, got: Level | undefined) =>
    want === undefined || (got !== undefined && (typeof want === 'string' ? want === got : want.includes(got)));
  return (
    level(when.complexity, task.complexity) &&
    level(when.novelty, task.novelty) &&
    (when.delegated === undefined || when.delegated === (task.delegated ?? false)) &&
    (when.sequential === undefined || when.sequential === (task.sequential ?? false)) &&
    (when.centralised === undefined || when.centralised === (task.centralised ?? false)) &&
    (when.minAgents === undefined || (task.agents ?? 0) >= when.minAgents) &&
    (when.maxAgents === undefined || (task.agents ?? Infinity) <= when.maxAgents)
  );
}

const LEVELS: readonly string[] = ['low', 'medium', 'high'];
const WHEN_KEYS = ['complexity', 'novelty', 'delegated', 'sequential', 'centralised', 'minAgents', 'maxAgents'];

/**
 * Checks user-supplied rules (from a config file) and returns them typed. Errors name the
 * field, e.g. `topology_rules[2].when.complexity`. The topology spec itself is checked against
 * the members when it is installed.
 *
 * @example
 * ```ts
 * const rules = validateSelectionRules(JSON.parse(text).rules, 'rules');
 * ```
 */
export function validateSelectionRules(rules: unknown, path = 'topology_rules'): SelectionRule[] {
  if (!Array.isArray(rules)) throw new ConfigError(path, 'a list of { when, topology, reason }', rules);
  return rules.map((rule: unknown, i) => {
    const p = `${path}[${i}]`;
    if (typeof rule !== 'object' || rule === null) throw new ConfigError(p, '{ when, topology, reason }', rule);
    const { when, topology, reason } = rule as Record<string, unknown>;
    if (typeof when !== 'object' || when === null || Array.isArray(when))
      throw new ConfigError(`${p}.when`, `an object with any of ${WHEN_KEYS.join(', ')}`, when);
    for (const [key, value] of Object.entries(when)) {
      if (key === 'complexity' || key === 'novelty') {
        const ok = (v: unknown) => typeof v === 'string' && LEVELS.includes(v);
        if (!(ok(value) || (Array.isArray(value) && value.length > 0 && value.every(ok))))
          throw new ConfigError(`${p}.when.${key}`, 'low, medium or high (or a list of them)', value);
      } else if (key === 'delegated' || key === 'sequential' || key === 'centralised') {
        if (typeof value !== 'boolean') throw new ConfigError(`${p}.when.${key}`, 'true or false', value);
      } else if (key === 'minAgents' || key === 'maxAgents') {
        if (!Number.isInteger(value) || (value as number) < 0) throw new ConfigError(`${p}.when.${key}`, 'an integer >= 0', value);
      } else throw new ConfigError(`${p}.when.${key}`, `one of ${WHEN_KEYS.join(', ')}`, value);
    }
    const type = typeof topology === 'string' ? topology : (topology as { type?: unknown } | null)?.type;
    if (!(TOPOLOGY_KINDS as readonly unknown[]).includes(type))
      throw new ConfigError(`${p}.topology`, `one of ${TOPOLOGY_KINDS.join(', ')} (or { type, ...options })`, topology);
    if (typeof reason !== 'string' || reason.length === 0) throw new ConfigError(`${p}.reason`, 'a non-empty string saying why', reason);
    return rule as SelectionRule;
  });
}
