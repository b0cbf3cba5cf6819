import { describe, expect, it } from 'vitest';
import type { Message } from '../src/actors/envelope.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import { refreshConfig } from '../src/protocols/raft/membership.ts';
import { type AppendEntries, type AppendEntriesReply, type LogEntry, RAFT_KINDS, type RaftProps, resolveRaftProps } from '../src/protocols/raft/messages.ts';
import { RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { appendEntry, emitLag, heartbeat, onAppendReply, pump, sendAppend } from '../src/protocols/raft/replication.ts';
import { configEntry, entry, eventsOf, recordingCtx, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * The leader's side of replication one function at a time (`sendAppend`, `pump`, `heartbeat`,
 * `emitLag`, `appendEntry`, `onAppendReply` of `replication.ts`), on a leader built by hand:
 * which AppendEntries leave (prev index and term, entries, round), the pipeline window and
 * optimistic nextIndex, retransmission after a heartbeat interval, check-quorum's count, the lag
 * report, the fast back-off. Defaults: heartbeat 50 ms, election timeout 150-300 ms.
 */

const three = ['n1', 'n2', 'n3'];
const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

interface Leader {
  s: RaftNodeState;
  r: Recording;
  timers: { key: string; delayMs: number; message: Message }[];
}

/**
 * Leader n1 of `term` holding `log`, committed and applied to `commit`; each follower at
 * `match[p]` (0 when absent), nextIndex just past it, nothing in flight, none probing, last heard at 0.
 */
function leader(
  term: number,
  log: readonly LogEntry[],
  opts: { props?: Omit<RaftProps, 'peers'>; peers?: string[]; match?: Record<string, number>; commit?: number } = {},
): Leader {
  const peers = opts.peers ?? three;
  const r = recordingCtx('n1', peers);
  const s = new RaftNodeState('n1', resolveRaftProps({ ...opts.props, peers: [...peers] }, 'n1'), term, null, [...log], new KeyValueMachine());
  refreshConfig(s, r.ctx);
  r.events.length = 0;
  s.role = 'leader';
  s.leader = 'n1';
  s.commitIndex = s.lastApplied = opts.commit ?? 0;
  for (const p of s.others) {
    const m = opts.match?.[p] ?? 0;
    s.matchIndex.set(p, m);
    s.nextIndex.set(p, m + 1);
    s.inflight.set(p, []);
    s.lastAck.set(p, 0);
    s.ackedRound.set(p, 0);
  }
  const timers: Leader['timers'] = [];
  Object.assign(r.ctx, { setTimer: (key: string, delayMs: number, message: Message) => void timers.push({ key, delayMs, message }) });
  return { s, r, timers };
}

const ae = (term: number, prevLogIndex: number, prevLogTerm: number, entries: LogEntry[], leaderCommit: number): AppendEntries => ({
  term,
  prevLogIndex,
  prevLogTerm,
  entries,
  leaderCommit,
});
/** The AppendEntries sent, as [to, body]. */
const appends = (r: Recording) => r.sent.filter((m) => m.kind === RAFT_KINDS.appendEntries).map((m) => [m.to, m.body]);
const ok = (term: number, matchIndex: number): AppendEntriesReply => ({ term, success: true, matchIndex });
const fail = (term: number, more: Partial<AppendEntriesReply> = {}): AppendEntriesReply => ({ term, success: false, matchIndex: 0, ...more });

/** Five entries: 1 and 2 of term 1, 3..5 of term 2. */
const log5 = [entry(1, 'a'), entry(1, 'b'), entry(2, 'c'), entry(2, 'd'), entry(2, 'e')];

describe('sendAppend', () => {
  it('a pipelined follower gets a batch from nextIndex (at most maxBatch), and nextIndex moves past it at once', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 2 }, match: { n2: 2 }, commit: 2 });
    r.now = 40;
    expect(sendAppend(s, 'n2', r.ctx)).toBe(2);
    expect(appends(r)).toEqual([['n2', ae(2, 2, 1, [entry(2, 'c'), entry(2, 'd')], 2)]]);
    expect([s.nextIndex.get('n2'), s.inflight.get('n2')]).toEqual([5, [{ until: 4, at: 40 }]]);
  });

  it('with batches in flight, the next batch follows the last one sent, not matchIndex', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 2 }, match: { n2: 1 } });
    s.nextIndex.set('n2', 3);
    s.inflight.set('n2', [{ until: 2, at: 0 }]);
    expect(sendAppend(s, 'n2', r.ctx)).toBe(2);
    expect(appends(r)).toEqual([['n2', ae(2, 2, 1, [entry(2, 'c'), entry(2, 'd')], 0)]]);
    expect(s.inflight.get('n2')).toEqual([
      { until: 2, at: 0 },
      { until: 4, at: 0 },
    ]);
  });

  it('a probed follower gets one batch, and nextIndex stays until a reply moves it', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 2 }, match: { n2: 2 } });
    s.probing.add('n2');
    expect(sendAppend(s, 'n2', r.ctx)).toBe(2);
    expect([s.nextIndex.get('n2'), s.inflight.get('n2')]).toEqual([3, [{ until: 4, at: 0 }]]);
  });

  it('a batch stops at the end of the log', () => {
    const { s, r } = leader(2, log5, { match: { n2: 3 } });
    expect(sendAppend(s, 'n2', r.ctx)).toBe(2);
    expect(appends(r)).toEqual([['n2', ae(2, 3, 2, [entry(2, 'd'), entry(2, 'e')], 0)]]);
  });

  it('a heartbeat to a pipelined follower vouches only for its matchIndex, and changes nothing', () => {
    const { s, r } = leader(2, log5, { match: { n2: 1 } });
    s.nextIndex.set('n2', 4); // batches 2..3 in flight
    s.inflight.set('n2', [{ until: 3, at: 0 }]);
    expect(sendAppend(s, 'n2', r.ctx, false)).toBe(0);
    expect(appends(r)).toEqual([['n2', ae(2, 1, 1, [], 0)]]);
    expect([s.nextIndex.get('n2'), s.inflight.get('n2')]).toEqual([4, [{ until: 3, at: 0 }]]);
  });

  it('a heartbeat never vouches beyond nextIndex - 1', () => {
    const { s, r } = leader(2, log5, { match: { n2: 4 } });
    s.nextIndex.set('n2', 3); // a stale matchIndex ahead of nextIndex (a success after a failure)
    sendAppend(s, 'n2', r.ctx, false);
    expect(appends(r)).toEqual([['n2', ae(2, 2, 1, [], 0)]]);
  });

  it('a heartbeat to a probed follower vouches for nextIndex - 1 (the probe)', () => {
    const { s, r } = leader(2, log5, { match: { n2: 1 } });
    s.nextIndex.set('n2', 4);
    s.probing.add('n2');
    sendAppend(s, 'n2', r.ctx, false);
    expect(appends(r)).toEqual([['n2', ae(2, 3, 2, [], 0)]]);
  });

  it('the ReadIndex round rides on every AppendEntries once there is one', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5 } });
    s.round = 3;
    sendAppend(s, 'n2', r.ctx, false);
    expect(appends(r)).toEqual([['n2', { ...ae(2, 5, 2, [], 0), round: 3 }]]);
  });

  describe('over a compacted log (start 3 of term 2, entries 4 and 5)', () => {
    function compacted(match: number) {
      const l = leader(2, [entry(2, 'd'), entry(2, 'e')], { match: { n2: match }, commit: 5 });
      l.s.log.start = 3;
      l.s.log.startTerm = 2;
      const data = JSON.stringify({ machine: [], sessions: [] });
      l.s.snapshot = { index: 3, term: 2, configIndex: 0, members: three, data, digest: 'd' };
      return l;
    }

    it('a follower whose nextIndex is at or behind the start gets the snapshot instead', () => {
      const { s, r } = compacted(2);
      expect(sendAppend(s, 'n2', r.ctx)).toBe(0);
      expect(r.sent.map((m) => [m.to, m.kind])).toEqual([['n2', RAFT_KINDS.installSnapshot]]);
    });

    it('one just past the start gets entries after the start, vouched for by the snapshot’s term', () => {
      const { s, r } = compacted(3);
      expect(sendAppend(s, 'n2', r.ctx)).toBe(2);
      expect(appends(r)).toEqual([['n2', ae(2, 3, 2, [entry(2, 'd'), entry(2, 'e')], 5)]]);
    });

    it('a heartbeat never vouches for an index behind the start', () => {
      const { s, r } = compacted(3);
      s.matchIndex.set('n2', 1);
      s.nextIndex.set('n2', 5);
      sendAppend(s, 'n2', r.ctx, false);
      expect(appends(r)).toEqual([['n2', ae(2, 3, 2, [], 5)]]);
    });

    it('pump sends the snapshot once and stops, for a nextIndex behind the start or at it', () => {
      for (const match of [1, 2]) {
        const { s, r } = compacted(match);
        expect(pump(s, 'n2', r.ctx)).toBe(0);
        expect(r.sent.map((m) => m.kind)).toEqual([RAFT_KINDS.installSnapshot]);
      }
    });
  });
});

