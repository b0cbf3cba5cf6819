import type { ActorId } from '../actors/envelope.ts';
import { defaultLeader, memberOption, type MemberTable } from './member-table.ts';
import type { RouteGraph } from './route-graph.ts';
import { treeRoutes } from './tree-routes.ts';

/**
 * Options of a star.
 *
 * @example
 * ```ts
 * const options: StarOptions = { hub: 'coordinator-1' };
 * ```
 */
export interface StarOptions {
  /** The hub (default: the first member whose role is `'coordinator'` or `'queen'`, else the first member). */
  readonly hub?: ActorId;
}

/**
 * The star over validated members: every spoke links to the hub only, so spoke to spoke is two
 * hops through the hub, and a broadcast from a spoke goes to the hub, which fans it out. A star is
 * a tree of depth 1, so it routes with the same code as the hierarchy. A `hub` that is not a member
 * is a ConfigError at `<path>.hub`. Use `buildTopology({ type: 'star', hub }, members)` unless you
 * already hold a MemberTable.
 *
 * @example
 * ```ts
 * const g = buildStar(indexMembers(['a', 'b', 'c']), { hub: 'b' });
 * g.nextHop('a', 'c'); // 'b'
 * g.hops('a', 'c');    // 2
 * ```
 */
export function buildStar(table: MemberTable, options: StarOptions = {}, path = 'topology'): RouteGraph {
  const hub = memberOption(table, options.hub, `${path}.hub`, defaultLeader(table));
  const parent = new Int32Array(table.ids.length).fill(hub);
  parent[hub] = -1;
  return treeRoutes('star', { type: 'star', hub: table.ids[hub] }, table, parent, hub);
}
