import { describe, expect, it } from 'vitest';
import { judgeMismatch, noteSigned, onEvidence } from '../src/protocols/pbft/detection.ts';
import { PBFT_KINDS, type PhaseVote, phaseText, type PrePrepare, prePrepareText } from '../src/protocols/pbft/messages.ts';
import { handReplica, REPLICAS, sig } from './fixtures/pbft-hand-replica.ts';

/**
 * PBFT's detection, one call at a time (issue 20's mutation testing of the PBFT files beside the
 * handlers): evidence another replica sends is believed only when it proves something here too
 * (two differently signed messages of the suspect for one slot, or a vote for a pre-prepare the
 * primary never signed), and a vote that contradicts the accepted pre-prepare convicts the
 * primary or the voter, whichever signature proves it.
 */
type Evidence = Parameters<typeof onEvidence>[3];
const D1 = 'd1d1d1d1d1d1d1d1';
const D2 = 'd2d2d2d2d2d2d2d2';
const vote = (i: string, phase: 'P' | 'C', d: string, v = 0, n = 1, ppBy = 'r0'): PhaseVote => ({
  v,
  n,
  d,
  i,
  ppSig: sig(ppBy, prePrepareText(v, n, d)),
  sig: sig(i, phaseText(phase, v, n, d, i)),
});
const pp = (d: string, v = 0, n = 1, by = 'r0') => ({ v, n, d, sig: sig(by, prePrepareText(v, n, d)) });
const equivocation = (suspect: string, phase: 'prepare' | 'commit', a: unknown, b: unknown, extra: Partial<Evidence> = {}): Evidence =>
  ({ suspect, kind: 'equivocation', phase, v: 0, n: 1, messages: [a, b], ...extra }) as Evidence;

function hear(e: unknown, from = 'r1') {
  const h = handReplica('r3');
  onEvidence(h.s, h.ctx, from, e as Evidence);
  return { ...h, detected: h.events.filter((x) => x.type === 'pbft-detected').map((x) => x.suspect), suspects: [...h.s.suspects] };
}

