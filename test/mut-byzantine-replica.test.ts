import { describe, expect, it } from 'vitest';
import {
  BYZANTINE_REPLICA,
  type ByzantineReplicaProps,
  byzantineReplica,
  PBFT_BYZANTINE_KINDS,
  type PbftByzantineKind,
} from '../src/adversary/byzantine-replica.ts';
import { batchDigest, checkpointText, PBFT_KINDS, phaseText, prePrepareText } from '../src/protocols/pbft/messages.ts';
import { hosted, type Sent } from './fixtures/mut-host.ts';

/**
 * The Byzantine PBFT replica, message by message on a real host with a hand-driven clock
 * (test/fixtures/mut-host.ts): the honest replica inside runs one request batch to its end (as
 * a backup: pre-prepare, prepares, commits, reply, checkpoint; as the primary: two batches), and
 * each kind's rewrite of what it sends is checked exactly (issue 20's mutation run of
 * src/adversary/byzantine-replica.ts).
 */

const R = ['p0', 'p1', 'p2', 'p3'];
const req = (c: string) => ({ client: c, ts: 1, op: `incr ${c}`, sig: '' });

/** p1, a backup, through one batch of two requests (c, c2) at number 1, checkpointing every batch. */
function backup(kinds: PbftByzantineKind[], extra: Partial<ByzantineReplicaProps> = {}) {
  const a = hosted('p1', byzantineReplica as never, { replicas: R, byzantine: kinds, checkpointInterval: 1, ...extra } as ByzantineReplicaProps);
  const k = a.host.keys;
  const batch = [req('c'), req('c2')];
  const d = batchDigest(batch);
  for (const r of batch) a.receive(r.client, PBFT_KINDS.request, r);
  const requests = a.sent();
  const ppSig = k.sign('p0', prePrepareText(0, 1, d));
  a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n: 1, d, batch, sig: ppSig });
  const prepares = a.sent();
  for (const i of ['p2', 'p3']) a.receive(i, PBFT_KINDS.prepare, { v: 0, n: 1, d, i, ppSig, sig: k.sign(i, phaseText('P', 0, 1, d, i)) });
  const commits = a.sent();
  for (const i of ['p2', 'p3']) a.receive(i, PBFT_KINDS.commit, { v: 0, n: 1, d, i, ppSig, sig: k.sign(i, phaseText('C', 0, 1, d, i)) });
  const after = a.sent();
  return { a, k, d, ppSig, batch, requests, prepares, commits, after };
}

/** p0, the primary, one inflight batch at a time: c1 alone at 1, then c2 and c3 together at 2. */
function primary(kinds: PbftByzantineKind[], extra: Partial<ByzantineReplicaProps> = {}) {
  const a = hosted('p0', byzantineReplica as never, { replicas: R, byzantine: kinds, maxInflight: 1, ...extra } as ByzantineReplicaProps);
  const k = a.host.keys;
  for (const c of ['c1', 'c2', 'c3']) a.receive(c, PBFT_KINDS.request, req(c));
  const first = a.sent();
  const d = batchDigest([req('c1')]);
  const ppSig = k.sign('p0', prePrepareText(0, 1, d));
  for (const i of ['p1', 'p2']) a.receive(i, PBFT_KINDS.prepare, { v: 0, n: 1, d, i, ppSig, sig: k.sign(i, phaseText('P', 0, 1, d, i)) });
  for (const i of ['p1', 'p2']) a.receive(i, PBFT_KINDS.commit, { v: 0, n: 1, d, i, ppSig, sig: k.sign(i, phaseText('C', 0, 1, d, i)) });
  const second = a.sent();
  return { a, k, d, ppSig, first, second };
}

const bodyOf = (s: Sent) => s.body as Record<string, unknown>;

describe('the kinds', () => {
  it('lists them, frozen; the behaviour reference names the module and export', () => {
    expect(PBFT_BYZANTINE_KINDS).toEqual([
      'conflicting_votes',
      'false_information',
      'delayed_responses',
      'silent',
      'forged_signatures',
      'replay',
      'random',
      'split_brain',
      'collude',
    ]);
    expect(Object.isFrozen(PBFT_BYZANTINE_KINDS)).toBe(true);
    const ref = BYZANTINE_REPLICA as { module: string; export: string };
    expect(ref.export).toBe('byzantineReplica');
    expect(ref.module).toMatch(/[/\\]adversary[/\\]byzantine-replica\.ts$/);
  });
});

