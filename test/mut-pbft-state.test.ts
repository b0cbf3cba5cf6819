import { describe, expect, it } from 'vitest';
import { resolvePbftProps } from '../src/protocols/pbft/messages.ts';
import { checkSig, defer, PbftReplicaState, reject, Slot, signText, toOthers, viewTimeout } from '../src/protocols/pbft/pbft-state.ts';
import { handReplica, REPLICAS, sig } from './fixtures/pbft-hand-replica.ts';

/**
 * The replica's state and its small helpers (`pbft-state.ts`): what a fresh state and a fresh
 * slot hold, the primary by view, when a slot is new, the window's edges, signing and checking
 * with and without signatures, sending to the others, refusing, deferring and its bound, and
 * the view-change timeout's back-off and cap. Found by mutation testing (test/MUTATION.md).
 */
describe('a fresh replica state', () => {
  it('starts in view 0, active, with nothing assigned, stable, executed or waiting', () => {
    const s = new PbftReplicaState('r3', resolvePbftProps({ replicas: REPLICAS }));
    expect({
      view: s.view,
      active: s.active,
      nextSeq: s.nextSeq,
      low: s.low,
      stableProof: s.stableProof,
      lastExecuted: s.lastExecuted,
      newViewSent: s.newViewSent,
      lastNewView: s.lastNewView,
      viewTimerFor: s.viewTimerFor,
      attempts: s.attempts,
      requestTimerArmed: s.requestTimerArmed,
      future: s.future,
      replayFuture: s.replayFuture,
      fetching: s.fetching,
    }).toEqual({
      view: 0,
      active: true,
      nextSeq: 0,
      low: 0,
      stableProof: [],
      lastExecuted: 0,
      newViewSent: -1,
      lastNewView: undefined,
      viewTimerFor: -1,
      attempts: 0,
      requestTimerArmed: false,
      future: [],
      replayFuture: false,
      fetching: -1,
    });
    for (const m of [s.slots, s.preparedSlots, s.snapshots, s.checkpoints, s.viewChanges, s.answered, s.ownViewChanges, s.waitingForRequests, s.seen])
      expect(m.size).toBe(0);
    expect(s.pending.size).toBe(0);
    expect(s.unassigned.size).toBe(0);
    expect(s.suspects.size).toBe(0);
  });

  it('knows the replicas, and each one’s first place in the list', () => {
    const s = new PbftReplicaState('b', resolvePbftProps({ replicas: ['a', 'b', 'a', 'c'], f: 0 }));
    expect([...s.isReplica]).toEqual(['a', 'b', 'c']);
    expect([...s.replicaIndex]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 3],
    ]);
  });

  it('the primary is the view’s replica, round the list', () => {
    const s = new PbftReplicaState('r3', resolvePbftProps({ replicas: REPLICAS }));
    const primaries = [0, 1, 2, 3, 4, 5, 9].map((v) => {
      s.view = v;
      return s.primary;
    });
    expect(primaries).toEqual(['r0', 'r1', 'r2', 'r3', 'r0', 'r1', 'r1']);
  });
});

describe('slots', () => {
  it('a fresh slot holds nothing and is neither prepared nor committed', () => {
    const slot = new Slot(3);
    expect(slot.v).toBe(3);
    expect(slot.pp).toBeUndefined();
    expect(slot.prepares.size).toBe(0);
    expect(slot.commits.size).toBe(0);
    expect(slot.prepared).toBe(false);
    expect(slot.committed).toBe(false);
  });

  it('slot(n) keeps the slot of this view, and replaces one of an earlier view', () => {
    const s = new PbftReplicaState('r3', resolvePbftProps({ replicas: REPLICAS }));
    s.view = 2;
    const a = s.slot(5);
    expect(a.v).toBe(2);
    expect(s.slots.get(5)).toBe(a);
    expect(s.slot(5)).toBe(a);
    s.view = 3;
    const b = s.slot(5);
    expect(b).not.toBe(a);
    expect(b.v).toBe(3);
    expect(s.slots.get(5)).toBe(b);
    // A slot of a later view (made before a view change was undone) is kept as it is.
    s.view = 1;
    expect(s.slot(5)).toBe(b);
  });
});

