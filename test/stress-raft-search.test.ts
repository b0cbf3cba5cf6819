import { describe, expect, it } from 'vitest';
import { drawRaftSearch, raftSearchShape } from '../src/stress/raft-search.ts';
import { drawScenario, faultsFor, runStress, type StressPlan } from '../src/stress/index.ts';

/**
 * The targeted Raft search of `conclave stress` (src/stress/raft-search.ts): which runs it takes,
 * that it draws only the fault kinds asked for, that the runs it leaves uniform draw what they
 * drew before it existed, and that it finds the planted truncation mutant on the seed the
 * campaign of issue 20 found it on, where the real node stays clean.
 */

const plan = (o: Partial<StressPlan> = {}): StressPlan => ({ protocol: 'raft', agents: 7, faults: faultsFor('raft', undefined), decisions: 100, ...o });
const mutant = (name: string) => `${process.cwd()}/test/fixtures/raft-mutants.ts#${name}`;

describe('the targeted Raft search', () => {
  it('takes about half the runs, and none without crashes', () => {
    const shapes = Array.from({ length: 400 }, (_, i) => raftSearchShape(i + 1, faultsFor('raft', undefined)));
    const count = (s: string) => shapes.filter((x) => x === s).length;
    expect(count('uniform')).toBeGreaterThan(120);
    expect(count('bare-majority')).toBeGreaterThan(60);
    expect(count('leader-churn')).toBeGreaterThan(30);
    expect(new Set(Array.from({ length: 100 }, (_, i) => raftSearchShape(i + 1, ['partition', 'delay'])))).toEqual(new Set(['uniform']));
  });

  it('draws only the kinds asked for', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const bare = drawRaftSearch('bare-majority', 7, ['crash'], seed).faults.join('\n');
      expect(bare).toMatch(/crash: /);
      expect(bare).not.toMatch(/network|duplicate|reorder|delay/);
      const churn = drawRaftSearch('leader-churn', 7, ['crash', 'delay'], seed).faults.join('\n');
      expect(churn).not.toMatch(/partition|drop_rate/);
    }
  });

  it('bare-majority takes f of 2f + 1 down together, then the leader just before they return', () => {
    const [crash] = drawRaftSearch('bare-majority', 7, ['crash'], 3).faults;
    const entries = [...crash.matchAll(/\{ target: (\w+), at: (\d+)ms, duration: (\d+)ms \}/g)].map((m) => ({
      target: m[1],
      at: Number(m[2]),
      duration: Number(m[3]),
    }));
    expect(entries.map((e) => e.target)).toEqual(['random', 'random', 'random', 'leader']);
    const back = entries[0].at + entries[0].duration;
    expect(back - entries[3].at).toBeGreaterThanOrEqual(0);
    expect(back - entries[3].at).toBeLessThanOrEqual(60);
  });

  it('a run it leaves uniform draws what the uniform search draws; --search uniform turns it off', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const targeted = drawScenario(plan({ search: 'targeted' }), seed);
      const uniform = drawScenario(plan({ search: 'uniform' }), seed);
      if (raftSearchShape(seed, plan().faults) === 'uniform') expect(targeted).toBe(uniform);
      else expect(targeted).toContain(`run seed ${seed} (${raftSearchShape(seed, plan().faults)})`);
    }
  });

  it('finds the truncating mutant on seed 1800 (a bare majority); the real node is clean on it', async () => {
    const found = await runStress(plan({ implementation: mutant('truncatingRaftNode') }), { runs: 1, seed: 1800, workers: 1 });
    expect(found.violations['leader-completeness']).toBe(1);
    expect(found.failing.map((f) => f.seed)).toEqual([1800]);
    const real = await runStress(plan(), { runs: 1, seed: 1800, workers: 1 });
    expect(real.failing).toEqual([]);
  });
});
