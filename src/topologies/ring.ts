import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import type { MemberTable } from './member-table.ts';
import type { RouteGraph } from './route-graph.ts';

const NONE: readonly ActorId[] = Object.freeze([]);

/**
 * Options of a ring.
 *
 * @example
 * ```ts
 * const forwardOnly: RingOptions = { bidirectional: false };
 * ```
 */
export interface RingOptions {
  /** Link each member to its predecessor too, and route the shorter way round (default `true`). */
  readonly bidirectional?: boolean;
}

/**
 * The ring over validated members, in the order given: member i links to i + 1 (and i - 1 when
 * bidirectional), wrapping round. Routes are index arithmetic on positions, so nothing is stored
 * beyond the id index. A route whose two ways round are equally long goes forward, so routes and
 * broadcasts are deterministic. Use `buildTopology({ type: 'ring' }, members)` unless you already
 * hold a MemberTable.
 *
 * @example
 * ```ts
 * const g = buildRing(indexMembers(['a', 'b', 'c', 'd', 'e']), { bidirectional: false });
 * g.hops('a', 'e'); // 4: forward only
 * ```
 */
export function buildRing(table: MemberTable, options: RingOptions = {}, path = 'topology'): RouteGraph {
  const bidirectional = options.bidirectional ?? true;
  if (typeof bidirectional !== 'boolean') throw new ConfigError(`${path}.bidirectional`, 'true or false', bidirectional);
  const { ids, index } = table;
  const n = ids.length;
  const succ = (i: number) => ids[(i + 1) % n];
  const pred = (i: number) => ids[(i + n - 1) % n];
  /** Steps forward from position i to position j. */
  const ahead = (i: number, j: number) => (j - i + n) % n;
  // A bidirectional broadcast goes forward to offsets 1..half and backward to the rest: the same
  // split nextHop makes (ties go forward), so every member gets it along its unicast route.
  const half = Math.floor(n / 2);

  return Object.freeze({
    kind: 'ring' as const,
    spec: Object.freeze({ type: 'ring' as const, bidirectional }),
    members: ids,
    diameter: n === 1 ? 0 : bidirectional ? half : n - 1,
    neighbours(id: ActorId) {
      const i = index.get(id);
      if (i === undefined || n === 1) return NONE;
      // In a ring of two the successor is also the predecessor: list it once.
      return bidirectional && n > 2 ? [succ(i), pred(i)] : [succ(i)];
    },
    nextHop(from: ActorId, to: ActorId) {
      const i = index.get(from),
        j = index.get(to);
      if (i === undefined || j === undefined || i === j) return undefined;
      const d = ahead(i, j);
      return !bidirectional || d <= n - d ? succ(i) : pred(i);
    },
    hops(from: ActorId, to: ActorId) {
      const i = index.get(from),
        j = index.get(to);
      if (i === undefined || j === undefined) return Infinity;
      const d = ahead(i, j);
      return bidirectional ? Math.min(d, n - d) : d;
    },
    broadcastChildren(root: ActorId, node: ActorId) {
      const r = index.get(root),
        v = index.get(node);
      if (r === undefined || v === undefined) return NONE;
      const d = ahead(r, v);
      if (!bidirectional) return d < n - 1 ? [succ(v)] : NONE;
      if (d === 0) {
        const out: ActorId[] = [];
        if (half >= 1) out.push(succ(v));
        if (n - 1 > half) out.push(pred(v));
        return out;
      }
      if (d < half) return [succ(v)];
      if (d > half + 1) return [pred(v)];
      return NONE; // the two ends of the broadcast, where forward and backward stop
    },
  });
}
