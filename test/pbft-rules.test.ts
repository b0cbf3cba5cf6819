import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  type Checkpoint,
  type NewView,
  PBFT_KINDS,
  type PbftReplicaState,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  type PreparedCert,
  type ViewChange,
} from '../src/protocols/pbft/index.ts';
import { Net, sig } from './fixtures/pbft-net.ts';
import { checkpointText, newViewText, phaseText, prePrepareText, viewChangeText } from '../src/protocols/pbft/messages.ts';

/**
 * PBFT's safety rules, one handler at a time: replica state is built by hand (or by a few
 * deterministic steps) and single messages are delivered. The harness
 * (test/fixtures/pbft-net.ts) delivers in order, drops what its filter says, fires timers only
 * when the test does, and lets the test sign as any replica.
 */
const REPLICAS = ['r0', 'r1', 'r2', 'r3'];
const REQUEST: PbftRequest = { client: 'c', ts: 1, op: 'incr k1', sig: '' };
const OTHER: PbftRequest = { client: 'c', ts: 1, op: 'put k1 evil', sig: '' };
const D = batchDigest([REQUEST]);
const D_OTHER = batchDigest([OTHER]);

/** A pre-prepare signed by `primary`. */
const prePrepare = (primary: string, v: number, n: number, batch: readonly PbftRequest[]): PrePrepare => {
  const d = batchDigest(batch);
  return { v, n, d, batch, sig: sig(primary, prePrepareText(v, n, d)) };
};
/** A prepare or commit signed by `i`, vouching for `pp`. */
const vote = (phase: 'P' | 'C', i: string, pp: PrePrepare, d = pp.d): PhaseVote => ({
  v: pp.v,
  n: pp.n,
  d,
  i,
  ppSig: pp.sig,
  sig: sig(i, phaseText(phase, pp.v, pp.n, d, i)),
});
const viewChange = (i: string, v: number, prepared: PreparedCert[]): ViewChange => ({
  v,
  n: 0,
  proof: [],
  prepared,
  i,
  sig: sig(i, viewChangeText(v, 0, prepared, i)),
});
const checkpoint = (i: string, n: number, d: string): Checkpoint => ({ n, d, i, sig: sig(i, checkpointText(n, d, i)) });
const signedNewView = (primary: string, v: number, viewChanges: readonly ViewChange[], prePrepares: readonly PrePrepare[]): NewView => ({
  v,
  viewChanges,
  prePrepares,
  sig: sig(primary, newViewText(v, viewChanges, prePrepares)),
});

/**
 * All four replicas up, quorum 3, prepareQuorum 2. r0 (primary of view 0) pre-prepares the
 * request at 1; only r2's prepare reaches r1 and no commit reaches anyone, so r1 alone is
 * prepared (pre-prepare, its own prepare and r2's) and nobody committed. Then nothing is lost.
 */
function preparedAtR1Only(): Net {
  const net = new Net({ replicas: REPLICAS }, REPLICAS);
  net.drop = (m) => (m.kind === PBFT_KINDS.prepare && !(m.from === 'r2' && m.to === 'r1')) || m.kind === PBFT_KINDS.commit;
  for (const r of REPLICAS) net.inject('c', r, PBFT_KINDS.request, REQUEST);
  expect(net.state('r1').slots.get(1)).toMatchObject({ prepared: true, committed: false, pp: { v: 0, n: 1, d: D } });
  for (const r of ['r0', 'r2', 'r3']) expect(net.state(r).preparedSlots.size).toBe(0);
  expect(net.events.filter((e) => e.event.type === 'pbft-committed')).toEqual([]);
  net.drop = () => false;
  return net;
}

/**
 * r1 and r2 suspect r0 (their request timers fire): with two view changes for view 1 (f + 1),
 * the others join, and r1, the primary of view 1, makes the new view.
 */
function suspectR0(net: Net): void {
  net.now = 200;
  net.fire('r1', 'request');
  net.fire('r2', 'request');
  expect(net.state('r3').view).toBe(1);
}

