/**
 * Entry point of every threads-mode worker: builds the host from `workerData`, registers the
 * built-in behaviours and exposes the control plane to the main thread over comlink.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import '../../actors/library.ts';
import { MessagePortTransport } from './message-port-transport.ts';
import type { WorkerInit } from './protocol.ts';
import { WorkerHost } from './worker-host.ts';

const init = workerData as WorkerInit;
const host = new WorkerHost(init, new MessagePortTransport(init.peers), init.events);
expose(host, nodeEndpoint(parentPort!));
