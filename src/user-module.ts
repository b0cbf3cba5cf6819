import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNNING_COMPILED } from './module-url.ts';

/** Resolves once tsx's loader is registered in this thread (at most once per thread). */
let tsxRegistered: Promise<void> | undefined;

/**
 * Imports a module a user named (a behaviour, a consensus policy, an oversight hook, a worker
 * preload): an absolute path, a `file:` URL or a `data:` URL.
 *
 * - From the sources tsx already loads TypeScript. The compiled package loads its own
 *   JavaScript without it, so tsx is registered here, in this thread, only when a user's module
 *   is TypeScript: a JavaScript-only run never pays for it.
 * - A `.ts` file outside a `"type": "module"` package (say `/tmp/voter.ts` with no package.json)
 *   is CommonJS by Node's rules, but users write it as an ES module; imported plainly, tsx's
 *   CommonJS path fails on Node 20 ("Cannot require() ES Module … in a cycle") or hides its named
 *   exports. Such a file is imported with tsx's `tsImport`, which reads it as an ES module.
 *
 * @example
 * ```ts
 * const mod = await importUserModule('/abs/voter.ts');
 * ```
 */
export async function importUserModule(spec: string): Promise<Record<string, unknown>> {
  const url = isAbsolute(spec) ? pathToFileURL(spec).href : spec;
  const file = url.startsWith('file:') ? fileURLToPath(url) : undefined;
  if (file !== undefined && /\.tsx?$/.test(file) && !inModuleScope(file)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  if (RUNNING_COMPILED && file !== undefined && /\.[cm]?tsx?$/.test(file)) {
    tsxRegistered ??= import('tsx/esm/api').then((tsx) => {
      tsx.register();
    });
    await tsxRegistered;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** Whether the nearest package.json above `file` says `"type": "module"` (Node's rule for .ts/.js). */
function inModuleScope(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false; // Node, too, stops at the nearest package.json, readable or not
      }
    }
    if (dirname(dir) === dir) return false;
  }
}