describe('onEvidence: believed only when it proves something here', () => {
  it('two prepares of one replica for one slot with different digests convict it, without passing the evidence on', () => {
    const h = hear(equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2)));
    expect([h.detected, h.suspects, h.rejected()]).toEqual([['r2'], ['r2'], []]);
    expect(h.events.find((x) => x.type === 'pbft-detected')).toEqual({
      type: 'pbft-detected',
      suspect: 'r2',
      kind: 'equivocation',
      phase: 'prepare',
      view: 0,
      seq: 1,
      evidence: [vote('r2', 'P', D1), vote('r2', 'P', D2)],
    });
    expect(h.sent).toEqual([]); // shared by the one who found it, not again by everyone
  });

  it('commits too; and two pre-prepares of the primary', () => {
    expect(hear(equivocation('r2', 'commit', vote('r2', 'C', D1), vote('r2', 'C', D2))).detected).toEqual(['r2']);
    const pre = hear(equivocation('r0', 'pre-prepare' as 'prepare', pp(D1), pp(D2)));
    expect(pre.detected).toEqual(['r0']);
    // The primary is replaced at once: a view change for view 1, saying why.
    expect(pre.sent.map((m) => m.kind)).toContain(PBFT_KINDS.viewChange);
    expect(pre.events.filter((x) => x.type === 'pbft-view-change')).toEqual([
      { type: 'pbft-view-change', view: 1, reason: 'primary r0 proven faulty (equivocation)' },
    ]);
  });

  it('refuses what proves nothing: the same digest twice, one message, a bad signature, another slot, a signer other than the suspect', () => {
    const cases: [string, unknown][] = [
      ['same digest', equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D1))],
      ['one message', { ...equivocation('r2', 'prepare', vote('r2', 'P', D1), undefined), messages: [vote('r2', 'P', D1)] }],
      ['forged second', equivocation('r2', 'prepare', vote('r2', 'P', D1), { ...vote('r2', 'P', D2), sig: 'forged' })],
      ['forged first', equivocation('r2', 'prepare', { ...vote('r2', 'P', D1), sig: 'forged' }, vote('r2', 'P', D2))],
      ['another view', equivocation('r2', 'prepare', vote('r2', 'P', D1, 1), vote('r2', 'P', D2))],
      ['another number', equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2, 0, 2))],
      ['not the suspect', equivocation('r2', 'prepare', vote('r1', 'P', D1), vote('r1', 'P', D2))],
      ['a prepare as a commit', equivocation('r2', 'commit', vote('r2', 'P', D1), vote('r2', 'P', D2))],
      ['a digest not a string', equivocation('r2', 'prepare', { ...vote('r2', 'P', D1), d: 7 }, vote('r2', 'P', D2))],
      ['a message not an object', equivocation('r2', 'prepare', 'text', vote('r2', 'P', D2))],
      ['pre-prepares of a backup', equivocation('r2', 'pre-prepare' as 'prepare', pp(D1, 0, 1, 'r2'), pp(D2, 0, 1, 'r2'))],
      ['an unknown phase', equivocation('r2', 'reply' as 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2))],
      ['an unknown kind', { ...equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2)), kind: 'rumour' }],
      ['not a replica', equivocation('c', 'prepare', vote('c', 'P', D1), vote('c', 'P', D2))],
      // Signed for the slot the evidence names, but saying another: the message must say what the evidence says.
      ['a view field that differs', equivocation('r2', 'prepare', { ...vote('r2', 'P', D1), v: 1 }, vote('r2', 'P', D2))],
      ['a number field that differs', equivocation('r2', 'prepare', { ...vote('r2', 'P', D1), n: 2 }, vote('r2', 'P', D2))],
      [
        'a digest that is a number',
        equivocation(
          'r2',
          'prepare',
          { ...vote('r2', 'P', D1), d: 7, sig: sig('r2', phaseText('P', 0, 1, 7 as unknown as string, 'r2')) },
          vote('r2', 'P', D2),
        ),
      ],
      ['a sender field that is not the suspect', equivocation('r2', 'prepare', { ...vote('r2', 'P', D1), i: 'r1' }, vote('r2', 'P', D2))],
      ['an unknown phase, commits', equivocation('r2', 'reply' as 'prepare', vote('r2', 'C', D1), vote('r2', 'C', D2))],
      [
        'an unknown kind, a forged certificate',
        { suspect: 'r2', kind: 'rumour', phase: 'prepare', v: 0, n: 1, messages: [{ ...vote('r2', 'P', D1), ppSig: 'x' }] },
      ],
    ];
    for (const [name, e] of cases) {
      const h = hear(e);
      expect([name, h.detected, h.rejected()]).toEqual([name, [], [['r1', PBFT_KINDS.evidence, 'evidence does not prove anything']]]);
    }
  });

  it('refuses malformed evidence by name, and ignores evidence against a replica it suspects already', () => {
    for (const e of [null, 'x', { suspect: 7, messages: [] }, { suspect: 'r2' }, { suspect: 'r2', messages: 'no' }]) {
      expect(hear(e).rejected()).toEqual([['r1', PBFT_KINDS.evidence, 'malformed']]);
    }
    // A null (or 0, or '') among the messages is refused, not a crash of the handler (a
    // TypeError before: one Byzantine replica's evidence could restart every honest one).
    for (const bad of [null, 0, '', false]) {
      const h = hear(equivocation('r2', 'prepare', bad, vote('r2', 'P', D2)));
      expect([h.detected, h.rejected()]).toEqual([[], [['r1', PBFT_KINDS.evidence, 'evidence does not prove anything']]]);
      const f = hear({ suspect: 'r2', kind: 'forged-certificate', phase: 'prepare', v: 0, n: 1, messages: [bad] });
      expect([f.detected, f.rejected()]).toEqual([[], [['r1', PBFT_KINDS.evidence, 'evidence does not prove anything']]]);
    }
    // Against a replica suspected already, even evidence that proves nothing is not looked at.
    const known = handReplica('r3');
    known.s.suspects.add('r2');
    onEvidence(known.s, known.ctx, 'r1', equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D1)));
    expect(known.events).toEqual([]);
    const h = handReplica('r3');
    h.s.suspects.add('r2');
    onEvidence(h.s, h.ctx, 'r1', equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2)));
    expect([h.events, h.sent]).toEqual([[], []]);
  });

  it('a forged certificate: a vote, signed by its sender, for a pre-prepare the primary never signed', () => {
    const forged = { ...vote('r2', 'P', D1), ppSig: 'not-the-primary' };
    const e = { suspect: 'r2', kind: 'forged-certificate', phase: 'prepare', v: 0, n: 1, messages: [forged] };
    expect(hear(e).detected).toEqual(['r2']);
    // With the primary's real signature the certificate was not forged.
    expect(hear({ ...e, messages: [vote('r2', 'P', D1)] }).detected).toEqual([]);
    // Nor is a vote the suspect did not sign.
    expect(hear({ ...e, messages: [{ ...forged, sig: 'forged' }] }).detected).toEqual([]);
    expect(hear({ ...e, messages: [] }).detected).toEqual([]);
  });

  it('without signatures nothing is proof', () => {
    const h = handReplica('r3', { auth: 'none' });
    onEvidence(h.s, h.ctx, 'r1', equivocation('r2', 'prepare', vote('r2', 'P', D1), vote('r2', 'P', D2)));
    expect(h.rejected()).toEqual([['r1', PBFT_KINDS.evidence, 'evidence does not prove anything']]);
  });

  it('never flags itself', () => {
    const h = hear(equivocation('r3', 'prepare', vote('r3', 'P', D1), vote('r3', 'P', D2)));
    expect([h.detected, h.suspects]).toEqual([[], []]);
  });
});

