import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { byzantineSupermajority, simpleMajority, supermajority, weightedVoting } from '../src/protocols/voting/builtin-policies.ts';
import { atLeast, EPSILON, moreThan, tally } from '../src/protocols/voting/tally.ts';
import { ABSTAIN, type Proposal, type Vote } from '../src/protocols/voting/types.ts';

/**
 * The tally and the built-in policies at their edges: ties that only rounding separates, with
 * weights large enough that an absolute tolerance no longer covers the rounding; electorates and
 * thresholds that are not what they claim to be; and votes an adversary shapes to reach the
 * prototype or crash the count. Each of these survived issue 20's mutation run.
 */

const proposal: Proposal = { id: 'd1', question: 'Which?', options: ['A', 'B'] };
const vote = (agent: string, decision: string): Vote => ({ agent, role: 'coder', decision, reason: '', confidence: 1 });
const weights = (w: Record<string, number>) => (v: Vote) => w[v.agent] ?? 0;

describe('ties at large weights', () => {
  // 100.1 + 200.2 is 300.29999999999995 in binary floating point: 5.7e-14 short of 300.3, more
  // than an absolute 1e-12 would forgive, so the tolerance must scale with the weights.
  const split = [vote('a', 'A'), vote('b', 'A'), vote('c', 'B')];
  const w = weights({ a: 100.1, b: 200.2, c: 300.3 });

  it('100.1 + 200.2 against 300.3 is a tie, whichever option comes first', () => {
    expect(tally(split, ['A', 'B'], w)).toMatchObject({ leader: 'A', tie: true });
    expect(tally(split, ['B', 'A'], w)).toMatchObject({ leader: 'B', tie: true });
    expect(weightedVoting({ threshold: 0.5, weigh: w }).evaluate(proposal, split)).toMatchObject({ consensus: false, reason: 'tie' });
    expect(weightedVoting({ threshold: 0.5, weigh: w }).evaluate({ ...proposal, options: ['B', 'A'] }, split)).toMatchObject({
      consensus: false,
      reason: 'tie',
    });
  });

  it('a real difference at the same magnitude is not a tie', () => {
    const t = tally(split, ['A', 'B'], weights({ a: 100.1, b: 200.2, c: 300.4 }));
    expect(t).toMatchObject({ leader: 'B', tie: false });
  });

  it('at a trillion, a difference of one part in 1e13 is rounding; one part in 1e10 is not', () => {
    expect(tally(split, ['A', 'B'], weights({ a: 5e11, b: 5e11, c: 1e12 + 0.05 })).tie).toBe(true);
    expect(tally(split, ['A', 'B'], weights({ a: 5e11, b: 5e11, c: 1e12 + 100 }))).toMatchObject({ leader: 'B', tie: false });
  });

  it('a heavier option after a tie ends the tie', () => {
    const vs = [vote('a', 'A'), vote('b', 'B'), vote('c', 'C')];
    expect(tally(vs, ['A', 'B', 'C'], weights({ a: 1, b: 1, c: 2 }))).toMatchObject({ leader: 'C', leaderWeight: 2, tie: false });
    expect(tally(vs, ['A', 'B', 'C'], weights({ a: 2, b: 1, c: 2 }))).toMatchObject({ leader: 'A', leaderWeight: 2, tie: true });
    expect(tally(vs, ['A', 'B', 'C'], weights({ a: 2, b: 1, c: 1 }))).toMatchObject({ leader: 'A', tie: false });
  });
});