describe('the window', () => {
  it('takes the numbers above the stable checkpoint up to low + logWindow', () => {
    const s = new PbftReplicaState('r3', resolvePbftProps({ replicas: REPLICAS, checkpointInterval: 4, logWindow: 8 }));
    s.low = 4;
    expect([3, 4, 5, 11, 12, 13].map((n) => s.inWindow(n))).toEqual([false, false, true, true, true, false]);
  });
});

describe('signatures', () => {
  it('signs when the run signs, and gives the empty text when it does not', () => {
    const signed = handReplica('r3');
    const open = handReplica('r3', { auth: 'none' });
    expect(signText(signed.s, signed.ctx, 'T')).toBe(sig('r3', 'T'));
    expect(signText(open.s, open.ctx, 'T')).toBe('');
  });

  it('checks a signature when the run signs: the signer’s over the text, and a string', () => {
    const { s, ctx } = handReplica('r3');
    expect(checkSig(s, ctx, 'r1', 'T', sig('r1', 'T'))).toBe(true);
    expect(checkSig(s, ctx, 'r1', 'T', sig('r2', 'T'))).toBe(false);
    expect(checkSig(s, ctx, 'r1', 'T', sig('r1', 'U'))).toBe(false);
    expect(checkSig(s, ctx, 'r1', 'T', undefined)).toBe(false);
    expect(checkSig(s, ctx, 'r1', 'T', 42)).toBe(false);
  });

  it('never hands verify a signature that is not a string', () => {
    const { s, ctx } = handReplica('r3');
    const asked: unknown[][] = [];
    (ctx as { verify: (...a: unknown[]) => boolean }).verify = (...a) => {
      asked.push(a);
      return true;
    };
    expect([undefined, 42, null, { sig: 'x' }].map((bad) => checkSig(s, ctx, 'r1', 'T', bad))).toEqual([false, false, false, false]);
    expect(asked).toEqual([]);
    expect(checkSig(s, ctx, 'r1', 'T', 'anything')).toBe(true);
    expect(asked).toEqual([['r1', 'T', 'anything']]);
  });

  it('takes anything when the run does not sign', () => {
    const { s, ctx } = handReplica('r3', { auth: 'none' });
    expect(checkSig(s, ctx, 'r1', 'T', undefined)).toBe(true);
    expect(checkSig(s, ctx, 'r1', 'T', 'nonsense')).toBe(true);
  });
});

describe('sending, refusing, deferring', () => {
  it('toOthers sends one message to every replica but itself, in order', () => {
    const { s, ctx, sent } = handReplica('r1');
    toOthers(s, ctx, 'k', { x: 1 });
    expect(sent).toEqual(['r0', 'r2', 'r3'].map((to) => ({ to, kind: 'k', body: { x: 1 } })));
  });

  it('reject traces who, what and why', () => {
    const { ctx, events } = handReplica('r1');
    reject(ctx, 'r2', 'k', 'because');
    expect(events).toEqual([{ type: 'pbft-rejected', from: 'r2', kind: 'k', reason: 'because' }]);
  });

  it('defer keeps messages for a later view, at most 8192', () => {
    const { s } = handReplica('r1');
    defer(s, 'r2', 'k', 1);
    expect(s.future).toEqual([{ from: 'r2', kind: 'k', body: 1 }]);
    for (let i = 2; i <= 8192; i++) defer(s, 'r2', 'k', i);
    expect(s.future.length).toBe(8192);
    defer(s, 'r2', 'k', 8193);
    expect(s.future.length).toBe(8192);
    expect(s.future[8191]).toEqual({ from: 'r2', kind: 'k', body: 8192 });
  });
});

describe('viewTimeout', () => {
  it('is the base doubled per failed attempt in a row, capped at 2^6', () => {
    const { s } = handReplica('r1', { viewChangeTimeoutMs: 100 });
    const out = [0, 1, 2, 5, 6, 7, 20].map((a) => {
      s.attempts = a;
      return viewTimeout(s);
    });
    expect(out).toEqual([100, 200, 400, 3200, 6400, 6400, 6400]);
  });
});
