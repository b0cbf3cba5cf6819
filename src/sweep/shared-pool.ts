import { setImmediate } from 'node:timers/promises';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';

/**
 * Independent runs (stress seeds, bench iterations) spread over this thread and a piscina pool.
 * Every thread takes the next task from a counter in shared memory when it is free, so there is
 * no per-task overhead and no thread idles while tasks are left, whatever each one's speed; a
 * run depends on its task alone, so where it ran changes nothing in its result.
 */

/**
 * Where a pool thread finds the function that runs one task: a module's export, called as
 * `run(task)` and resolving to plain data (it crosses back by structured clone).
 *
 * @example
 * ```ts
 * const runner: TaskRunner = { module: new URL('./run-case.ts', import.meta.url).href, export: 'runStressCase' };
 * ```
 */
export interface TaskRunner {
  readonly module: string;
  readonly export: string;
}

/**
 * The tasks a campaign's threads share, and the counter of those taken.
 *
 * @example
 * ```ts
 * const share: TaskShare<number> = { tasks: [1, 2, 3], next: new Int32Array(new SharedArrayBuffer(4)) };
 * ```
 */
export interface TaskShare<T> {
  readonly tasks: readonly T[];
  readonly next: Int32Array;
}

/**
 * Runs tasks of `share` until none is left, handing each result (with its task's index) to
 * `finished`; `pause`, if given, is awaited after each (the main thread yields there to hear
 * from the pool).
 *
 * @example
 * ```ts
 * await workShare(share, runStressCase, (i, outcome) => (outcomes[i] = outcome));
 * ```
 */
export async function workShare<T, R>(
  share: TaskShare<T>,
  run: (task: T) => Promise<R>,
  finished: (index: number, result: R) => void,
  pause?: () => Promise<unknown>,
): Promise<void> {
  for (let i = Atomics.add(share.next, 0, 1); i < share.tasks.length; i = Atomics.add(share.next, 0, 1)) {
    finished(i, await run(share.tasks[i]));
    await pause?.();
  }
}

/**
 * Runs every task on `threads` threads: this one and a pool of `threads - 1` (all `threads` in
 * the pool with `mainThread: false`, leaving this one free for a live display); `run` runs a
 * task here, `runner` names the same function for the pool threads. Results come back in task
 * order; `onProgress(done, total)` hears of each as it lands. A pool thread's failure is thrown.
 *
 * @example
 * ```ts
 * const outcomes = await runOnSharedPool(tasks, { threads: 2, run: runStressCase, runner: { module, export: 'runStressCase' } });
 * ```
 */
export async function runOnSharedPool<T, R>(
  tasks: readonly T[],
  o: { threads: number; run: (task: T) => Promise<R>; runner: TaskRunner; mainThread?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<R[]> {
  const results: R[] = new Array(tasks.length);
  if (tasks.length === 0) return results;
  const threads = Math.max(1, Math.min(o.threads, tasks.length));
  const here = threads === 1 || o.mainThread !== false;
  const pooled = here ? threads - 1 : threads;
  let done = 0;
  let allIn!: () => void;
  const complete = new Promise<void>((resolve) => (allIn = resolve));
  const finished = (index: number, result: R) => {
    results[index] = result;
    o.onProgress?.(++done, tasks.length);
    if (done === tasks.length) allIn();
  };
  const share: TaskShare<T> = { tasks, next: new Int32Array(new SharedArrayBuffer(4)) };
  const pool = pooled === 0 ? undefined : new Piscina({ filename: new URL('./pool-worker.mjs', import.meta.url).href, minThreads: pooled, maxThreads: pooled });
  try {
    // A pool thread's failure is kept and thrown below, even when this thread did the rest.
    let failed: { error: unknown } | undefined;
    const helping = Promise.all(Array.from({ length: pooled }, () => helpOnPool(pool!, share, o.runner, finished))).catch((error: unknown) => {
      failed = { error };
    });
    // Yield between runs here: the pool's results arrive as messages on this thread.
    if (here) await workShare(share, o.run, finished, pooled > 0 ? () => setImmediate() : undefined);
    // Done when every result is in: a pool thread still starting up has nothing left to do.
    await Promise.race([complete, helping]);
    if (failed !== undefined) throw failed.error;
  } finally {
    await pool?.destroy();
  }
  return results;
}

/**
 * One pool thread's part: it runs tasks from the shared counter until none is left, posting each
 * result on a port of its own, then `null`. Resolves when that `null` came (a port keeps its
 * order; the task's own answer travels on another channel and may overtake the last results).
 */
async function helpOnPool<T, R>(pool: Piscina, share: TaskShare<T>, runner: TaskRunner, finished: (index: number, result: R) => void): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const drained = new Promise<void>((resolve) => {
    port1.on('message', (m: [number, R] | null) => (m === null ? resolve() : finished(m[0], m[1])));
  });
  try {
    await Promise.all([pool.run({ ...share, runner, port: port2 }, { transferList: [port2] }), drained]);
  } finally {
    port1.close();
  }
}
