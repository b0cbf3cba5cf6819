import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STRESS_EXIT, stressCommand, type StressCommandOptions } from '../src/cli/stress-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 13: `--save` on the README's example wrote an empty folder, and stress exited 0 on a
 * stall within the bound. Now --save writes what it says (or nothing, and says so), and the exit
 * code tells safety (1) from liveness within the bound (3).
 */
const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'conclave-save-'));
  dirs.push(d);
  return join(d, 'out');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function stress(o: Partial<StressCommandOptions>): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await stressCommand({ protocol: 'pbft', agents: 4, runs: 3, seed: 1, decisions: 20, workers: 1, ...o }, (l) => lines.push(l));
  return { code, text: lines.join('\n').replace(/\x1b\[\d+m/g, '') };
}

const deaf = new URL('./fixtures/deaf-pbft.ts', import.meta.url).pathname;

describe('conclave stress --save', () => {
  it('the README example (--agents 4 --byzantine 2) writes each failing run and the shrunk one, and each replays to the same violation', async () => {
    const dir = fresh();
    const { code, text } = await stress({ byzantine: 2, runs: 5, save: dir });
    expect(code).toBe(STRESS_EXIT.safety);
    const files = readdirSync(dir).sort();
    const failing = files.filter((f) => /^stress-pbft-\d+\.yml$/.test(f));
    const shrunk = files.filter((f) => f.endsWith('.shrunk.yml'));
    expect(failing.length).toBeGreaterThan(0);
    expect(shrunk).toHaveLength(1);
    expect(files).toHaveLength(failing.length + 1);
    for (const f of failing) expect(text).toContain(`conclave run ${join(dir, f)}`);
    expect(text).toContain(`replay: conclave run ${join(dir, shrunk[0])}`);
    for (const f of [failing[0], shrunk[0]]) {
      const r = await runScenario(parseScenario(readFileSync(join(dir, f), 'utf8')), { mode: 'sim' });
      expect(
        r.safetyViolations.find((v) => v.property === 'agreement'),
        f,
      ).toMatchObject({ checker: 'pbft-safety' });
    }
  }, 120_000);

  it('with nothing to save, writes nothing, makes no folder, and says so', async () => {
    const dir = fresh();
    const { code, text } = await stress({ faults: 'crash,delay', save: dir });
    expect(code).toBe(STRESS_EXIT.ok);
    expect(existsSync(dir)).toBe(false);
    expect(text).toContain(`--save ${dir}: no run broke safety, failed or stalled within the bound; nothing written (the folder was not created)`);
  }, 60_000);
});

describe('conclave stress exit codes', () => {
  it('a stall within the bound (no liar, a delay that ended) exits 3 and is saved; --allow-liveness exits 0 and still reports it', async () => {
    const dir = fresh();
    const stalled = await stress({ runs: 2, faults: 'delay', decisions: 3, implementation: `${deaf}#deafPbftReplica`, save: dir });
    expect(stalled.code).toBe(STRESS_EXIT.liveness);
    expect(stalled.text).toContain('2 of them within the fault bound: a stall there is a bug (exit 3)');
    expect(stalled.text).toMatch(/Stalled within the bound[\s\S]*seed 1: 3 of 3 decisions not reached within 5000 ms/);
    expect(readdirSync(dir).sort()).toEqual(['stress-pbft-1.yml', 'stress-pbft-2.yml']);
    const allowed = await stress({ runs: 2, faults: 'delay', decisions: 3, implementation: `${deaf}#deafPbftReplica`, allowLiveness: true });
    expect(allowed.code).toBe(STRESS_EXIT.ok);
    expect(allowed.text).toContain('(allowed by --allow-liveness)');
  }, 120_000);

  it('the JSON report lists the stalled runs with what reproduces them', async () => {
    const { code, text } = await stress({ runs: 1, faults: 'delay', decisions: 2, implementation: `${deaf}#deafPbftReplica`, json: true });
    expect(code).toBe(STRESS_EXIT.liveness);
    const report = JSON.parse(text);
    expect(report.stalled).toHaveLength(1);
    expect(report.stalled[0]).toMatchObject({ seed: 1, detail: expect.stringMatching(/decisions not reached/) });
    expect(report.stalled[0].scenario).toContain('implementation:');
    expect(report.saved).toEqual([]);
  }, 60_000);

  it('a safety violation exits 1 even with --allow-liveness', async () => {
    const { code } = await stress({ byzantine: 2, runs: 3, shrink: false, allowLiveness: true });
    expect(code).toBe(STRESS_EXIT.safety);
  }, 60_000);
});
