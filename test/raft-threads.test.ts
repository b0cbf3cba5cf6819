import { describe, expect, it } from 'vitest';
import { checkRaftSafety } from '../src/check/raft-safety.ts';
import { ThreadSystem, type TraceEvent } from '../src/index.ts';
import type { RaftClientSummary } from '../src/protocols/raft/raft-client.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../src/protocols/raft/refs.ts';

describe('raft in threads mode (the same behaviours, real time, two workers)', () => {
  it('elects a leader and acknowledges 100 commands, checkers green', async () => {
    const system = await ThreadSystem.start({ workers: 2 });
    const events: TraceEvent[] = [];
    system.trace$.subscribe((e) => events.push(e));
    try {
      const peers = ['n1', 'n2', 'n3', 'n4', 'n5'];
      for (const id of peers) await system.spawn(id, RAFT_NODE, { props: { peers } });
      await system.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 100 } });
      const summary = (await system.ask('client', { kind: 'start' }, { timeoutMs: 20_000 })).body as RaftClientSummary;
      expect(summary.acked).toBe(100);
    } finally {
      await system.shutdown();
    }
    expect(events.some((e) => e.type === 'emit' && e.event.type === 'raft-leader')).toBe(true);
    expect(checkRaftSafety(events)).toEqual([]);
  });
});
