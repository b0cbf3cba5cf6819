import { moduleUrl } from '../module-url.ts';
import { fileURLToPath } from 'node:url';
import type { BehaviourRef } from '../actors/registry.ts';
import { byzantineVoter, type ByzantineVoterProps } from '../adversary/byzantine-voter.ts';
import { workerWith, type HiveWorkerProps } from './worker.ts';

/**
 * A Byzantine worker's props: an honest worker's plus what its ballots do wrong (the fault
 * library's kinds: `false_information`, `conflicting_votes`, `silent`, ...).
 *
 * @example
 * ```ts
 * const props: ByzantineHiveWorkerProps = { ...honest, byzantine: ['false_information'] };
 * ```
 */
export type ByzantineHiveWorkerProps = HiveWorkerProps & ByzantineVoterProps;

/**
 * A worker that does its work honestly and lies in its ballots through the fault library's
 * Byzantine voter: the queen's code has no `if (byzantine)`, it only sees votes.
 *
 * @example
 * ```ts
 * await system.spawn('worker_01_01', BYZANTINE_HIVE_WORKER, { props: { ...props, byzantine: ['false_information'] } });
 * ```
 */
export const byzantineHiveWorker = workerWith(byzantineVoter);

/**
 * The Byzantine worker as a behaviour reference; its name ends in `#byzantineHiveWorker`, which
 * the checkers recognise as an adversary when a trace names it at spawn.
 *
 * @example
 * ```ts
 * await system.spawn('worker_01_01', BYZANTINE_HIVE_WORKER, { props });
 * ```
 */
export const BYZANTINE_HIVE_WORKER: BehaviourRef = {
  module: fileURLToPath(moduleUrl('./byzantine-worker.ts', import.meta.url)),
  export: 'byzantineHiveWorker',
};
