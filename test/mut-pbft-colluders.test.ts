import { describe, expect, it } from 'vitest';
import { Collusion, collusionPlan, colludeObserve, colludeOutgoing } from '../src/adversary/pbft-colluders.ts';
import type { ActorId } from '../src/actors/envelope.ts';
import { PBFT_KINDS, viewChangeText } from '../src/protocols/pbft/messages.ts';
import type { PbftReplicaState } from '../src/protocols/pbft/pbft-state.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';

/**
 * The `collude` attack's parts alone (issue 20's mutation run of src/adversary/pbft-colluders.ts):
 * the plan every colluder computes, what a colluder drops or rewrites on the way out, and what it
 * watches for on the way in, on a hand-made context and replica state.
 */

const R4 = ['p0', 'p1', 'p2', 'p3'];
const R7 = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const at = { view: 0, seq: 1, digest: 'ab' };

describe('collusionPlan', () => {
  it('the documented case: 4 replicas, p0 and p3 collude', () => {
    expect(collusionPlan(R4, ['p0', 'p3'], 1, at)).toEqual({ view: 0, seq: 1, digest: 'ab', target: 1, h1: ['p2'], h2: ['p1'] });
  });

  it('the target view skips every view a colluder would lead, wrapping round the replicas', () => {
    expect(collusionPlan(R7, ['p0', 'p1', 'p2'], 2, at)).toEqual({ ...at, target: 3, h1: ['p5', 'p6'], h2: ['p3', 'p4'] });
    expect(collusionPlan(R4, ['p2', 'p3'], 1, { ...at, view: 5 })).toEqual({ view: 5, seq: 1, digest: 'ab', target: 8, h1: ['p1'], h2: ['p0'] });
  });

  it("H2 starts with the target view's primary and goes on in replica order, wrapping", () => {
    expect(collusionPlan(R7, ['p1'], 2, { ...at, view: 1 })).toEqual({
      view: 1,
      seq: 1,
      digest: 'ab',
      target: 2,
      h1: ['p0', 'p4', 'p5', 'p6'],
      h2: ['p2', 'p3'],
    });
    expect(collusionPlan(R7, ['p5'], 2, { ...at, view: 5 })).toEqual({
      view: 5,
      seq: 1,
      digest: 'ab',
      target: 6,
      h1: ['p1', 'p2', 'p3', 'p4'],
      h2: ['p6', 'p0'],
    });
  });

  it('H2 has at least one member and leaves H1 at least one', () => {
    // quorum 4 with one colluder: honest 3 - (4 - 1) = 0, raised to 1.
    expect(collusionPlan(R4, ['p0'], 3, at)).toMatchObject({ h1: ['p2', 'p3'], h2: ['p1'] });
    // quorum 4 with four colluders: honest 3 - 0 = 3, lowered to 2.
    expect(collusionPlan(R7, ['p0', 'p1', 'p2', 'p3'], 0, at)).toMatchObject({ target: 4, h1: ['p6'], h2: ['p4', 'p5'] });
  });

  it('no plan with fewer than two honest replicas', () => {
    expect(collusionPlan(['p0', 'p1', 'p2'], ['p0', 'p1'], 1, at)).toBeUndefined();
    expect(collusionPlan(['p0', 'p1', 'p2'], ['p0'], 1, at)).toMatchObject({ h1: ['p2'], h2: ['p1'] });
  });
});

/** A replica state with what the colluder reads: props, the stable checkpoint, prepared slots. */
function inner(options: { signed?: boolean; replicas?: readonly ActorId[]; prepared?: number[] } = {}): PbftReplicaState {
  const replicas = options.replicas ?? R4;
  const preparedSlots = new Map<number, unknown>();
  for (const n of options.prepared ?? []) {
    const pp = { v: 0, n, d: `d${n}`, batch: [], sig: `pp${n}` };
    const votes = new Map([
      ['p1', { v: 0, n, d: `d${n}`, i: 'p1', sig: 's1' }],
      ['p2', { v: 0, n, d: `d${n}`, i: 'p2', sig: 's2' }],
      ['p3', { v: 0, n, d: `d${n}`, i: 'p3', sig: 's3' }],
    ]);
    preparedSlots.set(n, { pp, prepares: new Map([[`d${n}`, votes]]) });
  }
  return {
    props: { replicas, n: replicas.length, f: 1, prepareQuorum: 2, signed: options.signed ?? true },
    low: 0,
    stableProof: ['proof'],
    preparedSlots,
  } as unknown as PbftReplicaState;
}

