import { describe, expect, it } from 'vitest';
import { errorOf, yaml } from './fixtures/scenario-error.ts';
import { ConfigError, ScenarioError, ScenarioTooLargeError } from '../src/errors.ts';
import { loadScenarioFile, parseLegacyConfig, parseScenario, SCENARIO_LIMITS } from '../src/scenario/index.ts';
import { agentIds } from '../src/swarm/build-swarm.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { announcement, progressReporter } from '../src/cli/run-progress.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { didYouMean } from '../src/scenario/did-you-mean.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));

/** Short enough to read on a terminal: no error quotes a whole list or key. */
const MESSAGE_BOUND = 1_500;

const head = (group = '{ role: coder, count: 3 }') => ['name: x', `agents: [${group}]`];
const task = (extra = '') => [`task: { question: q, options: [A, B]${extra} }`];
const scenario = (...lines: string[]) => yaml(...lines);

/** The error a scenario text is refused with, checked for path, range text and length. */
function refused(text: string, path: string, range: string | RegExp): ScenarioError {
  const e = errorOf(() => parseScenario(text, 's.yml'));
  expect(e.path).toBe(path);
  if (typeof range === 'string') expect(e.message).toContain(range);
  else expect(e.message).toMatch(range);
  expect(e.message.length).toBeLessThan(MESSAGE_BOUND);
  expect(e.line).toBeGreaterThan(0);
  return e;
}

