import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  type Checkpoint,
  PBFT_KINDS,
  type PbftRequest,
  type PhaseVote,
  type PrePrepare,
  type PreparedCert,
  type ViewChange,
} from '../src/protocols/pbft/index.ts';
import { digestOf, Ledger } from '../src/protocols/pbft/ledger.ts';
import { checkpointText, newViewText, phaseText, prePrepareText, requestText, viewChangeText } from '../src/protocols/pbft/messages.ts';
import { preparedCerts } from '../src/protocols/pbft/view-change.ts';
import { Net, sig } from './fixtures/pbft-net.ts';

/**
 * PBFT's safety handlers one message at a time, the cases test/pbft-rules.test.ts does not
 * reach (found by mutation testing, see test/MUTATION.md): the checks on a pre-prepare and on a
 * prepare or commit, what prepared and committed need, the water marks a checkpoint moves and
 * what it collects, state transfer, and the view change (certificates, the new view's plan,
 * what a new view must carry). Replica state is built by hand in the deterministic in-test
 * network of test/fixtures/pbft-net.ts; the test signs as any replica.
 */
const REPLICAS = ['r0', 'r1', 'r2', 'r3'];
const REQUEST: PbftRequest = { client: 'c', ts: 1, op: 'incr k1', sig: '' };
const REQUEST2: PbftRequest = { client: 'c', ts: 2, op: 'incr k2', sig: '' };
const D = batchDigest([REQUEST]);
const D2 = batchDigest([REQUEST2]);
const NULL = batchDigest([]);

const prePrepare = (primary: string, v: number, n: number, batch: readonly PbftRequest[]): PrePrepare => {
  const d = batchDigest(batch);
  return { v, n, d, batch, sig: sig(primary, prePrepareText(v, n, d)) };
};
const vote = (phase: 'P' | 'C', i: string, pp: PrePrepare, d = pp.d): PhaseVote => ({
  v: pp.v,
  n: pp.n,
  d,
  i,
  ppSig: pp.sig,
  sig: sig(i, phaseText(phase, pp.v, pp.n, d, i)),
});
const checkpoint = (i: string, n: number, d: string): Checkpoint => ({ n, d, i, sig: sig(i, checkpointText(n, d, i)) });
const viewChange = (i: string, v: number, prepared: PreparedCert[], n = 0, proof: Checkpoint[] = []): ViewChange => ({
  v,
  n,
  proof,
  prepared,
  i,
  sig: sig(i, viewChangeText(v, n, prepared, i)),
});
const cert = (pp: PrePrepare, backups: string[]): PreparedCert => ({ pp, prepares: backups.map((b) => vote('P', b, pp)) });

/** Only r3 up (the others are the test): the replica under test, in view 0 with primary r0. */
const alone = (props: Record<string, unknown> = {}) => {
  const net = new Net({ replicas: REPLICAS, ...props }, ['r3']);
  return { net, r3: net.state('r3'), rejected: () => net.eventsOf('r3', 'pbft-rejected').map((e) => e.reason) };
};

describe('PBFT pre-prepare: what a backup accepts', () => {
  it('only from the primary of its view, signed by it, matching its batch', () => {
    const { net, r3, rejected } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r1', 'r3', PBFT_KINDS.prePrepare, prePrepare('r1', 0, 1, [REQUEST]));
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, { ...prePrepare('r0', 0, 1, [REQUEST]), sig: sig('r1', prePrepareText(0, 1, D)) });
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, { ...prePrepare('r0', 0, 1, [REQUEST]), batch: [REQUEST2] });
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, { v: 0, n: 0, d: D, batch: [REQUEST], sig: '' });
    expect(rejected()).toEqual(['not from the primary of view 0 (r0)', 'bad signature', 'digest does not match the batch', 'malformed pre-prepare']);
    expect(r3.slots.get(1)?.pp).toBeUndefined();
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST]));
    expect(r3.slots.get(1)?.pp?.d).toBe(D);
    // r3 prepared it: its own prepare, sent to the others.
    expect([...r3.slots.get(1)!.prepares.get(D)!.keys()]).toEqual(['r3']);
    expect(net.delivered.filter((m) => m.from === 'r3' && m.kind === PBFT_KINDS.prepare)).toEqual([]); // the others are not up: nothing delivered
  });

  for (const auth of ['sign', 'none'] as const) {
    it(`a second pre-prepare at a number keeps the first; one with another digest is ${auth === 'sign' ? 'proof the primary equivocated' : 'refused by name'} (auth ${auth})`, () => {
      const { net, r3, rejected } = alone({ auth });
      net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
      net.inject('c', 'r3', PBFT_KINDS.request, REQUEST2);
      net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST]));
      net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST]));
      expect(rejected()).toEqual([]);
      net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST2]));
      expect(r3.slots.get(1)!.pp!.d).toBe(D);
      if (auth === 'none') expect(rejected()).toEqual(['sequence 1 reused with another digest in view 0']);
      else expect(net.eventsOf('r3', 'pbft-detected').map((e) => [e.suspect, e.kind, e.phase])).toEqual([['r0', 'equivocation', 'pre-prepare']]);
    });
  }

  it('one for a later view, or for its own view before it is installed, waits (deferred), nothing else', () => {
    const { net, r3, rejected } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r1', 'r3', PBFT_KINDS.prePrepare, prePrepare('r1', 1, 1, [REQUEST]));
    expect(r3.future.map((f) => [f.from, f.kind])).toEqual([['r1', PBFT_KINDS.prePrepare]]);
    r3.active = false;
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [REQUEST]));
    expect(r3.future).toHaveLength(2);
    expect(r3.slots.size).toBe(0);
    expect(rejected()).toEqual([]);
  });

  it('a request in the batch must be vouched for: first-hand, or signed by its client; an unsigned unknown one waits for the client', () => {
    const { net, r3, rejected } = alone();
    // Signed by someone else than its client: refused.
    const forged = { ...REQUEST, sig: sig('r0', requestText('c', 1, 'incr k1')) };
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [forged]));
    expect(rejected()).toEqual(['request c#1#incr k1 is not signed by its client']);
    // Signed by its client: taken without the client's own copy.
    const signed = { ...REQUEST2, sig: sig('c', requestText('c', 2, 'incr k2')) };
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 2, [signed]));
    expect(r3.slots.get(2)?.pp?.batch).toEqual([signed]);
    // Unsigned and unknown: waits, then the client's copy arrives and it is taken.
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 3, [{ ...REQUEST, ts: 3 }]));
    expect(r3.slots.get(3)?.pp).toBeUndefined();
    expect([...r3.waitingForRequests.keys()]).toEqual([3]);
    net.inject('c', 'r3', PBFT_KINDS.request, { ...REQUEST, ts: 3 });
    expect(r3.waitingForRequests.size).toBe(0);
    expect(r3.slots.get(3)?.pp?.d).toBe(batchDigest([{ ...REQUEST, ts: 3 }]));
    expect(rejected()).toHaveLength(1);
  });
});

