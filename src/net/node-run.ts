import { serialize } from 'node:v8';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import '../actors/library.ts';
import { HostCounters } from '../scheduler/threads/host-counters.ts';
import type { HostConfig } from '../scheduler/threads/host-link.ts';
import type { WorkerApi, WorkerInit } from '../scheduler/threads/protocol.ts';
import { WorkerHost } from '../scheduler/threads/worker-host.ts';
import { NodeIdentity, publicKeyOf } from './batch-frame.ts';
import { decodeRequest, encodeReply } from './control-codec.ts';
import { NatsTransport, type RefusedBatches } from './nats-transport.ts';
import type { SwarmSubjects } from './subjects.ts';

/** What a coordinator claims a node with: the run, this node's host index in it, and the hosts' common config. */
export interface Claim {
  readonly run: string;
  readonly index: number;
  readonly hosts: number;
  readonly config: HostConfig;
}

/** Message kinds on a host's `out` subject (first byte). */
export const OUT_CUT = 1;
export const OUT_EVENTS = 2;
/** The durable stores' changes since the last turn (`DurableChange[]`), shipped before the cut. */
export const OUT_DURABLE = 3;

/** The host API a coordinator may call over NATS: WorkerApi's methods, and nothing else (the coordinator's link offers these; a node serves only these). */
export const HOST_OPS: readonly (keyof WorkerApi)[] = Object.freeze([
  'ready',
  'spawn',
  'setRoutes',
  'stop',
  'snapshot',
  'send',
  'ask',
  'prepareTopology',
  'commitTopology',
  'peerDied',
  'setFaults',
  'crash',
  'recover',
  'restoreDurable',
  'compromise',
  'close',
]);
const SERVED: ReadonlySet<string> = new Set(HOST_OPS);

/**
 * One run hosted on a node: the same WorkerHost a worker thread runs, with a NATS transport
 * instead of MessagePorts. Its counters are published into local shared memory as in a worker,
 * and each cut is shipped to the coordinator at once, before any batch it covers is published on
 * the same connection: the coordinator so holds, at any instant, a cut that accounts for every
 * batch the peers could have received (how a node's loss is reconciled). Events follow each turn.
 *
 * @example
 * ```ts
 * const run = new NodeRun(nc, subjects, claim); // then the coordinator drives it over its control subject
 * ```
 */
export class NodeRun {
  readonly identity = NodeIdentity.generate();
  readonly host: WorkerHost;
  private readonly transport: NatsTransport;
  private readonly subs: Subscription[] = [];
  private readonly cutBytes: Uint8Array;
  private readonly traceAck: Int32Array;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: SwarmSubjects,
    readonly claim: Claim,
  ) {
    const { run, index, hosts, config } = claim;
    const counters = HostCounters.allocate(hosts);
    const traceAck = new SharedArrayBuffer(4);
    this.traceAck = new Int32Array(traceAck);
    this.cutBytes = new Uint8Array(counters);
    const init: WorkerInit = {
      ...config,
      preload: [...config.preload],
      index,
      workers: hosts,
      counters,
      activity: new SharedArrayBuffer(4),
      traceAck,
      // Not used by a host on NATS: the transport replaces the ports, `events` goes to NATS below.
      peers: [],
      events: undefined as never,
    };
    this.transport = new NatsTransport(nc, subjects, run, index, this.identity);
    const out = subjects.out(run, index);
    const cutFrame = new Uint8Array(1 + this.cutBytes.length);
    cutFrame[0] = OUT_CUT;
    this.host = new WorkerHost(init, this.transport, { postMessage: (m) => nc.publish(out, withKind(OUT_EVENTS, serialize(m))) }, () => {
      // The actors' "disks" go to the coordinator's mirror before anything they cover leaves:
      // on this one connection the server has them before any batch a peer could act on, so a
      // node killed after a Raft member persisted its vote or its entries and answered leaves
      // them in the mirror, and the member restarts elsewhere with them (not amnesiac).
      const changes = durables.takeChanges();
      if (changes.length > 0) nc.publish(out, withKind(OUT_DURABLE, serialize(changes)));
      cutFrame.set(this.cutBytes, 1);
      nc.publish(out, cutFrame);
    });
    const durables = this.host.host.durables;
    durables.journal();
    this.subs.push(
      nc.subscribe(subjects.control(run, index), {
        callback: (err, msg) => {
          if (err) return;
          void this.answer(msg.data).then((reply) => msg.respond(reply));
        },
      }),
    );
    this.subs.push(
      nc.subscribe(subjects.ack(run, index), {
        callback: (err, msg) => {
          if (!err) Atomics.add(this.traceAck, 0, Number(msg.string()) | 0);
        },
      }),
    );
  }

  /** Batches this host refused (forged or foreign signatures, unknown senders). */
  get refused(): RefusedBatches {
    return this.transport.refused;
  }

  private async answer(data: Uint8Array): Promise<Uint8Array> {
    try {
      const { op, args } = decodeRequest(data);
      if (op === 'keys') {
        this.transport.setKeys((args[0] as (string | null)[]).map((k) => (k === null ? undefined : publicKeyOf(k))));
        return encodeReply({ value: true });
      }
      // Answered after everything this host published before it: the coordinator's settle waits on it.
      if (op === 'sync' || op === 'refused') return encodeReply({ value: { ...this.transport.refused } });
      if (!SERVED.has(op)) throw new Error(`unknown control operation "${op}"`);
      const fn = (this.host as unknown as Record<string, (...a: unknown[]) => unknown>)[op];
      return encodeReply({ value: await fn.apply(this.host, args as unknown[]) });
    } catch (e) {
      return encodeReply({ error: e });
    }
  }

  /**
   * Leaves mid-run (SIGTERM): stops every actor here (their mailboxes dead-lettered
   * `actor-stopped`, counted in this host's books, not reported as stops so the coordinator
   * restarts them elsewhere by their supervision), then runs a last turn that publishes the
   * final cut.
   */
  async drain(): Promise<number> {
    const ids = [...this.host.host.cells.keys()];
    await Promise.all(ids.map((id) => this.host.crash(id)));
    this.host.close();
    return ids.length;
  }

  /** Stops serving the run. */
  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.transport.stop();
  }
}

function withKind(kind: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = kind;
  out.set(body, 1);
  return out;
}
