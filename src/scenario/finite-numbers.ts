/**
 * YAML can write `.nan` and `.inf`; no setting of a scenario or configuration means either (a
 * NaN compares false with every bound, and an Infinity duration is a run that never ends). This
 * finds them anywhere in a file, including the keys only custom policies read, so that the
 * schema's ranges never have to think about them.
 */

/**
 * The path to the first number in `value` that is NaN or infinite, or `undefined`. Iterative
 * (nesting is limited separately), each object visited once.
 *
 * @example
 * ```ts
 * firstNonFinite({ consensus: { custom: [1, NaN] } }); // { path: ['consensus', 'custom', 1], value: NaN }
 * firstNonFinite({ a: 1e308 });                        // undefined: finite (ranges are the schema's)
 * ```
 */
export function firstNonFinite(value: unknown): { path: (string | number)[]; value: number } | undefined {
  const seen = new Set<object>();
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) return { path, value: v };
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    // Pushed in reverse, so the first entry in file order is looked at first.
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}
