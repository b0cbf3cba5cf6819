import { describe, expect, it } from 'vitest';
import { applySwitches, onlyAlgorithm } from '../src/analyze/optimize-options.ts';
import { recommend, type BenchSource, type Recommendation } from '../src/analyze/recommend.ts';
import { taskTypeRule } from '../src/analyze/task-types.ts';
import { optimizeCommand } from '../src/cli/optimize-command.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { benchReport, measured, runsAt } from './fixtures/bench-reports.ts';

const bench: BenchSource = {
  file: 'bench.json',
  report: benchReport([
    measured('simple_majority', 3, runsAt([12_000, 12_000, 12_000], { p50: 4.5, p99: 6, quality: 0.85 })),
    measured('weighted_voting', 5, runsAt([11_000, 11_000, 11_000], { p50: 5, p99: 8, quality: 0.97 })),
    measured('raft', 5, runsAt([8_000, 8_000, 8_000], { p50: 7.5, p99: 240 })),
    measured('byzantine_tolerant', 4, runsAt([6_000, 6_000, 6_000], { p50: 10, p99: 12 })),
  ]),
};
const param = (r: Recommendation, key: string) => r.parameters.find((p) => p.key === key);
const run = (o: Parameters<typeof onlyAlgorithm>[0] & { target: string; taskType?: string }, sources: BenchSource[] = [bench]) =>
  applySwitches(recommend(o.target as 'speed', taskTypeRule(o.taskType), sources, onlyAlgorithm(o)), o);

describe('conclave optimize switches from the tutorial (exercise 13)', () => {
  it("--recommended-algorithm restricts the choice to that algorithm's measured groups", () => {
    const r = run({ target: 'speed', recommendedAlgorithm: 'raft' });
    expect([r.basis, r.algorithm, r.agents]).toEqual(['measured', 'raft', 5]);
    expect(r.excluded).toContainEqual({ key: 'simple_majority n=3 (bench.json)', why: 'not raft (--recommended-algorithm)' });
    // Without it, speed picks simple_majority.
    expect(recommend('speed', taskTypeRule(undefined), [bench]).algorithm).toBe('simple_majority');
  });

  it('--recommended-algorithm with nothing measured for it recommends it from its properties, saying what the rule would pick', () => {
    const r = run({ target: 'reliability', taskType: 'critical_decisions', recommendedAlgorithm: 'supermajority' }, []);
    expect([r.basis, r.algorithm, r.agents]).toEqual(['properties', 'supermajority', 5]);
    expect(r.evidence[0]).toMatch(
      /^supermajority: the --recommended-algorithm, chosen by you; from the table of picks the reliability rule for critical decisions would name byzantine_tolerant/,
    );
    expect(parseScenario(r.scenario).consensus.algorithm).toBe('supermajority');
  });

  it('--timeout-aggressive halves every recommended timeout, in the settings and the scenario', () => {
    const plain = run({ target: 'speed', recommendedAlgorithm: 'simple_majority' });
    const fast = run({ target: 'speed', recommendedAlgorithm: 'simple_majority', timeoutAggressive: true });
    expect(param(plain, 'consensus.voting_timeout')!.value).toBe('18ms');
    expect(param(fast, 'consensus.voting_timeout')!.value).toBe('9ms');
    expect(param(fast, 'consensus.voting_timeout')!.derivation).toMatch(/; halved by --timeout-aggressive \(was 18ms\)$/);
    expect(parseScenario(fast.scenario).consensus.votingTimeoutMs).toBe(9);
    const raft = run({ target: 'speed', recommendedAlgorithm: 'raft', timeoutAggressive: true });
    expect(['election_timeout_min', 'election_timeout_max', 'heartbeat'].map((k) => param(raft, `consensus.raft.${k}`)!.value)).toEqual([
      '75ms',
      '150ms',
      '25ms',
    ]);
    expect(parseScenario(raft.scenario).consensus.raft).toEqual({
      election_timeout_min: '75ms',
      election_timeout_max: '150ms',
      heartbeat: '25ms',
      max_batch: 1,
    });
  });

  it('--redundancy-high raises the size to the next that tolerates one more faulty member', () => {
    const r = run({ target: 'reliability', recommendedAlgorithm: 'byzantine_tolerant', redundancyHigh: true });
    expect(r.agents).toBe(7);
    expect(param(r, 'agents')!.derivation).toBe(
      '--redundancy-high: 7 instead of 4, the smallest size that tolerates one more faulty member (f < n/3 Byzantine: up to 2, was 1); n=7 was not measured: bench it (conclave bench --algorithms byzantine_tolerant --agents 7)',
    );
    expect(parseScenario(r.scenario).agents.reduce((n, g) => n + g.count, 0)).toBe(7);
    expect(run({ target: 'reliability', recommendedAlgorithm: 'raft', redundancyHigh: true }).agents).toBe(7);
  });

  it('--expert-weighting-enabled recommends weighted voting, and contradicting --recommended-algorithm is refused', () => {
    expect(run({ target: 'expertise', taskType: 'technical_decisions', expertWeightingEnabled: true }).algorithm).toBe('weighted_voting');
    expect(() => onlyAlgorithm({ expertWeightingEnabled: true, recommendedAlgorithm: 'raft' })).toThrow(ConfigError);
    expect(() => onlyAlgorithm({ recommendedAlgorithm: 'paxos' })).toThrow(/"--recommended-algorithm": expected one of simple_majority/);
    expect(onlyAlgorithm({ recommendedAlgorithm: 'pbft' })).toBe('byzantine_tolerant');
  });

  it("the tutorial's three commands run", () => {
    const lines: string[] = [];
    expect(
      optimizeCommand({ target: 'speed', taskType: 'routine_decisions', recommendedAlgorithm: 'simple_majority', timeoutAggressive: true }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(
      optimizeCommand({ target: 'reliability', taskType: 'critical_decisions', recommendedAlgorithm: 'byzantine_tolerant', redundancyHigh: true }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(
      optimizeCommand({ target: 'expertise', taskType: 'technical_decisions', recommendedAlgorithm: 'weighted_voting', expertWeightingEnabled: true }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(text).toContain('consensus: { algorithm: simple_majority, voting_timeout: 30000ms }');
    expect(text).toContain('Recommendation: byzantine_tolerant, n = 10');
    expect(text).toContain('Recommendation: weighted_voting, n = 5');
  });
});
