import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PBFT_BYZANTINE_KINDS, type PbftByzantineKind } from '../src/adversary/byzantine-replica.ts';
import { runPbft } from './fixtures/pbft-run.ts';

/**
 * A fault schedule: who lies and how, who crashes when, what the network does. `within`
 * schedules keep every fault inside PBFT's bound (liars plus crashed replicas at most f, no
 * partition of the honest ones): safety and liveness must both hold. The others add partitions
 * that cut honest replicas off for a while (so, for a time, more than f replicas are out of
 * reach): safety must still hold; liveness is not owed.
 */
interface Schedule {
  readonly n: number;
  readonly seed: number;
  readonly liars: number[];
  readonly kinds: PbftByzantineKind[];
  readonly crashes: { replica: number; atMs: number }[];
  readonly partition: { atMs: number; forMs: number; cut: number; rotate: number } | null;
  readonly maxLatencyMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly fifo: boolean;
  readonly window: number;
}

const schedule = (n: number, within: boolean): fc.Arbitrary<Schedule> => {
  const f = Math.floor((n - 1) / 3);
  return fc
    .record({
      faulty: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: 0, maxLength: f },
      ),
      split: fc.integer({ min: 0, max: f }),
      kinds: fc.shuffledSubarray([...PBFT_BYZANTINE_KINDS], { minLength: 1, maxLength: 3 }),
      crashAt: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: f, maxLength: f }),
      partition: within
        ? fc.constant(null)
        : fc.record({
            atMs: fc.integer({ min: 0, max: 300 }),
            forMs: fc.integer({ min: 50, max: 800 }),
            cut: fc.integer({ min: 1, max: n - 1 }),
            rotate: fc.integer({ min: 0, max: n - 1 }),
          }),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      maxLatencyMs: fc.constantFrom(2, 5, 20),
      dropRate: fc.constantFrom(0, 0, 0.01),
      duplicateRate: fc.constantFrom(0, 0.05),
      fifo: fc.boolean(),
      window: fc.constantFrom(1, 4, 16),
    })
    .map((r) => {
      // The faulty replicas: the first `split` lie, the rest crash (at most f in all).
      const liars = r.faulty.slice(0, Math.min(r.split, r.faulty.length));
      const crashes = r.faulty.slice(liars.length).map((replica, i) => ({ replica, atMs: r.crashAt[i] }));
      return {
        n,
        seed: r.seed,
        liars,
        kinds: r.kinds,
        crashes,
        partition: r.partition,
        maxLatencyMs: r.maxLatencyMs,
        dropRate: r.dropRate,
        duplicateRate: r.duplicateRate,
        fifo: r.fifo,
        window: r.window,
      };
    });
};

async function check(s: Schedule, within: boolean): Promise<void> {
  const run = await runPbft({
    n: s.n,
    seed: s.seed,
    requests: 40,
    window: s.window,
    deadlineMs: within ? 60_000 : 20_000,
    link: { latency: { kind: 'uniform', minMs: 1, maxMs: s.maxLatencyMs }, dropRate: s.dropRate, duplicateRate: s.duplicateRate, fifo: s.fifo },
    byzantine: s.liars.length > 0 ? { at: s.liars, kinds: s.kinds } : undefined,
    faults: (sim, replicas) => {
      for (const c of s.crashes) sim.at(c.atMs, () => sim.faults.crash(replicas[c.replica]));
      const p = s.partition;
      if (p) {
        const order = [...replicas.slice(p.rotate), ...replicas.slice(0, p.rotate)];
        sim.at(p.atMs, () => sim.faults.partition([order.slice(0, p.cut), [...order.slice(p.cut), 'client']]));
        sim.at(p.atMs + p.forMs, () => sim.faults.heal());
      }
    },
  });
  const violations = run.monitor.finish({ expectLiveness: within });
  expect(violations, JSON.stringify(s)).toEqual([]);
  if (within) expect(run.summary.accepted, JSON.stringify(s)).toBe(40);
  // Only liars are ever accused.
  for (const d of run.monitor.detections) expect(run.liars).toContain(d.suspect);
}

// CI: 200 schedules in all, seed 42. PBFT_SCHEDULES (per group) and PBFT_SEED explore further.
const numRuns = Number(process.env.PBFT_SCHEDULES ?? 50);
const seed = Number(process.env.PBFT_SEED ?? 42);

describe('PBFT under random fault schedules (fast-check, seeded)', () => {
  for (const n of [4, 7]) {
    it(`n = ${n}, faults within the bound (liars and crashes <= f, loss, duplicates, reordering): safe and every request completes`, async () => {
      await fc.assert(
        fc.asyncProperty(schedule(n, true), (s) => check(s, true)),
        { numRuns, seed },
      );
    }, 120_000);
    it(`n = ${n}, plus partitions that cut honest replicas off for a while: still safe`, async () => {
      await fc.assert(
        fc.asyncProperty(schedule(n, false), (s) => check(s, false)),
        { numRuns, seed },
      );
    }, 120_000);
  }
});