describe('pump', () => {
  it('fills the window (maxInflight batches) and no more', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 1, maxInflight: 2 } });
    expect(pump(s, 'n2', r.ctx)).toBe(2);
    expect(appends(r).map(([, b]) => (b as AppendEntries).prevLogIndex)).toEqual([0, 1]);
    expect(s.nextIndex.get('n2')).toBe(3);
    expect(pump(s, 'n2', r.ctx)).toBe(0);
    s.inflight.get('n2')!.shift();
    expect(pump(s, 'n2', r.ctx)).toBe(1);
    expect(s.nextIndex.get('n2')).toBe(4);
  });

  it('one batch at a time while probing', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 1, maxInflight: 4 } });
    s.probing.add('n2');
    expect(pump(s, 'n2', r.ctx)).toBe(1);
    expect(pump(s, 'n2', r.ctx)).toBe(0);
  });

  it('sends up to the last entry, then stops', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 2, maxInflight: 8 }, match: { n2: 1 } });
    expect(pump(s, 'n2', r.ctx)).toBe(2);
    expect(s.nextIndex.get('n2')).toBe(6);
    expect(appends(r).map(([, b]) => (b as AppendEntries).entries.length)).toEqual([2, 2]);
  });

  it('a follower lacking only the last entry gets it', () => {
    const { s, r } = leader(2, log5, { match: { n2: 4 } });
    expect(pump(s, 'n2', r.ctx)).toBe(1);
    expect(appends(r)).toEqual([['n2', ae(2, 4, 2, [entry(2, 'e')], 0)]]);
  });

  it('a follower holding everything gets nothing', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5 } });
    expect(pump(s, 'n2', r.ctx)).toBe(0);
    expect(r.sent).toEqual([]);
  });
});