describe('PBFT prepare and commit: what counts', () => {
  const pp = prePrepare('r0', 0, 1, [REQUEST]);

  it('a prepare from the primary, one sent for another replica, or one signed by another are refused; none counts', () => {
    const { net, r3, rejected } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    net.inject('r0', 'r3', PBFT_KINDS.prepare, vote('P', 'r0', pp));
    net.inject('r2', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    net.inject('r1', 'r3', PBFT_KINDS.prepare, { ...vote('P', 'r1', pp), sig: sig('r2', phaseText('P', 0, 1, D, 'r1')) });
    net.inject('r1', 'r3', PBFT_KINDS.prepare, { ...vote('P', 'r1', pp), n: 0 });
    expect(rejected()).toEqual(['the primary does not prepare', 'signed for r1, sent by r2', 'bad signature', 'malformed']);
    expect(r3.slots.get(1)).toMatchObject({ prepared: false });
    expect([...r3.slots.get(1)!.prepares.get(D)!.keys()]).toEqual(['r3']);
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    expect(r3.slots.get(1)).toMatchObject({ prepared: true, committed: false });
    expect([...r3.preparedSlots.keys()]).toEqual([1]);
  });

  it('votes that arrive before the pre-prepare count once it comes; votes for another digest are judged, not counted', () => {
    const { net, r3 } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp, D2));
    net.inject('r2', 'r3', PBFT_KINDS.prepare, vote('P', 'r2', pp));
    expect(r3.slots.get(1)!.prepares.get(D2)?.size).toBe(1);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    // r2's early prepare and r3's own: prepared. r1's, for another digest, is dropped.
    expect(r3.slots.get(1)!.prepares.has(D2)).toBe(false);
    expect(r3.slots.get(1)).toMatchObject({ prepared: true });
    // After the pre-prepare, a prepare for another digest is not counted either.
    const other = alone();
    other.net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    other.net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    other.net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp, D2));
    expect(other.r3.slots.get(1)).toMatchObject({ prepared: false });
    expect(other.r3.slots.get(1)!.prepares.has(D2)).toBe(false);
  });

  it('commits alone do not commit: a quorum of commits needs the slot prepared first', () => {
    const { net, r3 } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    for (const i of ['r0', 'r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.commit, vote('C', i, pp));
    expect(r3.slots.get(1)).toMatchObject({ prepared: false, committed: false });
    expect(net.eventsOf('r3', 'pbft-committed')).toEqual([]);
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    expect(r3.slots.get(1)).toMatchObject({ prepared: true, committed: true });
    expect(net.eventsOf('r3', 'pbft-executed')).toEqual([{ type: 'pbft-executed', seq: 1, request: 'c#1#incr k1', result: '1' }]);
  });

  it('a vote for an earlier view is ignored; one for a later view waits', () => {
    const { net, r3, rejected } = alone();
    r3.view = 1;
    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', pp));
    expect(r3.slots.size).toBe(0);
    net.inject('r1', 'r3', PBFT_KINDS.commit, vote('C', 'r1', prePrepare('r2', 2, 1, [REQUEST])));
    expect(r3.future).toHaveLength(1);
    expect(rejected()).toEqual([]);
  });

  it('execution is in sequence order: a committed 2 waits for 1', () => {
    const { net, r3 } = alone();
    const pp2 = prePrepare('r0', 0, 2, [REQUEST2]);
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST2);
    for (const p of [pp2, pp]) net.inject('r0', 'r3', PBFT_KINDS.prePrepare, p);
    for (const p of [pp2, pp]) {
      net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', p));
      for (const i of ['r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.commit, vote('C', i, p));
      if (p === pp2) expect(r3.lastExecuted).toBe(0);
    }
    expect(net.eventsOf('r3', 'pbft-executed').map((e) => e.seq)).toEqual([1, 2]);
    expect(r3.lastExecuted).toBe(2);
  });
});

describe('PBFT votes as evidence', () => {
  const pp = prePrepare('r0', 0, 1, [REQUEST]);

  it('a replica signs its prepare as a prepare and its commit as a commit (others verify them as such in certificates and evidence)', () => {
    const { net, r3 } = alone();
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
    net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    expect(r3.slots.get(1)!.prepares.get(D)!.get('r3')).toEqual({ v: 0, n: 1, d: D, i: 'r3', ppSig: pp.sig, sig: sig('r3', phaseText('P', 0, 1, D, 'r3')) });
    expect(r3.slots.get(1)!.commits.get(D)!.get('r3')).toEqual({ v: 0, n: 1, d: D, i: 'r3', ppSig: pp.sig, sig: sig('r3', phaseText('C', 0, 1, D, 'r3')) });
  });

  for (const [phase, kind] of [
    ['P', PBFT_KINDS.prepare],
    ['C', PBFT_KINDS.commit],
  ] as const) {
    it(`two ${phase === 'P' ? 'prepares' : 'commits'} signed by one replica for two digests at one number: it is named, with its phase`, () => {
      const { net, r3 } = alone();
      const other = prePrepare('r0', 0, 1, [REQUEST2]);
      net.inject('r1', 'r3', kind, vote(phase, 'r1', pp));
      net.inject('r1', 'r3', kind, vote(phase, 'r1', other));
      expect(net.eventsOf('r3', 'pbft-detected').map((e) => [e.suspect, e.kind, e.phase])).toEqual([
        ['r1', 'equivocation', phase === 'P' ? 'prepare' : 'commit'],
      ]);
      expect([...r3.suspects]).toEqual(['r1']);
      // One replica's prepare and another's commit for two digests prove nothing.
      const fine = alone();
      fine.net.inject('r1', 'r3', kind, vote(phase, 'r1', pp));
      fine.net.inject('r2', 'r3', kind, vote(phase, 'r2', other));
      fine.net.inject('r1', 'r3', phase === 'P' ? PBFT_KINDS.commit : PBFT_KINDS.prepare, vote(phase === 'P' ? 'C' : 'P', 'r1', other));
      expect(fine.net.eventsOf('r3', 'pbft-detected')).toEqual([]);
    });
  }
});

describe('PBFT checkpoints: what a stable checkpoint moves and collects, and state transfer', () => {
  /** r3 with K = 2, window 4, holding prepared slots 1..3 (pre-prepare from r0, prepares from r1), nothing executed. */
  const withSlots = () => {
    const t = alone({ checkpointInterval: 2, logWindow: 4 });
    const pps = [REQUEST, REQUEST2, { ...REQUEST, ts: 3 }].map((r, k) => prePrepare('r0', 0, k + 1, [r]));
    for (const pp of pps) {
      t.net.inject('c', 'r3', PBFT_KINDS.request, pp.batch[0]);
      t.net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
      t.net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
    }
    expect([...t.r3.preparedSlots.keys()]).toEqual([1, 2, 3]);
    return t;
  };

  it('stable at 2: slots, certificates and bookkeeping at or below 2 go, 3 stays; the replica fetches the state it lacks', () => {
    const { net, r3 } = withSlots();
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 4, 'Y')); // kept: above the new low
    for (const i of ['r0', 'r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    expect(r3.low).toBe(2);
    expect([...r3.slots.keys()]).toEqual([3]);
    expect([...r3.preparedSlots.keys()]).toEqual([3]);
    expect([...r3.seen.keys()]).toEqual([3]);
    expect([...r3.checkpoints.keys()].sort()).toEqual([2, 4]);
    expect(r3.nextSeq).toBe(2);
    // Executed nothing: asks r0 (the first signer) for the state at 2, with a timer to ask the next.
    expect(r3.fetching).toBe(0);
    expect(net.timers.get('r3|fetch')).toEqual({ kind: PBFT_KINDS.fetchTimer });
    // Sequence numbers 3..6 are now in the window: 7 is not.
    expect(r3.inWindow(6) && !r3.inWindow(7) && !r3.inWindow(2)).toBe(true);
  });

  it('a checkpoint at or below the stable one is ignored, even with another digest', () => {
    const { net, r3, rejected } = withSlots();
    for (const i of ['r0', 'r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'Z'));
    expect(r3.stableProof.map((c) => c.d)).toEqual(['X', 'X', 'X']);
    expect(net.eventsOf('r3', 'pbft-checkpoint')).toHaveLength(1);
    expect(rejected()).toEqual([]);
  });

  it('state transfer: adopted only with a valid proof whose digest matches the state; then the replica executes on from there', () => {
    const { net, r3, rejected } = withSlots();
    for (const i of ['r0', 'r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    const ledger = new Ledger();
    ledger.execute('c', 1, 'incr k1');
    ledger.execute('c', 2, 'incr k2');
    const snapshot = ledger.snapshot();
    const d = digestOf(snapshot);
    const proof = ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, d));
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof: proof.slice(0, 2), snapshot });
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof: [proof[0], proof[1], proof[1]], snapshot });
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof: [proof[0], proof[1], checkpoint('r2', 2, 'other')], snapshot });
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof: [proof[0], proof[1], { ...proof[2], sig: sig('r1', checkpointText(2, d, 'r2')) }], snapshot });
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof: ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X')), snapshot });
    expect(rejected()).toEqual([...Array(4).fill('checkpoint proof does not hold'), 'state does not match its checkpoint digest']);
    expect(r3.lastExecuted).toBe(0);
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof, snapshot });
    expect(r3.lastExecuted).toBe(2);
    expect(net.eventsOf('r3', 'pbft-state-transfer')).toEqual([{ type: 'pbft-state-transfer', seq: 2, from: 'r1' }]);
    expect(net.timers.has('r3|fetch')).toBe(false);
    expect(r3.pending.size).toBe(1); // c#1 and c#2 came with the state; c#3 still waits
    // The same state again is old news.
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 2, proof, snapshot });
    expect(net.eventsOf('r3', 'pbft-state-transfer')).toHaveLength(1);
    // And 3 executes once committed.
    for (const i of ['r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.commit, vote('C', i, prePrepare('r0', 0, 3, [{ ...REQUEST, ts: 3 }])));
    expect(r3.lastExecuted).toBe(3);
  });
});

