import { RUNNING_COMPILED } from './module-url.ts';

/** Resolves once tsx's loader is registered in this thread (at most once per thread). */
let tsxRegistered: Promise<void> | undefined;

/**
 * Imports a module a user named by absolute file URL (a behaviour, a consensus policy, an
 * oversight hook). From the sources tsx already loads TypeScript; the compiled package loads its
 * own JavaScript without it, so tsx is registered here, in this thread, only when a user's
 * module is TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`), and a JavaScript-only run never pays for it.
 *
 * @example
 * ```ts
 * const mod = await importUserModule(pathToFileURL('/abs/voter.ts').href);
 * ```
 */
export async function importUserModule(url: string): Promise<Record<string, unknown>> {
  if (RUNNING_COMPILED && /\.[cm]?tsx?$/.test(new URL(url).pathname)) {
    tsxRegistered ??= import('tsx/esm/api').then((tsx) => {
      tsx.register();
    });
    await tsxRegistered;
  }
  return (await import(url)) as Record<string, unknown>;
}
