import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import {
  batchDigest,
  type Checkpoint,
  type NewView,
  PBFT_KINDS,
  type PbftProps,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  type PreparedCert,
  type ViewChange,
} from '../src/protocols/pbft/index.ts';
import { checkpointText, newViewText, phaseText, prePrepareText, resolvePbftProps, viewChangeText } from '../src/protocols/pbft/messages.ts';
import type { PbftReplicaState } from '../src/protocols/pbft/pbft-state.ts';
import { handReplica, REPLICAS, sig } from './fixtures/pbft-hand-replica.ts';
import { onPrePrepare } from '../src/protocols/pbft/normal-case.ts';
import { onNewView, onResendTimer, onViewChange, onViewTimer, startViewChange } from '../src/protocols/pbft/view-change.ts';
import { Net } from './fixtures/pbft-net.ts';

/**
 * PBFT's view change one handler call at a time, for what test/pbft-handlers.test.ts does not
 * reach (found by mutation testing of the whole of view-change.ts, see test/MUTATION.md):
 * leaving a view (what the view change carries, what is cleared, the timers), the view and
 * resend timers, a view change from a replica behind (answered once per timeout, with the new
 * view or our view changes), the f + 1 rule, the new view the next primary makes, and the shape
 * checks of view changes and new views. A replica's state is built by hand and its handlers
 * called directly with a context that records every send, timer, cancel and event.
 */
const REQUEST: PbftRequest = { client: 'c', ts: 1, op: 'incr k1', sig: '' };
const prePrepare = (primary: string, v: number, n: number, batch: readonly PbftRequest[]): PrePrepare => {
  const d = batchDigest(batch);
  return { v, n, d, batch, sig: sig(primary, prePrepareText(v, n, d)) };
};
const vote = (phase: 'P' | 'C', i: string, pp: PrePrepare): PhaseVote => ({
  v: pp.v,
  n: pp.n,
  d: pp.d,
  i,
  ppSig: pp.sig,
  sig: sig(i, phaseText(phase, pp.v, pp.n, pp.d, i)),
});
const cert = (pp: PrePrepare, backups: string[]): PreparedCert => ({ pp, prepares: backups.map((b) => vote('P', b, pp)) });
const checkpoint = (i: string, n: number, d: string): Checkpoint => ({ n, d, i, sig: sig(i, checkpointText(n, d, i)) });
const viewChange = (i: string, v: number, prepared: PreparedCert[] = [], n = 0, proof: Checkpoint[] = []): ViewChange => ({
  v,
  n,
  proof,
  prepared,
  i,
  sig: sig(i, viewChangeText(v, n, prepared, i)),
});

const onPrePrepare3 = (s: PbftReplicaState, ctx: ActorContext<PbftProps>, pp: PrePrepare) => onPrePrepare(s, ctx, 'r0', pp);

const replica = (self = 'r3', props: Partial<PbftProps> = {}) => handReplica(self, props);

