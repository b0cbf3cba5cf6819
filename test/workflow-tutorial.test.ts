import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceTally } from '../src/check/reference-tally.ts';
import { byzantineSupermajority } from '../src/protocols/voting/builtin-policies.ts';
import type { Proposal, Vote } from '../src/protocols/voting/types.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { errorOf, yaml } from './fixtures/scenario-error.ts';

const tutorial = (name: string) => fileURLToPath(new URL(`./fixtures/tutorial/${name}`, import.meta.url));
const HEAD = ['name: w', 'agents: [{ role: a, count: 4 }]', 'task: { question: q, options: [go, no-go] }'];

describe("the tutorial's multi-stage workflow (exercise 14)", () => {
  it('loads from its JSON file as written: stage -> name, workflow_name -> name, byzantine_tolerant -> byzantine_supermajority', async () => {
    const s = await loadScenarioFile(tutorial('product-workflow.yml'));
    expect(s.workflow!.name).toBe('product_development_consensus');
    expect(s.workflow!.stages.map((st) => [st.name, st.consensus_algorithm, st.threshold, st.depends_on])).toEqual([
      ['concept_validation', 'simple_majority', 0.6, []],
      ['technical_feasibility', 'weighted_voting', 0.7, ['concept_validation']],
      ['resource_allocation', 'supermajority', 0.75, ['technical_feasibility']],
      ['final_approval', 'byzantine_supermajority', 0.8, ['resource_allocation']],
    ]);
    expect(s.workflow!.stages[0]).toMatchObject({ max_agents: 5, description: 'Validate product concept and market fit' });
    expect(s.warnings).toBeUndefined();
  });

  it("runs every stage, the last one a Byzantine-tolerant vote at the stage's 0.8 of the electorate", async () => {
    const r = await runScenario(await loadScenarioFile(tutorial('product-workflow.yml')));
    expect(Object.values(r.stages!).map((st) => st.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(r.stages!.final_approval).toMatchObject({ decision: 'go', strength: 6 / 7 });
  });

  it('the same shape inline in YAML; a stage named twice differently is refused', () => {
    const s = parseScenario(
      yaml(
        ...HEAD,
        'workflow:',
        '  workflow_name: w1',
        '  stages:',
        '    - { stage: s1, consensus_algorithm: byzantine_tolerant }',
        '    - { name: s2, consensus_algorithm: supermajority, depends_on: [s1] }',
      ),
    );
    expect(s.workflow).toEqual({
      name: 'w1',
      stages: [
        { name: 's1', consensus_algorithm: 'byzantine_supermajority', depends_on: [] },
        { name: 's2', consensus_algorithm: 'supermajority', depends_on: ['s1'] },
      ],
    });
    const e = errorOf(() =>
      parseScenario(yaml(...HEAD, 'workflow:', '  stages:', '    - { stage: s1, name: s2, consensus_algorithm: supermajority }'), 's.yml'),
    );
    expect(e.message).toContain('"workflow.stages[0].stage": expected the same name as its "name" ("s2"), or only one of them');
  });

  it('a workflow file that is missing is refused with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-wf-'));
    const file = join(dir, 's.yml');
    writeFileSync(file, yaml(...HEAD, 'workflow: nowhere.json'));
    const e = errorOf(() => parseScenario(yaml(...HEAD, 'workflow: nowhere.json'), file));
    expect(e).toMatchObject({ path: 'workflow', line: 4 });
    expect(e.message).toContain(`could not be read`);
  });

  it('a workflow file is read as a scenario is: a syntax error or a __proto__ key is refused at its place in that file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-wf-'));
    const file = join(dir, 's.yml');
    const flow = join(dir, 'flow.json');
    writeFileSync(flow, '{"stages": [{"stage": "a", "consensus_algorithm": "supermajority"}], "__proto__": {"stages": []}}');
    const proto = errorOf(() => parseScenario(yaml(...HEAD, 'workflow: flow.json'), file));
    expect(proto.message).toBe(
      `${flow}:1:70: expected a key other than __proto__ (no setting is named so), got the key __proto__. Rename or remove the entry.`,
    );
    writeFileSync(flow, '{"stages": [{"stage": "a"');
    const broken = errorOf(() => parseScenario(yaml(...HEAD, 'workflow: flow.json'), file));
    expect([broken.message.startsWith(`${flow}:1:`), broken.message]).toEqual([true, expect.stringContaining('expected valid YAML, got a syntax error')]);
  });

  it('expert_domains no agent has, max_agents above the swarm and a threshold a Byzantine stage cannot use are named', () => {
    const s = parseScenario(
      yaml(
        ...HEAD,
        'workflow:',
        '  stages:',
        '    - { stage: s1, consensus_algorithm: weighted_voting, expert_domains: [engineering], max_agents: 9 }',
        '    - { stage: s2, consensus_algorithm: byzantine_tolerant, threshold: 0.6 }',
      ),
    );
    expect(s.warnings).toEqual([
      "workflow.stages[0].expert_domains: no agent has expertise in engineering, so all 4 agents vote on stage s1; give a group expertise: { weight, domains: [engineering] } (or consensus.agent_expertise) to make it an experts' vote",
      'workflow.stages[0].max_agents: 9 is more than the 4 agents the scenario has, so all of them vote on stage s1',
      'workflow.stages[1].threshold: 0.6 is not used: a Byzantine-tolerant stage always needs more than 2/3 of its electorate; a threshold above 2/3 raises that bar',
    ]);
  });
});

