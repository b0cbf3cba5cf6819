import { deserialize } from 'node:v8';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { RequestError } from '@nats-io/transport-node';
import { DurableMirror, type DurableChange } from '../actors/durable-store.ts';
import { HostCrashedError } from '../errors.ts';
import { HostCounters, type CounterCut } from '../scheduler/threads/host-counters.ts';
import type { HostApi, HostLink } from '../scheduler/threads/host-link.ts';
import type { WorkerApi, WorkerEvents } from '../scheduler/threads/protocol.ts';
import { decodeReply, encodeRequest } from './control-codec.ts';
import type { RefusedBatches } from './nats-transport.ts';
import { HOST_OPS, OUT_CUT, OUT_DURABLE, OUT_EVENTS } from './node-run.ts';
import type { SwarmSubjects } from './subjects.ts';

/** How long a control call may wait for its answer before the node counts as unresponsive (ms). */
export const CONTROL_TIMEOUT_MS = 30_000;

/** Where a node link is: which node, which host index, which run. */
export interface NodeLinkPlace {
  readonly name: string;
  readonly index: number;
  readonly hosts: number;
  readonly run: string;
}

/**
 * The coordinator's handle on a node process hosting one run (a HostLink, so ThreadSystem runs
 * it like a worker). Control calls are NATS requests with timeouts; a node that has no
 * responder any more fails the call at once with HostCrashedError and counts as dead. The node's
 * cuts arrive as raw copies of its shared counters; its death is noticed by missed heartbeats
 * (or its own leave announcement).
 *
 * @example
 * ```ts
 * const link = new NodeLink(nc, subjects, { name: 'n1', index: 0, hosts: 3, run }, activity, 1_000);
 * link.beat(); // on each heartbeat of n1
 * ```
 */
export class NodeLink implements HostLink {
  readonly api: HostApi;
  private readonly cutBuffer: SharedArrayBuffer;
  private readonly cutBytes: Uint8Array;
  private readonly counters: HostCounters;
  private handler: (m: WorkerEvents) => void = () => {};
  private exitHandler: (detail: string, error: Error | undefined) => void = () => {};
  private readonly sub: Subscription;
  private readonly monitor: NodeJS.Timeout;
  private lastBeat = performance.now();
  private dead = false;
  private ended = false;
  private exited!: () => void;
  private readonly exit = new Promise<void>((resolve) => (this.exited = resolve));
  /** Batches the node refused, as it last said (see NatsTransport). */
  refused: RefusedBatches = { batches: 0, bytes: 0, lastReason: undefined };
  /** How the node ended: undefined while it runs. */
  death: string | undefined;
  /** The durable stores of the actors on the node, as it shipped them (see NodeRun). */
  private readonly mirror = new DurableMirror();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: SwarmSubjects,
    readonly place: NodeLinkPlace,
    private readonly activity: Int32Array,
    private readonly deadAfterMs: number,
  ) {
    this.cutBuffer = HostCounters.allocate(place.hosts);
    this.cutBytes = new Uint8Array(this.cutBuffer);
    this.counters = new HostCounters(this.cutBuffer, place.hosts);
    const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const op of HOST_OPS) api[op] = (...args) => this.request(op, args, op === 'ask' ? (args[2] as number) + CONTROL_TIMEOUT_MS : CONTROL_TIMEOUT_MS);
    this.api = api as unknown as HostApi;
    this.sub = nc.subscribe(subjects.out(place.run, place.index), {
      callback: (err, msg) => {
        if (err || this.dead) return;
        const data = msg.data;
        // Anything the node publishes shows it alive: a node flooded with work may heartbeat late.
        this.lastBeat = performance.now();
        if (data[0] === OUT_CUT) {
          this.cutBytes.set(data.subarray(1));
          Atomics.add(this.activity, 0, 1);
          Atomics.notify(this.activity, 0);
        } else if (data[0] === OUT_EVENTS) this.handler(deserialize(data.subarray(1)) as WorkerEvents);
        else if (data[0] === OUT_DURABLE) this.mirror.apply(deserialize(data.subarray(1)) as DurableChange[]);
      },
    });
    this.monitor = setInterval(
      () => {
        const silent = performance.now() - this.lastBeat;
        if (silent > this.deadAfterMs) this.die(`node "${place.name}" missed its heartbeats for ${Math.round(silent)} ms`);
      },
      Math.max(10, Math.floor(deadAfterMs / 4)),
    );
    this.monitor.unref();
  }

  /** A heartbeat of this node arrived. */
  beat(): void {
    this.lastBeat = performance.now();
  }

  /** The node announced it left (SIGTERM): recover now rather than after missed heartbeats. */
  left(drained: number | undefined): void {
    this.die(
      `node "${this.place.name}" left the swarm (SIGTERM)${drained !== undefined ? `: it stopped its ${drained} actors, their queued envelopes dead-lettered actor-stopped` : ''}`,
    );
  }

  private die(detail: string): void {
    if (this.dead || this.ended) return;
    this.dead = true;
    this.death = detail;
    clearInterval(this.monitor);
    this.sub.unsubscribe();
    this.exited();
    this.exitHandler(detail, undefined);
  }

  private async request(op: string, args: readonly unknown[], timeout: number): Promise<unknown> {
    if (this.dead) throw new HostCrashedError(this.place.index, op);
    let reply;
    try {
      reply = await this.nc.request(this.subjects.control(this.place.run, this.place.index), encodeRequest(op, args), { timeout });
    } catch (e) {
      if (e instanceof RequestError && e.isNoResponders()) this.die(`node "${this.place.name}" stopped answering its control subject (no responders)`);
      throw new HostCrashedError(this.place.index, `${op} on node "${this.place.name}"`, e);
    }
    return decodeReply(reply.data);
  }

  durableOf(actor: string): [string, unknown][] | undefined {
    return this.mirror.durableOf(actor);
  }

  readCut(): CounterCut {
    return this.counters.read();
  }

  onEvents(handler: (m: WorkerEvents) => void): void {
    this.handler = handler;
  }

  /** Events are handed over as they arrive; `sync` waits for those still on the wire. */
  drainEvents(): void {}

  async sync(): Promise<void> {
    this.refused = (await this.request('sync', [], CONTROL_TIMEOUT_MS)) as RefusedBatches;
  }

  ackTrace(n: number): void {
    if (!this.dead) this.nc.publish(this.subjects.ack(this.place.run, this.place.index), String(n));
  }

  onExit(handler: (detail: string, error: Error | undefined) => void): void {
    this.exitHandler = handler;
  }

  /** Kills the node process (it SIGKILLs itself), then waits until its heartbeats stop. */
  async kill(): Promise<void> {
    this.nc.publish(this.subjects.node(this.place.name), encodeRequest('die', []));
    await this.exit;
  }

  /** The run is over: takes the node's last refusal count and hands the node back to the swarm. */
  async terminate(): Promise<void> {
    if (!this.dead) await this.sync().catch(() => undefined);
    this.ended = true;
    clearInterval(this.monitor);
    this.sub.unsubscribe();
    if (!this.dead)
      await this.nc
        .request(this.subjects.node(this.place.name), encodeRequest('release', [this.place.run]), { timeout: CONTROL_TIMEOUT_MS })
        .catch(() => undefined);
  }

  release(): void {}
}