describe('every number in a scenario is finite and in its documented range, and the message gives the range', () => {
  it.each([
    ['1e15', 'agents[0].count'],
    ['2147483648', 'agents[0].count'],
    ['0', 'agents[0].count'],
    ['.nan', 'agents[0].count'],
    ['2.5', 'agents[0].count'],
  ])('agent count %s', (count, path) => {
    refused(scenario(...head(`{ role: coder, count: ${count} }`), ...task()), path, 'an integer from 1 to 1,000,000');
  });

  it('agents in all, across groups each within range', () => {
    const groups = Array.from({ length: 3 }, (_, i) => `{ role: r${i}, count: 400000 }`).join(', ');
    const e = refused(scenario('name: x', `agents: [${groups}]`, ...task()), 'agents', 'at most 1,000,000 agents in all');
    expect(e.message).toContain('1,200,000 agents in 3 groups');
  });

  it.each([
    ['decisions: 1000000000', 'task.decisions', 'an integer from 1 to 100,000,000'],
    ['decisions: .inf', 'task.decisions', 'an integer from 1 to 100,000,000'],
    ['in_flight: 1e6', 'task.in_flight', 'an integer from 1 to 100,000'],
    ['duration: 1e308', 'task.duration', 'a duration greater than 0 and at most 24h (86,400,000 ms)'],
    [`duration: "${'9'.repeat(400)}s"`, 'task.duration', 'a duration greater than 0 and at most 24h'],
    ['duration: 25h', 'task.duration', 'at most 24h'],
    ['duration: .nan', 'task.duration', 'at most 24h'],
  ])('task %s', (setting, path, range) => {
    refused(scenario(...head(), ...task(`, ${setting}`)), path, range);
  });

  it.each([
    ['threshold: .nan', 'consensus.threshold', 'a number greater than 0 and at most 1'],
    ['voting_timeout: 2h', 'consensus.voting_timeout', 'a duration greater than 0 and at most 1h (3,600,000 ms)'],
    ['voting_timeout: 1e308', 'consensus.voting_timeout', 'at most 1h'],
    ['min_participants: 1e7', 'consensus.min_participants', 'an integer from 1 to 1,000,000'],
    ['expert_weight: 1e308', 'consensus.expert_weight', 'a number greater than 0 and at most 1,000,000'],
    ['agent_weights: { coder: .inf }', 'consensus.agent_weights.coder', 'a number greater than 0 and at most 1,000,000'],
  ])('consensus %s', (setting, path, range) => {
    refused(scenario(...head(), `consensus: { ${setting} }`, ...task()), path, range);
  });

  it.each([
    ['weight: 1e308', 'agents[0].weight', 'a number greater than 0 and at most 1,000,000'],
    ['accuracy: .inf', 'agents[0].accuracy', 'a number from 0 to 1'],
    ['expertise: { weight: .nan, domains: [x] }', 'agents[0].expertise.weight', 'at most 1,000,000'],
  ])('agent group %s', (setting, path, range) => {
    refused(scenario(...head(`{ role: coder, ${setting} }`), ...task()), path, range);
  });

  it('seed beyond the exact integers', () => {
    refused(scenario(...head(), 'seed: 1e20', ...task()), 'seed', 'an integer from 0 to 9,007,199,254,740,991');
  });

  it('schedule times', () => {
    refused(scenario(...head(), ...task(), 'schedule: [{ at: 1e308, switch_topology: ring }]'), 'schedule[0].at', 'a duration from 0 to 24h');
  });

  it.each([
    ['network: [{ drop_rate: .nan }]', 'faults.network[0].drop_rate', 'a probability in [0, 1]'],
    ['network: [{ duplicate_rate: 2 }]', 'faults.network[0].duplicate_rate', 'a probability in [0, 1]'],
    ['network: [{ delay: 1e308 }]', 'faults.network[0].delay', 'a duration from 0 to 24h'],
    ['clock_skew: [{ target: coder_001, rate: .inf }]', 'faults.clock_skew[0].rate', 'a number in (0, 100]'],
    ['crash: [{ at: 99999999999s }]', 'faults.crash[0].at', 'a duration from 0 to 24h'],
    ['partition: [{ at: 1s, duration: 1e308 }]', 'faults.partition[0].duration', 'a duration from 0 to 24h'],
    ['cascade: { initial_failure_rate: .nan }', 'faults.cascade.initial_failure_rate', 'a probability in [0, 1]'],
    ['byzantine: { count: 1e15 }', 'faults.byzantine.count', 'an integer from 0 to 3'],
    ['byzantine: { failure_rate: .nan }', 'faults.byzantine.failure_rate', 'a number from 0 to 1'],
  ])('faults %s, refused as the file loads, at its line', (setting, path, range) => {
    refused(scenario(...head(), ...task(), `faults: { ${setting} }`), path, range);
  });

  it.each([
    ['pbft: { checkpoint_interval: 1e15 }', 'consensus.pbft.checkpoint_interval', 'an integer from 1 to 1,000,000'],
    ['pbft: { f: 2147483648 }', 'consensus.pbft.f', 'an integer from 0 to 1,000,000'],
    ['pbft: { view_change_timeout: 1e308 }', 'consensus.pbft.view_change_timeout', 'a duration from 0 to 24h'],
    ['raft: { max_batch: 1e9 }', 'consensus.raft.max_batch', 'an integer from 1 to 1,000,000'],
    ['raft: { heartbeat: "99999999999h" }', 'consensus.raft.heartbeat', 'a duration from 0 to 24h'],
  ])('protocol settings %s', (setting, path, range) => {
    refused(scenario(...head(), `consensus: { ${setting} }`, ...task()), path, range);
  });

  it('a NaN or Infinity anywhere else (a custom policy parameter) is refused too', () => {
    refused(scenario(...head(), 'consensus: { my_param: [1, .inf] }', ...task()), 'consensus.my_param[1]', 'a finite number');
  });

  it('a legacy configuration file is held to the same ranges', () => {
    const e = errorOf(() => parseLegacyConfig(yaml('consensus:', '  voting_timeout: 1e308'), 'c.yml'));
    expect(e.message).toContain('"consensus.voting_timeout": expected a duration greater than 0 and at most 1h');
  });

  it('the limits are exported as documented', () => {
    expect(SCENARIO_LIMITS).toMatchObject({
      agents: 1_000_000,
      decisions: 100_000_000,
      inFlight: 100_000,
      weight: 1_000_000,
      durationMs: 86_400_000,
      votingTimeoutMs: 3_600_000,
      nesting: 64,
    });
  });

  it('values at the edges of the ranges are accepted', () => {
    const s = parseScenario(
      scenario(
        ...head('{ role: coder, count: 3, weight: 1000000, accuracy: 1 }'),
        'seed: 9007199254740991',
        'consensus: { voting_timeout: 1h, threshold: 1 }',
        ...task(', duration: 24h, in_flight: 100000'),
        'schedule: [{ at: 24h, switch_topology: ring }]',
      ),
      's.yml',
      { force: true },
    );
    expect(s.consensus.votingTimeoutMs).toBe(3_600_000);
    expect(s.task.durationMs).toBe(86_400_000);
    expect(s.schedule[0].atMs).toBe(86_400_000);
  });
});

