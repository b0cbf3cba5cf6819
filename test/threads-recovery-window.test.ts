import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, ThreadSystem } from '../src/index.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];

/** Reaches into the system for the worker of slot `i` (to observe the instant it exits). */
const workerOf = (sys: ThreadSystem, i: number) => (sys as unknown as { slots: { worker: import('node:worker_threads').Worker }[] }).slots[i].worker;

describe('accounting and settle while a dead worker is being recovered', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('accounting() called between the exit and the end of recovery answers (does not throw a TypeError)', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('e', 'echo', { worker: 1 });
    const s = sys;
    let during: Promise<unknown> | undefined;
    // Registered after the system's own exit listener: recovery has begun, not finished.
    workerOf(s, 1).once('exit', () => (during = s.accounting().catch((e: Error) => `${e.name}: ${e.message}`)));
    await s.killWorker(1);
    const acc = await during;
    expect(acc).toMatchObject({ sent: 0 });
  });

  it('a settle() already waiting when a worker dies waits for the recovery instead of throwing', async () => {
    // traceLevel full: the kicker's `send` to the spinner is traced, so the test can wait for it.
    sys = await ThreadSystem.start({ workers: 3, preload, traceLevel: 'full' });
    await sys.spawn('spinner', 'edge-spinner', { worker: 0 }); // a 400 ms turn per envelope
    await sys.spawn('kicker', 'edge-send-to', { worker: 2 });
    await sys.spawn('bystander', 'echo', { worker: 1 });
    const kicked = firstValueFrom(sys.trace$.pipe(filter((e) => e.type === 'send' && e.from === 'kicker' && e.to === 'spinner')));
    sys.send('kicker', { kind: 'go', body: 'spinner' }); // worker 2 → worker 0: worker 0 now busy
    await kicked; // the kicker's turn is over: its envelope is on its way to worker 0 (400 ms of work)
    // settle() is in its loop once it has read the workers' counters (and found that envelope in flight).
    const s = sys as unknown as { cuts(): unknown[] };
    const readCounters = new Promise<void>((resolve) => {
      const cuts = s.cuts;
      s.cuts = function (this: unknown) {
        resolve();
        return cuts.call(this);
      };
    });
    const settled = sys.settle({ timeoutMs: 5_000 }).then(
      () => 'settled',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    await readCounters;
    expect((await sys.accounting()).inFlight).toBeGreaterThan(0); // still busy: settle() is waiting, not done
    await sys.killWorker(1); // recovery waits for worker 0 to answer peerDied
    expect(await settled).toBe('settled');
    expect(accountingImbalance(await sys.accounting())).toBe(0);
  });
});
