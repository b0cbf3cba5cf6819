import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimSystem, ThreadSystem } from '../src/index.ts';
import './fixtures/edge-behaviours.ts';

const preload = [fileURLToPath(new URL('./fixtures/edge-behaviours.ts', import.meta.url))];

/** `edge-self-starter` sends itself `hello` from init: one behaviour, two modes, same outcome. */
describe('an envelope an actor sends itself from init', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('sim: is delivered', async () => {
    const sim = new SimSystem({ seed: 1 });
    await sim.spawn('a', 'edge-self-starter');
    await sim.settle();
    expect((await sim.ask('a', { kind: 'get' }, { timeoutMs: 100 })).body).toBe(1);
    expect((await sim.accounting()).deadLettered).toBe(0);
  });

  it('threads: is delivered too (not dead-lettered unknown-actor)', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('a', 'edge-self-starter', { worker: 0 });
    await sys.settle();
    const acc = await sys.accounting();
    expect(acc.deadLetteredBy).toEqual({});
    expect((await sys.ask('a', { kind: 'get' }, { timeoutMs: 2_000 })).body).toBe(1);
  });
});
