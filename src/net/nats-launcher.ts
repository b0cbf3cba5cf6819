import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HostConfig, HostLauncher, HostLink } from '../scheduler/threads/host-link.ts';
import { decodeReply, encodeRequest } from './control-codec.ts';
import { NatsSwarmError } from './nats-error.ts';
import type { Claim } from './node-run.ts';
import { CONTROL_TIMEOUT_MS, NodeLink } from './node-link.ts';
import { connectNats, HEARTBEAT_MS, type NodeInfo } from './swarm-node.ts';
import { checkToken, swarmSubjects, WIRE_VERSION, type SwarmSubjects } from './subjects.ts';

/** Options of a run across the nodes of a swarm. */
export interface NatsSwarmOptions {
  readonly url: string;
  readonly swarm: string;
  /** Nodes the run uses (default: every node that answered; at least one). */
  readonly nodes?: number;
  /** How long to wait for enough idle nodes to join (ms, default 10 s). */
  readonly joinTimeoutMs?: number;
  /**
   * Silence after which a node counts as dead (ms, default 3 s: fifteen missed heartbeats, and
   * no cut or event either; a shared, loaded machine delays timers by hundreds of ms).
   */
  readonly deadAfterMs?: number;
}

/** One node of a run, as the result reports it. */
export interface NodePlace {
  readonly name: string;
  readonly index: number;
  readonly pid: number;
}

/**
 * Finds the nodes of a swarm and claims them for one run: the HostLauncher ThreadSystem runs
 * over when a run goes across node processes. Each node draws an Ed25519 key pair when claimed;
 * once every node answered, each gets every other's public key, so a batch is accepted only
 * from the node whose key signed it.
 *
 * @example
 * ```ts
 * const launcher = await NatsLauncher.connect({ url: 'nats://127.0.0.1:4222', swarm: 'demo', nodes: 3 });
 * const system = await ThreadSystem.startOn(launcher, { seed: 7 });
 * ```
 */
