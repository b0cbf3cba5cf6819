import { describe, it, expect } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { byzantineSupermajority, simpleMajority, supermajority, weightedVoting } from '../src/protocols/voting/builtin-policies.ts';
import { atLeast, moreThan, tally } from '../src/protocols/voting/tally.ts';
import { ABSTAIN, type Proposal, type Vote } from '../src/protocols/voting/types.ts';

const proposal: Proposal = { id: 'd1', question: 'Which?', options: ['A', 'B', 'C'] };

/** Votes from a compact spec: 'AAB-' is agents v0..v3 voting A, A, B and abstaining. */
function votes(spec: string, extra: Partial<Vote> = {}): Vote[] {
  return [...spec].map((c, i) => ({ agent: `v${i}`, role: 'coder', decision: c === '-' ? ABSTAIN : c, reason: '', confidence: 1, ...extra }));
}

describe('epsilon-safe comparisons', () => {
  it('treat shares equal up to rounding as equal', () => {
    expect(atLeast(2 / 3, 0.6666666666666667)).toBe(true);
    expect(moreThan(0.1 + 0.2, 0.3)).toBe(false);
    expect(moreThan(0.5, 0.5)).toBe(false);
    expect(moreThan(0.5000001, 0.5)).toBe(true);
  });
});

describe('simple majority', () => {
  const p = simpleMajority();

  it('exactly half (2 of 4) is not a majority', () => {
    const o = p.evaluate(proposal, votes('AABC'));
    expect(o).toMatchObject({ consensus: false, decision: 'A', strength: 0.5, reason: 'not above threshold 0.5 (0.5000)' });
  });

  it('3 of 5 is a majority', () => {
    expect(p.evaluate(proposal, votes('AAABB'))).toMatchObject({ consensus: true, decision: 'A', strength: 0.6, participants: 5, abstained: 0 });
    expect(p.evaluate(proposal, votes('AAABB')).reason).toBeUndefined();
  });

  it('abstentions count neither as participants nor in the denominator', () => {
    const o = p.evaluate(proposal, votes('AAAB--'));
    expect(o).toMatchObject({ consensus: true, decision: 'A', strength: 0.75, participants: 4, abstained: 2 });
  });

  it('needs min_participants', () => {
    expect(p.evaluate(proposal, votes('A---'))).toMatchObject({ consensus: false, reason: 'only 1 participant, need 2', participants: 1 });
    expect(p.evaluate(proposal, votes(''))).toMatchObject({ consensus: false, strength: 0, reason: 'no participants, need 2' });
    expect(simpleMajority({ minParticipants: 4 }).evaluate(proposal, votes('AAA'))).toMatchObject({ consensus: false, reason: 'only 3 participants, need 4' });
  });

  it('a tie is never consensus, even above the threshold', () => {
    expect(p.evaluate(proposal, votes('AABB'))).toMatchObject({ consensus: false, decision: 'A', reason: 'tie' });
    // 2-2-1 with threshold 0.3: each leader has 0.4 > 0.3, but two outcomes are equally justified.
    expect(simpleMajority({ threshold: 0.3 }).evaluate(proposal, votes('BBAAC'))).toMatchObject({ consensus: false, decision: 'A', reason: 'tie' });
  });

  it('ignores and counts votes for things that are not options', () => {
    const garbage = [
      ...votes('AAB'),
      { agent: 'x', role: 'r', decision: 'Z', reason: '', confidence: 1 },
      { agent: 'y', role: 'r', decision: 42 as never, reason: '', confidence: 1 },
    ];
    const o = p.evaluate(proposal, garbage);
    expect(o).toMatchObject({ consensus: true, decision: 'A', participants: 3, invalid: 2 });
    expect(o.strength).toBeCloseTo(2 / 3);
    expect(tally(garbage, proposal.options)).toMatchObject({ counted: 3, invalid: 2, byOption: { A: 2, B: 1, C: 0 } });
  });

  it('a proposal option named like an Object member is just an option', () => {
    const odd: Proposal = { ...proposal, options: ['constructor', 'toString'] };
    expect(tally(votes('AB'), odd.options)).toMatchObject({ invalid: 2, counted: 0 });
  });
});

describe('supermajority', () => {
  it('exactly 2/3 is below the default 0.67', () => {
    expect(supermajority().evaluate(proposal, votes('AAB'))).toMatchObject({ consensus: false, decision: 'A', reason: 'below threshold 0.67 (0.6667)' });
  });

  it('exactly 2/3 passes an explicit 2/3 threshold', () => {
    expect(supermajority({ threshold: 2 / 3 }).evaluate(proposal, votes('AAB'))).toMatchObject({ consensus: true, decision: 'A' });
    // Rounded the other way (6 of 9 summed in a different order) it still passes.
    expect(supermajority({ threshold: 0.6666666666666667 }).evaluate(proposal, votes('AAAAAABBB'))).toMatchObject({ consensus: true });
  });

  it('needs 3 participants by default', () => {
    expect(supermajority().evaluate(proposal, votes('AA'))).toMatchObject({ consensus: false, reason: 'only 2 participants, need 3' });
  });
});

