import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import { batchDigest, type NewView, PBFT_KINDS, type PbftProps, type PbftRequest, type PhaseVote, type ViewChange } from '../src/protocols/pbft/index.ts';
import { type PbftReplicaState, pbftReplica } from '../src/protocols/pbft/pbft-replica.ts';
import { handReplica, REPLICAS } from './fixtures/pbft-hand-replica.ts';

/**
 * The replica's behaviour (`pbft-replica.ts`) one envelope at a time: `init`, which handler each
 * kind reaches (each handler's own first refusal tells them apart), who may send what (its own
 * timers, a suspect, a client, a stranger), and the replay of messages kept for a later view.
 * Found by mutation testing (test/MUTATION.md); the handlers themselves have their own tests.
 * Unsigned runs (`auth: 'none'`): the replica's signatures are not the point here.
 */
const REQUEST: PbftRequest = { client: 'c', ts: 1, op: 'incr k1', sig: '' };
const D = batchDigest([REQUEST]);

const replica = (props: Partial<PbftProps> = { auth: 'none' }) => {
  const h = handReplica('r3', props);
  let ids = 0;
  const deliver = (from: string, kind: string, body: unknown) => {
    const env: Envelope = { id: ++ids, from, to: 'r3', kind, body, corr: undefined, re: undefined };
    pbftReplica.receive(h.s as never, env, h.ctx);
  };
  return { ...h, deliver };
};

const viewChange = (i: string, v: number): ViewChange => ({ v, n: 0, proof: [], prepared: [], i, sig: '' });
const commit = (i: string, v: number, n: number, d: string): PhaseVote => ({ v, n, d, i, ppSig: '', sig: '' });

describe('pbftReplica.init', () => {
  it('builds the state of its own id from its props, resolved', () => {
    const h = handReplica('r2', { auth: 'none', checkpointInterval: 8 });
    const s = pbftReplica.init(h.ctx) as unknown as PbftReplicaState;
    expect(s.self).toBe('r2');
    expect(s.props).toMatchObject({ replicas: REPLICAS, n: 4, f: 1, quorum: 3, checkpointInterval: 8, logWindow: 32, signed: false });
    expect(s.view).toBe(0);
  });
});

describe('which handler each kind reaches', () => {
  it('every replica kind goes to its own handler (their first refusals tell them apart)', () => {
    const h = replica();
    h.deliver('r0', PBFT_KINDS.prePrepare, {});
    h.deliver('r1', PBFT_KINDS.prepare, {});
    h.deliver('r2', PBFT_KINDS.commit, {});
    h.deliver('r1', PBFT_KINDS.checkpoint, {});
    h.deliver('r1', PBFT_KINDS.viewChange, {});
    h.deliver('r1', PBFT_KINDS.newView, {});
    h.deliver('r1', PBFT_KINDS.evidence, {});
    h.deliver('r1', PBFT_KINDS.state, { n: 64, proof: [], snapshot: {} });
    h.deliver('r1', PBFT_KINDS.reply, {});
    h.deliver('r1', 'hello', {});
    expect(h.rejected()).toEqual([
      ['r0', PBFT_KINDS.prePrepare, 'malformed pre-prepare'],
      ['r1', PBFT_KINDS.prepare, 'malformed'],
      ['r2', PBFT_KINDS.commit, 'malformed'],
      ['r1', PBFT_KINDS.checkpoint, 'malformed'],
      ['r1', PBFT_KINDS.viewChange, 'malformed'],
      ['r1', PBFT_KINDS.newView, 'malformed'],
      ['r1', PBFT_KINDS.evidence, 'malformed'],
      ['r1', PBFT_KINDS.state, 'checkpoint proof does not hold'],
      ['r1', PBFT_KINDS.reply, 'unknown message kind'],
      ['r1', 'hello', 'unknown message kind'],
    ]);
    expect(h.sent).toEqual([]);
  });

  it('a prepare and a commit are counted as what they are', () => {
    const h = replica();
    h.deliver('r1', PBFT_KINDS.prepare, commit('r1', 0, 1, D));
    h.deliver('r2', PBFT_KINDS.commit, commit('r2', 0, 1, D));
    const slot = h.s.slots.get(1)!;
    expect([...(slot.prepares.get(D)?.keys() ?? [])]).toEqual(['r1']);
    expect([...(slot.commits.get(D)?.keys() ?? [])]).toEqual(['r2']);
    expect(h.rejected()).toEqual([]);
  });

  it('a fetch-state is answered with the stable checkpoint it asks for', () => {
    const h = replica();
    const snapshot = h.s.ledger.snapshot();
    h.s.snapshots.set(0, snapshot);
    h.deliver('r1', PBFT_KINDS.fetchState, { n: 0 });
    expect(h.sent).toEqual([{ to: 'r1', kind: PBFT_KINDS.state, body: { n: 0, proof: [], snapshot } }]);
    expect(h.rejected()).toEqual([]);
  });

  it('a request is taken from a client, which is no replica', () => {
    const h = replica();
    h.deliver('c', PBFT_KINDS.request, REQUEST);
    expect(h.s.pending.size).toBe(1);
    expect(h.s.unassigned.size).toBe(1);
    h.deliver('c', PBFT_KINDS.request, {});
    expect(h.rejected()).toEqual([['c', PBFT_KINDS.request, 'malformed request']]);
  });

  it('anything else from a stranger is refused as not a replica', () => {
    const h = replica();
    h.deliver('c', PBFT_KINDS.prepare, commit('c', 0, 1, D));
    h.deliver('c', PBFT_KINDS.viewChange, viewChange('c', 1));
    expect(h.rejected()).toEqual([
      ['c', PBFT_KINDS.prepare, 'not a replica'],
      ['c', PBFT_KINDS.viewChange, 'not a replica'],
    ]);
    expect(h.s.slots.size).toBe(0);
    expect(h.s.viewChanges.size).toBe(0);
  });

  it('a replica proven faulty is isolated: even its requests are refused', () => {
    const h = replica();
    h.s.suspects.add('r1');
    h.deliver('r1', PBFT_KINDS.request, REQUEST);
    h.deliver('r1', PBFT_KINDS.prepare, commit('r1', 0, 1, D));
    expect(h.rejected()).toEqual([
      ['r1', PBFT_KINDS.request, 'sender proven faulty: isolated'],
      ['r1', PBFT_KINDS.prepare, 'sender proven faulty: isolated'],
    ]);
    expect(h.s.pending.size).toBe(0);
    expect(h.s.slots.size).toBe(0);
  });
});

