import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import type { Envelope } from '../src/actors/envelope.ts';
import { KeyRing } from '../src/actors/key-ring.ts';
import { ballot, openBallot, type VoteSecurity } from '../src/protocols/voting/vote-security.ts';
import type { Vote } from '../src/protocols/voting/types.ts';

/** Contexts as the runtime gives them, over one key ring: each signs and decrypts as itself only. */
const ring = new KeyRing('ed25519', 'ballot-test');
const ctxOf = (self: string) =>
  ({
    self,
    sign: (data: string) => ring.sign(self, data),
    verify: (signer: string, data: string, sig: string) => ring.verify(signer, data, sig),
    encryptFor: (to: string, text: string) => ring.encrypt(self, to, text),
    decryptFrom: (from: string, box: string) => ring.decrypt(self, from, box),
  }) as unknown as ActorContext<unknown>;

const vote: Vote = { agent: 'alice', role: 'coder', decision: 'A', reason: 'fits', confidence: 0.8 };
const envelope = (from: string, to: string, body: unknown) => ({ id: 1, from, to, kind: 'vote', body }) as Envelope;
const coordinator = ctxOf('coordinator');
const BOTH: VoteSecurity = { sign: true, encrypt: true };

describe('ballots: what the coordinator takes and refuses', () => {
  it('takes a signed, encrypted ballot from its voter, and reads the vote', () => {
    const m = ballot(ctxOf('alice'), 'coordinator', { decision: 'd1', vote }, BOTH);
    expect(Object.keys(m.body as object)).toEqual(['sealed']);
    const opened = openBallot(envelope('alice', 'coordinator', m.body), coordinator, BOTH);
    expect(opened).toEqual({ body: { decision: 'd1', vote, signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) } });
  });

  it('refuses unsigned, a signature over another vote, another decision or another coordinator, and a vote naming someone else', () => {
    const sign = { sign: true };
    const signed = ballot(ctxOf('alice'), 'coordinator', { decision: 'd1', vote }, sign).body as { decision: string; vote: Vote; signature: string };
    const open = (body: unknown, from = 'alice', at = coordinator) => openBallot(envelope(from, at.self, body), at, sign);
    expect(open(signed)).toEqual({ body: signed });
    expect(open({ decision: 'd1', vote })).toEqual({ refused: 'unsigned' });
    const own = { refused: 'bad-signature', evidence: 'd1: a vote whose signature is not its own over it' };
    expect(open({ ...signed, vote: { ...vote, decision: 'B' } })).toEqual(own);
    expect(open({ ...signed, vote: { ...vote, confidence: 1 } })).toEqual(own);
    expect(open({ ...signed, decision: 'd2' })).toEqual({ ...own, evidence: 'd2: a vote whose signature is not its own over it' });
    expect(open(signed, 'alice', ctxOf('coordinator-2'))).toEqual(own);
    expect(open({ ...signed, signature: 42 })).toEqual(own);
    // Mallory passing on alice's genuine signed vote, or signing one that names alice.
    expect(open(signed, 'mallory')).toEqual({ refused: 'bad-signature', evidence: 'd1: sent a vote naming alice as its voter' });
    const forged = ballot(ctxOf('mallory'), 'coordinator', { decision: 'd1', vote }, sign).body;
    expect(open(forged, 'mallory')).toEqual({ refused: 'bad-signature', evidence: 'd1: sent a vote naming alice as its voter' });
  });

  it('refuses a ballot in clear, one sealed for someone else or by someone else, and a changed one', () => {
    const enc = { encrypt: true };
    const open = (body: unknown, from = 'alice') => openBallot(envelope(from, 'coordinator', body), coordinator, enc);
    expect(open({ decision: 'd1', vote })).toEqual({ refused: 'unencrypted' });
    const sealed = (ballot(ctxOf('alice'), 'coordinator', { decision: 'd1', vote }, enc).body as { sealed: string }).sealed;
    expect(open({ sealed })).toEqual({ body: { decision: 'd1', vote } });
    expect(open({ sealed }, 'mallory')).toEqual({ refused: 'undecryptable' });
    const forBob = (ballot(ctxOf('alice'), 'bob', { decision: 'd1', vote }, enc).body as { sealed: string }).sealed;
    expect(open({ sealed: forBob })).toEqual({ refused: 'undecryptable' });
    const i = 30;
    expect(open({ sealed: `${sealed.slice(0, i)}${sealed[i] === 'A' ? 'B' : 'A'}${sealed.slice(i + 1)}` })).toEqual({ refused: 'undecryptable' });
  });
});
