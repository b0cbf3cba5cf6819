import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import { batchDigest, PBFT_KINDS, type PbftProps, type PbftRequest, type PrePrepare } from '../src/protocols/pbft/index.ts';
import { phaseText, prePrepareText, requestText, resolvePbftProps } from '../src/protocols/pbft/messages.ts';
import { armRequestTimer, executeReady, onPhaseVote, onPrePrepare, onRequest, propose } from '../src/protocols/pbft/normal-case.ts';
import type { PbftReplicaState } from '../src/protocols/pbft/pbft-state.ts';
import { handReplica, REPLICAS, sig } from './fixtures/pbft-hand-replica.ts';

/**
 * PBFT's normal case one handler call at a time, for what test/pbft-handlers.test.ts does not
 * reach (found by mutation testing of the whole of normal-case.ts, see test/MUTATION.md): a
 * client's request (shape, signature, a retransmission, an executed one answered again, the
 * pre-prepares it releases), the primary's proposals (batch size, window, in-flight bound),
 * execution in order with its replies and checkpoints, the request timer, and the shape checks
 * of every normal-case message. A replica's state is built by hand and its handlers called
 * directly with a context that records every send, timer, cancel and event.
 */
const req = (ts: number, op = `incr k${ts}`, client = 'c'): PbftRequest => ({ client, ts, op, sig: '' });
const signedReq = (ts: number, op = `incr k${ts}`, client = 'c'): PbftRequest => ({ client, ts, op, sig: sig(client, requestText(client, ts, op)) });
const prePrepare = (primary: string, v: number, n: number, batch: readonly PbftRequest[]): PrePrepare => {
  const d = batchDigest(batch);
  return { v, n, d, batch, sig: sig(primary, prePrepareText(v, n, d)) };
};

/** Replica `self` alone, its handlers called by hand; everything it does is recorded. */
const replica = (self = 'r3', props: Partial<PbftProps> = {}) => handReplica(self, props);

/** A committed slot at `n` holding `batch`, as if the quorums had come in. */
const committed = (s: PbftReplicaState, n: number, batch: readonly PbftRequest[]) => {
  const slot = s.slot(n);
  slot.pp = prePrepare(s.primary, s.view, n, batch);
  slot.prepared = true;
  slot.committed = true;
  return slot;
};

