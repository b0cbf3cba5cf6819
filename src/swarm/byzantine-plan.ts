import type { ActorId } from '../actors/envelope.ts';
import { BYZANTINE_KINDS, type ByzantineKind } from '../adversary/byzantine-voter.ts';
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../scenario/index.ts';
import { createPrng } from '../scheduler/prng.ts';

/**
 * Which agents a scenario's `faults.byzantine` turns Byzantine, and how.
 *
 * @example
 * ```ts
 * const plan = byzantinePlan({ count: 1, types: ['conflicting_votes'] }, voters, 42);
 * plan.agents; // ['coder_002'] (seeded choice)
 * ```
 */
export interface ByzantinePlan<K extends string = ByzantineKind> {
  readonly agents: ReadonlySet<ActorId>;
  readonly kinds: readonly K[];
  readonly delayMs: number | undefined;
}

/**
 * Reads `faults.byzantine: { count | failure_rate, target?, types, delay? }`: `target` narrows
 * the candidates to a role or an id (or a name in `targets`, such as `primary`), `count` (or
 * `failure_rate` of all agents, rounded) says how many, chosen with the run's seed so a seed
 * reproduces the same liars. `kinds` are the behaviours this protocol's adversary knows
 * (a voter's by default). Errors name the field.
 *
 * @example
 * ```ts
 * byzantinePlan({ failure_rate: 0.2, types: ['false_information'] }, voters, seed);
 * byzantinePlan({ target: 'primary', types: ['silent'] }, replicas, seed, { kinds: PBFT_BYZANTINE_KINDS, targets: { primary: 'p0' } });
 * ```
 */
export function byzantinePlan<K extends string = ByzantineKind>(
  raw: unknown,
  voters: readonly { id: ActorId; role: string }[],
  seed: number,
  options: { kinds?: readonly K[]; targets?: Readonly<Record<string, ActorId>> } = {},
): ByzantinePlan<K> | undefined {
  const known = (options.kinds ?? BYZANTINE_KINDS) as readonly string[];
  if (raw === undefined) return undefined;
  const path = 'faults.byzantine';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(path, '{ count | failure_rate, target?, types, delay? }', raw);
  const b = raw as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (!['count', 'failure_rate', 'target', 'types', 'delay'].includes(key))
      throw new ConfigError(`${path}.${key}`, 'one of count, failure_rate, target, types, delay', b[key]);
  const types = b.types ?? ['false_information'];
  if (!Array.isArray(types) || types.length === 0) throw new ConfigError(`${path}.types`, `a list of ${known.join(', ')}`, types);
  types.forEach((t, i) => {
    if (!known.includes(t)) throw new ConfigError(`${path}.types[${i}]`, `one of ${known.join(', ')}`, t);
  });
  // `target`: a name, or a list of them (each a role, an agent id, or one of `targets`).
  if (
    b.target !== undefined &&
    typeof b.target !== 'string' &&
    !(Array.isArray(b.target) && b.target.length > 0 && b.target.every((t) => typeof t === 'string'))
  ) {
    throw new ConfigError(`${path}.target`, 'a role, an agent id (or a list of them)', b.target);
  }
  const named = Object.keys(options.targets ?? {});
  const wanted = b.target === undefined ? undefined : Array.isArray(b.target) ? (b.target as string[]) : [b.target as string];
  let candidates = [...voters];
  if (wanted !== undefined) {
    candidates = [];
    wanted.forEach((name, i) => {
      const id = options.targets?.[name] ?? name;
      const matching = voters.filter((v) => v.role === id || v.id === id);
      if (matching.length === 0)
        throw new ConfigError(
          Array.isArray(b.target) ? `${path}.target[${i}]` : `${path}.target`,
          `${named.length ? `${named.join(', ')}, ` : ''}a role or an agent id of this scenario`,
          name,
        );
      for (const v of matching) if (!candidates.includes(v)) candidates.push(v);
    });
  }
  let n: number;
  if (b.count !== undefined) {
    if (!Number.isInteger(b.count) || (b.count as number) < 0) throw new ConfigError(`${path}.count`, 'an integer >= 0', b.count);
    n = b.count as number;
  } else if (b.failure_rate !== undefined) {
    if (typeof b.failure_rate !== 'number' || !(b.failure_rate >= 0 && b.failure_rate <= 1))
      throw new ConfigError(`${path}.failure_rate`, 'a number in [0, 1]', b.failure_rate);
    n = Math.round(b.failure_rate * voters.length);
  } else n = Array.isArray(b.target) ? candidates.length : 1; // a list names every liar
  if (n > candidates.length) throw new ConfigError(`${path}.count`, `at most ${candidates.length} (the agents that match)`, n);
  // A seeded shuffle: the same seed picks the same liars.
  const rnd = createPrng(seed, '$byzantine');
  const pool = candidates.map((v) => v.id);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return { agents: new Set(pool.slice(0, n)), kinds: types as K[], delayMs: b.delay === undefined ? undefined : parseDuration(b.delay, `${path}.delay`) };
}
