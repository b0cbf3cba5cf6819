import { describe, expect, it, vi } from 'vitest';
import { isReferenceAlgorithm, referenceTally, referenceWeight, type Ballot } from '../src/check/reference-tally.ts';
import { byzantineSupermajority, simpleMajority, supermajority, weightedVoting } from '../src/protocols/voting/builtin-policies.ts';
import type { Policy, Proposal, Vote } from '../src/protocols/voting/types.ts';
import { weightFor, type WeightConfig } from '../src/protocols/voting/weights.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { yaml } from './fixtures/scenario-error.ts';

/**
 * The tally checker judges decisions with its own reference tally (DESIGN.md property 7), so a
 * bug planted in the protocol's policy is caught, not repeated. The plant: `simpleMajority` is
 * replaced, for everything this file loads (the coordinator, and `policyFor` which the checker
 * used to call), by a broken copy that calls exactly half a majority. A checker that asked the
 * protocol for its policy would agree with every broken decision.
 */
const plant = vi.hoisted(() => ({ broken: false }));

vi.mock('../src/protocols/voting/builtin-policies.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/protocols/voting/builtin-policies.ts')>();
  const { halfIsAMajority } = await import('./fixtures/planted-policy-bug.ts');
  return { ...real, simpleMajority: (...args: Parameters<typeof real.simpleMajority>) => (plant.broken ? halfIsAMajority : real.simpleMajority)(...args) };
});

/** Four voters, three options, a weak signal: many decisions split 2-1-1 (exactly half for the leader). */
const scenario = () =>
  parseScenario(
    yaml(
      'name: planted-policy-bug',
      'agents: [{ role: voter, count: 4, accuracy: 0.4 }]',
      'consensus: { algorithm: simple_majority }',
      'task: { question: q, options: [A, B, C], truth: A, decisions: 60 }',
    ),
  );

async function run(broken: boolean) {
  plant.broken = broken;
  try {
    return await runScenario(scenario(), { seed: 7, mode: 'sim' });
  } finally {
    plant.broken = false;
  }
}

describe('the tally checker catches a bug planted in the simple-majority policy', () => {
  it('reports tally-integrity violations for the decisions where exactly half was called a majority', async () => {
    const honest = await run(false);
    const broken = await run(true);
    // The plant took effect: the broken policy decided more often than the real one on the same seed.
    expect(broken.decisions.decided).toBeGreaterThan(honest.decisions.decided);
    const tally = broken.safetyViolations.filter((v) => (v as { property?: string }).property === 'tally-integrity');
    expect(tally.length).toBe(broken.decisions.decided - honest.decisions.decided);
    expect((tally[0] as { detail: string }).detail).toMatch(
      /decided "[ABC]" \(strength 0\.5\) where simple_majority on the recorded votes gives no consensus \(strength 0\.5\)/,
    );
  });

  it('reports nothing for the same run with the real policy', async () => {
    const honest = await run(false);
    expect(honest.decisions.decided).toBeGreaterThan(0);
    expect(honest.safetyViolations).toEqual([]);
  });
});

describe('the reference tally agrees with the built-in policies', () => {
  const options = ['A', 'B', 'C'];
  const proposal: Proposal = { id: 'd1', question: 'q', options, domain: 'security' };
  const roles = ['coder', 'lead', 'architect', 'tester'];
  const config: WeightConfig = {
    agent_weights: { lead: 3, tester: 0 },
    agent_expertise: { architect: { weight: 2.5, domains: ['security'] }, tester: { weight: 4, domains: ['qa'] } },
    expert_weight: 2,
    regular_weight: 0.5,
  };

  /** A seeded stream (mulberry32), so a failure names a reproducible case. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('on 3000 random vote sets, for every algorithm, threshold and weighting', () => {
    const next = random(14);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(next() * 8);
      const votes: Vote[] = Array.from({ length: n }, (_, k) => ({
        agent: `a${k}`,
        role: pick(roles),
        decision: pick([...options, 'abstain', 'Z']),
        reason: '',
        confidence: 1,
      }));
      const ballots: Ballot[] = votes.map((v) => ({ agent: v.agent, role: v.role, choice: v.decision }));
      const electorate = n + Math.floor(next() * 3);
      const threshold = pick([undefined, 0.5, 0.6, 2 / 3, 0.75, 1]);
      const minParticipants = pick([undefined, 1, 2, 3]);
      const dynamic = next() < 0.3 ? Object.fromEntries(votes.filter(() => next() < 0.7).map((v) => [v.agent, pick([0.1, 0.5, 1.2, 5])])) : undefined;
      const o = { threshold, minParticipants };
      const cases: [string, Policy, Parameters<typeof referenceWeight>[2]][] = [
        ['simple_majority', simpleMajority(o), undefined],
        ['supermajority', supermajority(o), undefined],
        ['weighted_voting', weightedVoting({ ...o, weigh: (v, p) => (dynamic ? (dynamic[v.agent] ?? 1) : weightFor(v, p, config)) }), dynamic],
        ['byzantine_supermajority', byzantineSupermajority({ ...(electorate >= 1 ? { electorate } : {}), threshold }), undefined],
      ];
      for (const [algorithm, policy, weights] of cases) {
        if (!isReferenceAlgorithm(algorithm)) throw new Error(algorithm);
        const real = policy.evaluate({ ...proposal, electorate }, votes);
        const ref = referenceTally(
          { algorithm, threshold, minParticipants, electorate, weight: referenceWeight(config, proposal.domain, weights) },
          options,
          ballots,
        );
        const what = `case ${i}, ${algorithm}: ${JSON.stringify({ ballots, electorate, threshold, minParticipants, dynamic })}`;
        expect({ consensus: ref.consensus, value: ref.value }, what).toEqual({ consensus: real.consensus, value: real.consensus ? real.decision : null });
        expect(ref.strength, what).toBeCloseTo(real.strength, 12);
      }
    }
  });

  it('knows the built-in algorithms and nothing else', () => {
    expect(['simple_majority', 'supermajority', 'weighted_voting', 'byzantine_supermajority'].every(isReferenceAlgorithm)).toBe(true);
    expect(['adaptive', 'medical_consensus', 'constructor', '__proto__'].some(isReferenceAlgorithm)).toBe(false);
  });
});
