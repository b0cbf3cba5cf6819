/**
 * Every scenario in examples/ runs cleanly, exactly as `conclave run <file> --json --seed 42`
 * would run it (through `runCommand`, the `run` command's action), and shows what it is there to
 * show. New example files are picked up automatically: they get the generic checks, and a test
 * fails until they get a specific one too.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type RunCommandOptions } from '../src/cli/run-command.ts';
import type { ScenarioResult } from '../src/swarm/run-scenario.ts';

const dir = fileURLToPath(new URL('../examples/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();

async function run(file: string, opts: RunCommandOptions = { json: true, seed: 42 }): Promise<{ code: number; result: ScenarioResult }> {
  const lines: string[] = [];
  const code = await runCommand(join(dir, file), opts, (line) => lines.push(line));
  expect(lines).toHaveLength(1); // --json prints one JSON object and nothing else
  return { code, result: JSON.parse(lines[0]) as ScenarioResult };
}

/** The property each example exists to show; one that could fail if the example or the runtime broke. */
const specific: Record<string, (r: ScenarioResult) => void> = {
  'gossip-max.yml': (r) => {
    expect(r.algorithm).toBe('gossip');
    // Leaderless, through a crash and a partition: every instance decided, pushes relayed by the ring.
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.messages.relayed).toBeGreaterThan(0);
    expect(r.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(r.livenessViolations).toEqual([]);
  },
  'enterprise-security.yml': (r) => {
    // Signed, encrypted ballots relayed by team leads; every forgery refused and its author named;
    // the honest ballots, the forger's own among them, decide; every decided decision compliant.
    expect(r.refusedVotes).toEqual({
      stranger: 0,
      duplicate: 0,
      malformed: 0,
      late: 0,
      unsigned: 0,
      'bad-signature': r.decisions.attempted,
      unencrypted: 0,
      undecryptable: 0,
      unjustified: 0,
    });
    expect(r.byzantineDetected).toEqual([{ agent: 'engineer_006', evidence: 'd1: sent a vote naming architect_001 as its voter' }]);
    expect(r.messages.relayed).toBeGreaterThan(0);
    expect(r.decisions.timedOut).toBe(0);
    expect(r.compliance).toEqual({ checked: r.decisions.decided, failed: 0, findings: [] });
    expect(r.quality).toBe(1);
  },
  'enterprise-policies.yml': (r) => {
    // Each stage judged by its class; the critical release signed off by the oversight hook; the
    // lying engineer caught and alerted on; the tutorial's unusable emergency class named.
    expect(r.stages).toMatchObject({
      triage: { status: 'passed' },
      'architecture-review': { status: 'passed' },
      'production-release': { status: 'passed', decision: 'ship' },
    });
    expect(Object.keys(r.byPolicy ?? {})).toEqual(['routine', 'important', 'critical']);
    expect(r.oversight).toEqual({ requested: 1, approved: 1, rejected: 0, escalated: 0, timedOut: 0 });
    expect(r.alerts.map((a) => [a.rule, a.agent])).toEqual([['byzantine-detected', 'engineer_004']]);
    expect(r.warnings).toContainEqual(
      expect.stringMatching(/^decision_policies\.emergency\.emergency_contacts: alerts are delivered by the dashboard's channels \(not built yet\)/),
    );
  },
  'db-choice.yml': (r) => {
    expect(r.algorithm).toBe('simple_majority');
    expect(r.agents).toBe(5);
    expect(r.quality).toBeGreaterThanOrEqual(0.8);
  },
  'security-architecture.yml': (r) => {
    expect(r.algorithm).toBe('weighted_voting');
    expect(r.agents).toBe(6);
    // Seed 42 is fixed, so the counts are exact: the weighted experts decide 93 of 100 and
    // every decision is the truth (the weak developers never tip 60% of the weight).
    expect(r.decisions).toMatchObject({ attempted: 100, decided: 93, noConsensus: 7, timedOut: 0 });
    expect(r.byOutcome).toEqual({ zero_trust_mtls_with_field_encryption: 93 });
    expect(r.quality).toBe(1);
  },
  'dynamic-weights.yml': (r) => {
    const w = r.weights!;
    expect(w).toBeDefined();
    // accuracies 0.95 (operations_researcher) ... 0.45 (intern)
    expect(w.operations_researcher_001).toBeGreaterThan(w.intern_001);
    // and the two accurate agents both end above all three weak ones
    const weak = Math.max(w.data_scientist_001, w.junior_analyst_001, w.intern_001);
    expect(Math.min(w.operations_researcher_001, w.optimisation_engineer_001)).toBeGreaterThan(weak);
  },
  'medical-policy.yml': (r) => {
    expect(r.algorithm).toBe('medical_consensus');
    // Exact for seed 42: the policy decides 87 of 100, each time the right drug, and refuses the rest.
    expect(r.decisions).toMatchObject({ attempted: 100, decided: 87, noConsensus: 13, timedOut: 0 });
    expect(r.byOutcome).toEqual({ metformin: 87 });
    expect(r.quality).toBe(1);
  },
  'financial-policy.yml': (r) => {
    expect(r.algorithm).toBe('financial_risk_consensus');
    expect(r.decisions).toMatchObject({ attempted: 100, decided: 74, noConsensus: 26 }); // exact for seed 42
    expect(r.byOutcome).toEqual({ investment_grade_bonds: 74 });
    // high risk (mean score 0.2 > 0.15) holds it to 0.8: split rounds end without consensus
    expect(r.decisions.noConsensus).toBeGreaterThan(0);
  },
  'tutorial-workflow.yml': (r) => {
    // The tutorial's JSON, as written: four stages, the last a Byzantine-tolerant vote.
    expect(Object.keys(r.stages!)).toEqual(['concept_validation', 'technical_feasibility', 'resource_allocation', 'final_approval']);
    for (const s of Object.values(r.stages!)) expect(['passed', 'failed', 'blocked']).toContain(s.status);
    expect(r.warnings).toBeUndefined();
  },
  'product-workflow.yml': (r) => {
    const stages = r.stages!;
    expect(Object.keys(stages)).toEqual(['research', 'design', 'security-review', 'implementation-plan']);
    // Consistent whatever the seed: a stage is blocked iff a dependency did not pass, and every
    // stage ends passed, failed or blocked (none left pending or open).
    const deps: Record<string, string[]> = { research: [], design: ['research'], 'security-review': ['design'], 'implementation-plan': ['design'] };
    for (const [name, s] of Object.entries(stages)) {
      expect(['passed', 'failed', 'blocked']).toContain(s.status);
      const depFailed = deps[name].some((d) => stages[d].status !== 'passed');
      expect(s.status === 'blocked', `${name}: ${s.status}`).toBe(depFailed);
      if (s.status === 'passed') expect(s.decision).toBe('approve');
    }
    // With seed 42: the security review (3 experts, byzantine 2/3 of the electorate) gets one
    // dissent and fails, while the parallel implementation plan passes.
    expect(Object.fromEntries(Object.entries(stages).map(([n, s]) => [n, s.status]))).toEqual({
      research: 'passed',
      design: 'passed',
      'security-review': 'failed',
      'implementation-plan': 'passed',
    });
    expect(r.decisions.attempted).toBe(4);
  },
  'market-entry.yml': (r) => {
    expect(r.algorithm).toBe('adaptive');
    expect(r.topologySwitches.length).toBeGreaterThanOrEqual(2);
    expect(r.topologySwitches[0]).toMatchObject({ from: null, to: 'mesh' });
    expect(r.topologySwitches.at(-1)).toMatchObject({ from: 'mesh', to: 'ring' });
    expect(r.topologySwitches.at(-1)!.at).toBeGreaterThanOrEqual(100);
    expect(r.decisions.decided).toBeGreaterThan(0);
  },
  'byzantine-review.yml': (r) => {
    expect(r.byzantineDetected).toHaveLength(2);
    for (const d of r.byzantineDetected) expect(d.evidence).toMatch(/voted \w+, then \w+/);
    expect(r.quality).toBe(1); // what was decided was right: two liars of seven cannot tip > 2/3
    expect(r.decisions.decided).toBeGreaterThan(100);
  },
  'raft-deployment.yml': (r) => {
    expect(r.algorithm).toBe('raft');
    // Every command acknowledged despite a leader crash and a partition; the checkers found nothing.
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.raft!.failovers).toHaveLength(1);
    expect(r.raft!.failovers[0].newLeader).not.toBeNull();
    expect(r.raft!.failovers[0].newLeader).not.toBe(r.raft!.failovers[0].crashed);
    expect(r.raft!.leaders.length).toBeGreaterThanOrEqual(3); // first election, after the crash, after the partition
    expect(new Set(r.raft!.leaders.map((l) => l.term)).size).toBe(r.raft!.leaders.length); // one leader per term
    expect(r.messages.dropped).toBeGreaterThan(0); // by the partition
  },
  'chaos-raft.yml': (r) => {
    // Every fault kind at once, and still every command acknowledged with nothing unsafe.
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(r.messages.droppedBy.drop).toBeGreaterThan(0);
    expect(r.messages.deadLetteredBy['actor-stopped']).toBeGreaterThan(0); // the cascade's crashes
    expect(r.raft!.leaders.length).toBeGreaterThanOrEqual(3);
    expect(r.livenessViolations).toEqual([]);
  },
  'pbft-ledger.yml': (r) => {
    expect(r.algorithm).toBe('byzantine_tolerant');
    // Within the bound: every request done, both liars caught with signed evidence, the primary replaced.
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.pbft!.byzantine.agents.sort()).toEqual(['node_001', 'node_005']);
    expect(r.pbft!.detected.map((d) => d.suspect).sort()).toEqual(['node_001', 'node_005']);
    expect(r.pbft!.detected.every((d) => d.evidence.length > 0)).toBe(true);
    expect(r.pbft!.views[0]).toMatchObject({ view: 1, primary: 'node_002' });
    expect(r.messages.dropped).toBeGreaterThan(0); // what the isolated liars sent after they were caught
  },
};

