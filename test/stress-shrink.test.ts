import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stressCommand } from '../src/cli/stress-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { shrinkScenario } from '../src/stress/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const noisy = readFileSync(new URL('./fixtures/scenarios/pbft-split-brain-noisy.yml', import.meta.url), 'utf8');

/** Fault entries of a scenario: each list entry, and each kind that is not a list. */
const faultEntries = (yaml: string): number =>
  Object.values((parse(yaml) as { faults?: Record<string, unknown> }).faults ?? {}).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);

/** A real failing campaign: PBFT sized for f = 0 (test/fixtures/broken-pbft.ts) against an equivocating primary. */
const broken = {
  protocol: 'pbft',
  agents: 4,
  faults: 'equivocate,delay',
  runs: 3,
  seed: 3,
  decisions: 20,
  workers: 1,
  implementation: 'test/fixtures/broken-pbft.ts#brokenPbftReplica',
};

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
    const dir = mkdtempSync(join(tmpdir(), 'conclave-shrink-'));
    try {
      const lines: string[] = [];
      const progress: string[] = [];
      const code = await stressCommand({ ...broken, save: dir }, (l) => lines.push(l), { write: (s) => progress.push(s) });
      expect(code).toBe(1);
      const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
      const [, seedText, property, before, after] =
        /Shrunk[\s\S]*seed (\d+): ([\w-]+) still violated · fault entries \d+ -> \d+ · decisions (\d+) -> (\d+)/.exec(text)!;
      const seed = Number(seedText);
      expect(Number(after)).toBeLessThan(Number(before));
      const file = join(dir, `stress-pbft-${seed}.shrunk.yml`);
      expect(text).toContain(`replay: conclave run ${file}`);
      const saved = readFileSync(file, 'utf8');
      expect(saved).toContain(`# Replay: conclave run ${file}`);
      expect(progress.join('')).toMatch(new RegExp(`shrinking seed ${seed}: attempt \\d+ kept`));
      // The saved file fails the same way when run again.
      const again = await runScenario(parseScenario(saved), { seed, mode: 'sim' });
      expect(again.safetyViolations.map((v) => v.property)).toContain(property);
      expect(existsSync(join(dir, `stress-pbft-${seed}.yml`))).toBe(true); // the run itself, as before
      rmSync(file);
      lines.length = 0;
      await stressCommand({ ...broken, save: dir, shrink: false }, (l) => lines.push(l));
      const plain = lines.join('\n').replace(/\x1b\[\d+m/g, '');
      expect(plain).toContain(
        `replay: conclave replay --protocol pbft --agents 4 --faults equivocate,delay --implementation test/fixtures/broken-pbft.ts#brokenPbftReplica --decisions 20 --seed ${seed}`,
      );
      expect(plain).not.toContain('Shrunk');
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--shrink-attempts bounds the shrink and the summary says it is not minimal yet; with room it says minimal; beside --no-shrink it is refused', async () => {
    const summary = async (o: { shrinkAttempts?: number; shrinkSeconds?: number }) => {
      const lines: string[] = [];
      expect(await stressCommand({ ...broken, ...o }, (l) => lines.push(l))).toBe(1);
      return /(\d+) attempts in [\d.]+ s \(([^)]*)\)/.exec(lines.join('\n').replace(/\x1b\[\d+m/g, ''))!.slice(1);
    };
    expect(await summary({ shrinkAttempts: 2 })).toEqual(['2', 'not minimal yet: --shrink-attempts N tries more']);
    const [attempts, why] = await summary({ shrinkAttempts: 5000, shrinkSeconds: 600 });
    expect(why).toBe('minimal: no single change keeps the violation');
    expect(Number(attempts)).toBeGreaterThan(2);
    await expect(stressCommand({ ...broken, shrink: false, shrinkAttempts: 10 }, () => undefined)).rejects.toThrow(
      /"--shrink-attempts": expected no --no-shrink beside it/,
    );
  }, 240_000);
});
