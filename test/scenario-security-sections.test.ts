import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 15: `security:` and `audit:` as the tutorial's enterprise configuration writes them
 * (under `consensus:`), or at the top level; checked with the path and what to write; and in
 * the protocols that cast no ballots, honoured or named in the warnings.
 */
const base = `name: enterprise
agents: [{ role: node, count: 4 }]
task: { question: q, options: [A, B], decisions: 3 }
`;

const TUTORIAL = `consensus:
  audit: { enabled: true, detailed_logging: true, decision_justification: required, compliance_check: true }
  security: { agent_authentication: required, vote_encryption: true, byzantine_detection: true, audit_signatures: true }
`;

const message = (text: string): string => {
  try {
    parseScenario(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('parsed');
};

describe('parsing security: and audit:', () => {
  it("takes the tutorial's sections from under consensus: and leaves consensus without them", () => {
    const s = parseScenario(base + TUTORIAL);
    expect(s.security).toEqual({ agentAuthentication: true, voteEncryption: true, byzantineDetection: true, auditSignatures: true });
    expect(s.audit).toEqual({ enabled: true, detailedLogging: true, decisionJustification: true, complianceCheck: true });
    expect(s.consensus).not.toHaveProperty('security');
    expect(s.consensus).not.toHaveProperty('audit');
  });

  it('takes them at the top level too, with defaults for what is left out; absent sections stay absent', () => {
    const s = parseScenario(`${base}security: { vote_encryption: true }\naudit: { compliance_check: true }\n`);
    expect(s.security).toEqual({ agentAuthentication: false, voteEncryption: true, byzantineDetection: true, auditSignatures: false });
    expect(s.audit).toEqual({ enabled: true, detailedLogging: false, decisionJustification: false, complianceCheck: true });
    const plain = parseScenario(base);
    expect(plain).not.toHaveProperty('security');
    expect(plain).not.toHaveProperty('audit');
  });

  it('refuses with the path and what to write', () => {
    expect(message(`${base}security: { agent_authentication: yes }\n`)).toBe(
      'line 4, column 35: "security.agent_authentication": expected "required" (every vote signed by its voter) or "none", got "yes".',
    );
    expect(message(`${base}consensus:\n  security: { vote_encription: true }\n`)).toMatch(
      /"consensus\.security\.vote_encription": .*Did you mean "vote_encryption"\?$/,
    );
    expect(message(`${base}audit: { decision_justification: always }\n`)).toMatch(
      /"audit\.decision_justification": expected "required" \(a vote needs a reason\) or "optional", got "always"/,
    );
    expect(message(`${base}security: { vote_encryption: true }\nconsensus:\n  security: { vote_encryption: true }\n`)).toMatch(
      /"consensus\.security": expected one security section: under consensus or at the top level, not both/,
    );
    expect(message(`${base}audit: { enabled: false, compliance_check: true }\n`)).toMatch(
      /"audit\.compliance_check": expected false \(audit\.enabled is false\), got boolean true\. Set audit\.enabled: true to use it, or leave it out\.$/,
    );
  });

  it('audit.enabled: false with every switch off is accepted (what is left for it to turn off is the run store audit record)', () => {
    expect(parseScenario(`${base}audit: { enabled: false, decision_justification: optional }\n`).audit).toEqual({
      enabled: false,
      detailedLogging: false,
      decisionJustification: false,
      complianceCheck: false,
    });
  });
});

const logYaml = (algorithm: string, extra = '') => `name: enterprise-${algorithm}
agents: [{ role: node, count: 4 }]
consensus:
  algorithm: ${algorithm}
${extra}${TUTORIAL.replace('consensus:\n', '')}
task: { decisions: 5 }
`;

describe('security: and audit: where no ballots are cast', () => {
  const NOT_HONOURED = (p: string) => [
    `security.agent_authentication: ${p} does not sign its messages (only voting ballots and PBFT are signed), so 'required' is not honoured`,
    `security.vote_encryption: ${p} casts no ballots to encrypt (its messages travel in clear), so it is not used`,
    `security.byzantine_detection: ${p} has no Byzantine detection (it is the voting coordinator's and PBFT's), so it is not used`,
    `audit.decision_justification: ${p} casts no votes with reasons, so 'required' is not used`,
    `audit.detailed_logging: ${p} has no vote bodies to log (its trace is the same either way), so it is not used`,
    `audit.compliance_check: the compliance check judges votes and their reasons, which ${p} does not have, so it is not used`,
  ];

  for (const [algorithm, name] of [
    ['raft', 'raft'],
    ['gossip', 'gossip'],
  ] as const) {
    it(`${algorithm}: every key it does not honour is named in the warnings`, async () => {
      const r = await runScenario(parseScenario(logYaml(algorithm)), { seed: 1, mode: 'sim' });
      expect(r.warnings).toEqual(NOT_HONOURED(name));
    }, 60_000);
  }

  it('PBFT honours agent_authentication with Ed25519 signatures and always detects; the rest is named', async () => {
    const r = await runScenario(parseScenario(logYaml('byzantine_tolerant')), { seed: 1, mode: 'sim' });
    expect(r.pbft!.signatures).toBe('ed25519');
    expect(r.decisions.decided).toBe(5);
    expect(r.warnings).toEqual(NOT_HONOURED('PBFT').filter((w) => !/agent_authentication|byzantine_detection/.test(w)));
    const off = await runScenario(parseScenario(logYaml('byzantine_tolerant').replace('byzantine_detection: true', 'byzantine_detection: false')), {
      seed: 1,
      mode: 'sim',
    });
    expect(off.warnings).toContain(
      'security.byzantine_detection: PBFT always detects equivocation (its replicas check signed proof), so false is not honoured',
    );
  }, 60_000);

  it('PBFT refuses unsigned or modelled signatures when authentication is required', async () => {
    for (const scheme of ['none', 'token']) {
      await expect(runScenario(parseScenario(logYaml('byzantine_tolerant', `  pbft: { signatures: ${scheme} }\n`)), { seed: 1, mode: 'sim' })).rejects.toThrow(
        /consensus\.pbft\.signatures.*ed25519, or no signatures key \(security\.agent_authentication: required asks for real signatures\)/,
      );
    }
  }, 60_000);
});

describe('security: and audit: in a voting run that cannot honour them', () => {
  const FILE = fileURLToPath(new URL('./implementation.yml', import.meta.url));
  const voting = (extra: string) => `name: own-coordinator
agents: [{ role: node, count: 3 }]
consensus:
  algorithm: simple_majority
${extra}${TUTORIAL.replace('consensus:\n', '')}
task: { question: q, options: [A, B], truth: A, decisions: 3 }
`;

  it("names them when the coordinator is the scenario's own, and detailed logging when the trace is off", async () => {
    const own = await runScenario(
      parseScenario(voting('  implementation: { module: ./fixtures/broken-voting.ts, export: doubleCountingCoordinator }\n'), FILE),
      { seed: 1, mode: 'sim' },
    );
    expect(own.warnings).toEqual([
      "security, audit: the coordinator is consensus.implementation's own, so the built-in checks (signatures, decryption, justification, compliance) apply only as far as its code calls them (openBallot in vote-security.ts)",
    ]);
    const untraced = await runScenario(parseScenario(voting('')), { seed: 1, mode: 'sim', traceLevel: 'off' });
    expect(untraced.warnings).toEqual(['audit.detailed_logging: the trace is off (traceLevel: off), so no vote is logged']);
    const traced = await runScenario(parseScenario(voting('')), { seed: 1, mode: 'sim' });
    expect(traced.warnings).toBeUndefined();
    expect(traced.decisions.decided).toBe(3);
  }, 60_000);
});

describe('security: and audit: under production_mode: true', () => {
  it('a key a run would only warn about is refused; what PBFT honours is not', async () => {
    const production = (algorithm: string) => parseScenario(logYaml(algorithm).replace('consensus:\n', 'consensus:\n  production_mode: true\n'));
    await expect(runScenario(production('raft'), { seed: 1, mode: 'sim' })).rejects.toThrow(
      /production_mode.*security\.agent_authentication: raft does not sign its messages.*\(and 5 more\)/,
    );
    await expect(runScenario(production('byzantine_tolerant'), { seed: 1, mode: 'sim' })).rejects.toThrow(
      /production_mode.*security\.vote_encryption: PBFT casts no ballots to encrypt.*\(and 3 more\)/,
    );
    const untraced = parseScenario(
      `${logYaml('simple_majority').replace('consensus:\n', 'consensus:\n  production_mode: true\n').replace('task: { decisions: 5 }', 'task: { question: q, options: [A, B], decisions: 5 }')}`,
    );
    await expect(runScenario(untraced, { seed: 1, mode: 'sim', traceLevel: 'off' })).rejects.toThrow(
      /production_mode.*audit\.detailed_logging: the trace is off/,
    );
    expect((await runScenario(untraced, { seed: 1, mode: 'sim' })).decisions.attempted).toBe(5);
  }, 60_000);
});
