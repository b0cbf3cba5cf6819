import { describe, expect, it } from 'vitest';
import { errorOf, yaml } from './fixtures/scenario-error.ts';
import { ScenarioError } from '../src/errors.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/index.ts';

const AGENTS = ['agents:', '  - { role: coder, count: 2 }'];
const TASK = ['task:', '  question: "Which database?"', '  options: [PostgreSQL, MongoDB]'];

async function asyncErrorOf(promise: Promise<unknown>): Promise<ScenarioError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ScenarioError);
  return e as ScenarioError;
}

describe('scenario errors name the file, line, field and what was expected', () => {
  it('an unknown top-level key, with a suggestion', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', 'agnets:', '  - { role: coder }', ...TASK), 's.yml'));
    expect(e).toMatchObject({ code: 'scenario', file: 's.yml', line: 2, column: 1, path: 'agnets' });
    expect(e.message).toMatch(/^s\.yml:2:1: "agnets": expected one of the keys .*"agents".*, got the unknown key "agnets"\. Did you mean "agents"\?$/);
  });

  it('an agent count of 0', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', 'agents:', '  - role: researcher', '  - { role: coder, count: 0 }', ...TASK), 's.yml'));
    expect(e).toMatchObject({ line: 4, column: 27, path: 'agents[1].count' });
    expect(e.message).toBe('s.yml:4:27: "agents[1].count": expected an integer from 1 to 1,000,000, got number 0.');
  });

  it('a threshold above 1', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, 'consensus:', '  algorithm: supermajority', '  threshold: 1.5', ...TASK), 's.yml'));
    expect(e).toMatchObject({ line: 6, path: 'consensus.threshold' });
    expect(e.message).toContain('expected a number greater than 0 and at most 1, got number 1.5');
  });

  it('a truth that is not one of the options', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, ...TASK, '  truth: Postgres'), 's.yml'));
    expect(e).toMatchObject({ line: 7, path: 'task.truth' });
    expect(e.message).toContain(`expected one of the task's options ("PostgreSQL", "MongoDB"), got "Postgres". Add it to task.options`);
  });

  it('an option given twice', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, 'task:', '  question: q', '  options:', '    - a', '    - b', '    - a'), 's.yml'));
    expect(e).toMatchObject({ line: 9, path: 'task.options[2]' });
    expect(e.message).toContain('expected each option only once, got "a" again (first at index 0)');
  });

  it('both decisions and duration', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, ...TASK, '  decisions: 100', '  duration: 10s'), 's.yml'));
    expect(e).toMatchObject({ line: 8, path: 'task.duration' });
    expect(e.message).toContain('expected either "decisions" or "duration", not both');
  });

  it('a duration that is not one', () => {
    const e = errorOf(() =>
      parseScenario(
        yaml('name: x', ...AGENTS, ...TASK, 'schedule:', '  - { at: 1s, switch_topology: ring }', '  - { at: soon, switch_topology: star }'),
        's.yml',
      ),
    );
    expect(e).toMatchObject({ line: 9, column: 11, path: 'schedule[1].at' });
    expect(e.message).toContain('expected a duration such as "500ms", "2s", "1.5s", "2m" or "1h", or a number of milliseconds >= 0, got "soon"');
  });

  it('a workflow cycle, shown stage by stage', () => {
    const e = errorOf(() =>
      parseScenario(
        yaml(
          'name: x',
          ...AGENTS,
          ...TASK,
          'workflow:',
          '  stages:',
          '    - { name: a, consensus_algorithm: simple_majority, depends_on: [b] }',
          '    - { name: b, consensus_algorithm: simple_majority, depends_on: [a] }',
        ),
        's.yml',
      ),
    );
    expect(e).toMatchObject({ line: 10, path: 'workflow.stages[1].depends_on[0]' });
    expect(e.message).toContain('got the cycle a -> b -> a.');
  });

  it('a dependency on a stage that does not exist', () => {
    const e = errorOf(() =>
      parseScenario(
        yaml(
          'name: x',
          ...AGENTS,
          ...TASK,
          'workflow:',
          '  stages:',
          '    - name: design',
          '      consensus_algorithm: simple_majority',
          '    - name: review',
          '      consensus_algorithm: supermajority',
          '      depends_on: [design, desing]',
        ),
        's.yml',
      ),
    );
    expect(e).toMatchObject({ line: 13, column: 28, path: 'workflow.stages[1].depends_on[1]' });
    expect(e.message).toContain('expected the name of a stage ("design", "review"), got "desing"');
  });

  it('a YAML syntax error, at its line', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, 'task:', '  question: Which: database?', '  options: [a, b]'), 's.yml'));
    expect(e).toMatchObject({ file: 's.yml', line: 5, column: 13, path: '' });
    expect(e.message).toBe('s.yml:5:13: expected valid YAML, got a syntax error: Nested mappings are not allowed in compact mappings.');
    const duplicate = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, ...TASK, 'name: y'), 's.yml'));
    expect(duplicate).toMatchObject({ line: 7, column: 1 });
    expect(duplicate.message).toContain('Map keys must be unique');
  });

  it('a missing required key, at the mapping it belongs in', () => {
    // (A task's question and options are not required by the schema: a replicated log asks
    // nothing, and the voting driver refuses a vote without options by name.)
    const e = errorOf(() => parseScenario(yaml('name: x', 'agents:', '  - { count: 3 }', ...TASK), 's.yml'));
    expect(e).toMatchObject({ line: 3, path: 'agents[0].role' });
    expect(e.message).toContain('expected a role name, got no value (the key is missing)');
  });

  it('weights measured against a truth the task does not give', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', ...AGENTS, 'consensus:', '  dynamic_weights: true', '  weight_reference: truth', ...TASK), 's.yml'));
    expect(e).toMatchObject({ line: 6, column: 21, path: 'consensus.weight_reference' });
    expect(e.message).toContain('expected "outcome" (there is no task.truth to weigh agents against), got "truth"');
  });

  it('an empty file', () => {
    const e = errorOf(() => parseScenario('', 'empty.yml'));
    expect(e).toMatchObject({ file: 'empty.yml', path: '' });
    expect(e.message).toBe('empty.yml: expected a scenario: a YAML mapping with at least name, agents and task, got an empty file.');
    expect(errorOf(() => parseScenario('# nothing yet\n', 'c.yml')).message).toContain('got only comments');
  });

  it('a missing file, saying what to pass', async () => {
    const e = await asyncErrorOf(loadScenarioFile('no/such/scenario.yml'));
    expect(e).toMatchObject({ file: 'no/such/scenario.yml', line: undefined, path: '' });
    expect(e.message).toMatch(/^no\/such\/scenario\.yml: expected an existing scenario file, got no file at \/.*no\/such\/scenario\.yml \(not found\)\./);
    expect(e.message).toContain('--config FILE');
  });

  it('a misspelt key inside a section, without a file name', () => {
    const e = errorOf(() => parseScenario(yaml('name: x', 'agents:', '  - { role: coder, acuracy: 0.9 }', ...TASK)));
    expect(e).toMatchObject({ file: undefined, line: 3, column: 20, path: 'agents[0].acuracy' });
    expect(e.message).toMatch(/^line 3, column 20: "agents\[0\]\.acuracy": .*Did you mean "accuracy"\?$/);
  });
});
