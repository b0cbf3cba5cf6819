// A piscina worker for runs shared by a campaign's threads (src/sweep/shared-pool.ts). From the
// TypeScript sources it registers tsx's loader before it imports the runner (on Node 20
// `--import tsx` in a worker's execArgv does not apply before its entry module loads); in the
// compiled package (dist/, where shared-pool.js sits beside this file) it needs no loader.
import { existsSync } from 'node:fs';

const compiled = existsSync(new URL('./shared-pool.js', import.meta.url));
if (!compiled) (await import('tsx/esm/api')).register();
const { workShare } = await import(compiled ? './shared-pool.js' : './shared-pool.ts');

/** Runs tasks of the share with the named runner until none is left, posting each [index, result] on `port`, then null. */
export default async function help({ port, runner, ...share }) {
  const run = (await import(runner.module))[runner.export];
  await workShare(share, run, (index, result) => port.postMessage([index, result]));
  port.postMessage(null);
}
