import { describe, expect, it } from 'vitest';
import {
  BYZANTINE_KINDS,
  BYZANTINE_VOTER,
  type ByzantineKind,
  type ByzantineVoterProps,
  byzantineVoter,
  SECURITY_BYZANTINE_KINDS,
} from '../src/adversary/byzantine-voter.ts';
import type { Message } from '../src/actors/envelope.ts';
import { ballotText } from '../src/protocols/voting/vote-security.ts';
import { honestVote, type ProposalMessage } from '../src/protocols/voting/voter.ts';
import type { Vote } from '../src/protocols/voting/types.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';

/**
 * The Byzantine voter, one handler call at a time on a hand-driven context: for each kind, what
 * it sends, to whom, signed or sealed how, and what it draws (issue 20's mutation run of
 * src/adversary/byzantine-voter.ts). The honest part is checked against `honestVote` on the same
 * random stream.
 */

const proposal: ProposalMessage = { id: 'd1', question: 'Which?', options: ['A', 'B', 'C'] };
const props = (byzantine: ByzantineKind[], extra: Partial<ByzantineVoterProps> = {}): ByzantineVoterProps => ({
  role: 'coder',
  truth: 'A',
  byzantine,
  ...extra,
});

/** The voter's handler on one proposal from `coord`, with a fresh state unless given. */
function vote(
  byzantine: ByzantineKind[],
  options: { extra?: Partial<ByzantineVoterProps>; random?: number[]; members?: string[]; p?: ProposalMessage; state?: { count: number; last: unknown } } = {},
) {
  const f = fakeContext('v1', props(byzantine, options.extra), { random: options.random ?? [0.5], members: options.members });
  const state = options.state ?? byzantineVoter.init(f.ctx as never);
  byzantineVoter.receive(state as never, envelope('coord', 'v1', 'proposal', options.p ?? proposal), f.ctx as never);
  return { ...f, state };
}

/** The vote an honest voter with these props casts on the same random stream. */
function honest(byzantine: ByzantineKind[], random: number[] = [0.5], p: ProposalMessage = proposal, extra: Partial<ByzantineVoterProps> = {}): Vote {
  return honestVote(p, fakeContext('v1', props(byzantine, extra), { random }).ctx);
}

const clear = (decision: string, v: Vote): Message => ({ kind: 'vote', body: { decision, vote: v } });

describe('the kinds', () => {
  it('lists every kind, and the security ones apart', () => {
    expect(BYZANTINE_KINDS).toEqual([
      'conflicting_votes',
      'false_information',
      'delayed_responses',
      'silent',
      'random',
      'replay',
      'forge_votes',
      'strip_signatures',
      'tamper_ciphertext',
      'unjustified',
    ]);
    expect(SECURITY_BYZANTINE_KINDS).toEqual(['forge_votes', 'strip_signatures', 'tamper_ciphertext', 'unjustified']);
    expect(Object.isFrozen(BYZANTINE_KINDS) && Object.isFrozen(SECURITY_BYZANTINE_KINDS)).toBe(true);
    const ref = BYZANTINE_VOTER as { module: string; export: string };
    expect(ref.export).toBe('byzantineVoter');
    expect(ref.module).toMatch(/[/\\]adversary[/\\]byzantine-voter\.ts$/);
  });
});

