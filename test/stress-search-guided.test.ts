import { describe, expect, it } from 'vitest';
import { cutsAsNetworkFaults } from '../src/adversary/event-cuts.ts';
import { replayCommand } from '../src/cli/replay-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { drawRun, faultsFor, runStress, runStressCase, shrinkScenario, type StressPlan } from '../src/stress/index.ts';
import { searchShape } from '../src/stress/raft-search.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * The guided Raft search, the default of `conclave stress --protocol raft` (issue 20, item 3): it
 * finds both planted mutants of test/fixtures/raft-mutants.ts unaided on the seeds recorded in
 * test/MUTATION.md, each finding shrinks to a scenario that still violates safety when run alone,
 * and the same seed draws (and cuts) the same run every time, in `stress` and in `replay`.
 */

const plan = (o: Partial<StressPlan> = {}): StressPlan => ({ protocol: 'raft', agents: 7, faults: faultsFor('raft', undefined), decisions: 100, ...o });
const mutant = (name: string) => `${process.cwd()}/test/fixtures/raft-mutants.ts#${name}`;

/** Shrinks a failing run's scenario a little and checks the result still fails when run alone. */
async function shrunkAndReplayed(scenario: string, seed: number): Promise<{ property: string | null; violations: number; shrunk: string }> {
  const r = await shrinkScenario(scenario, { seed, maxAttempts: 12 });
  const again = await runScenario(parseScenario(r.shrunk), { seed, mode: 'sim' });
  return { property: r.property, violations: again.safetyViolations.filter((v) => v.property === r.property).length, shrunk: r.shrunk };
}

describe('the guided Raft search (the default)', () => {
  it('finds the Figure-8 mutant on seed 1 by cutting nodes as they are elected or commit; the finding shrinks and replays alone', async () => {
    expect(searchShape('guided', 1, plan().faults)).toBe('leader-cuts');
    const found = await runStress(plan({ implementation: mutant('figure8DeletedRaftNode') }), { runs: 1, seed: 1, workers: 1 });
    expect(found.failing.map((f) => f.seed)).toEqual([1]);
    expect(found.violations['leader-completeness']).toBeGreaterThan(0);
    // The scenario lists the cuts the adversary laid, from the instant of their events.
    const scenario = found.failing[0].scenario;
    expect(scenario).toMatch(/from: \[node_\d{3}\], drop_rate: 1 \}/);
    const { property, violations, shrunk } = await shrunkAndReplayed(scenario, 1);
    expect(property).toBe('leader-completeness');
    expect(violations).toBeGreaterThan(0);
    expect(shrunk).toContain('Shrunk from');
    // The real node, under the same search and seed, is clean.
    const real = await runStress(plan(), { runs: 1, seed: 1, workers: 1 });
    expect(real.failing).toEqual([]);
  }, 240_000);

  it('finds the truncating mutant on seed 1800 (a bare-majority run it keeps from the targeted search); the finding shrinks and replays alone', async () => {
    expect(searchShape('guided', 1800, plan().faults)).toBe('bare-majority');
    const found = await runStress(plan({ implementation: mutant('truncatingRaftNode') }), { runs: 1, seed: 1800, workers: 1 });
    expect(found.failing.map((f) => f.seed)).toEqual([1800]);
    const { property, violations } = await shrunkAndReplayed(found.failing[0].scenario, 1800);
    expect(property).toBe('leader-completeness');
    expect(violations).toBeGreaterThan(0);
  }, 240_000);

  it('draws and cuts the same run for the same seed, in stress and in conclave replay', async () => {
    const p = plan({ implementation: mutant('figure8DeletedRaftNode') });
    const [a, b] = [await runStressCase({ plan: p, seed: 1 }), await runStressCase({ plan: p, seed: 1 })];
    expect(a.traceHash).not.toBe('');
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.scenario).toBe(a.scenario);
    // Without the adversary the scenario drawn from the seed runs differently: the cuts matter.
    const bare = await runScenario(parseScenario(drawRun(p, 1).scenario), { seed: 1, mode: 'sim' });
    expect(bare.traceHash).not.toBe(a.traceHash);
    const out: string[] = [];
    const code = await replayCommand(
      undefined,
      { protocol: 'raft', implementation: 'test/fixtures/raft-mutants.ts#figure8DeletedRaftNode', seed: 1, json: true },
      (l) => out.push(l),
    );
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n')).result.traceHash).toBe(a.traceHash);
  }, 240_000);

  it('lists each cut as a network fault from the last microsecond at or before its event', () => {
    const [a, b] = cutsAsNetworkFaults([
      { actor: 'node_003', atMs: 812.4418, durationMs: 300, on: 'raft-leader' },
      { actor: 'node_001', atMs: 40.25, durationMs: 150, on: 'raft-commit' },
    ]);
    expect(a).toBe('{ at: 812.441ms, duration: 300ms, from: [node_003], drop_rate: 1 }');
    expect(b).toBe('{ at: 40.25ms, duration: 150ms, from: [node_001], drop_rate: 1 }');
  });
});