describe('examples/*.yml run as `conclave run <file> --json --seed 42`', () => {
  const results = new Map<string, { code: number; result: ScenarioResult }>();
  beforeAll(async () => {
    for (const f of files) results.set(f, await run(f));
  });

  it('finds the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  describe.each(files)('%s', (file) => {
    it('runs cleanly: exit 0, decisions made, safe, balanced, nothing left in flight', () => {
      const { code, result: r } = results.get(file)!;
      expect(code).toBe(0);
      expect(r.seed).toBe(42);
      expect(r.mode).toBe('sim');
      expect(r.decisions.attempted).toBeGreaterThan(0);
      const d = r.decisions;
      expect(d.decided + d.noConsensus + d.timedOut + d.escalated).toBe(d.attempted);
      expect(r.safetyChecked).toBe(true);
      expect(r.safetyViolations).toEqual([]);
      expect(r.accountingImbalance).toBe(0);
      expect(r.messages.inFlight).toBe(0);
    });

    it('shows what it is there to show', () => {
      const check = specific[file];
      expect(check, `add a scenario-specific check for ${file} to test/examples-run.test.ts`).toBeDefined();
      check(results.get(file)!.result);
    });
  });

  it('is deterministic: the same example and seed give the same trace hash', async () => {
    const again = await run('market-entry.yml');
    const first = results.get('market-entry.yml')!.result;
    expect(again.result.traceHash).toBe(first.traceHash);
    expect(again.result.decisions).toEqual(first.decisions);
  });

  it('gives the same decisions in threads mode (voters draw from per-actor seeded streams)', async () => {
    const threads = await run('db-choice.yml', { json: true, seed: 42, mode: 'threads', workers: 2 });
    const sim = results.get('db-choice.yml')!.result;
    expect(threads.code).toBe(0);
    expect(threads.result.mode).toBe('threads');
    expect(threads.result.safetyViolations).toEqual([]);
    expect(threads.result.accountingImbalance).toBe(0);
    expect(threads.result.decisions).toEqual(sim.decisions);
    expect(threads.result.byOutcome).toEqual(sim.byOutcome);
    expect(threads.result.quality).toBe(sim.quality);
  });
});
