import { describe, expect, it } from 'vitest';
import { ballotText } from '../src/protocols/voting/vote-security.ts';
import { asProposal, honestVote, type ProposalMessage, voter, type VoterProps } from '../src/protocols/voting/voter.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';

/**
 * The simulated voter, one call at a time on a hand-driven context whose random stream is fixed
 * (issue 20's mutation run of src/protocols/voting/voter.ts): which option it picks for each
 * draw, the default accuracy and reasons, the confidence and its rounding, the fields it adds,
 * and what it answers to which message.
 */

const DEFAULT_REASONS = ['fits the requirements best', 'proven at this scale', 'the team knows it well', 'lowest operating risk', 'best long-term fit'];
const p3: ProposalMessage = { id: 'd1', question: 'Which?', options: ['A', 'B', 'C'] };

/** The vote of `v1` with these props on `p`, and how many numbers it drew. */
function cast(props: Partial<VoterProps>, random: number[], p: ProposalMessage = p3) {
  const f = fakeContext<VoterProps>('v1', { role: 'coder', ...props }, { random });
  return { vote: honestVote(p, f.ctx), draws: f.draws() };
}

describe('honestVote: the choice', () => {
  it('sees the truth when the first draw is below the accuracy: three draws (truth, reason, confidence)', () => {
    expect(cast({ truth: 'A', accuracy: 0.8 }, [0.1, 0.5, 0.25])).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'A', reason: 'the team knows it well', confidence: 0.7 },
      draws: 3,
    });
  });

  it('the default accuracy is 0.7: a draw of 0.69 sees the truth, a draw of exactly 0.7 does not', () => {
    expect(cast({ truth: 'A' }, [0.69, 0, 0]).vote.decision).toBe('A');
    // 0.7 is not below 0.7: the second draw picks among the others, B and C (0.6 * 2 -> C).
    expect(cast({ truth: 'A' }, [0.7, 0.6, 0, 0.5])).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'C', reason: DEFAULT_REASONS[0], confidence: 0.5 },
      draws: 4,
    });
    expect(cast({ truth: 'A' }, [0.7, 0.4, 0, 0.5]).vote.decision).toBe('B');
    expect(cast({ truth: 'A', accuracy: 0.7 }, [0.7, 0.4, 0, 0.5]).vote.decision).toBe('B');
  });

  it('a missed truth is never picked among the others, and the confidence is 0.3 + 0.4 r', () => {
    // 0 picks index 0 of the others [B, C]: B (over all three options it would be A).
    expect(cast({ truth: 'A', accuracy: 0.5 }, [0.9, 0, 0.99, 1 / 8]).vote).toStrictEqual({
      agent: 'v1',
      role: 'coder',
      decision: 'B',
      reason: 'best long-term fit',
      confidence: 0.35,
    });
    expect(cast({ truth: 'B', accuracy: 0.5 }, [0.9, 0.4, 0, 0]).vote.decision).toBe('A');
    expect(cast({ truth: 'B', accuracy: 0.5 }, [0.9, 0.5, 0, 0]).vote.decision).toBe('C');
  });

  it('with no truth, or a truth that is not an option, no draw is spent on it: any option uniformly', () => {
    expect(cast({}, [0.5, 0.2, 0.5])).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'B', reason: 'proven at this scale', confidence: 0.5 },
      draws: 3,
    });
    expect(cast({ truth: 'Z', accuracy: 1 }, [0.0, 0.2, 0.5])).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'A', reason: 'proven at this scale', confidence: 0.5 },
      draws: 3,
    });
    expect(cast({ truth: 'Z', accuracy: 1 }, [0.9, 0.2, 0.5]).vote.decision).toBe('C');
  });

  it('with no truth, an option that is not a string (an adversary may send anything) is not taken for it', () => {
    const odd = { id: 'd3', question: 'Q', options: [undefined as unknown as string, 'B'] };
    // No truth: the first draw picks an option (0.9 * 2 -> B), it does not test the accuracy.
    expect(cast({ accuracy: 1 }, [0.9, 0, 0], odd)).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'B', reason: DEFAULT_REASONS[0], confidence: 0.3 },
      draws: 3,
    });
  });

  it('a truth that is the only option, missed: it is still the vote (nothing else to pick), with a low confidence', () => {
    expect(cast({ truth: 'A', accuracy: 0 }, [0.5, 0, 0, 0.5], { id: 'd2', question: 'Q', options: ['A'] })).toStrictEqual({
      vote: { agent: 'v1', role: 'coder', decision: 'A', reason: DEFAULT_REASONS[0], confidence: 0.5 },
      draws: 4,
    });
  });

  it("a stage's own truth comes first; a stage without one, or no stage, takes the task's", () => {
    const props: Partial<VoterProps> = { truth: 'A', accuracy: 1, stageTruths: { design: 'C', undefined: 'B' } };
    expect(cast(props, [0, 0, 0], { ...p3, stage: 'design' }).vote.decision).toBe('C');
    expect(cast(props, [0, 0, 0], { ...p3, stage: 'review' }).vote.decision).toBe('A');
    expect(cast(props, [0, 0, 0]).vote.decision).toBe('A');
    expect(cast({ truth: 'A', accuracy: 1 }, [0, 0, 0], { ...p3, stage: 'design' }).vote.decision).toBe('A');
  });
});

