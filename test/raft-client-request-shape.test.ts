import { describe, expect, it } from 'vitest';
import { onClientRequest } from '../src/protocols/raft/clients.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { wellFormed } from '../src/protocols/raft/wire-check.ts';
import { entry, leader } from './fixtures/raft-by-hand.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

/**
 * A leader takes a client's command only with the seq and lowestPending its followers' wire
 * check takes (whole numbers from 0 to 2^53 - 1). It took any integer seq and any lowestPending:
 * a request with `seq: -1` entered its log, every follower refused each AppendEntries carrying
 * it (`raft-rejected`, malformed), nothing after it committed, and the leader lost its term to
 * check-quorum, with the commands behind it.
 */

const three = ['n1', 'n2', 'n3'];
const put = { op: 'put', key: 'k', value: 'v' };
const env = (body: unknown) => ({ id: 1, from: 'client', to: 'n1', kind: RAFT_KINDS.clientRequest, body, corr: 1 });

describe('a client request the followers would refuse is ignored', () => {
  it('a seq or a lowestPending that is negative, fractional, past 2^53 or not a number, or a lowestPending above the seq: nothing appended, nothing answered', () => {
    const bad = [
      { clientId: 'c', seq: -1, command: put },
      { clientId: 'c', seq: 2 ** 53, command: put },
      { clientId: 'c', seq: 1, lowestPending: -1, command: put },
      { clientId: 'c', seq: 1, lowestPending: 0.5, command: put },
      { clientId: 'c', seq: 1, lowestPending: '1', command: put },
      { clientId: 'c', seq: 1, lowestPending: null, command: put },
      // Above its own seq: the command itself would count as done, answered ok at index 0.
      { clientId: 'c', seq: 1, lowestPending: 2, command: put },
    ];
    const { s, r } = leader('n1', three, 2, [entry(2)], {}, 1);
    for (const b of bad) onClientRequest(s, env(b), r.ctx);
    expect([s.log.length, r.sent, s.waiters.size]).toEqual([1, [], 0]);
  });

  it('what it appends, the followers take: seq 0, lowestPending absent, 0, or the seq itself', () => {
    const good = [
      { clientId: 'c', seq: 0, command: put },
      { clientId: 'c', seq: 1, lowestPending: 0, command: put },
      { clientId: 'c', seq: 2 ** 53 - 1, lowestPending: 2, command: put },
      { clientId: 'd', seq: 3, lowestPending: 3, command: put }, // its only command pending
    ];
    const { s, r } = leader('n1', three, 2, [entry(2)], {}, 1);
    for (const b of good) onClientRequest(s, env(b), r.ctx);
    expect(s.log.length).toBe(5);
    const ae = { term: 2, prevLogIndex: 1, prevLogTerm: 2, entries: s.log.slice(1), leaderCommit: 1 };
    expect(wellFormed(RAFT_KINDS.appendEntries, ae, s.applied.machine)).toBe(true);
  });

  it('in a cluster: after a request with seq -1, the leader keeps its term and the next write commits everywhere', async () => {
    const c = await RaftCluster.start({ seed: 1, n: 3 });
    c.sim.run({ untilMs: 1_000 });
    const first = c.leader()!;
    const rejected: unknown[] = [];
    c.sim.trace$.subscribe((e) => {
      if (e.type === 'emit' && e.event.type === 'raft-rejected') rejected.push(e.event);
    });
    c.sim.send(first, { kind: RAFT_KINDS.clientRequest, body: { clientId: 'bad', seq: -1, command: put } });
    c.sim.run({ untilMs: 1_100 });
    c.sim.send(first, { kind: RAFT_KINDS.clientRequest, body: { clientId: 'good', seq: 1, command: { op: 'put', key: 'g', value: 'w' } } });
    c.sim.run({ untilMs: 3_000 });
    expect(rejected).toEqual([]);
    expect(c.elections.map((e) => e.actor)).toEqual([first]);
    for (const n of c.nodes) expect(c.applied.get(n)!.at(-1)).toBe('1:{"op":"put","key":"g","value":"w"}');
  });
});
