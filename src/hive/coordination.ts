import type { ObjectiveFeatures } from './types.ts';

/**
 * The topologies a hive runs on (the scheduler's kinds; hierarchical puts the queen on top of
 * the team leads).
 *
 * @example
 * ```ts
 * const t: HiveTopology = 'hierarchical';
 * ```
 */
export type HiveTopology = 'mesh' | 'hierarchical' | 'star' | 'ring';

/**
 * Every hive topology.
 *
 * @example
 * ```ts
 * HIVE_TOPOLOGIES.includes('ring'); // true
 * ```
 */
export const HIVE_TOPOLOGIES: readonly HiveTopology[] = Object.freeze(['mesh', 'hierarchical', 'star', 'ring']);

/**
 * What a topology costs or gives a piece of work, besides the relay hops the route table really
 * adds: a factor on its duration and a shift of its quality.
 *
 * @example
 * ```ts
 * const c: Coordination = { delayFactor: 1.1, qualityShift: 0.03 };
 * ```
 */
export interface Coordination {
  readonly delayFactor: number;
  readonly qualityShift: number;
}

/**
 * The modelled coordination cost of a topology for an objective, following the seed's rules of
 * thumb: a mesh lets everyone see everyone's view (better on complex, novel work; chatter grows
 * with the team), a hierarchy lets leads coordinate delegated complex work, a star is quick on
 * simple work and a bottleneck on complex work, a ring suits pipelines and slows everything
 * else. The numbers are a model, stated here so a reader can argue with them.
 *
 * @example
 * ```ts
 * coordination('mesh', { complexity: 0.9, novelty: 0.9, criticality: 0.5, sequentiality: 0 }, 4).qualityShift; // > 0
 * ```
 */
export function coordination(topology: HiveTopology, f: ObjectiveFeatures, teamSize: number): Coordination {
  switch (topology) {
    case 'mesh':
      return { delayFactor: 1 + 0.04 * teamSize, qualityShift: 0.16 * f.complexity * f.novelty - 0.04 };
    case 'hierarchical':
      return { delayFactor: 1.1, qualityShift: 0.1 * f.complexity * (1 - f.sequentiality) - 0.02 };
    case 'star':
      return { delayFactor: 0.7 + 0.9 * f.complexity, qualityShift: 0.04 - 0.1 * f.complexity };
    case 'ring':
      return { delayFactor: 1.5 - 0.9 * f.sequentiality, qualityShift: 0.08 * f.sequentiality - 0.04 };
  }
}
