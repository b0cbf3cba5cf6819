import { describe, expect, it } from 'vitest';
import { RaftCluster } from './fixtures/raft-cluster.ts';

describe('Raft: followers forward client proposals to the leader', () => {
  for (const forward of [true, false]) {
    it(
      forward ? 'forwarded: a client that only knows a follower is answered by the leader, no retries' : 'not forwarded: the client is redirected and retries',
      async () => {
        const c = await RaftCluster.start({ seed: 3, raft: { forward } });
        c.runUntil(() => c.leader() !== undefined, 2_000);
        c.runFor(100); // followers hear from the new leader (its first AppendEntries) before the client starts
        const follower = c.nodes.find((n) => n !== c.leader())!;
        await c.startClient({ commands: 50, nodes: [follower] });
        expect(c.runUntil(() => c.summary !== undefined, 10_000)).toBe(true);
        expect(c.summary!.acked).toBe(50);
        // Either way the client ends up talking to the leader; forwarded, its first command was
        // carried by the follower (no resend), redirected, it had to send it again.
        const known = ((await c.sim.snapshot('client')) as { nodes: string[] }).nodes;
        expect(known).toEqual([follower, c.leader()]);
        if (forward) expect(c.summary!.retries).toBe(0);
        else expect(c.summary!.retries).toBeGreaterThan(0);
        c.runFor(200);
        expect(c.monitor.finish()).toEqual([]);
      },
    );
  }
});