describe('judgeMismatch: a vote against the accepted pre-prepare', () => {
  const accepted: PrePrepare = { v: 0, n: 1, d: D1, batch: [], sig: sig('r0', prePrepareText(0, 1, D1)) };

  it('a vote carrying the primary’s signature of another digest convicts the primary of equivocation, with both pre-prepares, and shares it', () => {
    const h = handReplica('r3');
    judgeMismatch(h.s, h.ctx, 'prepare', vote('r1', 'P', D2), accepted);
    expect(h.events.filter((x) => x.type === 'pbft-detected')).toEqual([
      {
        type: 'pbft-detected',
        suspect: 'r0',
        kind: 'equivocation',
        phase: 'pre-prepare',
        view: 0,
        seq: 1,
        evidence: [
          { v: 0, n: 1, d: D1, sig: accepted.sig },
          { v: 0, n: 1, d: D2, sig: sig('r0', prePrepareText(0, 1, D2)) },
        ],
      },
    ]);
    expect(h.ofKind(PBFT_KINDS.evidence).map((m) => m.to)).toEqual(REPLICAS.filter((r) => r !== 'r3'));
  });

  it('without the primary’s signature, the voter vouched for what the primary never signed: a forged certificate', () => {
    const h = handReplica('r3');
    const forged = { ...vote('r1', 'P', D2), ppSig: 'made-up' };
    judgeMismatch(h.s, h.ctx, 'prepare', forged, accepted);
    expect(h.events.filter((x) => x.type === 'pbft-detected').map((x) => [x.suspect, x.kind, x.phase, x.evidence])).toEqual([
      ['r1', 'forged-certificate', 'prepare', [forged]],
    ]);
    expect(h.ofKind(PBFT_KINDS.evidence).map((m) => m.to)).toEqual(REPLICAS.filter((r) => r !== 'r3'));
  });

  it('a commit must carry its sender’s valid signature to prove anything; unsigned runs judge nothing', () => {
    const h = handReplica('r3');
    judgeMismatch(h.s, h.ctx, 'commit', { ...vote('r1', 'C', D2), sig: 'bad' }, accepted);
    expect([h.events.filter((x) => x.type === 'pbft-detected'), h.rejected()]).toEqual([[], [['r1', PBFT_KINDS.commit, 'bad signature']]]);
    const ok = handReplica('r3');
    judgeMismatch(ok.s, ok.ctx, 'commit', vote('r1', 'C', D2), accepted);
    expect(ok.events.filter((x) => x.type === 'pbft-detected').map((x) => x.suspect)).toEqual(['r0']);
    const unsigned = handReplica('r3', { auth: 'none' });
    judgeMismatch(unsigned.s, unsigned.ctx, 'prepare', vote('r1', 'P', D2), accepted);
    expect([unsigned.events, unsigned.sent]).toEqual([[], []]);
  });
});

