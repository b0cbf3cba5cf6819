import { fileURLToPath } from 'node:url';
import type { BehaviourRef } from '../../actors/registry.ts';
import { moduleUrl } from '../../module-url.ts';

/** The file these behaviours live in, as a path a worker can import. */
const here = (file: string): string => fileURLToPath(moduleUrl(file, import.meta.url));

/**
 * The voting roles as behaviour references: modules any host (main thread or worker) imports
 * by path, so no registration step is needed in either mode.
 *
 * @example
 * ```ts
 * await system.spawn('coordinator', COORDINATOR, { props });
 * await system.spawn('coder_001', VOTER, { props: { role: 'coder' } });
 * ```
 */
export const COORDINATOR: BehaviourRef = { module: here('./coordinator.ts'), export: 'coordinator' };

/**
 * The simulated voter (see `voter`).
 *
 * @example
 * ```ts
 * await system.spawn('tester_001', VOTER, { props: { role: 'tester', accuracy: 0.9, truth: 'PostgreSQL' } });
 * ```
 */
export const VOTER: BehaviourRef = { module: here('./voter.ts'), export: 'voter' };
