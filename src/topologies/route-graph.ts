import type { ActorId } from '../actors/envelope.ts';

/**
 * One swarm member as the topology sees it: its id, and optionally a role (`'queen'` or
 * `'coordinator'` picks the default star hub and hierarchy root) and a team (members that name the
 * same team share a team lead in a hierarchy; `1` and `'1'` are the same team).
 *
 * @example
 * ```ts
 * const members: Member[] = [{ id: 'q', role: 'queen' }, { id: 'a1', team: 'a' }, { id: 'b1', team: 'b' }];
 * buildTopology('hierarchical', members).nextHop('a1', 'b1'); // climbs towards 'q'
 * ```
 */
export interface Member {
  readonly id: ActorId;
  readonly role?: string;
  readonly team?: string | number;
}

/**
 * The four topologies, by name.
 *
 * @example
 * ```ts
 * const kind: TopologyKind = buildTopology('ring', ['a', 'b', 'c']).kind; // 'ring'
 * ```
 */
export type TopologyKind = 'mesh' | 'star' | 'ring' | 'hierarchical';

/**
 * Every topology name, in the order error messages list them.
 *
 * @example
 * ```ts
 * TOPOLOGY_KINDS.includes('star'); // true
 * ```
 */
export const TOPOLOGY_KINDS: readonly TopologyKind[] = Object.freeze(['mesh', 'star', 'ring', 'hierarchical'] as const);

/**
 * What a caller asks for: a bare name (all defaults), or an object with options.
 * - star: `hub` (default: the first member whose role is `'coordinator'` or `'queen'`, else the first member).
 * - ring: `bidirectional` (default `true`); members are linked in the order given.
 * - hierarchical: `queen` (default as for the hub), `teams` (default `ceil(sqrt(n - 1))`, at least
 *   the number of teams the members name), `fanout` (default: no limit; at least 2).
 *
 * @example
 * ```ts
 * const specs: TopologySpec[] = ['mesh', { type: 'star', hub: 'q' }, { type: 'ring', bidirectional: false },
 *   { type: 'hierarchical', teams: 4, fanout: 8 }];
 * ```
 */
export type TopologySpec =
  | TopologyKind
  | { readonly type: 'mesh' }
  | { readonly type: 'star'; readonly hub?: ActorId }
  | { readonly type: 'ring'; readonly bidirectional?: boolean }
  | { readonly type: 'hierarchical'; readonly teams?: number; readonly fanout?: number; readonly queen?: ActorId };

/**
 * A spec with the choices made explicit (the hub or queen actually used, the ring's direction), so a
 * trace can say exactly which graph was in force. `teams` and `fanout` stay as given (absent means
 * the default). Rebuild on a membership change from the caller's original spec, not from this one:
 * the resolved hub or queen may be the member that left.
 *
 * @example
 * ```ts
 * buildTopology('star', [{ id: 'a' }, { id: 'c', role: 'coordinator' }]).spec; // { type: 'star', hub: 'c' }
 * ```
 */
export type ResolvedTopologySpec =
  | { readonly type: 'mesh' }
  | { readonly type: 'star'; readonly hub: ActorId }
  | { readonly type: 'ring'; readonly bidirectional: boolean }
  | { readonly type: 'hierarchical'; readonly queen: ActorId; readonly teams?: number; readonly fanout?: number };

/**
 * The routes of one topology over one member list: who links to whom, and which way a message
 * goes. Immutable; the data fields (`kind`, `spec`, `members`, `diameter`) are plain and survive
 * `JSON.stringify`, the queries are closures over index arrays. Every query is O(1) or O(tree
 * depth) except `neighbours` / `broadcastChildren` of a node linked to everyone (mesh, a star's
 * hub), which are O(n) because they return n - 1 ids.
 *
 * Invariants (checked by property tests): following `nextHop` from any member reaches any other in
 * exactly `hops` steps, each step to a neighbour; `diameter` is the largest `hops`; the
 * `broadcastChildren` of a root span every member once, each at depth `hops(root, member)`.
 *
 * @example
 * ```ts
 * const g = buildTopology('ring', ['a', 'b', 'c', 'd', 'e']);
 * g.nextHop('a', 'd'); // 'e' (the shorter way round)
 * g.hops('a', 'd');    // 2
 * g.diameter;          // 2
 * ```
 */
export interface RouteGraph {
  /** Which topology this is. */
  readonly kind: TopologyKind;
  /** The options in force, with defaults that depend on the members (hub, queen) made explicit. */
  readonly spec: ResolvedTopologySpec;
  /** The members, in the order given. */
  readonly members: readonly ActorId[];
  /** The largest number of hops between two members (0 for a single member). */
  readonly diameter: number;
  /**
   * The members `id` links to directly; empty for a non-member. Symmetric except in a
   * forward-only ring, where it is the successor only.
   */
  neighbours(id: ActorId): readonly ActorId[];
  /** The neighbour of `from` a message for `to` goes to next; `undefined` when `from === to` or either is not a member. */
  nextHop(from: ActorId, to: ActorId): ActorId | undefined;
  /** How many deliveries a message from `from` to `to` takes (0 to itself; `Infinity` if either is not a member). */
  hops(from: ActorId, to: ActorId): number;
  /**
   * The members `node` forwards a broadcast from `root` to; empty for a leaf or a non-member.
   * Starting at `root` and following this relation reaches every member exactly once, along the
   * same paths `nextHop` takes from `root`.
   */
  broadcastChildren(root: ActorId, node: ActorId): readonly ActorId[];
}
