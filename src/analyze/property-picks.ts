import type { BenchAlgorithm } from '../bench/bench-algorithms.ts';
import type { OptimizeTarget } from './recommend.ts';
import type { TaskTypeRule } from './task-types.ts';

/**
 * What the algorithms' properties alone recommend for a target and a task type: an algorithm, a
 * size, and why.
 *
 * @example
 * ```ts
 * propertyPick('reliability', taskTypeRule('routine')); // { algorithm: 'raft', agents: 5, why: 'raft: survives f < n/2 crashed members, ...' }
 * ```
 */
export interface PropertyPick {
  readonly algorithm: BenchAlgorithm;
  readonly agents: number;
  readonly why: string;
}

const FAST: PropertyPick = {
  algorithm: 'simple_majority',
  agents: 3,
  why: 'simple_majority: one round of votes to one coordinator, the fewest messages and round trips per decision (no leader election, no three-phase commit); n = 3 is the smallest electorate whose majority is not unanimity',
};
const SMALL_PBFT: PropertyPick = {
  algorithm: 'byzantine_tolerant',
  agents: 4,
  why: 'byzantine_tolerant (PBFT) n = 4: the smallest cluster that survives a lying member (n = 3f + 1, f = 1), so the fastest that critical decisions allow',
};
const PBFT: PropertyPick = {
  algorithm: 'byzantine_tolerant',
  agents: 7,
  why: 'byzantine_tolerant (PBFT): survives up to f < n/3 arbitrary members (lying or crashed), the primary included (view change); n = 7 tolerates 2',
};
const EXPERTS: PropertyPick = {
  algorithm: 'weighted_voting',
  agents: 5,
  why: "weighted_voting: experts' votes weigh more (here 2 to 1), so their better judgement decides when they agree; n = 5 (2 experts, 3 generalists) lets one expert lie without changing the outcome",
};

/** The picks, by target and task type (none when no task type was given). */
const PROPERTY_PICKS: Readonly<Record<OptimizeTarget, Readonly<Record<'none' | 'routine' | 'technical' | 'critical', PropertyPick>>>> = {
  speed: { none: FAST, routine: FAST, technical: FAST, critical: SMALL_PBFT },
  reliability: {
    none: PBFT,
    routine: {
      algorithm: 'raft',
      agents: 5,
      why: 'raft: survives f < n/2 crashed members, the leader included, at less cost than PBFT; routine work among trusted agents needs no Byzantine tolerance; n = 5 tolerates 2',
    },
    technical: {
      algorithm: 'supermajority',
      agents: 7,
      why: 'supermajority: a vote on the options (so quality is measurable) that needs 2/3 of the votes: fewer than n/3 liars cannot change the outcome; n = 7 tolerates 2',
    },
    critical: PBFT,
  },
  expertise: { none: EXPERTS, routine: EXPERTS, technical: EXPERTS, critical: EXPERTS },
};

/**
 * The {@link PropertyPick} for a target and task type.
 *
 * @example
 * ```ts
 * propertyPick('speed', taskTypeRule('critical')).algorithm; // 'byzantine_tolerant'
 * ```
 */
export function propertyPick(target: OptimizeTarget, rule: TaskTypeRule): PropertyPick {
  return PROPERTY_PICKS[target][rule.id ?? 'none'];
}

/**
 * The bench (and optimize) commands that would measure what a target needs.
 *
 * @example
 * ```ts
 * benchCommands('expertise').at(-1); // 'conclave optimize --target expertise --from expertise.json'
 * ```
 */
export function benchCommands(target: OptimizeTarget): string[] {
  switch (target) {
    case 'speed':
      return [
        'conclave bench --algorithms simple_majority,supermajority,weighted_voting,raft,byzantine_tolerant --agents 3,5,7 --iterations 10 --output consensus_benchmark.json',
        'conclave optimize --target speed --from consensus_benchmark.json',
      ];
    case 'reliability':
      return [
        'conclave bench --algorithms simple_majority,supermajority,raft,byzantine_tolerant --agents 4,5,7 --iterations 10 --faults crash:1 --output crash.json',
        'conclave bench --algorithms simple_majority,supermajority,byzantine_tolerant --agents 4,5,7 --iterations 10 --faults byzantine:1 --output byzantine.json',
        'conclave optimize --target reliability --from crash.json --from byzantine.json',
      ];
    case 'expertise':
      return [
        'conclave bench --algorithms weighted_voting,simple_majority,supermajority --agents 5,7,9 --iterations 10 --output expertise.json',
        'conclave optimize --target expertise --from expertise.json',
      ];
  }
}