describe('PBFT onRequest: what a replica takes from a client', () => {
  const malformed: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'incr k1'],
    ['a client that is not a string', { ...req(1), client: 7 }],
    ['a timestamp that is not an integer', { ...req(1), ts: 1.5 }],
    ['timestamp 0', { ...req(1), ts: 0 }],
    ['an op that is not a string', { ...req(1), op: 3 }],
    ['no signature field', { client: 'c', ts: 1, op: 'incr k1' }],
  ];
  for (const [name, body] of malformed) {
    it(`refuses ${name} as a malformed request, and keeps nothing`, () => {
      const { s, ctx, rejected, timers } = replica();
      onRequest(s, ctx, 'c', body as PbftRequest);
      expect(rejected()).toEqual([['c', PBFT_KINDS.request, 'malformed request']]);
      expect(s.pending.size).toBe(0);
      expect(timers.size).toBe(0);
    });
  }

  it('timestamp 1 is a request (the lowest)', () => {
    const { s, ctx, rejected } = replica();
    onRequest(s, ctx, 'c', req(1));
    expect(rejected()).toEqual([]);
    expect(s.pending.has('c', 1)).toBe(true);
  });

  it("first-hand from its client it needs no signature; relayed by another it needs the client's", () => {
    const { s, ctx, rejected } = replica();
    onRequest(s, ctx, 'c', { ...req(1), sig: 'garbage' });
    expect(s.pending.has('c', 1)).toBe(true);
    onRequest(s, ctx, 'r1', req(2));
    onRequest(s, ctx, 'r1', { ...req(3), sig: sig('r1', requestText('c', 3, 'incr k3')) });
    expect(rejected()).toEqual([
      ['r1', PBFT_KINDS.request, 'bad client signature'],
      ['r1', PBFT_KINDS.request, 'bad client signature'],
    ]);
    onRequest(s, ctx, 'r1', signedReq(4));
    expect([...s.pending.values()].map((r) => r.ts)).toEqual([1, 4]);
    expect([...s.unassigned.values()].map((r) => r.ts)).toEqual([1, 4]);
  });

  it('unsigned runs take a relayed request without a signature', () => {
    const { s, ctx, rejected } = replica('r3', { auth: 'none' });
    onRequest(s, ctx, 'r1', req(1));
    expect(rejected()).toEqual([]);
    expect(s.pending.has('c', 1)).toBe(true);
  });

  it('an executed request is answered again with its result, to the client (not to the relay), in the current view', () => {
    const { s, ctx, sent, timers } = replica();
    s.view = 5;
    s.ledger.execute('c', 1, 'incr k1');
    onRequest(s, ctx, 'r1', signedReq(1, 'incr k1'));
    expect(sent).toEqual([{ to: 'c', kind: PBFT_KINDS.reply, body: { v: 5, ts: 1, i: 'r3', result: '1' } }]);
    expect(s.pending.size).toBe(0);
    expect(s.unassigned.size).toBe(0);
    expect(timers.size).toBe(0);
  });

  it('an executed request whose result is forgotten is not answered, and not taken again', () => {
    const { s, ctx, sent } = replica();
    s.ledger.restore({ values: [], clients: [['c', 5, []]] });
    onRequest(s, ctx, 'c', req(3));
    expect(sent).toEqual([]);
    expect(s.pending.size).toBe(0);
  });

  it('takes a new request as pending and unassigned and arms the request timer at the base timeout', () => {
    const { s, ctx, timers } = replica('r3', { viewChangeTimeoutMs: 300 });
    onRequest(s, ctx, 'c', req(1));
    expect(s.pending.size).toBe(1);
    expect(s.unassigned.size).toBe(1);
    expect(s.requestTimerArmed).toBe(true);
    expect(timers.get('request')).toEqual({ ms: 300, kind: PBFT_KINDS.requestTimer });
  });

  it('a retransmission of a request already assigned changes nothing: not unassigned again, not proposed again', () => {
    const { s, ctx, ofKind, timers } = replica('r0');
    onRequest(s, ctx, 'c', req(1));
    expect(ofKind(PBFT_KINDS.prePrepare).map((m) => m.to)).toEqual(['r1', 'r2', 'r3']);
    expect(s.nextSeq).toBe(1);
    timers.clear();
    s.requestTimerArmed = false;
    onRequest(s, ctx, 'c', req(1));
    expect(s.unassigned.size).toBe(0);
    expect(s.nextSeq).toBe(1);
    expect(ofKind(PBFT_KINDS.prePrepare)).toHaveLength(3);
    expect(timers.size).toBe(0);
  });

  it('a backup never proposes; nor does a primary between views', () => {
    const backup = replica('r3');
    onRequest(backup.s, backup.ctx, 'c', req(1));
    expect(backup.sent).toEqual([]);
    expect(backup.s.nextSeq).toBe(0);
    const primary = replica('r0');
    primary.s.active = false;
    onRequest(primary.s, primary.ctx, 'c', req(1));
    expect(primary.sent).toEqual([]);
    expect(primary.s.unassigned.size).toBe(1);
    expect(primary.timers.size).toBe(0); // the request timer runs only in an active view
  });

  it('releases exactly the pre-prepares that waited for this request (same client and timestamp)', () => {
    const { s, ctx, ofKind } = replica();
    const waiting = prePrepare('r0', 0, 1, [req(1)]);
    const otherTs = prePrepare('r0', 0, 2, [req(2)]);
    const otherClient = prePrepare('r0', 0, 3, [req(1, 'incr k1', 'd')]);
    onPrePrepare(s, ctx, 'r0', waiting);
    onPrePrepare(s, ctx, 'r0', otherTs);
    onPrePrepare(s, ctx, 'r0', otherClient);
    expect([...s.waitingForRequests.keys()]).toEqual([1, 2, 3]);
    onRequest(s, ctx, 'c', req(1));
    expect([...s.waitingForRequests.keys()]).toEqual([2, 3]);
    expect(s.slots.get(1)?.pp).toBe(waiting);
    expect(s.slots.get(2)?.pp).toBeUndefined();
    expect(ofKind(PBFT_KINDS.prepare).map((m) => (m.body as { n: number }).n)).toEqual([1, 1, 1]);
  });

  it('a pre-prepare short of two requests waits until both came, and is accepted once', () => {
    const { s, ctx, ofKind } = replica();
    const pp = prePrepare('r0', 0, 1, [req(1), req(2)]);
    onPrePrepare(s, ctx, 'r0', pp);
    onRequest(s, ctx, 'c', req(1));
    expect([...s.waitingForRequests.keys()]).toEqual([1]);
    expect(s.slots.get(1)?.pp).toBeUndefined();
    onRequest(s, ctx, 'c', req(2));
    expect(s.waitingForRequests.size).toBe(0);
    expect(s.slots.get(1)?.pp).toBe(pp);
    expect(ofKind(PBFT_KINDS.prepare)).toHaveLength(3);
  });
});