describe('its own timers', () => {
  it('the request timer with requests waiting starts a view change for the next view', () => {
    const h = replica();
    h.s.pending.add(REQUEST);
    h.s.requestTimerArmed = true;
    h.deliver('r3', PBFT_KINDS.requestTimer, undefined);
    expect(h.s.requestTimerArmed).toBe(false);
    expect(h.cancelled).toEqual([]);
    expect(h.s.view).toBe(1);
    expect(h.s.active).toBe(false);
    expect(h.events).toEqual([{ type: 'pbft-view-change', view: 1, reason: '1 requests waited 200 ms' }]);
    expect(h.ofKind(PBFT_KINDS.viewChange).map((m) => m.to)).toEqual(['r0', 'r1', 'r2']);
  });

  it('the reason gives the timeout doubled per failed attempt', () => {
    const h = replica();
    h.s.pending.add(REQUEST);
    h.s.pending.add({ ...REQUEST, ts: 2 });
    h.s.attempts = 2;
    h.deliver('r3', PBFT_KINDS.requestTimer, undefined);
    expect(h.events).toEqual([{ type: 'pbft-view-change', view: 1, reason: '2 requests waited 800 ms' }]);
  });

  it('the request timer with nothing waiting, or during a view change, only disarms', () => {
    const h = replica();
    h.s.requestTimerArmed = true;
    h.deliver('r3', PBFT_KINDS.requestTimer, undefined);
    expect(h.s.requestTimerArmed).toBe(false);
    expect(h.s.view).toBe(0);
    const g = replica();
    g.s.pending.add(REQUEST);
    g.s.active = false;
    g.s.requestTimerArmed = true;
    g.deliver('r3', PBFT_KINDS.requestTimer, undefined);
    expect(g.s.requestTimerArmed).toBe(false);
    expect(g.s.view).toBe(0);
    expect([...h.events, ...g.events, ...h.sent, ...g.sent]).toEqual([]);
  });

  it('the view timer of the view it waits for moves it to the next one', () => {
    const h = replica();
    h.s.view = 1;
    h.s.active = false;
    h.deliver('r3', PBFT_KINDS.viewTimer, 1);
    expect(h.s.view).toBe(2);
    expect(h.events).toEqual([{ type: 'pbft-view-change', view: 2, reason: 'no new view 1 in time' }]);
  });

  it('the resend timer sends its view change again', () => {
    const h = replica();
    const vc = viewChange('r3', 1);
    h.s.view = 1;
    h.s.active = false;
    h.s.ownViewChanges.set(1, vc);
    h.deliver('r3', PBFT_KINDS.resendTimer, undefined);
    expect(h.sent).toEqual(['r0', 'r1', 'r2'].map((to) => ({ to, kind: PBFT_KINDS.viewChange, body: vc })));
    expect(h.timers.get('resend')).toEqual({ ms: 100, kind: PBFT_KINDS.resendTimer });
  });

  it('the fetch timer asks again only while the replica is behind its stable checkpoint', () => {
    const h = replica({ auth: 'none', checkpointInterval: 8 });
    h.s.low = 8;
    h.s.stableProof = ['r0', 'r1', 'r2'].map((i) => ({ n: 8, d: 'x', i, sig: '' }));
    h.s.lastExecuted = 8;
    h.deliver('r3', PBFT_KINDS.fetchTimer, undefined);
    expect(h.sent).toEqual([]);
    h.s.lastExecuted = 7;
    h.deliver('r3', PBFT_KINDS.fetchTimer, undefined);
    expect(h.sent).toEqual([{ to: 'r0', kind: PBFT_KINDS.fetchState, body: { n: 8 } }]);
    expect(h.timers.get('fetch')).toEqual({ ms: 200, kind: PBFT_KINDS.fetchTimer });
  });

  it('a message from itself that is no timer is ignored, not handled nor refused', () => {
    const h = replica();
    h.deliver('r3', PBFT_KINDS.request, REQUEST);
    h.deliver('r3', PBFT_KINDS.prepare, {});
    h.deliver('r3', 'hello', {});
    expect(h.s.pending.size).toBe(0);
    // Not even the fetch the fetch timer would make while the replica is behind.
    h.s.low = 64;
    h.s.stableProof = ['r0', 'r1', 'r2'].map((i) => ({ n: 64, d: 'x', i, sig: '' }));
    h.deliver('r3', PBFT_KINDS.state, {});
    expect([...h.events, ...h.sent]).toEqual([]);
  });

  it('a timer kind from anyone else is no timer: refused, and nothing moves', () => {
    const h = replica();
    h.s.pending.add(REQUEST);
    h.deliver('r1', PBFT_KINDS.requestTimer, undefined);
    h.deliver('c', PBFT_KINDS.requestTimer, undefined);
    expect(h.s.view).toBe(0);
    expect(h.rejected()).toEqual([
      ['r1', PBFT_KINDS.requestTimer, 'unknown message kind'],
      ['c', PBFT_KINDS.requestTimer, 'not a replica'],
    ]);
  });
});

