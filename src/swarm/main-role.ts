import { loadBehaviour, type BehaviourRef } from '../actors/registry.ts';
import { ConfigError } from '../errors.ts';
import type { Scenario } from '../scenario/index.ts';

/**
 * The behaviour a run spawns for its protocol's main role (the Raft node, the PBFT replica, the
 * voting coordinator): the scenario's `consensus.implementation` when it names one (checked
 * first with {@link checkImplementation}), else `builtIn`.
 *
 * @example
 * ```ts
 * const node = await mainRole(scenario, RAFT_NODE); // RAFT_NODE, or { module: '/abs/broken-raft.ts', export: 'brokenRaftNode' }
 * for (const id of nodes) await system.spawn(id, node, { props });
 * ```
 */
export async function mainRole(scenario: Pick<Scenario, 'consensus'>, builtIn: BehaviourRef): Promise<BehaviourRef> {
  const ref = scenario.consensus.implementation;
  if (ref === undefined) return builtIn;
  await checkImplementation(ref);
  return ref;
}

/**
 * Loads an implementation of a protocol's main role, so that a module that is missing or
 * exports no behaviour by that name is a ConfigError at `path` before anything is spawned,
 * not a spawn failure halfway through a cluster.
 *
 * @example
 * ```ts
 * await checkImplementation({ module: '/abs/test/fixtures/broken-raft.ts', export: 'brokenRaftNode' }, '--implementation');
 * ```
 */
export async function checkImplementation(ref: { readonly module: string; readonly export: string }, path = 'consensus.implementation'): Promise<void> {
  try {
    await loadBehaviour(ref);
  } catch (e) {
    throw new ConfigError(path, `a module exporting a behaviour to spawn instead of the built-in one (${(e as Error).message})`, `${ref.module}#${ref.export}`);
  }
}