describe('PBFT checkpoints: the messages themselves', () => {
  it('a malformed checkpoint is refused as such, whatever field is wrong', () => {
    const good = checkpoint('r0', 2, 'X');
    const bad: unknown[] = [
      null,
      'K|2',
      { ...good, n: '2' },
      { ...good, n: 2.5 },
      { ...good, n: 0 },
      { ...good, n: -2 },
      { ...good, d: 7 },
      { ...good, i: 7 },
      { ...good, sig: 7 },
    ];
    const { net, r3, rejected } = alone({ checkpointInterval: 2 });
    for (const c of bad) net.inject('r0', 'r3', PBFT_KINDS.checkpoint, c);
    expect(rejected()).toEqual(bad.map(() => 'malformed'));
    expect(r3.checkpoints.size).toBe(0);
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, good);
    expect([...r3.checkpoints.get(2)!.keys()]).toEqual(['r0']);
  });

  it("a replica's first checkpoint at a number stands: one with another digest later does not replace it", () => {
    const { net, r3 } = alone({ checkpointInterval: 2 });
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'X'));
    net.inject('r0', 'r3', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'Y'));
    net.inject('r1', 'r3', PBFT_KINDS.checkpoint, checkpoint('r1', 2, 'Y'));
    net.inject('r2', 'r3', PBFT_KINDS.checkpoint, checkpoint('r2', 2, 'Y'));
    expect(r3.checkpoints.get(2)!.get('r0')!.d).toBe('X');
    expect(r3.low).toBe(0);
  });

  it('seven replicas (quorum 5): stable at 4 drops the checkpoints below it, and a late one at 4 is not recorded', () => {
    const seven = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const net = new Net({ replicas: seven, checkpointInterval: 2 }, ['r6']);
    const r6 = net.state('r6');
    net.inject('r0', 'r6', PBFT_KINDS.checkpoint, checkpoint('r0', 2, 'X'));
    for (const i of seven.slice(0, 4)) net.inject(i, 'r6', PBFT_KINDS.checkpoint, checkpoint(i, 4, 'Y'));
    expect(r6.low).toBe(0);
    net.inject('r4', 'r6', PBFT_KINDS.checkpoint, checkpoint('r4', 4, 'Y'));
    expect(r6.low).toBe(4);
    expect(r6.stableProof.map((c) => c.i)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect([...r6.checkpoints.keys()]).toEqual([4]);
    net.inject('r5', 'r6', PBFT_KINDS.checkpoint, checkpoint('r5', 4, 'Y'));
    net.inject('r5', 'r6', PBFT_KINDS.checkpoint, checkpoint('r5', 2, 'X'));
    expect(r6.checkpoints.get(4)!.size).toBe(5);
    expect(r6.checkpoints.has(2)).toBe(false);
    expect(net.eventsOf('r6', 'pbft-checkpoint')).toHaveLength(1);
  });

  it('the primary keeps numbering past a stable checkpoint below what it assigned, and a replica that executed that far fetches nothing', () => {
    // r0 (primary of view 0) alone with five requests, one per batch: it assigns 1..5 (the window is 8).
    const net = new Net({ replicas: REPLICAS, checkpointInterval: 2, logWindow: 8, maxBatch: 1 }, ['r0']);
    const r0 = net.state('r0');
    for (let ts = 1; ts <= 5; ts++) net.inject('c', 'r0', PBFT_KINDS.request, { ...REQUEST, ts });
    expect(r0.nextSeq).toBe(5);
    // Pretend r0 executed up to 2 (its own checkpoint's snapshot is what state transfer serves).
    r0.lastExecuted = 2;
    for (const i of ['r1', 'r2', 'r3']) net.inject(i, 'r0', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    expect(r0.low).toBe(2);
    expect(r0.nextSeq).toBe(5); // not 2: numbers 3..5 are taken
    expect(net.timers.has('r0|fetch')).toBe(false);
    expect(r0.fetching).toBe(-1);
  });
});

