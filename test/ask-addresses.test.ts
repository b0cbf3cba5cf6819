import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, AskTimeoutError, SimSystem, ThreadSystem } from '../src/index.ts';
import './fixtures/edge-behaviours.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];

describe('$ask:… addresses', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('threads: a send from outside to a malformed $ask address is dead-lettered and the books balance', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('e', 'echo', { worker: 0 });
    sys.send('$ask:9:1', { kind: 'x' }); // worker 9 does not exist
    sys.send('$ask:nope', { kind: 'y' }); // no worker index at all
    sys.send('e', { kind: 'ping' }); // any later turn publishes the counters
    await sys.settle({ timeoutMs: 1_500 });
    const acc = await sys.accounting();
    expect(accountingImbalance(acc)).toBe(0);
    expect(acc.sent).toBe(4); // 3 sends + the echo's reply to $system
    expect(acc.deadLettered).toBe(3);
  });

  it('threads: an actor sending to a malformed $ask address gets a dead letter, not a supervision failure', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    const failures: unknown[] = [];
    sys.trace$.subscribe((e) => {
      if (e.type === 'failure') failures.push(e);
    });
    await sys.spawn('s', 'edge-send-to', { worker: 0 });
    sys.send('s', { kind: 'go', body: '$ask:42:7' });
    await sys.ask('s', { kind: 'ping' }, { timeoutMs: 2_000 });
    await sys.settle({ timeoutMs: 1_500 });
    expect(failures).toEqual([]);
    expect(accountingImbalance(await sys.accounting())).toBe(0);
  });

  it("sim: an actor cannot answer somebody else's outside ask by guessing its temp address", async () => {
    const sim = new SimSystem({ seed: 1, link: { latency: { kind: 'fixed', ms: 1 } } });
    await sim.spawn('silent', 'sink'); // never replies to 'ping'
    await sim.spawn('liar', 'edge-send-to');
    sim.send('liar', { kind: 'go', body: '$ask:0:1' }); // the first ask's temp address
    const asked = sim.ask('silent', { kind: 'ping' }, { timeoutMs: 50 });
    // Correct: the forged, uncorrelated envelope is not taken as silent's reply.
    await expect(asked).rejects.toBeInstanceOf(AskTimeoutError);
  });
});
