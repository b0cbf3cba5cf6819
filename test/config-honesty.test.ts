import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { deepMerge, loadScenarioFile, parseLegacyConfig, parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { errorOf, yaml } from './fixtures/scenario-error.ts';

const tutorial = (name: string) => fileURLToPath(new URL(`./fixtures/tutorial/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conclave-config-'));
const file = (name: string, ...lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, yaml(...lines));
  return path;
};
const config = (...lines: string[]) => parseLegacyConfig(yaml(...lines), 'c.yml');
const VOTERS = ['name: v', 'agents: [{ role: researcher }, { role: tester, count: 3 }]', 'task: { question: q, options: [a, b], domain: security }'];
const RAFT = ['name: r', 'agents: [{ role: node, count: 5 }]', 'task: { decisions: 10 }'];
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('deep merge of configuration layers', () => {
  it('merges mappings key by key, later values win, lists replace', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: 2 } })).toEqual({ a: { b: 1, c: [3], e: 2 }, d: 1 });
    expect(deepMerge({ a: { b: 1 } }, { a: 'x' })).toEqual({ a: 'x' });
  });

  it('several --config files merge in order (the library takes a list; one string still works)', async () => {
    const a = file(
      'a.yml',
      'consensus:',
      '  default_algorithm: supermajority',
      '  voting_timeout: 5s',
      '  algorithms:',
      '    supermajority: { threshold: 0.7, min_participants: 2 }',
      'agent_expertise:',
      '  researcher: { weight: 3, domains: [security, crypto] }',
    );
    // Each file is checked on its own (an expertise entry needs its weight and domains in each).
    const b = file(
      'b.yml',
      'consensus:',
      '  algorithms:',
      '    supermajority: { threshold: 0.8 }',
      'agent_expertise:',
      '  researcher: { weight: 3, domains: [security] }',
    );
    const s = await loadScenarioFile(tutorial('../scenarios/minimal.yml'), { configFile: [a, b] });
    expect(s.consensus).toMatchObject({
      algorithm: 'supermajority',
      threshold: 0.8,
      min_participants: 2,
      votingTimeoutMs: 5_000,
      agent_expertise: { researcher: { weight: 3, domains: ['security'] } },
    });
    expect(parseScenario(undefined, undefined, { configFile: [b, a] }).consensus.threshold).toBe(0.7);
    expect((await loadScenarioFile(tutorial('../scenarios/minimal.yml'), { configFile: a })).consensus.threshold).toBe(0.7);
  });
});

describe("the tutorial's keys are honoured, refused or named", () => {
  it('exercise 1 (consensus-config.yml): every key accounted for', () => {
    const s = parseScenario(undefined, undefined, { configFile: tutorial('consensus-config.yml') });
    expect(s.consensus).toMatchObject({ algorithm: 'simple_majority', threshold: 0.5, min_participants: 2, votingTimeoutMs: 60, byzantine_tolerance: false });
    expect(s.warnings).toEqual([
      `consensus.agent_weights (the --config file ${tutorial('consensus-config.yml')}): simple_majority counts one vote per agent, so it is not used; weights count under consensus.algorithm: weighted_voting`,
      `consensus.voting_timeout (the --config file ${tutorial('consensus-config.yml')}): 60 is read as 60 ms (a bare number is milliseconds); write 60s if seconds were meant, or 60ms to keep it and silence this`,
    ]);
  });

  it('exercise 1 with weighted_voting: expert_weight and regular_weight reach the vote; roles no agent has are named', () => {
    const s = parseScenario(yaml(...VOTERS, 'consensus: { algorithm: weighted_voting }'), 's.yml', {
      configFile: [tutorial('consensus-config.yml'), tutorial('expert-weights.yml')],
    });
    expect(s.consensus).toMatchObject({ threshold: 0.6, expert_weight: 2, regular_weight: 1, agent_weights: { researcher: 1.5, tester: 2 } });
    expect(s.warnings).toContain(
      `agent_weights.analyst (the --config file ${tutorial('consensus-config.yml')}): no agent has the role analyst (roles: researcher, tester), so it is not used`,
    );
    expect(s.warnings).toContain(
      `agent_expertise.security_expert (the --config file ${tutorial('expert-weights.yml')}): no agent has the role security_expert (roles: researcher, tester), so it is not used`,
    );
  });

  it('byzantine_tolerance: true needs a Byzantine-tolerant algorithm; false refuses one', () => {
    const e = configError(() => parseScenario(yaml(...VOTERS), 's.yml', { config: config('consensus: { byzantine_tolerance: true }') }));
    expect(e.path).toBe('consensus.byzantine_tolerance');
    expect(e.message).toContain(
      '(set in the configuration c.yml): write consensus.algorithm: byzantine_tolerant (PBFT; default_algorithm in a configuration file) or byzantine_supermajority (a vote)',
    );
    expect(e.message).toContain('got "true with algorithm simple_majority"');
    expect(
      parseScenario(yaml(...VOTERS), 's.yml', { config: config('consensus: { byzantine_tolerance: true, default_algorithm: byzantine_tolerant }') }).consensus
        .algorithm,
    ).toBe('byzantine_tolerant');
    expect(parseScenario(yaml(...VOTERS, 'consensus: { algorithm: byzantine_supermajority, byzantine_tolerance: true }')).consensus.byzantine_tolerance).toBe(
      true,
    );
    // Written in the scenario: at its line.
    const f = errorOf(() => parseScenario(yaml(...VOTERS, 'consensus: { algorithm: pbft, byzantine_tolerance: false }'), 's.yml'));
    expect(f).toMatchObject({ file: 's.yml', line: 4, path: 'consensus.byzantine_tolerance' });
    expect(f.message).toContain('expected true (or no byzantine_tolerance) with algorithm pbft');
  });

  it("a configuration file's byzantine_tolerance against an algorithm the scenario names itself: named, and the scenario's algorithm runs", () => {
    // The tutorial's exercise 4 then 8 in one project: byzantine_tolerance: true set, then a Raft scenario.
    const raft = parseScenario(yaml(...RAFT, 'consensus: { algorithm: raft }'), 's.yml', { config: config('consensus: { byzantine_tolerance: true }') });
    expect(raft.consensus.algorithm).toBe('raft');
    expect(raft.warnings).toContain(
      "consensus.byzantine_tolerance (the configuration c.yml): true, but this scenario names consensus.algorithm: raft, which does not tolerate Byzantine agents; the scenario's algorithm runs (a scenario is on top of the configuration files)",
    );
    const pbft = parseScenario(yaml(...VOTERS, 'consensus: { algorithm: pbft }'), 's.yml', { config: config('consensus: { byzantine_tolerance: false }') });
    expect(pbft.consensus.algorithm).toBe('pbft');
    expect(
      pbft.warnings?.some((w) =>
        w.startsWith('consensus.byzantine_tolerance (the configuration c.yml): false, but this scenario names consensus.algorithm: pbft, which tolerates'),
      ),
    ).toBe(true);
  });

  it("exercise 4: malicious_detection is PBFT's, named with any other algorithm or when turned off", () => {
    const pbft = parseScenario(yaml(...VOTERS), 's.yml', {
      config: config('consensus: { default_algorithm: byzantine_tolerant, byzantine_tolerance: true, malicious_detection: true }'),
    });
    expect(pbft.warnings ?? []).toEqual([]);
    expect(pbft.consensus).not.toHaveProperty('malicious_detection');
    expect(parseScenario(yaml(...VOTERS), 's.yml', { config: config('consensus: { malicious_detection: true }') }).warnings).toEqual([
      "consensus.malicious_detection (the configuration c.yml): simple_majority does not detect lying agents, so it is not used; PBFT does (consensus.algorithm: byzantine_tolerant: signed proof of equivocation, listed in the result's byzantineDetected)",
    ]);
    expect(parseScenario(yaml(...VOTERS, 'consensus: { algorithm: pbft, malicious_detection: false }')).warnings).toEqual([
      'consensus.malicious_detection: false is not used: PBFT always checks signatures and reports the replicas it catches (byzantineDetected)',
    ]);
  });

  it("the byzantine_tolerant entry of algorithms: its threshold is PBFT's quorum (named), another is refused; min_participants is checked", () => {
    const s = parseScenario(yaml(...VOTERS), 's.yml', {
      config: config(
        'consensus:',
        '  default_algorithm: byzantine_tolerant',
        '  algorithms:',
        '    byzantine_tolerant: { threshold: 0.67, min_participants: 4, byzantine_detection: true }',
      ),
    });
    expect(s.consensus).not.toHaveProperty('threshold');
    expect(s.consensus).not.toHaveProperty('min_participants');
    expect(s.warnings).toEqual([
      "consensus.algorithms.byzantine_tolerant.threshold (the configuration c.yml): 0.67 is PBFT's own quorum (2f + 1 of n = 3f + 1 replicas, just over 2/3), which it always uses: the key changes nothing and can go",
    ]);
    const high = configError(() =>
      parseScenario(yaml(...VOTERS), 's.yml', { config: config('consensus:', '  algorithms:', '    byzantine_tolerant: { threshold: 0.8 }') }),
    );
    expect(high.path).toBe('consensus.algorithms.byzantine_tolerant.threshold');
    expect(high.message).toContain(
      'expected 0.67 or no threshold in c.yml: PBFT (byzantine_tolerant) commits with a quorum of 2f + 1 of n = 3f + 1 replicas, which a threshold cannot change',
    );
    const few = configError(() =>
      parseScenario(yaml(...VOTERS), 's.yml', {
        config: config('consensus:', '  default_algorithm: pbft', '  algorithms:', '    pbft: { min_participants: 7 }'),
      }),
    );
    expect(few.message).toBe(
      'Invalid configuration at "consensus.algorithms.pbft.min_participants": expected at most as many replicas as the scenario has agents (4), in the configuration c.yml: add agents, or lower it (PBFT needs n = 3f + 1, at least 4 to tolerate one liar), got number 7.',
    );
  });

  it('exercise 8: the Raft section reaches the nodes (bare numbers are ms); enabled and leader_timeout are accounted for', async () => {
    const c = config(
      'consensus:',
      '  raft:',
      '    enabled: true',
      '    leader_timeout: 5000',
      '    election_timeout_min: 1000',
      '    election_timeout_max: 2000',
    );
    const s = parseScenario(yaml(...RAFT, 'consensus: { algorithm: raft }'), 's.yml', { config: c });
    expect(s.consensus.raft).toEqual({ election_timeout_min: 1000, election_timeout_max: 2000 });
    expect(s.warnings).toEqual([
      'consensus.raft.leader_timeout (the configuration c.yml): Raft has no leader timeout, so it is not used: a follower stands for election when it has not heard its leader for a random time between consensus.raft.election_timeout_min and election_timeout_max; set those instead',
    ]);
    const r = await runScenario(s, { seed: 1 });
    expect(r.decisions.decided).toBe(10);
    expect(r.raft!.leaders[0].at).toBeGreaterThanOrEqual(1000); // the first election waited out a 1000-2000 ms timeout
    expect(r.raft!.leaders[0].at).toBeLessThan(2100);
    expect(r.warnings).toContain(s.warnings![0]);
    expect(errorOf(() => parseScenario(yaml(...RAFT, 'consensus: { algorithm: raft, raft: { enabled: false } }'), 's.yml'))).toMatchObject({
      line: 4,
      path: 'consensus.raft.enabled',
    });
    expect(parseScenario(yaml(...VOTERS), 's.yml', { config: config('consensus: { raft: { enabled: true, heartbeat: 50 } }') }).warnings).toEqual([
      'consensus.raft.enabled (the configuration c.yml): the algorithm is simple_majority, so Raft does not run; write consensus.algorithm: raft (default_algorithm: raft in a configuration file) to run it',
      'consensus.raft (the configuration c.yml): the algorithm is simple_majority, so the Raft settings (heartbeat) are not used',
    ]);
  });

  it('exercise 18: the enterprise sections of a configuration file reach the parts that honour them', () => {
    const s = parseScenario(yaml(...VOTERS), 's.yml', { configFile: tutorial('enterprise-consensus.yml') });
    expect(s.warnings ?? []).toEqual([]);
    expect(s.production_mode).toBe(true);
    expect(s.decision_policies).toMatchObject({
      critical: { algorithm: 'byzantine_tolerant', threshold: 0.75, timeoutMs: 300_000, human_oversight: true },
      emergency: { algorithm: 'raft', timeoutMs: 10_000 },
    });
    expect(s.monitoring).toMatchObject({ slowConsensusMs: 60_000, failureRate: 0.05 });
    expect(s.audit).toEqual({ enabled: true, detailedLogging: true, decisionJustification: true, complianceCheck: true });
    expect(s.security).toEqual({ agentAuthentication: true, voteEncryption: true, byzantineDetection: true, auditSignatures: true });
    // Read into their own fields, not left among the consensus settings where nothing reads them.
    expect(Object.keys(s.consensus)).not.toContain('audit');
    expect(Object.keys(s.consensus)).not.toContain('decision_policies');
  });

  it("a small bare-number timeout is named in the run's warnings; with a unit it is not", async () => {
    const s = parseScenario(yaml(...VOTERS, 'consensus: { voting_timeout: 30 }'));
    expect(s.consensus.votingTimeoutMs).toBe(30);
    expect(s.warnings).toEqual([
      'consensus.voting_timeout: 30 is read as 30 ms (a bare number is milliseconds); write 30s if seconds were meant, or 30ms to keep it and silence this',
    ]);
    expect(parseScenario(yaml(...VOTERS, 'consensus: { voting_timeout: 30ms }')).warnings).toBeUndefined();
    expect(parseScenario(yaml(...VOTERS, 'consensus: { voting_timeout: 5000 }')).warnings).toBeUndefined();
    expect(parseScenario(yaml(...RAFT, 'consensus: { algorithm: raft, raft: { election_timeout_min: 10, election_timeout_max: 20 } }')).warnings).toEqual([
      'consensus.raft.election_timeout_min: 10 is read as 10 ms (a bare number is milliseconds); write 10s if seconds were meant, or 10ms to keep it and silence this',
      'consensus.raft.election_timeout_max: 20 is read as 20 ms (a bare number is milliseconds); write 20s if seconds were meant, or 20ms to keep it and silence this',
    ]);
    const r = await runScenario(s, { seed: 2 });
    expect(r.warnings).toEqual(s.warnings);
  });
});

describe('keys of consensus: no part of Conclave reads', () => {
  it('are named in the warnings, with the nearest known key; a custom policy may read them', () => {
    expect(parseScenario(yaml(...VOTERS, 'consensus: { algorithm: supermajority, treshold: 0.8, timeout: 30s }')).warnings).toEqual([
      'consensus.treshold: not a setting supermajority or any part of Conclave reads, so it is not used; did you mean consensus.threshold?',
      "consensus.timeout: not a setting supermajority or any part of Conclave reads, so it is not used (a custom policy's parameter needs consensus.policy)",
    ]);
    expect(parseScenario(yaml(...VOTERS, 'consensus: { algorithm: my_policy, risk_tolerance: 0.2 }')).warnings).toBeUndefined();
  });

  it('byzantine_detection in a scenario is malicious_detection', () => {
    expect(parseScenario(yaml(...VOTERS, 'consensus: { byzantine_detection: true }')).warnings).toEqual([
      "consensus.byzantine_detection: simple_majority does not detect lying agents, so it is not used; PBFT does (consensus.algorithm: byzantine_tolerant: signed proof of equivocation, listed in the result's byzantineDetected)",
    ]);
  });
});
