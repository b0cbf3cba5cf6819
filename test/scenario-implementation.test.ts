import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { stressCommand, stressPlan } from '../src/cli/stress-command.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { drawScenario } from '../src/stress/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { errorOf, yaml } from './fixtures/scenario-error.ts';

/** A scenario file in test/ (never read: it only anchors relative module paths). */
const FILE = fileURLToPath(new URL('./implementation.yml', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const scenario = (algorithm: string, implementation: string, agents = 4) =>
  yaml(
    'name: impl',
    `agents: [{ role: node, count: ${agents} }]`,
    `consensus: { algorithm: ${algorithm}, implementation: ${implementation} }`,
    'task: { question: q, options: [A, B], truth: A, decisions: 3 }',
  );

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('consensus.implementation: the protocol main role from a module of ours', () => {
  it('is resolved relative to the scenario file, as agent behaviours are', () => {
    const s = parseScenario(scenario('raft', '{ module: ./fixtures/broken-raft.ts, export: brokenRaftNode }'), FILE);
    expect(s.consensus.implementation).toEqual({ module: fixture('broken-raft.ts'), export: 'brokenRaftNode' });
  });

  it('refuses a reference without an export, or with an unknown key, naming the field', () => {
    expect(errorOf(() => parseScenario(scenario('raft', '{ module: ./fixtures/broken-raft.ts }'), FILE)).path).toBe('consensus.implementation.export');
    expect(errorOf(() => parseScenario(scenario('raft', '{ module: ./x.ts, export: y, exprot: z }'), FILE)).path).toBe('consensus.implementation.exprot');
    expect(errorOf(() => parseScenario(scenario('raft', './fixtures/broken-raft.ts'), FILE)).path).toBe('consensus.implementation');
  });

  it('is what each protocol spawns for its main role', async () => {
    const runs = [
      { algorithm: 'raft', implementation: '{ module: ./fixtures/broken-raft.ts, export: brokenRaftNode }', role: /^node_/ },
      { algorithm: 'byzantine_tolerant', implementation: '{ module: ./fixtures/broken-pbft.ts, export: brokenPbftReplica }', role: /^node_/ },
      { algorithm: 'simple_majority', implementation: '{ module: ./fixtures/broken-voting.ts, export: doubleCountingCoordinator }', role: /^coordinator$/ },
    ];
    for (const r of runs) {
      const spawned: TraceEvent[] = [];
      await runScenario(parseScenario(scenario(r.algorithm, r.implementation), FILE), {
        seed: 1,
        mode: 'sim',
        onEvent: (e) => e.type === 'spawn' && spawned.push(e),
      });
      const variants = spawned.flatMap((e) => (e.type === 'spawn' && e.behaviour.includes('/test/fixtures/broken-') ? [e.actor] : []));
      expect(variants.length, r.algorithm).toBeGreaterThan(0);
      expect(
        variants.every((id) => r.role.test(id)),
        `${r.algorithm}: ${variants.join(', ')}`,
      ).toBe(true);
    }
  });

  it('fails before the run, at consensus.implementation, when the module has no such behaviour', async () => {
    for (const algorithm of ['raft', 'byzantine_tolerant', 'simple_majority']) {
      const e = await rejection(
        runScenario(parseScenario(scenario(algorithm, '{ module: ./fixtures/broken-raft.ts, export: brokenRaftNod }'), FILE), { seed: 1, mode: 'sim' }),
      );
      expect(e, algorithm).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).path).toBe('consensus.implementation');
      expect((e as Error).message).toContain('exports: brokenRaftNode');
    }
    const missing = await rejection(
      runScenario(parseScenario(scenario('raft', '{ module: ./fixtures/no-such-file.ts, export: x }'), FILE), { seed: 1, mode: 'sim' }),
    );
    expect((missing as ConfigError).path).toBe('consensus.implementation');
  });
});

describe('conclave stress --implementation', () => {
  it('takes path#export, or path with the built-in export name, and puts the absolute path in every drawn scenario', () => {
    const named = stressPlan({ protocol: 'raft', agents: 3, decisions: 5, implementation: 'test/fixtures/broken-raft.ts#brokenRaftNode' });
    expect(named.implementation).toBe(`${fixture('broken-raft.ts')}#brokenRaftNode`);
    const drawn = parseScenario(drawScenario(named, 4));
    expect(drawn.consensus.implementation).toEqual({ module: fixture('broken-raft.ts'), export: 'brokenRaftNode' });
    expect(stressPlan({ protocol: 'pbft', agents: 4, decisions: 5, implementation: 'test/fixtures/broken-pbft.ts' }).implementation).toBe(
      `${fixture('broken-pbft.ts')}#pbftReplica`,
    );
    expect(stressPlan({ protocol: 'simple_majority', agents: 4, decisions: 5, implementation: 'x.ts' }).implementation).toMatch(/\/x\.ts#coordinator$/);
  });

  it('refuses an empty path or export, and a module without that behaviour, naming the option', async () => {
    for (const bad of ['#brokenRaftNode', 'test/fixtures/broken-raft.ts#', '']) {
      expect(() => stressPlan({ protocol: 'raft', agents: 3, decisions: 5, implementation: bad }), bad).toThrow(ConfigError);
    }
    const e = await rejection(
      stressCommand(
        { protocol: 'raft', agents: 3, decisions: 5, runs: 1, seed: 1, implementation: 'test/fixtures/broken-raft.ts#nope', json: true },
        () => undefined,
      ),
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).path).toBe('--implementation');
  });
});
