import { fileURLToPath } from 'node:url';
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
    sys = await ThreadSystem.start({ workers: 3, preload });
    await sys.spawn('spinner', 'edge-spinner', { worker: 0 }); // a 400 ms turn per envelope
    await sys.spawn('kicker', 'edge-send-to', { worker: 2 });
    await sys.spawn('bystander', 'echo', { worker: 1 });
    sys.send('kicker', { kind: 'go', body: 'spinner' }); // worker 2 → worker 0: worker 0 now busy
    await new Promise((r) => setTimeout(r, 50));
    const settled = sys.settle({ timeoutMs: 5_000 }).then(() => 'settled', (e: Error) => `${e.name}: ${e.message}`);
    await new Promise((r) => setTimeout(r, 20)); // settle() is in its loop (one envelope in flight)
    await sys.killWorker(1); // recovery waits for worker 0 to answer peerDied
    expect(await settled).toBe('settled');
    expect(accountingImbalance(await sys.accounting())).toBe(0);
  });
});
