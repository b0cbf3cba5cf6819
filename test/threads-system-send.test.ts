import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, ConclaveError, SimSystem, ThreadSystem } from '../src/index.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];
const workerOf = (sys: ThreadSystem, i: number) =>
  (sys as unknown as { slots: { link: { worker: import('node:worker_threads').Worker } }[] }).slots[i].link.worker;

/** ThreadSystem.send() swallows every failure of its control call: the message just vanishes. */
describe('system.send() in threads mode never loses a message silently', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('a body that cannot be cloned is refused with an error or dead-lettered not-serializable (sim delivers it)', async () => {
    const sim = new SimSystem({ seed: 1 });
    await sim.spawn('s', 'sink');
    sim.send('s', { kind: 'x', body: { f: () => 1 } });
    await sim.settle();
    expect(await sim.snapshot('s')).toBe(1);

    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('s', 'sink', { worker: 1 });
    let refused = false;
    try {
      sys.send('s', { kind: 'x', body: { f: () => 1 } });
    } catch (e) {
      refused = e instanceof ConclaveError;
    }
    await sys.settle({ timeoutMs: 2_000 });
    const acc = await sys.accounting();
    expect(refused || acc.deadLetteredBy['not-serializable'] === 1).toBe(true);
  });

  it('a send to an actor whose worker just died is accounted (delivered after the restart, or dead-lettered)', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('e', 'echo', { worker: 1 });
    const s = sys;
    // Registered after the system's own exit listener: the slot is already marked dead.
    workerOf(s, 1).once('exit', () => s.send('e', { kind: 'probe' }));
    const crash = await s.killWorker(1);
    expect(crash.restarted).toEqual(['e']);
    await s.settle({ timeoutMs: 2_000 });
    const acc = await s.accounting();
    expect(acc.sent).toBeGreaterThan(0); // today 0: the probe never existed as far as the books know
    expect(accountingImbalance(acc)).toBe(0);
  });
});