describe('what it answers', () => {
  it('with no kind: the honest ballot, once, to the proposer; the state counts it and keeps it', () => {
    const r = vote([]);
    const v = honest([]);
    expect(r.sent).toEqual([{ to: 'coord', message: clear('d1', v) }]);
    expect(r.state).toEqual({ count: 1, last: { decision: 'd1', vote: v } });
  });

  it('forges nothing unless forge_votes is one of its kinds, whoever else is a member', () => {
    expect(vote(['conflicting_votes'], { members: ['coord', 'v1', 'v2'] }).sent).toHaveLength(2);
    expect(vote([], { members: ['coord', 'v1', 'v2'] }).sent).toHaveLength(1);
  });

  it('silent: nothing, and the state is untouched', () => {
    const r = vote(['silent', 'conflicting_votes']);
    expect(r.sent).toEqual([]);
    expect(r.timers.size).toBe(0);
    expect(r.state).toEqual({ count: 0, last: undefined });
  });

  it('ignores what is not a proposal, and a proposal it cannot read', () => {
    const f = fakeContext('v1', props([]));
    const state = byzantineVoter.init(f.ctx as never);
    byzantineVoter.receive(state as never, envelope('coord', 'v1', 'ping', proposal), f.ctx as never);
    byzantineVoter.receive(state as never, envelope('coord', 'v1', 'proposal', { id: 'd1', options: [] }), f.ctx as never);
    expect(f.sent).toEqual([]);
    expect(state).toEqual({ count: 0, last: undefined });
  });

  it('unjustified: the honest vote without its reason', () => {
    expect(vote(['unjustified']).sent).toEqual([{ to: 'coord', message: clear('d1', { ...honest([]), reason: '' }) }]);
  });

  it('false_information: an option other than the truth, drawn after the honest vote, fully confident, with a made-up reason', () => {
    // The honest vote draws 3 numbers; the lie draws the 4th: 0.5 of [B, C] is C; 0.2 would be B.
    expect(vote(['false_information']).sent).toEqual([
      { to: 'coord', message: clear('d1', { ...honest([]), decision: 'C', confidence: 1, reason: 'overwhelming evidence (fabricated)' }) },
    ]);
    const r = vote(['false_information'], { random: [0.5, 0.5, 0.5, 0.2] });
    expect((r.sent[0].message.body as { vote: Vote }).vote.decision).toBe('B');
    expect(r.draws()).toBe(4);
  });

  it('false_information with the truth the only option: keeps it', () => {
    const p = { ...proposal, options: ['A'] };
    const r = vote(['false_information'], { p });
    expect((r.sent[0].message.body as { vote: Vote }).vote).toMatchObject({ decision: 'A', confidence: 1 });
  });

  it('conflicting_votes: its vote, then the first other option', () => {
    const v = honest([]);
    expect(v.decision).toBe('A');
    expect(vote(['conflicting_votes']).sent).toEqual([
      { to: 'coord', message: clear('d1', v) },
      { to: 'coord', message: clear('d1', { ...v, decision: 'B' }) },
    ]);
    // Honest choice C (not the truth): the other is A.
    const rc = vote(['conflicting_votes'], { random: [0.9] });
    expect(rc.sent.map((s) => (s.message.body as { vote: Vote }).vote.decision)).toEqual(['C', 'A']);
  });

  it('conflicting_votes with one option: the same vote twice', () => {
    const p = { ...proposal, options: ['A'] };
    const r = vote(['conflicting_votes'], { p });
    expect(r.sent.map((s) => (s.message.body as { vote: Vote }).vote.decision)).toEqual(['A', 'A']);
  });
});

describe('delayed_responses', () => {
  it('holds the ballot on a timer of the decision (1 s by default), sends nothing now', () => {
    const r = vote(['delayed_responses']);
    expect(r.sent).toEqual([]);
    expect([...r.timers]).toEqual([['late:d1', { delayMs: 1000, message: { kind: 'deliver-late', body: { to: 'coord', message: clear('d1', honest([])) } } }]]);
    expect(vote(['delayed_responses'], { extra: { delayMs: 250 } }).timers.get('late:d1')?.delayMs).toBe(250);
    expect(r.state).toMatchObject({ count: 1 });
  });

  it('sends what it held when its own timer fires', () => {
    const r = vote(['delayed_responses']);
    const held = r.timers.get('late:d1')!.message;
    byzantineVoter.receive(r.state as never, envelope('v1', 'v1', held.kind, held.body), r.ctx as never);
    expect(r.sent).toEqual([{ to: 'coord', message: clear('d1', honest([])) }]);
    expect(r.state).toMatchObject({ count: 1 });
  });

  it('a deliver-late from anyone else makes it send nothing (nobody else can make it speak)', () => {
    const f = fakeContext('v1', props(['delayed_responses']));
    const state = byzantineVoter.init(f.ctx as never);
    const forged = { to: 'p9', message: { kind: 'vote', body: { decision: 'd1', vote: { agent: 'v1', decision: 'Z' } } } };
    byzantineVoter.receive(state as never, envelope('mallory', 'v1', 'deliver-late', forged), f.ctx as never);
    expect(f.sent).toEqual([]);
  });
});

describe('replay and random', () => {
  it('replay: nothing extra on the first proposal; on the next, the ballot before it again', () => {
    const first = vote(['replay']);
    expect(first.sent).toHaveLength(1);
    const before = first.sent[0].message;
    const f = fakeContext('v1', props(['replay']));
    byzantineVoter.receive(first.state as never, envelope('coord', 'v1', 'proposal', { ...proposal, id: 'd2' }), f.ctx as never);
    expect(f.sent.map((s) => s.message)).toEqual([clear('d2', honest([])), before]);
    expect(first.state).toMatchObject({ count: 2, last: { decision: 'd2' } });
  });

  it('random: one noise ballot besides its vote, picked by the 4 draws after the honest vote', () => {
    // 0.5: a made-up option (the second of three noises).
    const mid = vote(['random']);
    const v = honest([]);
    expect(mid.sent).toEqual([
      { to: 'coord', message: clear('d1', v) },
      { to: 'coord', message: clear('d1', { ...v, decision: 'option-500000' }) },
    ]);
    expect(mid.draws()).toBe(7);
    // 0.1: a made-up decision.
    const low = vote(['random'], { random: [0.1] });
    expect(low.sent[1].message).toEqual(clear('d1-100000', honest([], [0.1])));
    // 0.9: a confidence out of range.
    const high = vote(['random'], { random: [0.9] });
    expect(high.sent[1].message).toEqual(clear('d1', { ...honest([], [0.9]), confidence: 10 }));
  });
});

