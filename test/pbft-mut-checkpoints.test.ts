import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import { type Checkpoint, PBFT_KINDS, type PbftProps, type PrePrepare, batchDigest } from '../src/protocols/pbft/index.ts';
import { fetchState, makeStable, onCheckpoint, onFetchState, takeCheckpoint, validProof } from '../src/protocols/pbft/checkpoints.ts';
import { digestOf } from '../src/protocols/pbft/ledger.ts';
import { checkpointText, prePrepareText, resolvePbftProps } from '../src/protocols/pbft/messages.ts';
import { PbftReplicaState } from '../src/protocols/pbft/pbft-state.ts';
import { handReplica, REPLICAS, sig } from './fixtures/pbft-hand-replica.ts';

/**
 * PBFT checkpoints one handler call at a time, for what test/pbft-handlers.test.ts does not
 * reach (found by mutation testing of the whole of checkpoints.ts, see test/MUTATION.md): the
 * checkpoint a replica takes of its own state, whom it asks for a state it lacks (and the next
 * one on each retry), what it serves to a replica that asks, and the boundaries of what a stable
 * checkpoint drops. A replica's state is built by hand and its handlers called directly with a
 * context that records every send, timer and event.
 */
const checkpoint = (i: string, n: number, d: string): Checkpoint => ({ n, d, i, sig: sig(i, checkpointText(n, d, i)) });

const replica = (self = 'r3', props: Partial<PbftProps> = {}) => {
  const r = handReplica(self, { checkpointInterval: 2, logWindow: 8, ...props });
  return { ...r, rejected: () => r.rejected().map((x) => x[2]) };
};

describe('PBFT takeCheckpoint: a replica checkpoints its own state', () => {
  it('keeps the snapshot, records its own signed checkpoint, sends it to the others', () => {
    const { s, ctx, sent } = replica('r3');
    s.ledger.execute('c', 1, 'incr k1');
    s.ledger.execute('c', 2, 'incr k1');
    const snapshot = s.ledger.snapshot();
    const d = digestOf(snapshot);
    takeCheckpoint(s, ctx, 2);
    expect(s.snapshots.get(2)).toEqual(snapshot);
    const own = checkpoint('r3', 2, d);
    expect(s.checkpoints.get(2)?.get('r3')).toEqual(own);
    expect(sent).toEqual(['r0', 'r1', 'r2'].map((to) => ({ to, kind: PBFT_KINDS.checkpoint, body: own })));
    expect(s.low).toBe(0); // one of a quorum of 3
  });

  it('its own checkpoint completes a quorum of two matching ones already in: stable', () => {
    const { s, ctx, events } = replica('r3');
    s.lastExecuted = 2;
    const d = digestOf(s.ledger.snapshot());
    for (const i of ['r0', 'r1']) onCheckpoint(s, ctx, i, checkpoint(i, 2, d));
    expect(s.low).toBe(0);
    takeCheckpoint(s, ctx, 2);
    expect(s.low).toBe(2);
    expect(s.stableProof.map((c) => c.i)).toEqual(['r0', 'r1', 'r3']);
    expect(events.filter((e) => e.type === 'pbft-checkpoint')).toEqual([{ type: 'pbft-checkpoint', seq: 2, digest: d }]);
  });
});

