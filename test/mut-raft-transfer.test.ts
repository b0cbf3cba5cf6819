import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { endTransfer, onTransferLeadership, tryTransfer } from '../src/protocols/raft/transfer.ts';
import { entry, eventsOf, follower, leader, type Recording, timers } from './fixtures/raft-by-hand.ts';

/**
 * `transfer.ts`, leadership transfer (thesis section 3.10): each refusal with its reason and the
 * leader hint, a transfer to itself, the start (event, timer of the maximum election timeout),
 * TimeoutNow once the target holds the whole log and never twice, replication until then, and
 * the end (done or aborted) answering who asked.
 */

const three = ['n1', 'n2', 'n3'];

const ask = (body: unknown, corr = 5): Envelope => ({ id: 1, from: 'admin', to: 'n1', kind: RAFT_KINDS.transferLeadership, body, corr }) as Envelope;
const replies = (r: Recording) => r.sent.filter((m) => m.kind === RAFT_KINDS.transferReply).map((m) => [m.to, m.body]);

describe('onTransferLeadership', () => {
  it('a follower refuses, naming the leader it knows', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n3';
    onTransferLeadership(s, ask({ target: 'n2' }), r.ctx);
    expect(replies(r)).toEqual([['admin', { ok: false, reason: 'not the leader', leader: 'n3' }]]);
  });

  it('a transfer to the leader itself is done at once', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    const t = timers(r);
    onTransferLeadership(s, ask({ target: 'n1' }), r.ctx);
    expect(replies(r)).toEqual([['admin', { ok: true, target: 'n1' }]]);
    expect([s.transfer, t.set, r.events]).toEqual([null, [], []]);
  });

  it('a target that is no other member, or none, is refused by name', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    onTransferLeadership(s, ask({ target: 'n9' }), r.ctx);
    onTransferLeadership(s, ask({ target: 7 }), r.ctx);
    onTransferLeadership(s, ask({}), r.ctx);
    onTransferLeadership(s, ask(undefined), r.ctx);
    expect(replies(r).map(([, b]) => b)).toEqual([
      { ok: false, reason: 'unknown target "n9"', leader: 'n1' },
      { ok: false, reason: 'unknown target 7', leader: 'n1' },
      { ok: false, reason: 'unknown target undefined', leader: 'n1' },
      { ok: false, reason: 'unknown target undefined', leader: 'n1' },
    ]);
    expect(s.transfer).toBeNull();
  });

  it('a second transfer while one is in progress is refused', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)]);
    s.transfer = { target: 'n3', waiter: { from: 'x', corr: 1 }, sent: false };
    onTransferLeadership(s, ask({ target: 'n2' }), r.ctx);
    expect(replies(r)).toEqual([['admin', { ok: false, reason: 'a transfer to n3 is in progress', leader: 'n1' }]]);
    expect(s.transfer.target).toBe('n3');
  });

  it('to an up-to-date target: the start, the timer of the maximum election timeout, TimeoutNow at once', () => {
    const { s, r } = leader('n1', three, 2, [entry(1), entry(2)], { n2: 2, n3: 1 }, 2);
    const t = timers(r);
    onTransferLeadership(s, ask({ target: 'n2' }, 8), r.ctx);
    expect(s.transfer).toEqual({ target: 'n2', waiter: { from: 'admin', corr: 8 }, sent: true });
    expect(r.events).toEqual([
      { type: 'raft-transfer', term: 2, target: 'n2', phase: 'start' },
      { type: 'raft-transfer', term: 2, target: 'n2', phase: 'timeout-now' },
    ]);
    expect(t.set).toEqual([{ key: 'transfer', delayMs: 300, message: { kind: RAFT_KINDS.transferTimeout } }]);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.timeoutNow, body: { term: 2 } }]);
  });
});

describe('tryTransfer', () => {
  it('a target behind gets entries, not TimeoutNow', () => {
    const { s, r } = leader('n1', three, 2, [entry(1), entry(2)], { n2: 1, n3: 2 }, 2);
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 1 }, sent: false };
    tryTransfer(s, r.ctx);
    expect(s.transfer.sent).toBe(false);
    expect(r.sent.map((m) => [m.to, m.kind])).toEqual([['n2', RAFT_KINDS.appendEntries]]);
    expect(r.events).toEqual([]);
  });

  it('once it holds the last entry, TimeoutNow; never twice', () => {
    const { s, r } = leader('n1', three, 3, [entry(1), entry(3)], { n2: 2, n3: 0 }, 2);
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 1 }, sent: false };
    tryTransfer(s, r.ctx);
    tryTransfer(s, r.ctx);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.timeoutNow, body: { term: 3 } }]);
    expect(eventsOf(r, 'raft-transfer')).toEqual([{ type: 'raft-transfer', term: 3, target: 'n2', phase: 'timeout-now' }]);
  });
});

describe('endTransfer', () => {
  it('done: the timer cancelled, the event, the asker told the target took over', () => {
    const { s, r } = leader('n1', three, 3, [entry(3)]);
    const t = timers(r);
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 4 }, sent: true };
    s.leader = 'n2';
    endTransfer(s, true, 'deposed', r.ctx);
    expect(s.transfer).toBeNull();
    expect(t.cancelled).toEqual(['transfer']);
    expect(r.events).toEqual([{ type: 'raft-transfer', term: 3, target: 'n2', phase: 'done', reason: 'deposed' }]);
    expect(r.sent).toEqual([{ to: 'admin', kind: RAFT_KINDS.transferReply, body: { ok: true, target: 'n2' } }]);
  });

  it('aborted: the event and the refusal carry the reason and the leader', () => {
    const { s, r } = leader('n1', three, 3, [entry(3)]);
    timers(r);
    s.transfer = { target: 'n2', waiter: { from: 'admin', corr: 4 }, sent: false };
    endTransfer(s, false, 'too slow', r.ctx);
    expect(r.events).toEqual([{ type: 'raft-transfer', term: 3, target: 'n2', phase: 'aborted', reason: 'too slow' }]);
    expect(r.sent).toEqual([{ to: 'admin', kind: RAFT_KINDS.transferReply, body: { ok: false, reason: 'too slow', leader: 'n1' } }]);
  });
});