describe('heartbeat', () => {
  it('every follower gets a heartbeat, the timer is set again, and the lag is reported', () => {
    const { s, r, timers } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
    r.now = 100;
    s.lastAck.set('n2', 100);
    s.lastAck.set('n3', 100);
    heartbeat(s, r.ctx);
    expect(appends(r)).toEqual([
      ['n2', ae(2, 5, 2, [], 5)],
      ['n3', ae(2, 5, 2, [], 5)],
    ]);
    expect(timers).toEqual([{ key: 'heartbeat', delayMs: 50, message: { kind: RAFT_KINDS.heartbeat } }]);
    expect(eventsOf(r, 'raft-lag')).toEqual([{ type: 'raft-lag', term: 2, lag: { n2: 0, n3: 0 } }]);
  });

  it('a batch a whole heartbeat interval old is presumed lost and sent again from matchIndex + 1; a younger one is left alone', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 2, maxInflight: 1 }, match: { n2: 1, n3: 1 } });
    r.now = 150;
    for (const p of ['n2', 'n3']) {
      s.lastAck.set(p, 150);
      s.nextIndex.set(p, 4);
    }
    s.inflight.set('n2', [{ until: 3, at: 100 }]);
    s.inflight.set('n3', [{ until: 3, at: 101 }]);
    heartbeat(s, r.ctx);
    expect(appends(r)).toEqual([
      ['n2', ae(2, 1, 1, [entry(1, 'b'), entry(2, 'c')], 0)],
      ['n3', ae(2, 1, 1, [], 0)],
    ]);
    expect([s.nextIndex.get('n2'), s.inflight.get('n2')]).toEqual([4, [{ until: 3, at: 150 }]]);
    expect([s.nextIndex.get('n3'), s.inflight.get('n3')]).toEqual([4, [{ until: 3, at: 101 }]]);
  });

  it('a probed follower’s lost probe is sent again from nextIndex', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 1 }, match: { n2: 0 } });
    r.now = 150;
    s.lastAck.set('n2', 150);
    s.nextIndex.set('n2', 3);
    s.probing.add('n2');
    s.inflight.set('n2', [{ until: 3, at: 0 }]);
    heartbeat(s, r.ctx);
    expect(appends(r)[0]).toEqual(['n2', ae(2, 2, 1, [entry(2, 'c')], 0)]);
    expect(s.nextIndex.get('n2')).toBe(3);
  });

  describe('check-quorum', () => {
    it('counts itself and the followers heard within the maximum election timeout, and keeps leading with a majority', () => {
      const { s, r, timers } = leader(2, log5, { peers: five, match: { n2: 5, n3: 5, n4: 5, n5: 5 }, commit: 5 });
      r.now = 1_000;
      s.lastAck.set('n2', 700); // exactly 300 ms ago: heard
      s.lastAck.set('n3', 700);
      heartbeat(s, r.ctx);
      expect(s.role).toBe('leader');
      expect(eventsOf(r, 'raft-step-down')).toEqual([]);
      expect(timers.map((t) => t.key)).toEqual(['heartbeat']);
    });

    it('steps down without a majority, saying how many it heard', () => {
      const { s, r, timers } = leader(2, log5, { peers: five, match: { n2: 5, n3: 5, n4: 5, n5: 5 }, commit: 5 });
      r.now = 1_000;
      s.lastAck.set('n2', 700);
      s.lastAck.set('n3', 699); // 301 ms ago: not heard
      heartbeat(s, r.ctx);
      expect(s.role).toBe('follower');
      expect(eventsOf(r, 'raft-step-down')).toEqual([{ type: 'raft-step-down', term: 2, reason: 'check-quorum', heard: 2 }]);
      expect(eventsOf(r, 'raft-lag')).toEqual([]);
      expect(timers.map((t) => t.key)).toEqual(['election']);
    });

    it('a leader that is not a member does not count itself', () => {
      const { s, r } = leader(2, [...log5, configEntry(2, ['n2', 'n3'])], { match: { n2: 6, n3: 6 }, commit: 5 });
      expect(s.isMember).toBe(false);
      r.now = 1_000;
      s.lastAck.set('n2', 1_000);
      heartbeat(s, r.ctx);
      expect(eventsOf(r, 'raft-step-down')).toEqual([{ type: 'raft-step-down', term: 2, reason: 'check-quorum', heard: 1 }]);
    });

    it('with checkQuorum off a leader nobody answers keeps leading', () => {
      const { s, r } = leader(2, log5, { props: { checkQuorum: false }, match: { n2: 5, n3: 5 }, commit: 5 });
      r.now = 10_000;
      heartbeat(s, r.ctx);
      expect(s.role).toBe('leader');
    });
  });

  it('a learner whose round never ends is given up on at a heartbeat', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
    r.now = 3_001;
    s.lastAck.set('n2', 3_001);
    s.lastAck.set('n3', 3_001);
    s.learner = { id: 'n4', waiter: { from: 'admin', corr: 1 }, target: 5, roundAt: 0, rounds: 1 };
    for (const m of [s.matchIndex, s.ackedRound, s.lastAck]) m.set('n4', 0);
    s.nextIndex.set('n4', 6);
    s.inflight.set('n4', []);
    heartbeat(s, r.ctx);
    expect(appends(r).map(([to]) => to)).toEqual(['n2', 'n3', 'n4']);
    expect(eventsOf(r, 'raft-learner')).toEqual([
      { type: 'raft-learner', term: 2, learner: 'n4', phase: 'aborted', reason: 'n4 made no round within 3000 ms (unavailable or too slow)' },
    ]);
  });
});

