import { describe, expect, it } from 'vitest';
import { RaftCluster } from './fixtures/raft-cluster.ts';

describe('Raft: followers forward client proposals to the leader', () => {
  for (const forward of [true, false]) {
    it(forward ? 'forwarded: a client that only knows a follower is answered by the leader, no retries' : 'not forwarded: the client is redirected and retries', async () => {
      const c = await RaftCluster.start({ seed: 3, raft: { forward } });
      c.runUntil(() => c.leader() !== undefined, 2_000);
      const follower = c.nodes.find((n) => n !== c.leader())!;
      await c.startClient({ commands: 50, nodes: [follower] });
      expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
      expect(c.summary!.acked).toBe(50);
      // Forwarded, the client never even learns who leads: the follower it knows carries its
      // commands. Redirected, it is told the leader and adds it to the nodes it talks to.
      const known = ((await c.sim.snapshot('client')) as { nodes: string[] }).nodes;
      if (forward) {
        expect(known).toEqual([follower]);
        expect(c.summary!.retries).toBeLessThanOrEqual(1);
      } else {
        expect(known).toEqual([follower, c.leader()]);
        expect(c.summary!.retries).toBeGreaterThan(0);
      }
      c.runFor(200);
      expect(c.monitor.finish()).toEqual([]);
    });
  }
});