describe('noteSigned: the first signed message per (phase, view, number, signer)', () => {
  const note = (h: ReturnType<typeof handReplica>, phase: 'pre-prepare' | 'prepare' | 'commit', signer: string, v: number, d: string, msg: unknown = { d }) =>
    noteSigned(h.s, h.ctx, phase, signer, v, 1, d, msg);

  it('a second message with another digest is equivocation: flagged, shared, and false returned', () => {
    const h = handReplica('r3');
    expect(note(h, 'prepare', 'r2', 0, D1)).toBe(true);
    expect(note(h, 'prepare', 'r2', 0, D1)).toBe(true); // the same again
    expect(note(h, 'prepare', 'r2', 0, D2)).toBe(false);
    expect(h.events.filter((x) => x.type === 'pbft-detected').map((x) => [x.suspect, x.phase, x.evidence])).toEqual([
      ['r2', 'prepare', [{ d: D1 }, { d: D2 }]],
    ]);
    expect(h.ofKind(PBFT_KINDS.evidence).map((m) => m.to)).toEqual(REPLICAS.filter((r) => r !== 'r3'));
  });

  it('other phases, views and signers are apart: no two of them are compared', () => {
    const h = handReplica('r3');
    // r3 is view 3's primary: its view-0 prepare and its view-3 pre-prepare, for one number.
    expect(note(h, 'prepare', 'r3', 0, D1)).toBe(true);
    expect(note(h, 'pre-prepare', 'r3', 3, D2)).toBe(true);
    expect(note(h, 'commit', 'r2', 0, D1)).toBe(true);
    expect(note(h, 'prepare', 'r2', 0, D2)).toBe(true);
    expect(note(h, 'prepare', 'r1', 0, D1)).toBe(true);
    expect(note(h, 'prepare', 'r1', 1, D2)).toBe(true);
    // r0's view-1 commit lands where r1's view-0 prepare is if the slot's number is divided by
    // the replica count instead of multiplied: another signer's message, not r0's.
    expect(note(h, 'commit', 'r0', 1, D2, vote('r0', 'C', D2, 1))).toBe(true);
    expect(h.events).toEqual([]);
  });

  it('two commits prove it only when both carry the signer’s valid signature', () => {
    const h = handReplica('r3');
    expect(noteSigned(h.s, h.ctx, 'commit', 'r2', 0, 1, D1, vote('r2', 'C', D1))).toBe(true);
    expect(noteSigned(h.s, h.ctx, 'commit', 'r2', 0, 1, D2, { ...vote('r2', 'C', D2), sig: 'bad' })).toBe(false);
    expect([h.events.filter((x) => x.type === 'pbft-detected'), h.rejected()]).toEqual([[], [['r2', PBFT_KINDS.commit, 'bad signature']]]);
    expect(noteSigned(h.s, h.ctx, 'commit', 'r2', 0, 1, D2, vote('r2', 'C', D2))).toBe(false);
    expect(h.events.filter((x) => x.type === 'pbft-detected').map((x) => x.suspect)).toEqual(['r2']);
  });

  it('unsigned runs and senders that are not replicas are let through', () => {
    const unsigned = handReplica('r3', { auth: 'none' });
    expect([note(unsigned, 'prepare', 'r2', 0, D1), note(unsigned, 'prepare', 'r2', 0, D2), unsigned.events]).toEqual([true, true, []]);
    const h = handReplica('r3');
    expect([note(h, 'prepare', 'client', 0, D1), note(h, 'prepare', 'client', 0, D2), h.events]).toEqual([true, true, []]);
  });
});