describe('with no kind it is the honest replica', () => {
  it('as a backup: prepares, commits, replies and a checkpoint, to everyone, signed as itself', () => {
    const { k, d, ppSig, requests, prepares, commits, after } = backup([]);
    expect(requests).toEqual([]);
    const vote = (phase: 'P' | 'C') => ({ v: 0, n: 1, d, i: 'p1', ppSig, sig: k.sign('p1', phaseText(phase, 0, 1, d, 'p1')) });
    expect(prepares).toEqual(['p0', 'p2', 'p3'].map((to) => ({ to, kind: PBFT_KINDS.prepare, body: vote('P') })));
    expect(commits).toEqual(['p0', 'p2', 'p3'].map((to) => ({ to, kind: PBFT_KINDS.commit, body: vote('C') })));
    expect(after.slice(0, 2)).toEqual([
      { to: 'c', kind: PBFT_KINDS.reply, body: { v: 0, ts: 1, i: 'p1', result: '1' } },
      { to: 'c2', kind: PBFT_KINDS.reply, body: { v: 0, ts: 1, i: 'p1', result: '1' } },
    ]);
    expect(after.slice(2).map((s) => [s.to, s.kind])).toEqual(['p0', 'p2', 'p3'].map((to) => [to, PBFT_KINDS.checkpoint]));
    const cp = bodyOf(after[2]);
    expect(cp.sig).toBe(k.sign('p1', checkpointText(1, cp.d as string, 'p1')));
  });

  it('as the primary: the same pre-prepare to every backup', () => {
    const { k, d, first, second } = primary([]);
    expect(first).toEqual(
      ['p1', 'p2', 'p3'].map((to) => ({
        to,
        kind: PBFT_KINDS.prePrepare,
        body: { v: 0, n: 1, d, batch: [req('c1')], sig: k.sign('p0', prePrepareText(0, 1, d)) },
      })),
    );
    const pps = second.filter((s) => s.kind === PBFT_KINDS.prePrepare);
    expect(pps.map((s) => [s.to, bodyOf(s).batch])).toEqual(['p1', 'p2', 'p3'].map((to) => [to, [req('c2'), req('c3')]]));
  });
});

describe('conflicting_votes', () => {
  it('as the primary: the odd replicas get another batch (the null batch for one request, the batch reversed for more), validly signed', () => {
    const { k, d, first, second } = primary(['conflicting_votes']);
    const nul = batchDigest([]);
    expect(first).toEqual([
      { to: 'p1', kind: PBFT_KINDS.prePrepare, body: { v: 0, n: 1, d: nul, batch: [], sig: k.sign('p0', prePrepareText(0, 1, nul)) } },
      { to: 'p2', kind: PBFT_KINDS.prePrepare, body: { v: 0, n: 1, d, batch: [req('c1')], sig: k.sign('p0', prePrepareText(0, 1, d)) } },
      { to: 'p3', kind: PBFT_KINDS.prePrepare, body: { v: 0, n: 1, d: nul, batch: [], sig: k.sign('p0', prePrepareText(0, 1, nul)) } },
    ]);
    const reversed = [req('c3'), req('c2')];
    const rd = batchDigest(reversed);
    const pps = second.filter((s) => s.kind === PBFT_KINDS.prePrepare);
    expect(pps.map((s) => [s.to, bodyOf(s).d, bodyOf(s).batch, bodyOf(s).sig])).toEqual([
      ['p1', rd, reversed, k.sign('p0', prePrepareText(0, 2, rd))],
      ['p2', batchDigest([req('c2'), req('c3')]), [req('c2'), req('c3')], k.sign('p0', prePrepareText(0, 2, batchDigest([req('c2'), req('c3')])))],
      ['p3', rd, reversed, k.sign('p0', prePrepareText(0, 2, rd))],
    ]);
    // Its commits: a made-up digest to the odd replicas; its reply to the client as it is.
    const commits = second.filter((s) => s.kind === PBFT_KINDS.commit);
    const bad = `bad${d.slice(3)}`;
    expect(commits.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual([
      ['p1', bad, k.sign('p0', phaseText('C', 0, 1, bad, 'p0'))],
      ['p2', d, k.sign('p0', phaseText('C', 0, 1, d, 'p0'))],
      ['p3', bad, k.sign('p0', phaseText('C', 0, 1, bad, 'p0'))],
    ]);
    expect(second.find((s) => s.kind === PBFT_KINDS.reply)).toEqual({ to: 'c1', kind: PBFT_KINDS.reply, body: { v: 0, ts: 1, i: 'p0', result: '1' } });
  });

  it('as a backup: prepares and commits for a made-up digest, signed as itself, to the odd replica only', () => {
    const { k, d, ppSig, prepares, commits } = backup(['conflicting_votes']);
    const bad = `bad${d.slice(3)}`;
    expect(prepares).toEqual([
      { to: 'p0', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, d, 'p1')) } },
      { to: 'p2', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, d, 'p1')) } },
      { to: 'p3', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d: bad, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, bad, 'p1')) } },
    ]);
    expect(commits.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual([
      ['p0', d, k.sign('p1', phaseText('C', 0, 1, d, 'p1'))],
      ['p2', d, k.sign('p1', phaseText('C', 0, 1, d, 'p1'))],
      ['p3', bad, k.sign('p1', phaseText('C', 0, 1, bad, 'p1'))],
    ]);
  });
});

