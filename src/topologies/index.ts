/**
 * Routing topologies: pure functions from the swarm's members to a route graph. The scheduler
 * imports from here; each file holds one topology or one shared piece.
 */
export { buildTopology } from './build-topology.ts';
export { TOPOLOGY_KINDS } from './route-graph.ts';
export { indexMembers, defaultLeader } from './member-table.ts';
export { buildMesh } from './mesh.ts';
export { buildStar } from './star.ts';
export { buildRing } from './ring.ts';
export { buildHierarchical } from './hierarchical.ts';

export type { BuildTopologyOptions } from './build-topology.ts';
export type { Member, RouteGraph, TopologyKind, TopologySpec, ResolvedTopologySpec } from './route-graph.ts';
export type { MemberTable } from './member-table.ts';
export type { StarOptions } from './star.ts';
export type { RingOptions } from './ring.ts';
export type { HierarchicalOptions } from './hierarchical.ts';
export { selectTopology, validateSelectionRules, DEFAULT_SELECTION_RULES } from './selector.ts';
export type { TaskDescriptor, SelectionRule, Selection, Level } from './selector.ts';