describe('emitLag', () => {
  it('reports lastIndex - matchIndex per follower, only when one changed', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5, n3: 2 } });
    emitLag(s, r.ctx);
    emitLag(s, r.ctx);
    s.matchIndex.set('n3', 3);
    emitLag(s, r.ctx);
    expect(eventsOf(r, 'raft-lag')).toEqual([
      { type: 'raft-lag', term: 2, lag: { n2: 0, n3: 3 } },
      { type: 'raft-lag', term: 2, lag: { n2: 0, n3: 2 } },
    ]);
  });
});

describe('appendEntry', () => {
  it('appends, and sends to every follower with room', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
    appendEntry(s, entry(2, 'f'), r.ctx);
    expect(appends(r)).toEqual([
      ['n2', ae(2, 5, 2, [entry(2, 'f')], 5)],
      ['n3', ae(2, 5, 2, [entry(2, 'f')], 5)],
    ]);
  });

  it('a follower (a leader that removed itself and stepped down) appends but sends nothing', () => {
    const { s, r } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
    s.role = 'follower';
    appendEntry(s, entry(2, 'f'), r.ctx);
    expect([s.log.length, r.sent]).toEqual([6, []]);
  });

  it('a cluster of one commits at once', () => {
    const r = recordingCtx('n1', ['n1']);
    const s = new RaftNodeState('n1', resolveRaftProps({ peers: ['n1'] }, 'n1'), 1, null, [], new KeyValueMachine());
    refreshConfig(s, r.ctx);
    s.role = 'leader';
    appendEntry(s, entry(1, 'a'), r.ctx);
    expect([s.commitIndex, s.lastApplied]).toEqual([1, 1]);
  });
});

