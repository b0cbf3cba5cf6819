import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../src/actors/library.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * The voting coordinator's control messages (a decision's timeout, a scheduled event, winding
 * the run down, a person's answer to an escalation) are accepted only from where they come
 * from: its own timers, or the runtime's side. A voter that sends them is ignored, so the run
 * ends as it would without it: every decision reached by the honest votes, none timed out.
 */
const forger = fileURLToPath(new URL('./fixtures/control-forger.ts', import.meta.url));

const scenario = (mode: string) =>
  parseScenario(`
name: control-forgery
mode: ${mode}
agents:
  - { role: analyst, count: 3, accuracy: 1 }
  - { role: forger, count: 1, behaviour: { module: ${JSON.stringify(forger)}, export: voter } }
consensus: { algorithm: simple_majority, voting_timeout: 30s, escalation: record }
task: { question: q, options: [A, B], truth: A, decisions: 5, in_flight: 1 }
`);

describe('a voter cannot send the coordinator its control messages', () => {
  it.each(['sim', 'threads'])('%s: no decision closes early, the run is not wound down, every decision is reached', async (mode) => {
    const r = await runScenario(scenario(mode), { workers: 2 });
    expect(r.decisions).toMatchObject({ attempted: 5, decided: 5, timedOut: 0, noConsensus: 0 });
    expect(r.byOutcome).toEqual({ A: 5 });
    expect(r.accountingImbalance).toBe(0);
  });
});
