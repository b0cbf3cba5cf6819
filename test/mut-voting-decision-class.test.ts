import { describe, expect, it } from 'vitest';
import { emptyClassCounts, reviewByExperts, tallyOf } from '../src/protocols/voting/decision-class.ts';
import type { Outcome, Vote } from '../src/protocols/voting/types.ts';

/**
 * Classes of decision, exactly (issue 20's mutation run of src/protocols/voting/decision-class.ts):
 * the expert review's rule at its edges and its reasons, and the tally an oversight request shows.
 */

const v = (agent: string, decision: string): Vote => ({ agent, role: 'r', decision, reason: '', confidence: 1 });
const yes: Outcome = { consensus: true, decision: 'A', strength: 0.7 };
const experts = { e1: ['db'], e2: ['db', 'ui'], e3: ['db'], u1: ['ui'] };

describe('emptyClassCounts', () => {
  it('all at 0, a fresh object each time', () => {
    const c = emptyClassCounts();
    expect(c).toStrictEqual({ attempted: 0, decided: 0, noConsensus: 0, timedOut: 0, escalated: 0 });
    c.decided++;
    expect(emptyClassCounts().decided).toBe(0);
  });
});

describe('reviewByExperts', () => {
  it('an outcome without consensus passes through as it is', () => {
    const no: Outcome = { consensus: false, strength: 0.2, reason: 'r' };
    expect(reviewByExperts(no, [v('e1', 'B')], 'db', experts)).toBe(no);
  });

  it('stands when more than half of the domain’s experts who voted chose it', () => {
    expect(reviewByExperts(yes, [v('e1', 'A'), v('e2', 'A'), v('e3', 'B'), v('u1', 'B')], 'db', experts)).toBe(yes);
    expect(reviewByExperts(yes, [v('e1', 'A')], 'db', experts)).toBe(yes);
  });

  it('falls at exactly half, with the count in its reason and the strength kept', () => {
    expect(reviewByExperts(yes, [v('e1', 'A'), v('e2', 'B'), v('u1', 'A')], 'db', experts)).toStrictEqual({
      consensus: false,
      strength: 0.7,
      reason: 'expert review: 1 of 2 experts in db chose A',
    });
    expect(reviewByExperts(yes, [v('e1', 'B'), v('e2', 'C'), v('e3', 'A')], 'db', experts)).toStrictEqual({
      consensus: false,
      strength: 0.7,
      reason: 'expert review: 1 of 3 experts in db chose A',
    });
  });

  it('an abstaining expert is not counted', () => {
    expect(reviewByExperts(yes, [v('e1', 'A'), v('e2', 'abstain'), v('e3', 'abstain')], 'db', experts)).toBe(yes);
  });

  it('falls when no expert of the domain voted, or no domain, or no experts at all', () => {
    const none = (reason: string) => ({ consensus: false, strength: 0.7, reason });
    expect(reviewByExperts(yes, [v('u1', 'A'), v('x', 'A')], 'db', experts)).toStrictEqual(none('expert review: no expert in db voted'));
    expect(reviewByExperts(yes, [v('e1', 'A')], undefined, experts)).toStrictEqual(none('expert review: no expert in (no domain) voted'));
    expect(reviewByExperts(yes, [v('e1', 'A')], 'db', undefined)).toStrictEqual(none('expert review: no expert in db voted'));
    expect(reviewByExperts(yes, [v('e1', 'abstain')], 'db', experts)).toStrictEqual(none('expert review: no expert in db voted'));
  });
});

describe('tallyOf', () => {
  it('counts each decision, abstentions left out', () => {
    expect(tallyOf([v('a', 'A'), v('b', 'B'), v('c', 'A'), v('d', 'abstain')])).toStrictEqual({ A: 2, B: 1 });
    expect(tallyOf([])).toStrictEqual({});
  });
});
