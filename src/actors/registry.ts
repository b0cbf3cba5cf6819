import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { BehaviourLoadError, ConfigError, UnknownBehaviourError } from '../errors.ts';
import { isBehaviour, type Behaviour } from './behaviour.ts';
import { importUserModule } from '../user-module.ts';

/**
 * How a behaviour is named so that a worker thread can load it: a registry id, or a module path
 * plus export name (for behaviours users write themselves).
 *
 * @example
 * ```ts
 * const a: BehaviourRef = 'echo';
 * const b: BehaviourRef = { module: '/abs/path/voter.ts', export: 'voter' };
 * ```
 */
export type BehaviourRef = string | { readonly module: string; readonly export: string };

const registry = new Map<string, Behaviour>();

/**
 * Behaviour modules imported so far, by URL. `import()` of a loaded module returns the same
 * namespace, but only after a resolve that a loader hook (tsx) serves on its own thread: a
 * round trip per spawn, which a stress campaign of short runs (8 spawns each) pays thousands
 * of times.
 */
const imported = new Map<string, Record<string, unknown>>();

/**
 * Registers a behaviour under an id in this thread's registry. In threads mode, do it in a
 * module the workers preload (`preload` option) so every worker knows the id.
 *
 * @example
 * ```ts
 * registerBehaviour('counter', { init: () => ({ n: 0 }), receive: (s) => { s.n++; } });
 * ```
 */
export function registerBehaviour(id: string, behaviour: Behaviour): void {
  if (typeof id !== 'string' || id.length === 0) throw new ConfigError('registerBehaviour.id', 'a non-empty string', id);
  if (!isBehaviour(behaviour))
    throw new ConfigError(`registerBehaviour(${JSON.stringify(id)})`, 'an object with init(ctx) and receive(state, envelope, ctx)', behaviour);
  registry.set(id, behaviour);
}

/**
 * The ids registered in this thread.
 *
 * @example
 * ```ts
 * registeredBehaviours().includes('echo'); // true once the built-in library is loaded
 * ```
 */
export function registeredBehaviours(): string[] {
  return [...registry.keys()].sort();
}

/**
 * A printable name for a ref: the id, or `module#export`.
 *
 * @example
 * ```ts
 * refName('echo'); // 'echo'
 * refName({ module: '/abs/path/voter.ts', export: 'voter' }); // '/abs/path/voter.ts#voter'
 * ```
 */
export function refName(ref: BehaviourRef): string {
  return typeof ref === 'string' ? ref : `${ref.module}#${ref.export}`;
}

/** Checks a ref's shape, naming `path` in the error. */
export function validateRef(ref: unknown, path: string): BehaviourRef {
  if (typeof ref === 'string' && ref.length > 0) return ref;
  if (
    typeof ref === 'object' &&
    ref !== null &&
    typeof (ref as { module?: unknown }).module === 'string' &&
    typeof (ref as { export?: unknown }).export === 'string'
  ) {
    const { module, export: name } = ref as { module: string; export: string };
    return { module, export: name };
  }
  throw new ConfigError(path, `a behaviour id (string) or { module: string, export: string }`, ref);
}

/**
 * The behaviour a ref names if it is already loaded in this thread (registered, or its module
 * imported by `loadBehaviour`), else undefined: for a caller that cannot wait for an import, such
 * as sim-mode fault control acting between two events of the virtual clock.
 *
 * @example
 * ```ts
 * await loadBehaviour(BYZANTINE_VOTER);
 * loadedBehaviour(BYZANTINE_VOTER); // the behaviour, at once
 * ```
 */
export function loadedBehaviour(ref: BehaviourRef): Behaviour | undefined {
  if (typeof ref === 'string') return registry.get(ref);
  const url = ref.module.startsWith('file:') ? ref.module : isAbsolute(ref.module) ? pathToFileURL(ref.module).href : undefined;
  const b = url === undefined ? undefined : imported.get(url)?.[ref.export];
  return isBehaviour(b) ? b : undefined;
}

/**
 * Resolves a ref to a behaviour in this thread, importing its module if needed.
 *
 * @example
 * ```ts
 * const echoBehaviour = await loadBehaviour('echo'); // UnknownBehaviourError if not registered
 * const voter = await loadBehaviour({ module: '/abs/path/voter.ts', export: 'voter' });
 * ```
 */
export async function loadBehaviour(ref: BehaviourRef): Promise<Behaviour> {
  if (typeof ref === 'string') {
    const b = registry.get(ref);
    if (!b) throw new UnknownBehaviourError(ref, registeredBehaviours());
    return b;
  }
  const url = ref.module.startsWith('file:') ? ref.module : isAbsolute(ref.module) ? pathToFileURL(ref.module).href : undefined;
  if (!url)
    throw new BehaviourLoadError(
      ref.module,
      ref.export,
      'the module path must be absolute or a file: URL (workers do not share your working directory assumptions)',
    );
  let mod = imported.get(url);
  if (mod === undefined) {
    try {
      mod = await importUserModule(url);
    } catch (e) {
      throw new BehaviourLoadError(ref.module, ref.export, `import failed (${(e as Error).message})`, e);
    }
    imported.set(url, mod);
  }
  const b = mod[ref.export];
  if (!isBehaviour(b))
    throw new BehaviourLoadError(
      ref.module,
      ref.export,
      b === undefined ? `the module has no export "${ref.export}" (exports: ${Object.keys(mod).join(', ') || 'none'})` : 'the export is not a behaviour',
    );
  return b;
}