describe('byzantine_supermajority with a threshold above 2/3', () => {
  const proposal: Proposal = { id: 'd1', question: 'q', options: ['A', 'B'], electorate: 7 };
  const votes = (a: number, b: number): Vote[] =>
    [...Array(a).fill('A'), ...Array(b).fill('B')].map((d, i) => ({ agent: `v${i}`, role: 'x', decision: d, reason: '', confidence: 1 }));
  const ballots = (vs: Vote[]) => vs.map((v) => ({ agent: v.agent, role: v.role, choice: v.decision }));

  it('needs at least that share of the electorate (5 of 7 passes 2/3 but not 0.8; 6 of 7 passes 0.8)', () => {
    expect(byzantineSupermajority({ electorate: 7 }).evaluate(proposal, votes(5, 2)).consensus).toBe(true);
    expect(byzantineSupermajority({ electorate: 7, threshold: 0.8 }).evaluate(proposal, votes(5, 2))).toMatchObject({
      consensus: false,
      reason: 'below 0.8 of electorate 7 (0.7143)',
    });
    expect(byzantineSupermajority({ electorate: 7, threshold: 0.8 }).evaluate(proposal, votes(6, 1)).consensus).toBe(true);
    // At or below 2/3 the Byzantine bar stands: 2/3 exactly does not pass.
    expect(byzantineSupermajority({ electorate: 6, threshold: 0.5 }).evaluate({ ...proposal, electorate: 6 }, votes(4, 2)).consensus).toBe(false);
  });

  it('and the reference tally agrees', () => {
    expect(referenceTally({ algorithm: 'byzantine_supermajority', electorate: 7, threshold: 0.8 }, ['A', 'B'], ballots(votes(5, 2))).consensus).toBe(false);
    expect(referenceTally({ algorithm: 'byzantine_supermajority', electorate: 7, threshold: 0.8 }, ['A', 'B'], ballots(votes(6, 1))).consensus).toBe(true);
    expect(referenceTally({ algorithm: 'byzantine_supermajority', electorate: 7 }, ['A', 'B'], ballots(votes(5, 2))).consensus).toBe(true);
    expect(referenceTally({ algorithm: 'byzantine_supermajority', electorate: 6, threshold: 0.5 }, ['A', 'B'], ballots(votes(4, 2))).consensus).toBe(false);
  });
});