describe('honestVote: reason, confidence and fields', () => {
  it("picks its role's own reasons; an empty list takes the defaults", () => {
    expect(cast({ reasons: ['r1', 'r2'] }, [0, 0.5, 0]).vote.reason).toBe('r2');
    expect(cast({ reasons: ['r1', 'r2'] }, [0, 0.49, 0]).vote.reason).toBe('r1');
    expect(cast({ reasons: [] }, [0, 0.99, 0]).vote.reason).toBe('best long-term fit');
  });

  it('rounds the confidence to two decimals, for a seen and a missed truth', () => {
    expect(cast({ truth: 'A', accuracy: 1 }, [0, 0, 0.123456]).vote.confidence).toBe(0.65);
    expect(cast({ truth: 'A', accuracy: 1 }, [0, 0, 0.99]).vote.confidence).toBe(1);
    expect(cast({ truth: 'A', accuracy: 1 }, [0, 0, 0]).vote.confidence).toBe(0.6);
    expect(cast({ truth: 'A', accuracy: 0 }, [0.5, 0, 0, 0.123456]).vote.confidence).toBe(0.35);
    expect(cast({}, [0, 0, 0.99]).vote.confidence).toBe(0.7);
  });

  it('adds its vote fields (never over agent, role, decision, reason or confidence) and its risk view when it has one', () => {
    const v = cast(
      { truth: 'A', accuracy: 1, riskView: 'high', voteFields: { evidence_level: 'strong', agent: 'mallory', decision: 'Z', confidence: 5 } },
      [0, 0, 0],
    ).vote;
    expect(v).toStrictEqual({ evidence_level: 'strong', agent: 'v1', role: 'coder', decision: 'A', reason: DEFAULT_REASONS[0], confidence: 0.6, risk: 'high' });
    expect('risk' in cast({}, [0, 0, 0]).vote).toBe(false);
  });
});

describe('asProposal', () => {
  it('takes a well-formed proposal as it is', () => {
    const p = { id: 'd1', question: 'Q', options: ['A'] };
    expect(asProposal(p)).toBe(p);
  });

  it('refuses anything else', () => {
    for (const body of [undefined, null, 'd1', 7, {}, { id: 1, options: ['A'] }, { id: 'd1' }, { id: 'd1', options: 'AB' }, { id: 'd1', options: [] }])
      expect(asProposal(body)).toBeUndefined();
  });
});

describe('the voter behaviour', () => {
  it('starts at 0, answers a proposal with one clear ballot to its sender, and counts it', () => {
    const f = fakeContext<VoterProps>('v1', { role: 'coder', truth: 'A', accuracy: 1 }, { random: [0] });
    expect(voter.init(f.ctx)).toBe(0);
    expect(voter.receive(4, envelope('coord', 'v1', 'proposal', p3), f.ctx)).toBe(5);
    expect(f.sent).toStrictEqual([
      {
        to: 'coord',
        message: { kind: 'vote', body: { decision: 'd1', vote: { agent: 'v1', role: 'coder', decision: 'A', reason: DEFAULT_REASONS[0], confidence: 0.6 } } },
      },
    ]);
  });

  it('signs its ballot for the sender when its props ask', () => {
    const f = fakeContext<VoterProps>('v1', { role: 'coder', truth: 'A', accuracy: 1, ballot: { sign: true } }, { random: [0] });
    voter.receive(0, envelope('coord', 'v1', 'proposal', p3), f.ctx);
    const vote = { agent: 'v1', role: 'coder', decision: 'A', reason: DEFAULT_REASONS[0], confidence: 0.6 };
    expect(f.sent).toStrictEqual([
      { to: 'coord', message: { kind: 'vote', body: { decision: 'd1', vote, signature: `sig[v1](${ballotText('coord', 'd1', vote)})` } } },
    ]);
  });

  it('answers nothing, and counts nothing, for another kind or a malformed proposal', () => {
    const f = fakeContext<VoterProps>('v1', { role: 'coder' }, { random: [0] });
    expect(voter.receive(3, envelope('coord', 'v1', 'vote', p3), f.ctx)).toBe(3);
    expect(voter.receive(3, envelope('coord', 'v1', 'proposal', { id: 'd1', options: [] }), f.ctx)).toBe(3);
    expect(f.sent).toEqual([]);
    expect(f.draws()).toBe(0);
  });
});
