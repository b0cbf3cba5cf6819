// A piscina worker for runs shared by a campaign's threads (src/sweep/shared-pool.ts). Conclave
// runs from its TypeScript sources, so the worker registers tsx's loader before it imports the
// runner (on Node 20 `--import tsx` in a worker's execArgv does not apply before its entry
// module loads).
import { register } from 'tsx/esm/api';

register();
const { workShare } = await import('./shared-pool.ts');

/** Runs tasks of the share with the named runner until none is left, posting each [index, result] on `port`, then null. */
export default async function help({ port, runner, ...share }) {
  const run = (await import(runner.module))[runner.export];
  await workShare(share, run, (index, result) => port.postMessage([index, result]));
  port.postMessage(null);
}