describe('PBFT propose: the primary numbers what waits', () => {
  it('batches of maxBatch in arrival order, each pre-prepare signed for its view and number, sent to the others', () => {
    const { s, ctx, ofKind } = replica('r0', { maxBatch: 2 });
    s.active = false;
    for (const ts of [1, 2, 3]) onRequest(s, ctx, 'c', req(ts));
    s.active = true;
    propose(s, ctx);
    const pps = ofKind(PBFT_KINDS.prePrepare)
      .filter((m) => m.to === 'r1')
      .map((m) => m.body as PrePrepare);
    expect(pps).toEqual([prePrepare('r0', 0, 1, [req(1), req(2)]), prePrepare('r0', 0, 2, [req(3)])]);
    expect(ofKind(PBFT_KINDS.prePrepare).map((m) => m.to)).toEqual(['r1', 'r2', 'r3', 'r1', 'r2', 'r3']);
    expect(s.slots.get(1)?.pp).toEqual(pps[0]);
    expect(s.slots.get(2)?.pp).toEqual(pps[1]);
    expect(s.nextSeq).toBe(2);
    expect(s.unassigned.size).toBe(0);
  });

  it('in view 4 (primary r0 again) it signs for view 4', () => {
    const { s, ctx, ofKind } = replica('r0');
    s.view = 4;
    onRequest(s, ctx, 'c', req(1));
    expect(ofKind(PBFT_KINDS.prePrepare)[0].body).toEqual(prePrepare('r0', 4, 1, [req(1)]));
  });

  it('stops at the in-flight bound: nextSeq - lastExecuted < maxInflight', () => {
    const { s, ctx } = replica('r0', { maxBatch: 1, maxInflight: 3 });
    s.lastExecuted = 2;
    s.nextSeq = 2;
    s.low = 0;
    s.active = false;
    for (const ts of [1, 2, 3, 4, 5]) onRequest(s, ctx, 'c', req(ts));
    s.active = true;
    propose(s, ctx);
    expect(s.nextSeq).toBe(5);
    expect(s.unassigned.size).toBe(2);
  });

  it('stops at the high water mark: nextSeq < low + logWindow', () => {
    const { s, ctx } = replica('r0', { maxBatch: 1, maxInflight: 100, checkpointInterval: 2, logWindow: 4 });
    s.low = 2;
    s.nextSeq = 3;
    s.lastExecuted = 3;
    s.active = false;
    for (const ts of [1, 2, 3, 4, 5]) onRequest(s, ctx, 'c', req(ts));
    s.active = true;
    propose(s, ctx);
    expect(s.nextSeq).toBe(6);
    expect(s.unassigned.size).toBe(2);
  });

  it('with nothing unassigned it proposes nothing', () => {
    const { s, ctx, sent } = replica('r0');
    propose(s, ctx);
    expect(sent).toEqual([]);
    expect(s.nextSeq).toBe(0);
  });

  it('a lone replica (quorum 1) prepares, commits and executes its own proposal at once', () => {
    const { s, ctx, sent, events } = replica('r0', { replicas: ['r0'] });
    onRequest(s, ctx, 'c', req(1));
    expect(events.map((e) => e.type)).toEqual(['pbft-committed', 'pbft-executed']);
    expect(sent).toEqual([{ to: 'c', kind: PBFT_KINDS.reply, body: { v: 0, ts: 1, i: 'r0', result: '1' } }]);
    expect(s.lastExecuted).toBe(1);
  });
});

