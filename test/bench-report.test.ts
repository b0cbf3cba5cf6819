import { describe, expect, it } from 'vitest';
import { benchGroup, median, sampleSd, type BenchGroupBase, type BenchIteration } from '../src/bench/bench-report.ts';
import { faultTolerance, withinTolerance } from '../src/bench/fault-tolerance.ts';

const base: BenchGroupBase = {
  algorithm: 'simple_majority',
  agents: 5,
  tolerance: faultTolerance('simple_majority', 5),
  load: { liars: 0, crashes: 0, withinTolerance: true },
};

/** A hand-made iteration: only what a test sets differs from a clean run of 100 decisions. */
function run(over: Partial<BenchIteration> & { seed: number }): BenchIteration {
  return {
    attempted: 100,
    decided: 100,
    noConsensus: 0,
    timedOut: 0,
    latencyMs: { p50: 5, p99: 8 },
    wallMs: 50,
    virtualMs: 600,
    messagesSent: 1000,
    quality: 0.9,
    safetyViolations: [],
    liveness: [],
    topology: 'mesh',
    traceHash: 'h',
    ...over,
  };
}

describe('bench report: the figures of one (algorithm, size) from its iterations', () => {
  it('sums decisions, rates success, and takes throughput and messages over all decided and all time', () => {
    const runs = [
      run({ seed: 1, decided: 90, noConsensus: 10, wallMs: 40, virtualMs: 500, messagesSent: 900, quality: 1 }),
      run({ seed: 2, decided: 60, noConsensus: 30, timedOut: 10, wallMs: 80, virtualMs: 1500, messagesSent: 1200, quality: 0.5 }),
    ];
    const g = benchGroup(base, runs, 'virtual');
    expect(g.status).toBe('measured');
    if (g.status !== 'measured') return;
    expect(g.decisions).toEqual({ attempted: 200, decided: 150, noConsensus: 40, timedOut: 10 });
    expect(g.successRate).toBe(0.75);
    // 150 decided over 120 wall ms and over 2,000 simulated ms.
    expect(g.throughput).toEqual({ wallPerMinute: 75_000, simPerMinute: 4_500 });
    expect(g.messagesPerDecision).toBe(14);
    // Quality weighs each run by what it decided: (90 * 1 + 60 * 0.5) / 150.
    expect(g.quality).toBe(0.8);
    expect(g.unfinished).toEqual([2]);
    expect(g.iterations).toBe(2);
  });

  it("consensus time: mean and sample sd over the runs' medians, p50 and p99 the medians of the runs' own", () => {
    const runs = [3, 5, 7, 9].map((p50, i) => run({ seed: i + 1, latencyMs: { p50, p99: p50 * 3 } }));
    const g = benchGroup(base, runs, 'virtual');
    if (g.status !== 'measured') throw new Error('not measured');
    expect(g.consensusMs).toEqual({ clock: 'virtual', mean: 6, sd: round(Math.sqrt(20 / 3)), p50: 6, p99: 18 });
    expect(g.consensusMs.p99).toBeGreaterThanOrEqual(g.consensusMs.p50);
  });

  it('one iteration has sd 0; a run that reached nothing has no latency to count', () => {
    const single = benchGroup(base, [run({ seed: 1 })], 'virtual');
    if (single.status !== 'measured') throw new Error('not measured');
    expect(single.consensusMs.sd).toBe(0);
    const withEmpty = benchGroup(
      base,
      [run({ seed: 1 }), run({ seed: 2, decided: 0, noConsensus: 100, latencyMs: { p50: 0, p99: 0 }, quality: null })],
      'virtual',
    );
    if (withEmpty.status !== 'measured') throw new Error('not measured');
    expect(withEmpty.consensusMs).toMatchObject({ mean: 5, sd: 0, p50: 5, p99: 8 });
    expect(withEmpty.successRate).toBe(0.5);
    expect(withEmpty.quality).toBe(0.9);
  });

  it('counts safety violations by property and liveness findings; failed runs are listed apart and count in nothing else', () => {
    const bad = { checker: 'voting', property: 'agreement', detail: 'two outcomes for d3' };
    const runs = [
      run({ seed: 1, safetyViolations: [bad, { ...bad, property: 'validity' }], liveness: [{ property: 'termination', detail: 'd9 open 6 s after heal' }] }),
      run({ seed: 2, safetyViolations: [bad] }),
      run({ seed: 3, attempted: 0, decided: 0, wallMs: 0, error: 'Error: boom' }),
    ];
    const g = benchGroup(base, runs, 'wall');
    if (g.status !== 'measured') throw new Error('not measured');
    expect(g.safetyViolations).toBe(3);
    expect(g.safetyByProperty).toEqual({ agreement: 2, validity: 1 });
    expect(g.livenessFindings).toBe(1);
    expect(g.errors).toEqual([{ seed: 3, error: 'Error: boom' }]);
    expect(g.iterations).toBe(2);
    expect(g.decisions.attempted).toBe(200);
    expect(g.runs).toHaveLength(3);
    // Threads mode: no simulated clock.
    expect(g.consensusMs.clock).toBe('wall');
    expect(g.throughput.simPerMinute).toBeNull();
  });

  it('runs that reached nothing: no time and no messages per decision to speak of (0), success 0', () => {
    const g = benchGroup(
      base,
      [1, 2].map((seed) => run({ seed, decided: 0, timedOut: 100, latencyMs: { p50: 0, p99: 0 }, quality: null })),
      'virtual',
    );
    if (g.status !== 'measured') throw new Error('not measured');
    expect(g.consensusMs).toEqual({ clock: 'virtual', mean: 0, sd: 0, p50: 0, p99: 0 });
    expect(g).toMatchObject({ successRate: 0, messagesPerDecision: 0, quality: null, unfinished: [1, 2], throughput: { wallPerMinute: 0, simPerMinute: 0 } });
  });

  it('a group whose every run failed is "failed", not a row of zeros', () => {
    const g = benchGroup(base, [run({ seed: 1, error: 'Error: boom' })], 'virtual');
    expect(g.status).toBe('failed');
  });

  it('raft and pbft have no ground truth: quality is null', () => {
    const g = benchGroup({ ...base, algorithm: 'raft' }, [run({ seed: 1, quality: null })], 'virtual');
    if (g.status !== 'measured') throw new Error('not measured');
    expect(g.quality).toBeNull();
  });

  it('median and sample standard deviation', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([])).toBe(0);
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(sampleSd([7])).toBe(0);
  });
});

