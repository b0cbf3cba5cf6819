import { describe, expect, it } from 'vitest';
import { faultsFor, runStress, type StressPlan } from '../src/stress/index.ts';
import { unclosedDecisions } from '../src/stress/unclosed.ts';

/**
 * Issue 13: stress counted votes that closed at their timeout or without consensus as runs that
 * "did not finish" (3,266 of 10,200 runs of simple majority n = 7). A closed vote has ended;
 * only decisions left without an end (a request or command never acknowledged) make a run
 * unfinished.
 */
describe('stress: which runs did not finish', () => {
  it('a vote closed at its timeout, without consensus or escalated has ended; a PBFT or Raft request never accepted has not', () => {
    const votes = { attempted: 100, decided: 90, noConsensus: 4, timedOut: 5, escalated: 1 };
    expect(unclosedDecisions('simple_majority', votes)).toBe(0);
    expect(unclosedDecisions('weighted_voting', { ...votes, timedOut: 2 })).toBe(3);
    // A client-driven run reports the requests it never had accepted as timed out.
    const requests = { attempted: 100, decided: 16, noConsensus: 0, timedOut: 84, escalated: 0 };
    expect(unclosedDecisions('pbft', requests)).toBe(84);
    expect(unclosedDecisions('byzantine_tolerant', requests)).toBe(84);
    expect(unclosedDecisions('raft', requests)).toBe(84);
  });

  it('simple majority n = 7: runs whose votes timed out are finished', async () => {
    const plan: StressPlan = { protocol: 'simple_majority', agents: 7, faults: faultsFor('simple_majority', undefined), decisions: 100 };
    const report = await runStress(plan, { runs: 10, seed: 1, workers: 1 });
    // The campaign did close votes without consensus (else this test would prove nothing).
    expect(report.decisions.decided).toBeLessThan(report.decisions.attempted);
    expect(report.failing).toEqual([]);
    expect(report.unfinished).toEqual([]);
  }, 60_000);

  it('a real stall still counts: PBFT n = 4 with two silent replicas (beyond f = 1) never finishes', async () => {
    const plan: StressPlan = { protocol: 'pbft', agents: 4, failureRate: 0.5, faults: ['silent'], decisions: 10 };
    const report = await runStress(plan, { runs: 1, seed: 7, workers: 1 });
    expect(report.decisions.decided).toBeLessThan(report.decisions.attempted);
    expect(report.unfinished).toEqual([7]);
  }, 60_000);
});