describe('false_information', () => {
  it('prepares, commits and checkpoints for made-up digests (signed), and a wrong result to the client', () => {
    const { k, d, prepares, commits, after } = backup(['false_information']);
    const bad = `bad${d.slice(3)}`;
    expect(prepares.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual(
      ['p0', 'p2', 'p3'].map((to) => [to, bad, k.sign('p1', phaseText('P', 0, 1, bad, 'p1'))]),
    );
    expect(commits.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual(
      ['p0', 'p2', 'p3'].map((to) => [to, bad, k.sign('p1', phaseText('C', 0, 1, bad, 'p1'))]),
    );
    expect(after.slice(0, 2).map((s) => bodyOf(s).result)).toEqual(['1+1', '1+1']);
    const cps = after.slice(2);
    expect(cps).toHaveLength(3);
    for (const cp of cps) {
      const b = bodyOf(cp);
      expect(b.d).toMatch(/^bad/);
      expect(b).toEqual({ n: 1, d: b.d, i: 'p1', sig: k.sign('p1', checkpointText(1, b.d as string, 'p1')) });
    }
  });

  it('with conflicting_votes a made-up digest is not made up twice', () => {
    const { d, prepares } = backup(['conflicting_votes', 'false_information']);
    expect(prepares.map((s) => bodyOf(s).d)).toEqual([`bad${d.slice(3)}`, `bad${d.slice(3)}`, `bad${d.slice(3)}`]);
  });

  it('as the primary, its pre-prepares are the true ones', () => {
    const { d, first } = primary(['false_information']);
    expect(first.map((s) => bodyOf(s).d)).toEqual([d, d, d]);
  });
});

describe('silent, delayed_responses, forged_signatures', () => {
  it('silent: nothing, as a backup or as the primary', () => {
    const b = backup(['silent', 'conflicting_votes']);
    expect([...b.prepares, ...b.commits, ...b.after]).toEqual([]);
    const p = primary(['silent']);
    expect([...p.first, ...p.second]).toEqual([]);
  });

  it('delayed_responses: every message held 1 s (or delayMs), then sent as it was', () => {
    const honest = backup([]);
    const b = backup(['delayed_responses']);
    expect([...b.prepares, ...b.commits, ...b.after]).toEqual([]);
    b.a.advance(999);
    const early = b.a.sent().filter((s) => s.kind !== PBFT_KINDS.viewChange);
    expect(early).toEqual([]);
    b.a.advance(1);
    expect(b.a.sent().filter((s) => s.kind !== PBFT_KINDS.viewChange)).toEqual([...honest.prepares, ...honest.commits, ...honest.after]);
    const quick = backup(['delayed_responses'], { delayMs: 10 });
    quick.a.advance(10);
    expect(quick.a.sent().slice(0, 3)).toEqual(honest.prepares);
  });

  it('forged_signatures: every signature replaced by garbage; what carries none is left alone', () => {
    const { prepares, commits, after } = backup(['forged_signatures']);
    const signed = [...prepares, ...commits, ...after.filter((s) => s.kind === PBFT_KINDS.checkpoint)];
    expect(signed).toHaveLength(9);
    for (const s of signed) expect(bodyOf(s).sig).toMatch(/^forged-[0-9a-f]+$/);
    expect(new Set(signed.map((s) => bodyOf(s).sig)).size).toBeGreaterThan(1);
    expect(signed.some((s) => /[a-f]/.test((bodyOf(s).sig as string).slice(7)))).toBe(true);
    expect(after.slice(0, 2).map((s) => bodyOf(s))).toEqual([
      { v: 0, ts: 1, i: 'p1', result: '1' },
      { v: 0, ts: 1, i: 'p1', result: '1' },
    ]);
    // Only the signature changed.
    const honest = backup([]);
    expect(prepares.map((s) => ({ ...bodyOf(s), sig: 'x' }))).toEqual(honest.prepares.map((s) => ({ ...bodyOf(s), sig: 'x' })));
  });
});

describe('replay and random', () => {
  it('replay: after its first message, each one to a peer is followed by one it sent before, again', () => {
    const honest = backup([]);
    const { prepares, commits } = backup(['replay']);
    // First prepare alone; then each new message and a replay.
    expect(prepares[0]).toEqual(honest.prepares[0]);
    expect(prepares).toHaveLength(5);
    expect([prepares[1], prepares[3]]).toEqual(honest.prepares.slice(1));
    for (const r of [prepares[2], prepares[4]]) expect(honest.prepares.map((s) => s.body)).toContainEqual(r.body);
    expect(prepares.map((s) => s.to)).toEqual(['p0', 'p2', 'p2', 'p3', 'p3']);
    expect(commits).toHaveLength(6);
    expect([commits[0], commits[2], commits[4]]).toEqual(honest.commits);
    for (const r of [commits[1], commits[3], commits[5]]) expect([...honest.prepares, ...honest.commits].map((s) => s.body)).toContainEqual(r.body);
  });

  it('random: now and then an arbitrary well-formed message besides, to replicas only', () => {
    const { k, prepares, commits, after } = backup(['random']);
    const all = [...prepares, ...commits, ...after];
    const honest = backup([]);
    const extra = all.filter((s) => !JSON.stringify([...honest.prepares, ...honest.commits, ...honest.after]).includes(JSON.stringify(s)));
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.length).toBeLessThan(9);
    for (const s of extra) {
      expect(['p0', 'p2', 'p3']).toContain(s.to);
      const b = bodyOf(s);
      if (s.kind === PBFT_KINDS.prepare) {
        expect(b).toEqual({ v: 0, n: b.n, d: b.d, i: 'p1', ppSig: 'none', sig: k.sign('p1', phaseText('P', 0, b.n as number, b.d as string, 'p1')) });
        expect(b.n as number).toBeGreaterThanOrEqual(1);
        expect(b.n as number).toBeLessThanOrEqual(64);
        expect(b.d).toMatch(/^[0-9a-f]{16}$/);
      } else if (s.kind === PBFT_KINDS.checkpoint) {
        expect(b).toEqual({ n: b.n, d: b.d, i: 'p1', sig: k.sign('p1', checkpointText(b.n as number, b.d as string, 'p1')) });
        expect((b.n as number) % 64).toBe(0);
      } else {
        expect(s.kind).toBe(PBFT_KINDS.viewChange);
        expect(b).toEqual({ v: b.v, n: 0, proof: [], prepared: [], i: 'p1', sig: 'x' });
      }
    }
    // Replies to clients get no noise.
    expect(after.filter((s) => s.to === 'c' || s.to === 'c2')).toHaveLength(2);
  });
});

describe('split_brain', () => {
  it('with a partner, it votes towards the other honest half for the other batch of the pre-prepare it accepted', () => {
    const { k, d, ppSig, prepares, commits } = backup(['split_brain'], { colluders: ['p1', 'p2'] });
    // Honest replicas p0, p3: p3 is the other half; p2 is a partner.
    const od = batchDigest([req('c2'), req('c')]);
    expect(prepares).toEqual([
      { to: 'p0', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, d, 'p1')) } },
      { to: 'p2', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, d, 'p1')) } },
      { to: 'p3', kind: PBFT_KINDS.prepare, body: { v: 0, n: 1, d: od, i: 'p1', ppSig, sig: k.sign('p1', phaseText('P', 0, 1, od, 'p1')) } },
    ]);
    expect(commits.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual([
      ['p0', d, k.sign('p1', phaseText('C', 0, 1, d, 'p1'))],
      ['p2', d, k.sign('p1', phaseText('C', 0, 1, d, 'p1'))],
      ['p3', od, k.sign('p1', phaseText('C', 0, 1, od, 'p1'))],
    ]);
  });

  it('alone (no colluders named), the other half is among all the others', () => {
    const { d, prepares } = backup(['split_brain']);
    // Honest replicas but itself: p0, p2, p3; the odd one is p2.
    expect(prepares.map((s) => [s.to, bodyOf(s).d === d])).toEqual([
      ['p0', true],
      ['p2', false],
      ['p3', true],
    ]);
  });

  it("its honest replica never sees a partner's vote for the other batch, nor evidence against a partner", () => {
    const { a, k, d, ppSig } = backup(['split_brain'], { colluders: ['p1', 'p2'] });
    const od = 'ffffffffffffffff';
    // A partner's prepare for another digest at the same number and view would prove it lied.
    a.receive('p2', PBFT_KINDS.prepare, { v: 0, n: 1, d: od, i: 'p2', ppSig, sig: k.sign('p2', phaseText('P', 0, 1, od, 'p2')) });
    a.receive('p0', PBFT_KINDS.evidence, { suspect: 'p2', proof: [] });
    expect(a.sent().filter((s) => s.kind === PBFT_KINDS.evidence)).toEqual([]);
    expect(d).not.toBe(od);
    const honest = backup([], {});
    honest.a.receive('p2', PBFT_KINDS.prepare, { v: 0, n: 1, d: od, i: 'p2', ppSig, sig: honest.k.sign('p2', phaseText('P', 0, 1, od, 'p2')) });
    expect(
      honest.a
        .sent()
        .filter((s) => s.kind === PBFT_KINDS.evidence)
        .map((s) => bodyOf(s).suspect),
    ).toEqual(['p2', 'p2', 'p2']);
  });
});