describe('PBFT executeReady: in order, at most once, with replies, checkpoints and the request timer', () => {
  it('executes committed slots from lastExecuted + 1 on, stops at the first gap, replies to each client', () => {
    const { s, ctx, sent, events } = replica('r3');
    s.view = 1;
    committed(s, 1, [req(1), req(1, 'incr k1', 'd')]);
    committed(s, 2, [req(2)]);
    committed(s, 4, [req(4)]);
    executeReady(s, ctx);
    expect(s.lastExecuted).toBe(2);
    expect(events).toEqual([
      { type: 'pbft-executed', seq: 1, request: 'c#1#incr k1', result: '1' },
      { type: 'pbft-executed', seq: 1, request: 'd#1#incr k1', result: '2' },
      { type: 'pbft-executed', seq: 2, request: 'c#2#incr k2', result: '1' },
    ]);
    expect(sent).toEqual([
      { to: 'c', kind: PBFT_KINDS.reply, body: { v: 1, ts: 1, i: 'r3', result: '1' } },
      { to: 'd', kind: PBFT_KINDS.reply, body: { v: 1, ts: 1, i: 'r3', result: '2' } },
      { to: 'c', kind: PBFT_KINDS.reply, body: { v: 1, ts: 2, i: 'r3', result: '1' } },
    ]);
  });

  it('a slot prepared but not committed is not executed', () => {
    const { s, ctx, events } = replica('r3');
    committed(s, 1, [req(1)]).committed = false;
    s.attempts = 3;
    executeReady(s, ctx);
    expect(s.lastExecuted).toBe(0);
    expect(events).toEqual([]);
    expect(s.attempts).toBe(3); // nothing executed: the back-off stays
  });

  it('a request executed before (re-proposed) is skipped: no event, no reply, but its slot counts as executed', () => {
    const { s, ctx, sent, events } = replica('r3');
    s.ledger.execute('c', 1, 'incr k1');
    committed(s, 1, [req(1), req(2)]);
    executeReady(s, ctx);
    expect(events).toEqual([{ type: 'pbft-executed', seq: 1, request: 'c#2#incr k2', result: '1' }]);
    expect(sent.map((m) => (m.body as { ts: number }).ts)).toEqual([2]);
    expect(s.lastExecuted).toBe(1);
  });

  it('what it executes is no longer pending nor unassigned; with nothing pending the armed request timer is cancelled', () => {
    const { s, ctx, cancelled, timers } = replica('r3');
    onRequest(s, ctx, 'c', req(1));
    expect(s.requestTimerArmed).toBe(true);
    s.attempts = 2;
    committed(s, 1, [req(1)]);
    executeReady(s, ctx);
    expect(s.pending.size).toBe(0);
    expect(s.unassigned.size).toBe(0);
    expect(s.attempts).toBe(0);
    expect(cancelled).toEqual(['request']);
    expect(timers.has('request')).toBe(false);
    expect(s.requestTimerArmed).toBe(false);
  });

  it('with nothing pending and no timer armed nothing is cancelled', () => {
    const { s, ctx, cancelled } = replica('r3');
    committed(s, 1, [req(1)]);
    executeReady(s, ctx);
    expect(cancelled).toEqual([]);
  });

  it('with requests still pending the request timer restarts at the base timeout (the back-off reset)', () => {
    const { s, ctx, timers } = replica('r3', { viewChangeTimeoutMs: 100 });
    onRequest(s, ctx, 'c', req(1));
    onRequest(s, ctx, 'c', req(2));
    s.attempts = 2;
    timers.clear(); // still armed: only a restart sets it again
    committed(s, 1, [req(1)]);
    executeReady(s, ctx);
    expect(timers.get('request')).toEqual({ ms: 100, kind: PBFT_KINDS.requestTimer });
    expect(s.requestTimerArmed).toBe(true);
  });

  it('takes a checkpoint at every multiple of the interval, and only there', () => {
    const { s, ctx, ofKind } = replica('r3', { checkpointInterval: 2, logWindow: 8 });
    for (const n of [1, 2, 3]) committed(s, n, [req(n)]);
    executeReady(s, ctx);
    expect([...s.snapshots.keys()]).toEqual([2]);
    expect(ofKind(PBFT_KINDS.checkpoint).map((m) => (m.body as { n: number }).n)).toEqual([2, 2, 2]);
  });

  it('the primary proposes what waits once it executed (its in-flight bound moved); a backup does not', () => {
    const { s, ctx, ofKind } = replica('r0', { maxInflight: 1 });
    onRequest(s, ctx, 'c', req(1));
    onRequest(s, ctx, 'c', req(2));
    expect(s.nextSeq).toBe(1);
    s.slots.get(1)!.prepared = true;
    s.slots.get(1)!.committed = true;
    executeReady(s, ctx);
    expect(s.nextSeq).toBe(2);
    expect(ofKind(PBFT_KINDS.prePrepare).map((m) => (m.body as PrePrepare).n)).toEqual([1, 1, 1, 2, 2, 2]);
    const backup = replica('r3');
    onRequest(backup.s, backup.ctx, 'c', req(2));
    committed(backup.s, 1, [req(1)]);
    executeReady(backup.s, backup.ctx);
    expect(backup.s.nextSeq).toBe(0);
    expect(backup.ofKind(PBFT_KINDS.prePrepare)).toEqual([]);
  });

  it('an inactive primary (between views) does not propose after executing', () => {
    const { s, ctx, ofKind } = replica('r0');
    s.active = false;
    onRequest(s, ctx, 'c', req(2));
    committed(s, 1, [req(1)]);
    executeReady(s, ctx);
    expect(ofKind(PBFT_KINDS.prePrepare)).toEqual([]);
  });
});