describe("PBFT view change: certificates, the new view's plan, and what a new view must carry", () => {
  const pp1 = prePrepare('r0', 0, 1, [REQUEST]);
  /** A checkpoint proof at 2 (digest 'X'). */
  const proof2 = ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X'));

  it("a certificate must be for an earlier view, above the view change's checkpoint, within its window, one per number", () => {
    const cases: [string, ViewChange, boolean][] = [
      ['control: a cert at 3 above a checkpoint at 2', viewChange('r2', 1, [cert(prePrepare('r0', 0, 3, [REQUEST]), ['r1', 'r2'])], 2, proof2), true],
      ['a cert of the view it asks for', viewChange('r2', 1, [cert(prePrepare('r1', 1, 1, [REQUEST]), ['r2', 'r3'])]), false],
      ['a cert at the checkpoint', viewChange('r2', 1, [cert(prePrepare('r0', 0, 2, [REQUEST]), ['r1', 'r2'])], 2, proof2), false],
      ['a cert beyond the window (2 + 256)', viewChange('r2', 1, [cert(prePrepare('r0', 0, 259, [REQUEST]), ['r1', 'r2'])], 2, proof2), false],
      ["a cert at the window's edge (2 + 256)", viewChange('r2', 1, [cert(prePrepare('r0', 0, 258, [REQUEST]), ['r1', 'r2'])], 2, proof2), true],
      ['two certs at one number', viewChange('r2', 1, [cert(pp1, ['r1', 'r2']), cert(pp1, ['r1', 'r3'])]), false],
      ['a checkpoint proof for no checkpoint', viewChange('r2', 1, [], 0, proof2), false],
      ['a checkpoint without its proof', viewChange('r2', 1, [], 2, proof2.slice(0, 2)), false],
      ['a request in the batch that is not one', viewChange('r2', 1, [cert(prePrepare('r0', 0, 1, [{ ...REQUEST, ts: 0 }]), ['r1', 'r2'])]), false],
      ['signed by another replica', { ...viewChange('r2', 1, []), sig: sig('r1', viewChangeText(1, 0, [], 'r2')) }, false],
    ];
    for (const [name, vc, ok] of cases) {
      const { net, r3 } = alone();
      net.inject('r2', 'r3', PBFT_KINDS.viewChange, vc);
      expect([name, r3.viewChanges.get(1)?.has('r2') ?? false]).toEqual([name, ok]);
    }
  });

  /** r3 waiting, inactive, for the new view of `v` (its primary: r{v}). */
  const waiting = (v: number, props: Record<string, unknown> = {}) => {
    const t = alone(props);
    t.r3.view = v;
    t.r3.active = false;
    return t;
  };
  const newView = (v: number, vcs: ViewChange[], pps: PrePrepare[], primary = `r${v}`) => ({
    v,
    viewChanges: vcs,
    prePrepares: pps,
    sig: sig(primary, newViewText(v, vcs, pps)),
  });

  it('the plan: per number the request prepared in the highest view, the null request in a gap, nothing at or below the highest checkpoint', () => {
    // View 2: r0's certificate for D at 1 (view 0), r1's for D2 at 1 (view 1) and for D at 4 (view 1); r3's checkpoint is 0.
    const d2At1 = prePrepare('r1', 1, 1, [REQUEST2]);
    const dAt4 = prePrepare('r1', 1, 4, [REQUEST]);
    const vcs = [
      viewChange('r0', 2, [cert(pp1, ['r1', 'r2'])]),
      viewChange('r1', 2, [cert(d2At1, ['r2', 'r3']), cert(dAt4, ['r2', 'r3'])]),
      viewChange('r3', 2, []),
    ];
    const plan = [prePrepare('r2', 2, 1, [REQUEST2]), prePrepare('r2', 2, 2, []), prePrepare('r2', 2, 3, []), prePrepare('r2', 2, 4, [REQUEST])];
    const wrong: PrePrepare[][] = [
      [prePrepare('r2', 2, 1, [REQUEST]), ...plan.slice(1)], // the lower view's request
      plan.slice(0, 3), // the top one left out
      [...plan.slice(0, 3), prePrepare('r2', 2, 4, [])], // the top one nulled
    ];
    for (const pps of wrong) {
      const { net, r3, rejected } = waiting(2);
      net.inject('r2', 'r3', PBFT_KINDS.newView, newView(2, vcs, pps));
      expect(r3.active).toBe(false);
      expect(rejected()).toEqual(['its pre-prepares do not follow from its view changes']);
    }
    const { net, r3, rejected } = waiting(2);
    net.inject('r2', 'r3', PBFT_KINDS.newView, newView(2, vcs, plan));
    expect(rejected()).toEqual([]);
    expect(r3).toMatchObject({ view: 2, active: true, nextSeq: 4 });
    expect([...r3.slots].map(([n, s]) => [n, s.v, s.pp?.d])).toEqual([
      [1, 2, D2],
      [2, 2, NULL],
      [3, 2, NULL],
      [4, 2, D],
    ]);
    expect(net.eventsOf('r3', 'pbft-view')).toEqual([{ type: 'pbft-view', view: 2, primary: 'r2' }]);

    // A checkpoint at 2 in one view change: the plan starts at 3, and the replica adopts the checkpoint.
    const withCheckpoint = [
      viewChange('r0', 2, [cert(pp1, ['r1', 'r2'])]),
      viewChange('r1', 2, [cert(dAt4, ['r2', 'r3'])], 2, proof2),
      viewChange('r3', 2, []),
    ];
    const later = waiting(2);
    later.net.inject('r2', 'r3', PBFT_KINDS.newView, newView(2, withCheckpoint, [prePrepare('r2', 2, 3, []), prePrepare('r2', 2, 4, [REQUEST])]));
    expect(later.rejected()).toEqual([]);
    expect(later.r3).toMatchObject({ view: 2, active: true, low: 2, nextSeq: 4 });
    expect([...later.r3.slots.keys()]).toEqual([3, 4]);
  });

  it('a new view needs a quorum of valid view changes for its view from distinct replicas, signed by its primary', () => {
    const vc = (i: string, v = 1) => viewChange(i, v, []);
    const cases: [string, ReturnType<typeof newView>, string][] = [
      ['two view changes', newView(1, [vc('r0'), vc('r2')], []), '2 view changes, 3 needed'],
      ['one replica twice', newView(1, [vc('r0'), vc('r2'), vc('r2')], []), 'a view change in it does not hold up'],
      ['a view change for another view', newView(1, [vc('r0'), vc('r2'), vc('r3', 2)], []), 'a view change in it does not hold up'],
      ['a view change from a stranger', newView(1, [vc('r0'), vc('r2'), vc('x')], []), 'a view change in it does not hold up'],
      ['not signed by the primary', newView(1, [vc('r0'), vc('r2'), vc('r3')], [], 'r2'), 'not signed by the primary of view 1 (r1)'],
    ];
    for (const [name, nv, reason] of cases) {
      const { net, r3, rejected } = waiting(1);
      net.inject('r1', 'r3', PBFT_KINDS.newView, nv);
      expect([name, rejected(), r3.active]).toEqual([name, [reason], false]);
    }
    const { net, r3, rejected } = waiting(1);
    net.inject('r1', 'r3', PBFT_KINDS.newView, newView(1, [vc('r0'), vc('r2'), vc('r3')], []));
    expect(rejected()).toEqual([]);
    expect(r3).toMatchObject({ view: 1, active: true });
  });

  it('unsigned runs take a new view first-hand only; signed ones from any replica, for a view not behind', () => {
    const vcs = ['r0', 'r2', 'r3'].map((i) => viewChange(i, 1, []));
    const unsigned = waiting(1, { auth: 'none' });
    unsigned.net.inject('r2', 'r3', PBFT_KINDS.newView, newView(1, vcs, []));
    expect(unsigned.rejected()).toEqual(['not from the primary of view 1 (unsigned messages are taken first-hand only)']);
    expect(unsigned.r3.active).toBe(false);
    const signed = waiting(1);
    signed.net.inject('r2', 'r3', PBFT_KINDS.newView, newView(1, vcs, []));
    expect(signed.r3).toMatchObject({ view: 1, active: true });
    // A new view for view 1 reaching a replica waiting for view 2: ignored, silently.
    const ahead = waiting(2);
    ahead.net.inject('r1', 'r3', PBFT_KINDS.newView, newView(1, vcs, []));
    expect(ahead.r3).toMatchObject({ view: 2, active: false });
    expect(ahead.rejected()).toEqual([]);
    // One for a later view than the replica waits for is checked and installed (it jumps ahead).
    const jump = waiting(1);
    const vcs2 = ['r0', 'r1', 'r3'].map((i) => viewChange(i, 2, []));
    jump.net.inject('r2', 'r3', PBFT_KINDS.newView, newView(2, vcs2, []));
    expect(jump.r3).toMatchObject({ view: 2, active: true });
  });

  it("a replica's own view change carries a certificate for what it prepared above its checkpoint, sorted, with prepareQuorum prepares", () => {
    const { net, r3 } = alone();
    const pp2 = prePrepare('r0', 0, 2, [REQUEST2]);
    for (const [req, pp] of [
      [REQUEST2, pp2],
      [REQUEST, pp1],
    ] as const) {
      net.inject('c', 'r3', PBFT_KINDS.request, req);
      net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
      net.inject('r1', 'r3', PBFT_KINDS.prepare, vote('P', 'r1', pp));
      net.inject('r2', 'r3', PBFT_KINDS.prepare, vote('P', 'r2', pp));
    }
    net.now = 100;
    net.fire('r3', 'request');
    const mine = r3.ownViewChanges.get(1)!;
    expect(mine.prepared.map((c) => [c.pp.n, c.pp.d, c.prepares.map((p) => p.i)])).toEqual([
      [1, D, ['r3', 'r1']],
      [2, D2, ['r3', 'r1']],
    ]);
    expect(net.eventsOf('r3', 'pbft-view-change')).toEqual([{ type: 'pbft-view-change', view: 1, reason: expect.any(String) }]);
  });
});

