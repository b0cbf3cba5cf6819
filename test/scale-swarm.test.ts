import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from '../src/index.ts';

/**
 * Issue 21: a swarm, not a committee. 100,000 voters on a mesh decide a small number of decisions
 * in sim mode, every vote counted and checked, the books exact. Before the coordinator's vote
 * checks were O(1), one decision at this size was quadratic (a vote scanned the electorate).
 * Wall time is the bench's business (`npm run bench -- scale`), not this test's.
 */
describe('a 100,000-agent voting swarm', () => {
  it('decides 2 decisions with every vote counted, checked over the trace, books balanced', async () => {
    const agents = 100_000;
    const scenario = parseScenario(
      [
        'name: swarm-100k',
        'seed: 4',
        `agents: [{ role: agent, count: ${agents}, accuracy: 0.8 }]`,
        'topology: mesh',
        'consensus: { algorithm: simple_majority, voting_timeout: 600s }',
        'task: { question: pick, options: [A, B], truth: A, decisions: 2, in_flight: 2 }',
      ].join('\n'),
      'swarm.yml',
    );
    const votes = new Map<string, number>();
    const r = await runScenario(scenario, {
      onEvent: (e) => {
        if (e.type === 'emit' && e.event.type === 'vote') votes.set(String(e.event.decision), (votes.get(String(e.event.decision)) ?? 0) + 1);
      },
    });
    expect(r.agents).toBe(agents);
    expect(r.decisions).toMatchObject({ attempted: 2, decided: 2, timedOut: 0 });
    expect([...votes.values()]).toEqual([agents, agents]);
    // A proposal to each voter and a vote back, per decision, plus the run's start and reply.
    expect(r.messages.sent).toBe(2 * 2 * agents + 2);
    expect(r.messages.delivered).toBe(r.messages.sent);
    expect(r.accountingImbalance).toBe(0);
    expect(r.safetyChecked).toBe(true);
    expect(r.safetyViolations).toEqual([]);
    expect(r.byOutcome).toEqual({ A: 2 });
  }, 180_000);
});
