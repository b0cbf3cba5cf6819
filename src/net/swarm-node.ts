import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeReply, decodeRequest, encodeReply, encodeRequest } from './control-codec.ts';
import { NatsSwarmError } from './nats-error.ts';
import { NodeRun, type Claim } from './node-run.ts';
import { checkToken, swarmSubjects, WIRE_VERSION, type SwarmSubjects } from './subjects.ts';

/** How often a node heartbeats (ms). A coordinator declares it dead after several are missed. */
export const HEARTBEAT_MS = 200;

/** How long connecting to the NATS server may take before the node or coordinator gives up (ms). */
export const CONNECT_TIMEOUT_MS = 3_000;

/**
 * What a node says about itself: on joining and leaving (announce subject), and when a
 * coordinator asks who is here.
 */
export interface NodeInfo {
  readonly type: 'join' | 'here' | 'leave';
  readonly name: string;
  readonly version: number;
  readonly pid: number;
  /** The run it hosts, if any (a node hosts one run at a time). */
  readonly run: string | undefined;
  readonly index: number | undefined;
  /** Actors it stopped when leaving mid-run (dead-lettering their mailboxes). */
  readonly drained?: number;
}

/** Options of `conclave node`. */
export interface NodeOptions {
  readonly url: string;
  readonly swarm: string;
  /** Default: `node-<pid>`. */
  readonly name?: string;
  /** Where the node says what it does (one line each). */
  readonly log?: (line: string) => void;
}

/**
 * Connects to NATS, or fails with a clear error within CONNECT_TIMEOUT_MS.
 *
 * @example
 * ```ts
 * const nc = await connectNats('nats://127.0.0.1:4222');
 * ```
 */
export async function connectNats(url: string, name?: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, timeout: CONNECT_TIMEOUT_MS, reconnect: false });
  } catch (e) {
    throw new NatsSwarmError(
      `cannot reach the NATS server at ${url} (${(e as Error).message}). Start one (nats-server -a 127.0.0.1 -p 4222 -js) or pass the right --nats URL.`,
      e,
    );
  }
}

/**
 * A node process of a swarm: joins (refusing a name already taken in the swarm), announces
 * itself, heartbeats, answers coordinators, hosts one run at a time on a NodeRun, and leaves
 * on `leave()` (SIGTERM in the CLI): actors of a run in progress are stopped, their queued
 * envelopes dead-lettered, the final cut published, and the coordinator told before it goes.
 *
 * @example
 * ```ts
 * const node = await SwarmNode.join({ url: 'nats://127.0.0.1:4222', swarm: 'demo', name: 'n1' });
 * process.on('SIGTERM', () => void node.leave('SIGTERM'));
 * await node.closed;
 * ```
 */
export class SwarmNode {
  private run: NodeRun | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private leaving: Promise<void> | undefined;
  /** Resolves once the node left and closed its connection. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: SwarmSubjects,
    readonly name: string,
    private readonly log: (line: string) => void,
  ) {
    nc.subscribe(subjects.node(name), {
      callback: (err, msg) => {
        if (err) return;
        const reply = this.onNodeRequest(msg.data);
        if (msg.reply) msg.respond(reply);
      },
    });
    nc.subscribe(subjects.who, {
      callback: (err, msg) => {
        if (!err && msg.reply) msg.respond(JSON.stringify(this.info('here')));
      },
    });
    nc.publish(subjects.announce, JSON.stringify(this.info('join')));
    const beat = subjects.heartbeat(name);
    this.heartbeat = setInterval(() => nc.publish(beat, this.run?.claim.run ?? ''), HEARTBEAT_MS);
    this.closed = nc.closed().then(() => undefined);
  }

  /** Joins swarm `options.swarm`; refuses a name another live node of the swarm holds. */
  static async join(options: NodeOptions): Promise<SwarmNode> {
    const swarm = checkToken('--swarm', options.swarm);
    const name = checkToken('--name', options.name ?? `node-${process.pid}`);
    const nc = await connectNats(options.url, `conclave-node ${name}`);
    const subjects = swarmSubjects(swarm);
    // Is the name taken? A live node of that name answers its subject; nobody answering is the
    // server's immediate "no responders".
    const taken = await nc.request(subjects.node(name), encodeRequest('ping', []), { timeout: 1_000 }).then(
      (m) => decodeReply(m.data) as NodeInfo,
      () => undefined,
    );
    if (taken !== undefined) {
      await nc.close();
      throw new NatsSwarmError(
        `a node named "${name}" already joined swarm "${swarm}" (pid ${taken.pid}). Give this one another --name, or stop the other first.`,
      );
    }
    const node = new SwarmNode(nc, subjects, name, options.log ?? (() => {}));
    node.log(`node "${name}" joined swarm "${swarm}" on ${options.url} (wire version ${WIRE_VERSION}, pid ${process.pid})`);
    return node;
  }

  private info(type: NodeInfo['type'], drained?: number): NodeInfo {
    return {
      type,
      name: this.name,
      version: WIRE_VERSION,
      pid: process.pid,
      run: this.run?.claim.run,
      index: this.run?.claim.index,
      ...(drained !== undefined ? { drained } : {}),
    };
  }

  /** Node control: ping, claim (host a run), release (the run is over), die (a crash drill). */
  private onNodeRequest(data: Uint8Array): Uint8Array {
    try {
      const { op, args } = decodeRequest(data);
      if (op === 'ping') return encodeReply({ value: this.info('here') });
      if (op === 'claim') {
        const claim = args[0] as Claim;
        if (this.leaving) throw new NatsSwarmError(`node "${this.name}" is leaving the swarm`);
        if (this.run) throw new NatsSwarmError(`node "${this.name}" already hosts run ${this.run.claim.run}; wait for it to end or start another node`);
        this.run = new NodeRun(this.nc, this.subjects, claim);
        this.log(`hosting run ${claim.run} as host ${claim.index} of ${claim.hosts}`);
        return encodeReply({ value: { publicKey: this.run.identity.publicKey, version: WIRE_VERSION } });
      }
      if (op === 'release') {
        const run = args[0] as string;
        if (this.run?.claim.run === run) {
          this.run.stop();
          this.run = undefined;
          this.log(`run ${run} ended`);
        }
        return encodeReply({ value: true });
      }
      if (op === 'die') {
        // A crash drill: the process dies at once, as kill -9 would leave it.
        process.kill(process.pid, 'SIGKILL');
      }
      throw new NatsSwarmError(`unknown node operation "${op}"`);
    } catch (e) {
      return encodeReply({ error: e });
    }
  }

  /**
   * Leaves the swarm: a run in progress has its actors stopped here (queued envelopes
   * dead-lettered `actor-stopped`, the final cut published), then the node announces it left,
   * so the coordinator recovers at once instead of waiting for missed heartbeats.
   */
  leave(reason: string): Promise<void> {
    this.leaving ??= (async () => {
      clearInterval(this.heartbeat);
      const drained = this.run ? await this.run.drain() : undefined;
      this.nc.publish(this.subjects.announce, JSON.stringify(this.info('leave', drained)));
      this.log(`node "${this.name}" leaves (${reason})${drained !== undefined ? `: stopped ${drained} actors of run ${this.run!.claim.run}` : ''}`);
      this.run?.stop();
      this.run = undefined;
      await this.nc.drain();
    })();
    return this.leaving;
  }
}
