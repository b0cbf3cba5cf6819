import { describe, expect, it } from 'vitest';
import type { Message } from '../src/actors/envelope.ts';
import { onInstallSnapshot, onInstallSnapshotReply } from '../src/protocols/raft/install-snapshot.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import { lastIndex, logStart } from '../src/protocols/raft/log.ts';
import { refreshConfig } from '../src/protocols/raft/membership.ts';
import { type InstallSnapshot, type LogEntry, RAFT_KINDS, type RaftProps, resolveRaftProps, type SnapshotRecord } from '../src/protocols/raft/messages.ts';
import { RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { configAt, digestOf, installSnapshot, maybeSnapshot, recoverSnapshot, sendSnapshotChunk, takeSnapshot } from '../src/protocols/raft/snapshots.ts';
import { configEntry, entry, eventsOf, recordingCtx, type Recording } from './fixtures/raft-by-hand.ts';

/**
 * Log compaction one function at a time (`snapshots.ts`, and the InstallSnapshot handlers of
 * `install-snapshot.ts`), on nodes built by hand: the record a snapshot makes, what stays in the
 * log behind it, a snapshot installed over a log that holds its last entry or not, chunks taken
 * in order only, and the leader's side of the chunked transfer. Each case asserts exact messages,
 * events and state.
 */

const three = ['n1', 'n2', 'n3'];

/** A node `self` of `peers` in `term` holding `log`, with the props given (peers filled in). */
function node(self: string, term: number, log: readonly LogEntry[], props: Omit<RaftProps, 'peers'> = {}, peers = three): { s: RaftNodeState; r: Recording } {
  const r = recordingCtx(self, peers);
  const s = new RaftNodeState(self, resolveRaftProps({ ...props, peers: [...peers] }, self), term, null, [...log], new KeyValueMachine());
  refreshConfig(s, r.ctx);
  r.events.length = 0;
  return { s, r };
}

/** A leader of `term` whose followers each stand at `match` (nextIndex just past it), none probing. */
function leaderOf(term: number, log: readonly LogEntry[], props: Omit<RaftProps, 'peers'> = {}, match = 0): { s: RaftNodeState; r: Recording } {
  const n = node('n1', term, log, props);
  n.s.role = 'leader';
  n.s.leader = 'n1';
  for (const p of n.s.others) {
    n.s.matchIndex.set(p, match);
    n.s.nextIndex.set(p, match + 1);
    n.s.inflight.set(p, []);
    n.s.lastAck.set(p, 0);
    n.s.ackedRound.set(p, 0);
  }
  return n;
}

const kvState = (pairs: [string, string][]) => JSON.stringify({ machine: pairs, sessions: [] });
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digestOf and configAt', () => {
  it('digestOf is the sha256 of the text, in hex', () => {
    expect(digestOf('')).toBe(EMPTY_SHA256);
    expect(digestOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('configAt: the latest configuration entry at or before the index, looking no further than the log’s end', () => {
    const { s } = node('n1', 2, [entry(1), configEntry(1, ['n1', 'n2']), entry(2), configEntry(2, ['n1', 'n2', 'n4'])]);
    expect(configAt(s, 1)).toEqual({ index: 0, members: three });
    expect(configAt(s, 2)).toEqual({ index: 2, members: ['n1', 'n2'] });
    expect(configAt(s, 3)).toEqual({ index: 2, members: ['n1', 'n2'] });
    expect(configAt(s, 4)).toEqual({ index: 4, members: ['n1', 'n2', 'n4'] });
    expect(configAt(s, 9)).toEqual({ index: 4, members: ['n1', 'n2', 'n4'] });
  });

  it('configAt on a compacted log with no configuration entry left: the snapshot’s configuration', () => {
    const { s } = node('n1', 2, []);
    s.log.push(entry(2), entry(2));
    s.log.start = 5;
    s.log.startTerm = 2;
    expect(configAt(s, 7)).toEqual({ index: 0, members: three });
    s.snapshot = { index: 5, term: 2, configIndex: 3, members: ['n1', 'n5'], data: '', digest: '' };
    expect(configAt(s, 7)).toEqual({ index: 3, members: ['n1', 'n5'] });
  });
});

describe('taking a snapshot', () => {
  /** A follower that applied 6 entries (puts a..f) with snapshots every 3, maxBatch 1 and maxInflight 2. */
  function applied6() {
    const puts = ['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => entry(i < 3 ? 1 : 2, k));
    const n = node('n2', 2, puts, { maxBatch: 1, maxInflight: 2, snapshotEvery: 3 });
    n.s.snapshotEvery = 3;
    for (let i = 1; i <= 6; i++) n.s.applied.apply(i, puts[i - 1].command);
    n.s.commitIndex = n.s.lastApplied = 6;
    return n;
  }

  it('maybeSnapshot snapshots on the grid only', () => {
    const { s, r } = applied6();
    maybeSnapshot(s, 5, 2, r.ctx);
    expect(s.snapshot).toBe(null);
    maybeSnapshot(s, 6, 2, r.ctx);
    expect(s.snapshot?.index).toBe(6);
  });

  it('maybeSnapshot with snapshotEvery 0 never snapshots', () => {
    const { s, r } = applied6();
    s.snapshotEvery = 0;
    maybeSnapshot(s, 6, 2, r.ctx);
    expect(s.snapshot).toBe(null);
  });

  it('takeSnapshot records the state, persists it, and keeps a pipeline of entries (maxBatch x maxInflight) behind it', () => {
    const { s, r } = applied6();
    takeSnapshot(s, 6, 2, r.ctx);
    const data = kvState([
      ['a', 'a@1'],
      ['b', 'b@1'],
      ['c', 'c@1'],
      ['d', 'd@2'],
      ['e', 'e@2'],
      ['f', 'f@2'],
    ]);
    const record: SnapshotRecord = { index: 6, term: 2, configIndex: 0, members: three, data, digest: digestOf(data) };
    expect(s.snapshot).toEqual(record);
    expect(r.ctx.durable.get('snapshot')).toEqual(record);
    expect([logStart(s.log), lastIndex(s.log), s.log.startTerm]).toEqual([4, 6, 2]);
    expect(r.ctx.durable.get('log')).toBe(s.log);
    expect(r.events).toEqual([{ type: 'raft-snapshot', how: 'taken', index: 6, term: 2, digest: digestOf(data), chars: data.length, logStart: 4 }]);
  });

  it('the snapshot names the configuration in use at its index', () => {
    const log = [entry(1), configEntry(1, ['n1', 'n2', 'n3', 'n4']), entry(1)];
    const { s, r } = node('n2', 1, log, { maxBatch: 1, maxInflight: 1 });
    s.commitIndex = s.lastApplied = 3;
    takeSnapshot(s, 3, 1, r.ctx);
    expect([s.snapshot?.configIndex, s.snapshot?.members, logStart(s.log)]).toEqual([2, ['n1', 'n2', 'n3', 'n4'], 2]);
  });
});

describe('recovering and installing', () => {
  const state = kvState([['k', 'v']]);
  const record = (index: number, term: number, data = state): SnapshotRecord => ({ index, term, configIndex: 0, members: three, data, digest: digestOf(data) });

  it('recoverSnapshot without a snapshot on disk changes nothing', () => {
    const { s, r } = node('n1', 1, [entry(1)]);
    recoverSnapshot(s, r.ctx);
    expect([s.snapshot, s.lastApplied, s.commitIndex, r.events]).toEqual([null, 0, 0, []]);
  });

  it('recoverSnapshot restores the state, and counts its index as applied and committed', () => {
    const { s, r } = node('n1', 2, []);
    r.ctx.durable.set('snapshot', record(8, 2));
    recoverSnapshot(s, r.ctx);
    expect([s.snapshot, s.lastApplied, s.commitIndex]).toEqual([record(8, 2), 8, 8]);
    expect((s.applied.machine as KeyValueMachine).get('k')).toBe('v');
    expect(r.events).toEqual([{ type: 'raft-snapshot', how: 'recovered', index: 8, term: 2, digest: digestOf(state), chars: state.length, logStart: 0 }]);
  });

  it('installSnapshot over a log holding its last entry keeps the entries after it', () => {
    const { s, r } = node('n2', 2, [entry(1, 'a'), entry(2, 'b'), entry(2, 'c')]);
    expect(installSnapshot(s, record(2, 2), r.ctx)).toBe(true);
    expect([logStart(s.log), lastIndex(s.log), s.lastApplied, s.commitIndex]).toEqual([2, 3, 2, 2]);
    expect(r.ctx.durable.get('snapshot')).toEqual(record(2, 2));
    expect(r.ctx.durable.get('log')).toBe(s.log);
    expect(eventsOf(r, 'raft-snapshot')).toEqual([
      { type: 'raft-snapshot', how: 'installed', index: 2, term: 2, digest: digestOf(state), chars: state.length, logStart: 2 },
    ]);
  });

  it('installSnapshot over a log whose entry at its index is of another term discards the whole log', () => {
    const { s, r } = node('n2', 2, [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')]);
    expect(installSnapshot(s, record(2, 2), r.ctx)).toBe(true);
    expect([s.log.length, logStart(s.log), lastIndex(s.log), s.log.startTerm]).toEqual([0, 2, 2, 2]);
  });

  it('installSnapshot never lowers the commit index', () => {
    const { s, r } = node('n2', 2, [entry(1, 'a'), entry(2, 'b'), entry(2, 'c')]);
    s.commitIndex = 3;
    installSnapshot(s, record(2, 2), r.ctx);
    expect([s.commitIndex, s.lastApplied]).toEqual([3, 2]);
  });

  it('a state the machine refuses: false, and nothing changed', () => {
    const { s, r } = node('n2', 2, [entry(1, 'a')]);
    expect(installSnapshot(s, record(2, 2, JSON.stringify({ machine: 'not pairs', sessions: [] })), r.ctx)).toBe(false);
    expect([s.snapshot, s.lastApplied, s.log.length, r.events, r.ctx.durable.get('snapshot')]).toEqual([null, 0, 1, [], undefined]);
  });
});

describe('the leader sends its snapshot chunk by chunk', () => {
  const data = '0123456789';
  /** A leader (term 3, heartbeat 50 ms, chunks of 4) whose snapshot at 10 (term 2) holds `data`, entry 11 of term 3, committed to 10. */
  function sender() {
    const n = leaderOf(3, [entry(3)], { snapshotChunkChars: 4 });
    n.s.log.start = 10;
    n.s.log.startTerm = 2;
    n.s.snapshot = { index: 10, term: 2, configIndex: 0, members: three, data, digest: digestOf(data) };
    n.s.commitIndex = n.s.lastApplied = 10;
    n.r.now = 1_000;
    return n;
  }
  const chunk = (offset: number, piece: string, done: boolean, index = 10): InstallSnapshot => ({
    term: 3,
    index,
    lastTerm: 2,
    configIndex: 0,
    members: three,
    offset,
    data: piece,
    done,
  });
  const sent = (r: Recording) => r.sent.map((m) => [m.to, m.kind, m.body]);

  it('the first chunk starts the send (raft-snapshot-send), then nothing until it is a heartbeat old', () => {
    const { s, r } = sender();
    sendSnapshotChunk(s, 'n2', r.ctx);
    expect(eventsOf(r, 'raft-snapshot-send')).toEqual([{ type: 'raft-snapshot-send', term: 3, to: 'n2', index: 10, chars: 10 }]);
    expect(sent(r)).toEqual([['n2', RAFT_KINDS.installSnapshot, chunk(0, '0123', false)]]);
    expect(s.snapshotSends.get('n2')).toEqual({ index: 10, offset: 0, at: 1_000 });
    r.now = 1_049;
    sendSnapshotChunk(s, 'n2', r.ctx);
    expect(r.sent.length).toBe(1);
    r.now = 1_050;
    sendSnapshotChunk(s, 'n2', r.ctx); // presumed lost: the same chunk again
    expect(sent(r).slice(1)).toEqual([['n2', RAFT_KINDS.installSnapshot, chunk(0, '0123', false)]]);
    expect(eventsOf(r, 'raft-snapshot-send').length).toBe(1);
  });

  it('the last chunk is marked done, exactly when it reaches the end', () => {
    const { s, r } = sender();
    s.snapshotSends.set('n2', { index: 10, offset: 4, at: -Infinity });
    sendSnapshotChunk(s, 'n2', r.ctx);
    s.snapshotSends.set('n2', { index: 10, offset: 8, at: -Infinity });
    sendSnapshotChunk(s, 'n2', r.ctx);
    expect(sent(r)).toEqual([
      ['n2', RAFT_KINDS.installSnapshot, chunk(4, '4567', false)],
      ['n2', RAFT_KINDS.installSnapshot, chunk(8, '89', true)],
    ]);
    expect(r.events).toEqual([]);
  });

  it('a chunk that ends exactly at the end is done', () => {
    const { s, r } = sender();
    s.snapshot = { ...s.snapshot!, data: '01234567' };
    s.snapshotSends.set('n2', { index: 10, offset: 4, at: -Infinity });
    sendSnapshotChunk(s, 'n2', r.ctx);
    expect(sent(r)).toEqual([['n2', RAFT_KINDS.installSnapshot, chunk(4, '4567', true)]]);
  });

  it('a newer snapshot starts the send over from offset 0', () => {
    const { s, r } = sender();
    s.snapshotSends.set('n2', { index: 7, offset: 8, at: 999 });
    sendSnapshotChunk(s, 'n2', r.ctx);
    expect(sent(r)).toEqual([['n2', RAFT_KINDS.installSnapshot, chunk(0, '0123', false)]]);
    expect(eventsOf(r, 'raft-snapshot-send').length).toBe(1);
  });

  describe('onInstallSnapshotReply', () => {
    it('a chunk acknowledged: the next chunk leaves at once, from the offset the follower reached', () => {
      const { s, r } = sender();
      sendSnapshotChunk(s, 'n2', r.ctx);
      r.now = 1_010;
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 4, done: false }, r.ctx);
      expect(sent(r).slice(1)).toEqual([['n2', RAFT_KINDS.installSnapshot, chunk(4, '4567', false)]]);
      expect(s.lastAck.get('n2')).toBe(1_010);
    });

    it('a reply about another snapshot, or with no send in progress, sends nothing', () => {
      const { s, r } = sender();
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 4, done: false }, r.ctx);
      s.snapshotSends.set('n2', { index: 7, offset: 0, at: -Infinity });
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 4, done: false }, r.ctx);
      expect(r.sent).toEqual([]);
      expect(s.snapshotSends.get('n2')).toEqual({ index: 7, offset: 0, at: -Infinity });
    });

    it('installed: the follower stands at the snapshot, is probed from there, and the send is over', () => {
      const { s, r } = sender();
      s.snapshotSends.set('n2', { index: 10, offset: 8, at: 1_000 });
      s.inflight.set('n2', [{ until: 3, at: 0 }]);
      s.nextIndex.set('n2', 5);
      r.now = 1_020;
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 10, done: true }, r.ctx);
      expect([s.matchIndex.get('n2'), s.nextIndex.get('n2'), s.probing.has('n2'), s.snapshotSends.has('n2'), s.lastAck.get('n2')]).toEqual([
        10,
        11,
        true,
        false,
        1_020,
      ]);
      // probing: one batch, the entry after the snapshot
      expect(sent(r)).toEqual([['n2', RAFT_KINDS.appendEntries, { term: 3, prevLogIndex: 10, prevLogTerm: 2, entries: [entry(3)], leaderCommit: 10 }]]);
      expect(s.inflight.get('n2')).toEqual([{ until: 11, at: 1_020 }]);
    });

    it('installed: a newer snapshot being sent meanwhile goes on; matchIndex and nextIndex never move back', () => {
      const { s, r } = sender();
      s.snapshotSends.set('n2', { index: 12, offset: 4, at: 1_000 });
      s.matchIndex.set('n2', 11);
      s.nextIndex.set('n2', 13);
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 10, done: true }, r.ctx);
      expect([s.matchIndex.get('n2'), s.nextIndex.get('n2'), s.snapshotSends.has('n2')]).toEqual([11, 13, true]);
    });

    it('installed, with the send of exactly that snapshot: it is forgotten', () => {
      const { s, r } = sender();
      s.snapshotSends.set('n2', { index: 10, offset: 8, at: 1_000 });
      s.snapshotSends.set('n3', { index: 9, offset: 8, at: 1_000 });
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 10, offset: 10, done: true }, r.ctx);
      onInstallSnapshotReply(s, 'n3', { term: 3, index: 10, offset: 10, done: true }, r.ctx);
      expect([s.snapshotSends.has('n2'), s.snapshotSends.has('n3')]).toEqual([false, false]);
    });

    it('installed: the commit index moves once a majority stands at the snapshot or beyond, with an entry of this term', () => {
      const { s, r } = sender();
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 11, offset: 10, done: true }, r.ctx);
      expect(s.commitIndex).toBe(11);
    });

    it('a done past the end of the log is refused, nothing counted', () => {
      const { s, r } = sender();
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 12, offset: 10, done: true }, r.ctx);
      expect(s.matchIndex.get('n2')).toBe(0);
      expect(r.events).toEqual([
        { type: 'raft-rejected', from: 'n2', kind: RAFT_KINDS.installSnapshotReply, reason: 'acknowledges a snapshot past the end of this log' },
      ]);
      expect(r.sent).toEqual([]);
    });

    it('a newer term deposes the leader; an older one, a follower, or a server no longer replicated to are ignored', () => {
      const { s, r } = sender();
      s.snapshotSends.set('n2', { index: 10, offset: 0, at: 0 });
      onInstallSnapshotReply(s, 'n2', { term: 2, index: 10, offset: 4, done: false }, r.ctx);
      onInstallSnapshotReply(s, 'n9', { term: 3, index: 10, offset: 4, done: true }, r.ctx);
      expect([r.sent, s.lastAck.get('n2'), s.lastAck.has('n9'), s.matchIndex.has('n9')]).toEqual([[], 0, false, false]);
      onInstallSnapshotReply(s, 'n2', { term: 5, index: 10, offset: 4, done: false }, r.ctx);
      expect([s.role, s.term]).toEqual(['follower', 5]);
      onInstallSnapshotReply(s, 'n2', { term: 5, index: 10, offset: 4, done: false }, r.ctx);
      expect(r.sent.filter((m) => m.kind === RAFT_KINDS.installSnapshot)).toEqual([]);
    });

    it('the transfer target installed the snapshot and holds the whole log: TimeoutNow', () => {
      const { s, r } = sender();
      s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 1 }, sent: false };
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 11, offset: 10, done: true }, r.ctx);
      expect(r.sent.map((m) => [m.to, m.kind])).toEqual([['n2', RAFT_KINDS.timeoutNow]]);
    });

    it('a transfer to another server, or another server catching up as a learner, is not this reply’s business', () => {
      const { s, r } = sender();
      s.matchIndex.set('n3', 11);
      s.nextIndex.set('n3', 12);
      s.transfer = { target: 'n3', waiter: { from: 'admin', corr: 1 }, sent: false };
      s.learner = { id: 'n4', waiter: { from: 'admin', corr: 2 }, target: 11, roundAt: 1_000, rounds: 1 };
      for (const m of [s.matchIndex, s.ackedRound, s.lastAck]) m.set('n4', 11);
      s.nextIndex.set('n4', 12);
      s.inflight.set('n4', []);
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 11, offset: 10, done: true }, r.ctx);
      expect(r.sent).toEqual([]);
      expect([s.transfer.sent, s.learner?.id]).toEqual([false, 'n4']);
      expect(eventsOf(r, 'raft-learner')).toEqual([]);
    });

    it('a leader that removed itself steps down when the snapshot’s acknowledgement commits the change, and sends nothing more', () => {
      const { s, r } = sender();
      s.log.push(configEntry(3, ['n2', 'n3']), entry(3, 'after'));
      refreshConfig(s, r.ctx);
      s.matchIndex.set('n3', 12); // n2 then lacks entry 13, which a leader would send it
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 12, offset: 10, done: true }, r.ctx);
      expect([s.role, s.commitIndex]).toEqual(['follower', 12]);
      expect(r.sent.filter((m) => m.kind === RAFT_KINDS.appendEntries)).toEqual([]);
    });

    it('a learner that installed the snapshot makes progress (promoted when its round was short)', () => {
      const { s, r } = sender();
      s.learner = { id: 'n2', waiter: { from: 'admin', corr: 1 }, target: 11, roundAt: 1_000, rounds: 1 };
      onInstallSnapshotReply(s, 'n2', { term: 3, index: 11, offset: 10, done: true }, r.ctx);
      expect(s.learner).toBe(null);
      expect(eventsOf(r, 'raft-learner')).toEqual([{ type: 'raft-learner', term: 3, learner: 'n2', phase: 'promoted', rounds: 1 }]);
    });
  });
});

