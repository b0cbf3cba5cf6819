import { describe, expect, it } from 'vitest';
import type { FeedFrame } from '../src/dashboard/feed-frame.ts';
import { LiveDashboard } from '../src/dashboard/live-dashboard.ts';
import { stressPlan } from '../src/cli/stress-command.ts';
import { runStress } from '../src/stress/index.ts';
import { benchPlanFrom } from '../src/cli/bench-command.ts';
import { runBench } from '../src/bench/run-bench.ts';

/** A campaign (stress, bench) watched on the live dashboard, wired as `--dashboard` wires it. */
describe('conclave stress --dashboard', () => {
  it('one page for the campaign: each run drawn as it goes, the counts over every run, where each run begins in the timeline', async () => {
    const dash = await LiveDashboard.start({ port: 0, runId: 'stress-test', label: 'stress raft', mode: 'sim', protocol: 'raft' });
    const frames: FeedFrame[] = [];
    dash.onFrame((f) => frames.push(f));
    const plan = stressPlan({ protocol: 'raft', agents: 3, decisions: 10 });
    const report = await runStress(plan, {
      runs: 4,
      seed: 1,
      watch: (seed) => ({ onSystem: (s) => dash.nextRun(s, `seed ${seed}`), onEvent: (e) => dash.observe(e) }),
    });
    await dash.finish('completed');
    // Watched, the runs went one at a time here; what they found is what an unwatched campaign finds.
    expect(report.workers).toBe(1);
    const plain = await runStress(plan, { runs: 4, seed: 1, workers: 1 });
    expect(report.decisions).toEqual(plain.decisions);
    const last = frames.at(-1)!;
    expect(last.status).toBe('completed');
    // Counts over the whole campaign: every run's commands closed.
    expect(last.closed).toBe(report.decisions.attempted);
    const starts = frames.flatMap((f) => f.timeline.map((t) => t.text)).filter((t) => t.startsWith('run seed'));
    expect(starts).toEqual(['run seed 1 starts', 'run seed 2 starts', 'run seed 3 starts', 'run seed 4 starts']);
    // The graph is the run's own three Raft nodes.
    expect(
      frames
        .find((f) => f.graph)!
        .graph!.members.map((m) => m.id)
        .sort(),
    ).toEqual(['node_001', 'node_002', 'node_003']);
  }, 120_000);
});

describe('conclave bench --dashboard', () => {
  it('watched, a sim bench runs one run at a time here, each drawn; its outcomes are those of the pool', async () => {
    const dash = await LiveDashboard.start({ port: 0, runId: 'bench-test', label: 'bench', mode: 'sim', protocol: 'simple_majority' });
    const frames: FeedFrame[] = [];
    dash.onFrame((f) => frames.push(f));
    const plan = benchPlanFrom({ algorithms: 'simple_majority', agents: '3', iterations: 3, decisions: 30 });
    const watched = await runBench(plan, { watch: (t) => ({ onSystem: (s) => dash.nextRun(s, `seed ${t.seed}`), onEvent: (e) => dash.observe(e) }) });
    await dash.finish('completed');
    expect(watched.meta.workers).toBe(1);
    const pooled = await runBench(plan, {});
    const outcomes = (r: typeof watched) => r.results.flatMap((g) => ('runs' in g ? g.runs.map((i) => [i.seed, i.decided, i.noConsensus]) : []));
    expect(outcomes(watched)).toEqual(outcomes(pooled));
    expect(frames.at(-1)!.closed).toBe(90);
    expect(frames.flatMap((f) => f.timeline.map((t) => t.text)).filter((t) => t.startsWith('run seed'))).toHaveLength(3);
  }, 120_000);
});

describe('--dashboard refuses what a watched campaign would not honour', () => {
  it('stress --workers 2 and a sim bench --workers 2, by name, before anything is recorded', async () => {
    const { stressCommand } = await import('../src/cli/stress-command.ts');
    const { benchCommand } = await import('../src/cli/bench-command.ts');
    await expect(
      stressCommand({ protocol: 'raft', agents: 3, runs: 2, seed: 1, decisions: 5, workers: 2, dashboard: { port: 0 }, store: false }, () => undefined),
    ).rejects.toThrow(/"--workers": expected 1 with --dashboard/);
    await expect(
      benchCommand({ algorithms: 'raft', agents: '3', iterations: 1, decisions: 5, workers: 2, dashboard: { port: 0 }, store: false }, () => undefined),
    ).rejects.toThrow(/"--workers": expected 1 with --dashboard in sim mode/);
  });
});
