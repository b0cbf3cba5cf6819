import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorOf, yaml } from './fixtures/scenario-error.ts';
import { ScenarioError } from '../src/errors.ts';
import { applyLegacyConfig, loadScenarioFile, parseLegacyConfig, parseScenario } from '../src/scenario/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/scenarios/${name}`, import.meta.url));
const configText = () => readFile(fixture('legacy-config.yml'), 'utf8');
const SCENARIO = ['name: x', 'agents: [{ role: tester }, { role: researcher }]', 'task: { question: q, options: [a, b] }'];

describe('a legacy --config file under a scenario', () => {
  it('supplies the consensus settings a scenario leaves out, using default_algorithm', async () => {
    const s = await loadScenarioFile(fixture('minimal.yml'), { configFile: fixture('legacy-config.yml') });
    expect(s.consensus).toEqual({
      algorithm: 'simple_majority',
      threshold: 0.5,
      min_participants: 2,
      votingTimeoutMs: 60_000,
      byzantine_tolerance: false,
      agent_weights: { researcher: 1.5, tester: 2 },
      agent_expertise: { security_expert: { weight: 3, domains: ['security', 'authentication', 'encryption'] } },
      escalation: 'record',
      weight_reference: 'outcome',
    });
  });

  it("lets the scenario's own settings win, and takes the parameters of the scenario's algorithm", async () => {
    const config = parseLegacyConfig(await configText(), 'legacy-config.yml');
    const s = parseScenario(
      yaml(...SCENARIO, 'consensus:', '  algorithm: supermajority', '  threshold: 0.75', '  voting_timeout: 5s', '  agent_weights: { tester: 3 }'),
      's.yml',
      { config },
    );
    expect(s.consensus).toMatchObject({
      algorithm: 'supermajority',
      threshold: 0.75,
      min_participants: 3,
      votingTimeoutMs: 5_000,
      agent_weights: { researcher: 1.5, tester: 3 }, // merged per role
    });
    const weighted = parseScenario(yaml(...SCENARIO, 'consensus: { algorithm: weighted_voting }'), 's.yml', { config });
    expect(weighted.consensus).toMatchObject({ threshold: 0.6, expert_weight: 2, regular_weight: 1 });
    expect(weighted.consensus).not.toHaveProperty('min_participants');
  });

  it('runs the built-in scenario when there is no scenario file', async () => {
    const s = parseScenario(undefined, undefined, { configFile: fixture('legacy-config.yml') });
    expect(s.name).toBe('db-choice');
    expect(s.consensus).toMatchObject({ algorithm: 'simple_majority', threshold: 0.5, min_participants: 2, votingTimeoutMs: 60_000 });
    const config = parseLegacyConfig((await configText()).replace('default_algorithm: simple_majority', 'default_algorithm: weighted_voting'));
    expect(parseScenario(undefined, undefined, { config }).consensus).toMatchObject({ algorithm: 'weighted_voting', expert_weight: 2 });
  });

  it('works on the raw scenario object, before validation, without changing it', () => {
    const raw = { name: 'x', consensus: { threshold: 0.9 } };
    const merged = applyLegacyConfig(raw, {
      consensus: { default_algorithm: 'supermajority', algorithms: { supermajority: { threshold: 0.67, min_participants: 3 } } },
    });
    expect(merged).toEqual({ name: 'x', consensus: { algorithm: 'supermajority', threshold: 0.9, min_participants: 3 } });
    expect(raw).toEqual({ name: 'x', consensus: { threshold: 0.9 } });
  });

  it('keeps other sections of the file, and names each as not used', () => {
    const config = parseLegacyConfig(
      yaml('memory: { backend: sqlite }', 'consensus:', '  default_algorithm: raft', '  raft: { election_timeout: 150 }'),
      'c.yml',
    );
    const s = parseScenario(yaml(...SCENARIO), 's.yml', { config });
    expect(s.consensus.algorithm).toBe('raft');
    expect(s.consensus).not.toHaveProperty('raft'); // the unknown key is named, not passed to the nodes (which would refuse it)
    expect(s.warnings).toEqual([
      'consensus.raft.election_timeout (the configuration c.yml): not a setting Conclave knows, so it is not used; the nearest known key is consensus.raft.election_timeout_min',
      'memory (the configuration c.yml): not a setting Conclave knows, so it is not used; the nearest known key is consensus',
    ]);
  });
});

describe('a bad legacy config names its file, line and field', () => {
  it('an out-of-range algorithm parameter', async () => {
    const text = (await configText()).replace('supermajority: { threshold: 0.67', 'supermajority: { threshold: 1.67');
    const err = errorOf(() => parseLegacyConfig(text, 'legacy-config.yml'));
    expect(err).toMatchObject({ file: 'legacy-config.yml', line: 8, column: 33, path: 'consensus.algorithms.supermajority.threshold' });
    expect(err.message).toBe(
      'legacy-config.yml:8:33: "consensus.algorithms.supermajority.threshold": expected a number greater than 0 and at most 1, got number 1.67.',
    );
  });

  it('a misspelt key, with a suggestion', () => {
    const err = errorOf(() => parseLegacyConfig(yaml('consensus:', '  default_algorithm: simple_majority', '  voting_timout: 60'), 'c.yml'));
    expect(err).toMatchObject({ line: 3, column: 3, path: 'consensus.voting_timout' });
    expect(err.message).toContain('Did you mean "voting_timeout"?');
  });

  it('a bad voting timeout and a bad weight', () => {
    const timeout = errorOf(() => parseLegacyConfig(yaml('consensus:', '  voting_timeout: a minute'), 'c.yml'));
    expect(timeout).toMatchObject({ line: 2, path: 'consensus.voting_timeout' });
    expect(timeout.message).toContain('expected a duration such as "500ms"');
    const weight = errorOf(() => parseLegacyConfig(yaml('agent_weights:', '  researcher: 1.5', '  tester: -2'), 'c.yml'));
    expect(weight).toMatchObject({ line: 3, column: 11, path: 'agent_weights.tester' });
    expect(weight.message).toContain('expected a number greater than 0 and at most 1,000,000, got number -2');
  });

  it('a missing config file, saying what to pass', async () => {
    const err = await loadScenarioFile(fixture('minimal.yml'), { configFile: 'no-such-config.yml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toMatch(
      /^no-such-config\.yml: expected an existing configuration file, got no file at .* \(not found\)\. Pass `--config`/,
    );
    expect(() => parseScenario(undefined, undefined, { configFile: 'no-such-config.yml' })).toThrow(ScenarioError);
  });
});
