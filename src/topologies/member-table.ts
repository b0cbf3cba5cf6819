import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import type { Member } from './route-graph.ts';

/**
 * A validated member list with an id -> position index. Every builder works on positions (small
 * integers into typed arrays) rather than ids, which is what keeps building O(n) and routing O(1)
 * or O(depth) without per-pair tables.
 *
 * @example
 * ```ts
 * const table = indexMembers(['a', { id: 'b', role: 'queen' }]);
 * table.index.get('b'); // 1
 * ```
 */
export interface MemberTable {
  readonly members: readonly Member[];
  /** Frozen: handed out as `RouteGraph.members` without copying. */
  readonly ids: readonly ActorId[];
  readonly index: ReadonlyMap<ActorId, number>;
}

/**
 * Validates a member list (bare ids or `Member` objects) and indexes it. Errors name the field:
 * `members` (not a non-empty array), `members[3]`, `members[3].id` (missing, empty or a
 * duplicate), `members[3].role`, `members[3].team`.
 *
 * @example
 * ```ts
 * indexMembers([{ id: 'a' }, { id: 'a' }]); // throws ConfigError at "members[1].id"
 * ```
 */
export function indexMembers(members: unknown, path = 'members'): MemberTable {
  if (!Array.isArray(members)) throw new ConfigError(path, 'an array of member ids or { id, role?, team? }', members);
  if (members.length === 0) throw new ConfigError(path, 'at least one member', members);
  const out: Member[] = new Array(members.length);
  const ids: ActorId[] = new Array(members.length);
  const index = new Map<ActorId, number>();
  for (let i = 0; i < members.length; i++) {
    const raw: unknown = members[i];
    const m = typeof raw === 'string' ? { id: raw } : (raw as Member);
    if (typeof m !== 'object' || m === null) throw new ConfigError(`${path}[${i}]`, 'a member id or { id, role?, team? }', raw);
    if (typeof m.id !== 'string' || m.id.length === 0) throw new ConfigError(`${path}[${i}].id`, 'a non-empty string', m.id);
    if (m.role !== undefined && typeof m.role !== 'string') throw new ConfigError(`${path}[${i}].role`, 'a string', m.role);
    if (m.team !== undefined && typeof m.team !== 'string' && !(typeof m.team === 'number' && Number.isFinite(m.team))) {
      throw new ConfigError(`${path}[${i}].team`, 'a string or a finite number', m.team);
    }
    const seen = index.get(m.id);
    if (seen !== undefined) throw new ConfigError(`${path}[${i}].id`, `a unique id ("${m.id}" is also ${path}[${seen}].id)`, m.id);
    index.set(m.id, i);
    ids[i] = m.id;
    out[i] = m;
  }
  return { members: out, ids: Object.freeze(ids), index };
}

/**
 * The position of the default hub / queen: the first member whose role is `'coordinator'` or
 * `'queen'` (whichever comes first in member order, so the caller's order decides a tie), else 0.
 *
 * @example
 * ```ts
 * defaultLeader(indexMembers(['a', { id: 'b', role: 'coordinator' }])); // 1
 * ```
 */
export function defaultLeader(table: MemberTable): number {
  const i = table.members.findIndex((m) => m.role === 'coordinator' || m.role === 'queen');
  return i < 0 ? 0 : i;
}

/**
 * The position of an optional member id given as an option (`hub`, `queen`), or `fallback` when the
 * option is absent. A value that is not a member's id is a ConfigError at `path`.
 *
 * @example
 * ```ts
 * memberOption(indexMembers(['a', 'b']), 'c', 'topology.hub', 0); // throws ConfigError at "topology.hub"
 * ```
 */
export function memberOption(table: MemberTable, value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const i = typeof value === 'string' ? table.index.get(value) : undefined;
  if (i === undefined) throw new ConfigError(path, `the id of a member (${listIds(table.ids)})`, value);
  return i;
}

/** A short list of ids for error messages: enough to spot a typo, bounded for 10,000 members. */
function listIds(ids: readonly ActorId[]): string {
  const shown = ids
    .slice(0, 5)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > 5 ? `${shown}, ... ${ids.length - 5} more` : shown;
}
