import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { stressCommand } from '../src/cli/stress-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runStress, shrinkScenario } from '../src/stress/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

// The CLI test below adds a failing run to what a real campaign found: no campaign plan finds
// a safety violation cheaply today (PBFT's split-brain needs slow links between the honest
// halves, which the stress schedules do not draw).
vi.mock('../src/stress/stress.ts', async (actual) => {
  const real = await actual<typeof import('../src/stress/stress.ts')>();
  return { ...real, runStress: vi.fn(real.runStress) };
});

const noisy = readFileSync(new URL('./fixtures/scenarios/pbft-split-brain-noisy.yml', import.meta.url), 'utf8');

/** Fault entries of a scenario: each list entry, and each kind that is not a list. */
const faultEntries = (yaml: string): number => Object.values((parse(yaml) as { faults?: Record<string, unknown> }).faults ?? {}).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);

describe('shrinking a failing stress run', () => {
  it('drops what the failure does not need: the shrunk scenario still breaks the same property, with fewer faults and decisions', async () => {
    const r = await shrinkScenario(noisy, { fileName: 'split-brain.shrunk.yml' });
    expect(r).toMatchObject({ failing: true, property: 'agreement', seed: 7, stopped: 'minimal' });
    const shrunk = parse(r.shrunk) as { seed: number; task: { decisions: number }; faults: Record<string, unknown> };
    // The irrelevant faults are gone; the colluders and the slow links they need are kept.
    expect(Object.keys(shrunk.faults).sort()).toEqual(['byzantine', 'network']);
    expect(faultEntries(r.shrunk)).toBeLessThan(faultEntries(noisy));
    expect(shrunk.task.decisions).toBeLessThan(30);
    expect(r.size.before).toMatchObject({ faultEntries: 5, decisions: 30 });
    expect(r.size.after.faultEntries).toBe(faultEntries(r.shrunk));
    expect(shrunk.seed).toBe(7);
    expect(r.steps.filter((s) => s.kept).map((s) => s.change)).toEqual(expect.arrayContaining(['drop faults.crash', 'drop faults.partition']));
    expect(r.steps.find((s) => s.change === 'drop faults.byzantine')).toMatchObject({ kept: false, reason: 'no violation' });
    expect(r.attempts).toBe(r.steps.length);
    // Replayable as it is printed, and it says how.
    expect(r.shrunk).toMatch(/^# Shrunk from "pbft-split-brain-noisy" \(seed 7\): still a safety violation of agreement/);
    expect(r.shrunk).toContain('# Replay: conclave run split-brain.shrunk.yml');
    expect(r.shrunk).toContain('# split_brain splits the honest replicas'); // the file's own comments stay
    const again = await runScenario(parseScenario(r.shrunk), { seed: 7, mode: 'sim' });
    expect(again.safetyViolations.map((v) => v.property)).toContain('agreement');
  });

  it('is deterministic: the same input shrinks to the same output, step for step', async () => {
    const a = await shrinkScenario(noisy, { maxAttempts: 16 });
    const b = await shrinkScenario(noisy, { maxAttempts: 16 });
    expect({ ...b, ms: 0 }).toEqual({ ...a, ms: 0 });
    expect(a.steps.some((s) => s.kept)).toBe(true);
  });

  it('a passing scenario is reported as not failing, and nothing is shrunk', async () => {
    const passing = noisy.replace(/ {2}network:\n(?: {4}- .*\n)+/, '');
    expect(passing).not.toContain('network');
    const r = await shrinkScenario(passing);
    expect(r).toMatchObject({ failing: false, property: null, attempts: 0, steps: [], stopped: 'not-failing', shrunk: passing });
    // A violation of another property is another bug: asked for one the run does not break, there is nothing to shrink.
    expect(await shrinkScenario(noisy, { property: 'election_safety' })).toMatchObject({ failing: false, property: null, attempts: 0 });
  });

  it('honours the attempt bound, reporting each attempt as it goes; bad bounds are refused', async () => {
    const seen: { attempt: number; decisions: number }[] = [];
    const r = await shrinkScenario(noisy, { maxAttempts: 4, onProgress: (p) => seen.push({ attempt: p.attempt, decisions: p.size.decisions }) });
    expect(r).toMatchObject({ attempts: 4, stopped: 'max-attempts', failing: true });
    expect(r.shrunk).toContain('tried changes kept (max-attempts)');
    expect(r.steps).toHaveLength(4);
    expect(seen.map((p) => p.attempt)).toEqual([1, 2, 3, 4]);
    // What it kept so far still fails the same way.
    const again = await runScenario(parseScenario(r.shrunk), { seed: 7, mode: 'sim' });
    expect(again.safetyViolations.map((v) => v.property)).toContain('agreement');
    await expect(shrinkScenario(noisy, { maxAttempts: -1 })).rejects.toThrow(/maxAttempts.*an integer >= 0/);
    await expect(shrinkScenario(noisy, { timeBudgetMs: 0 })).rejects.toThrow(/timeBudgetMs/);
  });

  it('conclave stress shrinks the first run that broke safety, prints it and saves it beside the run; --no-shrink skips it', async () => {
    const real = vi.mocked(runStress).getMockImplementation()!;
    vi.mocked(runStress).mockImplementation(async (plan, o) => ({
      ...(await real(plan, o)),
      failing: [{ seed: 7, violations: [{ property: 'agreement', detail: 'seq 1: node_003 and node_002 committed different batches' }], scenario: noisy }],
    }));
    const dir = mkdtempSync(join(tmpdir(), 'conclave-shrink-'));
    try {
      const lines: string[] = [];
      const progress: string[] = [];
      const code = await stressCommand({ protocol: 'pbft', agents: 4, runs: 1, seed: 1, decisions: 5, workers: 1, save: dir }, (l) => lines.push(l), { write: (s) => progress.push(s) });
      expect(code).toBe(1);
      const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
      const file = join(dir, 'stress-pbft-7.shrunk.yml');
      expect(text).toMatch(/Shrunk[\s\S]*seed 7: agreement still violated · fault entries 5 -> 3 · decisions 30 -> \d+ · agents 4 -> 4/);
      expect(text).toContain(`replay: conclave run ${file}`);
      expect(progress.join('')).toMatch(/shrinking seed 7: attempt \d+ kept drop faults\.crash/);
      const saved = readFileSync(file, 'utf8');
      expect(saved).toContain(`# Replay: conclave run ${file}`);
      expect(Object.keys((parse(saved) as { faults: object }).faults)).toEqual(['byzantine', 'network']);
      expect(existsSync(join(dir, 'stress-pbft-7.yml'))).toBe(true); // the run itself, as before
      rmSync(file);
      lines.length = 0;
      await stressCommand({ protocol: 'pbft', agents: 4, runs: 1, seed: 1, decisions: 5, workers: 1, save: dir, shrink: false }, (l) => lines.push(l));
      expect(lines.join('\n')).not.toContain('Shrunk');
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      vi.mocked(runStress).mockRestore();
    }
  });
});
