/**
 * Choosing an execution mode. This sits above both modes, in a folder of its own: it imports the
 * sim system (src/scheduler) and the thread system (src/scheduler/threads), and the thread system
 * itself builds on src/scheduler (the actor-system interface, link models, the route table...).
 * In src/scheduler it made the two folders import each other; in src/scheduler/threads it would
 * put a mode-neutral factory inside one of the modes. Nothing under src/scheduler imports it.
 */
import '../actors/library.ts';
import { ConfigError } from '../errors.ts';
import type { ActorSystem, ExecutionMode } from '../scheduler/actor-system.ts';
import { SimSystem, type SimOptions } from '../scheduler/sim-system.ts';
import { ThreadSystem, type ThreadOptions } from '../scheduler/threads/thread-system.ts';

/**
 * Options for `createSystem`: the mode, plus that mode's options.
 *
 * @example
 * ```ts
 * const options: SystemOptions = { mode: 'sim', seed: 42, link: { latency: { kind: 'fixed', ms: 2 } } };
 * const system = await createSystem(options);
 * ```
 */
export type SystemOptions = ({ readonly mode: 'sim' } & SimOptions) | ({ readonly mode: 'threads' } & ThreadOptions);

/**
 * Creates an actor system in either execution mode. Behaviour code is the same in both.
 *
 * @example
 * ```ts
 * const sim = await createSystem({ mode: 'sim', seed: 42 });
 * const threads = await createSystem({ mode: 'threads', workers: 2 });
 * ```
 */
export async function createSystem(options: SystemOptions = { mode: 'sim' }): Promise<ActorSystem> {
  const mode: ExecutionMode | undefined = options?.mode;
  if (mode === 'sim') return new SimSystem(options as SimOptions);
  if (mode === 'threads') return ThreadSystem.start(options as ThreadOptions);
  throw new ConfigError('mode', "'sim' or 'threads'", mode);
}
