import { describe, expect, it } from 'vitest';
import { runPbft } from './fixtures/pbft-run.ts';

describe('PBFT view change, checkpoints and state transfer', () => {
  for (const n of [4, 7]) {
    it(`n = ${n}: the primary crashes mid-run; a new view is installed, nothing committed is lost, every request completes`, async () => {
      const run = await runPbft({
        n,
        requests: 400,
        window: 8,
        props: { checkpointInterval: 16 },
        faults: (sim, replicas) => sim.at(40, () => sim.faults.crash(replicas[0])),
      });
      expect(run.summary).toMatchObject({ accepted: 400, gaveUp: false });
      expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
      const views = run.emitted('pbft-view');
      expect(views.length).toBeGreaterThanOrEqual(Math.floor((2 * n) / 3));
      expect(views.every((v) => v.event.view === 1 && v.event.primary === 'r1')).toBe(true);
      // Requests committed before the crash kept their numbers in view 1 (the new-view carried them).
      const committed = run.emitted('pbft-committed');
      const before = committed.filter((c) => c.event.view === 0 && c.actor !== 'r0');
      expect(before.length).toBeGreaterThan(0);
      for (const c of before) {
        const again = committed.find((d) => d.event.view === 1 && d.event.seq === c.event.seq);
        if (again) expect(again.event.digest).toBe(c.event.digest);
      }
    });
  }

  it('a primary that crashes and the next one too: view timers back off and view 2 takes over', async () => {
    const run = await runPbft({
      n: 7,
      requests: 200,
      window: 4,
      faults: (sim, replicas) => sim.at(30, () => (sim.faults.crash(replicas[0]), sim.faults.crash(replicas[1]))),
    });
    expect(run.summary.accepted).toBe(200);
    expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
    expect(run.emitted('pbft-view').some((v) => v.event.view === 2 && v.event.primary === 'r2')).toBe(true);
    const reasons = run.emitted('pbft-view-change').map((v) => String(v.event.reason));
    expect(reasons.some((r) => r.includes('no new view 1 in time'))).toBe(true);
  });

  it('a backup cut off for a while catches up by state transfer from a stable checkpoint', async () => {
    const run = await runPbft({
      n: 4,
      requests: 600,
      window: 8,
      props: { checkpointInterval: 8, logWindow: 32 },
      faults: (sim, replicas) => {
        sim.at(20, () => sim.faults.partition([[replicas[3]], [replicas[0], replicas[1], replicas[2], 'client']]));
        sim.at(200, () => sim.faults.heal());
      },
    });
    expect(run.summary.accepted).toBe(600);
    expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
    const transfers = run.emitted('pbft-state-transfer').filter((e) => e.actor === 'r3');
    expect(transfers.length).toBeGreaterThan(0);
    // After it, r3 executes what follows like everyone else.
    const after = run.emitted('pbft-executed').filter((e) => e.actor === 'r3' && e.t > transfers[0].t);
    expect(after.length).toBeGreaterThan(0);
  });
});

describe('PBFT beyond its bound: the checkers catch what the protocol cannot prevent', () => {
  // The two halves of the honest replicas (as split_brain splits them: alternate positions
  // among the honest) hear from each other slowly, so a lie is exposed only after it worked.
  const slowHonestLinks = (n: number, liars: number[]) => {
    const honest = Array.from({ length: n }, (_, i) => i)
      .filter((i) => !liars.includes(i))
      .map((i) => `r${i}`);
    const half = (id: string) => honest.indexOf(id) % 2;
    return {
      latency: { kind: 'uniform' as const, minMs: 1, maxMs: 3 },
      overrides: honest.flatMap((a) => honest.filter((b) => half(b) !== half(a)).map((b) => ({ from: a, to: b, latency: { kind: 'fixed' as const, ms: 40 } }))),
    };
  };

  it('f + 1 colluding replicas (n = 4: the primary and a backup) make honest replicas commit different batches: agreement violated', async () => {
    const run = await runPbft({
      n: 4,
      requests: 30,
      window: 4,
      deadlineMs: 5_000,
      link: slowHonestLinks(4, [0, 3]),
      byzantine: { at: [0, 3], kinds: ['split_brain'] },
    });
    const violations = run.monitor.finish();
    expect(violations.some((v) => v.property === 'agreement')).toBe(true);
    // The liars were exposed, too late: the evidence arrived after the honest replicas had committed.
    expect(new Set(run.monitor.detections.map((d) => d.suspect))).toContain('r0');
  });

  it('n = 7: three colluders (f + 1) break agreement; two (f) on the same slow network do not', async () => {
    const beyond = await runPbft({
      n: 7,
      requests: 30,
      window: 4,
      deadlineMs: 5_000,
      link: slowHonestLinks(7, [0, 5, 6]),
      byzantine: { at: [0, 5, 6], kinds: ['split_brain'] },
    });
    expect(beyond.monitor.finish().some((v) => v.property === 'agreement')).toBe(true);
    const within = await runPbft({ n: 7, requests: 30, window: 4, link: slowHonestLinks(7, [0, 6]), byzantine: { at: [0, 6], kinds: ['split_brain'] } });
    expect(within.monitor.finish({ expectLiveness: true })).toEqual([]);
    expect(within.summary.accepted).toBe(30);
  });
});
