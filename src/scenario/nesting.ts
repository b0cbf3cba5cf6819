/**
 * How deeply a YAML file nests. The YAML parser recurses per flow level (`[[[...]]]`) and gives up
 * with "Maximum call stack size exceeded" somewhere past a thousand levels; block nesting parses,
 * but every later step that walks the value (structured clone to workers, JSON in traces) recurses
 * too. Both are measured here without recursion, so the loader can name the problem.
 */
import { MAX_NESTING } from './bounds.ts';

/**
 * The deepest `[`/`{` nesting in YAML text, skipping quoted strings and comments. An estimate for
 * messages (a `[` inside a block scalar counts too), used only once the parser has failed.
 *
 * @example
 * ```ts
 * flowDepth('a: [[1, {b: 2}]]'); // 3
 * ```
 */
export function flowDepth(text: string): { depth: number; offset: number } {
  let depth = 0;
  let best = { depth: 0, offset: 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const before = i === 0 ? '\n' : text[i - 1];
    if (c === '#' && /\s/.test(before)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || (c === "'" && /[\s[{,:]/.test(before))) {
      // A quoted scalar: skip to its closing quote ('' escapes ' ; \ escapes in "...").
      for (i++; i < text.length; i++) {
        if (c === '"' && text[i] === '\\') i++;
        else if (text[i] === c) {
          if (c === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > best.depth) best = { depth, offset: i };
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return best;
}

/**
 * The path to the first point of `value` nested deeper than `max` levels (a scalar at the top is
 * level 0; `{ a: [1] }` reaches level 2), or `undefined` when it stays within `max`. Iterative,
 * so any depth is safe to measure; each object is visited once, so aliases cannot blow it up.
 *
 * @example
 * ```ts
 * tooDeep({ a: { b: { c: 1 } } }, 2); // { path: ['a', 'b', 'c'], depth: 3 }
 * tooDeep({ a: 1 }, 2);               // undefined
 * ```
 */
export function tooDeep(value: unknown, max = MAX_NESTING): { path: (string | number)[]; depth: number } | undefined {
  const seen = new Set<object>();
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [key, child] of entries) {
      const at = [...path, key];
      if (at.length > max) return { path: at, depth: deepest(child, at.length) };
      stack.push({ value: child, path: at });
    }
  }
  return undefined;
}

/** The full depth below a point already too deep, for the message (iterative, as above). */
function deepest(value: unknown, from: number): number {
  let best = from;
  const stack: [unknown, number][] = [[value, from]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    best = Math.max(best, d);
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return best;
}