describe('votes shaped to break the count', () => {
  it('null, undefined and decision-less votes are invalid, not a crash', () => {
    const vs = [null, undefined, {}, vote('a', 'A'), { agent: 'x', decision: 1 }] as unknown as Vote[];
    expect(tally(vs, ['A', 'B'])).toEqual({
      byOption: { A: 1, B: 0 },
      counted: 1,
      participants: 1,
      abstained: 0,
      invalid: 4,
      leader: 'A',
      leaderWeight: 1,
      tie: false,
    });
  });

  it('byOption has exactly the options as keys (no stray "undefined")', () => {
    const t = tally([vote('a', 'B'), vote('b', ABSTAIN)], ['A', 'B']);
    expect(Object.keys(t.byOption)).toEqual(['A', 'B']);
    expect(t).toMatchObject({ abstained: 1, participants: 1, leader: 'B' });
  });

  it('an option named __proto__ is an own key holding its weight; the prototype is untouched', () => {
    const t = tally([vote('a', '__proto__'), vote('b', '__proto__'), vote('c', 'A')], ['A', '__proto__']);
    expect(Object.keys(t.byOption)).toEqual(['A', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(t.byOption, '__proto__')?.value).toBe(2);
    expect(Object.getPrototypeOf(t.byOption)).toBe(Object.prototype);
    expect(t).toMatchObject({ leader: '__proto__', leaderWeight: 2, tie: false });
    expect(
      simpleMajority().evaluate({ ...proposal, options: ['A', '__proto__'] }, [vote('a', '__proto__'), vote('b', '__proto__'), vote('c', 'A')]),
    ).toMatchObject({ consensus: true, decision: '__proto__' });
  });

  it('a vote for an Object member that is not an option is invalid', () => {
    expect(tally([vote('a', 'constructor'), vote('b', 'toString')], ['A']).invalid).toBe(2);
  });
});

describe('degenerate electorates', () => {
  const three = [vote('a', 'A'), vote('b', 'A'), vote('c', 'A')];

  it('an electorate option of 0, a negative, NaN, Infinity or a fraction is refused, naming the field', () => {
    for (const bad of [0, -4, Number.NaN, Number.POSITIVE_INFINITY, 2.5]) {
      expect(() => byzantineSupermajority({ electorate: bad })).toThrow(ConfigError);
      try {
        byzantineSupermajority({ electorate: bad });
      } catch (e) {
        expect((e as ConfigError).path).toBe('consensus.electorate');
      }
    }
  });

  it("a proposal's electorate of 0, a negative, NaN, a string or a fraction falls back to the option", () => {
    const p = byzantineSupermajority({ electorate: 9 }); // 3 of 9: no consensus
    for (const given of [0, -3, Number.NaN, Number.POSITIVE_INFINITY, '3', 3.5, 2.5, null]) {
      expect(p.evaluate({ ...proposal, electorate: given }, three)).toMatchObject({ consensus: false, reason: 'not above 2/3 of electorate 9 (0.3333)' });
    }
    expect(p.evaluate({ ...proposal, electorate: 4 }, three)).toMatchObject({ consensus: true, strength: 0.75 });
  });

  it('without an option, a degenerate proposal electorate means no consensus, never a share of nothing', () => {
    for (const given of [0, -3, Number.NaN, 2.5]) {
      expect(byzantineSupermajority().evaluate({ ...proposal, electorate: given }, three)).toMatchObject({
        consensus: false,
        reason: 'electorate unknown',
        strength: 0,
      });
    }
  });

  it('an electorate of exactly 1 with its one vote is consensus', () => {
    expect(byzantineSupermajority({ electorate: 1 }).evaluate(proposal, [vote('a', 'B')])).toMatchObject({ consensus: true, decision: 'B', strength: 1 });
  });
});

describe('thresholds and participant counts that are not numbers', () => {
  const path = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).path;
    }
    throw new Error('did not throw');
  };

  it('a string threshold is refused even when it reads as a number in range', () => {
    expect(path(() => simpleMajority({ threshold: '0.5' as unknown as number }))).toBe('consensus.threshold');
    expect(path(() => supermajority({ threshold: '1' as unknown as number }, 'stages[0]'))).toBe('stages[0].threshold');
    expect(path(() => weightedVoting({ threshold: '0.6' as unknown as number, weigh: () => 1 }))).toBe('consensus.threshold');
  });

  it('the bounds of (0, 1] are exact: 1 is accepted, just above and 0 are not', () => {
    expect(simpleMajority({ threshold: 1 }).name).toBe('simple_majority');
    expect(path(() => simpleMajority({ threshold: 1 + 1e-9 }))).toBe('consensus.threshold');
    expect(path(() => simpleMajority({ threshold: -0 }))).toBe('consensus.threshold');
  });

  it('min_participants must be a whole number >= 1, not a string or a fraction', () => {
    expect(path(() => simpleMajority({ minParticipants: '2' as unknown as number }))).toBe('consensus.min_participants');
    expect(path(() => supermajority({ minParticipants: 2.5 }))).toBe('consensus.min_participants');
    expect(supermajority({ minParticipants: 1 }).evaluate(proposal, [vote('a', 'A')])).toMatchObject({ consensus: true });
  });

  it('weighted voting without a weigh function names the field', () => {
    expect(path(() => weightedVoting({} as never))).toBe('consensus.weigh');
    expect(path(() => weightedVoting(undefined as never))).toBe('consensus.weigh');
  });
});

