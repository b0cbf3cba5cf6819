import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../src/errors.ts';
import { getPolicy, loadPolicyModule, policyNames, registerPolicy } from '../src/protocols/voting/policy-module.ts';
import { ABSTAIN, type Policy, type Proposal, type Vote } from '../src/protocols/voting/types.ts';

const medicalPath = fileURLToPath(new URL('../examples/policies/medical.ts', import.meta.url));
const financialPath = fileURLToPath(new URL('../examples/policies/financial.ts', import.meta.url));

const vote = (agent: string, decision: string, extra: Record<string, unknown> = {}): Vote => ({
  agent,
  role: 'agent',
  decision,
  reason: '',
  confidence: 1,
  ...extra,
});

describe('medical example policy', () => {
  const proposal: Proposal = { id: 'm1', question: 'Treatment?', options: ['treat_a', 'treat_b'] };
  let medical: Policy;
  beforeAll(async () => {
    medical = await loadPolicyModule({ module: medicalPath });
  });

  it('is named by its module', () => {
    expect(medical.name).toBe('medical_consensus');
  });

  it('reaches consensus at >= 0.75 with 2 experts and peer review', () => {
    const votes = [
      vote('doctor_1', 'treat_a', { evidence_level: 'rct', peer_reviewed: true }),
      vote('n1', 'treat_a', { role: 'clinician', evidence_level: 'cohort', peer_reviewed: true }),
      vote('r1', 'treat_b', { role: 'researcher', evidence_level: 'case_control' }),
      vote('r2', 'treat_a', { role: 'researcher', evidence_level: 'systematic_review', agent_weight: 0.2 }),
      vote('r3', ABSTAIN, { role: 'researcher' }),
    ];
    // treat_a: 4 + 3 + 5 * 0.2 = 8, treat_b: 2 -> 0.8
    const o = medical.evaluate(proposal, votes);
    expect(o).toMatchObject({ consensus: true, decision: 'treat_a', evidence_quality: 'high', peer_review_status: true, medical_experts: 2 });
    expect(o.strength).toBeCloseTo(0.8);
  });

  it('fails with 1 medical expert', () => {
    const votes = [vote('doctor_1', 'treat_a', { peer_reviewed: true }), vote('r1', 'treat_a', { peer_reviewed: true })];
    expect(medical.evaluate(proposal, votes)).toMatchObject({ consensus: false, strength: 1, reason: 'insufficient medical experts (1 of 2)' });
  });

  it('fails without peer review', () => {
    const votes = [vote('doctor_1', 'treat_a', { peer_reviewed: true }), vote('medical_2', 'treat_a', { evidence_level: 'rct' })];
    expect(medical.evaluate(proposal, votes)).toMatchObject({
      consensus: false,
      strength: 1,
      peer_review_status: false,
      evidence_quality: 'good',
      reason: 'peer review missing',
    });
  });

  it('weighs evidence: one systematic review outweighs four expert opinions', () => {
    const votes = [
      vote('doctor_1', 'treat_a', { evidence_level: 'systematic_review', peer_reviewed: true }),
      ...[1, 2, 3, 4].map((i) => vote(`medical_${i}`, 'treat_b', { evidence_level: 'expert_opinion', peer_reviewed: true })),
    ];
    const o = medical.evaluate(proposal, votes);
    expect(o).toMatchObject({ consensus: false, decision: 'treat_a' });
    expect(o.strength).toBeCloseTo(5 / 9);
  });

  it('tolerates odd fields', () => {
    const votes = [vote('doctor_1', 'treat_a', { evidence_level: 7, agent_weight: 'lots', peer_reviewed: 'yes' }), vote('doctor_2', 'nonsense')];
    expect(medical.evaluate(proposal, votes)).toMatchObject({ consensus: false, reason: 'insufficient medical experts (1 of 2)', evidence_quality: 'low' });
  });
});

describe('financial example policy', () => {
  const proposal: Proposal = { id: 'f1', question: 'Invest?', options: ['invest', 'hold'] };
  let financial: Policy;
  beforeAll(async () => {
    financial = await loadPolicyModule({ module: pathToFileURL(financialPath).href });
  });

  /** Confidence 0.65 for invest against 0.35 for hold, every voter judging the risk `score`. */
  const split = (score: number | undefined, stressed = 2) => [
    vote('a', 'invest', { confidence: 0.65, stress_test_passed: stressed >= 1, risk_assessment: score === undefined ? undefined : { score } }),
    vote('b', 'hold', { confidence: 0.35, stress_test_passed: stressed >= 2, risk_assessment: score === undefined ? undefined : { score } }),
  ];

  it('is named by its module', () => {
    expect(financial.name).toBe('financial_risk_consensus');
  });

  it('low risk: a 0.65 share passes the 0.6 threshold', () => {
    const o = financial.evaluate(proposal, split(0.02));
    expect(o).toMatchObject({ consensus: true, decision: 'invest', risk_level: 'low', total_risk_score: 0.02, threshold_used: 0.6 });
    expect(o.strength).toBeCloseTo(0.65);
  });

  it('high risk (mean score 0.3): the same share needs 0.8', () => {
    expect(financial.evaluate(proposal, split(0.3))).toMatchObject({
      consensus: false,
      risk_level: 'high',
      threshold_used: 0.8,
      reason: 'below threshold 0.8 (0.6500)',
    });
    // A missing score reads as 0.5: cautious.
    expect(financial.evaluate(proposal, split(undefined))).toMatchObject({ consensus: false, threshold_used: 0.8 });
  });

  it('needs at least half of the votes stress tested', () => {
    expect(financial.evaluate(proposal, split(0.02, 1))).toMatchObject({ consensus: true });
    expect(financial.evaluate(proposal, split(0.02, 0))).toMatchObject({ consensus: false, reason: 'insufficient stress testing' });
  });

  it('gives strength 0, not NaN, when nobody is confident', () => {
    const votes = [vote('a', 'invest', { confidence: 0, stress_test_passed: true }), vote('b', 'hold', { confidence: Number.NaN, stress_test_passed: true })];
    expect(financial.evaluate(proposal, votes)).toMatchObject({ consensus: false, strength: 0 });
    expect(financial.evaluate(proposal, [])).toMatchObject({ consensus: false, strength: 0, reason: 'no votes' });
  });
});

