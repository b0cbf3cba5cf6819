import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Starts a worker on an entry module. Compiled `.js` entries load directly. A `.ts` entry (when
 * running from source) starts from a tiny eval stub that registers tsx's loader first: on Node 20
 * `--import tsx` in a worker's execArgv does not apply before the entry module loads.
 *
 * @example
 * ```ts
 * const w = startWorker(new URL('./worker-main.ts', import.meta.url), { workerData });
 * ```
 */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(fileURLToPath(entry), options);
  // tsx's ESM API registers its hooks in this thread (its CJS build mis-resolves from an eval
  // worker, so take the .mjs beside it); then the entry can be .ts.
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const stub = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(stub, { ...options, eval: true });
}