describe('onInstallSnapshot: the follower takes chunks in order and installs on the last', () => {
  const state = kvState([['k', 'v']]);
  const msg = (term: number, index: number, offset: number, piece: string, done: boolean, lastTerm = 2): InstallSnapshot => ({
    term,
    index,
    lastTerm,
    configIndex: 0,
    members: three,
    offset,
    data: piece,
    done,
  });
  const replies = (r: Recording) => r.sent.filter((m) => m.kind === RAFT_KINDS.installSnapshotReply).map((m) => m.body);
  const reply = (term: number, index: number, offset: number, done: boolean) => ({ term, index, offset, done });

  function timed(r: Recording) {
    const set: string[] = [];
    Object.assign(r.ctx, { setTimer: (k: string, _d: number, _m: Message) => void set.push(k) });
    return set;
  }

  it('an older term is refused with ours, nothing else happens', () => {
    const { s, r } = node('n2', 4, []);
    const set = timed(r);
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, state, true), r.ctx);
    expect(replies(r)).toEqual([reply(4, 10, 0, false)]);
    expect([s.leader, s.snapshotReceive, s.lastApplied, set]).toEqual([null, null, 0, []]);
  });

  it('a leader refuses a second leader of its own term', () => {
    const { s, r } = leaderOf(3, [entry(3)]);
    onInstallSnapshot(s, 'n2', msg(3, 10, 0, state, true), r.ctx);
    expect(replies(r)).toEqual([reply(3, 10, 0, false)]);
    expect([s.role, s.lastApplied]).toEqual(['leader', 0]);
  });

  it('a leader hearing from a leader of a newer term follows it and installs', () => {
    const { s, r } = leaderOf(3, [entry(3)]);
    onInstallSnapshot(s, 'n2', msg(4, 10, 0, state, true), r.ctx);
    expect([s.role, s.term, s.leader, s.lastApplied]).toEqual(['follower', 4, 'n2', 10]);
    expect(replies(r)).toEqual([reply(4, 10, state.length, true)]);
  });

  it('in one chunk: installed, the leader followed and heard, the election timer reset', () => {
    const { s, r } = node('n2', 2, [entry(1, 'a')]);
    const set = timed(r);
    r.now = 700;
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, state, true), r.ctx);
    expect([s.term, s.leader, s.leaderContactAt, set]).toEqual([3, 'n1', 700, ['election']]);
    expect([s.lastApplied, s.commitIndex, lastIndex(s.log), s.snapshotReceive]).toEqual([10, 10, 10, null]);
    expect((s.applied.machine as KeyValueMachine).get('k')).toBe('v');
    expect(s.snapshot).toEqual({ index: 10, term: 2, configIndex: 0, members: three, data: state, digest: digestOf(state) });
    expect(replies(r)).toEqual([reply(3, 10, state.length, true)]);
  });

  it('in chunks: each acknowledged with the characters received so far', () => {
    const { s, r } = node('n2', 3, []);
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, state.slice(0, 5), false), r.ctx);
    expect(s.snapshotReceive).toEqual({ index: 10, chunks: [state.slice(0, 5)], received: 5 });
    onInstallSnapshot(s, 'n1', msg(3, 10, 5, state.slice(5, 12), false), r.ctx);
    onInstallSnapshot(s, 'n1', msg(3, 10, 12, state.slice(12), true), r.ctx);
    expect(replies(r)).toEqual([reply(3, 10, 5, false), reply(3, 10, 12, false), reply(3, 10, state.length, true)]);
    expect([s.lastApplied, s.snapshotReceive]).toEqual([10, null]);
  });

  it('out of order: a gap or a repeat is answered with where to go on from; another snapshot’s chunk with 0', () => {
    const { s, r } = node('n2', 3, []);
    onInstallSnapshot(s, 'n1', msg(3, 10, 4, 'xxxx', false), r.ctx); // nothing started: from 0
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, state.slice(0, 5), false), r.ctx);
    onInstallSnapshot(s, 'n1', msg(3, 10, 9, 'xxxx', false), r.ctx); // a gap
    onInstallSnapshot(s, 'n1', msg(3, 10, 3, 'xxxx', false), r.ctx); // a repeat
    onInstallSnapshot(s, 'n1', msg(3, 12, 5, 'xxxx', false), r.ctx); // another snapshot
    expect(replies(r)).toEqual([reply(3, 10, 0, false), reply(3, 10, 5, false), reply(3, 10, 5, false), reply(3, 10, 5, false), reply(3, 12, 0, false)]);
    expect(s.snapshotReceive).toEqual({ index: 10, chunks: [state.slice(0, 5)], received: 5 });
  });

  it('a snapshot at or below what it applied is acknowledged as installed, and any receive in progress dropped', () => {
    const { s, r } = node('n2', 3, []);
    s.lastApplied = s.commitIndex = 10;
    s.snapshotReceive = { index: 12, chunks: ['ab'], received: 2 };
    onInstallSnapshot(s, 'n1', msg(3, 10, 4, 'xyz', false), r.ctx);
    expect(replies(r)).toEqual([reply(3, 10, 7, true)]);
    expect([s.snapshotReceive, s.snapshot]).toEqual([null, null]);
  });

  it('one past what it applied is taken', () => {
    const { s, r } = node('n2', 3, []);
    s.lastApplied = s.commitIndex = 9;
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, state, true), r.ctx);
    expect(s.lastApplied).toBe(10);
  });

  it('a snapshot that does not read as one, or that the machine refuses, is refused and not installed', () => {
    const { s, r } = node('n2', 3, [entry(1, 'a')]);
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, 'not json', true), r.ctx);
    onInstallSnapshot(s, 'n1', msg(3, 10, 0, JSON.stringify({ machine: 7, sessions: [] }), true), r.ctx);
    expect(eventsOf(r, 'raft-rejected')).toEqual([
      { type: 'raft-rejected', from: 'n1', kind: RAFT_KINDS.installSnapshot, reason: 'a snapshot that does not read as one' },
      { type: 'raft-rejected', from: 'n1', kind: RAFT_KINDS.installSnapshot, reason: 'a snapshot the state machine refuses' },
    ]);
    expect(replies(r)).toEqual([]);
    expect([s.lastApplied, s.snapshot, s.snapshotReceive, lastIndex(s.log)]).toEqual([0, null, null, 1]);
  });

  it('the snapshot’s configuration is adopted', () => {
    const { s, r } = node('n2', 3, []);
    onInstallSnapshot(s, 'n1', { ...msg(3, 10, 0, state, true), configIndex: 4, members: ['n1', 'n2'] }, r.ctx);
    expect([s.configIndex, s.members, s.majority]).toEqual([4, ['n1', 'n2'], 2]);
    expect(eventsOf(r, 'raft-config')).toEqual([{ type: 'raft-config', index: 4, members: ['n1', 'n2'] }]);
  });
});
