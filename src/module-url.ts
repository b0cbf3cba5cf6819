/**
 * Whether this copy of Conclave runs compiled (`dist/**.js`) or from its TypeScript sources
 * (`src/**.ts` under tsx or vitest). Files that hand a module path to a worker thread (actor
 * hosts, behaviour refs, pool tasks, the store's writer) name it as it is loaded in this copy:
 * a compiled package has no `.ts` files, and a source checkout has no `.js` ones.
 */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');

/**
 * The URL of a module next to `base` (an `import.meta.url`), given by its source name
 * (`./worker-main.ts`): the same name when running from source, `.js` when running compiled.
 *
 * @example
 * ```ts
 * const entry = moduleUrl('./worker-main.ts', import.meta.url); // .../dist/scheduler/threads/worker-main.js when compiled
 * ```
 */
export function moduleUrl(source: string, base: string): URL {
  return new URL(RUNNING_COMPILED ? source.replace(/\.ts$/, '.js') : source, base);
}