describe('loadPolicyModule errors', () => {
  let dir: string;
  const write = (file: string, source: string) => {
    const path = join(dir, file);
    writeFileSync(path, source);
    return path;
  };
  const proposal: Proposal = { id: 'x', question: '?', options: ['A'] };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-policy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file is a ConfigError naming the path and saying what to export', async () => {
    const err = await loadPolicyModule({ module: join(dir, 'missing.mjs') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('consensus.policy.module');
    expect((err as Error).message).toContain('export function evaluate(proposal, votes) { ... }');
  });

  it('a relative path is a ConfigError', async () => {
    await expect(loadPolicyModule({ module: './medical.ts' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('a module without evaluate is a ConfigError that lists its exports', async () => {
    const path = write('no-evaluate.mjs', 'export const name = "x"; export const evaluate = 42;\n');
    const err = await loadPolicyModule({ module: path }, 'consensus.stages[0]').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('consensus.stages[0]');
    expect((err as Error).message).toMatch(/export function evaluate\(proposal, votes\).*exports found: evaluate, name/);
    await expect(loadPolicyModule({ module: path, export: 'judge' })).rejects.toThrow(/consensus\.policy\.export/);
  });

  it('accepts a default export { name, evaluate } and a named export', async () => {
    const path = write(
      'default.mjs',
      'export default { name: "always", evaluate: () => ({ consensus: true, decision: "A", strength: 1 }) };\nexport function strict() { return { consensus: false, strength: 0 }; }\n',
    );
    const always = await loadPolicyModule({ module: path });
    expect(always.name).toBe('always');
    expect(always.evaluate(proposal, [])).toMatchObject({ consensus: true });
    const strict = await loadPolicyModule({ module: path, export: 'strict', name: 'strict' });
    expect(strict.evaluate(proposal, [])).toMatchObject({ consensus: false, strength: 0 });
  });

  it('an evaluate that throws or returns garbage yields no consensus instead of throwing', async () => {
    const path = write(
      'bad.mjs',
      [
        'export function evaluate(p, votes) { if (votes.length === 0) throw new Error("boom"); return votes.length === 1 ? { consensus: "yes", strength: 1 } : { consensus: true, strength: 2 }; }',
        'export const policy = { evaluate: () => Promise.resolve({ consensus: true, strength: 1 }) };',
      ].join('\n'),
    );
    const bad = await loadPolicyModule({ module: path });
    expect(bad.name).toBe('bad');
    expect(bad.evaluate(proposal, [])).toEqual({ consensus: false, strength: 0, reason: 'policy error: boom' });
    expect(bad.evaluate(proposal, [vote('a', 'A')])).toMatchObject({
      consensus: false,
      strength: 0,
      reason: expect.stringMatching(/^policy error: consensus must be a boolean/),
    });
    expect(bad.evaluate(proposal, [vote('a', 'A'), vote('b', 'A')]).reason).toMatch(/^policy error: strength must be a number in \[0, 1\]/);
    const asyncPolicy = await loadPolicyModule({ module: path, export: 'policy' });
    expect(asyncPolicy.evaluate(proposal, []).reason).toMatch(/Promise/);
  });
});

describe('policy registry', () => {
  it('registers guarded policies by name', () => {
    registerPolicy('test_throws', {
      name: 'whatever',
      evaluate: () => {
        throw new Error('nope');
      },
    });
    expect(policyNames()).toContain('test_throws');
    expect(getPolicy('test_throws')?.name).toBe('test_throws');
    expect(getPolicy('test_throws')?.evaluate({ id: 'x', question: '?', options: [] }, [])).toMatchObject({ consensus: false, reason: 'policy error: nope' });
    expect(getPolicy('no_such_policy')).toBeUndefined();
    expect(() => registerPolicy('', { name: '', evaluate: () => ({ consensus: true, strength: 1 }) })).toThrow(ConfigError);
    expect(() => registerPolicy('x', {} as never)).toThrow(ConfigError);
  });
});
