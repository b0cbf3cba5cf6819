import { fileURLToPath } from 'node:url';
import type { BehaviourRef } from '../../actors/registry.ts';
import { moduleUrl } from '../../module-url.ts';

const here = (file: string): string => fileURLToPath(moduleUrl(file, import.meta.url));

/**
 * The PBFT replica as a behaviour reference (a module any host imports by path, in either mode).
 *
 * @example
 * ```ts
 * for (const id of replicas) await system.spawn(id, PBFT_REPLICA, { props: { replicas } });
 * ```
 */
export const PBFT_REPLICA: BehaviourRef = { module: here('./pbft-replica.ts'), export: 'pbftReplica' };

/**
 * The PBFT client (see `pbftClient`).
 *
 * @example
 * ```ts
 * await system.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 100, window: 8 } });
 * ```
 */
export const PBFT_CLIENT: BehaviourRef = { module: here('./pbft-client.ts'), export: 'pbftClient' };
