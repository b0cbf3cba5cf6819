import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configGetCommand, configMergeCommand, configSetCommand, configShowCommand, shownValue } from '../src/cli/config-command.ts';
import { runCommand } from '../src/cli/run-command.ts';
import type { ConfigPlaces } from '../src/config/config-files.ts';
import { ConfigError } from '../src/errors.ts';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
const tutorial = (name: string) => fileURLToPath(new URL(`./fixtures/tutorial/${name}`, import.meta.url));

/** A fresh project folder and CONCLAVE_HOME, never the repository or the real home. */
function places(): ConfigPlaces & { project: string; user: string } {
  const root = mkdtempSync(join(tmpdir(), 'conclave-cfg-'));
  const cwd = join(root, 'project');
  mkdirSync(cwd);
  const home = join(root, 'home');
  return { cwd, env: { CONCLAVE_HOME: home }, project: join(cwd, 'conclave.config.yml'), user: join(home, 'config.yml') };
}
const lines = () => {
  const out: string[] = [];
  return { out, push: (l: string) => void out.push(l.replace(/\x1b\[\d+m/g, '')) };
};

describe('conclave config set / get', () => {
  it('exercises 4 and 8: dotted keys, YAML scalars, project file or --user', () => {
    const p = places();
    const o = lines();
    expect(configSetCommand('consensus.default_algorithm', 'byzantine_tolerant', {}, o.push, p)).toBe(0);
    configSetCommand('consensus.byzantine_tolerance', 'true', {}, o.push, p);
    configSetCommand('consensus.malicious_detection', 'true', {}, o.push, p);
    configSetCommand('consensus.raft.enabled', 'true', {}, o.push, p);
    configSetCommand('consensus.raft.leader_timeout', '5000', {}, o.push, p);
    configSetCommand('consensus.raft.election_timeout_min', '1000', {}, o.push, p);
    configSetCommand('consensus.raft.election_timeout_max', '2000', { user: true }, o.push, p);
    expect(parse(readFileSync(p.project, 'utf8'))).toEqual({
      consensus: {
        default_algorithm: 'byzantine_tolerant',
        byzantine_tolerance: true,
        malicious_detection: true,
        raft: { enabled: true, leader_timeout: 5000, election_timeout_min: 1000 },
      },
    });
    expect(parse(readFileSync(p.user, 'utf8'))).toEqual({ consensus: { raft: { election_timeout_max: 2000 } } });
    expect(o.out[0]).toBe(`consensus.default_algorithm = "byzantine_tolerant" in ${p.project}`);
    const g = lines();
    expect(configGetCommand('consensus.raft.election_timeout_min', {}, g.push, p)).toBe(0);
    expect(configGetCommand('consensus.raft.election_timeout_max', {}, g.push, p)).toBe(0);
    expect(configGetCommand('consensus.raft.election_timeout_min', { user: true }, g.push, p)).toBe(1);
    expect(g.out).toEqual(['1000', '2000', `consensus.raft.election_timeout_min is not set in the user file ${p.user}`]);
  });

  it('an unknown key is refused with the nearest known one, and the file is not written', () => {
    const p = places();
    configSetCommand('consensus.voting_timeout', '30s', {}, () => undefined, p);
    const before = readFileSync(p.project, 'utf8');
    let e: unknown;
    try {
      configSetCommand('consensus.raft.leader_timout', '5000', {}, () => undefined, p);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toBe(
      `Invalid configuration at "consensus.raft.leader_timout": expected a setting Conclave knows: the nearest is "consensus.raft.leader_timeout" (conclave config show --resolved lists what a run uses); ${p.project} was not written, got number 5000.`,
    );
    expect(readFileSync(p.project, 'utf8')).toBe(before);
    // config show --resolved lists consensus.algorithm; a file sets it as default_algorithm, not "algorithms" (issue 22).
    expect(() => configSetCommand('consensus.algorithm', 'raft', {}, () => undefined, p)).toThrow(/the nearest is "consensus.default_algorithm"/);
    expect(() => configGetCommand('consensus.algorithm', {}, () => undefined, p)).toThrow(/the nearest is "consensus.default_algorithm"/);
    expect(() => configSetCommand('consensus.voting_timeout', 'soon', {}, () => undefined, p)).toThrow(/consensus.voting_timeout.*expected a duration/);
    expect(() => configSetCommand('consensus.algorithms.byzantine_tolerant.threshold', '0.9', {}, () => undefined, p)).toThrow(/expected 0.67 or no threshold/);
    expect(readFileSync(p.project, 'utf8')).toBe(before);
  });

  it('exits 2 from the command line on an unknown key', async () => {
    const p = places();
    const r = await exec(process.execPath, [bin, 'config', 'set', 'consensus.quorum', '3'], {
      cwd: p.cwd,
      env: { ...process.env, CONCLAVE_HOME: p.env.CONCLAVE_HOME },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toContain('"consensus.quorum": expected a setting Conclave knows: the nearest is');
    expect(existsSync(p.project)).toBe(false);
  });
});

describe('conclave config merge', () => {
  it("merges the tutorial's consensus-config.yml, expert-weights.yml and enterprise-consensus.yml deeply; lists replace", () => {
    const p = places();
    for (const f of ['consensus-config.yml', 'expert-weights.yml', 'enterprise-consensus.yml'])
      expect(configMergeCommand(tutorial(f), {}, () => undefined, p)).toBe(0);
    const merged = parse(readFileSync(p.project, 'utf8'));
    expect(merged.consensus).toMatchObject({
      default_algorithm: 'simple_majority',
      voting_timeout: 60,
      production_mode: true,
      algorithms: { weighted_voting: { expert_weight: 2 } },
    });
    expect(merged.consensus.audit.decision_justification).toBe('required');
    expect(merged.agent_expertise.security_expert).toEqual({ weight: 3, domains: ['security', 'authentication', 'encryption'] });
    const more = join(p.cwd, 'more.yml');
    writeFileSync(
      more,
      'agent_expertise:\n  security_expert: { weight: 4, domains: [security] }\nconsensus:\n  algorithms:\n    weighted_voting: { threshold: 0.7 }\n',
    );
    configMergeCommand(more, {}, () => undefined, p);
    const after = parse(readFileSync(p.project, 'utf8'));
    expect(after.agent_expertise.security_expert).toEqual({ weight: 4, domains: ['security'] });
    expect(after.consensus.algorithms.weighted_voting).toEqual({ threshold: 0.7, expert_weight: 2, regular_weight: 1 });
  });

  it('refuses a file with a key the runtime does not know, naming it and the nearest known key', () => {
    const p = places();
    const bad = join(p.cwd, 'bad.yml');
    writeFileSync(bad, 'consensus:\n  default_algorithm: raft\n  raft: { election_timeout: 150 }\n');
    expect(() => configMergeCommand(bad, {}, () => undefined, p)).toThrow(
      `Invalid configuration at "consensus.raft.election_timeout": expected a setting Conclave knows in ${bad}: the nearest is "consensus.raft.election_timeout_min"`,
    );
    expect(existsSync(p.project)).toBe(false);
  });
});

describe('conclave config show --resolved prints values as a person reads them', () => {
  it('words bare, durations in ms with their seconds, anything else as JSON', () => {
    expect([shownValue('simple_majority'), shownValue('30000ms'), shownValue('500ms'), shownValue(5), shownValue(true), shownValue(['a', 'b'])]).toEqual([
      'simple_majority',
      '30,000 ms (30 s)',
      '500 ms',
      '5',
      'true',
      '["a","b"]',
    ]);
    // Text that would read as something else keeps its quotes.
    expect([shownValue(''), shownValue('a b'), shownValue('k: v')]).toEqual(['""', '"a b"', '"k: v"']);
  });
});

describe('conclave config show --resolved and conclave run read the layers', () => {
  it('user file, then project file, then each --config, then the scenario on top, each value with its source', async () => {
    const p = places();
    mkdirSync(join(p.cwd, '..', 'home'), { recursive: true });
    writeFileSync(p.user, 'consensus:\n  default_algorithm: supermajority\n  voting_timeout: 10s\n  algorithms:\n    supermajority: { threshold: 0.7 }\n');
    writeFileSync(p.project, 'consensus:\n  voting_timeout: 20s\n');
    const a = join(p.cwd, 'a.yml');
    const b = join(p.cwd, 'b.yml');
    writeFileSync(a, 'consensus:\n  algorithms:\n    supermajority: { threshold: 0.8, min_participants: 2 }\n');
    writeFileSync(b, 'consensus:\n  algorithms:\n    supermajority: { threshold: 0.9 }\n');
    const scenario = join(p.cwd, 's.yml');
    writeFileSync(
      scenario,
      'name: s\nagents: [{ role: coder, count: 5 }]\ntask: { question: q, options: [a, b], decisions: 3 }\nconsensus: { min_participants: 3 }\n',
    );
    const o = lines();
    await configShowCommand(scenario, { resolved: true, config: ['a.yml', 'b.yml'], json: true }, o.push, p);
    const shown = JSON.parse(o.out.join('\n'));
    const of = (key: string) => shown.settings.find((s: { key: string }) => s.key === key);
    expect(of('consensus.algorithm')).toEqual({ key: 'consensus.algorithm', value: 'supermajority', source: `user file ${p.user}` });
    expect(of('consensus.voting_timeout')).toEqual({ key: 'consensus.voting_timeout', value: '20000ms', source: `project file ${p.project}` });
    expect(of('consensus.threshold')).toEqual({ key: 'consensus.threshold', value: 0.9, source: '--config file b.yml' });
    expect(of('consensus.min_participants')).toEqual({ key: 'consensus.min_participants', value: 3, source: `scenario ${scenario}` });
    expect(of('consensus.escalation')).toEqual({ key: 'consensus.escalation', value: 'record', source: 'default' });
    const r = lines();
    expect(await runCommand(scenario, { json: true, config: ['a.yml', 'b.yml'], places: p }, r.push)).toBe(0);
    expect(JSON.parse(r.out.join('\n'))).toMatchObject({ algorithm: 'supermajority' });
  });

  it("show --resolved lists what the run will name as not used, the protocol driver's too", async () => {
    const p = places();
    writeFileSync(p.project, 'consensus:\n  default_algorithm: byzantine_tolerant\n  malicious_detection: true\nagent_weights: { coder: 2 }\n');
    const o = lines();
    await configShowCommand(undefined, { resolved: true, json: true }, o.push, p);
    const { warnings } = JSON.parse(o.out.join('\n'));
    expect(warnings).toContain('consensus.agent_weights: PBFT does not vote, so it is not used');
    expect(warnings.some((w: string) => w.startsWith('consensus.malicious_detection'))).toBe(false); // honoured by PBFT
  });

  it('conclave run --config a.yml --config b.yml uses both files (it kept only the last)', async () => {
    const p = places();
    const a = join(p.cwd, 'a.yml');
    const b = join(p.cwd, 'b.yml');
    writeFileSync(a, 'consensus:\n  default_algorithm: raft\n  raft: { election_timeout_min: 1000 }\n');
    writeFileSync(b, 'consensus:\n  raft: { election_timeout_max: 2000, leader_timeout: 5000 }\n');
    const scenario = join(p.cwd, 's.yml');
    writeFileSync(scenario, 'name: s\nagents: [{ role: node, count: 5 }]\ntask: { decisions: 5 }\n');
    const { stdout } = await exec(process.execPath, [bin, 'run', scenario, '--config', 'a.yml', '--config', 'b.yml', '--json'], {
      cwd: p.cwd,
      env: { ...process.env, CONCLAVE_HOME: p.env.CONCLAVE_HOME },
    });
    const result = JSON.parse(stdout);
    expect(result.algorithm).toBe('raft');
    expect(result.decisions.decided).toBe(5);
    expect(result.raft.leaders[0].at).toBeGreaterThanOrEqual(1000);
    expect(result.warnings).toContain(
      'consensus.raft.leader_timeout (the --config file b.yml): Raft has no leader timeout, so it is not used: a follower stands for election when it has not heard its leader for a random time between consensus.raft.election_timeout_min and election_timeout_max; set those instead',
    );
  });

  it('bad flags and missing arguments exit 2 (bad input), not 1; an unset key exits 1', async () => {
    const home = mkdtempSync(join(tmpdir(), 'conclave-config-exit-'));
    const code = async (args: string[]) =>
      exec(process.execPath, [bin, 'config', ...args], { cwd: home, env: { ...process.env, CONCLAVE_HOME: home } }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
    expect(await code(['--bogus'])).toBe(2);
    expect(await code(['get'])).toBe(2);
    expect(await code(['set', 'consensus.default_algorithm'])).toBe(2);
    expect(await code(['get', 'consensus.default_algorithm'])).toBe(1);
  }, 60_000);
});
