import type { ActorId } from '../actors/envelope.ts';
import type { MemberTable } from './member-table.ts';
import type { RouteGraph } from './route-graph.ts';

const NONE: readonly ActorId[] = Object.freeze([]);

/**
 * The mesh over validated members: everyone links to everyone, every route is one hop, and a
 * broadcast is the root sending to each member directly (a mesh has no relays to share the work).
 * Nothing per pair is stored: an n x n table would be 100 million entries at 10,000 members.
 * Use `buildTopology('mesh', members)` unless you already hold a MemberTable.
 *
 * @example
 * ```ts
 * const g = buildMesh(indexMembers(['a', 'b', 'c']));
 * g.nextHop('a', 'c'); // 'c'
 * g.neighbours('a');   // ['b', 'c']
 * ```
 */
export function buildMesh(table: MemberTable): RouteGraph {
  const { ids, index } = table;
  const n = ids.length;
  // Built once per member on first use: a coordinator broadcasting every few microseconds must
  // not pay for an n - 1 array each time. Frozen, so callers cannot corrupt the cache.
  const othersCache: (readonly ActorId[] | undefined)[] = [];
  const others = (i: number): readonly ActorId[] => (othersCache[i] ??= Object.freeze(ids.filter((_, j) => j !== i)));
  const both = (from: ActorId, to: ActorId) => index.has(from) && index.has(to);

  return Object.freeze({
    kind: 'mesh' as const,
    spec: Object.freeze({ type: 'mesh' as const }),
    members: ids,
    diameter: n > 1 ? 1 : 0,
    neighbours(id: ActorId) {
      const i = index.get(id);
      return i === undefined ? NONE : others(i);
    },
    nextHop(from: ActorId, to: ActorId) {
      return from !== to && both(from, to) ? to : undefined;
    },
    hops(from: ActorId, to: ActorId) {
      if (!both(from, to)) return Infinity;
      return from === to ? 0 : 1;
    },
    broadcastChildren(root: ActorId, node: ActorId) {
      const r = index.get(root);
      return r !== undefined && root === node ? others(r) : NONE;
    },
  });
}