describe('PBFT startViewChange: leaving a view', () => {
  it('sends a signed view change with its checkpoint, its proof and its certificates, and stops taking part', () => {
    const { s, ctx, sent, timers, events, cancelled } = replica('r3', { viewChangeTimeoutMs: 100 });
    const pp = prePrepare('r0', 0, 3, [REQUEST]);
    const slot = s.slot(3);
    slot.pp = pp;
    for (const i of ['r1', 'r2']) slot.prepares.set(pp.d, new Map([...(slot.prepares.get(pp.d) ?? []), [i, vote('P', i, pp)]]));
    slot.prepared = true;
    s.preparedSlots.set(3, slot);
    s.low = 2;
    s.stableProof = ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X'));
    s.waitingForRequests.set(4, { from: 'r0', pp: prePrepare('r0', 0, 4, [{ ...REQUEST, ts: 4 }]) });
    s.requestTimerArmed = true;
    s.attempts = 1;
    startViewChange(s, ctx, 1, 'because');
    const vc = viewChange('r3', 1, [cert(pp, ['r1', 'r2'])], 2, s.stableProof);
    expect(sent).toEqual(['r0', 'r1', 'r2'].map((to) => ({ to, kind: PBFT_KINDS.viewChange, body: vc })));
    expect(s.view).toBe(1);
    expect(s.active).toBe(false);
    expect(s.attempts).toBe(2);
    expect(s.waitingForRequests.size).toBe(0);
    expect(cancelled).toEqual(['request']);
    expect(s.requestTimerArmed).toBe(false);
    expect(s.viewChanges.get(1)?.get('r3')).toEqual(vc);
    expect(s.ownViewChanges.get(1)).toEqual(vc);
    expect(timers.get('resend')).toEqual({ ms: 50, kind: PBFT_KINDS.resendTimer });
    expect(timers.has('view')).toBe(false); // alone in asking: no view timer yet
    expect(events).toEqual([{ type: 'pbft-view-change', view: 1, reason: 'because' }]);
  });

  it('with no request timer armed it cancels nothing', () => {
    const { s, ctx, cancelled } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    expect(cancelled).toEqual([]);
  });

  it('for its own view or an earlier one it does nothing', () => {
    const { s, ctx, sent, events } = replica('r3');
    s.view = 2;
    startViewChange(s, ctx, 2, 'x');
    startViewChange(s, ctx, 1, 'x');
    expect(sent).toEqual([]);
    expect(events).toEqual([]);
    expect(s.active).toBe(true);
    expect(s.attempts).toBe(0);
  });

  it('forgets view changes of earlier views, keeps its own of the last four views before', () => {
    const { s, ctx } = replica('r3');
    for (const v of [1, 2, 3, 4, 5, 6, 7]) startViewChange(s, ctx, v, 'x');
    expect([...s.viewChanges.keys()]).toEqual([7]);
    expect([...s.ownViewChanges.keys()]).toEqual([3, 4, 5, 6, 7]);
    s.viewChanges.set(9, new Map([['r1', viewChange('r1', 9)]]));
    startViewChange(s, ctx, 8, 'x');
    expect([...s.viewChanges.keys()].sort()).toEqual([8, 9]);
  });

  it('with a quorum of view changes for the view in, the view timer starts, its timeout doubled per attempt, once', () => {
    const { s, ctx, timers } = replica('r3', { viewChangeTimeoutMs: 100 });
    s.attempts = 1;
    for (const i of ['r0', 'r1']) onViewChange(s, ctx, i, viewChange(i, 2));
    // f + 1 asked for view 2: r3 joins, it is the third, the timer starts (attempt 2: 400 ms).
    expect(s.view).toBe(2);
    expect(timers.get('view')).toEqual({ ms: 400, kind: PBFT_KINDS.viewTimer, body: 2 });
    expect(s.viewTimerFor).toBe(2);
    timers.delete('view');
    onViewChange(s, ctx, 'r2', viewChange('r2', 2)); // r2 is the primary of view 2, not r3: no new view here
    expect(timers.has('view')).toBe(false);
  });

  it('with fewer than a quorum the view timer does not start', () => {
    const { s, ctx, timers } = replica('r3');
    onViewChange(s, ctx, 'r1', viewChange('r1', 1));
    startViewChange(s, ctx, 1, 'x');
    expect(s.viewChanges.get(1)?.size).toBe(2);
    expect(timers.has('view')).toBe(false);
    expect(s.viewTimerFor).toBe(-1);
  });
});

