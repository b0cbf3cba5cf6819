import { describe, expect, it } from 'vitest';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

describe('Raft over a network that duplicates and reorders', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 10% duplicates, no per-link order, 2% loss: every command once, checkers green`, async () => {
      const c = await RaftCluster.start({ seed, link: { latency: { kind: 'uniform', minMs: 1, maxMs: 12 }, duplicateRate: 0.1, fifo: false, dropRate: 0.02 } });
      await c.startClient({ commands: 150, window: 4 });
      expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
      expect(c.summary!.acked).toBe(150);
      c.runFor(500);
      expect(c.monitor.finish()).toEqual([]);
      expect(c.converged()).toBe(true);
      const events = c.sim.recorder.events;
      expect(events.filter((e) => e.type === 'duplicate').length).toBeGreaterThan(50);
      // Each client command applied exactly once on every node, despite duplicated requests.
      for (const node of c.nodes) {
        const ops = raftApplies(events, node).flatMap((a) => (a.client !== undefined ? [`${a.client}:${a.seq}`] : []));
        expect(new Set(ops).size).toBe(ops.length);
      }
      const acc = await c.sim.accounting();
      expect(acc.sent).toBe(acc.delivered + acc.dropped + acc.deadLettered + acc.inFlight);
    });
  }
});
