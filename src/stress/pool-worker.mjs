// A piscina worker for `conclave stress`: Conclave runs from its TypeScript sources, so the
// worker registers tsx's loader before it imports the run (on Node 20 `--import tsx` in a
// worker's execArgv does not apply before its entry module loads).
import { register } from 'tsx/esm/api';

register();
const { runShare } = await import('./run-case.ts');

/** Runs seeds of the campaign's share until none is left, posting each outcome on `port`, then null. */
export default async function help({ port, ...share }) {
  await runShare(share, (outcome) => port.postMessage(outcome));
  port.postMessage(null);
}
