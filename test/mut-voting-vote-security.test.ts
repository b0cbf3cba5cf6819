import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import type { Vote } from '../src/protocols/voting/types.ts';
import { ballot, ballotText, checkCompliance, complianceFinding, justified, openBallot, refusalCounters } from '../src/protocols/voting/vote-security.ts';
import { fakeContext } from './fixtures/mut-context.ts';

/**
 * Ballot security and the audit checks, exactly (issue 20's mutation run of
 * src/protocols/voting/vote-security.ts): the signed text, what a voter sends for each setting,
 * each refusal of the coordinator with its evidence, and the compliance rule at its edges.
 */

const vote = (agent: string, extra: Partial<Vote> = {}): Vote => ({ agent, role: 'r', decision: 'A', reason: 'why', confidence: 0.5, ...extra });
const env = (from: string, body: unknown): Envelope => ({ id: 1, from, to: 'coord', kind: 'vote', body, corr: undefined, re: undefined });

describe('refusalCounters', () => {
  it('one counter at 0 for each refusal a setting enforces', () => {
    expect(refusalCounters(undefined)).toStrictEqual({});
    expect(refusalCounters({})).toStrictEqual({});
    expect(refusalCounters({ sign: true })).toStrictEqual({ unsigned: 0, 'bad-signature': 0 });
    expect(refusalCounters({ encrypt: true })).toStrictEqual({ unencrypted: 0, undecryptable: 0 });
    expect(refusalCounters({ justify: true })).toStrictEqual({ unjustified: 0 });
    expect(refusalCounters({ sign: false, encrypt: false, justify: false, detailedLogging: true, compliance: true })).toStrictEqual({});
  });
});

describe('ballotText', () => {
  it('names the coordinator and the decision, and the vote with its keys sorted at every level', () => {
    expect(ballotText('coord', 'd1', { b: 1, a: { d: [1, { y: 2, x: 'q' }], c: null } })).toBe(
      'conclave-vote\u0000coord\u0000d1\u0000{"a":{"c":null,"d":[1,{"x":"q","y":2}]},"b":1}',
    );
  });

  it('leaves out undefined members as JSON does, writes undefined in an array as null, and a bare undefined as null', () => {
    expect(ballotText('c', 'd', { a: undefined, b: [undefined, 'x'], c: 'k' })).toBe('conclave-vote\u0000c\u0000d\u0000{"b":[null,"x"],"c":"k"}');
    expect(ballotText('c', 'd', undefined)).toBe('conclave-vote\u0000c\u0000d\u0000null');
    expect(ballotText('c', 'd', [])).toBe('conclave-vote\u0000c\u0000d\u0000[]');
    expect(ballotText('c', 'd', {})).toBe('conclave-vote\u0000c\u0000d\u0000{}');
    expect(ballotText('c', 'd', 'a"b')).toBe('conclave-vote\u0000c\u0000d\u0000"a\\"b"');
  });
});

describe('ballot', () => {
  const body = { decision: 'd1', vote: vote('v1') };

  it('in clear without settings', () => {
    const f = fakeContext('v1', {});
    expect(ballot(f.ctx, 'coord', body, undefined)).toStrictEqual({ kind: 'vote', body });
    expect(ballot(f.ctx, 'coord', body, {})).toStrictEqual({ kind: 'vote', body });
  });

  it('signed: the signature over the text for this coordinator and decision', () => {
    const f = fakeContext('v1', {});
    expect(ballot(f.ctx, 'coord', body, { sign: true })).toStrictEqual({
      kind: 'vote',
      body: { ...body, signature: `sig[v1](${ballotText('coord', 'd1', body.vote)})` },
    });
  });

  it('encrypted: only the sealed text, of the signed ballot when signing too', () => {
    const f = fakeContext('v1', {});
    expect(ballot(f.ctx, 'coord', body, { encrypt: true })).toStrictEqual({ kind: 'vote', body: { sealed: `sealed[coord](${JSON.stringify(body)})` } });
    const signed = { ...body, signature: `sig[v1](${ballotText('coord', 'd1', body.vote)})` };
    expect(ballot(f.ctx, 'coord', body, { sign: true, encrypt: true })).toStrictEqual({
      kind: 'vote',
      body: { sealed: `sealed[coord](${JSON.stringify(signed)})` },
    });
  });
});

