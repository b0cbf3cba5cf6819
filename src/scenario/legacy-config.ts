/**
 * `--config FILE`: the consensus configuration users already have (default algorithm, per-algorithm
 * parameters, agent weights and expertise), applied as defaults under a scenario.
 */
import { z } from 'zod';
import { MAX_AGENTS, MAX_VOTING_TIMEOUT_MS } from './bounds.ts';
import { DURATION_FORMS, durationIssue, durationRange } from './duration.ts';
import { agentExpertise, agentWeights, expecting, integer, lenientMapping, nonEmptyString, positiveNumber, threshold } from './fields.ts';
import { firstIssueError, parseYamlSource, refuseNonFinite } from './yaml-source.ts';

/**
 * One algorithm's parameters. Keys beyond the four known ones are kept and passed on as consensus
 * parameters (a policy may read them).
 *
 * @example
 * ```ts
 * const p: LegacyAlgorithmParams = { threshold: 0.6, expert_weight: 2, regular_weight: 1 };
 * ```
 */
export interface LegacyAlgorithmParams {
  threshold?: number;
  min_participants?: number;
  expert_weight?: number;
  regular_weight?: number;
  byzantine_detection?: boolean;
  [extra: string]: unknown;
}

/**
 * A validated legacy configuration. Values are kept as written (`voting_timeout: 60` stays `60`) so
 * that, merged under a scenario, they are read exactly like the scenario's own values.
 *
 * @example
 * ```ts
 * const c: LegacyConfig = { consensus: { default_algorithm: 'supermajority', voting_timeout: 60 }, agent_weights: { tester: 2 } };
 * ```
 */
export interface LegacyConfig {
  /** Where it was read from, for messages. */
  file?: string;
  consensus?: {
    default_algorithm?: string;
    /** A duration as written: a number of milliseconds or a string such as `'90s'`. */
    voting_timeout?: number | string;
    byzantine_tolerance?: boolean;
    malicious_detection?: boolean;
    raft?: Record<string, unknown>;
    algorithms?: Record<string, LegacyAlgorithmParams>;
    [extra: string]: unknown;
  };
  agent_weights?: Record<string, number>;
  agent_expertise?: Record<string, { weight: number; domains: string[] }>;
  [extra: string]: unknown;
}

/** Kept as written (merged under the scenario, it is read there), but checked here with the scenario's range. */
const votingTimeout = z
  .unknown()
  .superRefine((v, ctx) => {
    const range = { positive: true, maxMs: MAX_VOTING_TIMEOUT_MS };
    const issue = durationIssue(v, range);
    if (issue !== undefined)
      ctx.addIssue({ code: 'custom', message: issue === 'form' ? DURATION_FORMS.replace('>= 0', '> 0') : durationRange(range), input: v });
  })
  .transform((v) => v as number | string);

const algorithmParams = lenientMapping(
  {
    threshold: threshold().optional(),
    min_participants: integer(1, MAX_AGENTS).optional(),
    expert_weight: positiveNumber().optional(),
    regular_weight: positiveNumber().optional(),
    byzantine_detection: z.boolean(expecting('true or false')).optional(),
  },
  'the parameters of one algorithm { threshold, min_participants, expert_weight, regular_weight, byzantine_detection }',
);

/**
 * The legacy configuration's shape. Lenient about unknown keys (the file may hold other settings
 * of the user's) except ones so close to a known key that they are surely typos.
 *
 * @example
 * ```ts
 * legacyConfigSchema.safeParse({ consensus: { voting_timout: 60 } }).success; // false: did you mean "voting_timeout"?
 * ```
 */
export const legacyConfigSchema = lenientMapping(
  {
    consensus: lenientMapping(
      {
        default_algorithm: nonEmptyString('an algorithm name').optional(),
        voting_timeout: votingTimeout.optional(),
        byzantine_tolerance: z.boolean(expecting('true or false')).optional(),
        malicious_detection: z.boolean(expecting('true or false')).optional(),
        raft: lenientMapping(
          { enabled: z.boolean(expecting('true or false')).optional() },
          'a Raft section { election_timeout_min, election_timeout_max, heartbeat, max_batch }',
        ).optional(),
        algorithms: z.record(z.string(), algorithmParams, expecting('a mapping of algorithm name -> parameters')).optional(),
      },
      'a consensus section { default_algorithm, voting_timeout, byzantine_tolerance, algorithms }',
    ).optional(),
    agent_weights: agentWeights().optional(),
    agent_expertise: agentExpertise().optional(),
  },
  'a configuration mapping (consensus, agent_weights, agent_expertise)',
);

/**
 * Parses and validates a legacy configuration file's text. Errors are ScenarioErrors with the
 * file, line, column and path, like a scenario's.
 *
 * @example
 * ```ts
 * const config = parseLegacyConfig(await readFile('consensus.yml', 'utf8'), 'consensus.yml');
 * config.consensus?.default_algorithm; // 'simple_majority'
 * ```
 */
export function parseLegacyConfig(text: string, file?: string): LegacyConfig {
  const source = parseYamlSource(text, file, 'configuration');
  const result = legacyConfigSchema.safeParse(source.value);
  if (!result.success) throw firstIssueError(source, result.error.issues, source.value);
  refuseNonFinite(source, source.value);
  return file === undefined ? (result.data as LegacyConfig) : { ...(result.data as LegacyConfig), file };
}

/**
 * Merges a legacy configuration UNDER a raw (not yet validated) scenario object: the configuration
 * supplies defaults, anything the scenario sets wins. The algorithm is the scenario's
 * `consensus.algorithm`, else `default_algorithm`; that algorithm's entry in `algorithms` supplies
 * its parameters. `voting_timeout` and `byzantine_tolerance` fill the scenario's consensus;
 * `agent_weights` / `agent_expertise` are merged per role into `consensus.agent_weights` /
 * `consensus.agent_expertise`, the scenario's roles winning. Returns a new object; a raw value of
 * the wrong shape is returned as it is, for the schema to report.
 *
 * @example
 * ```ts
 * applyLegacyConfig({ name: 'x', consensus: { threshold: 0.9 } },
 *   { consensus: { default_algorithm: 'supermajority', algorithms: { supermajority: { threshold: 0.67, min_participants: 3 } } } });
 * // { name: 'x', consensus: { algorithm: 'supermajority', threshold: 0.9, min_participants: 3 } }
 * ```
 */
export function applyLegacyConfig(raw: unknown, legacy: LegacyConfig): unknown {
  if (!isPlainObject(raw)) return raw;
  const scenario = raw.consensus === undefined ? {} : raw.consensus;
  if (!isPlainObject(scenario)) return raw;
  const defaults = legacy.consensus ?? {};
  const algorithm = scenario.algorithm ?? defaults.default_algorithm;
  const params = typeof algorithm === 'string' ? defaults.algorithms?.[algorithm] : undefined;
  const consensus = dropUndefined({
    algorithm,
    ...params,
    voting_timeout: defaults.voting_timeout,
    byzantine_tolerance: defaults.byzantine_tolerance,
    ...scenario,
    agent_weights: mergeByRole(legacy.agent_weights, scenario.agent_weights),
    agent_expertise: mergeByRole(legacy.agent_expertise, scenario.agent_expertise),
  });
  return { ...raw, consensus };
}

/** Per-role merge; a scenario value that is not a mapping is left for the schema to report. */
function mergeByRole(defaults: Record<string, unknown> | undefined, own: unknown): unknown {
  if (own === undefined) return defaults;
  if (!isPlainObject(own) || defaults === undefined) return own;
  return { ...defaults, ...own };
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
