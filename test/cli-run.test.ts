import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/run-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const example = fileURLToPath(new URL('../examples/db-choice.yml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conclave-run-'));

describe('conclave run', () => {
  it('--trace writes the canonical trace: its sha256 is the traceHash of the result', async () => {
    const file = join(dir, 'trace.jsonl');
    const lines: string[] = [];
    expect(await runCommand(example, { json: true, seed: 3, trace: file }, (l) => lines.push(l))).toBe(0);
    const result = JSON.parse(lines.join('\n'));
    const text = readFileSync(file, 'utf8');
    expect(createHash('sha256').update(text).digest('hex')).toBe(result.traceHash);
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'emit' && e.event.type === 'decided')).toHaveLength(result.decisions.attempted);
  });

  it('prints a readable summary with the timeline of votes and reasons', async () => {
    const lines: string[] = [];
    await runCommand(example, { seed: 3, timeline: 1 }, (l) => lines.push(l));
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(text).toMatch(/coordinator opens d1: Choose the best database/);
    expect(text).toMatch(/researcher_001 votes (PostgreSQL|MongoDB|DynamoDB) \(/);
    expect(text).toMatch(/d1 (decided|no consensus)/);
    expect(text).not.toMatch(/opens d2/);
    expect(text).toMatch(/decisions\/min wall clock · [\d,]+ per simulated minute/);
    expect(text).toMatch(/latency +p50 [\d.]+ ms · p99 [\d.]+ ms/);
    expect(text).toMatch(/✓ balanced/);
  });

  it('--config applies the configuration users already have to the built-in scenario', async () => {
    const config = join(dir, 'consensus-config.yml');
    writeFileSync(
      config,
      [
        'consensus:',
        '  default_algorithm: supermajority',
        '  voting_timeout: 60s',
        '  algorithms:',
        '    supermajority: { threshold: 0.8, min_participants: 3 }',
        'agent_weights: { researcher: 1.5, tester: 2.0 }',
      ].join('\n'),
    );
    const lines: string[] = [];
    await runCommand(undefined, { json: true, seed: 1, config }, (l) => lines.push(l));
    const result = JSON.parse(lines.join('\n'));
    expect(result.scenario).toBe('db-choice');
    expect(result.algorithm).toBe('supermajority');
    // 0.8 of five votes needs four: fewer decisions pass than under the default simple majority.
    const plain: string[] = [];
    await runCommand(undefined, { json: true, seed: 1 }, (l) => plain.push(l));
    expect(result.decisions.decided).toBeLessThan(JSON.parse(plain.join('\n')).decisions.decided);
  });

  it("--history writes a Raft run's client-visible history as Jepsen-style JSON lines", async () => {
    const raft = fileURLToPath(new URL('../examples/raft-deployment.yml', import.meta.url));
    const file = join(dir, 'history.jsonl');
    const lines: string[] = [];
    expect(await runCommand(raft, { json: true, history: file }, (l) => lines.push(l))).toBe(0);
    const result = JSON.parse(lines.join('\n'));
    const ops = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ops).toHaveLength(2 * result.decisions.decided);
    expect(Object.keys(ops[0])).toEqual(['process', 'type', 'f', 'key', 'value', 'time']);
    expect(ops.filter((o) => o.type === 'ok')).toHaveLength(result.decisions.decided);
    await expect(runCommand(example, { json: true, history: file }, () => undefined)).rejects.toThrow(/--history/);
  });

  it('a PBFT run shows the view change and each replica caught, with its evidence', async () => {
    const lines: string[] = [];
    const pbft = fileURLToPath(new URL('../examples/pbft-ledger.yml', import.meta.url));
    expect(await runCommand(pbft, {}, (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(text).toMatch(/caught node_001: equivocation in pre-prepare, signed evidence shared/);
    expect(text).toMatch(/view 1: node_002 is primary/);
    expect(text).toMatch(/caught +node_005: forged-certificate in prepare \(view 0, seq \d+\) at \d+ ms, proven to node_\d+ by 1 signed message/);
    expect(text).toMatch(/messages signed \(modelled signatures\)/);
    expect(text).toMatch(/safety +0 violations \(agreement, validity, integrity/);
  });

  it('errors found only at run time still name the file, line and field', async () => {
    const bad = fileURLToPath(new URL('./fixtures/scenarios/bad-hub.yml', import.meta.url));
    const e = await runCommand(bad, { json: true }, () => undefined).catch((err: Error) => err);
    expect(String((e as Error).message)).toMatch(/bad-hub\.yml:3:\d+: Invalid configuration at "topology\.hub": expected the id of a member/);
  });

  it('topology: adaptive follows the task as a schedule changes it', async () => {
    const r = await runScenario(
      parseScenario(`
name: adaptive-topology
agents: [{ role: engineer, count: 6, accuracy: 0.9 }]
topology: adaptive
task: { question: q, options: [A, B], truth: A, decisions: 60, complexity: high, novelty: high }
schedule:
  - { at: 60ms, task: { novelty: low, delegated: true } }
  - { at: 120ms, task: { complexity: low, delegated: false, centralised: true } }
`),
      { seed: 2 },
    );
    expect(r.topology).toBe('mesh');
    expect(r.topologyReason).toMatch(/complex and novel/);
    expect(r.topologySwitches.map((s) => s.to)).toEqual(['mesh', 'hierarchical', 'star']);
    expect(r.topologySwitches[1].reason).toMatch(/selector: complex and delegated/);
    expect(r.accountingImbalance).toBe(0);
  });
});
