import { describe, expect, it } from 'vitest';
import { referenceTally, referenceWeight, type Ballot } from '../src/check/reference-tally.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { yaml } from './fixtures/scenario-error.ts';

/**
 * The reference tally's own rules on hand-built ballots, one rule per case (issue 20: the mutants
 * the differential test against the built-in policies left alive, because its random draws never
 * reach these corners). Each expected outcome is also what the built-in policy gives.
 */
const ballot = (agent: string, choice: string, role = 'voter'): Ballot => ({ agent, role, choice });
/** Three for A, one for B: a share of exactly 0.75. */
const threeToOne = [ballot('a', 'A'), ballot('b', 'A'), ballot('c', 'A'), ballot('d', 'B')];
const byRole = (weights: Record<string, number>) => (b: Ballot) => weights[b.role] ?? 1;

describe('the reference tally: weighing', () => {
  it("'abstain' counts for nothing even when it is one of the options", () => {
    const ballots = [ballot('a', 'abstain'), ballot('b', 'abstain'), ballot('c', 'A')];
    expect(referenceTally({ algorithm: 'weighted_voting', electorate: 3 }, ['A', 'abstain'], ballots)).toEqual({ consensus: true, value: 'A', strength: 1 });
  });

  it.each([-5, Number.NaN, Number.POSITIVE_INFINITY])('a weight of %s adds nothing, and its voter still counts as a participant', (bad) => {
    const rule = { algorithm: 'weighted_voting' as const, electorate: 2, minParticipants: 2, weight: byRole({ bad }) };
    const ballots = [ballot('a', 'A'), ballot('b', 'B', 'bad')];
    expect(referenceTally(rule, ['A', 'B'], ballots)).toEqual({ consensus: true, value: 'A', strength: 1 });
    expect(referenceTally({ ...rule, minParticipants: 3 }, ['A', 'B'], ballots)).toEqual({ consensus: false, value: null, strength: 1 });
  });

  it('a proposal with a single option can be decided', () => {
    expect(referenceTally({ algorithm: 'weighted_voting', electorate: 1 }, ['A'], [ballot('a', 'A')])).toEqual({ consensus: true, value: 'A', strength: 1 });
  });
});

describe('the reference tally: the electorate of byzantine_supermajority', () => {
  it.each([3.5, -2, 0, Number.NaN])('an electorate of %s is unknown: no consensus, share 0', (electorate) => {
    const ballots = [ballot('a', 'A'), ballot('b', 'A'), ballot('c', 'A')];
    expect(referenceTally({ algorithm: 'byzantine_supermajority', electorate }, ['A', 'B'], ballots)).toEqual({ consensus: false, value: null, strength: 0 });
  });
});

describe('the reference tally: thresholds up to rounding', () => {
  it('a strict threshold is not passed by a share equal to it up to rounding', () => {
    // 0.749999999999 + 1e-12 is exactly 0.75 in floating point.
    expect(referenceTally({ algorithm: 'simple_majority', threshold: 0.749999999999, electorate: 4 }, ['A', 'B'], threeToOne)).toEqual({
      consensus: false,
      value: null,
      strength: 0.75,
    });
    expect(referenceTally({ algorithm: 'simple_majority', threshold: 0.7499999999, electorate: 4 }, ['A', 'B'], threeToOne)).toEqual({
      consensus: true,
      value: 'A',
      strength: 0.75,
    });
  });

  it('a threshold that is not strict is reached by a share equal to it up to rounding', () => {
    // 0.750000000001 - 1e-12 is exactly 0.75 in floating point.
    expect(referenceTally({ algorithm: 'supermajority', threshold: 0.750000000001, electorate: 4 }, ['A', 'B'], threeToOne)).toEqual({
      consensus: true,
      value: 'A',
      strength: 0.75,
    });
    expect(referenceTally({ algorithm: 'supermajority', threshold: 0.7500000001, electorate: 4 }, ['A', 'B'], threeToOne)).toEqual({
      consensus: false,
      value: null,
      strength: 0.75,
    });
  });

  it('weights equal up to rounding relative to their size are a tie, never consensus', () => {
    // 3 and 3 + 2e-12 differ by less than 1e-12 of their size, but by more than 1e-12.
    const rule = { algorithm: 'weighted_voting' as const, threshold: 0.4, electorate: 2, weight: byRole({ x: 3, y: 3 + 2e-12 }) };
    const tied = referenceTally(rule, ['A', 'B'], [ballot('a', 'A', 'x'), ballot('b', 'B', 'y')]);
    expect({ consensus: tied.consensus, value: tied.value }).toEqual({ consensus: false, value: null });
    expect(tied.strength).toBeCloseTo(0.5, 12);
    // 3 + 4e-12 is more than that: B leads alone.
    const apart = referenceTally({ ...rule, weight: byRole({ x: 3, y: 3 + 4e-12 }) }, ['A', 'B'], [ballot('a', 'A', 'x'), ballot('b', 'B', 'y')]);
    expect({ consensus: apart.consensus, value: apart.value }).toEqual({ consensus: true, value: 'B' });
  });

  it('weights exactly the rounding slack apart are still a tie', () => {
    // 2e-12 - 1e-12 is exactly 1e-12, the slack for weights below 1.
    const rule = { algorithm: 'weighted_voting' as const, threshold: 0.5, electorate: 2, weight: byRole({ x: 1e-12, y: 2e-12 }) };
    expect(referenceTally(rule, ['A', 'B'], [ballot('a', 'A', 'x'), ballot('b', 'B', 'y')])).toEqual({ consensus: false, value: null, strength: 1 / 3 });
  });
});