describe('boundaries the mutation run pinned', () => {
  it('each policy names itself (the name is what traces and checkers key on)', () => {
    expect([simpleMajority().name, supermajority().name, weightedVoting({ weigh: () => 1 }).name, byzantineSupermajority().name]).toEqual([
      'simple_majority',
      'supermajority',
      'weighted_voting',
      'byzantine_supermajority',
    ]);
  });

  it('refusals say what to write instead', () => {
    expect(() => weightedVoting({} as never)).toThrow(/expected a function \(vote, proposal\) => weight/);
    expect(() => byzantineSupermajority({ electorate: 0 })).toThrow(/expected an integer >= 1 \(the number of expected voters\)/);
    expect(() => simpleMajority({ threshold: 2 })).toThrow(/expected a number in \(0, 1\]/);
    expect(() => simpleMajority({ minParticipants: 0 })).toThrow(/expected an integer >= 1/);
  });

  it("a proposal's electorate of exactly 1 counts (it is a whole number >= 1)", () => {
    expect(byzantineSupermajority({ electorate: 9 }).evaluate({ ...proposal, electorate: 1 }, [vote('a', 'A')])).toMatchObject({
      consensus: true,
      strength: 1,
    });
  });

  it('a share exactly EPSILON from the threshold is at it: atLeast forgives it, moreThan does not', () => {
    expect(atLeast(0.75 - EPSILON, 0.75)).toBe(true);
    expect(moreThan(0.5 + EPSILON, 0.5)).toBe(false);
    // The same boundary through a policy: 0.75 - 1e-12 of the weight passes a 0.75 threshold.
    expect(
      weightedVoting({ threshold: 0.75, weigh: weights({ a: 0.75 - 1e-12, b: 0.25 + 1e-12 }) }).evaluate(proposal, [vote('a', 'A'), vote('b', 'B')]).consensus,
    ).toBe(true);
  });

  it('no weight counted: no leader and no tie', () => {
    expect(tally([], ['A', 'B'])).toMatchObject({ leader: undefined, tie: false, leaderWeight: 0 });
    expect(tally([vote('a', 'A')], ['A', 'B'], () => 0)).toMatchObject({ leader: undefined, tie: false, participants: 1 });
  });

  it('tiny weights: the first positive one leads; two within 1e-12 of each other (the floor of the tolerance) tie', () => {
    expect(tally([vote('a', 'A')], ['A', 'B'], () => 1e-13)).toMatchObject({ leader: 'A', leaderWeight: 1e-13, tie: false });
    const vs = [vote('a', 'A'), vote('b', 'B')];
    expect(tally(vs, ['A', 'B'], weights({ a: 1e-12, b: 2e-12 }))).toMatchObject({ leader: 'A', tie: true }); // exactly 1e-12 apart
    expect(tally(vs, ['A', 'B'], weights({ a: 1e-12, b: 3e-12 }))).toMatchObject({ leader: 'B', tie: false });
  });

  it('an option named __proto__ is an ordinary own property (writable, configurable), as every other option', () => {
    const t = tally([vote('a', '__proto__')], ['A', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(t.byOption, '__proto__')).toEqual({ value: 1, writable: true, enumerable: true, configurable: true });
    expect(Object.getOwnPropertyDescriptor(t.byOption, 'A')).toEqual({ value: 0, writable: true, enumerable: true, configurable: true });
  });
});
