import type { ActorSystem } from '../scheduler/actor-system.ts';
import { ThreadSystem, type ThreadOptions } from '../scheduler/threads/thread-system.ts';
import type { SystemOptions } from '../system/create-system.ts';
import { NatsLauncher, type NatsSwarmOptions } from './nats-launcher.ts';

/**
 * A system whose hosts are the node processes of a swarm on NATS: a ThreadSystem (so `mode` is
 * `threads`: real time, one host per node) over NatsLauncher's links. `launcher` says which node
 * is which host, how each ended and what each refused.
 *
 * @example
 * ```ts
 * const { system, launcher } = await startNatsSystem({ url: 'nats://127.0.0.1:4222', swarm: 'demo', nodes: 3 }, { seed: 7 });
 * await system.spawn('a', 'echo');
 * await system.shutdown();
 * console.log(launcher.report());
 * ```
 */
export async function startNatsSystem(swarm: NatsSwarmOptions, options: ThreadOptions = {}): Promise<{ system: ThreadSystem; launcher: NatsLauncher }> {
  const launcher = await NatsLauncher.connect(swarm);
  const system = await ThreadSystem.startOn(launcher, options);
  return { system, launcher };
}

/**
 * What a scenario run's `createSystem` option takes to run across a swarm's nodes (see
 * RunOptions.createSystem); `onLauncher` sees the launcher once the nodes are claimed.
 *
 * @example
 * ```ts
 * await runScenario(scenario, { createSystem: natsSystemFactory({ url, swarm: 'demo', nodes: 3 }) });
 * ```
 */
export function natsSystemFactory(swarm: NatsSwarmOptions, onLauncher?: (launcher: NatsLauncher) => void): (options: SystemOptions) => Promise<ActorSystem> {
  return async (options) => {
    // Sim mode has one thread and a virtual clock: it cannot span processes.
    const { mode: _mode, ...rest } = options as SystemOptions & { workers?: number };
    const { system, launcher } = await startNatsSystem(swarm, { ...(rest as ThreadOptions), workers: undefined });
    onLauncher?.(launcher);
    return system;
  };
}
