import { algorithmFamily, type BenchAlgorithm } from './bench-algorithms.ts';

/**
 * What an algorithm tolerates at a cluster size, as the bench reports it. The voting algorithms
 * have no fault model of their own: one trusted coordinator counts the votes, so every agent
 * learns the same outcome whatever the voters do (agreement needs no bound), and the coordinator
 * itself is a single point of failure. What liars can change is which option wins; their bound
 * is the number of liars that cannot outvote honest agents who agree (one binary choice, liars
 * all voting the other option).
 *
 * @example
 * ```ts
 * faultTolerance('raft', 5); // { model: 'crash', bound: 'f < n/2 crash, no Byzantine', maxFaulty: 2, note: '...' }
 * ```
 */
export interface FaultTolerance {
  /**
   * `crash`: safe under any crashes, live while at most `maxFaulty` are down; `byzantine`: safe
   * and live with at most `maxFaulty` arbitrary (lying) members; `outcome`: agreement by
   * construction, and liars up to `maxFaulty` cannot change the outcome.
   */
  readonly model: 'crash' | 'byzantine' | 'outcome';
  /** The bound as people write it: `f < n/2 crash, no Byzantine`, `f < n/3 Byzantine`, ... */
  readonly bound: string;
  /** The most faulty members tolerated at this size. */
  readonly maxFaulty: number;
  /** What the bound means and what it does not promise. */
  readonly note: string;
}

const VOTING_NOTE =
  'one trusted coordinator counts the votes, so agreement holds whatever voters do (no fault model); the coordinator is a single point of failure';

/**
 * The fault tolerance of `algorithm` among `n` members; `weights` (the voters' weights, for
 * weighted voting) let the bound count the heaviest liars, the worst case.
 *
 * @example
 * ```ts
 * faultTolerance('byzantine_tolerant', 7).maxFaulty; // 2
 * faultTolerance('supermajority', 9).bound;          // 'f < n/3 liars (outcome)'
 * faultTolerance('weighted_voting', 5, [2, 2, 1, 1, 1]).maxFaulty; // 1: two experts hold 4 of 7 (more than 2/5)
 * ```
 */
export function faultTolerance(algorithm: BenchAlgorithm, n: number, weights: readonly number[] = new Array<number>(n).fill(1)): FaultTolerance {
  switch (algorithmFamily(algorithm)) {
    case 'raft':
      return {
        model: 'crash',
        bound: 'f < n/2 crash, no Byzantine',
        maxFaulty: Math.floor((n - 1) / 2),
        note: 'safe under any crashes and partitions, live while a majority is up and connected; a single liar can break it',
      };
    case 'pbft':
      return {
        model: 'byzantine',
        bound: 'f < n/3 Byzantine',
        maxFaulty: Math.floor((n - 1) / 3),
        note: 'safe and live with at most f arbitrary replicas; a crashed replica counts against f (it keeps no durable state)',
      };
    default:
      return votingTolerance(algorithm, n, weights);
  }
}

function votingTolerance(algorithm: BenchAlgorithm, n: number, weights: readonly number[]): FaultTolerance {
  switch (algorithm) {
    // Strictly more than half of the votes cast: honest n - f > n / 2.
    case 'simple_majority':
      return {
        model: 'outcome',
        bound: 'f < n/2 liars (outcome)',
        maxFaulty: Math.ceil(n / 2) - 1,
        note: `${VOTING_NOTE}; fewer than half liars cannot outvote honest agents who agree`,
      };
    // At least 0.67 of the votes cast: honest n - f >= 0.67 n. More liars block consensus; 2/3 of them decide.
    case 'supermajority':
      return {
        model: 'outcome',
        bound: 'f < n/3 liars (outcome)',
        maxFaulty: Math.floor(n * 0.33 + 1e-9),
        note: `${VOTING_NOTE}; beyond the bound liars block consensus, from 2/3 of the votes they decide`,
      };
    // More than 2/3 of the whole electorate: honest n - f > 2n / 3.
    case 'byzantine_supermajority':
      return {
        model: 'outcome',
        bound: 'f < n/3 liars (outcome)',
        maxFaulty: Math.ceil(n / 3) - 1,
        note: `${VOTING_NOTE}; beyond the bound liars block consensus`,
      };
    // At least 0.6 of the weight cast: the liars' weight must stay at most 2/5 of it, heaviest first.
    default: {
      const total = weights.reduce((a, b) => a + b, 0);
      const heaviest = [...weights].sort((a, b) => b - a);
      let maxFaulty = 0;
      let liars = 0;
      for (const w of heaviest) {
        if (liars + w > 0.4 * total + 1e-9) break;
        liars += w;
        maxFaulty++;
      }
      return { model: 'outcome', bound: 'liar weight <= 2/5 of W (outcome)', maxFaulty, note: `${VOTING_NOTE}; the count assumes the heaviest agents lie` };
    }
  }
}

/**
 * Whether `liars` Byzantine members and `crashes` crashed ones stay within what `algorithm`
 * tolerates: Raft takes crashes only, PBFT counts crashed replicas against f like liars, and a
 * vote's outcome bound counts liars (a crashed voter only abstains).
 *
 * @example
 * ```ts
 * withinTolerance('byzantine_tolerant', faultTolerance('byzantine_tolerant', 4), { liars: 1, crashes: 1 }); // false: 2 > f = 1
 * ```
 */
export function withinTolerance(algorithm: BenchAlgorithm, tolerance: FaultTolerance, load: { liars: number; crashes: number }): boolean {
  switch (algorithmFamily(algorithm)) {
    case 'raft':
      return load.liars === 0 && load.crashes <= tolerance.maxFaulty;
    case 'pbft':
      return load.liars + load.crashes <= tolerance.maxFaulty;
    default:
      return load.liars <= tolerance.maxFaulty;
  }
}
