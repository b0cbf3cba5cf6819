import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, ThreadSystem } from '../src/index.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];
const threadFixtures = fileURLToPath(new URL('./fixtures/thread-behaviours.ts', import.meta.url));

describe('a worker that dies right after a mid-turn batch flush', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('leaves no envelope unaccounted (the one still waiting in another outbox is lost host-crashed)', async () => {
    sys = await ThreadSystem.start({ workers: 3, preload });
    await sys.spawn('near', 'sink', { worker: 1 });
    await sys.spawn('far', 'sink', { worker: 2 });
    // 1 envelope into the outbox for worker 2, then 1024 for worker 1 (a full batch: flushed and
    // published mid-turn), then the worker dies before its turn ends.
    await sys.spawn('splitter', 'edge-split-then-die', { worker: 0, props: { far: 'far', near: 'near' }, supervision: { strategy: 'stop' } });
    sys.send('splitter', { kind: 'go' });
    // settle() waits out the worker's death and recovery and then resolves: an error here (it was
    // swallowed before) would mean the crash left the system unable to settle.
    const settled = await sys.settle({ timeoutMs: 10_000 }).then(
      () => 'settled',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(settled).toBe('settled');
    const r = await sys.shutdown();
    sys = undefined;
    expect(r.hostCrashes).toHaveLength(1);
    expect(r.messages.sent).toBe(1 + 1 + 1024);
    expect(r.accountingImbalance).toBe(0);
  });
  it('accounting() read while a stream flows to two workers always balances (the cut must count unflushed outboxes)', async () => {
    sys = await ThreadSystem.start({ workers: 3, preload: [...preload, threadFixtures], mailboxCapacity: 10_000_000 });
    await sys.spawn('t1', 'sink', { worker: 1 });
    await sys.spawn('t2', 'sink', { worker: 2 });
    await sys.spawn('sp', 'test-spray', { props: { targets: ['t1', 't2'], batch: 5_000 }, worker: 0 });
    sys.send('sp', { kind: 'start', body: 2_000_000 });
    // Between two readings, wait for the stream to move: for a worker to publish its next turn
    // (the activity word every worker bumps and notifies after each turn, as settle() waits on).
    const activity = (sys as unknown as { activity: Int32Array }).activity;
    const imbalances = new Set<number>();
    let moved = 0;
    let last = '';
    for (let i = 0; i < 300; i++) {
      const seen = Atomics.load(activity, 0);
      const acc = await sys.accounting();
      imbalances.add(accountingImbalance(acc));
      const at = `${acc.sent}/${acc.delivered}`;
      if (at !== last) moved++;
      last = at;
      const next = Atomics.waitAsync(activity, 0, seen, 10_000);
      if (next.async && (await next.value) === 'timed-out') break; // the stream is over
    }
    expect(moved).toBeGreaterThan(150); // the readings were taken while the stream flowed, not of one still picture
    expect([...imbalances]).toEqual([0]); // today: 1023 whenever the last cut was a mid-turn flush
  });
});
