import type { BehaviourRef } from '../actors/registry.ts';
import { validateRef } from '../actors/registry.ts';
import { BYZANTINE_KINDS, type ByzantineKind } from '../adversary/byzantine-voter.ts';
import { ConfigError } from '../errors.ts';
import { HIVE_TOPOLOGIES, type HiveTopology } from './coordination.ts';
import { HIVE_CONSENSUS, QUEEN_TYPES, type HiveConsensus, type ObjectiveFeatures, type QueenType, type Section } from './types.ts';

/**
 * What a hive run is given. Everything but `objective` has a default.
 *
 * @example
 * ```ts
 * const o: HiveOptions = { objective: 'Document the API', queen: 'strategic', workers: 20, teams: 4, seed: 7 };
 * ```
 */
export interface HiveOptions {
  readonly objective: string;
  /** Each in [0, 1]; default 0.5 each (sequentiality 0.2). */
  readonly features?: Partial<ObjectiveFeatures>;
  readonly sections?: readonly Section[];
  readonly queen?: QueenType;
  /** Workers (besides the queen and one lead per team): 1..1000, default 20. */
  readonly workers?: number;
  /** Teams, each with its own lead: 1..workers, default 4. */
  readonly teams?: number;
  readonly consensus?: HiveConsensus;
  readonly topology?: HiveTopology;
  /** How many times the objective runs, one after another, in one session: 1..100,000, default 1. */
  readonly objectives?: number;
  readonly seed?: number;
  readonly mode?: 'sim' | 'threads';
  /** The `count` workers most skilled at decisions lie in their ballots (fault library kinds). */
  readonly byzantine?: { readonly count: number; readonly types?: readonly ByzantineKind[] };
  /** A real agent behind every worker role (see `src/hive/messages.ts` for what it must answer). */
  readonly behaviour?: BehaviourRef;
  /** Workers that crash (stop for good) at a time on the run's clock. */
  readonly crash?: readonly { readonly worker: string; readonly atMs: number }[];
  readonly maxAttempts?: number;
  readonly reviewBar?: number;
  readonly decisionTimeoutMs?: number;
}

/** Options with every default filled in and every value checked. */
export type ResolvedHiveOptions = Required<Omit<HiveOptions, 'sections' | 'behaviour' | 'byzantine' | 'features'>> & {
  readonly features: ObjectiveFeatures;
  readonly sections?: readonly Section[];
  readonly behaviour?: BehaviourRef;
  readonly byzantine: { readonly count: number; readonly types: readonly ByzantineKind[] };
};

function int(v: unknown, path: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new ConfigError(path, `an integer from ${min} to ${max}`, v);
  return v as number;
}