describe('PBFT rules, one handler at a time', () => {
  it('a request prepared at one replica only survives the view change: view 1 re-proposes it with the same number and digest, and every commit at 1 is that digest', () => {
    const net = preparedAtR1Only();
    suspectR0(net);
    for (const r of REPLICAS) expect(net.state(r)).toMatchObject({ view: 1, active: true });
    const nv = net.state('r1').lastNewView!;
    expect(nv.v).toBe(1);
    // r1's own view change (with its certificate) is among the three the new view carries.
    expect(nv.viewChanges.find((vc) => vc.i === 'r1')?.prepared.map((c) => [c.pp.n, c.pp.d])).toEqual([[1, D]]);
    expect(nv.prePrepares.map((pp) => ({ v: pp.v, n: pp.n, d: pp.d }))).toEqual([{ v: 1, n: 1, d: D }]);
    const commits = net.events
      .filter((e) => e.event.type === 'pbft-committed')
      .map((e) => ({ actor: e.actor, view: e.event.view, seq: e.event.seq, digest: e.event.digest }));
    expect(commits).toEqual(expect.arrayContaining(REPLICAS.map((actor) => ({ actor, view: 1, seq: 1, digest: D }))));
    expect(commits).toHaveLength(4);
    for (const r of REPLICAS) {
      expect(net.eventsOf(r, 'pbft-executed')).toEqual([{ type: 'pbft-executed', seq: 1, request: 'c#1#incr k1', result: '1' }]);
      expect(net.state(r).lastExecuted).toBe(1);
    }
  });

  describe('a view change whose prepared certificate does not hold up is refused', () => {
    const pp = prePrepare('r0', 0, 1, [REQUEST]);
    const cases: [string, () => PreparedCert][] = [
      ['short: one prepare, two needed', () => ({ pp, prepares: [vote('P', 'r1', pp)] })],
      ['a prepare from the primary', () => ({ pp, prepares: [vote('P', 'r0', pp), vote('P', 'r1', pp)] })],
      ['duplicate senders', () => ({ pp, prepares: [vote('P', 'r1', pp), vote('P', 'r1', pp)] })],
      ['duplicate senders beside enough distinct ones', () => ({ pp, prepares: [vote('P', 'r1', pp), vote('P', 'r1', pp), vote('P', 'r3', pp)] })],
      ['a prepare for another digest', () => ({ pp, prepares: [vote('P', 'r1', pp), vote('P', 'r3', pp, D_OTHER)] })],
      [
        'a prepare with a forged signature',
        () => ({ pp, prepares: [vote('P', 'r1', pp), { ...vote('P', 'r3', pp), sig: sig('r2', phaseText('P', 0, 1, D, 'r3')) }] }),
      ],
      [
        'a pre-prepare not signed by the primary of its view',
        () => ({ pp: { ...pp, sig: sig('r1', prePrepareText(0, 1, D)) }, prepares: [vote('P', 'r1', pp), vote('P', 'r3', pp)] }),
      ],
    ];

    it('control: a well-formed certificate (pre-prepare + two prepares from distinct backups) is taken', () => {
      const net = new Net({ replicas: REPLICAS }, ['r3']);
      net.inject('r2', 'r3', PBFT_KINDS.viewChange, viewChange('r2', 1, [{ pp, prepares: [vote('P', 'r1', pp), vote('P', 'r2', pp)] }]));
      expect([...net.state('r3').viewChanges.get(1)!.keys()]).toEqual(['r2']);
      expect(net.eventsOf('r3', 'pbft-rejected')).toEqual([]);
    });

    for (const [name, cert] of cases) {
      it(name, () => {
        const net = new Net({ replicas: REPLICAS }, ['r3']);
        net.inject('r2', 'r3', PBFT_KINDS.viewChange, viewChange('r2', 1, [cert()]));
        expect(net.state('r3').viewChanges.get(1)?.has('r2') ?? false).toBe(false);
        expect(net.eventsOf('r3', 'pbft-rejected')).toEqual([
          {
            type: 'pbft-rejected',
            from: 'r2',
            kind: PBFT_KINDS.viewChange,
            reason: 'view change does not hold up (signature, checkpoint proof or a prepared certificate)',
          },
        ]);
        expect(net.state('r3')).toMatchObject({ view: 0, active: true });
      });
    }

    it('inside a new view too: a new view carrying such a view change is refused', () => {
      const net = new Net({ replicas: REPLICAS }, ['r3']);
      const bad = viewChange('r2', 1, [{ pp, prepares: [vote('P', 'r1', pp)] }]);
      const vcs = [viewChange('r1', 1, []), bad, viewChange('r0', 1, [])];
      // The primary derives its pre-prepares from the short certificate as if it held.
      net.inject('r1', 'r3', PBFT_KINDS.newView, signedNewView('r1', 1, vcs, [prePrepare('r1', 1, 1, [REQUEST])]));
      expect(net.state('r3')).toMatchObject({ view: 0, active: true });
      expect(net.eventsOf('r3', 'pbft-rejected')).toEqual([
        { type: 'pbft-rejected', from: 'r1', kind: PBFT_KINDS.newView, reason: 'a view change in it does not hold up' },
      ]);
    });
  });

  describe('a stale new view is ignored and changes nothing', () => {
    /** r0 down; r1, r2, r3 move to view 1 (nothing prepared) and execute the request there. */
    function inView1(): Net {
      const net = new Net({ replicas: REPLICAS }, ['r1', 'r2', 'r3']);
      for (const r of ['r1', 'r2', 'r3']) net.inject('c', r, PBFT_KINDS.request, REQUEST);
      suspectR0(net);
      for (const r of ['r1', 'r2', 'r3']) expect(net.state(r)).toMatchObject({ view: 1, active: true, lastExecuted: 1 });
      return net;
    }
    const look = (s: PbftReplicaState) => ({
      view: s.view,
      active: s.active,
      low: s.low,
      lastExecuted: s.lastExecuted,
      nextSeq: s.nextSeq,
      slots: [...s.slots].map(([n, sl]) => [n, sl.v, sl.pp?.d, sl.prepared, sl.committed]),
      lastNewView: s.lastNewView,
      future: s.future.length,
    });

    it('for the current view, once active: the same new view again, and one with other pre-prepares', () => {
      const net = inView1();
      const nv = net.state('r1').lastNewView!;
      const before = look(net.state('r3'));
      const [events, delivered] = [net.events.length, net.delivered.length];
      net.inject('r1', 'r3', PBFT_KINDS.newView, nv);
      // Would be refused if checked (it does not follow from its view changes), but it is
      // stale and must not even get that far.
      net.inject('r1', 'r3', PBFT_KINDS.newView, signedNewView('r1', 1, nv.viewChanges, [prePrepare('r1', 1, 1, [OTHER])]));
      expect(look(net.state('r3'))).toEqual(before);
      expect(net.events.length).toBe(events);
      expect(net.delivered.length).toBe(delivered + 2); // the two new views, and nothing sent in answer
    });

    it("for a view lower than the replica's current one (r2 moved on to view 2, not yet installed)", () => {
      const net = inView1();
      const nv = net.state('r1').lastNewView!;
      net.inject('c', 'r2', PBFT_KINDS.request, { ...REQUEST, ts: 2 });
      net.now = 1000;
      net.fire('r2', 'request');
      expect(net.state('r2')).toMatchObject({ view: 2, active: false });
      const before = look(net.state('r2'));
      const [events, delivered] = [net.events.length, net.delivered.length];
      net.inject('r1', 'r2', PBFT_KINDS.newView, nv);
      expect(look(net.state('r2'))).toEqual(before);
      expect(net.events.length).toBe(events);
      expect(net.delivered.length).toBe(delivered + 1);
    });
  });

  describe('a new view whose pre-prepares do not follow from its view changes is refused', () => {
    /** The request prepared at r1 only; every new view sent to r3 is lost (first-hand or passed on), so r3 waits in view 1. */
    function r3WaitsForView1(): { net: Net; nv: NewView } {
      const net = preparedAtR1Only();
      net.drop = (m) => m.to === 'r3' && m.kind === PBFT_KINDS.newView;
      suspectR0(net);
      expect(net.state('r3')).toMatchObject({ view: 1, active: false });
      expect(net.eventsOf('r3', 'pbft-committed')).toEqual([]);
      net.drop = () => false;
      return { net, nv: net.state('r1').lastNewView! };
    }

    const variants: [string, (nv: NewView) => PrePrepare[]][] = [
      ['the prepared request left out', () => []],
      ['another request at its number', () => [prePrepare('r1', 1, 1, [OTHER])]],
      ['the null request at its number', () => [prePrepare('r1', 1, 1, [])]],
      ['an extra pre-prepare after it', (nv) => [...nv.prePrepares, prePrepare('r1', 1, 2, [OTHER])]],
      ['its number moved', () => [prePrepare('r1', 1, 1, []), prePrepare('r1', 1, 2, [REQUEST])]],
      ['a pre-prepare for another view', () => [prePrepare('r1', 0, 1, [REQUEST])]],
      ['a pre-prepare whose digest does not match its batch', () => [{ ...prePrepare('r1', 1, 1, [OTHER]), d: D, sig: sig('r1', prePrepareText(1, 1, D)) }]],
      ['a pre-prepare not signed by the new primary', () => [prePrepare('r2', 1, 1, [REQUEST])]],
    ];

    it('control: the real new view is installed and r3 commits the prepared digest at 1', () => {
      const { net, nv } = r3WaitsForView1();
      expect(nv.prePrepares.map((pp) => [pp.n, pp.d])).toEqual([[1, D]]);
      net.inject('r1', 'r3', PBFT_KINDS.newView, nv);
      expect(net.state('r3')).toMatchObject({ view: 1, active: true, lastExecuted: 1 });
      expect(net.eventsOf('r3', 'pbft-committed')).toEqual([{ type: 'pbft-committed', view: 1, seq: 1, digest: D, requests: ['c#1#incr k1'] }]);
    });

    for (const [name, prePrepares] of variants) {
      it(name, () => {
        const { net, nv } = r3WaitsForView1();
        const forged = signedNewView('r1', 1, nv.viewChanges, prePrepares(nv));
        net.inject('r1', 'r3', PBFT_KINDS.newView, forged);
        expect(net.state('r3')).toMatchObject({ view: 1, active: false, lastExecuted: 0, lastNewView: undefined });
        expect(net.eventsOf('r3', 'pbft-rejected')).toEqual([
          { type: 'pbft-rejected', from: 'r1', kind: PBFT_KINDS.newView, reason: 'its pre-prepares do not follow from its view changes' },
        ]);
        expect(net.eventsOf('r3', 'pbft-committed')).toEqual([]);
        expect(net.eventsOf('r3', 'pbft-view')).toEqual([]);
      });
    }
  });

  it('checkpoints: stable only with a quorum of matching, signed checkpoints from distinct replicas; then the water marks', () => {
    // K = 2, window 4: after a stable checkpoint at 2, sequence numbers 3..6 are accepted.
    const net = new Net({ replicas: REPLICAS, checkpointInterval: 2, logWindow: 4 }, ['r3']);
    const r3 = net.state('r3');
    const rejected = () => net.eventsOf('r3', 'pbft-rejected').map((e) => e.reason);

    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'X'));
    net.inject('r1', 'r3', PBFT_KINDS.checkpoint, checkpoint('r1', 2, 'X'));
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'X')); // the same replica again
    net.inject('r1', 'r3', PBFT_KINDS.checkpoint, checkpoint('r2', 2, 'X')); // r1 passing off r2's
    net.inject('r2', 'r3', PBFT_KINDS.checkpoint, { ...checkpoint('r2', 2, 'X'), sig: sig('r1', checkpointText(2, 'X', 'r2')) });
    net.inject('r2', 'r3', PBFT_KINDS.checkpoint, checkpoint('r2', 3, 'X')); // not a multiple of K
    expect(r3.low).toBe(0);
    expect(net.eventsOf('r3', 'pbft-checkpoint')).toEqual([]);
    expect(rejected()).toEqual(['signed for r2, sent by r1', 'bad signature', 'malformed']);
    expect([...r3.checkpoints.get(2)!.keys()]).toEqual(['r0', 'r1']);

    // Three distinct replicas at 4, but only two agree on the digest.
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 4, 'Y'));
    net.inject('r1', 'r3', PBFT_KINDS.checkpoint, checkpoint('r1', 4, 'Y'));
    net.inject('r2', 'r3', PBFT_KINDS.checkpoint, checkpoint('r2', 4, 'Z'));
    expect(r3.low).toBe(0);

    // The third matching one at 2, from a distinct replica, signed: stable.
    net.inject('r2', 'r3', PBFT_KINDS.checkpoint, checkpoint('r2', 2, 'X'));
    expect(r3.low).toBe(2);
    expect(r3.stableProof.map((c) => [c.i, c.n, c.d])).toEqual([
      ['r0', 2, 'X'],
      ['r1', 2, 'X'],
      ['r2', 2, 'X'],
    ]);
    expect(net.eventsOf('r3', 'pbft-checkpoint')).toEqual([{ type: 'pbft-checkpoint', seq: 2, digest: 'X' }]);
    expect(r3.checkpoints.has(2)).toBe(true);
    expect(r3.checkpoints.get(4)!.size).toBe(3);

    // Water marks: low = 2, high = 6.
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    const count = rejected().length;
    const delivered = net.delivered.length;
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 2, [REQUEST])); // at low: ignored
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST])); // below: ignored
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', prePrepare('r0', 0, 2, [REQUEST])));
    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', prePrepare('r0', 0, 1, [REQUEST])));
    net.inject('r1', 'r3', PBFT_KINDS.checkpoint, checkpoint('r1', 2, 'W'));
    expect(rejected().length).toBe(count);
    expect(r3.slots.has(1) || r3.slots.has(2)).toBe(false);
    expect(r3.checkpoints.get(2)!.get('r1')!.d).toBe('X');
    expect(net.delivered.length).toBe(delivered + 5); // nothing sent in answer
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 7, [REQUEST])); // above high
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', prePrepare('r0', 0, 7, [REQUEST])));
    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', prePrepare('r0', 0, 7, [REQUEST])));
    expect(rejected().slice(count)).toEqual([
      'sequence 7 is above the high water mark 6',
      'sequence 7 is above the high water mark',
      'sequence 7 is above the high water mark',
    ]);
    expect(r3.slots.has(7)).toBe(false);
    // At the high water mark: accepted, and r3 prepares it.
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 6, [REQUEST]));
    expect(r3.slots.get(6)?.pp?.d).toBe(D);
    expect(r3.slots.get(6)!.prepares.get(D)!.has('r3')).toBe(true);
    expect(rejected().length).toBe(count + 3);
  });

  it("a commit quorum needs distinct replicas: the same replica's commit again does not count", () => {
    const net = new Net({ replicas: REPLICAS }, ['r3']);
    const r3 = net.state('r3');
    const pp = prePrepare('r0', 0, 1, [REQUEST]);
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    expect(r3.slots.get(1)).toMatchObject({ prepared: true, committed: false }); // pre-prepare, r3's and r1's prepares
    expect([...r3.slots.get(1)!.commits.get(D)!.keys()]).toEqual(['r3']);

    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', pp));
    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', pp)); // again
    net.inject('r1', 'r3', PBFT_KINDS.commit, { ...vote('C', 'r1', pp), sig: sig('r1', 'C|0|1|' + D + '|r1|resent') }); // again, other bytes
    net.inject('r2', 'r3', PBFT_KINDS.commit, vote('C', 'r1', pp)); // r2 passing off r1's
    expect(r3.slots.get(1)!.committed).toBe(false);
    expect(net.eventsOf('r3', 'pbft-committed')).toEqual([]);
    expect(r3.lastExecuted).toBe(0);
    expect(net.eventsOf('r3', 'pbft-rejected').map((e) => e.reason)).toContain('signed for r1, sent by r2');

    net.inject('r2', 'r3', PBFT_KINDS.commit, vote('C', 'r2', pp));
    expect(r3.slots.get(1)!.committed).toBe(true);
    expect(net.eventsOf('r3', 'pbft-committed')).toEqual([{ type: 'pbft-committed', view: 0, seq: 1, digest: D, requests: ['c#1#incr k1'] }]);
    expect(r3.lastExecuted).toBe(1);
  });
});
