import { describe, expect, it } from 'vitest';
import { stressCommand } from '../src/cli/stress-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { drawScenario, runStress, type StressPlan } from '../src/stress/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const plan: StressPlan = { protocol: 'pbft', agents: 4, faults: ['crash', 'partition', 'byzantine'], decisions: 30 };

describe('conclave stress', () => {
  it("draws each run's fault schedule from its seed: the same seed, the same scenario; others differ", () => {
    const a = drawScenario(plan, 5);
    expect(drawScenario(plan, 5)).toBe(a);
    const all = new Set(Array.from({ length: 20 }, (_, i) => drawScenario(plan, i)));
    expect(all.size).toBe(20);
    // Over 20 seeds every fault kind shows up, and every scenario is valid.
    const text = [...all].join('\n');
    for (const kind of ['byzantine:', 'crash:', 'partition:']) expect(text).toContain(kind);
    for (const s of all) expect(() => parseScenario(s)).not.toThrow();
  });

  it('runs in parallel on a piscina pool with exactly the results of a serial run of the same seeds', async () => {
    // All on the pool (2 threads), then this thread and a pool thread taking seeds as they free up.
    const parallel = await runStress(plan, { runs: 8, seed: 11, workers: 2, mainThread: false });
    const shared = await runStress(plan, { runs: 8, seed: 11, workers: 2 });
    const serial = await runStress(plan, { runs: 8, seed: 11, workers: 1 });
    expect(parallel.workers).toBe(2);
    expect(parallel.traceHashes).toEqual(serial.traceHashes);
    expect(shared.traceHashes).toEqual(serial.traceHashes);
    expect(parallel.traceHashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect({ ...parallel, workers: 0, wallMs: 0, slowest: 0 }).toEqual({ ...serial, workers: 0, wallMs: 0, slowest: 0 });
    expect(serial.decisions).toEqual({ attempted: 240, decided: 240 });
    expect(serial.failing).toEqual([]);
  }, 60_000);

  it('a run replays exactly from its seed: the scenario it drew, run again, gives the same trace', async () => {
    const [hash] = (await runStress(plan, { runs: 1, seed: 23, workers: 1 })).traceHashes;
    const again = await runScenario(parseScenario(drawScenario(plan, 23)), { seed: 23, mode: 'sim' });
    expect(again.traceHash).toBe(hash);
  });

  it('beyond the bound the runs stop finishing, and the report says which', async () => {
    // Silent liars beyond the bound stall PBFT without breaking it (colluders break it: test/pbft-colluders.test.ts).
    const lines: string[] = [];
    const code = await stressCommand(
      { protocol: 'pbft', agents: 4, byzantine: 2, faults: 'silent,crash,partition', runs: 10, seed: 1, decisions: 20, workers: 1 },
      (l) => lines.push(l),
    );
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(text).toMatch(/runs +10 in/);
    expect(text).toMatch(/liveness +\d+ runs did not finish \(seeds /);
    expect(text).toMatch(/none within the fault bound · \d+ with more liars than the protocol tolerates/);
    expect(code).toBe(0); // no safety violation, and stalls beyond the bound are the price of too many liars
  }, 60_000);

  it('the report names the checker of each violation, the runs left unfinished after the faults, and the slowest recovery', async () => {
    const ok = await runStress({ protocol: 'raft', agents: 5, faults: ['crash'], decisions: 60 }, { runs: 12, seed: 1, workers: 1 });
    expect(ok.slowestRecovery).not.toBeNull();
    expect(ok.slowestRecovery!.ms).toBeGreaterThan(0);
    expect(ok.byChecker).toEqual({});
    expect(ok.notTerminated).toEqual([]);
    const broken = await runStress(
      {
        protocol: 'raft',
        agents: 5,
        faults: ['partition', 'pause', 'drop'],
        decisions: 100,
        implementation: `${process.cwd()}/test/fixtures/broken-raft.ts#brokenRaftNode`,
      },
      { runs: 12, seed: 1, workers: 1 },
    );
    expect(Object.keys(broken.byChecker)).toEqual(['raft-safety']);
    expect(Object.values(broken.byChecker)[0]).toBe(Object.values(broken.violations).reduce((a, b) => a + b, 0));
    for (const f of broken.failing) expect(f.violations.every((v) => v.checker === 'raft-safety' && typeof v.at === 'number')).toBe(true);
  }, 60_000);

  it('threads mode runs each run on real worker threads, one at a time, drawing from the whole fault library', async () => {
    const lines: string[] = [];
    const code = await stressCommand({ protocol: 'pbft', agents: 4, runs: 2, seed: 3, decisions: 10, mode: 'threads', json: true }, (l) => lines.push(l));
    const report = JSON.parse(lines.join('\n'));
    expect(code).toBe(0);
    expect(report.plan).toMatchObject({ mode: 'threads' });
    expect(report.plan.faults).toEqual(expect.arrayContaining(['crash', 'partition', 'byzantine']));
    expect(report.workers).toBe(1);
    expect(report.decisions).toEqual({ attempted: 20, decided: 20 });
    const crashes: string[] = [];
    expect(
      await stressCommand({ protocol: 'raft', agents: 3, runs: 1, seed: 1, decisions: 20, mode: 'threads', faults: 'crash', json: true }, (l) =>
        crashes.push(l),
      ),
    ).toBe(0);
    expect(JSON.parse(crashes.join('\n')).plan.faults).toEqual(['crash']);
  }, 120_000);

  it('bad options are refused with the option and what would do', async () => {
    const run = (o: Partial<Parameters<typeof stressCommand>[0]>) =>
      stressCommand({ protocol: 'pbft', agents: 4, runs: 1, seed: 1, decisions: 5, workers: 1, ...o }, () => undefined);
    await expect(run({ protocol: 'raft', faults: 'crash,partiton' })).rejects.toThrow(
      /--faults\[1\].*partition \(did you mean it\?\).*crash, partition, delay/,
    );
    await expect(run({ byzantine: 1, failureRate: 0.2 })).rejects.toThrow(/--failure-rate.*not both/);
    await expect(run({ byzantine: 4 })).rejects.toThrow(/fewer than --agents/);
    await expect(run({ protocol: 'majority_rules' })).rejects.toThrow(/--protocol/);
    await expect(run({ protocol: 'Raft' })).rejects.toThrow(/--protocol.*raft \(did you mean it\?\).*byzantine_tolerant, pbft/);
    await expect(run({ protocol: 'gossip' })).rejects.toThrow(/gossip is not stressed yet/);
  });
});