describe('collude', () => {
  it('as the primary with a partner: its first pre-prepare starts the attack; the starved half (H2) gets none', () => {
    const a = hosted('p0', byzantineReplica as never, { replicas: R, byzantine: ['collude'], colluders: ['p0', 'p3'] } as ByzantineReplicaProps);
    a.receive('c1', PBFT_KINDS.request, req('c1'));
    const d = batchDigest([req('c1')]);
    expect(a.sent()).toEqual(
      ['p2', 'p3'].map((to) => ({
        to,
        kind: PBFT_KINDS.prePrepare,
        body: { v: 0, n: 1, d, batch: [req('c1')], sig: a.host.keys.sign('p0', prePrepareText(0, 1, d)) },
      })),
    );
    expect(a.emitted()).toEqual([{ type: 'collusion', phase: 'split', view: 0, seq: 1, digest: d, h1: ['p2'], h2: ['p1'], target: 1 }]);
  });
});

describe('more of each kind, exactly', () => {
  it('random: the noise drawn on this run, exactly (kinds, numbers, digests, recipients)', () => {
    const { prepares, commits, after } = backup(['random']);
    const honest = backup([]);
    const known = JSON.stringify([...honest.prepares, ...honest.commits, ...honest.after]);
    const extra = [...prepares, ...commits, ...after].filter((s) => !known.includes(JSON.stringify(s)));
    expect(extra.map((s) => [s.to, s.kind, bodyOf(s).n, bodyOf(s).d])).toEqual([
      ['p0', PBFT_KINDS.checkpoint, 3072, '00001c28f5c28f5c'],
      ['p3', PBFT_KINDS.prepare, 38, '0000f5c28f5c28f5'],
      ['p2', PBFT_KINDS.prepare, 29, '0000cf5c28f5c28f'],
      ['p2', PBFT_KINDS.checkpoint, 2752, '000007ae147ae147'],
    ]);
  });

  it("collude, as a backup: the primary partner's first pre-prepare starts its attack too", () => {
    const a = hosted('p3', byzantineReplica as never, { replicas: R, byzantine: ['collude'], colluders: ['p0', 'p3'] } as ByzantineReplicaProps);
    const batch = [req('c1')];
    const d = batchDigest(batch);
    a.receive('c1', PBFT_KINDS.request, req('c1'));
    a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n: 1, d, batch, sig: a.host.keys.sign('p0', prePrepareText(0, 1, d)) });
    expect(a.emitted()).toEqual([{ type: 'collusion', phase: 'split', view: 0, seq: 1, digest: d, h1: ['p2'], h2: ['p1'], target: 1 }]);
    expect(a.sent().map((s) => [s.to, s.kind])).toEqual(['p0', 'p1', 'p2'].map((to) => [to, PBFT_KINDS.prepare]));
  });

  it('split_brain, as the primary: the other honest half gets another batch, the first half and the partner the true one', () => {
    const { k, d, first } = primary(['split_brain'], { colluders: ['p0', 'p3'] });
    const nul = batchDigest([]);
    expect(first.map((s) => [s.to, bodyOf(s).d, bodyOf(s).sig])).toEqual([
      ['p1', d, k.sign('p0', prePrepareText(0, 1, d))],
      ['p2', nul, k.sign('p0', prePrepareText(0, 1, nul))],
      ['p3', d, k.sign('p0', prePrepareText(0, 1, d))],
    ]);
  });

  it('conflicting_votes leaves checkpoints and replies alone, to the odd replicas too', () => {
    const honest = backup([]);
    expect(backup(['conflicting_votes']).after).toEqual(honest.after);
  });
});

