import { describe, expect, it } from 'vitest';
import type { Arm } from '../src/hive/chooser.ts';
import { fieldEstimate } from '../src/reasoning-bank/field-effects.ts';
import { type ArmStats, armKey } from '../src/reasoning-bank/pattern-store.ts';

/** An arm's stored figures: `uses` uses, `rate` of them successes, every one of quality `quality` taking `ms`. */
function stats(arm: Arm, uses: number, rate: number, ms = 30_000, quality = 0.8): ArmStats {
  const figures = { uses, successes: uses * rate, qualitySum: uses * quality, durationSum: uses * ms, durationSq: uses * ms * ms };
  return { arm, armKey: armKey(arm), ...figures, qualitySq: uses * quality * quality, discounted: figures, lastUsedAt: 0 };
}

const arm = (topology: string, queen: string): Arm => ({ topology, queen });

describe("fieldEstimate: what the class's other arms say of an arm", () => {
  // The bank's typical record: the good topology played often with one queen (it led), the other
  // queen tried mostly with the bad topology. The queen does nothing here; the topology does all.
  const played = [stats(arm('mesh', 'strategic'), 100, 0.9), stats(arm('ring', 'strategic'), 10, 0.3), stats(arm('ring', 'tactical'), 100, 0.3)];

  it('credits the topology, not the queen that happened to be played with it', () => {
    const est = fieldEstimate(arm('mesh', 'tactical'), played)!;
    // Averaged per value, the tactical queen's pool is all ring (30 %) and mesh's all strategic:
    // that estimate is 72 %. The fitted model sees the queen make no difference on ring.
    expect(est.success).toBeGreaterThan(0.87);
    expect(est.success).toBeLessThan(0.91);
    expect(est.evidence).toBe(100);
  });

  it("leaves the arm's own figures out: they are its evidence, not its prior", () => {
    const withOwn = [...played, stats(arm('mesh', 'tactical'), 50, 0)];
    expect(fieldEstimate(arm('mesh', 'tactical'), withOwn)).toStrictEqual(fieldEstimate(arm('mesh', 'tactical'), played));
  });

  it('fits time and quality the same way: a slow queen is told apart from a slow topology', () => {
    // Star takes twice as long as ring whatever the queen; the adaptive queen, worse by 0.3 in
    // quality whatever the topology, was tried on star only.
    const timed = [
      stats(arm('ring', 'strategic'), 80, 0.5, 20_000, 0.9),
      stats(arm('star', 'strategic'), 40, 0.5, 40_000, 0.9),
      stats(arm('star', 'adaptive'), 80, 0.5, 40_000, 0.6),
    ];
    const est = fieldEstimate(arm('ring', 'adaptive'), timed)!;
    // Averaged per value: 26.4 s and quality 0.72 (the adaptive queen's pool is all star, ring's all strategic).
    expect(est.durationMs).toBeGreaterThan(19_000);
    expect(est.durationMs).toBeLessThan(22_000);
    expect(est.quality).toBeGreaterThan(0.58);
    expect(est.quality).toBeLessThan(0.66);
  });

  it('shrinks an effect seen in a single use towards none', () => {
    const one = [stats(arm('mesh', 'strategic'), 40, 0.5), stats(arm('ring', 'strategic'), 1, 1)];
    const est = fieldEstimate(arm('ring', 'tactical'), [...one, stats(arm('mesh', 'tactical'), 40, 0.5)])!;
    // One success on ring: it would be ring's whole effect unshrunk (success near 1); shrunk, half of it.
    expect(est.success).toBeGreaterThan(0.55);
    expect(est.success).toBeLessThan(0.8);
  });

  it('says nothing when a field value of the arm was never used, or nothing else was', () => {
    expect(fieldEstimate(arm('star', 'tactical'), played)).toBeUndefined();
    expect(fieldEstimate(arm('mesh', 'tactical'), [])).toBeUndefined();
    expect(fieldEstimate(arm('mesh', 'tactical'), [stats(arm('mesh', 'tactical'), 5, 1)])).toBeUndefined();
  });
});