describe('sizes are checked against what this machine can hold, up front', () => {
  const timed = <T>(fn: () => T): { ms: number; value: T } => {
    const t0 = performance.now();
    const value = fn();
    return { ms: performance.now() - t0, value };
  };

  it('999,999 agents: refused at once with the estimate, and --force accepts it', () => {
    const text = scenario(...head('{ role: coder, count: 999999 }'), ...task());
    const { ms } = timed(() => errorOf(() => parseScenario(text, 's.yml')));
    expect(ms).toBeLessThan(2_000);
    const e = errorOf(() => parseScenario(text, 's.yml'));
    expect(e).toBeInstanceOf(ScenarioTooLargeError);
    expect(e.path).toBe('agents');
    expect(e.message).toMatch(/expected a run this machine can hold: at most [\d.]+ GB of memory .* got 999,999 agents x 1 decision, estimated at [\d.]+ GB/);
    expect(e.message).toContain('--force');
    const big = e as ScenarioTooLargeError;
    expect(big.estimatedBytes).toBeGreaterThan(big.budgetBytes);
    expect(parseScenario(text, 's.yml', { force: true }).agents[0].count).toBe(999_999);
  });

  it('10^8 decisions (in range) are more than an hour of work: refused with the estimate', () => {
    const e = errorOf(() => parseScenario(scenario(...head(), ...task(', decisions: 100000000')), 's.yml'));
    expect(e).toBeInstanceOf(ScenarioTooLargeError);
    expect(e.path).toBe('task.decisions');
    expect(e.message).toContain('3 agents x 100,000,000 decisions, estimated at');
  });

  it('a 10,000-node Raft is refused with the reason: every node keeps state per peer (it died of a full heap while spawning)', () => {
    const e = errorOf(() =>
      parseScenario(scenario(...head('{ role: node, count: 10000 }'), 'consensus: { algorithm: raft }', ...task(', decisions: 10')), 's.yml'),
    );
    expect(e).toBeInstanceOf(ScenarioTooLargeError);
    expect(e.path).toBe('agents');
    expect(e.message).toMatch(
      /got 10,000 agents x 10 decisions, estimated at [\d.]+ GB and .* \(every Raft node keeps state for every other: memory grows with the square of the cluster\)/,
    );
    // The same count voting is a swarm, not a cluster: it fits.
    expect(parseScenario(scenario(...head('{ role: node, count: 10000 }'), ...task(', decisions: 10')), 's.yml').agents[0].count).toBe(10_000);
  });

  it('PBFT grows with the square of the replicas: 1,000 replicas x 1,000 requests is refused', () => {
    const e = errorOf(() =>
      parseScenario(scenario(...head('{ role: node, count: 1000 }'), 'consensus: { algorithm: pbft }', ...task(', decisions: 1000')), 's.yml'),
    );
    expect(e).toBeInstanceOf(ScenarioTooLargeError);
  });

  it('a scenario built in code that skips the loader is refused by every driver before it allocates', () => {
    expect(() => agentIds([{ role: 'a', count: 1e15 }])).toThrow(ConfigError);
    expect(() => agentIds([{ role: 'a', count: 2 ** 31 }])).toThrow(/"agents\[0\]\.count": expected an integer from 1 to 1,000,000/);
    expect(() =>
      agentIds([
        { role: 'a', count: 600_000 },
        { role: 'b', count: 600_000 },
      ]),
    ).toThrow(/at most 1,000,000 agents in all/);
    expect(agentIds([{ role: 'a', count: 2 }])).toEqual([['a_001', 'a_002']]);
  });
});