describe('PBFT view and resend timers', () => {
  it('the view timer of the view it waits for moves it to the next view, saying why', () => {
    const { s, ctx, events } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    onViewTimer(s, ctx, 1);
    expect(s.view).toBe(2);
    expect(events.at(-1)).toEqual({ type: 'pbft-view-change', view: 2, reason: 'no new view 1 in time' });
  });

  it('a view timer of another view, or one that fires once the view is installed, does nothing', () => {
    const { s, ctx, events } = replica('r3');
    startViewChange(s, ctx, 2, 'x');
    onViewTimer(s, ctx, 1);
    expect(s.view).toBe(2);
    s.active = true;
    onViewTimer(s, ctx, 2);
    expect(s.view).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('the resend timer sends its view change again and rearms; not once active, not without one', () => {
    const { s, ctx, sent, timers } = replica('r3', { viewChangeTimeoutMs: 100 });
    startViewChange(s, ctx, 1, 'x');
    const vc = s.ownViewChanges.get(1);
    sent.length = 0;
    timers.clear();
    onResendTimer(s, ctx);
    expect(sent).toEqual(['r0', 'r1', 'r2'].map((to) => ({ to, kind: PBFT_KINDS.viewChange, body: vc })));
    expect(timers.get('resend')).toEqual({ ms: 50, kind: PBFT_KINDS.resendTimer });
    sent.length = 0;
    timers.clear();
    s.active = true;
    onResendTimer(s, ctx);
    s.active = false;
    s.view = 2; // no view change of its own for view 2
    onResendTimer(s, ctx);
    expect(sent).toEqual([]);
    expect(timers.size).toBe(0);
  });
});

describe('PBFT onViewChange: from a replica behind', () => {
  /** r3 active in view 1 (installed: its new view kept), its own view change for 1 kept. */
  const inView1 = () => {
    const t = replica('r3', { viewChangeTimeoutMs: 100 });
    startViewChange(t.s, t.ctx, 1, 'x');
    const nv: NewView = { v: 1, viewChanges: [], prePrepares: [], sig: 'nv' };
    t.s.active = true;
    t.s.lastNewView = nv;
    t.sent.length = 0;
    return { ...t, nv, own: t.s.ownViewChanges.get(1)! };
  };

  it('one still asking for our view gets the new view we installed and our view change for it, once per timeout', () => {
    const { s, ctx, sent, nv, own, clock } = inView1();
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(sent).toEqual([
      { to: 'r2', kind: PBFT_KINDS.newView, body: nv },
      { to: 'r2', kind: PBFT_KINDS.viewChange, body: own },
    ]);
    sent.length = 0;
    clock.now = 99;
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(sent).toEqual([]);
    onViewChange(s, ctx, 'r1', viewChange('r1', 1)); // another replica: answered
    expect(sent.map((m) => m.to)).toEqual(['r1', 'r1']);
    sent.length = 0;
    clock.now = 100;
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(sent.map((m) => m.kind)).toEqual([PBFT_KINDS.newView, PBFT_KINDS.viewChange]);
    expect(s.answered.get('r2|1')).toBe(100);
  });

  it('without a new view of that view kept, only our view change; without either, nothing', () => {
    const { s, ctx, sent, own } = inView1();
    s.lastNewView = { v: 0, viewChanges: [], prePrepares: [], sig: 'old' };
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(sent).toEqual([{ to: 'r2', kind: PBFT_KINDS.viewChange, body: own }]);
    sent.length = 0;
    s.lastNewView = undefined;
    s.ownViewChanges.clear();
    onViewChange(s, ctx, 'r1', viewChange('r1', 1));
    expect(sent).toEqual([]);
  });

  it('one in an earlier view gets our view change for that view and our latest one', () => {
    const { s, ctx, sent } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    startViewChange(s, ctx, 2, 'x');
    const [mine1, mine2] = [s.ownViewChanges.get(1), s.ownViewChanges.get(2)];
    sent.length = 0;
    onViewChange(s, ctx, 'r1', viewChange('r1', 1));
    expect(sent).toEqual([
      { to: 'r1', kind: PBFT_KINDS.viewChange, body: mine1 },
      { to: 'r1', kind: PBFT_KINDS.viewChange, body: mine2 },
    ]);
    sent.length = 0;
    // For a view of which it holds no view change of its own: only the latest.
    s.ownViewChanges.delete(1);
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(sent).toEqual([{ to: 'r2', kind: PBFT_KINDS.viewChange, body: mine2 }]);
    sent.length = 0;
    s.ownViewChanges.clear();
    onViewChange(s, ctx, 'r0', viewChange('r0', 1));
    expect(sent).toEqual([]);
  });

  it('the answered table is bounded: past 1024 entries it forgets the oldest down to 512', () => {
    const { s, ctx } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    s.active = true;
    for (let k = 0; k < 1024; k++) s.answered.set(`x${k}|1`, 0);
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(s.answered.size).toBe(512);
    expect(s.answered.has('r2|1')).toBe(true);
    expect(s.answered.has('x512|1')).toBe(false);
    expect(s.answered.has('x513|1')).toBe(true);
    const { s: s2, ctx: ctx2 } = replica('r3');
    startViewChange(s2, ctx2, 1, 'x');
    s2.active = true;
    for (let k = 0; k < 1023; k++) s2.answered.set(`x${k}|1`, 0);
    onViewChange(s2, ctx2, 'r2', viewChange('r2', 1));
    expect(s2.answered.size).toBe(1024);
  });
});

describe('PBFT onViewChange: for our view or a later one', () => {
  it('malformed, or signed for another replica than its sender: refused by name', () => {
    const { s, ctx, rejected } = replica('r3');
    onViewChange(s, ctx, 'r1', { ...viewChange('r1', 1), v: 0 });
    onViewChange(s, ctx, 'r2', viewChange('r1', 1));
    expect(rejected()).toEqual([
      ['r1', PBFT_KINDS.viewChange, 'malformed'],
      ['r2', PBFT_KINDS.viewChange, 'signed for r1, sent by r2'],
    ]);
    expect(s.viewChanges.size).toBe(0);
  });

  it('up to 1024 views ahead it is kept; further it is refused', () => {
    const { s, ctx, rejected } = replica('r3');
    s.view = 1;
    onViewChange(s, ctx, 'r1', viewChange('r1', 1025));
    onViewChange(s, ctx, 'r2', viewChange('r2', 1026));
    expect(rejected()).toEqual([['r2', PBFT_KINDS.viewChange, 'view 1026 is more than 1024 views ahead']]);
    expect([...s.viewChanges.keys()]).toEqual([1025]);
  });

  it('a second view change of a replica for a view is ignored (the first stands), an invalid one refused', () => {
    const { s, ctx, rejected } = replica('r3');
    const first = viewChange('r1', 1);
    onViewChange(s, ctx, 'r1', first);
    onViewChange(s, ctx, 'r1', { ...viewChange('r1', 1, [], 0), sig: 'forged' });
    expect(rejected()).toEqual([]);
    expect(s.viewChanges.get(1)?.get('r1')).toBe(first);
    onViewChange(s, ctx, 'r2', { ...viewChange('r2', 1), sig: 'forged' });
    expect(rejected()).toEqual([['r2', PBFT_KINDS.viewChange, 'view change does not hold up (signature, checkpoint proof or a prepared certificate)']]);
    expect(s.viewChanges.get(1)?.has('r2')).toBe(false);
  });

  it('f + 1 replicas asking for later views bring it to the smallest of them; f do not', () => {
    const { s, ctx, events } = replica('r3');
    onViewChange(s, ctx, 'r1', viewChange('r1', 3));
    expect(s.view).toBe(0);
    onViewChange(s, ctx, 'r2', viewChange('r2', 2));
    expect(s.view).toBe(2);
    expect(events).toEqual([{ type: 'pbft-view-change', view: 2, reason: '2 replicas asked for a later view' }]);
  });

  // f + 1 replicas asking for view 3, one of them for view 2 before: joining view 2 (the smallest
  // view any of them asked for) left r3 behind them, and their view changes for view 3, recorded
  // already, never counted again (a second copy is ignored): with r0 down, r1 and r2 waited in
  // view 3 for a third view change that r3, in view 2, would never send. Now each replica counts
  // with the latest view it asked for, and r3 joins the highest view f + 1 of them reached.
  it('f + 1 replicas in view 3, one of which asked for view 2 on the way: it joins view 3, not 2', () => {
    const { s, ctx, events } = replica('r3');
    onViewChange(s, ctx, 'r1', viewChange('r1', 2));
    onViewChange(s, ctx, 'r1', viewChange('r1', 3));
    onViewChange(s, ctx, 'r2', viewChange('r2', 3));
    expect(s.view).toBe(3);
    expect(events.filter((e) => e.type === 'pbft-view-change')).toEqual([{ type: 'pbft-view-change', view: 3, reason: '2 replicas asked for a later view' }]);
    // r3 is the primary of view 3, and with r1's and r2's view changes it holds a quorum: view 3 starts.
    expect(s.active).toBe(true);
    // Their view changes for view 3 sent again change nothing more.
    onViewChange(s, ctx, 'r2', viewChange('r2', 3));
    expect(s.view).toBe(3);
  });

  it('the same on the in-test network, r0 down: with the old rule r3 stayed in view 2 and r1, r2 in view 3, every timer fired twenty times, none active', () => {
    const net = new Net({ replicas: REPLICAS }, ['r1', 'r2', 'r3']);
    const flush = () => net.inject('r0', 'r0', 'nothing', null); // delivers what the calls below sent
    const [r1, r2, r3] = ['r1', 'r2', 'r3'].map((i) => net.state(i));
    // r1's timers take it to view 2 (its view change lost on the way to r2), then to view 3.
    net.drop = (m) => m.from === 'r1' && m.to === 'r2';
    startViewChange(r1, net.ctxs.get('r1')!, 2, 'no new view 1 in time');
    flush();
    net.drop = () => false;
    startViewChange(r1, net.ctxs.get('r1')!, 3, 'no new view 2 in time');
    flush();
    // r2 moves to view 3 too; its view change reaches r3 late.
    net.drop = (m) => m.from === 'r2' && m.to === 'r3';
    startViewChange(r2, net.ctxs.get('r2')!, 3, 'no new view 2 in time');
    flush();
    net.drop = () => false;
    expect([r1.view, r2.view, r3.view]).toEqual([3, 3, 0]);
    net.inject('r2', 'r3', PBFT_KINDS.viewChange, r2.ownViewChanges.get(3));
    for (let round = 0; round < 20; round++)
      for (const i of ['r1', 'r2', 'r3']) for (const k of ['resend', 'view', 'request']) if (net.timers.has(`${i}|${k}`)) net.fire(i, k);
    expect([r1, r2, r3].map((r) => [r.view, r.active])).toEqual([
      [3, true],
      [3, true],
      [3, true],
    ]);
  });

  it('seven replicas (f = 2): the third highest of the views asked for, a view at least one honest replica reached', () => {
    const seven = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const { s, ctx } = replica('r6', { replicas: seven });
    onViewChange(s, ctx, 'r1', viewChange('r1', 5));
    onViewChange(s, ctx, 'r2', viewChange('r2', 4));
    expect(s.view).toBe(0);
    onViewChange(s, ctx, 'r3', viewChange('r3', 2));
    expect(s.view).toBe(2);
    // r1 asked for 2 and then 5, r2 for 5, r3 for 4: three want view 4 or later, so view 4.
    const { s: s2, ctx: ctx2 } = replica('r6', { replicas: seven });
    for (const [i, v] of [
      ['r1', 2],
      ['r1', 5],
      ['r2', 5],
      ['r3', 4],
    ] as [string, number][])
      onViewChange(s2, ctx2, i, viewChange(i, v));
    expect(s2.view).toBe(4);
  });

  it('one replica asking for two later views counts once', () => {
    const { s, ctx } = replica('r3');
    onViewChange(s, ctx, 'r1', viewChange('r1', 2));
    onViewChange(s, ctx, 'r1', viewChange('r1', 3));
    expect(s.view).toBe(0);
  });

  it('view changes for its own view do not count toward the f + 1 of a later view', () => {
    const { s, ctx } = replica('r3');
    startViewChange(s, ctx, 1, 'x'); // r3 waits for view 1
    onViewChange(s, ctx, 'r0', viewChange('r0', 1));
    onViewChange(s, ctx, 'r1', viewChange('r1', 2));
    expect(s.view).toBe(1);
    onViewChange(s, ctx, 'r2', viewChange('r2', 3));
    expect(s.view).toBe(2);
  });
});

describe('PBFT the new view its primary makes', () => {
  it('with a quorum of view changes, its own first: signed pre-prepares from the plan, sent, installed', () => {
    const { s, ctx, ofKind, events } = replica('r1');
    const pp = prePrepare('r0', 0, 1, [REQUEST]);
    const vc0 = viewChange('r0', 1, [cert(pp, ['r2', 'r3'])]);
    const vc2 = viewChange('r2', 1);
    onViewChange(s, ctx, 'r0', vc0);
    onViewChange(s, ctx, 'r2', vc2);
    // f + 1: r1 joins view 1 and, as its primary with 3 view changes, makes the new view.
    const own = s.ownViewChanges.get(1)!;
    const pps = [prePrepare('r1', 1, 1, [REQUEST])];
    const nv: NewView = { v: 1, viewChanges: [own, vc0, vc2], prePrepares: pps, sig: sig('r1', newViewText(1, [own, vc0, vc2], pps)) };
    expect(ofKind(PBFT_KINDS.newView)).toEqual(['r0', 'r2', 'r3'].map((to) => ({ to, kind: PBFT_KINDS.newView, body: nv })));
    expect(s.newViewSent).toBe(1);
    expect(s.active).toBe(true);
    expect(s.lastNewView).toEqual(nv);
    expect(s.slots.get(1)?.pp).toEqual(pps[0]);
    expect(events.filter((e) => e.type === 'pbft-view')).toEqual([{ type: 'pbft-view', view: 1, primary: 'r1' }]);
    // The primary takes its own pre-prepare without a prepare of its own (the primary does not prepare).
    expect(ofKind(PBFT_KINDS.prepare)).toEqual([]);
    expect(s.slots.get(1)?.prepares.size).toBe(0);
  });

  it('of more than a quorum it takes a quorum, its own first', () => {
    const { s, ctx, ofKind } = replica('r1');
    s.viewChanges.set(1, new Map(['r0', 'r2', 'r3'].map((i) => [i, viewChange(i, 1)])));
    startViewChange(s, ctx, 1, 'x');
    const nv = ofKind(PBFT_KINDS.newView)[0].body as NewView;
    expect(nv.viewChanges.map((vc) => vc.i)).toEqual(['r1', 'r0', 'r2']);
  });

  it('not without its own view change among them, not as a backup, not twice', () => {
    const backup = replica('r2');
    backup.s.viewChanges.set(1, new Map(['r0', 'r3'].map((i) => [i, viewChange(i, 1)])));
    startViewChange(backup.s, backup.ctx, 1, 'x');
    expect(backup.ofKind(PBFT_KINDS.newView)).toEqual([]);
    expect(backup.s.active).toBe(false);

    const primary = replica('r1');
    primary.s.view = 1;
    primary.s.active = false;
    for (const i of ['r0', 'r2', 'r3']) onViewChange(primary.s, primary.ctx, i, viewChange(i, 1));
    expect(primary.ofKind(PBFT_KINDS.newView)).toEqual([]); // it never sent one for view 1 itself

    const again = replica('r1');
    again.s.newViewSent = 1;
    again.s.viewChanges.set(1, new Map(['r0', 'r2'].map((i) => [i, viewChange(i, 1)])));
    startViewChange(again.s, again.ctx, 1, 'x');
    expect(again.ofKind(PBFT_KINDS.newView)).toEqual([]);
    expect(again.s.active).toBe(false);
  });

  it('an inactive primary that receives the last view change it needed installs the view', () => {
    const { s, ctx, ofKind } = replica('r1');
    startViewChange(s, ctx, 1, 'x');
    onViewChange(s, ctx, 'r2', viewChange('r2', 1));
    expect(ofKind(PBFT_KINDS.newView)).toEqual([]);
    onViewChange(s, ctx, 'r3', viewChange('r3', 1));
    expect(ofKind(PBFT_KINDS.newView)).toHaveLength(3);
    expect(s.active).toBe(true);
  });
});

describe('PBFT shape checks of view changes and new views', () => {
  const vc = viewChange('r1', 1);
  const malformed: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'VC'],
    ['a view that is not an integer', { ...vc, v: 1.5 }],
    ['view 0', { ...vc, v: 0 }],
    ['a checkpoint that is not an integer', { ...vc, n: 0.5 }],
    ['a negative checkpoint', { ...vc, n: -1 }],
    ['a proof that is not an array', { ...vc, proof: {} }],
    ['certificates that are not an array', { ...vc, prepared: {} }],
    ['a certificate that is null', { ...vc, prepared: [null] }],
    ['a certificate that is undefined', { ...vc, prepared: [undefined] }],
    ['a certificate that is a string', { ...vc, prepared: ['pp'] }],
    ['a certificate without a pre-prepare', { ...vc, prepared: [{ prepares: [] }] }],
    ['a replica that is not a string', { ...vc, i: 1 }],
    ['a signature that is not a string', { ...vc, sig: 1 }],
  ];
  for (const [name, body] of malformed) {
    it(`a view change with ${name} is malformed`, () => {
      const { s, ctx, rejected } = replica('r3');
      onViewChange(s, ctx, 'r1', body as ViewChange);
      expect(rejected()).toEqual([['r1', PBFT_KINDS.viewChange, 'malformed']]);
    });
  }

  it('view 1 at checkpoint 0 with no certificate is a view change', () => {
    const { s, ctx, rejected } = replica('r3');
    onViewChange(s, ctx, 'r1', vc);
    expect(rejected()).toEqual([]);
    expect(s.viewChanges.get(1)?.get('r1')).toBe(vc);
  });

  const nv: NewView = { v: 1, viewChanges: [vc], prePrepares: [], sig: '' };
  const malformedNewViews: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'NV'],
    ['a view that is not an integer', { ...nv, v: 1.5 }],
    ['view 0', { ...nv, v: 0 }],
    ['view changes that are not an array', { ...nv, viewChanges: {} }],
    ['no view change', { ...nv, viewChanges: [] }],
    ['pre-prepares that are not an array', { ...nv, prePrepares: {} }],
    ['a signature that is not a string', { ...nv, sig: 1 }],
  ];
  for (const [name, body] of malformedNewViews) {
    it(`a new view with ${name} is malformed`, () => {
      const { s, ctx, rejected } = replica('r3');
      onNewView(s, ctx, 'r1', body as NewView);
      expect(rejected()).toEqual([['r1', PBFT_KINDS.newView, 'malformed']]);
    });
  }

  // A new view's signed text reads every view change's sender and signature and every
  // pre-prepare's number and digest: an element that is not an object threw a TypeError in the
  // honest replica's handler (a failure its supervisor handles by restarting it, state lost).
  for (const [name, body] of [
    ['a view change that is null', { ...nv, viewChanges: [null] }],
    ['a view change that is a number', { ...nv, viewChanges: [vc, 7] }],
    ['a pre-prepare that is null', { ...nv, prePrepares: [null] }],
    ['a pre-prepare that is undefined', { ...nv, prePrepares: [undefined] }],
    ['a null pre-prepare after a good one', { ...nv, prePrepares: [prePrepare('r1', 1, 1, [REQUEST]), null] }],
  ] as [string, unknown][]) {
    it(`a new view with ${name} is refused as malformed, not a crash`, () => {
      const { s, ctx, rejected } = replica('r3');
      expect(() => onNewView(s, ctx, 'r1', body as NewView)).not.toThrow();
      expect(rejected()).toEqual([['r1', PBFT_KINDS.newView, 'malformed']]);
    });
  }

  it('a well-formed new view of view 1 is judged on its content, not refused as malformed', () => {
    const { s, ctx, rejected } = replica('r3');
    onNewView(s, ctx, 'r1', nv);
    expect(rejected()).toEqual([['r1', PBFT_KINDS.newView, 'not signed by the primary of view 1 (r1)']]);
  });
});

