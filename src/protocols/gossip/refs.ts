import { fileURLToPath } from 'node:url';
import type { BehaviourRef } from '../../actors/registry.ts';
import { moduleUrl } from '../../module-url.ts';

const here = (file: string): string => fileURLToPath(moduleUrl(file, import.meta.url));

/**
 * The gossip node as a behaviour reference (a module any host imports by path, in either mode).
 *
 * @example
 * ```ts
 * for (const id of peers) await sim.spawn(id, GOSSIP_NODE, { props: { peers } });
 * ```
 */
export const GOSSIP_NODE: BehaviourRef = { module: here('./gossip-node.ts'), export: 'gossipNode' };

/**
 * The gossip client (see `gossipClient`).
 *
 * @example
 * ```ts
 * await sim.spawn('client', GOSSIP_CLIENT, { props: { nodes: peers, decisions: 10 } });
 * ```
 */
export const GOSSIP_CLIENT: BehaviourRef = { module: here('./gossip-client.ts'), export: 'gossipClient' };