describe('YAML the parser would choke on is named for what it is', () => {
  it('flow nesting thousands of levels deep: named, not "Maximum call stack size exceeded"', () => {
    const e = errorOf(() => parseScenario(scenario(...head(), ...task(), `description: ${'['.repeat(5000)}1${']'.repeat(5000)}`), 's.yml'));
    expect(e.message).toContain('expected YAML nested at most 64 levels deep, got YAML nested 5,000 levels deep');
    expect(e.message).not.toMatch(/call stack|syntax error/);
    expect(e.line).toBe(4);
  });

  it('block nesting past the limit is refused at the entry too deep; 64 levels are fine', () => {
    const nested = (levels: number) => `  my_param: ${'['.repeat(levels)}1${']'.repeat(levels)}`;
    // consensus (1) > my_param (2) > 62 lists = 64 levels.
    expect(parseScenario(scenario(...head(), 'consensus:', nested(62), ...task()), 's.yml').consensus.my_param).toBeDefined();
    const e = errorOf(() => parseScenario(scenario(...head(), 'consensus:', nested(63), ...task()), 's.yml'));
    expect(e.message).toContain('expected YAML nested at most 64 levels deep, got YAML nested 65 levels deep');
    const block = ['faults:', ...Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 2)}a:`)];
    const deep = errorOf(() => parseScenario(scenario(...head(), ...task(), ...block.slice(0, -1), `${block.at(-1)} 1`), 's.yml'));
    expect(deep.message).toContain('got YAML nested 201 levels deep');
    expect(deep.message.length).toBeLessThan(MESSAGE_BOUND);
  });

  it('several documents: says how many, and that a scenario is one', () => {
    const one = [...head(), ...task()];
    const e = errorOf(() => parseScenario(scenario(...one, '---', ...one, '---', ...one), 's.yml'));
    expect(e.message).toContain('the file holds 3 YAML documents; a scenario is one document');
    expect(e.message).not.toContain('parseAllDocuments');
    expect(e.line).toBe(4);
  });

  it('a mapping or list used as a key is refused, not flattened to text', () => {
    const e = errorOf(() => parseScenario(scenario(...head(), ...task(), '? [a, b]', ': 1'), 's.yml'));
    expect(e.message).toBe('s.yml:4:3: expected a plain key (a name or a number), got a list used as a key.');
    const alias = errorOf(() => parseScenario(scenario(...head(), ...task(), 'description: &d [1]', '*d : 1'), 's.yml'));
    expect(alias.message).toBe('s.yml:5:1: expected a plain key (a name or a number), got a list used as a key.');
  });

  it('a __proto__ key is refused where it is written, at any depth, not dropped', () => {
    const top = errorOf(() => parseScenario(scenario(...head(), ...task(), '__proto__: { name: y }'), 's.yml'));
    expect(top.message).toBe('s.yml:4:1: expected a key other than __proto__ (no setting is named so), got the key __proto__. Rename or remove the entry.');
    const policy = ['decision_policies:', '  routine: { algorithm: simple_majority }', '  __proto__: { algorithm: supermajority }'];
    const nested = errorOf(() => parseScenario(scenario(...head(), ...task(), ...policy), 's.yml'));
    expect([nested.line, nested.column]).toStrictEqual([6, 3]);
    const inList = errorOf(() => parseScenario(scenario('name: x', 'agents: [{ role: coder, count: 3, __proto__: 1 }]', ...task()), 's.yml'));
    expect([inList.line, inList.column]).toStrictEqual([2, 35]);
    // As data it is an ordinary string: an option, a role, a value.
    expect(parseScenario(scenario(...head('{ role: __proto__, count: 3 }'), 'task: { question: q, options: [__proto__, B] }'), 's.yml').name).toBe('x');
  });

  it('a file over 1 MB is refused before it is read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'conclave-bounds-')), 'big.yml');
    writeFileSync(file, `name: x\n# ${'x'.repeat(2 ** 20)}\n`);
    const e = await loadScenarioFile(file).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as Error).message).toBe(`${file}: expected a scenario file of at most 1,048,576 bytes (1 MB), got 1,048,587 bytes.`);
  });

  it('a configuration file too', () => {
    const e = errorOf(() => parseLegacyConfig(yaml('agent_weights: { a: 1 }', '---', 'agent_weights: { b: 1 }'), 'c.yml'));
    expect(e.message).toContain('the file holds 2 YAML documents; a configuration is one document');
  });
});

describe('error messages stay short whatever the input', () => {
  const options = (n: number) => Array.from({ length: n }, (_, i) => `o${i}`).join(', ');

  it('a truth not among 5,000 options lists ten and counts the rest', () => {
    const e = errorOf(() => parseScenario(scenario(...head(), `task: { question: q, truth: zz, options: [${options(5000)}] }`), 's.yml'));
    expect(e.message).toContain('("o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", … and 4,990 more)');
    expect(e.message.length).toBeLessThan(MESSAGE_BOUND);
  });

  it('20,000 options are over the limit, said in a short message', () => {
    const e = errorOf(() => parseScenario(scenario(...head(), `task: { question: q, truth: zz, options: [${options(20_000)}] }`), 's.yml'));
    expect(e.path).toBe('task.options');
    expect(e.message).toContain('a list of 2 to 10,000 strings');
    expect(e.message.length).toBeLessThan(MESSAGE_BOUND);
  });

  it('an unknown key 100,000 characters long is quoted in part', () => {
    const key = 'k'.repeat(100_000);
    const e = errorOf(() => parseScenario(scenario(...head(), ...task(), `? ${key}`, ': 1'), 's.yml'));
    expect(e.message).toContain('the unknown key "kkkk');
    expect(e.message).toContain('(100,002 characters)');
    expect(e.message.length).toBeLessThan(MESSAGE_BOUND);
  });

  it('did-you-mean does not compare a huge key letter by letter', () => {
    const t0 = performance.now();
    expect(didYouMean('x'.repeat(1_000_000), ['agents', 'name'])).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(didYouMean('agnets', ['agents', 'name'])).toBe('agents');
  });
});

