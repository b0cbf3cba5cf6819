import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { buildHierarchical } from './hierarchical.ts';
import { indexMembers } from './member-table.ts';
import { buildMesh } from './mesh.ts';
import { buildRing } from './ring.ts';
import { TOPOLOGY_KINDS, type Member, type RouteGraph, type TopologyKind, type TopologySpec } from './route-graph.ts';
import { buildStar } from './star.ts';

/** The options each topology accepts: a misspelt key is an error rather than a silent default. */
const OPTION_KEYS: Readonly<Record<TopologyKind, readonly string[]>> = {
  mesh: [],
  star: ['hub'],
  ring: ['bidirectional'],
  hierarchical: ['teams', 'fanout', 'queen'],
};

const KNOWN = TOPOLOGY_KINDS.map((k) => JSON.stringify(k)).join(', ');

/**
 * Where `buildTopology` reports errors: the field path of the spec and of the member list, so an
 * error in a scenario file can point at its own line (`schedule[2].switch_topology.hub`).
 *
 * @example
 * ```ts
 * buildTopology(entry.switch_topology, members, { path: 'schedule[2].switch_topology' });
 * ```
 */
export interface BuildTopologyOptions {
  /** Path of the spec in errors (default `'topology'`). */
  readonly path?: string;
  /** Path of the member list in errors (default `'members'`). */
  readonly membersPath?: string;
}

/**
 * Builds the route graph of a topology over the swarm's members. Pure and deterministic: the same
 * spec and members (in the same order) give the same routes, so every host can build its own copy.
 * O(n) time and memory for every topology (O(n log fanout) at worst for a hierarchy).
 *
 * Bad input is a ConfigError naming the field: `topology` / `topology.type` (unknown name; the
 * message lists the known ones), `topology.<key>` (an option the topology does not have),
 * `topology.hub` / `topology.queen` (not a member), `topology.teams` (not an integer >= 1, or fewer
 * than the teams the members name), `topology.fanout` (not an integer >= 2),
 * `topology.bidirectional` (not a boolean), `members` (not an array, or empty), `members[i].id`
 * (missing, empty, or a duplicate), `members[i].role`, `members[i].team`.
 *
 * @example
 * ```ts
 * const g = buildTopology({ type: 'star', hub: 'q' }, ['q', 'a', 'b']);
 * g.nextHop('a', 'b'); // 'q'
 * buildTopology('torus', ['a']); // throws ConfigError at "topology": expected one of "mesh", "star", "ring", "hierarchical"
 * ```
 */
export function buildTopology(spec: TopologySpec, members: readonly (Member | ActorId)[], options: BuildTopologyOptions = {}): RouteGraph {
  const path = options.path ?? 'topology';
  const { type, settings } = parseSpec(spec, path);
  const table = indexMembers(members, options.membersPath ?? 'members');
  switch (type) {
    case 'mesh':
      return buildMesh(table);
    case 'star':
      return buildStar(table, settings, path);
    case 'ring':
      return buildRing(table, settings, path);
    case 'hierarchical':
      return buildHierarchical(table, settings, path);
  }
}

/** Checks the shape of a spec (not yet against the members) and normalises a bare name to an object. */
function parseSpec(spec: unknown, path: string): { type: TopologyKind; settings: Record<string, unknown> } {
  if (typeof spec === 'string') {
    if (!isKind(spec)) throw new ConfigError(path, `one of ${KNOWN}`, spec);
    return { type: spec, settings: {} };
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ConfigError(path, `a topology name (${KNOWN}) or { type, ...options }`, spec);
  }
  const settings = spec as Record<string, unknown>;
  const type = settings.type;
  if (!isKind(type)) throw new ConfigError(`${path}.type`, `one of ${KNOWN}`, type);
  const allowed = OPTION_KEYS[type];
  for (const key of Object.keys(settings)) {
    if (key === 'type' || allowed.includes(key)) continue;
    const known = allowed.length ? allowed.join(', ') : 'none';
    throw new ConfigError(`${path}.${key}`, `an option a ${type} topology has (${known})`, settings[key]);
  }
  return { type, settings };
}

const isKind = (v: unknown): v is TopologyKind => typeof v === 'string' && (TOPOLOGY_KINDS as readonly string[]).includes(v);
