import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_TEXT, loadScenarioFile, parseDuration, parseScenario } from '../src/scenario/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/scenarios/${name}`, import.meta.url));

describe('loading a scenario', () => {
  it('loads and normalises the DESIGN.md example scenario', async () => {
    const s = await loadScenarioFile(fixture('full.yml'));
    expect(s.file).toBe(fixture('full.yml'));
    expect(s).toMatchObject({ name: 'db-choice', seed: 42, mode: 'sim', topology: 'mesh' });
    expect(s.agents).toEqual([
      { role: 'researcher', count: 1, weight: 1.5, accuracy: 0.8 },
      { role: 'coder', count: 2, accuracy: 0.7 },
      // The module is resolved against the scenario file's folder, not the working directory.
      { role: 'contrarian', count: 1, accuracy: 0.7, behaviour: { module: fixture('behaviours/contrarian.ts'), export: 'contrarian' } },
    ]);
    expect(s.consensus).toEqual({
      algorithm: 'simple_majority',
      threshold: 0.5,
      votingTimeoutMs: 60_000,
      escalation: 'record',
      weight_reference: 'truth',
      quorum_bonus: 2,
    });
    expect(s.task).toEqual({
      question: 'Choose the best database for a high-traffic e-commerce platform',
      options: ['PostgreSQL', 'MongoDB', 'DynamoDB'],
      truth: 'PostgreSQL',
      domain: 'architecture',
      risk: 'low',
      decisions: 1000,
      inFlight: 1,
    });
    expect(s.workflow?.stages).toEqual([
      { name: 'shortlist', consensus_algorithm: 'simple_majority', depends_on: [] },
      { name: 'decide', consensus_algorithm: 'supermajority', threshold: 0.67, depends_on: ['shortlist'] },
    ]);
    // Faults pass through as written: the adversary layer reads (and validates) them.
    expect(s.faults?.crash).toEqual([{ target: 'leader', at: '1s', duration: '500ms' }]);
    expect(s.schedule).toEqual([
      { atMs: 500, switch_topology: { type: 'hierarchical', teams: 3 } },
      { atMs: 1500, task: { complexity: 'high' } },
      { atMs: 2000, switch_topology: 'ring' },
    ]);
  });

  it('fills every default in a minimal scenario', async () => {
    const s = await loadScenarioFile(fixture('minimal.yml'));
    expect(s).toEqual({
      name: 'minimal',
      file: fixture('minimal.yml'),
      agents: [{ role: 'coder', count: 1, accuracy: 0.7 }],
      topology: 'mesh',
      consensus: { algorithm: 'simple_majority', votingTimeoutMs: 60_000, escalation: 'record', weight_reference: 'outcome' },
      task: { question: 'Tabs or spaces?', options: ['tabs', 'spaces'], decisions: 1, inFlight: 1 },
      schedule: [],
    });
  });

  it('parses the built-in scenario, also when given no text at all', () => {
    const s = parseScenario(DEFAULT_SCENARIO_TEXT);
    expect(s.name).toBe('db-choice');
    expect(s.agents.map((g) => [g.role, g.count, g.accuracy])).toEqual([
      ['researcher', 1, 0.8],
      ['coder', 2, 0.7],
      ['architect', 1, 0.75],
      ['tester', 1, 0.7],
    ]);
    expect(s.agents[0].weight).toBe(1.5);
    expect(s.task).toMatchObject({ options: ['PostgreSQL', 'MongoDB', 'DynamoDB'], truth: 'PostgreSQL', domain: 'architecture', risk: 'low', decisions: 20 });
    expect(s.consensus.algorithm).toBe('simple_majority');
    expect(parseScenario(undefined)).toEqual(s);
  });

  it('reads durations in every accepted form, bare numbers as milliseconds', async () => {
    const text = await readFile(fixture('minimal.yml'), 'utf8');
    const timeouts = ['500ms', '1.5s', '2m', '1h', '60', '0.25'].map(
      (t) => parseScenario(`${text}consensus: { voting_timeout: ${t} }\n`).consensus.votingTimeoutMs,
    );
    expect(timeouts).toEqual([500, 1_500, 120_000, 3_600_000, 60, 0.25]);
    const timed = parseScenario(text.replace('options: [tabs, spaces]', 'options: [tabs, spaces]\n  duration: 10s')).task;
    expect(timed.durationMs).toBe(10_000);
    expect(timed).not.toHaveProperty('decisions'); // a timed run has no decision count
    expect(parseDuration('1.1s', 'x')).toBe(1_100);
    expect(() => parseDuration(-1, 'task.duration')).toThrow(/"task.duration": expected a duration such as "500ms"/);
  });

  it('accepts a topology object or "adaptive"; an unknown name is refused at its line (the builder checks the options)', () => {
    const base = 'name: t\nagents: [{ role: coder }]\ntask: { question: q, options: [a, b] }\n';
    expect(parseScenario(`${base}topology: { type: star, hub: coder_001 }\n`).topology).toEqual({ type: 'star', hub: 'coder_001' });
    expect(parseScenario(`${base}topology: adaptive\n`).topology).toBe('adaptive');
    expect(() => parseScenario(`${base}topology: torus\n`)).toThrow(
      /line 4, column 11: "topology": expected a topology name \("mesh", "star", "ring", "hierarchical" or "adaptive"\)/,
    );
  });
});
