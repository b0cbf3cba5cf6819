import { ConclaveError } from '../errors.ts';

/**
 * A swarm on NATS could not be joined or run: an unreachable server, a swarm nobody joined, a
 * node name taken twice, a node speaking another wire version. Bad input (the CLI exits 2); the
 * message says what, where and what to do.
 *
 * @example
 * ```ts
 * try { await connectSwarm('nats://127.0.0.1:1', 'demo'); }
 * catch (e) { if (e instanceof NatsSwarmError) console.error(e.message); }
 * ```
 */
export class NatsSwarmError extends ConclaveError {
  constructor(message: string, cause?: unknown) {
    super('nats-swarm', message, { cause });
  }
}