describe('split_brain hides what would expose a partner', () => {
  it("evidence its honest replica makes against a partner (the partner's other vote came before the pre-prepare) is never sent", () => {
    const run = (kinds: PbftByzantineKind[]) => {
      const a = hosted(
        'p1',
        byzantineReplica as never,
        { replicas: R, byzantine: kinds, colluders: ['p1', 'p2'], checkpointInterval: 1 } as ByzantineReplicaProps,
      );
      const k = a.host.keys;
      const batch = [req('c'), req('c2')];
      const d = batchDigest(batch);
      const od = 'ffffffffffffffff';
      for (const r of batch) a.receive(r.client, PBFT_KINDS.request, r);
      const ppSig = k.sign('p0', prePrepareText(0, 1, d));
      a.receive('p2', PBFT_KINDS.prepare, { v: 0, n: 1, d: od, i: 'p2', ppSig, sig: k.sign('p2', phaseText('P', 0, 1, od, 'p2')) });
      a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n: 1, d, batch, sig: ppSig });
      return a.sent().map((s) => [s.kind, s.to, (s.body as { suspect?: string }).suspect]);
    };
    expect(run([])).toEqual([
      [PBFT_KINDS.evidence, 'p0', 'p2'],
      [PBFT_KINDS.evidence, 'p2', 'p2'],
      [PBFT_KINDS.evidence, 'p3', 'p2'],
      [PBFT_KINDS.prepare, 'p0', undefined],
      [PBFT_KINDS.prepare, 'p2', undefined],
      [PBFT_KINDS.prepare, 'p3', undefined],
    ]);
    expect(run(['split_brain'])).toEqual([
      [PBFT_KINDS.prepare, 'p0', undefined],
      [PBFT_KINDS.prepare, 'p2', undefined],
      [PBFT_KINDS.prepare, 'p3', undefined],
    ]);
  });
});