describe('messages kept for a later view', () => {
  const newView1 = (): NewView => ({ v: 1, viewChanges: ['r0', 'r1', 'r2'].map((i) => viewChange(i, 1)), prePrepares: [], sig: '' });

  it('are replayed, in order, once the new view is installed, after the message that installed it', () => {
    const h = replica();
    h.deliver('r2', PBFT_KINDS.commit, commit('r2', 1, 1, D));
    h.deliver('r0', PBFT_KINDS.commit, commit('r0', 1, 1, D));
    expect(h.s.future.map((m) => m.from)).toEqual(['r2', 'r0']);
    h.deliver('r1', PBFT_KINDS.newView, newView1());
    expect(h.s.view).toBe(1);
    expect(h.s.future).toEqual([]);
    expect(h.s.replayFuture).toBe(false);
    expect([...(h.s.slots.get(1)?.commits.get(D)?.keys() ?? [])]).toEqual(['r2', 'r0']);
  });

  it('what the replay defers again is replayed too when the replay installs a view', () => {
    const h = replica();
    // As if the message at hand had installed a view: the commit for view 1 waits again (the
    // replica is still in view 0 when it comes up), then the new view installs view 1.
    h.s.future = [
      { from: 'r2', kind: PBFT_KINDS.commit, body: commit('r2', 1, 1, D) },
      { from: 'r1', kind: PBFT_KINDS.newView, body: newView1() },
    ];
    h.s.replayFuture = true;
    h.deliver('r0', 'hello', {});
    expect(h.s.view).toBe(1);
    expect(h.s.future).toEqual([]);
    expect(h.s.replayFuture).toBe(false);
    expect([...(h.s.slots.get(1)?.commits.get(D)?.keys() ?? [])]).toEqual(['r2']);
    expect(h.rejected()).toEqual([['r0', 'hello', 'unknown message kind']]);
  });

  it('nothing is replayed while no view was installed', () => {
    const h = replica();
    h.deliver('r2', PBFT_KINDS.commit, commit('r2', 1, 1, D));
    h.deliver('r0', PBFT_KINDS.commit, commit('r0', 0, 1, D));
    expect(h.s.future.map((m) => m.from)).toEqual(['r2']);
    expect([...(h.s.slots.get(1)?.commits.get(D)?.keys() ?? [])]).toEqual(['r0']);
  });
});
