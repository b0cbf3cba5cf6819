import type { ActorId } from '../actors/envelope.ts';
import type { RouteTable } from '../actors/route-table.ts';
import type { RouteGraph } from '../topologies/index.ts';

/**
 * Graphs of past epochs are kept for broadcast copies still travelling on their trees: at least
 * the last 16, and any epoch put in force less than 10 s ago (virtual in sim mode), however many
 * switches came since. A copy older than both has nowhere to go (traced as broadcast-orphaned).
 */
const EPOCHS_KEPT = 16;
const KEEP_MS = 10_000;

/**
 * One host's view of the topology: the graph in force and the graphs of recent epochs. In
 * threads mode every worker holds its own router and builds its own graphs from the same spec and
 * members (building is pure and deterministic); a switch is two-phase — every worker first
 * `prepare`s the new epoch, then every worker `commit`s it — so no worker ever receives a
 * broadcast copy on a tree it does not know.
 *
 * @example
 * ```ts
 * const router = new TopologyRouter();
 * router.prepare(1, buildTopology('star', ['hub', 'a', 'b']), 0);
 * router.commit(1);
 * router.nextHop('a', 'b'); // 'hub'
 * ```
 */
export class TopologyRouter implements RouteTable {
  epoch = 0;
  maxHops = 16;
  private graph: RouteGraph | undefined;
  private readonly graphs = new Map<number, { graph: RouteGraph; at: number }>();

  /** Makes the graph of `epoch` known (not yet in force); `now` is the host's clock. */
  prepare(epoch: number, graph: RouteGraph, now: number): void {
    this.graphs.set(epoch, { graph, at: now });
    for (const [e, g] of this.graphs) if (e <= epoch - EPOCHS_KEPT && g.at < now - KEEP_MS) this.graphs.delete(e);
  }

  /** Puts a prepared epoch in force. */
  commit(epoch: number): void {
    const graph = this.graphs.get(epoch)?.graph;
    if (graph === undefined) throw new Error(`epoch ${epoch} was never prepared`);
    this.graph = graph;
    this.epoch = epoch;
    // Longer than any route on the new graph, with room for routes begun on the old one.
    this.maxHops = 2 * graph.diameter + 16;
  }

  nextHop(at: ActorId, to: ActorId): ActorId | undefined {
    const g = this.graph;
    return g === undefined ? undefined : g.nextHop(at, to);
  }

  broadcastChildren(epoch: number, root: ActorId, node: ActorId): readonly ActorId[] | undefined {
    const g = this.graphs.get(epoch)?.graph;
    if (g === undefined || g.hops(root, node) === Infinity) return undefined;
    return g.broadcastChildren(root, node);
  }

  members(): readonly ActorId[] {
    return this.graph?.members ?? [];
  }
}