export class NatsLauncher implements HostLauncher {
  readonly run = randomBytes(6).toString('hex');
  links: NodeLink[] = [];
  private terminated = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: SwarmSubjects,
    readonly url: string,
    readonly swarm: string,
    readonly nodes: readonly NodePlace[],
    private readonly deadAfterMs: number,
  ) {}

  get hosts(): number {
    return this.nodes.length;
  }

  /**
   * Connects and waits until `nodes` idle nodes of the swarm answered (or the join timeout
   * passed: then a clear error names who did join). A node on another wire version is refused
   * by name.
   */
  static async connect(options: NatsSwarmOptions): Promise<NatsLauncher> {
    const swarm = checkToken('--swarm', options.swarm);
    const want = options.nodes;
    if (want !== undefined && (!Number.isInteger(want) || want < 1 || want > 256)) throw new NatsSwarmError(`--nodes ${want}: give an integer from 1 to 256`);
    const joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
    const nc = await connectNats(options.url, 'conclave-coordinator');
    const subjects = swarmSubjects(swarm);
    try {
      const found = await discover(nc, subjects, want, joinTimeoutMs);
      const idle = [...found.values()].filter((n) => n.run === undefined).sort((a, b) => a.name.localeCompare(b.name));
      const wrong = idle.find((n) => n.version !== WIRE_VERSION);
      if (wrong)
        throw new NatsSwarmError(
          `node "${wrong.name}" (pid ${wrong.pid}) of swarm "${swarm}" speaks wire version ${wrong.version}; this coordinator speaks ${WIRE_VERSION}. Run the same Conclave version on every node.`,
        );
      const count = want ?? idle.length;
      if (idle.length < Math.max(1, count)) {
        const busy = [...found.values()].filter((n) => n.run !== undefined).map((n) => `${n.name} (busy with run ${n.run})`);
        const seen = [...idle.map((n) => n.name), ...busy];
        throw new NatsSwarmError(
          `swarm "${swarm}" on ${options.url}: ${idle.length} idle node(s) of the ${Math.max(1, count)} needed answered within ${joinTimeoutMs} ms${seen.length > 0 ? ` (seen: ${seen.join(', ')})` : ' (nobody joined it)'}. Start nodes with \`conclave node --nats ${options.url} --swarm ${swarm}\`, or pass --spawn-nodes N, or lower --nodes.`,
        );
      }
      const nodes = idle.slice(0, count).map((n, index) => ({ name: n.name, index, pid: n.pid }));
      return new NatsLauncher(nc, subjects, options.url, swarm, nodes, options.deadAfterMs ?? 15 * HEARTBEAT_MS);
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  async launch(config: HostConfig, activity: SharedArrayBuffer): Promise<HostLink[]> {
    const act = new Int32Array(activity);
    const claims = await Promise.all(
      this.nodes.map(async (n) => {
        const claim: Claim = { run: this.run, index: n.index, hosts: this.nodes.length, config };
        try {
          const m = await this.nc.request(this.subjects.node(n.name), encodeRequest('claim', [claim]), { timeout: CONTROL_TIMEOUT_MS });
          return decodeReply(m.data) as { publicKey: string; version: number };
        } catch (e) {
          throw new NatsSwarmError(`node "${n.name}" of swarm "${this.swarm}" could not be claimed for run ${this.run}: ${(e as Error).message}`, e);
        }
      }),
    ).catch(async (e) => {
      await this.releaseAll();
      throw e;
    });
    this.links = this.nodes.map(
      (n) => new NodeLink(this.nc, this.subjects, { name: n.name, index: n.index, hosts: this.nodes.length, run: this.run }, act, this.deadAfterMs),
    );
    const byName = new Map(this.links.map((l) => [l.place.name, l]));
    this.nc.subscribe(this.subjects.heartbeats, {
      callback: (err, msg) => {
        if (!err) byName.get(msg.subject.slice(msg.subject.lastIndexOf('.') + 1))?.beat();
      },
    });
    this.nc.subscribe(this.subjects.announce, {
      callback: (err, msg) => {
        const info = err ? undefined : parseInfo(msg);
        if (info?.type === 'leave' && info.run === this.run) byName.get(info.name)?.left(info.drained);
      },
    });
    const keys = claims.map((c) => c.publicKey);
    await Promise.all(
      this.links.map((l) =>
        l.sync().then(() => this.nc.request(this.subjects.control(this.run, l.place.index), encodeRequest('keys', [keys]), { timeout: CONTROL_TIMEOUT_MS })),
      ),
    );
    return this.links.map((l) => {
      const terminate = l.terminate.bind(l);
      // Once the system let go of every node, the connection closes.
      l.terminate = async () => {
        await terminate();
        if (++this.terminated === this.links.length) await this.nc.drain().catch(() => undefined);
      };
      return l;
    });
  }

  /** Per node: where it is, how it ended, and what it refused. */
  report(): { name: string; index: number; pid: number; death: string | undefined; refusedBatches: number }[] {
    return this.nodes.map((n, i) => ({ ...n, death: this.links[i]?.death, refusedBatches: this.links[i]?.refused.batches ?? 0 }));
  }

  private async releaseAll(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => this.nc.request(this.subjects.node(n.name), encodeRequest('release', [this.run]), { timeout: 2_000 })));
    await this.nc.close();
  }
}

/**
 * Asks who is here and listens for nodes joining until `want` idle nodes are known (or, with
 * no `want`, until the first answers are in), or the timeout passes.
 */
async function discover(nc: NatsConnection, subjects: SwarmSubjects, want: number | undefined, timeoutMs: number): Promise<Map<string, NodeInfo>> {
  const found = new Map<string, NodeInfo>();
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const idle = () => [...found.values()].filter((n) => n.run === undefined).length;
  const add = (info: NodeInfo) => {
    if (info.type === 'leave') found.delete(info.name);
    else found.set(info.name, info);
    if (want !== undefined && idle() >= want) done();
  };
  // The server answers a `who` nobody listens to with an empty "no responders" status message.
  const take = (err: Error | null, msg: { data: Uint8Array; json<T>(): T }) => {
    if (err || msg.data.length === 0) return;
    const info = parseInfo(msg);
    if (info) add(info);
  };
  const inbox = nc.subscribe(`_INBOX.conclave.${randomBytes(6).toString('hex')}`, { callback: take });
  const joins = nc.subscribe(subjects.announce, { callback: take });
  nc.publish(subjects.who, '', { reply: inbox.getSubject() });
  // Without a count, the nodes already there answer within a round trip: a flush is that round trip.
  if (want === undefined) await nc.flush().then(() => nc.flush());
  const timer = setTimeout(done, want === undefined ? 0 : timeoutMs);
  await enough;
  clearTimeout(timer);
  inbox.unsubscribe();
  joins.unsubscribe();
  return found;
}

/** A node's announcement, or undefined for anything else on the subject (never thrown: a stray message must not end the run). */
function parseInfo(msg: { json<T>(): T }): NodeInfo | undefined {
  try {
    const info = msg.json<NodeInfo>();
    return typeof info === 'object' && info !== null && typeof info.name === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}