describe('PBFT armRequestTimer', () => {
  it('arms once; a second call without restart keeps it; a restart sets it again; the timeout doubles per attempt', () => {
    const { s, ctx, timers } = replica('r3', { viewChangeTimeoutMs: 50 });
    s.attempts = 2;
    armRequestTimer(s, ctx, false);
    expect(timers.get('request')).toEqual({ ms: 200, kind: PBFT_KINDS.requestTimer });
    timers.clear();
    armRequestTimer(s, ctx, false);
    expect(timers.size).toBe(0);
    s.attempts = 9; // capped at 2^6
    armRequestTimer(s, ctx, true);
    expect(timers.get('request')).toEqual({ ms: 3200, kind: PBFT_KINDS.requestTimer });
  });

  it('never in an inactive view', () => {
    const { s, ctx, timers } = replica('r3');
    s.active = false;
    armRequestTimer(s, ctx, true);
    expect(timers.size).toBe(0);
    expect(s.requestTimerArmed).toBe(false);
  });
});

describe('PBFT shape checks of the normal-case messages', () => {
  const pp = prePrepare('r0', 0, 1, [req(1)]);
  const malformedPrePrepares: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 5],
    ['a view that is not an integer', { ...pp, v: 0.5 }],
    ['a negative view', { ...pp, v: -1 }],
    ['a number that is not an integer', { ...pp, n: 1.5 }],
    ['number 0', { ...pp, n: 0 }],
    ['a digest that is not a string', { ...pp, d: 1 }],
    ['a batch that is not an array', { ...pp, batch: 'x' }],
    ['a signature that is not a string', { ...pp, sig: null }],
  ];
  for (const [name, body] of malformedPrePrepares) {
    it(`a pre-prepare with ${name} is malformed`, () => {
      const { s, ctx, rejected } = replica();
      onPrePrepare(s, ctx, 'r0', body as PrePrepare);
      expect(rejected()).toEqual([['r0', PBFT_KINDS.prePrepare, 'malformed pre-prepare']]);
      expect(s.future).toEqual([]);
    });
  }

  it('view 0 and number 1 are a pre-prepare', () => {
    const { s, ctx, rejected } = replica();
    onRequest(s, ctx, 'c', req(1));
    onPrePrepare(s, ctx, 'r0', pp);
    expect(rejected()).toEqual([]);
    expect(s.slots.get(1)?.pp).toBe(pp);
  });

  const vote = { v: 0, n: 1, d: pp.d, i: 'r1', ppSig: pp.sig, sig: sig('r1', phaseText('P', 0, 1, pp.d, 'r1')) };
  const malformedVotes: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'vote'],
    ['a view that is not an integer', { ...vote, v: 0.5 }],
    ['a negative view', { ...vote, v: -1 }],
    ['a number that is not an integer', { ...vote, n: 1.5 }],
    ['number 0', { ...vote, n: 0 }],
    ['a digest that is not a string', { ...vote, d: 1 }],
    ['a replica that is not a string', { ...vote, i: 1 }],
    ['a ppSig that is not a string', { ...vote, ppSig: 1 }],
    ['a signature that is not a string', { ...vote, sig: 1 }],
  ];
  for (const [name, body] of malformedVotes) {
    it(`a prepare with ${name} is malformed`, () => {
      const { s, ctx, rejected } = replica();
      onPhaseVote(s, ctx, 'r1', PBFT_KINDS.prepare, body as never);
      expect(rejected()).toEqual([['r1', PBFT_KINDS.prepare, 'malformed']]);
    });
  }

  it('view 0 and number 1 are a prepare: kept', () => {
    const { s, ctx, rejected } = replica();
    onPhaseVote(s, ctx, 'r1', PBFT_KINDS.prepare, vote);
    expect(rejected()).toEqual([]);
    expect([...s.slots.get(1)!.prepares.get(pp.d)!.keys()]).toEqual(['r1']);
  });
});

