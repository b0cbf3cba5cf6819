import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

// Raft tolerates no Byzantine node: these runs show its checkers catching what one does.
const scenario = (types: string, count = 1) =>
  parseScenario(`
name: raft-liar
agents: [{ role: node, count: 3 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 100, in_flight: 4 }
faults:
  byzantine: { count: ${count}, types: [${types}] }
  network: [{ at: 0ms, delay: { distribution: uniform, min: 5ms, max: 60ms } }]
`);

describe('Byzantine Raft nodes (beyond what Raft tolerates)', () => {
  it('a node that votes twice lets two leaders win one term: the checkers catch it', async () => {
    const found: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const r = await runScenario(scenario('conflicting_votes'), { seed, mode: 'sim' });
      found.push(...r.safetyViolations.map((v) => v.property));
      // Two leaders may keep messaging for ever: the run still ends, with its books whole.
      expect(r.messages.sent).toBe(r.messages.delivered + r.messages.dropped + r.messages.deadLettered + r.messages.inFlight);
    }
    expect(found).toContain('election-safety');
  });

  it('the same network with an honest node in its place is safe', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = await runScenario(scenario('conflicting_votes', 0), { seed, mode: 'sim' });
      expect(r.safetyViolations).toEqual([]);
      expect(r.decisions.decided).toBe(100);
    }
  });
});