describe('PBFT fetchState: whom a lagging replica asks', () => {
  const proof = ['r0', 'r3', 'r1', 'r2'].map((i) => checkpoint(i, 4, 'X'));

  it('a signer of the stable checkpoint other than itself and the proven faulty, the next one on each retry, round', () => {
    const { s, ctx, sent, timers } = replica('r3', { viewChangeTimeoutMs: 120 });
    s.low = 4;
    s.stableProof = proof;
    s.suspects.add('r1');
    fetchState(s, ctx);
    fetchState(s, ctx);
    fetchState(s, ctx);
    expect(sent).toEqual(['r0', 'r2', 'r0'].map((to) => ({ to, kind: PBFT_KINDS.fetchState, body: { n: 4 } })));
    expect(s.fetching).toBe(0);
    expect(timers.get('fetch')).toEqual({ ms: 120, kind: PBFT_KINDS.fetchTimer });
  });

  it('with every signer itself or proven faulty it asks nobody and arms no timer', () => {
    const { s, ctx, sent, timers } = replica('r3');
    s.low = 4;
    s.stableProof = [checkpoint('r3', 4, 'X'), checkpoint('r1', 4, 'X')];
    s.suspects.add('r1');
    fetchState(s, ctx);
    expect(sent).toEqual([]);
    expect(timers.size).toBe(0);
    expect(s.fetching).toBe(-1);
  });

  it('a stable checkpoint above what the replica executed makes it ask; one it executed past does not', () => {
    const behind = replica('r3');
    makeStable(
      behind.s,
      behind.ctx,
      2,
      ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X')),
    );
    expect(behind.sent).toEqual([{ to: 'r0', kind: PBFT_KINDS.fetchState, body: { n: 2 } }]);
    const atIt = replica('r3');
    atIt.s.lastExecuted = 2;
    makeStable(
      atIt.s,
      atIt.ctx,
      2,
      ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X')),
    );
    expect(atIt.sent).toEqual([]);
    expect(atIt.timers.size).toBe(0);
  });
});

describe('PBFT onFetchState: what a replica serves', () => {
  const holding = () => {
    const t = replica('r3');
    t.s.ledger.execute('c', 1, 'incr k1');
    const snapshot = t.s.ledger.snapshot();
    t.s.low = 4;
    t.s.stableProof = ['r0', 'r1', 'r3'].map((i) => checkpoint(i, 4, digestOf(snapshot)));
    t.s.snapshots.set(4, snapshot);
    return { ...t, snapshot };
  };

  it('its stable checkpoint with its proof, to the asker, for the number asked or an earlier one', () => {
    for (const n of [4, 2, 0]) {
      const { s, ctx, sent, snapshot } = holding();
      onFetchState(s, ctx, 'r1', { n });
      expect(sent).toEqual([{ to: 'r1', kind: PBFT_KINDS.state, body: { n: 4, proof: s.stableProof, snapshot } }]);
    }
  });

  it('nothing for a later number than its stable checkpoint, a body without a number, or without the snapshot', () => {
    const later = holding();
    onFetchState(later.s, later.ctx, 'r1', { n: 6 });
    expect(later.sent).toEqual([]);
    for (const body of [{}, { n: '4' }, null, undefined]) {
      const t = holding();
      onFetchState(t.s, t.ctx, 'r1', body as { n?: unknown });
      expect(t.sent).toEqual([]);
    }
    const none = holding();
    none.s.snapshots.clear();
    onFetchState(none.s, none.ctx, 'r1', { n: 4 });
    expect(none.sent).toEqual([]);
  });
});

describe('PBFT checkpoints: boundaries', () => {
  it('a stable checkpoint drops a pre-prepare waiting for a request at its own number, keeps one above it', () => {
    const { s, ctx } = replica('r3');
    const pp = (n: number): PrePrepare => {
      const batch = [{ client: 'c', ts: n, op: 'x', sig: '' }];
      const d = batchDigest(batch);
      return { v: 0, n, d, batch, sig: sig('r0', prePrepareText(0, n, d)) };
    };
    s.waitingForRequests.set(2, { from: 'r0', pp: pp(2) });
    s.waitingForRequests.set(3, { from: 'r0', pp: pp(3) });
    makeStable(
      s,
      ctx,
      2,
      ['r0', 'r1', 'r2'].map((i) => checkpoint(i, 2, 'X')),
    );
    expect([...s.waitingForRequests.keys()]).toEqual([3]);
  });

  it('a checkpoint that is not there at all (undefined) is malformed, not a crash', () => {
    const { s, ctx, rejected } = replica('r3');
    onCheckpoint(s, ctx, 'r0', undefined as unknown as Checkpoint);
    expect(rejected()).toEqual(['malformed']);
    expect(validProof(s, ctx, 2, [undefined, undefined, undefined])).toBe(false);
  });
});
