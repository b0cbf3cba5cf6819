import { describe, expect, it } from 'vitest';
import { createSystem } from '../src/index.ts';

describe('smoke', () => {
  it('echoes in sim mode', async () => {
    const sys = await createSystem({ mode: 'sim', seed: 3 });
    await sys.spawn('e', 'echo');
    const reply = await sys.ask('e', { kind: 'hello', body: 42 }, { timeoutMs: 100 });
    expect(reply.body).toBe(42);
    expect(reply.from).toBe('e');
    const r = await sys.shutdown();
    expect(r.accountingImbalance).toBe(0);
  });
});
