/**
 * How configuration layers combine: mappings merge key by key (deeply), anything else (lists,
 * scalars) is replaced by the later layer's value.
 */

/**
 * `over` merged onto `base`: a key in both whose values are both mappings is merged deeply;
 * otherwise `over`'s value wins (a list replaces a list). Neither input is changed.
 *
 * @example
 * ```ts
 * deepMerge({ consensus: { algorithm: 'raft', raft: { heartbeat: 50 } }, tags: ['a'] },
 *           { consensus: { raft: { election_timeout_min: 1000 } }, tags: ['b'] });
 * // { consensus: { algorithm: 'raft', raft: { heartbeat: 50, election_timeout_min: 1000 } }, tags: ['b'] }
 * ```
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    // defineProperty: a key named "__proto__" in a file is a key, not a prototype.
    Object.defineProperty(out, key, {
      value: Object.hasOwn(base, key) ? deepMerge(base[key], value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * True for a plain mapping (not null, not a list).
 *
 * @example
 * ```ts
 * isMapping({ a: 1 }); // true
 * isMapping([1]);      // false
 * ```
 */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every leaf of a mapping as a dotted path and its value (a list is a leaf).
 *
 * @example
 * ```ts
 * leafPaths({ consensus: { raft: { heartbeat: 50 } }, tags: ['a'] }); // [['consensus.raft.heartbeat', 50], ['tags', ['a']]]
 * ```
 */
export function leafPaths(value: unknown, prefix = ''): [string, unknown][] {
  if (!isMapping(value) || (prefix !== '' && Object.keys(value).length === 0)) return prefix === '' ? [] : [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}