describe('the reference tally: small weights (a bug this work found)', () => {
  // Before the fix the reference compared the leader with every option, including one nobody
  // voted for: a leader within rounding of 0 (1e-12 and below) "tied" with it, so a unanimous
  // decision under agent weights of 1e-13 was judged no consensus, and the tally checker
  // reported a tally-integrity violation the policy had not committed.
  it('an option with no weight never ties with the leader, however small the leader', () => {
    const rule = { algorithm: 'weighted_voting' as const, electorate: 3, weight: () => 1e-13 };
    expect(referenceTally(rule, ['A', 'B'], [ballot('a', 'A'), ballot('b', 'A'), ballot('c', 'A')])).toEqual({ consensus: true, value: 'A', strength: 1 });
  });

  it('two options with weight, within rounding of each other, still tie', () => {
    const rule = { algorithm: 'weighted_voting' as const, threshold: 0.5, electorate: 3, weight: () => 1e-13 };
    expect(referenceTally(rule, ['A', 'B'], [ballot('a', 'A'), ballot('b', 'A'), ballot('c', 'B')]).consensus).toBe(false);
  });

  it("in a tie the share is the first option's, although a later one has more weight within rounding", () => {
    // 1e-13 for A, 2e-13 for B: equal up to rounding (the slack is 1e-12 below a weight of 1), so
    // a tie whose share is A's, as the policy reports it; B's share was a tally-integrity finding.
    const rule = { algorithm: 'weighted_voting' as const, threshold: 0.5, electorate: 3, weight: () => 1e-13 };
    const ballots = [ballot('a', 'A'), ballot('b', 'B'), ballot('c', 'B')];
    expect(referenceTally(rule, ['A', 'B'], ballots)).toEqual({ consensus: false, value: null, strength: 1 / 3 });
  });

  it('a run whose agents weigh 1e-13 each has no tally-integrity finding, unanimous or split', async () => {
    const r = await runScenario(
      parseScenario(
        yaml(
          'name: tiny-weights',
          'agents: [{ role: voter, count: 3, accuracy: 0.5 }]',
          'consensus: { algorithm: weighted_voting, threshold: 0.5, agent_weights: { voter: 1.0e-13 } }',
          'task: { question: q, options: [A, B], truth: A, decisions: 20 }',
        ),
      ),
      { seed: 1, mode: 'sim' },
    );
    // Unanimous decisions pass; 2-1 splits are ties at this scale (with the policy's rounding).
    expect(r.decisions.decided).toBeGreaterThan(0);
    expect(r.decisions.decided).toBeLessThan(20);
    expect(r.safetyViolations).toEqual([]);
  });
});

describe('the reference weight', () => {
  const lead = ballot('a', 'A', 'lead');

  it('an expert in the domain weighs its expertise alone when no expert_weight is set', () => {
    expect(referenceWeight({ agent_expertise: { lead: { weight: 2.5, domains: ['security'] } } }, 'security')(lead)).toBe(2.5);
  });

  it("an expert outside its domain weighs its role's agent weight when no expert_weight is set", () => {
    const config = { agent_weights: { lead: 3 }, agent_expertise: { lead: { weight: 2.5, domains: ['qa'] } }, regular_weight: 0.5 };
    expect(referenceWeight(config, 'security')(lead)).toBe(3);
  });

  it('without agent weights or expertise every ballot weighs the regular weight, else 1', () => {
    expect(referenceWeight({}, 'security')(lead)).toBe(1);
    expect(referenceWeight({ regular_weight: 0.5 }, undefined)(lead)).toBe(0.5);
  });
});