describe('conclave run: numeric options and long runs', () => {
  it.each([
    [{ seed: Number.NaN }, '--seed', 'an integer from 0 to 2,147,483,647'],
    [{ workers: Infinity }, '--workers', 'an integer from 1 to 256'],
    [{ timeline: -1 }, '--timeline', 'an integer from 0 to 1,000'],
  ])('%o is refused with the option and its range', async (opts, flag, range) => {
    const e = await runCommand(undefined, opts, () => undefined).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).path).toBe(flag);
    expect((e as Error).message).toContain(range);
  });

  it('conclave run takes --force, and a scenario over budget is refused before anything runs', async () => {
    const help = await exec(process.execPath, [bin, 'run', '--help'], { timeout: 60_000 });
    expect(help.stdout).toMatch(/--force\s+run the scenario even when its estimated/);
    const file = join(mkdtempSync(join(tmpdir(), 'conclave-bounds-')), 'huge.yml');
    writeFileSync(file, scenario(...head('{ role: coder, count: 999999 }'), ...task()));
    const t0 = performance.now();
    const e = await runCommand(file, { json: true }, () => undefined).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ScenarioTooLargeError);
    expect((e as Error).message).toMatch(/huge\.yml:2:9: "agents": expected a run this machine can hold/);
    expect(performance.now() - t0).toBeLessThan(2_000);
    // The command line: bad input (exit 2), the estimate and the way out, no stack trace.
    const cli = await exec(process.execPath, [bin, 'run', file], { timeout: 60_000 }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(cli).toMatchObject({ code: 2 });
    expect(cli!.stderr).toMatch(
      /^conclave run: .*huge\.yml:2:9: "agents": expected a run this machine can hold: .* got 999,999 agents x 1 decision, estimated at [\d.]+ GB and .*--force/,
    );
    expect(cli!.stderr).not.toMatch(/RangeError|\n\s+at /);
  }, 120_000);

  it('a long run is announced with its estimate; a short one is not', () => {
    expect(announcement(parseScenario(scenario(...head(), ...task())))).toBeUndefined();
    const long = parseScenario(scenario(...head('{ role: coder, count: 100000 }'), ...task(', decisions: 20')));
    expect(announcement(long)).toMatch(/^conclave: 100,000 agents x 20 decisions, estimated at about [\d,]+ s on a 2-core machine; progress every 10 s$/);
  });

  it('a terminal hears first after firstMs, then every everyMs, with the rate and the time left', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = progressReporter({ planned: 5_000, mode: 'threads', now: () => now, write: (l) => lines.push(l), firstMs: 2_000, everyMs: 5_000 });
    const decided = { type: 'emit', t: 0, actor: 'c', event: { type: 'decided' } } as unknown as TraceEvent;
    for (let i = 0; i < 1_999; i++) progress(decided);
    expect(lines).toEqual([]);
    now = 2_000;
    progress(decided);
    expect(lines).toEqual(['conclave: running for 2 s: 2,000 of 5,000 decisions closed (1,000/s, about 3 s left)']);
    now = 6_999;
    progress(decided);
    expect(lines).toHaveLength(1);
    now = 7_000;
    progress(decided);
    expect(lines[1]).toBe('conclave: running for 7 s: 2,002 of 5,000 decisions closed (286/s, about 11 s left)');
  });

  it('a long run prints progress on the clock it is given, with decisions closed', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = progressReporter({ planned: 10, mode: 'sim', now: () => now, write: (l) => lines.push(l), everyMs: 5_000 });
    const decided = (t: number) => ({ type: 'emit', t, actor: 'coordinator', event: { type: 'decided' } }) as unknown as TraceEvent;
    progress(decided(1));
    now = 4_999;
    progress(decided(2));
    expect(lines).toEqual([]);
    now = 5_000;
    progress(decided(3));
    expect(lines).toEqual(['conclave: running for 5 s: 3 of 10 decisions closed (0.60/s, about 12 s left), 3 ms simulated']);
    now = 7_000;
    progress(decided(4));
    expect(lines).toHaveLength(1);
  });
});