describe('split_brain: what the honest replica inside is shown', () => {
  /** The honest PBFT state inside the adversary on `a` (the behaviour's state is a class instance, read as it is). */
  const inner = (a: ReturnType<typeof hosted>, id: string) =>
    (
      a.host.cells.get(id)!.state as {
        inner: { suspects: Set<string>; future: unknown[]; slots: Map<number, { prepares: Map<string, Map<string, unknown>> }> };
      }
    ).inner;
  const detected = (a: ReturnType<typeof hosted>) => a.traces.flatMap((e) => (e.type === 'emit' && e.event.type === 'pbft-detected' ? [e.event.suspect] : []));

  /** p1, split-brain partner of p2 (or with no Byzantine kind: honest), after p0's pre-prepare of one request at 1 (no votes yet). */
  function accepted(byzantine: PbftByzantineKind[] = ['split_brain']) {
    const a = hosted('p1', byzantineReplica as never, { replicas: R, byzantine, colluders: ['p1', 'p2'] } as ByzantineReplicaProps);
    const k = a.host.keys;
    const batch = [req('c')];
    const d = batchDigest(batch);
    a.receive('c', PBFT_KINDS.request, batch[0]);
    const ppSig = k.sign('p0', prePrepareText(0, 1, d));
    a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n: 1, d, batch, sig: ppSig });
    a.sent();
    const vote = (i: string, phase: 'P' | 'C', digest: string, v = 0) => ({ v, n: 1, d: digest, i, ppSig, sig: k.sign(i, phaseText(phase, v, 1, digest, i)) });
    return { a, d, vote };
  }

  it("a vote for the accepted batch reaches it, a partner's or not; one for another batch in the same view does not, prepare or commit", () => {
    const { a, d, vote } = accepted();
    const od = 'ffffffffffffffff';
    a.receive('p2', PBFT_KINDS.prepare, vote('p2', 'P', d));
    a.receive('p3', PBFT_KINDS.prepare, vote('p3', 'P', od));
    expect([...inner(a, 'p1').slots.get(1)!.prepares.get(d)!.keys()].sort()).toEqual(['p1', 'p2']);
    expect(inner(a, 'p1').slots.get(1)!.prepares.has(od)).toBe(false);
    // p2 again, for the other batch: equivocation the inner replica would flag, were it shown.
    a.receive('p2', PBFT_KINDS.prepare, vote('p2', 'P', od));
    a.receive('p2', PBFT_KINDS.commit, vote('p2', 'C', d));
    a.receive('p2', PBFT_KINDS.commit, vote('p2', 'C', od));
    expect(detected(a)).toEqual([]);
    expect([...inner(a, 'p1').suspects]).toEqual([]);
  });

  it("a primary's second pre-prepare for another batch is not a vote: it reaches the inner replica, which flags that primary", () => {
    const { a } = accepted();
    const k = a.host.keys;
    const other = [req('c9')];
    const od = batchDigest(other);
    a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n: 1, d: od, batch: other, sig: k.sign('p0', prePrepareText(0, 1, od)) });
    expect(detected(a)).toEqual(['p0']);
  });

  it('the same conflicting votes reach an honest replica, which flags the partner', () => {
    const { a: honest, d, vote } = accepted([]);
    for (const digest of [d, 'ffffffffffffffff']) honest.receive('p2', PBFT_KINDS.prepare, vote('p2', 'P', digest));
    expect(detected(honest)).toEqual(['p2']);
  });

  it('a vote for another view, or for a number with no pre-prepare, is not taken for the other batch', () => {
    const { a, vote } = accepted();
    const od = 'ffffffffffffffff';
    a.receive('p3', PBFT_KINDS.prepare, vote('p3', 'P', od, 1));
    expect(inner(a, 'p1').future).toHaveLength(1); // a later view's vote, kept for it
    const k = a.host.keys;
    a.receive('p3', PBFT_KINDS.prepare, {
      v: 0,
      n: 2,
      d: od,
      i: 'p3',
      ppSig: k.sign('p0', prePrepareText(0, 2, od)),
      sig: k.sign('p3', phaseText('P', 0, 2, od, 'p3')),
    });
    expect(inner(a, 'p1').slots.get(2)?.prepares.get(od)?.has('p3')).toBe(true);
    expect(detected(a)).toEqual([]);
  });

  it('evidence against a partner never reaches it; evidence against another replica does', () => {
    const { a, vote } = accepted();
    const od = 'ffffffffffffffff';
    const { d } = accepted();
    const against = (i: string) => ({ suspect: i, kind: 'equivocation', phase: 'prepare', v: 0, n: 1, messages: [vote(i, 'P', d), vote(i, 'P', od)] });
    a.receive('p0', PBFT_KINDS.evidence, against('p2'));
    expect(detected(a)).toEqual([]);
    a.receive('p0', PBFT_KINDS.evidence, against('p3'));
    expect(detected(a)).toEqual(['p3']);
  });
});