describe('PBFT installing a new view', () => {
  const pp1 = prePrepare('r0', 0, 1, [REQUEST]);
  /** The new view of view 1 (primary r1) from view changes of r0, r1, r2 at checkpoint 0, r0 with `prepared`. */
  const newView1 = (prepared: PreparedCert[] = []) => {
    const vcs = [viewChange('r0', 1, prepared), viewChange('r1', 1), viewChange('r2', 1)];
    const ns = prepared.map((c) => c.pp.n);
    const top = Math.max(0, ...ns);
    const pps: PrePrepare[] = [];
    for (let n = 1; n <= top; n++) {
      const c = prepared.find((x) => x.pp.n === n);
      pps.push(prePrepare('r1', 1, n, c ? c.pp.batch : []));
    }
    return { v: 1, viewChanges: vcs, prePrepares: pps, sig: sig('r1', newViewText(1, vcs, pps)) } satisfies NewView;
  };

  it('cancels the view and resend timers and drops the slots of earlier views the new view does not carry', () => {
    const { s, ctx, timers, cancelled, rejected } = replica('r3');
    onPrePrepare3(s, ctx, prePrepare('r0', 0, 5, [{ ...REQUEST, ts: 5, sig: sig('c', `R|c|5|incr k1`) }]));
    expect(s.slots.get(5)?.v).toBe(0);
    startViewChange(s, ctx, 1, 'x');
    expect(timers.has('resend')).toBe(true);
    timers.set('view', { ms: 1, kind: PBFT_KINDS.viewTimer, body: 1 });
    cancelled.length = 0;
    onNewView(s, ctx, 'r1', newView1());
    expect(rejected()).toEqual([]);
    expect(s.active).toBe(true);
    expect(cancelled.slice(0, 2)).toEqual(['view', 'resend']);
    expect(timers.has('view') || timers.has('resend')).toBe(false);
    expect(s.slots.has(5)).toBe(false);
  });

  it('takes no pre-prepare at or below its own stable checkpoint', () => {
    for (const low of [1, 2]) {
      const { s, ctx, rejected } = replica('r3');
      s.low = low;
      s.lastExecuted = low;
      s.view = 1;
      s.active = false;
      onNewView(s, ctx, 'r1', newView1([cert(pp1, ['r1', 'r2'])]));
      expect(rejected()).toEqual([]);
      expect(s.active).toBe(true);
      expect(s.slots.has(1)).toBe(false);
    }
  });

  it('fetches the state of its stable checkpoint if it executed less; not if it executed that far', () => {
    const proof = ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 4, 'X'));
    const behind = replica('r3');
    Object.assign(behind.s, { low: 4, stableProof: proof, lastExecuted: 2, view: 1, active: false });
    onNewView(behind.s, behind.ctx, 'r1', newView1());
    expect(behind.ofKind(PBFT_KINDS.fetchState)).toEqual([{ to: 'r0', kind: PBFT_KINDS.fetchState, body: { n: 4 } }]);
    const atIt = replica('r3');
    Object.assign(atIt.s, { low: 4, stableProof: proof, lastExecuted: 4, view: 1, active: false });
    onNewView(atIt.s, atIt.ctx, 'r1', newView1());
    expect(atIt.ofKind(PBFT_KINDS.fetchState)).toEqual([]);
  });

  it('arms the request timer only with requests pending', () => {
    const idle = replica('r3');
    Object.assign(idle.s, { view: 1, active: false });
    onNewView(idle.s, idle.ctx, 'r1', newView1());
    expect(idle.timers.has('request')).toBe(false);
    expect(idle.s.requestTimerArmed).toBe(false);
  });

  it('the new primary fills a gap below a prepared number with the null request (an empty batch, the null digest)', () => {
    const { s, ctx, ofKind } = replica('r1');
    const pp2 = prePrepare('r0', 0, 2, [REQUEST]);
    s.viewChanges.set(
      1,
      new Map([
        ['r0', viewChange('r0', 1, [cert(pp2, ['r2', 'r3'])])],
        ['r2', viewChange('r2', 1)],
      ]),
    );
    startViewChange(s, ctx, 1, 'x');
    const nv = ofKind(PBFT_KINDS.newView)[0].body as NewView;
    expect(nv.prePrepares).toEqual([prePrepare('r1', 1, 1, []), prePrepare('r1', 1, 2, [REQUEST])]);
  });
});

