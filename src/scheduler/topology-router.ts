import type { ActorId } from '../actors/envelope.ts';
import type { RouteTable } from '../actors/route-table.ts';
import type { RouteGraph } from '../topologies/index.ts';

/** Graphs of past epochs kept for broadcast copies still travelling on their trees. */
const EPOCHS_KEPT = 16;

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
 * router.prepare(1, buildTopology('star', ['hub', 'a', 'b']));
 * router.commit(1);
 * router.nextHop('a', 'b'); // 'hub'
 * ```
 */
export class TopologyRouter implements RouteTable {
  epoch = 0;
  maxHops = 16;
  private graph: RouteGraph | undefined;
  private readonly graphs = new Map<number, RouteGraph>();

  /** Makes the graph of `epoch` known (not yet in force). */
  prepare(epoch: number, graph: RouteGraph): void {
    this.graphs.set(epoch, graph);
    for (const e of this.graphs.keys()) if (e <= epoch - EPOCHS_KEPT) this.graphs.delete(e);
  }

  /** Puts a prepared epoch in force. */
  commit(epoch: number): void {
    const graph = this.graphs.get(epoch);
    if (graph === undefined) throw new Error(`epoch ${epoch} was never prepared`);
    this.graph = graph;
    this.epoch = epoch;
    // Longer than any route on the new graph, with room for routes begun on the old one.
    this.maxHops = 2 * graph.diameter + 16;
  }

  /** The graph in force, if any. */
  get current(): RouteGraph | undefined {
    return this.graph;
  }

  nextHop(at: ActorId, to: ActorId): ActorId | undefined {
    const g = this.graph;
    return g === undefined ? undefined : g.nextHop(at, to);
  }

  broadcastChildren(epoch: number, root: ActorId, node: ActorId): readonly ActorId[] | undefined {
    const g = this.graphs.get(epoch);
    if (g === undefined || g.hops(root, node) === Infinity) return undefined;
    return g.broadcastChildren(root, node);
  }

  members(): readonly ActorId[] {
    return this.graph?.members ?? [];
  }
}
