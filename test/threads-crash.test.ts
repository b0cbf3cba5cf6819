import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, HostCrashedError, ThreadSystem, type TraceEvent } from '../src/index.ts';

const preload = [fileURLToPath(new URL('./fixtures/thread-behaviours.ts', import.meta.url))];

describe('threads mode: a worker that dies', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('restarts its actors on a live worker, dead-letters what was in flight to it as host-crashed, and keeps the books balanced', async () => {
    sys = await ThreadSystem.start({ workers: 3, preload });
    const events: TraceEvent[] = [];
    sys.trace$.subscribe((e) => events.push(e));
    await sys.spawn('producer', 'producer', { props: { target: 'sink', batch: 256 }, worker: 0 });
    await sys.spawn('sink', 'sink', { worker: 1, mailboxCapacity: 5_000_000 });
    await sys.spawn('helper', 'echo', { worker: 1 });
    await sys.spawn('fragile', 'echo', { worker: 1, supervision: { strategy: 'stop' } });
    await sys.spawn('bystander', 'counter', { worker: 2 });

    sys.send('producer', { kind: 'start', body: 2_000_000 });
    // Wait for the stream to be flowing (a condition, polled through the control plane).
    for (;;) {
      const got = await sys.ask('sink', { kind: 'get' }, { timeoutMs: 5_000 });
      if ((got.body as number) > 20_000) break;
    }
    const crash = await sys.killWorker(1);

    expect(crash.host).toBe(1);
    expect([...crash.restarted].sort()).toEqual(['helper', 'sink']);
    expect(crash.stopped).toEqual(['fragile']);
    expect(crash.lostInFlight).toBeGreaterThan(0);
    expect(sys.workerOf('sink')).not.toBe(1);
    expect(sys.workerOf('fragile')).toBeUndefined();

    await sys.settle({ timeoutMs: 60_000 });
    const acc = await sys.accounting();
    expect(acc.inFlight).toBe(0);
    expect(accountingImbalance(acc)).toBe(0);
    expect(acc.deadLetteredBy['host-crashed']).toBeGreaterThanOrEqual(crash.lostInFlight);
    // The restarted sink starts from init and only sees what was sent after it moved.
    const after = await sys.ask('sink', { kind: 'get' }, { timeoutMs: 5_000 });
    expect(after.body as number).toBeLessThan(2_000_000);
    expect(acc.delivered).toBeGreaterThan(0);
    // Restarted actors answer on their new worker; the bystander was never touched.
    expect((await sys.ask('helper', { kind: 'ping', body: 7 }, { timeoutMs: 5_000 })).body).toBe(7);
    expect(await sys.snapshot('bystander')).toEqual({ count: 0, last: null });
    await expect(sys.ask('fragile', { kind: 'ping' }, { timeoutMs: 5_000 })).rejects.toThrow(/unknown-actor/);

    expect(events.some((e) => e.type === 'host-crash' && e.host === 1 && e.lostInFlight === crash.lostInFlight)).toBe(true);
    expect(
      events
        .filter((e) => e.type === 'restart')
        .map((e) => e.type === 'restart' && e.actor)
        .sort(),
    ).toEqual(['helper', 'sink']);
    const result = await sys.shutdown();
    sys = undefined;
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.accountingImbalance).toBe(0);
  });

  it('notices a worker that dies on its own (not killed) and recovers the same way', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    const crashes: TraceEvent[] = [];
    sys.trace$.subscribe((e) => e.type === 'host-crash' && crashes.push(e));
    await sys.spawn('doomed', 'test-doomed', { worker: 1 });
    await sys.spawn('survivor', 'counter', { worker: 1 });
    // The ask never gets its reply: the worker exits while handling it, and the call rejects.
    await expect(sys.ask('doomed', { kind: 'die' }, { timeoutMs: 30_000 })).rejects.toBeInstanceOf(HostCrashedError);
    await sys.settle();
    expect(crashes).toHaveLength(1);
    expect(crashes[0].type === 'host-crash' && crashes[0].detail).toMatch(/exited with code 7/);
    expect(sys.workerOf('survivor')).toBe(0);
    sys.send('survivor', { kind: 'inc' });
    expect((await sys.ask('survivor', { kind: 'get' }, { timeoutMs: 5_000 })).body).toBe(1);
    expect(accountingImbalance(await sys.accounting())).toBe(0);
  });

  it('rejects control calls to a dead worker instead of hanging', async () => {
    sys = await ThreadSystem.start({ workers: 2 });
    await sys.spawn('a', 'echo', { worker: 1 });
    await sys.killWorker(1);
    await expect(sys.spawn('b', 'echo', { worker: 1 })).rejects.toBeInstanceOf(HostCrashedError);
    await expect(sys.killWorker(1)).rejects.toBeInstanceOf(HostCrashedError);
    // The actor moved to worker 0 and still answers.
    expect((await sys.ask('a', { kind: 'x', body: 1 }, { timeoutMs: 5_000 })).body).toBe(1);
  });
});
