import { openStore, type StoreDb } from './open-store.ts';

/**
 * What the store hook needs of an oversight request: the decision it holds. (The voting
 * protocol's `OversightHook` request carries more; this is the minimal shape the store reads.)
 */
export interface OversightRequest {
  readonly decision: string;
  /** Stops waiting (the protocol's timeout, say): the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A person's answer. */
export type OversightAnswer = 'approve' | 'reject';

/** A hook that answers from the store's approvals table; `close` stops every wait and the connection. */
export type StoreOversightHook = ((request: OversightRequest) => Promise<OversightAnswer>) & { close(): void };

/** Ms between two reads of the approvals table, by default. */
export const OVERSIGHT_POLL_MS = 250;

/**
 * An oversight hook fed by `conclave approve`: for each request it polls the store's
 * `approvals` table (another process writes it) until the decision is answered, and resolves
 * with the answer. It never times out by itself (the protocol side does); `request.signal` or
 * `close()` stops a wait; `onPoll` is told of every read (for tests and telemetry). The polling timers are unref'd: a waiting hook never keeps the process alive.
 *
 * @example
 * ```ts
 * const hook = storeOversightHook('.conclave/conclave.db', runId, { pollMs: 200 });
 * const answer = await hook({ decision: 'd7' }); // after `conclave approve <run> d7` elsewhere: 'approve'
 * hook.close();
 * ```
 */
export function storeOversightHook(file: string, runId: string, o: { pollMs?: number; onPoll?: (decision: string) => void } = {}): StoreOversightHook {
  const pollMs = o.pollMs ?? OVERSIGHT_POLL_MS;
  let db: StoreDb | undefined;
  let closed = false;
  const waiting = new Set<() => void>();
  const answerOf = (decision: string): OversightAnswer | undefined => {
    db ??= openStore(file, { readonly: true });
    const row = db.prepare('SELECT verdict FROM approvals WHERE run_id = ? AND decision = ?').get(runId, decision) as { verdict: string } | undefined;
    return row?.verdict === 'approve' || row?.verdict === 'reject' ? row.verdict : undefined;
  };
  const hook = (request: OversightRequest): Promise<OversightAnswer> =>
    new Promise<OversightAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        clearTimeout(timer);
        waiting.delete(cancel);
        request.signal?.removeEventListener('abort', onAbort);
      };
      const cancel = () => {
        stop();
        reject(new Error(`oversight of decision ${request.decision}: the store hook was closed before an answer`));
      };
      const onAbort = () => {
        stop();
        reject(request.signal!.reason);
      };
      const poll = () => {
        try {
          const answer = answerOf(request.decision);
          o.onPoll?.(request.decision);
          if (answer !== undefined) {
            stop();
            resolve(answer);
            return;
          }
        } catch (e) {
          stop();
          reject(e);
          return;
        }
        timer = setTimeout(poll, pollMs).unref();
      };
      if (closed) return reject(new Error('the store oversight hook is closed'));
      if (request.signal?.aborted) return reject(request.signal.reason);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      waiting.add(cancel);
      poll();
    });
  return Object.assign(hook, {
    close(): void {
      closed = true;
      for (const cancel of [...waiting]) cancel();
      db?.close();
      db = undefined;
    },
  });
}