describe('openBallot', () => {
  /** A coordinator context whose decryption and verification are given. */
  const coord = (decrypt: (from: string, box: string) => string | undefined = () => undefined, verify = (_s: string, _d: string, _sig: string) => true) => {
    const f = fakeContext('coord', {});
    return { ...f.ctx, decryptFrom: decrypt, verify };
  };
  const good = { decision: 'd1', vote: vote('v1'), signature: 'S' };

  it('without settings: the body as it came', () => {
    const b = { anything: 1 };
    expect(openBallot(env('v1', b), coord(), undefined)).toStrictEqual({ body: b });
    expect(openBallot(env('v1', undefined), coord(), {})).toStrictEqual({ body: undefined });
  });

  it('encrypted: refuses a ballot in clear or one that does not decrypt; garbage inside is the body undefined', () => {
    const seen: [string, string][] = [];
    const ctx = coord((from, box) => {
      seen.push([from, box]);
      return box === 'ok' ? JSON.stringify({ x: 1 }) : box === 'junk' ? '{not json' : undefined;
    });
    expect(openBallot(env('v1', { decision: 'd1' }), ctx, { encrypt: true })).toStrictEqual({ refused: 'unencrypted' });
    expect(openBallot(env('v1', undefined), ctx, { encrypt: true })).toStrictEqual({ refused: 'unencrypted' });
    expect(openBallot(env('v1', { sealed: 5 }), ctx, { encrypt: true })).toStrictEqual({ refused: 'unencrypted' });
    expect(openBallot(env('v1', { sealed: 'bad' }), ctx, { encrypt: true })).toStrictEqual({ refused: 'undecryptable' });
    expect(openBallot(env('v2', { sealed: 'junk' }), ctx, { encrypt: true })).toStrictEqual({ body: undefined });
    expect(openBallot(env('v3', { sealed: 'ok' }), ctx, { encrypt: true })).toStrictEqual({ body: { x: 1 } });
    expect(seen).toStrictEqual([
      ['v1', 'bad'],
      ['v2', 'junk'],
      ['v3', 'ok'],
    ]);
  });

  it('signed: refuses a ballot with no signature as unsigned, without evidence', () => {
    for (const body of [undefined, null, 'x', { decision: 'd1', vote: vote('v1') }])
      expect(openBallot(env('v1', body), coord(), { sign: true })).toStrictEqual({ refused: 'unsigned' });
  });

  it('signed: a vote naming another voter is a bad signature, with evidence naming whom', () => {
    expect(openBallot(env('v1', { ...good, vote: vote('v2') }), coord(), { sign: true })).toStrictEqual({
      refused: 'bad-signature',
      evidence: 'd1: sent a vote naming v2 as its voter',
    });
    expect(openBallot(env('v1', { decision: 7, vote: { agent: 3 }, signature: 'S' }), coord(), { sign: true })).toStrictEqual({
      refused: 'bad-signature',
      evidence: '?: sent a vote naming nobody as its voter',
    });
    expect(openBallot(env('v1', { decision: 'd1', signature: 'S' }), coord(), { sign: true })).toStrictEqual({
      refused: 'bad-signature',
      evidence: 'd1: sent a vote naming nobody as its voter',
    });
  });

  it('signed: the signature must be the sender’s over this coordinator, decision and vote', () => {
    const asked: [string, string, string][] = [];
    const ctx = coord(undefined, (s, d, sig) => {
      asked.push([s, d, sig]);
      return sig === 'S';
    });
    expect(openBallot(env('v1', good), ctx, { sign: true })).toStrictEqual({ body: good });
    expect(asked).toStrictEqual([['v1', ballotText('coord', 'd1', good.vote), 'S']]);
    const bad = { refused: 'bad-signature', evidence: 'd1: a vote whose signature is not its own over it' };
    expect(openBallot(env('v1', { ...good, signature: 'T' }), ctx, { sign: true })).toStrictEqual(bad);
    expect(openBallot(env('v1', { ...good, signature: 5 }), ctx, { sign: true })).toStrictEqual(bad);
    expect(openBallot(env('v1', { ...good, decision: 5 }), ctx, { sign: true })).toStrictEqual({
      refused: 'bad-signature',
      evidence: '?: a vote whose signature is not its own over it',
    });
    expect(asked).toHaveLength(2);
  });

  it('encrypted and signed: decrypts, then checks the signature inside', () => {
    const ctx = coord((_f, box) => box);
    expect(openBallot(env('v1', { sealed: JSON.stringify(good) }), ctx, { sign: true, encrypt: true })).toStrictEqual({ body: good });
    expect(openBallot(env('v1', { sealed: JSON.stringify({ decision: 'd1', vote: vote('v1') }) }), ctx, { sign: true, encrypt: true })).toStrictEqual({
      refused: 'unsigned',
    });
  });
});

