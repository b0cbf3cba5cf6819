import { resolve } from 'node:path';

/** Where the store lives when nothing says otherwise: under the directory the command runs in. */
export const DEFAULT_STORE = '.conclave/conclave.db';

/**
 * The store file a command uses: `--store PATH`, else `CONCLAVE_STORE`, else
 * `.conclave/conclave.db` under the current directory; `undefined` when the user said
 * `--no-store` (or `CONCLAVE_STORE=off`).
 *
 * @example
 * ```ts
 * const path = storePath({ store: opts.store }); // '/work/project/.conclave/conclave.db'
 * ```
 */
export function storePath(o: { store?: string | false }, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (o.store === false) return undefined;
  const chosen = o.store ?? env.CONCLAVE_STORE;
  if (chosen === 'off') return undefined;
  return resolve(cwd, chosen || DEFAULT_STORE);
}