describe('bench report: what each algorithm tolerates', () => {
  it('Raft f < n/2 crashes and no liar, PBFT f < n/3 Byzantine, votes bound the liars that cannot change the outcome', () => {
    expect([3, 5, 7, 9].map((n) => faultTolerance('raft', n).maxFaulty)).toEqual([1, 2, 3, 4]);
    expect(faultTolerance('raft', 5)).toMatchObject({ model: 'crash', bound: 'f < n/2 crash, no Byzantine' });
    expect([4, 5, 7, 9, 10].map((n) => faultTolerance('byzantine_tolerant', n).maxFaulty)).toEqual([1, 1, 2, 2, 3]);
    expect(faultTolerance('byzantine_tolerant', 7)).toMatchObject({ model: 'byzantine', bound: 'f < n/3 Byzantine' });
    expect([3, 4, 5, 9].map((n) => faultTolerance('simple_majority', n).maxFaulty)).toEqual([1, 1, 2, 4]);
    // At least 0.67 of the votes: 2 of 3 (0.667) is not enough, so at n = 3 not one liar; 7 of 9 is.
    expect([3, 5, 6, 7, 9].map((n) => faultTolerance('supermajority', n).maxFaulty)).toEqual([0, 1, 1, 2, 2]);
    // At least 0.6 of the weight: the heaviest liars first. Weights 2, 2, 1, 1, 1 (7): one expert is 2 <= 2.8, two are 4.
    expect(faultTolerance('weighted_voting', 5, [2, 2, 1, 1, 1]).maxFaulty).toBe(1);
    expect(faultTolerance('weighted_voting', 3, [2, 1, 1]).maxFaulty).toBe(0);
    for (const a of ['simple_majority', 'supermajority', 'weighted_voting'] as const)
      expect(faultTolerance(a, 5).note).toMatch(/agreement holds whatever voters do/);
  });

  it('within tolerance: PBFT counts crashed replicas against f, Raft takes no liar, a vote counts liars', () => {
    const pbft = faultTolerance('byzantine_tolerant', 4);
    expect(withinTolerance('byzantine_tolerant', pbft, { liars: 1, crashes: 0 })).toBe(true);
    expect(withinTolerance('byzantine_tolerant', pbft, { liars: 1, crashes: 1 })).toBe(false);
    expect(withinTolerance('raft', faultTolerance('raft', 5), { liars: 0, crashes: 2 })).toBe(true);
    expect(withinTolerance('raft', faultTolerance('raft', 5), { liars: 1, crashes: 0 })).toBe(false);
    expect(withinTolerance('simple_majority', faultTolerance('simple_majority', 5), { liars: 2, crashes: 3 })).toBe(true);
  });
});

const round = (x: number) => Math.round(x * 1000) / 1000;
