import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimSystem, ThreadSystem } from '../src/index.ts';
import './fixtures/edge-behaviours.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];

describe("main thread's actor registry in threads mode", () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it("crash recovery honours the behaviour's own default supervision (strategy stop → not restarted)", async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('fragile', 'edge-stop-by-default', { worker: 1 });
    const crash = await sys.killWorker(1);
    // The worker itself runs 'fragile' with strategy 'stop' (behaviour default); main must agree.
    expect(crash.restarted).not.toContain('fragile');
    expect(crash.stopped).toContain('fragile');
  });

  it('an actor that stopped itself is not resurrected by a crash of its old worker', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('q', 'edge-quitter', { worker: 1 });
    sys.send('q', { kind: 'quit' });
    await sys.settle();
    const crash = await sys.killWorker(1);
    expect(crash.restarted).not.toContain('q');
    await expect(sys.ask('q', { kind: 'ping' }, { timeoutMs: 2_000 })).rejects.toThrow(/actor-stopped|unknown-actor/);
  });

  it('the id of an actor that stopped itself can be spawned again, as in sim mode', async () => {
    const sim = new SimSystem({ seed: 1 });
    await sim.spawn('q', 'edge-quitter');
    sim.send('q', { kind: 'quit' });
    await sim.settle();
    await sim.spawn('q', 'edge-quitter'); // fine in sim mode

    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('q', 'edge-quitter', { worker: 1 });
    sys.send('q', { kind: 'quit' });
    await sys.settle();
    await expect(sys.spawn('q', 'edge-quitter', { worker: 0 })).resolves.toBeUndefined();
  });
});

describe('a stop main asked for', () => {
  it('does not come back as a report that removes the actor spawned again under the same id', async () => {
    const sys = await ThreadSystem.start({ workers: 2 });
    await sys.spawn('q', 'echo', { worker: 1 });
    await sys.stop('q');
    await sys.spawn('q', 'echo', { worker: 1 });
    await sys.settle();
    expect(sys.workerOf('q')).toBe(1);
    expect((await sys.ask('q', { kind: 'k', body: 2 }, { timeoutMs: 5_000 })).body).toBe(2);
    await sys.shutdown();
  });
});
