import type { ActorId } from '../actors/envelope.ts';
import type { MemberTable } from './member-table.ts';
import type { ResolvedTopologySpec, RouteGraph } from './route-graph.ts';

const NONE: readonly ActorId[] = Object.freeze([]);

/**
 * The route graph of any tree, given by parent pointers over member positions (`parent[root]` is
 * -1). Star (a tree of depth 1) and hierarchical both use it, so they share one routing rule:
 * climb to the nearest common ancestor, then descend.
 *
 * Built in O(n): children are laid out contiguously per parent (no array per node) and a
 * depth-first pass numbers each subtree as an interval [tin, tout). Then "is a an ancestor of b"
 * is O(1), so a route that climbs costs O(1) per hop, one that descends climbs from b in
 * O(depth), and `hops` climbs to the common ancestor in O(depth).
 *
 * @example
 * ```ts
 * const table = indexMembers(['q', 'a', 'b']);
 * const g = treeRoutes('star', { type: 'star', hub: 'q' }, table, Int32Array.from([-1, 0, 0]), 0);
 * g.nextHop('a', 'b'); // 'q'
 * ```
 */
export function treeRoutes(kind: 'star' | 'hierarchical', spec: ResolvedTopologySpec, table: MemberTable, parent: Int32Array, root: number): RouteGraph {
  const { ids, index } = table;
  const n = ids.length;

  // Children of v are childList[childStart[v] .. childStart[v + 1]), in member order.
  const childStart = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) if (parent[v] >= 0) childStart[parent[v] + 1]++;
  for (let v = 0; v < n; v++) childStart[v + 1] += childStart[v];
  const childList = new Int32Array(Math.max(0, n - 1));
  const fill = childStart.slice(0, n);
  for (let v = 0; v < n; v++) if (parent[v] >= 0) childList[fill[parent[v]]++] = v;

  // Iterative depth-first pass (a deep tree must not overflow the call stack): preorder numbers,
  // subtree ends and depths.
  const tin = new Int32Array(n),
    tout = new Int32Array(n),
    depth = new Int32Array(n);
  const order = new Int32Array(n); // preorder
  const stack = new Int32Array(n),
    next = childStart.slice(0, n);
  let top = 0,
    t = 0;
  stack[top++] = root;
  order[t] = root;
  tin[root] = t++;
  while (top > 0) {
    const v = stack[top - 1];
    if (next[v] < childStart[v + 1]) {
      const c = childList[next[v]++];
      depth[c] = depth[v] + 1;
      order[t] = c;
      tin[c] = t++;
      stack[top++] = c;
    } else {
      tout[v] = t;
      top--;
    }
  }
  if (t !== n) throw new Error(`treeRoutes: the parent pointers reach ${t} of ${n} members from the root (a builder bug)`);

  // Diameter: the longest path through each node joins its two tallest child subtrees; visiting
  // in reverse preorder sees every child before its parent.
  const height = new Int32Array(n);
  let diameter = 0;
  for (let k = n - 1; k >= 0; k--) {
    const v = order[k];
    let best = 0,
      second = 0;
    for (let p = childStart[v]; p < childStart[v + 1]; p++) {
      const h = height[childList[p]] + 1;
      if (h > best) {
        second = best;
        best = h;
      } else if (h > second) second = h;
    }
    height[v] = best;
    if (best + second > diameter) diameter = best + second;
  }

  const isAncestor = (a: number, b: number) => tin[a] <= tin[b] && tin[b] < tout[a];
  /**
   * The next node from a towards b. Going down, climb from b to the level just under a: O(depth)
   * and 0 steps for a hub or lead addressing its own child, where a search among a's children
   * would cost O(log n) at a star's hub.
   */
  const step = (a: number, b: number) => {
    if (!isAncestor(a, b)) return parent[a];
    let c = b;
    while (parent[c] !== a) c = parent[c];
    return c;
  };

  // Neighbour lists are made on first use and kept: together they hold 2(n - 1) ids, so caching
  // them all is still O(n), and the scheduler asks for the same nodes again and again.
  const cache: (readonly ActorId[] | undefined)[] = new Array(n);
  const neighboursOf = (v: number): readonly ActorId[] => {
    let list = cache[v];
    if (list === undefined) {
      const out: ActorId[] = parent[v] >= 0 ? [ids[parent[v]]] : [];
      for (let p = childStart[v]; p < childStart[v + 1]; p++) out.push(ids[childList[p]]);
      cache[v] = list = Object.freeze(out);
    }
    return list;
  };

  return Object.freeze({
    kind,
    spec: Object.freeze(spec),
    members: ids,
    diameter,
    neighbours(id: ActorId) {
      const v = index.get(id);
      return v === undefined ? NONE : neighboursOf(v);
    },
    nextHop(from: ActorId, to: ActorId) {
      const a = index.get(from),
        b = index.get(to);
      return a === undefined || b === undefined || a === b ? undefined : ids[step(a, b)];
    },
    hops(from: ActorId, to: ActorId) {
      let a = index.get(from),
        b = index.get(to);
      if (a === undefined || b === undefined) return Infinity;
      let count = 0;
      while (depth[a] > depth[b]) {
        a = parent[a];
        count++;
      }
      while (depth[b] > depth[a]) {
        b = parent[b];
        count++;
      }
      while (a !== b) {
        a = parent[a];
        b = parent[b];
        count += 2;
      }
      return count;
    },
    broadcastChildren(rootId: ActorId, node: ActorId) {
      const r = index.get(rootId),
        v = index.get(node);
      if (r === undefined || v === undefined) return NONE;
      // Re-rooted at r: every tree link of v except the one back towards r.
      const all = neighboursOf(v);
      if (r === v) return all;
      const back = ids[step(v, r)];
      return all.filter((id) => id !== back);
    },
  });
}
