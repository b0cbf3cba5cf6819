import { isAbsolute, resolve } from 'node:path';
import type { BehaviourRef } from '../actors/registry.ts';
import { ConfigError } from '../errors.ts';
import { PBFT_REPLICA } from '../protocols/pbft/refs.ts';
import { RAFT_NODE } from '../protocols/raft/refs.ts';
import { COORDINATOR } from '../protocols/voting/refs.ts';

/** The built-in behaviour of each protocol family's main role: its export name is the default. */
const BUILT_IN: Record<'raft' | 'pbft' | 'voting', BehaviourRef> = { raft: RAFT_NODE, pbft: PBFT_REPLICA, voting: COORDINATOR };

/**
 * Reads `--implementation path#export` (or `path`, for a module whose export has the built-in's
 * name: `raftNode`, `pbftReplica` or `coordinator`) as the behaviour reference a scenario's
 * `consensus.implementation` takes, the path made absolute against the working directory.
 * `protocolFamily` is the protocol's `family(...)`. Whether the module loads is checked where it
 * is loaded.
 *
 * @example
 * ```ts
 * implementationRef('test/fixtures/broken-raft.ts#brokenRaftNode', family('raft')); // { module: '/work/main/test/fixtures/broken-raft.ts', export: 'brokenRaftNode' }
 * implementationRef('my-replica.ts', family('pbft')); // { module: '/.../my-replica.ts', export: 'pbftReplica' }
 * ```
 */
export function implementationRef(spec: string, protocolFamily: 'raft' | 'pbft' | 'voting', path = '--implementation'): { module: string; export: string } {
  const hash = spec.lastIndexOf('#');
  const module = hash < 0 ? spec : spec.slice(0, hash);
  const built = BUILT_IN[protocolFamily] as { export: string };
  const name = hash < 0 ? built.export : spec.slice(hash + 1);
  if (module.trim() === '' || name.trim() === '')
    throw new ConfigError(path, 'a module path, optionally followed by #exportName (e.g. test/fixtures/broken-raft.ts#brokenRaftNode)', spec);
  return { module: isAbsolute(module) ? module : resolve(module), export: name };
}
