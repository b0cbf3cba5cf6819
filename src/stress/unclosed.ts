import { family } from './schedule.ts';

/**
 * How many of a run's decisions never came to an end: what makes a run "not finished".
 * - A vote ends when it closes: with consensus, without it (`noConsensus`), at its voting
 *   timeout (`timedOut`) or handed to a person (`escalated`). Closing is the protocol's own
 *   end for a vote, and no later heal can reopen it, so none of these is unfinished. (An
 *   escalated vote a person answered is also counted as decided or not: hence the floor at 0.)
 * - A Raft command or a PBFT request ends when the client accepts its result; there
 *   `timedOut` counts those it never accepted (the client gave up at its deadline): unfinished.
 * - Decisions `aborted` (lost with a coordinator or client whose worker died) never closed, in
 *   either kind of run: both counts leave them out of what ended.
 *
 * @example
 * ```ts
 * unclosedDecisions('simple_majority', { attempted: 100, decided: 94, noConsensus: 0, timedOut: 6, escalated: 0 }); // 0
 * unclosedDecisions('pbft', { attempted: 100, decided: 16, noConsensus: 0, timedOut: 84, escalated: 0 }); // 84
 * ```
 */
export function unclosedDecisions(
  protocol: string,
  d: { attempted: number; decided: number; noConsensus: number; timedOut: number; escalated: number },
): number {
  if (family(protocol) !== 'voting') return Math.max(0, d.attempted - d.decided);
  return Math.max(0, d.attempted - d.decided - d.noConsensus - d.timedOut - d.escalated);
}
