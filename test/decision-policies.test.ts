import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const scenario = (yaml: string) => parseScenario(yaml, 'inline.yml');

/** 5 voters: 3 always choose the truth (a), 2 never do: 60% for a. */
const AGENTS = `
agents:
  - { role: sure, count: 3, accuracy: 1, expertise: { weight: 1, domains: [ops] } }
  - { role: wrong, count: 2, accuracy: 0 }`;

const decided = (events: TraceEvent[]) => events.flatMap((e) => (e.type === 'emit' && e.event.type === 'decided' ? [e.event as Record<string, unknown>] : []));

describe('decision_policies: a class applies its algorithm, threshold and timeout to its decisions', () => {
  it('task.policy picks the class: its threshold decides (3 of 5 passes under routine, fails under important)', async () => {
    const yaml = (policy: string) => `
name: classes
${AGENTS}
consensus: { algorithm: simple_majority }
decision_policies:
  routine: { algorithm: simple_majority, threshold: 0.55, timeout: 30s }
  important: { algorithm: supermajority, threshold: 0.67, timeout: 120s }
task: { question: q, options: [a, b], truth: a, decisions: 4, policy: ${policy} }
`;
    const events: TraceEvent[] = [];
    const routine = await runScenario(scenario(yaml('routine')), { onEvent: (e) => events.push(e) });
    expect(routine.decisions).toMatchObject({ attempted: 4, decided: 4 });
    expect(routine.byPolicy).toEqual({ routine: { attempted: 4, decided: 4, noConsensus: 0, timedOut: 0, escalated: 0 } });
    expect(decided(events).map((e) => [e.policy, e.algorithm])).toEqual(Array(4).fill(['routine', 'simple_majority']));
    const important = await runScenario(scenario(yaml('important')));
    expect(important.decisions).toMatchObject({ attempted: 4, decided: 0, noConsensus: 4 });
    expect(important.byPolicy).toEqual({ important: { attempted: 4, decided: 0, noConsensus: 4, timedOut: 0, escalated: 0 } });
    expect(important.safetyViolations).toEqual([]);
  });

  it("the class's timeout is the decision's voting timeout (a delayed voter is waited for, or not)", async () => {
    const yaml = (timeout: string) => `
name: timeouts
agents: [{ role: v, count: 4, accuracy: 1 }]
consensus: { algorithm: supermajority, threshold: 1, voting_timeout: 60s }
decision_policies: { emergency: { timeout: ${timeout} } }
task: { question: q, options: [a, b], truth: a, decisions: 2, policy: emergency }
faults: { byzantine: { count: 1, types: [delayed_responses], delay: 2s } }
`;
    const events: TraceEvent[] = [];
    await runScenario(scenario(yaml('500ms')), { onEvent: (e) => events.push(e) });
    // Closed at the class's timeout, without the delayed ballot.
    expect(decided(events).map((e) => [e.cause, e.latencyMs, e.votes])).toEqual([
      ['timeout', 500, 3],
      ['timeout', 500, 3],
    ]);
    const waited: TraceEvent[] = [];
    await runScenario(scenario(yaml('5s')), { onEvent: (e) => waited.push(e) });
    expect(decided(waited).map((e) => [e.cause, e.votes])).toEqual([
      ['complete', 4],
      ['complete', 4],
    ]);
    expect(decided(waited).every((e) => Number(e.latencyMs) > 2_000)).toBe(true);
  });

  it('a workflow stage names its class: the class gives the algorithm and threshold it left out', async () => {
    const r = await runScenario(
      scenario(`
name: flow
${AGENTS}
consensus: { algorithm: simple_majority }
decision_policies:
  routine: { threshold: 0.55 }
  important: { algorithm: supermajority, threshold: 0.67 }
task: { question: q, options: [a, b], truth: a }
workflow:
  stages:
    - { name: design, policy: routine }
    - { name: review, policy: important, depends_on: [design] }
    - { name: ship, consensus_algorithm: simple_majority, policy: important, depends_on: [design] }
`),
    );
    expect(r.stages).toMatchObject({ design: { status: 'passed', decision: 'a' }, review: { status: 'failed' }, ship: { status: 'failed' } });
    expect(r.byPolicy).toEqual({
      routine: { attempted: 1, decided: 1, noConsensus: 0, timedOut: 0, escalated: 0 },
      important: { attempted: 2, decided: 0, noConsensus: 2, timedOut: 0, escalated: 0 },
    });
    expect(r.safetyViolations).toEqual([]);
  });

  it('audit_trail traces every vote of its decisions even with per-vote tracing off', async () => {
    const yaml = (audit: string) => `
name: audit
agents: [{ role: v, count: 3, accuracy: 1 }]
decision_policies: { critical: { algorithm: simple_majority${audit} } }
task: { question: q, options: [a, b], decisions: 2, policy: critical }
`;
    const votes = async (audit: string) => {
      let n = 0;
      await runScenario(scenario(yaml(audit)), { traceVotes: false, onEvent: (e) => void (e.type === 'emit' && e.event.type === 'vote' && n++) });
      return n;
    };
    expect(await votes('')).toBe(0);
    expect(await votes(', audit_trail: true')).toBe(6);
    expect(await votes(', audit_required: true')).toBe(6);
  });

  it('expert_review: the experts in the domain must have chosen the outcome', async () => {
    const yaml = (experts: string) => `
name: review
agents:
  - { role: crowd, count: 4, accuracy: 1 }
  - { role: expert, count: 3, accuracy: ${experts}, expertise: { weight: 1, domains: [ops] } }
decision_policies: { important: { algorithm: simple_majority, expert_review: true } }
task: { question: q, options: [a, b], truth: a, domain: ops, decisions: 2, policy: important }
`;
    const events: TraceEvent[] = [];
    const against = await runScenario(scenario(yaml('0')), { onEvent: (e) => events.push(e) });
    expect(against.decisions).toMatchObject({ decided: 0, noConsensus: 2 });
    expect(decided(events)[0].reason).toBe('expert review: 0 of 3 experts in ops chose a');
    expect(against.safetyViolations).toEqual([]);
    const agree = await runScenario(scenario(yaml('1')));
    expect(agree.decisions).toMatchObject({ decided: 2 });
    expect(agree.safetyViolations).toEqual([]);
  });

  it('byzantine_tolerant in a class is counted with its quorum rule (byzantine_supermajority), and said so', async () => {
    const events: TraceEvent[] = [];
    const r = await runScenario(
      scenario(`
name: bft
${AGENTS}
decision_policies: { critical: { algorithm: byzantine_tolerant, threshold: 0.75 } }
task: { question: q, options: [a, b], decisions: 1, policy: critical }
`),
      { onEvent: (e) => events.push(e) },
    );
    expect(decided(events).map((e) => e.algorithm)).toEqual(['byzantine_supermajority']);
    expect(r.decisions.decided).toBe(0); // 3 of 5 is not more than two thirds
    expect(r.warnings).toEqual([
      'decision_policies.critical.algorithm: byzantine_tolerant is a protocol among replicas; a vote of this class is counted with its quorum rule instead (byzantine_supermajority: more than two thirds of the electorate) — write byzantine_supermajority to say so, or consensus.algorithm: byzantine_tolerant to run PBFT',
      "decision_policies.critical.threshold: byzantine_supermajority's quorum is fixed (more than two thirds), so 0.75 is not read; remove it, or use supermajority with a threshold",
    ]);
  });

  it('raft in a class a vote uses is refused by name; unused, leader_override and emergency_contacts are warned about', async () => {
    const yaml = (policy: string) => `
name: raft-class
${AGENTS}
decision_policies:
  routine: { algorithm: simple_majority }
  emergency: { algorithm: raft, leader_override: true, timeout: 10s, emergency_contacts: true }
task: { question: q, options: [a, b], policy: ${policy} }
`;
    await expect(runScenario(scenario(yaml('emergency')))).rejects.toThrow(/decision_policies\.emergency\.algorithm.*raft replicates a log/);
    const r = await runScenario(scenario(yaml('routine')));
    expect(r.warnings).toEqual([
      "decision_policies.emergency: no decision names this class (task.policy, or a workflow stage's policy), so it is not applied",
      'decision_policies.emergency.algorithm: raft cannot judge a vote (it replicates a log through a leader); write a voting algorithm here, or run the scenario with consensus.algorithm: raft',
      'decision_policies.emergency.leader_override: a vote has no leader (the coordinator only counts ballots), so nothing overrides it; remove it (a leader that decides alone is consensus.algorithm: raft)',
      "decision_policies.emergency.emergency_contacts: alerts are delivered by the dashboard's channels (not built yet); a run reports its alerts in result.alerts and to RunOptions.onAlert",
    ]);
  });

  it('production_mode: true refuses what would only be warned about; false runs with the warnings', async () => {
    const yaml = (production: boolean) => `
name: prod
${AGENTS}
consensus:
  production_mode: ${production}
  decision_policies:
    routine: { algorithm: simple_majority }
    emergency: { algorithm: simple_majority, emergency_contacts: true }
task: { question: q, options: [a, b], policy: routine }
`;
    await expect(runScenario(scenario(yaml(true)))).rejects.toThrow(
      /"production_mode".*production_mode: true refuses what would only be warned about.*decision_policies\.emergency: no decision names this class.*\(and 1 more\)/,
    );
    expect((await runScenario(scenario(yaml(false)))).warnings).toHaveLength(2);
  });

  it("production_mode: true refuses a Raft, PBFT or gossip scenario's unused vote settings too", async () => {
    for (const algorithm of ['raft', 'byzantine_tolerant', 'gossip']) {
      const yaml = (production: boolean) =>
        `name: p\nagents: [{ role: node, count: 4 }]\nconsensus: { algorithm: ${algorithm}, production_mode: ${production} }\ntask: { decisions: 1, options: [a, b] }\n`;
      await expect(runScenario(scenario(yaml(true)))).rejects.toThrow(/"production_mode".*task\.options: (raft|PBFT|gossip) votes on nothing/);
      expect((await runScenario(scenario(yaml(false)))).warnings).toContainEqual(expect.stringMatching(/^task\.options: /));
    }
  });

  it('the scenario refuses an undefined class, a misspelt class or key, and a setting given in both places', () => {
    expect(() => scenario(`name: x\n${AGENTS}\ndecision_policies: { routine: {} }\ntask: { question: q, options: [a, b], policy: critical }\n`)).toThrow(
      /"task\.policy": expected a class defined in decision_policies \("routine"\), got "critical"/,
    );
    expect(() => scenario(`name: x\n${AGENTS}\ndecision_policies: { critcal: {} }\ntask: { question: q, options: [a, b] }\n`)).toThrow(/critcal/);
    expect(() => scenario(`name: x\n${AGENTS}\ndecision_policies: { routine: { timout: 1s } }\ntask: { question: q, options: [a, b] }\n`)).toThrow(/timout/);
    expect(() => scenario(`name: x\n${AGENTS}\ndecision_policies: { routine: { on_timeout: approve } }\ntask: { question: q, options: [a, b] }\n`)).toThrow(
      /on_timeout.*human_oversight: true/,
    );
    expect(() => scenario(`name: x\n${AGENTS}\nconsensus: { monitoring: {} }\nmonitoring: {}\ntask: { question: q, options: [a, b] }\n`)).toThrow(
      /consensus\.monitoring.*not both/,
    );
  });

  it('Raft, PBFT and gossip name every class setting in their warnings (they vote on nothing)', async () => {
    const yaml = (algorithm: string) => `
name: log
agents: [{ role: node, count: 4 }]
consensus:
  algorithm: ${algorithm}
  decision_policies:
    emergency: { algorithm: raft, leader_override: true, timeout: 10s, human_oversight: true }
task: { decisions: 2, policy: emergency }
`;
    for (const algorithm of ['raft', 'byzantine_tolerant', 'gossip']) {
      const r = await runScenario(scenario(yaml(algorithm)));
      expect(r.decisions.decided).toBe(2);
      expect(r.warnings).toContain(
        `decision_policies.emergency (algorithm, timeoutMs, human_oversight): ${algorithm} does not vote, so a class of decision is not applied (its own settings, e.g. consensus.voting_timeout / the client's, still are); the monitoring alerts work for ${algorithm}`,
      );
      expect(r.warnings).toContain(`task.policy: ${algorithm} does not vote, so the class emergency is not applied`);
      expect(r.warnings).toContainEqual(expect.stringMatching(/^decision_policies\.emergency\.leader_override: /));
    }
  });
});