const pp = (v: number, n: number, d: string) => ({ kind: PBFT_KINDS.prePrepare, body: { v, n, d, batch: [], sig: 'x' } });

describe('colludeOutgoing', () => {
  it('drops evidence against a partner, keeps evidence against anyone else; alone, its only partner is itself', () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    const against = (suspect?: string) => ({ kind: PBFT_KINDS.evidence, body: suspect === undefined ? {} : { suspect } });
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', against('p3'))).toBeUndefined();
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', against('p2'))).toEqual(against('p2'));
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', against())).toEqual(against());
    const alone = fakeContext('p0', {});
    expect(colludeOutgoing(alone.ctx, c, inner(), 'p1', against('p0'))).toBeUndefined();
    expect(colludeOutgoing(alone.ctx, c, inner(), 'p1', against('p3'))).toEqual(against('p3'));
  });

  it("its first pre-prepare starts the attack (traced once); that view's pre-prepares never reach H2", () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', pp(0, 1, 'ab'))).toBeUndefined();
    expect(c.plan).toEqual({ view: 0, seq: 1, digest: 'ab', target: 1, h1: ['p2'], h2: ['p1'] });
    expect(f.emitted).toEqual([{ type: 'collusion', phase: 'split', view: 0, seq: 1, digest: 'ab', h1: ['p2'], h2: ['p1'], target: 1 }]);
    expect(colludeOutgoing(f.ctx, c, inner(), 'p2', pp(0, 1, 'ab'))).toEqual(pp(0, 1, 'ab'));
    expect(colludeOutgoing(f.ctx, c, inner(), 'p3', pp(0, 2, 'cd'))).toEqual(pp(0, 2, 'cd'));
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', pp(0, 2, 'cd'))).toBeUndefined();
    // Another view's pre-prepares reach everyone.
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', pp(3, 9, 'ef'))).toEqual(pp(3, 9, 'ef'));
    expect(f.emitted).toHaveLength(1);
  });

  it('with no halves to split there is no plan: every pre-prepare goes out', () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p1'] });
    const c = new Collusion();
    expect(colludeOutgoing(f.ctx, c, inner({ replicas: ['p0', 'p1', 'p2'] }), 'p2', pp(0, 1, 'ab'))).toEqual(pp(0, 1, 'ab'));
    expect(c.plan).toBeUndefined();
    expect(f.emitted).toEqual([]);
  });

  it('view changes go out as they are before the attack, amnesiac after it: no certificate from the attacked number on', () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    const s = inner({ prepared: [1, 2, 3] });
    const vc = { kind: PBFT_KINDS.viewChange, body: { v: 1, n: 0, proof: [], prepared: ['everything'], i: 'p0', sig: 'honest' } };
    expect(colludeOutgoing(f.ctx, c, s, 'p1', vc)).toEqual(vc);
    colludeOutgoing(f.ctx, c, s, 'p2', pp(0, 2, 'd2'));
    const out = colludeOutgoing(f.ctx, c, s, 'p1', vc);
    const prepared = [
      {
        pp: { v: 0, n: 1, d: 'd1', batch: [], sig: 'pp1' },
        prepares: [
          { v: 0, n: 1, d: 'd1', i: 'p1', sig: 's1' },
          { v: 0, n: 1, d: 'd1', i: 'p2', sig: 's2' },
        ],
      },
    ];
    expect(out).toEqual({
      kind: PBFT_KINDS.viewChange,
      body: { v: 1, n: 0, proof: ['proof'], prepared, i: 'p0', sig: `sig[p0](${viewChangeText(1, 0, prepared as never, 'p0')})` },
    });
    // Unsigned replicas send no signature.
    expect((colludeOutgoing(f.ctx, c, inner({ signed: false }), 'p1', vc)!.body as { sig: string }).sig).toBe('');
  });

  it('anything else goes out as it is', () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    colludeOutgoing(f.ctx, c, inner(), 'p2', pp(0, 1, 'ab'));
    const commit = { kind: PBFT_KINDS.commit, body: { v: 0, n: 1, d: 'ab' } };
    expect(colludeOutgoing(f.ctx, c, inner(), 'p1', commit)).toBe(commit);
  });
});