describe('PBFT normal case: more edges', () => {
  it('a second new request does not restart the request timer already running', () => {
    const { s, ctx, timers } = replica('r3');
    onRequest(s, ctx, 'c', req(1));
    timers.clear();
    onRequest(s, ctx, 'c', req(2));
    expect(timers.size).toBe(0);
    expect(s.requestTimerArmed).toBe(true);
  });

  it('a pre-prepare of an earlier view, or at or below the stable checkpoint, is stale: ignored, not deferred, not refused', () => {
    const { s, ctx, rejected } = replica('r3');
    s.view = 1; // primary r1
    onPrePrepare(s, ctx, 'r1', prePrepare('r1', 0, 1, [signedReq(1)]));
    s.active = false;
    onPrePrepare(s, ctx, 'r1', prePrepare('r1', 0, 2, [signedReq(2)]));
    s.active = true;
    s.low = 4;
    onPrePrepare(s, ctx, 'r1', prePrepare('r1', 1, 4, [signedReq(3)]));
    expect(rejected()).toEqual([]);
    expect(s.future).toEqual([]);
    expect(s.slots.size).toBe(0);
  });

  it('a vote for its own view while the view is not installed waits; one for an earlier view then is ignored', () => {
    const { s, ctx, rejected } = replica('r3');
    const pp = prePrepare('r1', 1, 1, [req(1)]);
    s.view = 1;
    s.active = false;
    onPhaseVote(s, ctx, 'r2', PBFT_KINDS.prepare, { v: 1, n: 1, d: pp.d, i: 'r2', ppSig: pp.sig, sig: sig('r2', phaseText('P', 1, 1, pp.d, 'r2')) });
    expect(s.future.map((f) => [f.from, f.kind])).toEqual([['r2', PBFT_KINDS.prepare]]);
    const old = prePrepare('r0', 0, 1, [req(1)]);
    onPhaseVote(s, ctx, 'r2', PBFT_KINDS.commit, { v: 0, n: 1, d: old.d, i: 'r2', ppSig: old.sig, sig: sig('r2', phaseText('C', 0, 1, old.d, 'r2')) });
    expect(s.future).toHaveLength(1);
    expect(s.slots.size).toBe(0);
    expect(rejected()).toEqual([]);
  });

  it("an equivocating primary's evidence holds its first pre-prepare as it signed it (without the batch)", () => {
    const { s, ctx, events } = replica('r3');
    const first = prePrepare('r0', 0, 1, [signedReq(1)]);
    onPrePrepare(s, ctx, 'r0', first);
    onPrePrepare(s, ctx, 'r0', prePrepare('r0', 0, 1, [signedReq(2)]));
    const detected = events.filter((e) => e.type === 'pbft-detected');
    expect(detected.map((e) => (e.evidence as unknown[])[0])).toEqual([{ v: 0, n: 1, d: first.d, sig: first.sig }]);
  });

  it('votes for another digest that came before the pre-prepare are judged with their own phase', () => {
    const { s, ctx, events } = replica('r3');
    const pp = prePrepare('r0', 0, 1, [signedReq(1)]);
    const other = batchDigest([signedReq(2)]);
    // Votes for a digest the primary never signed (their ppSig is forged): each voter lied.
    onPhaseVote(s, ctx, 'r2', PBFT_KINDS.prepare, { v: 0, n: 1, d: other, i: 'r2', ppSig: 'forged', sig: sig('r2', phaseText('P', 0, 1, other, 'r2')) });
    onPhaseVote(s, ctx, 'r1', PBFT_KINDS.commit, { v: 0, n: 1, d: other, i: 'r1', ppSig: 'forged', sig: sig('r1', phaseText('C', 0, 1, other, 'r1')) });
    onPrePrepare(s, ctx, 'r0', pp);
    const detected = events.filter((e) => e.type === 'pbft-detected').map((e) => [e.suspect, e.kind, e.phase]);
    expect(detected).toEqual([
      ['r2', 'forged-certificate', 'prepare'],
      ['r1', 'forged-certificate', 'commit'],
    ]);
    expect([...s.slots.get(1)!.prepares.keys()]).toEqual([pp.d]);
    expect([...s.slots.get(1)!.commits.keys()]).toEqual([]);
  });

  it('a commit for another digest with a bad signature that came before the pre-prepare is refused as such, not taken as evidence', () => {
    const { s, ctx, events, rejected } = replica('r3');
    const pp = prePrepare('r0', 0, 1, [signedReq(1)]);
    const other = batchDigest([signedReq(2)]);
    onPhaseVote(s, ctx, 'r1', PBFT_KINDS.commit, { v: 0, n: 1, d: other, i: 'r1', ppSig: 'forged', sig: 'bad' });
    onPrePrepare(s, ctx, 'r0', pp);
    expect(events.filter((e) => e.type === 'pbft-detected')).toEqual([]);
    expect(rejected()).toEqual([['r1', PBFT_KINDS.commit, 'bad signature']]);
  });

  it('a pre-prepare with requests learnt from it (signed by their client) makes them pending and arms the timer; an executed one is not pending', () => {
    const { s, ctx, timers } = replica('r3', { viewChangeTimeoutMs: 100 });
    s.ledger.execute('c', 1, 'incr k1');
    onPrePrepare(s, ctx, 'r0', prePrepare('r0', 0, 1, [signedReq(1, 'incr k1'), signedReq(2)]));
    expect(s.slots.get(1)?.pp?.batch).toHaveLength(2);
    expect([...s.pending.values()].map((r) => r.ts)).toEqual([2]);
    expect(timers.get('request')).toEqual({ ms: 100, kind: PBFT_KINDS.requestTimer });
  });

  it('accepting a pre-prepare leaves a running request timer as it is; with nothing pending it arms none', () => {
    const running = replica('r3');
    onRequest(running.s, running.ctx, 'c', req(1));
    running.timers.clear();
    onPrePrepare(running.s, running.ctx, 'r0', prePrepare('r0', 0, 1, [req(1)]));
    expect(running.timers.size).toBe(0);
    const idle = replica('r3');
    idle.s.ledger.execute('c', 1, 'incr k1');
    onPrePrepare(idle.s, idle.ctx, 'r0', prePrepare('r0', 0, 1, [signedReq(1, 'incr k1')]));
    expect(idle.s.slots.get(1)?.pp).toBeDefined();
    expect(idle.timers.size).toBe(0);
    expect(idle.s.requestTimerArmed).toBe(false);
  });
});
