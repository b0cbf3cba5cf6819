/**
 * A worker thread of a `conclave node --workers N` process: it joins the swarm as a host of its
 * own (its own NATS connection, heartbeats and NodeRun), so a node's N threads run N hosts in
 * parallel. It says what it does to the process's main thread, and leaves when told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConclaveError } from '../errors.ts';
import { SwarmNode } from './swarm-node.ts';

/** What the node process gives each of its worker threads. */
export interface NodeWorkerData {
  readonly url: string;
  readonly swarm: string;
  readonly name: string;
}

/** What a node worker tells the process's main thread. */
export type FromNodeWorker =
  | { readonly type: 'log'; readonly line: string }
  /** `badInput`: a ConclaveError (an unreachable server, a name taken): exit 2, as a one-thread node. */
  | { readonly type: 'failed'; readonly message: string; readonly badInput: boolean }
  | { readonly type: 'closed' };

const port = parentPort!;
const { url, swarm, name } = workerData as NodeWorkerData;
const say = (m: FromNodeWorker) => port.postMessage(m);
try {
  const node = await SwarmNode.join({ url, swarm, name, log: (line) => say({ type: 'log', line }) });
  port.on('message', (m: { type: 'leave'; reason: string }) => {
    if (m.type === 'leave') void node.leave(m.reason);
  });
  await node.closed;
  say({ type: 'closed' });
} catch (e) {
  say({ type: 'failed', message: (e as Error).message, badInput: e instanceof ConclaveError });
}
port.close();
