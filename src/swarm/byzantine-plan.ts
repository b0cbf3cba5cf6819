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
export interface ByzantinePlan {
  readonly agents: ReadonlySet<ActorId>;
  readonly kinds: readonly ByzantineKind[];
  readonly delayMs: number | undefined;
}

/**
 * Reads `faults.byzantine: { count | failure_rate, target?, types, delay? }`: `target` narrows
 * the candidates to a role or an id, `count` (or `failure_rate` of all voters, rounded) says how
 * many, chosen with the run's seed so a seed reproduces the same liars. Errors name the field.
 *
 * @example
 * ```ts
 * byzantinePlan({ failure_rate: 0.2, types: ['false_information'] }, voters, seed);
 * ```
 */
export function byzantinePlan(raw: unknown, voters: readonly { id: ActorId; role: string }[], seed: number): ByzantinePlan | undefined {
  if (raw === undefined) return undefined;
  const path = 'faults.byzantine';
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(path, '{ count | failure_rate, target?, types, delay? }', raw);
  const b = raw as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!['count', 'failure_rate', 'target', 'types', 'delay'].includes(key)) throw new ConfigError(`${path}.${key}`, 'one of count, failure_rate, target, types, delay', b[key]);
  const types = b.types ?? ['false_information'];
  if (!Array.isArray(types) || types.length === 0) throw new ConfigError(`${path}.types`, `a list of ${BYZANTINE_KINDS.join(', ')}`, types);
  types.forEach((t, i) => {
    if (!(BYZANTINE_KINDS as readonly unknown[]).includes(t)) throw new ConfigError(`${path}.types[${i}]`, `one of ${BYZANTINE_KINDS.join(', ')}`, t);
  });
  const candidates = typeof b.target === 'string' ? voters.filter((v) => v.role === b.target || v.id === b.target) : [...voters];
  if (typeof b.target === 'string' && candidates.length === 0) throw new ConfigError(`${path}.target`, `a role or an agent id of this scenario`, b.target);
  let n: number;
  if (b.count !== undefined) {
    if (!Number.isInteger(b.count) || (b.count as number) < 0) throw new ConfigError(`${path}.count`, 'an integer >= 0', b.count);
    n = b.count as number;
  } else if (b.failure_rate !== undefined) {
    if (typeof b.failure_rate !== 'number' || !(b.failure_rate >= 0 && b.failure_rate <= 1)) throw new ConfigError(`${path}.failure_rate`, 'a number in [0, 1]', b.failure_rate);
    n = Math.round(b.failure_rate * voters.length);
  } else n = 1;
  if (n > candidates.length) throw new ConfigError(`${path}.count`, `at most ${candidates.length} (the agents that match)`, n);
  // A seeded shuffle: the same seed picks the same liars.
  const rnd = createPrng(seed, '$byzantine');
  const pool = candidates.map((v) => v.id);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return { agents: new Set(pool.slice(0, n)), kinds: types as ByzantineKind[], delayMs: b.delay === undefined ? undefined : parseDuration(b.delay, `${path}.delay`) };
}