describe('weighted voting', () => {
  const byRole = (v: Vote) => (v.role === 'researcher' ? 2 : 1);

  it('weighs votes', () => {
    const vs = [...votes('B'), { ...votes('A')[0], agent: 'r', role: 'researcher' }];
    const o = weightedVoting({ weigh: byRole }).evaluate(proposal, vs);
    expect(o).toMatchObject({ consensus: true, decision: 'A', participants: 2 });
    expect(o.strength).toBeCloseTo(2 / 3);
  });

  it('weights that make two options equal are a tie, never consensus', () => {
    // researcher (2) for A against two coders (1 + 1) for B.
    const vs = [...votes('BB'), { ...votes('A')[0], agent: 'r', role: 'researcher' }];
    expect(weightedVoting({ threshold: 0.5, weigh: byRole }).evaluate(proposal, vs)).toMatchObject({
      consensus: false,
      decision: 'A',
      strength: 0.5,
      reason: 'tie',
    }); // first in option order
    // 0.1 + 0.2 against 0.3 is a tie too, whatever the rounding.
    const fractional = (v: Vote) => ({ v0: 0.1, v1: 0.2, v2: 0.3 })[v.agent] ?? 0;
    expect(weightedVoting({ threshold: 0.5, weigh: fractional }).evaluate(proposal, votes('AAB'))).toMatchObject({ consensus: false, reason: 'tie' });
  });

  it('negative or non-finite weights count as 0', () => {
    const weigh = (v: Vote) => (v.agent === 'v0' ? -5 : v.agent === 'v1' ? Number.NaN : 1);
    expect(weightedVoting({ weigh }).evaluate(proposal, votes('BBA'))).toMatchObject({ consensus: true, decision: 'A', strength: 1 });
    expect(weightedVoting({ weigh: () => 0 }).evaluate(proposal, votes('AB'))).toMatchObject({ consensus: false, strength: 0, reason: 'no weight counted' });
  });
});

describe('byzantine supermajority', () => {
  it('3 of an electorate of 4 is more than 2/3', () => {
    expect(byzantineSupermajority({ electorate: 4 }).evaluate(proposal, votes('AAA'))).toMatchObject({ consensus: true, decision: 'A', strength: 0.75 });
  });

  it('silent voters count against: 4 of 6 is exactly 2/3, not more', () => {
    const o = byzantineSupermajority({ electorate: 6 }).evaluate(proposal, votes('AAAA'));
    expect(o).toMatchObject({ consensus: false, decision: 'A', reason: 'not above 2/3 of electorate 6 (0.6667)' });
  });

  it('abstainers count against too, and proposal.electorate wins over the option', () => {
    const p = byzantineSupermajority({ electorate: 4 });
    expect(p.evaluate(proposal, votes('AAA---'))).toMatchObject({ consensus: false, strength: 0.5 });
    expect(p.evaluate({ ...proposal, electorate: 6 }, votes('AAA'))).toMatchObject({ consensus: false, strength: 0.5 });
  });

  it('no electorate, no consensus; more voters than expected never push a share above 1', () => {
    expect(byzantineSupermajority().evaluate(proposal, votes('AAA'))).toMatchObject({ consensus: false, reason: 'electorate unknown' });
    expect(byzantineSupermajority({ electorate: 2 }).evaluate(proposal, votes('AAAB')).strength).toBe(0.75);
  });
});

describe('factory options', () => {
  it('reject thresholds outside (0, 1] and min_participants below 1, naming the field', () => {
    const path = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).path;
      }
      throw new Error('did not throw');
    };
    expect(path(() => simpleMajority({ threshold: 0 }))).toBe('consensus.threshold');
    expect(path(() => supermajority({ threshold: 1.5 }))).toBe('consensus.threshold');
    expect(path(() => supermajority({ threshold: Number.NaN }))).toBe('consensus.threshold');
    expect(path(() => simpleMajority({ minParticipants: 0 }))).toBe('consensus.min_participants');
    expect(path(() => weightedVoting({ minParticipants: 1.5, weigh: () => 1 }))).toBe('consensus.min_participants');
    expect(path(() => weightedVoting({} as never))).toBe('consensus.weigh');
    expect(path(() => byzantineSupermajority({ electorate: 0 }))).toBe('consensus.electorate');
    expect(path(() => simpleMajority({ threshold: 2 }, 'stages[1]'))).toBe('stages[1].threshold');
    expect(() => simpleMajority({ threshold: 1 })).not.toThrow();
  });
});
