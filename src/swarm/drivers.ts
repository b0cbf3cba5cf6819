import { ConfigError } from '../errors.ts';
import { VOTING_ALGORITHMS } from '../protocols/voting/algorithms.ts';
import { getPolicy } from '../protocols/voting/policy-module.ts';
import { didYouMean, type Scenario } from '../scenario/index.ts';
import { gossipDriver } from './gossip-driver.ts';
import { pbftDriver } from './pbft-driver.ts';
import type { ProtocolDriver } from './protocol-driver.ts';
import { raftDriver } from './raft-driver.ts';
import { votingDriver } from './voting-driver.ts';

/**
 * The driver of each algorithm that is not a vote; every other name (the voting algorithms,
 * `adaptive`, a custom policy) is a vote, checked by the voting driver. A new protocol is one
 * folder under src/protocols and one entry here.
 *
 * @example
 * ```ts
 * driverFor('pbft').name; // 'byzantine_tolerant'
 * ```
 */
const DRIVERS: Readonly<Record<string, ProtocolDriver>> = {
  raft: raftDriver,
  byzantine_tolerant: pbftDriver,
  pbft: pbftDriver,
  gossip: gossipDriver,
};

/**
 * The driver that runs `algorithm`.
 *
 * @example
 * ```ts
 * const run = await ScenarioRun.start(scenario, driverFor(scenario.consensus.algorithm), options);
 * ```
 */
export function driverFor(algorithm: string): ProtocolDriver {
  return Object.hasOwn(DRIVERS, algorithm) ? DRIVERS[algorithm] : votingDriver;
}

/**
 * The driver that runs a scenario's `consensus`: a protocol with its own driver, a voting
 * algorithm, or a custom policy (registered in this process, or `consensus.policy`, checked when
 * the voting driver loads it).
 * Any other name is a ConfigError at `consensus.algorithm` that lists every protocol and
 * suggests the close one, whatever its case (`Simple_Majority` -> simple_majority, `rfat` -> raft).
 *
 * @example
 * ```ts
 * const run = await ScenarioRun.start(scenario, driverForConsensus(scenario.consensus), options);
 * ```
 */
export function driverForConsensus(consensus: Pick<Scenario['consensus'], 'algorithm' | 'policy'>): ProtocolDriver {
  const name = consensus.algorithm;
  if (
    Object.hasOwn(DRIVERS, name) ||
    (VOTING_ALGORITHMS as readonly string[]).includes(name) ||
    consensus.policy !== undefined ||
    getPolicy(name) !== undefined
  )
    return driverFor(name);
  const known = [...VOTING_ALGORITHMS, ...Object.keys(DRIVERS)];
  const near = didYouMean(name, known);
  throw new ConfigError(
    'consensus.algorithm',
    `${near ? `${near} (did you mean it?), or ` : ''}one of ${known.join(', ')} (or a custom policy's name, with consensus.policy)`,
    name,
  );
}
