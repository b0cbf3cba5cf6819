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
