import type { ActorId } from './envelope.ts';

/**
 * What an actor host needs to know about the topology in force: where an envelope goes next and
 * how a broadcast fans out. The scheduler implements it (src/scheduler/topology-router.ts) over
 * the route graphs it installs; the host only asks. Without one, every envelope goes straight to
 * its destination.
 *
 * @example
 * ```ts
 * const routes: RouteTable = router; // a TopologyRouter
 * routes.nextHop('spoke-1', 'spoke-2'); // 'hub' in a star
 * ```
 */
export interface RouteTable {
  /** The epoch of the graph in force (0 before any topology is installed). */
  readonly epoch: number;
  /** Beyond this many links an envelope goes straight to its destination (a guard against transient loops while hosts switch). */
  readonly maxHops: number;
  /**
   * The member an envelope at `at` for `to` goes to next; `undefined` when there is no topology
   * or either end is not a member (it then goes straight to `to`).
   */
  nextHop(at: ActorId, to: ActorId): ActorId | undefined;
  /**
   * Whom `node` forwards a broadcast from `root` to, on the spanning structure of the graph of
   * `epoch`; `undefined` when that graph is no longer known or `root` is not one of its members.
   */
  broadcastChildren(epoch: number, root: ActorId, node: ActorId): readonly ActorId[] | undefined;
  /** The members of the graph in force (empty when there is none). */
  members(): readonly ActorId[];
}
