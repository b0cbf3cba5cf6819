import { fileURLToPath } from 'node:url';
import type { BehaviourRef } from '../../actors/registry.ts';
import { moduleUrl } from '../../module-url.ts';

const here = (file: string): string => fileURLToPath(moduleUrl(file, import.meta.url));

/**
 * The Raft node as a behaviour reference (a module any host imports by path, in either mode).
 *
 * @example
 * ```ts
 * const peers = ['n1', 'n2', 'n3'];
 * for (const id of peers) await sim.spawn(id, RAFT_NODE, { props: { peers } });
 * ```
 */
export const RAFT_NODE: BehaviourRef = { module: here('./raft-node.ts'), export: 'raftNode' };

/**
 * The Raft client (see `raftClient`).
 *
 * @example
 * ```ts
 * await sim.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 200, clientId: 'c1' } });
 * ```
 */
export const RAFT_CLIENT: BehaviourRef = { module: here('./raft-client.ts'), export: 'raftClient' };