describe('PBFT view change validity, called directly', () => {
  it("a stranger's view change is refused even when it signed it itself", () => {
    const { s, ctx, rejected } = replica('r3');
    onViewChange(s, ctx, 'r9', viewChange('r9', 1));
    expect(rejected()).toEqual([['r9', PBFT_KINDS.viewChange, 'view change does not hold up (signature, checkpoint proof or a prepared certificate)']]);
    expect(s.viewChanges.get(1)?.has('r9') ?? false).toBe(false);
  });

  it('a certificate whose prepares are not a list is refused, not a crash', () => {
    const { s, ctx, rejected } = replica('r3');
    const pp = prePrepare('r0', 0, 1, [REQUEST]);
    const prepared = [{ pp, prepares: undefined } as unknown as PreparedCert];
    expect(() => onViewChange(s, ctx, 'r1', viewChange('r1', 1, prepared))).not.toThrow();
    expect(rejected()).toEqual([['r1', PBFT_KINDS.viewChange, 'view change does not hold up (signature, checkpoint proof or a prepared certificate)']]);
  });
});

describe('PBFT view change: more edges', () => {
  it('a certificate carries prepareQuorum prepares, the first kept, even when the slot holds more (prepares that came before the pre-prepare)', () => {
    const { s, ctx, ofKind } = replica('r3');
    const pp = prePrepare('r0', 0, 1, [{ ...REQUEST, sig: sig('c', 'R|c|1|incr k1') }]);
    for (const i of ['r1', 'r2']) s.slot(1).prepares.set(pp.d, new Map([...(s.slot(1).prepares.get(pp.d) ?? []), [i, vote('P', i, pp)]]));
    onPrePrepare(s, ctx, 'r0', pp);
    expect(s.slots.get(1)?.prepared).toBe(true);
    expect([...s.slots.get(1)!.prepares.get(pp.d)!.keys()]).toEqual(['r1', 'r2', 'r3']);
    startViewChange(s, ctx, 1, 'x');
    const vc = ofKind(PBFT_KINDS.viewChange)[0].body as ViewChange;
    expect(vc.prepared.map((c) => c.prepares.map((p) => p.i))).toEqual([['r1', 'r2']]);
  });

  it('only the timer of the view it waits for moves it on (not one naming another view)', () => {
    const { s, ctx } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    onViewTimer(s, ctx, 3);
    onViewTimer(s, ctx, 0);
    expect(s.view).toBe(1);
  });

  it('one in an earlier view gets our view change for that view alone when we hold none for our own view (installed from a new view)', () => {
    const { s, ctx, sent } = replica('r3');
    startViewChange(s, ctx, 1, 'x');
    const mine1 = s.ownViewChanges.get(1);
    Object.assign(s, { view: 2, active: true });
    sent.length = 0;
    onViewChange(s, ctx, 'r1', viewChange('r1', 1));
    expect(sent).toEqual([{ to: 'r1', kind: PBFT_KINDS.viewChange, body: mine1 }]);
  });

  it('a new view whose pre-prepare has the planned digest at another number is refused', () => {
    const { s, ctx, rejected } = replica('r3');
    Object.assign(s, { view: 1, active: false });
    const pp1 = prePrepare('r0', 0, 1, [REQUEST]);
    const vcs = [viewChange('r0', 1, [cert(pp1, ['r1', 'r2'])]), viewChange('r1', 1), viewChange('r2', 1)];
    const pps = [prePrepare('r1', 1, 2, [REQUEST])];
    onNewView(s, ctx, 'r1', { v: 1, viewChanges: vcs, prePrepares: pps, sig: sig('r1', newViewText(1, vcs, pps)) });
    expect(rejected()).toEqual([['r1', PBFT_KINDS.newView, 'its pre-prepares do not follow from its view changes']]);
    expect(s.active).toBe(false);
  });
});
