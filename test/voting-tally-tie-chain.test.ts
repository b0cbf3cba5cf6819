import { describe, expect, it } from 'vitest';
import { referenceTally } from '../src/check/reference-tally.ts';
import { weightedVoting } from '../src/protocols/voting/builtin-policies.ts';
import { tally } from '../src/protocols/voting/tally.ts';
import type { Vote } from '../src/protocols/voting/types.ts';

/**
 * A chain of options each within rounding of the next: A = 1, B = 1 + 0.6e-12, C = 1 + 1.2e-12.
 * B is within rounding of both A and C, C is not within rounding of A. The tally once compared
 * each option with the current leader only: A led, B tied with A, then C (more than A beyond
 * rounding) became the leader with the tie cleared, and the policy decided C although B is
 * within rounding of C. A tie is any other option within rounding of the heaviest, as the
 * tally checker's reference (src/check/reference-tally.ts) has it.
 */

const vote = (agent: string, decision: string): Vote => ({ agent, role: 'coder', decision, reason: '', confidence: 1 });
const votes = [vote('a', 'A'), vote('b', 'B'), vote('c', 'C')];
const w: Record<string, number> = { a: 1, b: 1 + 0.6e-12, c: 1 + 1.2e-12 };
const weigh = (v: Vote) => w[v.agent] ?? 0;

describe('a chain of options within rounding of each other', () => {
  it('the weights are what the case needs: B within rounding of A and of C, C beyond rounding of A', () => {
    expect(Math.abs(w.b - w.a)).toBeLessThan(1e-12);
    expect(Math.abs(w.c - w.b)).toBeLessThan(1e-12);
    expect(Math.abs(w.c - w.a)).toBeGreaterThan(1e-12 * w.c);
  });

  it('in ascending order: a tie, led by the first option within rounding of the heaviest (B)', () => {
    expect(tally(votes, ['A', 'B', 'C'], weigh)).toMatchObject({ leader: 'B', leaderWeight: w.b, tie: true });
  });

  it('in every order, a tie (the leader is the first option within rounding of the heaviest)', () => {
    expect(tally(votes, ['C', 'B', 'A'], weigh)).toMatchObject({ leader: 'C', leaderWeight: w.c, tie: true });
    expect(tally(votes, ['A', 'C', 'B'], weigh)).toMatchObject({ leader: 'C', leaderWeight: w.c, tie: true });
    expect(tally(votes, ['B', 'A', 'C'], weigh)).toMatchObject({ leader: 'B', leaderWeight: w.b, tie: true });
    expect(tally(votes, ['C', 'A', 'B'], weigh)).toMatchObject({ leader: 'C', leaderWeight: w.c, tie: true });
  });

  it('A beyond rounding of C alone is no tie', () => {
    expect(tally([vote('a', 'A'), vote('c', 'C')], ['A', 'B', 'C'], weigh)).toMatchObject({ leader: 'C', leaderWeight: w.c, tie: false });
  });

  it('the policy decides nothing, as the reference tally', () => {
    const proposal = { id: 'd1', question: 'q', options: ['A', 'B', 'C'] };
    const decided = weightedVoting({ threshold: 0.3, weigh }).evaluate(proposal, votes);
    expect(decided).toMatchObject({ consensus: false, reason: 'tie' });
    const ballots = votes.map((v) => ({ agent: v.agent, role: v.role, choice: v.decision }));
    const ref = referenceTally({ algorithm: 'weighted_voting', threshold: 0.3, electorate: 3, weight: (b) => w[b.agent] ?? 0 }, proposal.options, ballots);
    expect(ref).toMatchObject({ consensus: false, value: null });
    expect(ref.strength).toBe(decided.strength);
  });
});