describe('PBFT preparedCerts: which prepared slots a view change carries', () => {
  it('only those above the stable checkpoint, below `below`, with a pre-prepare; each with its prepares (none when it has none for the digest)', () => {
    const { net, r3 } = alone();
    const pps = [1, 2, 3, 4].map((n) => prePrepare('r0', 0, n, [{ ...REQUEST, ts: n }]));
    for (const pp of pps) {
      net.inject('c', 'r3', PBFT_KINDS.request, pp.batch[0]);
      net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp);
      for (const b of ['r1', 'r2']) net.inject(b, 'r3', PBFT_KINDS.prepare, vote('P', b, pp));
    }
    expect([...r3.preparedSlots.keys()]).toEqual([1, 2, 3, 4]);
    const certs = (below?: number) => preparedCerts(r3, below).map((c) => [c.pp.n, c.prepares.map((p) => p.i)]);
    expect(certs()).toEqual([
      [1, ['r3', 'r1']],
      [2, ['r3', 'r1']],
      [3, ['r3', 'r1']],
      [4, ['r3', 'r1']],
    ]);
    // At the stable checkpoint (low = 1) and from `below` (3) on: not carried.
    r3.low = 1;
    expect(certs(3)).toEqual([[2, ['r3', 'r1']]]);
    // A slot without a pre-prepare is skipped; one whose prepares are for another digest carries none.
    const slot2 = r3.preparedSlots.get(2)!;
    r3.preparedSlots.set(2, Object.assign(Object.create(Object.getPrototypeOf(slot2)), slot2, { pp: undefined }));
    const slot4 = r3.preparedSlots.get(4)!;
    r3.preparedSlots.set(4, Object.assign(Object.create(Object.getPrototypeOf(slot4)), slot4, { prepares: new Map() }));
    expect(certs()).toEqual([
      [3, ['r3', 'r1']],
      [4, []],
    ]);
  });
});

