import { moduleUrl } from '../module-url.ts';
import { fileURLToPath } from 'node:url';
import type { Draft } from 'immer';
import type { Behaviour } from '../actors/behaviour.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import { voter, type VoterProps } from '../protocols/voting/voter.ts';
import { asWork, type ResultMessage, type WorkMessage } from './messages.ts';
import type { TaskKind } from './types.ts';
import { drawWork } from './worker-model.ts';

/**
 * A simulated worker's props: the voter's (its role, its accuracy on decisions, the sound option
 * it sees with that accuracy) plus its lead and its skill per kind.
 *
 * @example
 * ```ts
 * const props: HiveWorkerProps = { role: 'worker', accuracy: 0.85, truth: 'sound-design', lead: 'lead_01', skills: { code: 0.9 } };
 * ```
 */
export interface HiveWorkerProps extends VoterProps {
  readonly lead: string;
  readonly skills: Readonly<Partial<Record<TaskKind, number>>>;
}

/** A worker's state: the attempt it is on, the ones waiting, and its voter's own state. */
export interface HiveWorkerState {
  current: WorkMessage | null;
  queue: WorkMessage[];
  vote: unknown;
}

/** Skill assumed for a kind a worker has none listed for. */
export const UNSKILLED = 0.2;

function start(state: HiveWorkerState, work: WorkMessage, ctx: Parameters<Behaviour<HiveWorkerState, HiveWorkerProps>['receive']>[2]): void {
  state.current = work;
  const d = drawWork(work.task, ctx.props.skills[work.task.kind] ?? UNSKILLED, work.coordination, () => ctx.random());
  const result: ResultMessage = {
    taskId: work.task.id,
    attempt: work.attempt,
    worker: ctx.self,
    quality: d.quality,
    failed: d.failed,
    durationMs: d.durationMs,
  };
  ctx.setTimer('work-done', d.durationMs, { kind: 'work-done', body: result });
}

/**
 * A simulated worker whose ballots come from `ballots` (the honest voter, or an adversary from
 * the fault library): it works on one subtask at a time, in the order they arrive, and sends
 * each result to its lead when the drawn duration has passed on its clock.
 *
 * @example
 * ```ts
 * const honest = workerWith(voter);
 * ```
 */
export function workerWith(ballots: Behaviour<any, any>): Behaviour<HiveWorkerState, HiveWorkerProps> {
  return {
    init: (ctx) => ({ current: null, queue: [], vote: ballots.init(ctx) }),
    receive(state, env, ctx) {
      if (env.kind === 'work') {
        const work = asWork(env.body);
        if (work === undefined) return;
        if (state.current === null) start(state as HiveWorkerState, work, ctx);
        else state.queue.push(work as Draft<WorkMessage>);
        return;
      }
      if (env.kind === 'work-done' && env.from === ctx.self) {
        ctx.send(ctx.props.lead, { kind: 'result', body: env.body });
        state.current = null;
        const next = state.queue.shift();
        if (next !== undefined) start(state as HiveWorkerState, next, ctx);
        return;
      }
      // Everything else is the voter's: proposals, and an adversary's own timers.
      const next = ballots.receive(state.vote as never, env, ctx);
      if (next !== undefined) state.vote = next;
    },
  };
}

/**
 * The honest simulated worker.
 *
 * @example
 * ```ts
 * await system.spawn('worker_01_01', HIVE_WORKER, { props });
 * ```
 */
export const hiveWorker = workerWith(voter);

/**
 * The honest worker as a behaviour reference (loadable in any host).
 *
 * @example
 * ```ts
 * await system.spawn('worker_01_01', HIVE_WORKER, { props });
 * ```
 */
export const HIVE_WORKER: BehaviourRef = { module: fileURLToPath(moduleUrl('./worker.ts', import.meta.url)), export: 'hiveWorker' };