describe('justified', () => {
  it('a reason with something other than blanks', () => {
    expect(justified({ reason: 'x' })).toBe(true);
    expect(justified({ reason: ' x ' })).toBe(true);
    expect(justified({ reason: '' })).toBe(false);
    expect(justified({ reason: ' \t' })).toBe(false);
    expect(justified({ reason: 5 })).toBe(false);
    expect(justified({})).toBe(false);
  });
});

describe('compliance', () => {
  const yes = { consensus: true, decision: 'A', strength: 1 };
  const no = { consensus: false, strength: 0 };
  const votes = (justifiedCount: number, of: number) => Array.from({ length: of }, (_, i) => vote(`v${i}`, { reason: i < justifiedCount ? 'why' : '' }));

  it('a decision without consensus is not checked', () => {
    expect(complianceFinding(votes(0, 3), no, undefined, 1)).toBeUndefined();
  });

  it('a decision with consensus needs its policy on record', () => {
    expect(complianceFinding(votes(3, 3), yes, undefined, 0.5)).toBe('no policy recorded for the decision');
    expect(complianceFinding(votes(3, 3), yes, '', 0.5)).toBe('no policy recorded for the decision');
    expect(complianceFinding(votes(3, 3), yes, 'p', 0.5)).toBeUndefined();
  });

  it('and at least threshold of its votes justified (exactly the threshold is enough); no votes at all fails', () => {
    expect(complianceFinding(votes(1, 2), yes, 'p', 0.5)).toBeUndefined();
    expect(complianceFinding(votes(1, 3), yes, 'p', 0.5)).toBe('only 1 of 3 votes justified (needs 50%)');
    expect(complianceFinding(votes(2, 3), yes, 'p', 0.675)).toBe('only 2 of 3 votes justified (needs 68%)');
    expect(complianceFinding([], yes, 'p', 0)).toBe('only 0 of 0 votes justified (needs 0%)');
    expect(complianceFinding(votes(0, 2), yes, 'p', 0)).toBeUndefined();
  });

  it('checkCompliance counts the checked, the failed, keeps the first 100 findings and traces each', () => {
    const f = fakeContext('coord', {});
    const books = { checked: 0, failed: 0, findings: [] as { decision: string; finding: string }[] };
    checkCompliance(books, 'd0', votes(0, 2), no, 'p', 0.5, f.ctx);
    expect(books).toStrictEqual({ checked: 0, failed: 0, findings: [] });
    checkCompliance(books, 'd1', votes(2, 2), yes, 'p', 0.5, f.ctx);
    expect(books).toStrictEqual({ checked: 1, failed: 0, findings: [] });
    expect(f.emitted).toStrictEqual([]);
    for (let i = 2; i <= 102; i++) checkCompliance(books, `d${i}`, votes(0, 2), yes, 'p', 0.5, f.ctx);
    expect(books.checked).toBe(102);
    expect(books.failed).toBe(101);
    expect(books.findings).toHaveLength(100);
    expect(books.findings[0]).toStrictEqual({ decision: 'd2', finding: 'only 0 of 2 votes justified (needs 50%)' });
    expect(books.findings[99].decision).toBe('d101');
    expect(f.emitted).toHaveLength(101);
    expect(f.emitted[100]).toStrictEqual({ type: 'compliance-finding', decision: 'd102', finding: 'only 0 of 2 votes justified (needs 50%)' });
  });
});