function unit(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new ConfigError(path, 'a number from 0 to 1', v);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(v)) throw new ConfigError(path, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

const KNOWN = new Set([
  'objective',
  'features',
  'sections',
  'queen',
  'workers',
  'teams',
  'consensus',
  'topology',
  'objectives',
  'seed',
  'mode',
  'byzantine',
  'behaviour',
  'crash',
  'maxAttempts',
  'reviewBar',
  'decisionTimeoutMs',
]);

/**
 * Checks a hive's options and fills in the defaults; a bad value is a ConfigError naming the
 * field, what it must be and what it was; an unknown key is refused by name.
 *
 * @example
 * ```ts
 * resolveHiveOptions({ objective: 'x', workers: 0 }); // ConfigError: "workers": expected an integer from 1 to 1000, got 0
 * ```
 */
export function resolveHiveOptions(o: HiveOptions, prefix = ''): ResolvedHiveOptions {
  const p = (k: string) => `${prefix}${k}`;
  if (typeof o !== 'object' || o === null) throw new ConfigError(prefix || 'hive', 'an object of hive options', o);
  for (const k of Object.keys(o))
    if (!KNOWN.has(k)) throw new ConfigError(p(k), `a known hive option (${[...KNOWN].join(', ')})`, (o as unknown as Record<string, unknown>)[k]);
  if (typeof o.objective !== 'string' || o.objective.trim() === '')
    throw new ConfigError(p('objective'), 'a non-empty string (what the hive should achieve)', o.objective);
  const f = o.features ?? {};
  if (typeof f !== 'object' || f === null)
    throw new ConfigError(p('features'), 'an object { complexity, novelty, criticality, sequentiality } of numbers in [0, 1]', f);
  for (const k of Object.keys(f))
    if (!['complexity', 'novelty', 'criticality', 'sequentiality'].includes(k))
      throw new ConfigError(p(`features.${k}`), 'one of complexity, novelty, criticality, sequentiality', (f as Record<string, unknown>)[k]);
  const features: ObjectiveFeatures = {
    complexity: unit(f.complexity, p('features.complexity'), 0.5),
    novelty: unit(f.novelty, p('features.novelty'), 0.5),
    criticality: unit(f.criticality, p('features.criticality'), 0.5),
    sequentiality: unit(f.sequentiality, p('features.sequentiality'), 0.2),
  };
  if (o.sections !== undefined) {
    if (!Array.isArray(o.sections) || o.sections.length === 0 || o.sections.length > 200)
      throw new ConfigError(p('sections'), 'a list of 1 to 200 { name, complexity }', o.sections);
    o.sections.forEach((s, i) => {
      if (typeof s?.name !== 'string' || s.name === '') throw new ConfigError(p(`sections[${i}].name`), 'a non-empty string', s?.name);
      unit(s.complexity, p(`sections[${i}].complexity`), 0);
    });
  }
  const workers = int(o.workers, p('workers'), 1, 1000, 20);
  const teams = int(o.teams, p('teams'), 1, workers, Math.min(4, workers));
  const types = o.byzantine?.types ?? ['false_information'];
  for (const [i, t] of types.entries()) oneOf(t, p(`byzantine.types[${i}]`), BYZANTINE_KINDS, 'silent');
  const byzantine = { count: int(o.byzantine?.count, p('byzantine.count'), 0, workers, 0), types };
  if (o.behaviour !== undefined && byzantine.count > 0) {
    throw new ConfigError(
      p('byzantine.count'),
      '0 when `behaviour` puts your agent behind every worker (the liars are simulated workers; wrap your agent yourself to make it lie)',
      byzantine.count,
    );
  }
  for (const [i, c] of (o.crash ?? []).entries()) {
    if (typeof c?.worker !== 'string') throw new ConfigError(p(`crash[${i}].worker`), 'a worker id (worker_TT_NN)', c?.worker);
    int(c.atMs, p(`crash[${i}].atMs`), 0, 1e9, 0);
  }
  return {
    objective: o.objective,
    features,
    ...(o.sections ? { sections: o.sections } : {}),
    queen: oneOf(o.queen, p('queen'), QUEEN_TYPES, 'adaptive'),
    workers,
    teams,
    consensus: oneOf(o.consensus, p('consensus'), HIVE_CONSENSUS, 'auto'),
    topology: oneOf(o.topology, p('topology'), HIVE_TOPOLOGIES, 'hierarchical'),
    objectives: int(o.objectives, p('objectives'), 1, 100_000, 1),
    seed: int(o.seed, p('seed'), 0, 2 ** 32 - 1, 1),
    mode: oneOf(o.mode, p('mode'), ['sim', 'threads'] as const, 'sim'),
    byzantine,
    ...(o.behaviour !== undefined ? { behaviour: validateRef(o.behaviour, p('behaviour')) } : {}),
    crash: o.crash ?? [],
    maxAttempts: int(o.maxAttempts, p('maxAttempts'), 1, 20, 3),
    reviewBar: unit(o.reviewBar, p('reviewBar'), 0.4),
    decisionTimeoutMs: int(o.decisionTimeoutMs, p('decisionTimeoutMs'), 1, 3_600_000, 2_000),
  };
}
