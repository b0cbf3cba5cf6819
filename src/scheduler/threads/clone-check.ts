/**
 * Finds why a value cannot cross a thread boundary: returns the path of the first part that
 * structured clone rejects (e.g. `body.callback` — a function) and the clone error, or undefined
 * when the value clones fine. Only called after a post failed, so its cost is off the hot path.
 *
 * @example
 * ```ts
 * findUncloneable({ a: 1, f: () => 0 }, 'body'); // { path: 'body.f', error: '...could not be cloned' }
 * ```
 */
export function findUncloneable(value: unknown, path: string): { path: string; error: string } | undefined {
  try {
    structuredClone(value);
    return undefined;
  } catch (e) {
    const error = (e as Error).message;
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        const inner = findUncloneable(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`);
        if (inner) return inner;
      }
    }
    return { path, error };
  }
}