describe('over many batches', () => {
  /** p1, a backup with these kinds, through `count` batches of one request each (numbers 1 .. count). */
  function batches(kinds: PbftByzantineKind[], count: number, randomStep?: number) {
    const a = hosted('p1', byzantineReplica as never, { replicas: R, byzantine: kinds, checkpointInterval: 1 } as ByzantineReplicaProps, undefined, randomStep);
    const k = a.host.keys;
    const sent: Sent[] = [];
    for (let n = 1; n <= count; n++) {
      const r = { client: `c${n}`, ts: 1, op: `incr c${n}`, sig: '' };
      const d = batchDigest([r]);
      a.receive(r.client, PBFT_KINDS.request, r);
      const ppSig = k.sign('p0', prePrepareText(0, n, d));
      a.receive('p0', PBFT_KINDS.prePrepare, { v: 0, n, d, batch: [r], sig: ppSig });
      for (const i of ['p2', 'p3']) a.receive(i, PBFT_KINDS.prepare, { v: 0, n, d, i, ppSig, sig: k.sign(i, phaseText('P', 0, n, d, i)) });
      for (const i of ['p2', 'p3']) a.receive(i, PBFT_KINDS.commit, { v: 0, n, d, i, ppSig, sig: k.sign(i, phaseText('C', 0, n, d, i)) });
      // The others' checkpoints of the state it reached, so its window moves on.
      const mine = a.sent();
      sent.push(...mine);
      const own = mine.find((m) => m.kind === PBFT_KINDS.checkpoint && bodyOf(m).n === n && bodyOf(m).i === 'p1');
      if (own === undefined) continue;
      const cd = bodyOf(own).d as string;
      for (const i of ['p0', 'p2']) a.receive(i, PBFT_KINDS.checkpoint, { n, d: cd, i, sig: k.sign(i, checkpointText(n, cd, i)) });
    }
    sent.push(...a.sent());
    return { a, k, sent };
  }
  const books = (a: ReturnType<typeof hosted>) => a.host.cells.get('p1')!.state as { sent: { kind: string; body: unknown }[] };

  it('random: the view-change noise too, a well-formed message with nothing in it', () => {
    // With the fixture's usual step (0.37) the kind draw after a hit is always below 2/3: never a view change.
    const { sent } = batches(['random'], 12, 0.23);
    const noise = sent.filter((s) => s.kind === PBFT_KINDS.viewChange);
    expect(noise.length).toBeGreaterThan(0);
    for (const s of noise) {
      const b = bodyOf(s);
      expect(b).toEqual({ v: b.v, n: 0, proof: [], prepared: [], i: 'p1', sig: 'x' });
      expect(Number.isInteger(b.v) && (b.v as number) >= 1 && (b.v as number) <= 64).toBe(true);
      expect(['p0', 'p2', 'p3']).toContain(s.to);
    }
  });

  it('replay keeps at most 512 messages to draw from, replacing one at random past that (never only the first)', () => {
    const { a, sent } = batches(['replay'], 60);
    expect(sent.length).toBeGreaterThan(600);
    const kept = books(a).sent;
    expect(kept).toHaveLength(512);
    // The first message it sent is still there (each later one replaced a random slot, not slot 0)...
    const first = JSON.stringify(kept[0]);
    expect(first).toBe(JSON.stringify({ kind: sent[0]!.kind, body: sent[0]!.body }));
    // ... and some of the messages past the 512th are kept.
    const lastBatch = JSON.stringify(sent.slice(-8).map((s) => s.body));
    expect(kept.some((m) => lastBatch.includes(JSON.stringify(m.body)))).toBe(true);
  });
});
