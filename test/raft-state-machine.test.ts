import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RaftSafetyMonitor } from '../src/check/raft-safety.ts';
import { SimSystem, type Envelope } from '../src/index.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { raftApplies } from './fixtures/raft-applies.ts';

const counterNode = { module: fileURLToPath(new URL('./fixtures/raft-counter.ts', import.meta.url)), export: 'counterNode' };

describe('Raft replicates any deterministic state machine', () => {
  it('a counter instead of the key-value store: commands applied once, reads by ReadIndex', async () => {
    const sim = new SimSystem({ seed: 2, keepTrace: true });
    const monitor = new RaftSafetyMonitor();
    sim.trace$.subscribe((e) => monitor.observe(e));
    const peers = ['a', 'b', 'c'];
    for (const id of peers) await sim.spawn(id, counterNode, { props: { peers } });
    sim.run({ untilMs: 1_000 });
    const ask = (to: string, seq: number, command: unknown): Promise<Envelope> =>
      sim.ask(to, { kind: RAFT_KINDS.clientRequest, body: { clientId: 't', seq, command } }, { timeoutMs: 1_000 });
    // Any node will do: followers forward to the leader.
    const results: unknown[] = [];
    for (let seq = 1; seq <= 5; seq++) results.push(((await ask(peers[seq % 3], seq, { op: 'add', n: seq })).body as { result: unknown }).result);
    expect(results).toEqual([1, 3, 6, 10, 15]);
    // A retried command is not applied twice; the reply carries the stored result.
    expect(((await ask('a', 5, { op: 'add', n: 5 })).body as { result: unknown }).result).toBe(15);
    expect(((await ask('b', 6, { op: 'total' })).body as { result: unknown }).result).toBe(15);
    sim.run({ untilMs: sim.now() + 500 });
    expect(monitor.finish()).toEqual([]);
    for (const id of peers) expect((await sim.snapshot<{ applied: { machine: { total: number } } }>(id)).applied.machine.total).toBe(15);
    // A command the machine does not take never reaches the log.
    const before = raftApplies(sim.recorder.events).length;
    await expect(ask('a', 7, { op: 'put', key: 'k', value: 'v' })).rejects.toThrow(/No reply/);
    sim.run({ untilMs: sim.now() + 500 });
    expect(raftApplies(sim.recorder.events).length).toBe(before);
  });
});