describe('against the ballot security', () => {
  const sign = { sign: true, encrypt: false };
  const seal = { sign: false, encrypt: true };

  it('signs as the honest voter would; strip_signatures sends the same ballot unsigned', () => {
    const v = honest([]);
    const signed = vote([], { extra: { ballot: sign } }).sent;
    expect(signed).toEqual([
      { to: 'coord', message: { kind: 'vote', body: { decision: 'd1', vote: v, signature: `sig[v1](${ballotText('coord', 'd1', v)})` } } },
    ]);
    expect(vote(['strip_signatures'], { extra: { ballot: sign } }).sent).toEqual([{ to: 'coord', message: clear('d1', v) }]);
    // With no security configured it has nothing to strip.
    expect(vote(['strip_signatures']).sent).toEqual([{ to: 'coord', message: clear('d1', v) }]);
  });

  it('strip_signatures keeps the encryption', () => {
    const v = honest([]);
    expect(vote(['strip_signatures'], { extra: { ballot: { sign: true, encrypt: true } } }).sent).toEqual([
      { to: 'coord', message: { kind: 'vote', body: { sealed: `sealed[coord](${JSON.stringify({ decision: 'd1', vote: v })})` } } },
    ]);
  });

  it('tamper_ciphertext: one character in the middle of the sealed text changed to A (to B where it was A)', () => {
    const v = honest([]);
    const text = `sealed[coord](${JSON.stringify({ decision: 'd1', vote: v })})`;
    const got = (vote(['tamper_ciphertext'], { extra: { ballot: seal } }).sent[0].message.body as { sealed: string }).sealed;
    const i = Math.floor(text.length / 2);
    expect(text[i]).not.toBe('A');
    expect(got).toBe(`${text.slice(0, i)}A${text.slice(i + 1)}`);
    // A decision id of A's puts an A in the middle: it becomes B.
    const id = 'A'.repeat(400);
    const vA = honest([], [0.5], { ...proposal, id });
    const textA = `sealed[coord](${JSON.stringify({ decision: id, vote: vA })})`;
    const j = Math.floor(textA.length / 2);
    expect(textA[j]).toBe('A');
    const gotA = (vote(['tamper_ciphertext'], { extra: { ballot: seal }, p: { ...proposal, id } }).sent[0].message.body as { sealed: string }).sealed;
    expect(gotA).toBe(`${textA.slice(0, j)}B${textA.slice(j + 1)}`);
  });

  it('tamper_ciphertext leaves a ballot in clear as it is, every copy', () => {
    const v = honest([]);
    expect(vote(['tamper_ciphertext', 'conflicting_votes']).sent).toEqual([
      { to: 'coord', message: clear('d1', v) },
      { to: 'coord', message: clear('d1', { ...v, decision: 'B' }) },
    ]);
  });

  it('forge_votes: a vote naming the first other member (not itself, not the proposer), for another option, fully confident', () => {
    const v = honest([]);
    const forged = { ...v, agent: 'v2', decision: 'B', confidence: 1 };
    expect(vote(['forge_votes'], { members: ['coord', 'v1', 'v2', 'v3'] }).sent).toEqual([
      { to: 'coord', message: clear('d1', v) },
      { to: 'coord', message: clear('d1', forged) },
    ]);
    // Signed with its own key (the only one it has), over the victim's vote.
    expect(vote(['forge_votes'], { members: ['v1', 'coord', 'v3'], extra: { ballot: sign } }).sent[1]).toEqual({
      to: 'coord',
      message: {
        kind: 'vote',
        body: { decision: 'd1', vote: { ...forged, agent: 'v3' }, signature: `sig[v1](${ballotText('coord', 'd1', { ...forged, agent: 'v3' })})` },
      },
    });
    // Sealed for the proposer when ballots are encrypted, unsigned when they are not signed.
    expect(vote(['forge_votes'], { members: ['coord', 'v1', 'v2'], extra: { ballot: seal } }).sent[1]).toEqual({
      to: 'coord',
      message: { kind: 'vote', body: { sealed: `sealed[coord](${JSON.stringify({ decision: 'd1', vote: forged })})` } },
    });
  });

  it('forge_votes with nobody else to name forges nothing; with one option it names that option', () => {
    expect(vote(['forge_votes'], { members: ['coord', 'v1'] }).sent).toHaveLength(1);
    const p = { ...proposal, options: ['A'] };
    const r = vote(['forge_votes'], { members: ['coord', 'v1', 'v2'], p });
    expect((r.sent[1].message.body as { vote: Vote }).vote).toMatchObject({ agent: 'v2', decision: 'A' });
  });
});