describe('PBFT, more edges of checkpoints, state transfer and the view change', () => {
  const pp1 = () => prePrepare('r0', 0, 1, [REQUEST]);

  it('a stable checkpoint also drops older snapshots and pre-prepares still waiting for a request at or below it', () => {
    const { net, r3 } = alone({ checkpointInterval: 2, logWindow: 8 });
    const snap = { values: [], clients: [] };
    r3.snapshots.set(2, snap).set(4, snap);
    for (const n of [1, 3, 5]) net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, n, [{ ...REQUEST, ts: 10 + n }]));
    expect([...r3.waitingForRequests.keys()]).toEqual([1, 3, 5]);
    for (const i of ['r0', 'r1', 'r2']) net.inject(i, 'r3', PBFT_KINDS.checkpoint, checkpoint(i, 4, 'X'));
    expect(r3.low).toBe(4);
    expect([...r3.snapshots.keys()]).toEqual([4]);
    expect([...r3.waitingForRequests.keys()]).toEqual([5]);
  });

  it('after a stable checkpoint the primary proposes what the old window held back; a backup never proposes', () => {
    const props = { replicas: REPLICAS, checkpointInterval: 2, logWindow: 4, maxBatch: 1 };
    const [primary, backup] = [new Net(props, ['r0']), new Net(props, ['r3'])];
    for (let ts = 1; ts <= 6; ts++) primary.inject('c', 'r0', PBFT_KINDS.request, { ...REQUEST, ts });
    backup.inject('c', 'r3', PBFT_KINDS.request, { ...REQUEST, ts: 9 });
    const [r0, r3] = [primary.state('r0'), backup.state('r3')];
    expect(r0.nextSeq).toBe(4); // the window: 1..4
    r0.lastExecuted = 2;
    r3.lastExecuted = 2;
    for (const i of ['r1', 'r2', 'r3']) primary.inject(i, 'r0', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    for (const i of ['r0', 'r1', 'r2']) backup.inject(i, 'r3', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    expect([r0.low, r3.low]).toEqual([2, 2]);
    expect(r0.nextSeq).toBe(6);
    expect(r3.nextSeq).toBe(2);
    expect(r3.slots.size).toBe(0);
    // Out of its view (waiting for a new one), the primary does not propose either.
    const idle = new Net({ replicas: REPLICAS, checkpointInterval: 2, logWindow: 4, maxBatch: 1 }, ['r0']);
    for (let ts = 1; ts <= 6; ts++) idle.inject('c', 'r0', PBFT_KINDS.request, { ...REQUEST, ts });
    idle.state('r0').lastExecuted = 2;
    idle.state('r0').active = false;
    for (const i of ['r1', 'r2', 'r3']) idle.inject(i, 'r0', PBFT_KINDS.checkpoint, checkpoint(i, 2, 'X'));
    expect(idle.state('r0').nextSeq).toBe(4);
  });

  it('state transfer: bodies that are not a state are ignored; a state that cannot be restored is refused; a later state moves the checkpoint', () => {
    const { net, r3, rejected } = alone({ checkpointInterval: 2 });
    const ledger = new Ledger();
    ledger.execute('c', 1, 'incr k1');
    const snapshot = ledger.snapshot();
    const proofAt = (n: number, d: string) => ['r0', 'r1', 'r2'].map((i) => checkpoint(i, n, d));
    for (const body of [
      null,
      { n: '4', proof: proofAt(4, digestOf(snapshot)), snapshot },
      { n: 4, proof: 'p', snapshot },
      { n: 4, proof: proofAt(4, digestOf(snapshot)), snapshot: null },
      { n: 4, proof: proofAt(4, digestOf(snapshot)), snapshot: 'x' },
    ]) {
      net.inject('r1', 'r3', PBFT_KINDS.state, body);
    }
    expect(rejected()).toEqual([]);
    const broken = { values: 5, clients: 5 };
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 4, proof: proofAt(4, digestOf(broken as never)), snapshot: broken });
    expect(rejected()).toEqual(['malformed state']);
    expect(r3.lastExecuted).toBe(0);
    // A malformed checkpoint, or one for another number, in the proof.
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 4, proof: [...proofAt(4, digestOf(snapshot)).slice(0, 2), { n: 4 }], snapshot });
    net.inject('r1', 'r3', PBFT_KINDS.state, {
      n: 4,
      proof: [...proofAt(4, digestOf(snapshot)).slice(0, 2), checkpoint('r2', 6, digestOf(snapshot))],
      snapshot,
    });
    net.inject('r1', 'r3', PBFT_KINDS.state, {
      n: 4,
      proof: [...proofAt(4, digestOf(snapshot)).slice(0, 2), checkpoint('x', 4, digestOf(snapshot))],
      snapshot,
    });
    expect(rejected().slice(1)).toEqual(Array(3).fill('checkpoint proof does not hold'));
    net.inject('r1', 'r3', PBFT_KINDS.state, { n: 4, proof: proofAt(4, digestOf(snapshot)), snapshot });
    expect(r3).toMatchObject({ lastExecuted: 4, low: 4 });
    expect(r3.stableProof.map((c) => c.i)).toEqual(['r0', 'r1', 'r2']);
  });

  const waiting = (v: number) => {
    const t = alone();
    t.r3.view = v;
    t.r3.active = false;
    return t;
  };
  const newView = (v: number, vcs: ViewChange[], pps: PrePrepare[]) => ({ v, viewChanges: vcs, prePrepares: pps, sig: sig(`r${v}`, newViewText(v, vcs, pps)) });

  it("the plan takes the highest view's request whatever the order of the view changes", () => {
    const d2At1 = prePrepare('r1', 1, 1, [REQUEST2]);
    const vcs = [viewChange('r1', 2, [cert(d2At1, ['r2', 'r3'])]), viewChange('r0', 2, [cert(pp1(), ['r1', 'r2'])]), viewChange('r3', 2, [])];
    const { net, r3, rejected } = waiting(2);
    net.inject('r2', 'r3', PBFT_KINDS.newView, newView(2, vcs, [prePrepare('r2', 2, 1, [REQUEST2])]));
    expect(rejected()).toEqual([]);
    expect(r3.slots.get(1)?.pp?.d).toBe(D2);
  });

  it('installing a view drops the slots of earlier views, arms the request timer for what is pending, fetches a state it lacks', () => {
    const { net, r3 } = alone({ checkpointInterval: 2 });
    net.inject('c', 'r3', PBFT_KINDS.request, REQUEST);
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp1());
    expect(r3.slots.get(1)?.v).toBe(0);
    r3.view = 1;
    r3.active = false;
    net.timers.clear();
    const vcs = [
      viewChange('r0', 1, []),
      viewChange(
        'r2',
        1,
        [],
        2,
        ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X')),
      ),
      viewChange('r3', 1, []),
    ];
    net.inject('r1', 'r3', PBFT_KINDS.newView, newView(1, vcs, []));
    expect(r3).toMatchObject({ view: 1, active: true, low: 2 });
    expect(r3.slots.size).toBe(0);
    expect(net.timers.get('r3|request')).toEqual({ kind: PBFT_KINDS.requestTimer });
    expect(net.timers.get('r3|fetch')).toEqual({ kind: PBFT_KINDS.fetchTimer });
  });

  it('a certificate that is not an object, whose prepares are for another number or view, from a stranger, or whose batch holds a non-request, is refused', () => {
    const pp = pp1();
    const cases: [string, unknown[]][] = [
      ['prepares not a list', [{ pp, prepares: 'x' }]],
      ['a prepare for another number', [{ pp, prepares: [vote('P', 'r1', pp), vote('P', 'r2', prePrepare('r0', 0, 2, [REQUEST]))] }]],
      [
        'a prepare for another view',
        [{ pp, prepares: [vote('P', 'r1', pp), { ...vote('P', 'r2', pp), v: 1, sig: sig('r2', phaseText('P', 1, 1, D, 'r2')) }] }],
      ],
      ['a prepare from a stranger', [{ pp, prepares: [vote('P', 'r1', pp), vote('P', 'x', pp)] }]],
      ['a malformed prepare', [{ pp, prepares: [vote('P', 'r1', pp), { ...vote('P', 'r2', pp), i: 7 }] }]],
      ['a batch with a non-request', [cert(prePrepare('r0', 0, 1, [REQUEST, { ...REQUEST2, ts: -1 }]), ['r1', 'r2'])]],
      ['a batch not matching its digest', [{ pp: { ...pp, batch: [REQUEST2] }, prepares: [vote('P', 'r1', pp), vote('P', 'r2', pp)] }]],
    ];
    for (const [name, prepared] of cases) {
      const { net, r3 } = alone();
      net.inject('r2', 'r3', PBFT_KINDS.viewChange, viewChange('r2', 1, prepared as PreparedCert[]));
      expect([name, r3.viewChanges.get(1)?.has('r2') ?? false]).toEqual([name, false]);
    }
    // And a view change from a stranger, even well signed.
    const { net, r3 } = alone();
    net.inject('x', 'r3', PBFT_KINDS.viewChange, viewChange('x', 1, []));
    expect(r3.viewChanges.get(1)?.has('x') ?? false).toBe(false);
  });

  it('a view change whose certificates are not certificates is refused as malformed (it threw a TypeError in the handler before)', () => {
    for (const prepared of [[null], [{ pp: null, prepares: [] }], [{ pp: { v: 0 }, prepares: [] }], ['x']]) {
      const { net, r3, rejected } = alone();
      expect(() => net.inject('r2', 'r3', PBFT_KINDS.viewChange, { v: 1, n: 0, proof: [], prepared, i: 'r2', sig: 'x' })).not.toThrow();
      expect(rejected()).toEqual(['malformed']);
      expect(r3.viewChanges.size).toBe(0);
    }
    // Inside a new view too.
    const { net, rejected } = waiting(1);
    const vcs = [viewChange('r0', 1, []), viewChange('r2', 1, []), { v: 1, n: 0, proof: [], prepared: [null], i: 'r3', sig: 'x' } as unknown as ViewChange];
    expect(() =>
      net.inject('r1', 'r3', PBFT_KINDS.newView, { v: 1, viewChanges: vcs, prePrepares: [], sig: sig('r1', `NV|1|r0:${vcs[0].sig}|r2:${vcs[1].sig}|r3:x`) }),
    ).not.toThrow();
    expect(rejected()).toEqual(['a view change in it does not hold up']);
  });

  it('a malformed new view is refused as such', () => {
    const { net, r3, rejected } = waiting(1);
    for (const body of [null, { v: 1, viewChanges: [], prePrepares: [], sig: '' }, { v: 0, viewChanges: [viewChange('r0', 1, [])], prePrepares: [], sig: '' }])
      net.inject('r1', 'r3', PBFT_KINDS.newView, body);
    expect(rejected()).toEqual(['malformed', 'malformed', 'malformed']);
    expect(r3.active).toBe(false);
  });

  it('a pre-prepare whose batch holds a malformed request is refused by name', () => {
    const { net, rejected } = alone();
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, prePrepare('r0', 0, 1, [{ ...REQUEST, op: 7 } as unknown as PbftRequest]));
    expect(rejected()).toEqual(['malformed request in the batch']);
  });

  it('a pre-prepare carrying a request this replica executed already does not make it pending again', () => {
    const { net, r3 } = alone();
    r3.ledger.execute('c', 1, 'incr k1');
    net.inject('r0', 'r3', PBFT_KINDS.prePrepare, pp1());
    expect(r3.slots.get(1)?.pp?.d).toBe(D);
    expect(r3.pending.size).toBe(0);
    expect(net.timers.has('r3|request')).toBe(false);
  });
});
