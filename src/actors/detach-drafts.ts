import { current, isDraft } from 'immer';

/**
 * Replaces every immer draft inside `value` by its current value, copying only the objects on
 * the path to a draft (the rest is shared). Message bodies, trace events and replacement states
 * built from a draft would otherwise carry proxies that are revoked when the turn ends.
 * Frozen objects are finished snapshots and cannot hold drafts, so they are not walked.
 *
 * @example
 * ```ts
 * ctx.send(peer, { kind: 'log', body: { wrap: { items: state.list } } }); // the runtime detaches it
 * ```
 */
export function detachDrafts<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, seen: Set<object> | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isDraft(value)) return current(value);
  if (Object.isFrozen(value)) return value;
  if (seen?.has(value)) return value;
  (seen ??= new Set()).add(value);
  let copy: Record<string, unknown> | unknown[] | undefined;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [k, v] of entries) {
    const w = walk(v, seen);
    if (w !== v) {
      copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
      (copy as Record<string | number, unknown>)[k] = w;
    }
  }
  return copy ?? value;
}
