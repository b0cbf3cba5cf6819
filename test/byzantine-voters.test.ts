import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const scenario = (byzantine: string, algorithm = 'simple_majority') =>
  parseScenario(`
name: byz
agents:
  - { role: analyst, count: 7, accuracy: 0.95 }
consensus: { algorithm: ${algorithm}, voting_timeout: 200ms }
task: { question: q, options: [A, B, C], truth: A, decisions: 60, in_flight: 4 }
faults:
  byzantine: ${byzantine}
`);

describe('Byzantine voters (adversaries outside the protocol)', () => {
  it('equivocators are caught with evidence; the honest majority still decides right', async () => {
    // The liars are named, so the test can check that exactly they were caught (not just two agents).
    const r = await runScenario(scenario('{ target: [analyst_002, analyst_006], types: [conflicting_votes, false_information] }'), { seed: 5 });
    expect(r.byzantineDetected.map((d) => d.agent).sort()).toEqual(['analyst_002', 'analyst_006']);
    for (const d of r.byzantineDetected) expect(d.evidence).toMatch(/voted [ABC], then [ABC]/);
    expect(r.quality).toBeGreaterThan(0.9);
    expect(r.safetyViolations).toEqual([]);
    expect(r.refusedVotes.duplicate).toBeGreaterThan(0);
    expect(r.accountingImbalance).toBe(0);
    // A count instead of names: the same seed picks (and catches) the same two liars.
    const drawn = await runScenario(scenario('{ count: 2, types: [conflicting_votes, false_information] }'), { seed: 5 });
    const again = await runScenario(scenario('{ count: 2, types: [conflicting_votes, false_information] }'), { seed: 5 });
    expect(drawn.byzantineDetected).toHaveLength(2);
    expect(again.byzantineDetected).toEqual(drawn.byzantineDetected);
  });

  it('liars who only lie are not detectable from votes alone, but cost quality as their share grows', async () => {
    const few = await runScenario(scenario('{ count: 1, types: [false_information] }'), { seed: 2 });
    const many = await runScenario(scenario('{ count: 3, types: [false_information] }'), { seed: 2 });
    expect(few.byzantineDetected).toEqual([]);
    expect(many.decisions.decided).toBeLessThan(few.decisions.decided);
  });

  it('silent and slow voters make decisions wait for the timeout; byzantine_supermajority then refuses', async () => {
    const r = await runScenario(scenario('{ count: 3, types: [silent] }', 'byzantine_supermajority'), { seed: 1 });
    // 4 honest votes of an electorate of 7 can never be more than 2/3.
    expect(r.decisions.decided).toBe(0);
    expect(r.decisions.timedOut).toBe(60);
    const slow = await runScenario(scenario('{ count: 2, types: [delayed_responses], delay: 1s }'), { seed: 1 });
    expect(slow.decisions.decided + slow.decisions.noConsensus + slow.decisions.timedOut).toBe(60);
    expect(slow.refusedVotes.late).toBeGreaterThan(0);
  });

  it('random and replaying voters send well-formed noise and old votes: refused, counted, the decision unmoved', async () => {
    const honest = await runScenario(scenario('{ count: 0 }'), { seed: 3 });
    for (const type of ['random', 'replay']) {
      const r = await runScenario(scenario(`{ count: 2, types: [${type}] }`), { seed: 3 });
      const refused = r.refusedVotes.stranger + r.refusedVotes.duplicate + r.refusedVotes.malformed + r.refusedVotes.late;
      // Every decision after the first brings each liar's extra vote, and each is refused.
      expect(refused).toBeGreaterThanOrEqual(2 * 59);
      expect(r.decisions.decided).toBe(honest.decisions.decided);
      expect(r.quality).toBeGreaterThan(0.9);
      expect(r.safetyViolations).toEqual([]);
      expect(r.accountingImbalance).toBe(0);
    }
  });

  it('bad byzantine settings are clear errors', async () => {
    // A count beyond the agents is refused as the file loads; the rest when the run starts.
    await expect(Promise.resolve().then(() => runScenario(scenario('{ count: 9 }')))).rejects.toThrow(/faults\.byzantine\.count/);
    await expect(runScenario(scenario('{ types: [lying] }'))).rejects.toThrow(/faults\.byzantine\.types\[0\]/);
    await expect(runScenario(scenario('{ target: nobody }'))).rejects.toThrow(/faults\.byzantine\.target/);
  });
});
