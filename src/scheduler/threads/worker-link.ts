import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { HostCounters } from './host-counters.ts';
import type { HostApi, HostConfig, HostLauncher, HostLink } from './host-link.ts';
import type { WorkerApi, WorkerEvents, WorkerInit } from './protocol.ts';
import { startWorker } from './spawn-worker.ts';
import { moduleUrl } from '../../module-url.ts';

const WORKER_ENTRY = moduleUrl('./worker-main.ts', import.meta.url);

/**
 * A worker thread as a host: comlink for the control plane, shared memory for its counters, a
 * MessagePort for its events.
 */
class WorkerLink implements HostLink {
  readonly api: HostApi;
  private readonly remote: Remote<WorkerApi>;
  private handler: (m: WorkerEvents) => void = () => {};
  private killed = false;

  /** `worker` is readable so a test can observe the instant it exits (the recovery window). */
  constructor(
    readonly worker: Worker,
    private readonly counters: HostCounters,
    private readonly events: MessagePort,
    private readonly traceAck: Int32Array,
  ) {
    this.remote = wrap<WorkerApi>(nodeEndpoint(worker));
    this.api = this.remote as unknown as HostApi;
    events.on('message', (m: WorkerEvents) => this.handler(m));
    events.unref();
  }

  readCut() {
    return this.counters.read();
  }

  onEvents(handler: (m: WorkerEvents) => void): void {
    this.handler = handler;
  }

  drainEvents(): void {
    for (let m = receiveMessageOnPort(this.events); m !== undefined; m = receiveMessageOnPort(this.events)) this.handler(m.message as WorkerEvents);
  }

  ackTrace(n: number): void {
    Atomics.add(this.traceAck, 0, n);
  }

  onExit(handler: (detail: string, error: Error | undefined) => void): void {
    let lastError: Error | undefined;
    this.worker.on('error', (e) => (lastError = e));
    this.worker.on('exit', (code) => {
      const detail = lastError ? `${lastError.name}: ${lastError.message}` : this.killed ? 'terminated by killWorker()' : `exited with code ${code}`;
      handler(detail, lastError);
    });
  }

  async kill(): Promise<void> {
    this.killed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.worker.terminate();
    await exited;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  release(): void {
    this.remote[releaseProxy]();
  }
}

/**
 * Threads mode's hosts: `workers` worker threads, every pair linked by a MessageChannel so
 * envelopes go worker to worker without passing through main.
 *
 * @example
 * ```ts
 * const links = await workerLauncher(2).launch(config, new SharedArrayBuffer(4));
 * ```
 */
export function workerLauncher(workers: number): HostLauncher {
  return {
    hosts: workers,
    async launch(config: HostConfig, activity: SharedArrayBuffer): Promise<HostLink[]> {
      const n = workers;
      const peers: (MessagePort | undefined)[][] = Array.from({ length: n }, () => new Array(n).fill(undefined));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const { port1, port2 } = new MessageChannel();
          peers[i][j] = port1;
          peers[j][i] = port2;
        }
      }
      const links: HostLink[] = [];
      for (let i = 0; i < n; i++) {
        const counters = HostCounters.allocate(n);
        const traceAck = new SharedArrayBuffer(4);
        const { port1: events, port2: eventsRemote } = new MessageChannel();
        const init: WorkerInit = {
          ...config,
          index: i,
          workers: n,
          preload: [...config.preload],
          counters,
          activity,
          peers: peers[i],
          events: eventsRemote,
          traceAck,
        };
        const transfer = [...peers[i].filter((p): p is MessagePort => p !== undefined), eventsRemote];
        const worker = startWorker(WORKER_ENTRY, { workerData: init, transferList: transfer });
        links.push(new WorkerLink(worker, new HostCounters(counters, n), events, new Int32Array(traceAck)));
      }
      return links;
    },
  };
}
