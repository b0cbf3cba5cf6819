import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHiveObjective } from '../src/hive/evaluator.ts';
import { hiveCandidates, hiveTaskClasses } from '../src/hive/hive-candidates.ts';
import { loadHiveScenario } from '../src/hive/hive-scenario.ts';
import { runHive } from '../src/hive/run-hive.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { readFileSync } from 'node:fs';

const cli = (args: string[]) => spawnSync(process.execPath, ['bin/conclave.js', ...args], { encoding: 'utf8' });

describe('hive-mind commands, example and evaluator', () => {
  it('runs examples/hive-docs.yml: 16 workers in 4 teams, the architecture decided by Byzantine vote with 2 liars, no mistake', async () => {
    const { options } = loadHiveScenario('examples/hive-docs.yml');
    const r = await runHive(options);
    expect(r.agents).toBe(21);
    expect(r.byzantine).toHaveLength(2);
    expect(r.objectives[0].status).toBe('done');
    expect(r.objectives[0].subtasks).toBe(1 + 6 * 3 + 1);
    // A liar equivocates (conflicting_votes): the adaptive queen moves every later decision to the Byzantine vote.
    expect(r.objectives[0].switches.map((s) => s.what)).toContain('consensus auto → byzantine');
    expect(r.safety).toEqual([]);
  });

  it('conclave run names the command a hive scenario needs', () => {
    expect(() => parseScenario(readFileSync('examples/hive-docs.yml', 'utf8'), 'examples/hive-docs.yml')).toThrow(
      /hive-docs\.yml:6:\d+: "objective".*conclave hive-mind spawn --scenario FILE/,
    );
  });

  it('spawn records sessions that sessions, status and resume read; bad flags exit 2', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'hive-')), 's.db');
    const spawn = cli(['hive-mind', 'spawn', 'Secure the login flow', '--queen', 'tactical', '--sessions', '2', '--store', store]);
    expect(spawn.status).toBe(0);
    expect(spawn.stdout).toMatch(/session 2: done/);
    const list = cli(['hive-mind', 'sessions', '--store', store, '--json']);
    expect(JSON.parse(list.stdout)).toHaveLength(2);
    // Words, not the JSON it is stored as (issue 22).
    expect(cli(['hive-mind', 'status', '--store', store]).stdout).toMatch(
      /configuration topology hierarchical · consensus auto · queen tactical · team size \d+ \(/,
    );
    expect(spawn.stdout).not.toContain('{"');
    expect(cli(['hive-mind', 'sessions', '--store', store]).stdout).toMatch(/ {2}succeeded, quality /);
    // No objective: what to type, not "got undefined".
    const bare = cli(['hive-mind', 'spawn', '--store', store]);
    expect(bare.status).toBe(2);
    expect(bare.stderr.trim()).toBe(
      'conclave hive-mind spawn: give the objective (conclave hive-mind spawn "Document the API") or --scenario FILE (see conclave hive-mind spawn --help)',
    );
    expect(cli(['hive-mind', 'resume', 'last', '--store', store]).status).toBe(0);
    expect(JSON.parse(cli(['hive-mind', 'sessions', '--store', store, '--json']).stdout)).toHaveLength(3);
    expect(cli(['hive-mind', 'spawn', 'x', '--queen', 'royal']).status).toBe(2);
    expect(cli(['hive-mind', 'wizard', '--complexity', 'high']).status).toBe(2); // not a terminal: every answer as a flag
    const out = join(store, '..', 'w.yml');
    const wiz = cli([
      'hive-mind',
      'wizard',
      '--objective',
      'Docs',
      '--complexity',
      'high',
      '--agents',
      '12',
      '--critical-decisions',
      'yes',
      '--security',
      'high',
      '--output',
      out,
    ]);
    expect(wiz.status).toBe(0);
    expect(loadHiveScenario(out).options).toMatchObject({ queen: 'adaptive', workers: 12, consensus: 'byzantine' });
  }, 300_000); // nine CLI processes, each loading the sources through tsx

  it('the evaluator: 48 arms, 6 classes with features in [0, 1], the same outcome for the same seed', async () => {
    const arms = hiveCandidates(),
      classes = hiveTaskClasses();
    expect(new Set(arms.map((a) => JSON.stringify(a))).size).toBe(48);
    expect(classes).toHaveLength(6);
    for (const c of classes) for (const v of Object.values(c.features)) expect(v >= 0 && v <= 1).toBe(true);
    const a = await runHiveObjective(arms[5], classes[4], 9);
    expect(await runHiveObjective(arms[5], classes[4], 9)).toEqual(a);
  });

  it('the evaluator classes call for different topologies: star for routine docs, mesh for novel research, hierarchy for delegated work, ring for a pipeline', async () => {
    const classes = Object.fromEntries(hiveTaskClasses().map((c) => [c.name, c]));
    const bestTopology = async (name: string) => {
      const rows = [];
      for (const topology of ['mesh', 'hierarchical', 'star', 'ring']) {
        // Mean quality over 10 seeds: success (quality over a bar) is the same signal, noisier.
        let quality = 0;
        for (let seed = 1; seed <= 10; seed++)
          quality += (await runHiveObjective({ topology, consensus: 'byzantine', queen: 'strategic', teamSize: 3 }, classes[name], seed)).quality;
        rows.push({ topology, quality });
      }
      rows.sort((a, b) => b.quality - a.quality);
      return rows[0].topology;
    };
    expect(await bestTopology('docs-routine')).toBe('star');
    expect(await bestTopology('research-novel')).toBe('mesh');
    expect(await bestTopology('platform-delegated')).toBe('hierarchical');
    expect(await bestTopology('release-pipeline')).toBe('ring');
  }, 120_000);

  it('runs in threads mode too', async () => {
    const r = await runHive({
      objective: 'x',
      mode: 'threads',
      workers: 6,
      teams: 2,
      seed: 1,
      features: { complexity: 0.3, novelty: 0.2, criticality: 0.3, sequentiality: 0 },
    });
    expect(r.mode).toBe('threads');
    expect(r.objectives[0].done).toBe(r.objectives[0].subtasks);
    expect(r.accountingImbalance).toBe(0);
  }, 60_000);
});

