import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkVotingSafety } from '../src/check/voting-agreement.ts';
import { COORDINATOR, VOTER } from '../src/protocols/voting/refs.ts';
import type { RunSummary } from '../src/protocols/voting/coordinator.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { SimSystem, type TraceEvent } from '../src/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const scenario = (yaml: string) => parseScenario(yaml, 'inline.yml');

const base = (extra = '') => `
name: t
agents:
  - { role: researcher, count: 1, accuracy: 0.9 }
  - { role: coder, count: 2, accuracy: 0.8 }
  - { role: tester, count: 2, accuracy: 0.8 }
topology: mesh
consensus: { algorithm: simple_majority, voting_timeout: 1s }
task: { question: Which database?, options: [PostgreSQL, MongoDB, DynamoDB], truth: PostgreSQL, decisions: 60, in_flight: 4 }
${extra}`;

describe('a voting run (sim)', () => {
  it('decides, reports quality apart from liveness and safety, and balances its books', async () => {
    const r = await runScenario(scenario(base()), { seed: 7 });
    expect(r.decisions.attempted).toBe(60);
    expect(r.decisions.decided + r.decisions.noConsensus + r.decisions.timedOut).toBe(60);
    expect(r.decisions.timedOut).toBe(0);
    expect(r.quality).toBeGreaterThan(0.8);
    expect(r.safetyViolations).toEqual([]);
    expect(r.accountingImbalance).toBe(0);
    expect(r.messages.inFlight).toBe(0);
    // One broadcast (5 copies) and 5 votes per decision, plus the run request and its reply.
    expect(r.messages.sent).toBe(60 * 10 + 2);
  });

  it('replays: same seed, same trace; another seed, another trace', async () => {
    const a = await runScenario(scenario(base()), { seed: 11 });
    const b = await runScenario(scenario(base()), { seed: 11 });
    const c = await runScenario(scenario(base()), { seed: 12 });
    expect(b.traceHash).toBe(a.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('dynamic weights move toward the agents that see the truth', async () => {
    const s = scenario(`
name: dyn
agents:
  - { role: sharp, count: 2, accuracy: 0.95 }
  - { role: vague, count: 3, accuracy: 0.3 }
consensus: { algorithm: weighted_voting, threshold: 0.5, dynamic_weights: true }
task: { question: q, options: [A, B, C], truth: A, decisions: 80 }
`);
    const r = await runScenario(s, { seed: 3 });
    const w = r.weights!;
    expect(Math.min(w.sharp_001, w.sharp_002)).toBeGreaterThan(Math.max(w.vague_001, w.vague_002, w.vague_003));
    expect(w.sharp_001).toBeGreaterThan(1);
    expect(w.vague_001).toBeLessThan(1);
  });

  it('adaptive: risk picks the algorithm, critical escalates (recorded, or decided by a human hook)', async () => {
    const yaml = (risk: string, escalation = 'record') => `
name: adapt
agents: [{ role: analyst, count: 4, accuracy: 1 }]
consensus: { algorithm: adaptive, escalation: ${escalation} }
task: { question: q, options: [go, wait], truth: go, risk: ${risk}, decisions: 5 }
`;
    const events: TraceEvent[] = [];
    const low = await runScenario(scenario(yaml('low')), { onEvent: (e) => events.push(e) });
    expect(low.decisions.decided).toBe(5);
    const algorithms = events.flatMap((e) => (e.type === 'emit' && e.event.type === 'decided' ? [e.event.algorithm] : []));
    expect(new Set(algorithms)).toEqual(new Set(['simple_majority']));
    const high = await runScenario(scenario(yaml('high')), {});
    expect(high.decisions.decided).toBe(5);
    const critical = await runScenario(scenario(yaml('critical')), {});
    expect(critical.decisions).toMatchObject({ attempted: 5, decided: 0, escalated: 5 });
    const asked: string[] = [];
    const waited = await runScenario(scenario(yaml('critical', 'wait')), {
      onEscalation: ({ decision }) => {
        asked.push(decision);
        return 'wait';
      },
    });
    expect(asked).toHaveLength(5);
    expect(waited.decisions).toMatchObject({ decided: 5, escalated: 5 });
    expect(waited.byOutcome).toEqual({ wait: 5 });
  });

  it('a workflow stage without consensus blocks everything that depends on it', async () => {
    const r = await runScenario(
      scenario(`
name: flow
agents:
  - { role: architect, count: 3, accuracy: 1, expertise: { weight: 2, domains: [design] } }
  - { role: auditor, count: 1, accuracy: 1, expertise: { weight: 2, domains: [security] } }
consensus: { algorithm: simple_majority }
task: { question: Ship it?, options: [yes, no], truth: yes }
workflow:
  stages:
    - { name: design, consensus_algorithm: simple_majority, expert_domains: [design] }
    - { name: audit, consensus_algorithm: supermajority, expert_domains: [security], depends_on: [design] }
    - { name: build, consensus_algorithm: simple_majority, depends_on: [audit] }
    - { name: launch, consensus_algorithm: simple_majority, depends_on: [build] }
    - { name: docs, consensus_algorithm: simple_majority, depends_on: [design] }
`),
    );
    expect(r.stages!.design.status).toBe('passed');
    // One auditor cannot make a supermajority's three participants.
    expect(r.stages!.audit).toMatchObject({ status: 'failed', reason: expect.stringMatching(/participant/) });
    expect(r.stages!.build.status).toBe('blocked');
    expect(r.stages!.launch.status).toBe('blocked');
    expect(r.stages!.docs.status).toBe('passed');
    expect(r.decisions.attempted).toBe(3);
  });

  it('refuses forged, duplicate, stray and malformed votes, counts them, and still decides', async () => {
    const unruly = fileURLToPath(new URL('./fixtures/unruly-voter.ts', import.meta.url));
    const r = await runScenario(
      scenario(`
name: unruly
agents:
  - { role: researcher, count: 3, accuracy: 1 }
  - { role: troll, count: 1, behaviour: { module: ${JSON.stringify(unruly)} } }
consensus: { algorithm: simple_majority, voting_timeout: 200ms }
task: { question: q, options: [A, B], truth: A, decisions: 10 }
`),
      { seed: 1 },
    );
    expect(r.decisions.decided).toBe(10);
    expect(r.byOutcome).toEqual({ A: 10 });
    // Per decision: the forged vote counts as the troll's own (the runtime stamps who sent it);
    // its repeat is a duplicate, or late if the decision closed first; the stray one is late;
    // two are malformed.
    const { duplicate, late, malformed, stranger } = r.refusedVotes;
    expect({ repeatsAndStrays: duplicate + late, malformed, stranger }).toEqual({ repeatsAndStrays: 20, malformed: 20, stranger: 0 });
    expect(duplicate).toBeGreaterThan(0);
    expect(r.accountingImbalance).toBe(0);
  });
});

describe('the safety checker', () => {
  it('catches a real split brain: two coordinators decide the same decision differently', async () => {
    const sim = new SimSystem({ seed: 5, keepTrace: true });
    const consensus = { algorithm: 'simple_majority', votingTimeoutMs: 1000 };
    const task = { question: 'Leader?', options: ['X', 'Y'], decisions: 3, inFlight: 1 };
    // A partition: each coordinator reaches only its own side, and each side sees a different truth.
    await sim.spawn('coord-a', COORDINATOR, { props: { consensus, task, voterInfo: { a1: { role: 'v' }, a2: { role: 'v' } } } });
    await sim.spawn('coord-b', COORDINATOR, { props: { consensus, task, voterInfo: { b1: { role: 'v' }, b2: { role: 'v' } } } });
    for (const id of ['a1', 'a2']) await sim.spawn(id, VOTER, { props: { role: 'v', accuracy: 1, truth: 'X' } });
    for (const id of ['b1', 'b2']) await sim.spawn(id, VOTER, { props: { role: 'v', accuracy: 1, truth: 'Y' } });
    const [a, b] = await Promise.all([sim.ask('coord-a', { kind: 'run' }, { timeoutMs: 10_000 }), sim.ask('coord-b', { kind: 'run' }, { timeoutMs: 10_000 })]);
    expect((a.body as RunSummary).decided).toBe(3);
    expect((b.body as RunSummary).decided).toBe(3);
    const violations = checkVotingSafety(sim.recorder.events);
    expect(violations.map((v) => `${v.property}:${v.decision}`)).toEqual(['agreement:d1', 'agreement:d2', 'agreement:d3']);
    expect(violations[0].detail).toMatch(/"coord-a" decided "X" but "coord-b" decided "Y"/);
    // One coordinator alone on the same votes: nothing to report.
    expect(checkVotingSafety(sim.recorder.events.filter((e) => !('actor' in e) || e.actor !== 'coord-b'))).toEqual([]);
  });

  it('catches a decided value that was never an option', () => {
    const emit = (event: Record<string, unknown>): TraceEvent => ({ t: 0, type: 'emit', actor: 'c', event });
    const v = checkVotingSafety([emit({ type: 'proposal', decision: 'd1', options: ['A', 'B'] }), emit({ type: 'decided', decision: 'd1', value: 'Z' })]);
    expect(v).toEqual([{ property: 'validity', decision: 'd1', detail: expect.stringMatching(/"Z", which is not an option/) }]);
  });
});