describe('colludeObserve', () => {
  const commit = (from: string, d = 'ab', n = 1, v = 0) => envelope(from, 'p3', PBFT_KINDS.commit, { v, n, d, i: from });

  it('hides evidence against a partner from its honest replica', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    expect(colludeObserve(f.ctx, c, inner(), envelope('p1', 'p3', PBFT_KINDS.evidence, { suspect: 'p0' }))).toBe(true);
    expect(colludeObserve(f.ctx, c, inner(), envelope('p1', 'p3', PBFT_KINDS.evidence, { suspect: 'p2' }))).toBe(false);
    expect(colludeObserve(f.ctx, c, inner(), envelope('p1', 'p3', PBFT_KINDS.evidence, undefined))).toBe(false);
  });

  it("a partner's pre-prepare as the primary of its view starts the attack; anyone else's does not", () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    const ppFrom = (from: string, v: unknown) => envelope(from, 'p3', PBFT_KINDS.prePrepare, { v, n: 1, d: 'ab', batch: [] });
    expect(colludeObserve(f.ctx, c, inner(), ppFrom('p1', 1))).toBe(false); // not a partner
    expect(colludeObserve(f.ctx, c, inner(), ppFrom('p0', 1))).toBe(false); // a partner, but not primary of view 1
    expect(colludeObserve(f.ctx, c, inner(), ppFrom('p0', '0'))).toBe(false); // no numeric view
    expect(c.plan).toBeUndefined();
    expect(colludeObserve(f.ctx, c, inner(), ppFrom('p0', 4))).toBe(false); // 4 % 4: p0 leads view 4
    expect(c.plan).toEqual({ view: 4, seq: 1, digest: 'ab', target: 5, h1: ['p2'], h2: ['p1'] });
    expect(f.emitted).toEqual([{ type: 'collusion', phase: 'split', view: 4, seq: 1, digest: 'ab', h1: ['p2'], h2: ['p1'], target: 5 }]);
  });

  it('once every H1 member committed the attacked batch, H2 gets an amnesiac view change for the target (once)', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    c.plan = collusionPlan(R7, ['p0', 'p3'], 2, at);
    expect(c.plan).toMatchObject({ target: 1, h1: ['p4', 'p5', 'p6'], h2: ['p1', 'p2'] });
    const s = inner({ replicas: R7 });
    for (const e of [commit('p4'), commit('p4'), commit('p5', 'zz'), commit('p5', 'ab', 2), commit('p5', 'ab', 1, 1), commit('p1'), commit('p5')])
      colludeObserve(f.ctx, c, s, e);
    expect([...c.h1Commits]).toEqual(['p4', 'p5']);
    expect(c.triggered).toBe(false);
    expect(f.sent).toEqual([]);
    expect(colludeObserve(f.ctx, c, s, commit('p6'))).toBe(false);
    expect(c.triggered).toBe(true);
    expect(f.emitted).toEqual([{ type: 'collusion', phase: 'view-change', view: 1, seq: 1, why: 'H1 committed' }]);
    const vc = { v: 1, n: 0, proof: ['proof'], prepared: [], i: 'p3', sig: `sig[p3](${viewChangeText(1, 0, [], 'p3')})` };
    expect(f.sent).toEqual([
      { to: 'p1', message: { kind: PBFT_KINDS.viewChange, body: vc } },
      { to: 'p2', message: { kind: PBFT_KINDS.viewChange, body: vc } },
    ]);
    // Once is enough.
    colludeObserve(f.ctx, c, s, commit('p6'));
    colludeObserve(f.ctx, c, s, envelope('p1', 'p3', PBFT_KINDS.viewChange, { v: 9 }));
    expect(f.sent).toHaveLength(2);
  });

  it('a commit with no body from an H1 member is not counted, and does not make the colluder throw', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    c.plan = collusionPlan(R7, ['p0', 'p3'], 2, at);
    const s = inner({ replicas: R7 });
    expect(colludeObserve(f.ctx, c, s, envelope('p4', 'p3', PBFT_KINDS.commit, undefined))).toBe(false);
    expect([...c.h1Commits]).toEqual([]);
    expect(c.triggered).toBe(false);
  });

  it('an H2 member asking for a later view also sets it off; for the attack view or from H1, not', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    c.plan = collusionPlan(R4, ['p0', 'p3'], 1, at);
    const vcFrom = (from: string, v: unknown) => envelope(from, 'p3', PBFT_KINDS.viewChange, { v });
    for (const e of [vcFrom('p1', 0), vcFrom('p2', 3), vcFrom('p1', '2')]) colludeObserve(f.ctx, c, inner(), e);
    expect(c.triggered).toBe(false);
    colludeObserve(f.ctx, c, inner(), vcFrom('p1', 2));
    expect(c.triggered).toBe(true);
    expect(f.emitted).toEqual([{ type: 'collusion', phase: 'view-change', view: 1, seq: 1, why: 'p1 asked for view 2' }]);
    expect(f.sent.map((s) => s.to)).toEqual(['p1']);
  });

  it("only a pre-prepare starts the attack, and only the first: a partner's other messages, or a second pre-prepare, do not", () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    colludeObserve(f.ctx, c, inner(), envelope('p0', 'p3', PBFT_KINDS.commit, { v: 0, n: 1, d: 'ab' }));
    colludeObserve(f.ctx, c, inner(), envelope('p0', 'p3', PBFT_KINDS.prePrepare, undefined));
    expect(c.plan).toBeUndefined();
    colludeObserve(f.ctx, c, inner(), envelope('p0', 'p3', PBFT_KINDS.prePrepare, { v: 0, n: 1, d: 'ab', batch: [] }));
    colludeObserve(f.ctx, c, inner(), envelope('p3', 'p3', PBFT_KINDS.prePrepare, { v: 3, n: 7, d: 'cd', batch: [] }));
    expect(c.plan).toMatchObject({ view: 0, seq: 1, digest: 'ab' });
    expect(f.emitted).toHaveLength(1);
  });

  it('alone (no colluders named), it is its own only partner', () => {
    const f = fakeContext('p3', {});
    const c = new Collusion();
    expect(colludeObserve(f.ctx, c, inner(), envelope('p1', 'p3', PBFT_KINDS.evidence, { suspect: 'p3' }))).toBe(true);
    expect(colludeObserve(f.ctx, c, inner(), envelope('p1', 'p3', PBFT_KINDS.evidence, { suspect: 'p0' }))).toBe(false);
    const g = fakeContext('p0', {});
    colludeOutgoing(g.ctx, c, inner(), 'p2', pp(0, 1, 'ab'));
    expect(c.plan).toEqual({ view: 0, seq: 1, digest: 'ab', target: 1, h1: ['p2', 'p3'], h2: ['p1'] });
  });

  it('only commits of H1 members for the attacked batch count: not a member that sent only other commits, nor a prepare', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    c.plan = collusionPlan(R7, ['p0', 'p3'], 2, at);
    const s = inner({ replicas: R7 });
    colludeObserve(f.ctx, c, s, commit('p4'));
    colludeObserve(f.ctx, c, s, commit('p5'));
    for (const e of [commit('p6', 'zz'), commit('p6', 'ab', 2), commit('p6', 'ab', 1, 1), envelope('p6', 'p3', PBFT_KINDS.prepare, { v: 0, n: 1, d: 'ab' })])
      colludeObserve(f.ctx, c, s, e);
    expect([...c.h1Commits]).toEqual(['p4', 'p5']);
    expect(c.triggered).toBe(false);
    // H2 asking for a later view in anything but a view change, or with no body, sets nothing off.
    colludeObserve(f.ctx, c, s, envelope('p1', 'p3', PBFT_KINDS.prepare, { v: 5 }));
    colludeObserve(f.ctx, c, s, envelope('p1', 'p3', PBFT_KINDS.viewChange, undefined));
    expect(c.triggered).toBe(false);
  });

  it('evidence with no body goes out as it is', () => {
    const f = fakeContext('p0', { colluders: ['p0', 'p3'] });
    const m = { kind: PBFT_KINDS.evidence, body: undefined };
    expect(colludeOutgoing(f.ctx, new Collusion(), inner(), 'p1', m)).toBe(m);
  });

  it('without a plan it watches nothing', () => {
    const f = fakeContext('p3', { colluders: ['p0', 'p3'] });
    const c = new Collusion();
    expect(colludeObserve(f.ctx, c, inner(), commit('p2'))).toBe(false);
    expect(c.h1Commits.size).toBe(0);
  });
});
