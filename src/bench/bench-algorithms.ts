import { ConfigError } from '../errors.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';

/**
 * The algorithms `conclave bench` measures, as users type them (`pbft` is read as
 * `byzantine_tolerant`). `adaptive` and custom policies are left out: what they measure depends
 * on each decision's risk or on the policy's own code, not on the algorithm's name.
 *
 * @example
 * ```ts
 * BENCH_ALGORITHMS.includes('raft'); // true
 * ```
 */
export const BENCH_ALGORITHMS = Object.freeze([
  'simple_majority',
  'supermajority',
  'byzantine_tolerant',
  'weighted_voting',
  'raft',
  'byzantine_supermajority',
] as const);

/**
 * One of {@link BENCH_ALGORITHMS}.
 *
 * @example
 * ```ts
 * const a: BenchAlgorithm = 'byzantine_tolerant';
 * ```
 */
export type BenchAlgorithm = (typeof BENCH_ALGORITHMS)[number];

/**
 * The algorithms of a default bench: the five users compare.
 *
 * @example
 * ```ts
 * DEFAULT_BENCH_ALGORITHMS.length; // 5
 * ```
 */
export const DEFAULT_BENCH_ALGORITHMS: readonly BenchAlgorithm[] = Object.freeze([
  'simple_majority',
  'supermajority',
  'byzantine_tolerant',
  'weighted_voting',
  'raft',
]);

const NAMES: Readonly<Record<BenchAlgorithm, string>> = {
  simple_majority: 'Simple Majority',
  supermajority: 'Supermajority',
  byzantine_tolerant: 'Byzantine Tolerant (PBFT)',
  weighted_voting: 'Weighted Voting',
  raft: 'Raft',
  byzantine_supermajority: 'Byzantine Supermajority',
};

/**
 * An algorithm's name as a heading shows it.
 *
 * @example
 * ```ts
 * algorithmName('byzantine_tolerant'); // 'Byzantine Tolerant (PBFT)'
 * ```
 */
export function algorithmName(algorithm: BenchAlgorithm): string {
  return NAMES[algorithm];
}

/**
 * Which driver runs an algorithm: a vote counted by a coordinator, Raft's log, or PBFT's.
 *
 * @example
 * ```ts
 * algorithmFamily('weighted_voting'); // 'voting'
 * ```
 */
export function algorithmFamily(algorithm: BenchAlgorithm): 'voting' | 'raft' | 'pbft' {
  return algorithm === 'raft' ? 'raft' : algorithm === 'byzantine_tolerant' ? 'pbft' : 'voting';
}

/**
 * Reads one algorithm id (`pbft` is `byzantine_tolerant`), or throws a ConfigError at `path`
 * that suggests the id a typo was probably meant to be.
 *
 * @example
 * ```ts
 * benchAlgorithm('raft', '--algorithms[4]');          // 'raft'
 * benchAlgorithm('simple_majorty', '--algorithms[0]'); // throws: simple_majority (did you mean it?), or one of ...
 * ```
 */
export function benchAlgorithm(id: string, path: string): BenchAlgorithm {
  if (id === 'pbft') return 'byzantine_tolerant';
  if ((BENCH_ALGORITHMS as readonly string[]).includes(id)) return id as BenchAlgorithm;
  const near = didYouMean(id, [...BENCH_ALGORITHMS, 'pbft']);
  throw new ConfigError(path, `${near ? `${near} (did you mean it?), or ` : ''}one of ${BENCH_ALGORITHMS.join(', ')} (pbft is byzantine_tolerant)`, id);
}
