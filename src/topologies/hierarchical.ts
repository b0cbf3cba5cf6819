import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { defaultLeader, memberOption, type MemberTable } from './member-table.ts';
import type { RouteGraph } from './route-graph.ts';
import { treeRoutes } from './tree-routes.ts';

/**
 * Options of a hierarchy.
 *
 * @example
 * ```ts
 * const options: HierarchicalOptions = { queen: 'q', teams: 3, fanout: 4 };
 * ```
 */
export interface HierarchicalOptions {
  /** The root (default: the first member whose role is `'queen'` or `'coordinator'`, else the first member). */
  readonly queen?: ActorId;
  /**
   * How many team leads sit under the queen (default `ceil(sqrt(n - 1))`, raised to the number of
   * distinct teams the members name). Capped by the members available: each team needs a member
   * to lead it. Fewer than the teams the members name is a ConfigError, since it would merge them.
   */
  readonly teams?: number;
  /**
   * The most children any node may have (default: no limit, at least 2); more are pushed down a
   * level. At 2, leads chain (each keeps a slot for its team): prefer 3 or more, or fewer teams.
   */
  readonly fanout?: number;
}

/**
 * The hierarchy over validated members: the queen at the root, one lead per team under it, each
 * team's other members under their lead. Members that name a `team` join that team; the others are
 * split, in member order, into contiguous teams of near-equal size (or, when the named teams already
 * fill the `teams` count, dealt round-robin into them). A team's lead is its first member.
 *
 * With `fanout`, a node that would have too many children keeps the first ones and the rest hang
 * breadth-first under those (leads under leads, members under members of their own team), which
 * adds levels only as needed. A lead keeps one slot for its own team, so a team is never routed
 * through another team's members; the price is that leads adopt at most fanout - 1 other leads, so
 * at fanout 2 the leads form two chains (depth about teams / 2). From fanout 3 up, every level
 * grows geometrically and depth is logarithmic.
 *
 * Routes climb to the nearest common ancestor and descend. Use
 * `buildTopology({ type: 'hierarchical', ... }, members)` unless you already hold a MemberTable.
 *
 * @example
 * ```ts
 * const members = [{ id: 'q', role: 'queen' }, { id: 'a1', team: 'a' }, { id: 'a2', team: 'a' },
 *   { id: 'b1', team: 'b' }, { id: 'b2', team: 'b' }];
 * const g = buildHierarchical(indexMembers(members));
 * g.nextHop('a2', 'b2'); // 'a1' (a's lead), then 'q', then 'b1', then 'b2'
 * g.hops('a2', 'b2');    // 4
 * ```
 */
export function buildHierarchical(table: MemberTable, options: HierarchicalOptions = {}, path = 'topology'): RouteGraph {
  const { teams, fanout } = options;
  if (teams !== undefined && !(Number.isInteger(teams) && teams >= 1)) throw new ConfigError(`${path}.teams`, 'an integer >= 1', teams);
  if (fanout !== undefined && !(Number.isInteger(fanout) && fanout >= 2)) {
    throw new ConfigError(`${path}.fanout`, 'an integer >= 2 (the most children per node)', fanout);
  }
  const queen = memberOption(table, options.queen, `${path}.queen`, defaultLeader(table));
  const groups = formTeams(table, queen, teams, path);

  const n = table.ids.length;
  const limit = fanout ?? Infinity;
  const parent = new Int32Array(n).fill(-1);
  const slots = new Float64Array(n); // children each node may still take (Infinity without a fanout)
  slots[queen] = limit;
  // Leads under the queen. A lead with a team keeps one slot back for it, so no fanout ever
  // forces a team's members under another team.
  const leads = new Int32Array(groups.length),
    leadSlots = new Float64Array(groups.length);
  groups.forEach((g, k) => {
    leads[k] = g[0];
    leadSlots[k] = g.length > 1 ? limit - 1 : limit;
  });
  const queue = new Int32Array(n); // scratch for placeUnder, shared by every call
  placeUnder(parent, slots, queue, queen, leads, 0, leadSlots);
  for (const group of groups) {
    if (group.length === 1) continue;
    slots[group[0]] += 1; // the slot the lead kept back
    placeUnder(parent, slots, queue, group[0], group, 1, limit);
  }

  const spec = { type: 'hierarchical' as const, queen: table.ids[queen], ...(teams !== undefined && { teams }), ...(fanout !== undefined && { fanout }) };
  return treeRoutes('hierarchical', spec, table, parent, queen);
}

/**
 * Splits every member but the queen into teams (lists of positions, lead first). Named teams come
 * first, in order of first appearance; team names are compared as strings, since a scenario file
 * may spell team 1 as `1` or `'1'`.
 */
function formTeams(table: MemberTable, queen: number, teams: number | undefined, path: string): number[][] {
  const named = new Map<string, number[]>();
  const loose: number[] = [];
  const { members } = table;
  for (let i = 0; i < members.length; i++) {
    const team = members[i].team;
    if (i === queen) continue; // the queen leads everyone; a team it names does not move it
    if (team === undefined) {
      loose.push(i);
      continue;
    }
    const key = String(team);
    const group = named.get(key);
    if (group) group.push(i);
    else named.set(key, [i]);
  }
  const k = named.size;
  if (teams !== undefined && teams < k) {
    throw new ConfigError(`${path}.teams`, `an integer >= ${k}, the number of distinct teams the members name`, teams);
  }
  const target = teams ?? Math.max(k, Math.ceil(Math.sqrt(table.ids.length - 1)));
  const groups = [...named.values()];
  const extra = Math.min(target - k, loose.length);
  if (extra > 0) {
    for (let c = 0; c < extra; c++) {
      groups.push(loose.slice(Math.floor((c * loose.length) / extra), Math.floor(((c + 1) * loose.length) / extra)));
    }
  } else {
    for (let j = 0; j < loose.length; j++) groups[j % k].push(loose[j]);
  }
  return groups;
}

/**
 * Hangs items[from..] under `root`, breadth-first: each item goes to the earliest placed node with a
 * free slot, then offers its own slots (`offer`: one count for all, or one per item). That keeps
 * the added levels as few as the fanout allows. Every item offers at least one slot (fanout >= 2),
 * so a free slot always exists. Typed arrays and no closures: this runs once per member, often
 * cold (the first switch of a run), where the interpreter's per-operation cost dominates.
 */
function placeUnder(
  parent: Int32Array,
  slots: Float64Array,
  queue: Int32Array,
  root: number,
  items: ArrayLike<number>,
  from: number,
  offer: number | Float64Array,
): void {
  let head = 0,
    tail = 0;
  queue[tail++] = root;
  for (let k = from; k < items.length; k++) {
    while (slots[queue[head]] <= 0) head++;
    const p = queue[head],
      item = items[k];
    parent[item] = p;
    slots[p]--;
    slots[item] = typeof offer === 'number' ? offer : offer[k];
    queue[tail++] = item;
  }
}