describe('onAppendReply', () => {
  it('a success moves matchIndex and nextIndex, ends probing, drops the batches it covers, and commits', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 1, maxInflight: 4 }, match: { n2: 2, n3: 2 }, commit: 2 });
    s.nextIndex.set('n2', 6);
    s.probing.add('n2');
    s.inflight.set('n2', [
      { until: 3, at: 0 },
      { until: 4, at: 0 },
      { until: 5, at: 0 },
    ]);
    r.now = 30;
    onAppendReply(s, 'n2', ok(2, 4), r.ctx);
    expect([s.matchIndex.get('n2'), s.nextIndex.get('n2'), s.probing.has('n2'), s.inflight.get('n2'), s.lastAck.get('n2')]).toEqual([
      4,
      6,
      false,
      [{ until: 5, at: 0 }],
      30,
    ]);
    expect(s.commitIndex).toBe(4);
    expect(r.sent).toEqual([]); // nothing more to send: 5 is in flight
  });

  it('a stale success moves nothing back', () => {
    const { s, r } = leader(2, log5, { match: { n2: 4 } });
    s.nextIndex.set('n2', 6);
    onAppendReply(s, 'n2', ok(2, 2), r.ctx);
    expect([s.matchIndex.get('n2'), s.nextIndex.get('n2')]).toEqual([4, 6]);
  });

  it('a success behind nextIndex after a failure moves nextIndex on past the match', () => {
    const { s, r } = leader(2, log5, { props: { maxBatch: 1, maxInflight: 1 }, match: { n2: 1 } });
    s.nextIndex.set('n2', 2);
    s.inflight.set('n2', [{ until: 4, at: 0 }]);
    onAppendReply(s, 'n2', ok(2, 4), r.ctx);
    expect(s.nextIndex.get('n2')).toBe(6);
    expect(appends(r)).toEqual([['n2', ae(2, 4, 2, [entry(2, 'e')], 4)]]); // and index 4 committed (n1 and n2 hold it)
  });

  it('a success acknowledging entries past the end of the log is refused, nothing counted', () => {
    const { s, r } = leader(2, log5, { match: { n2: 1 } });
    onAppendReply(s, 'n2', ok(2, 6), r.ctx);
    expect([s.matchIndex.get('n2'), s.commitIndex]).toEqual([1, 0]);
    expect(r.events).toEqual([
      { type: 'raft-rejected', from: 'n2', kind: RAFT_KINDS.appendEntriesReply, reason: 'acknowledges entries this log does not hold' },
    ]);
    onAppendReply(s, 'n2', ok(2, 5), r.ctx);
    expect(s.matchIndex.get('n2')).toBe(5);
  });

  it('a newer term deposes the leader; an older term, a follower, a server not replicated to: ignored', () => {
    const { s, r } = leader(2, log5, { match: { n2: 1 } });
    onAppendReply(s, 'n2', ok(1, 5), r.ctx);
    onAppendReply(s, 'n9', ok(2, 5), r.ctx);
    expect([s.matchIndex.get('n2'), s.lastAck.get('n2'), s.lastAck.has('n9'), r.sent]).toEqual([1, 0, false, []]);
    onAppendReply(s, 'n2', ok(3, 5), r.ctx);
    expect([s.role, s.term]).toEqual(['follower', 3]);
    onAppendReply(s, 'n2', ok(3, 5), r.ctx);
    expect(s.matchIndex.get('n2')).toBe(1);
  });

  describe('a failure: the fast back-off', () => {
    function probed(reply: AppendEntriesReply, next = 5) {
      const l = leader(2, log5, { props: { maxBatch: 1, maxInflight: 4 }, match: { n2: 0 } });
      l.s.nextIndex.set('n2', next);
      l.s.inflight.set('n2', [{ until: 5, at: 0 }]);
      onAppendReply(l.s, 'n2', reply, l.r.ctx);
      return l;
    }
    const prevOf = (r: Recording) => appends(r).map(([, b]) => (b as AppendEntries).prevLogIndex);

    it('a conflicting term the leader holds: on from just past its last entry of that term', () => {
      const { s, r } = probed(fail(2, { conflictTerm: 1, conflictIndex: 1 }));
      expect([s.nextIndex.get('n2'), s.probing.has('n2')]).toEqual([3, true]);
      expect(s.inflight.get('n2')).toEqual([{ until: 3, at: 0 }]); // the old batch dropped, one probe sent
      expect(prevOf(r)).toEqual([2]);
    });

    it('a conflicting term the leader does not hold: from the follower’s first index of it', () => {
      const { s } = probed(fail(2, { conflictTerm: 3, conflictIndex: 2 }));
      expect(s.nextIndex.get('n2')).toBe(2);
    });

    it('a log too short: from its end', () => {
      const { s } = probed(fail(2, { conflictIndex: 3 }));
      expect(s.nextIndex.get('n2')).toBe(3);
    });

    it('no hint at all: one back', () => {
      const { s } = probed(fail(2));
      expect(s.nextIndex.get('n2')).toBe(4);
    });

    it('never below 1, never past lastIndex + 1', () => {
      expect(probed(fail(2, { conflictIndex: 0 })).s.nextIndex.get('n2')).toBe(1);
      expect(probed(fail(2), 1).s.nextIndex.get('n2')).toBe(1);
      expect(probed(fail(2, { conflictIndex: 9 })).s.nextIndex.get('n2')).toBe(6);
    });

    it('with nothing left to send, the probe is an empty AppendEntries', () => {
      const { s, r } = probed(fail(2, { conflictIndex: 9 }));
      expect(appends(r)).toEqual([['n2', ae(2, 5, 2, [], 0)]]);
      expect(s.inflight.get('n2')).toEqual([]);
    });
  });

  describe('what rides on a reply', () => {
    it('a newer ReadIndex round is recorded and serves the reads it confirms; an older one is not', () => {
      const { s, r } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
      s.ackedRound.set('n2', 2);
      s.round = 3;
      s.reads = [{ waiter: { from: 'c1', corr: 1 }, clientId: 'c1', seq: 1, command: { op: 'get', key: 'k' }, index: 5, round: 3 }];
      onAppendReply(s, 'n2', { ...ok(2, 5), round: 1 }, r.ctx);
      expect([s.ackedRound.get('n2'), s.reads.length]).toEqual([2, 1]);
      onAppendReply(s, 'n2', { ...ok(2, 5), round: 3 }, r.ctx);
      expect([s.ackedRound.get('n2'), s.reads.length]).toEqual([3, 0]);
      expect(r.sent).toEqual([
        { to: 'c1', kind: RAFT_KINDS.clientReply, body: { clientId: 'c1', seq: 1, ok: true, index: 5, result: { ok: true, value: null } } },
      ]);
    });

    it('a failure is answered too: lastAck moves (the follower takes us for its leader)', () => {
      const { s, r } = leader(2, log5, { match: { n2: 5 } });
      r.now = 77;
      onAppendReply(s, 'n2', fail(2, { conflictIndex: 6 }), r.ctx);
      expect(s.lastAck.get('n2')).toBe(77);
    });

    it('the transfer target catching up gets TimeoutNow once it holds the whole log', () => {
      const { s, r } = leader(2, log5, { match: { n2: 4 } });
      s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 1 }, sent: false };
      onAppendReply(s, 'n3', ok(2, 5), r.ctx);
      expect(r.sent).toEqual([]); // nothing for the target on another server's reply
      onAppendReply(s, 'n2', ok(2, 5), r.ctx);
      expect(r.sent.filter((m) => m.kind === RAFT_KINDS.timeoutNow)).toEqual([{ to: 'n2', kind: RAFT_KINDS.timeoutNow, body: { term: 2 } }]);
    });

    it('a learner’s success is its progress; a failure, or another server’s success, is not', () => {
      const { s, r } = leader(2, log5, { match: { n2: 5, n3: 5 }, commit: 5 });
      s.learner = { id: 'n4', waiter: { from: 'admin', corr: 1 }, target: 5, roundAt: 0, rounds: 1 };
      for (const m of [s.ackedRound, s.lastAck]) m.set('n4', 0);
      s.matchIndex.set('n4', 5); // at the target already: only its own success promotes it
      s.nextIndex.set('n4', 6);
      s.inflight.set('n4', []);
      onAppendReply(s, 'n2', ok(2, 5), r.ctx);
      expect(s.learner?.id).toBe('n4');
      onAppendReply(s, 'n4', fail(2, { conflictIndex: 6 }), r.ctx);
      expect(s.learner?.id).toBe('n4');
      onAppendReply(s, 'n4', ok(2, 5), r.ctx);
      expect(s.learner).toBe(null);
      expect(eventsOf(r, 'raft-learner')).toEqual([{ type: 'raft-learner', term: 2, learner: 'n4', phase: 'promoted', rounds: 1 }]);
    });

    it('a leader that removed itself stops once the change commits: nothing more is sent', () => {
      const { s, r } = leader(2, [...log5, configEntry(2, ['n2', 'n3']), entry(2, 'g')], { match: { n2: 6, n3: 5 }, commit: 5 });
      onAppendReply(s, 'n3', ok(2, 6), r.ctx); // n3 still lacks entry 7, which a leader would send it
      expect(s.role).toBe('follower');
      expect(appends(r)).toEqual([]);
    });
  });
});
