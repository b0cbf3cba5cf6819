import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSystem, ThreadSystem, type ActorSystem, type SupervisionStrategy, type TraceEvent } from '../src/index.ts';

const flaky = { module: fileURLToPath(new URL('./fixtures/flaky-counter.ts', import.meta.url)), export: 'flakyCounter' };

/** The same conversation, whatever the mode: returns what each actor ended with and the failures traced. */
async function scenario(system: ActorSystem): Promise<{ finals: Record<string, unknown>; failures: string[]; escalated: string[] }> {
  const failures: string[] = [];
  system.trace$.subscribe((e: TraceEvent) => e.type === 'failure' && failures.push(`${e.actor}:${e.directive}`));
  const strategies: SupervisionStrategy[] = ['resume', 'restart', 'stop'];
  for (const s of strategies) await system.spawn(s, flaky, { supervision: { strategy: s, maxFailures: 5, windowMs: 60_000 } });
  await system.spawn('fragile', flaky, { supervision: { strategy: 'restart', maxFailures: 1, windowMs: 60_000 } });
  for (const id of [...strategies, 'fragile']) {
    system.send(id, { kind: 'inc' });
    system.send(id, { kind: 'boom' });
    system.send(id, { kind: 'inc' });
    system.send(id, { kind: 'boom' });
    system.send(id, { kind: 'inc' });
  }
  await system.settle();
  const finals: Record<string, unknown> = {};
  for (const id of [...strategies, 'fragile']) {
    finals[id] = await system.ask(id, { kind: 'get' }, { timeoutMs: 5_000 }).then(
      (r) => r.body,
      (e: Error) => e.name,
    );
  }
  const result = await system.shutdown();
  return { finals, failures: failures.sort(), escalated: result.escalations.map((e) => e.actor) };
}

describe('one behaviour, two execution modes', () => {
  it('supervision gives the same outcome in sim mode and in threads mode', async () => {
    const sim = await scenario(await createSystem({ mode: 'sim', seed: 5 }));
    const threads = await scenario(await ThreadSystem.start({ workers: 2 }));
    expect(sim.finals).toEqual({
      resume: 203, // 3 incs + 2 booms whose changes before the throw are kept
      restart: 1, // re-initialised after each boom: only the last inc remains
      stop: 'UndeliverableError', // stopped at the first boom
      fragile: 'UndeliverableError', // 2nd failure exceeds maxFailures 1: escalated and stopped
    });
    expect(threads.finals).toEqual(sim.finals);
    expect(threads.failures).toEqual(sim.failures);
    expect(sim.escalated).toEqual(['fragile']);
    expect(threads.escalated).toEqual(['fragile']);
  });

  it('places actors round-robin by default, or by a placement function', async () => {
    const rr = await ThreadSystem.start({ workers: 2 });
    for (const id of ['a', 'b', 'c', 'd']) await rr.spawn(id, 'echo');
    expect(['a', 'b', 'c', 'd'].map((id) => rr.workerOf(id))).toEqual([0, 1, 0, 1]);
    await rr.shutdown();
    const byName = await ThreadSystem.start({ workers: 2, placement: (id) => (id.startsWith('left') ? 0 : 1) });
    for (const id of ['left-1', 'right-1', 'left-2']) await byName.spawn(id, 'echo');
    expect(['left-1', 'right-1', 'left-2'].map((id) => byName.workerOf(id))).toEqual([0, 1, 0]);
    expect((await byName.ask('right-1', { kind: 'x', body: 'hi' }, { timeoutMs: 5_000 })).body).toBe('hi');
    await byName.shutdown();
  });
});