describe('hive-mind spawn --learn', () => {
  it('a second process starts from the pattern the first stored, and refines it', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'hive-learn-')), 's.db');
    // Every configuration flag given: the bank chooses among one candidate, so what it says of its choice is about the store alone.
    const fixed = ['--queen', 'tactical', '--consensus', 'byzantine', '--topology', 'ring', '--teams', '4', '--store', store];
    const first = cli(['hive-mind', 'spawn', 'Document the payments API', '--learn', '--sessions', '2', ...fixed]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/\(untried, exploring, posterior mean/);
    const second = cli(['hive-mind', 'spawn', 'Document the payments API', '--learn', '--seed', '9', '--json', ...fixed]);
    // Exit 0 or 3 (an objective failed): either way the outcome is recorded.
    expect([0, 3]).toContain(second.status);
    expect(JSON.parse(second.stdout).choice.reason).toMatch(/^sampled from 2 uses/);
    const shown = cli(['memory', 'show', 'reasoning-bank/pattern/document-the-payments-api', '--json', '--store', store]);
    expect(JSON.parse(shown.stdout).pattern.uses).toBe(3);
  }, 120_000);

  it('refuses --learn without a store, and a consensus the bank does not learn among', () => {
    expect(cli(['hive-mind', 'spawn', 'X', '--learn', '--no-store']).stderr).toMatch(/--learn/);
    const raft = cli(['hive-mind', 'spawn', 'X', '--learn', '--consensus', 'raft', '--store', join(mkdtempSync(join(tmpdir(), 'hive-learn-')), 's.db')]);
    expect(raft.status).toBe(2);
    expect(raft.stderr).toMatch(/--consensus.*weighted or byzantine with --learn/);
  }, 60_000);
});

describe('hive-mind spawn across nodes (--nats): flags', () => {
  it('refuses --swarm without --nats, and --mode sim with --nats, by name (exit 2, one line)', () => {
    const spawnWith = (args: string[]) => cli(['hive-mind', 'spawn', 'x', '--no-store', ...args]);
    const orphan = spawnWith(['--swarm', 's']);
    expect([orphan.status, orphan.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(orphan.stderr).toContain('"--swarm": expected it only together with --nats URL');
    const sim = spawnWith(['--nats', 'nats://127.0.0.1:4222', '--mode', 'sim']);
    expect(sim.status).toBe(2);
    expect(sim.stderr).toContain('--mode sim with --nats: a simulation runs on one thread');
  }, 60_000);
});

describe('hive-mind spawn: dashboard flags need --dashboard', () => {
  it('refuses --dashboard-host or --dashboard-token alone, by name (exit 2, one line)', () => {
    for (const [flag, value] of [
      ['--dashboard-host', '0.0.0.0'],
      ['--dashboard-token', 'abcdefghijklmnop'],
    ]) {
      const r = cli(['hive-mind', 'spawn', 'x', '--no-store', flag, value]);
      expect([r.status, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(r.stderr).toContain(`"${flag}": expected to be given with --dashboard`);
    }
  });
});
