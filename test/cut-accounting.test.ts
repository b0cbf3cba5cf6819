import { describe, expect, it } from 'vitest';
import { accountingImbalance } from '../src/index.ts';
import { aggregateCuts, lostWithWorker } from '../src/scheduler/threads/cut-accounting.ts';
import type { CounterCut } from '../src/scheduler/threads/host-counters.ts';

const cut = (c: Partial<CounterCut>): CounterCut => ({
  sent: 0,
  delivered: 0,
  dropped: 0,
  deadLettered: 0,
  queued: 0,
  relayed: 0,
  busy: false,
  controlSends: 0,
  deadLetteredBy: {},
  posted: [0, 0, 0],
  received: [0, 0, 0],
  ...c,
});

describe('accounting from worker cuts (pure)', () => {
  it('measures in flight as queued plus posted-but-not-received between live workers', () => {
    // w0 sent 10 to w1 (7 arrived: 5 delivered, 2 queued) and 1 to itself (delivered).
    const w0 = cut({ sent: 11, delivered: 1, posted: [0, 10, 0] });
    const w1 = cut({ delivered: 5, queued: 2, received: [7, 0, 0] });
    const w2 = cut({});
    const acc = aggregateCuts([w0, w1, w2].map((c) => ({ cut: c, crashed: false, lost: 0 })));
    expect(acc.inFlight).toBe(2 + 3);
    expect(accountingImbalance(acc)).toBe(0);
  });

  it('settles a crash: the dead worker queued, inbound and outbound losses are host-crashed, nothing stays in flight', () => {
    // w1 dies. It had received 7 of 10 from w0 (5 delivered, 2 queued) and posted 4 to w2,
    // of which w2 got 3 (the 4th was published as posted, never sent). w0 posted 2 more after
    // w1's last cut, before it learnt of the death.
    const w0 = cut({ sent: 12, posted: [0, 12, 0] });
    const w1 = cut({ sent: 4, delivered: 5, queued: 2, received: [7, 0, 0], posted: [0, 0, 4] });
    const w2 = cut({ delivered: 3, received: [0, 3, 0] });
    const lost = lostWithWorker(1, w1, [
      { index: 0, cut: w0 },
      { index: 2, cut: w2 },
    ]);
    expect(lost).toBe(2 + (12 - 7) + (4 - 3));
    const acc = aggregateCuts([
      { cut: w0, crashed: false, lost: 0 },
      { cut: w1, crashed: true, lost },
      { cut: w2, crashed: false, lost: 0 },
    ]);
    expect(acc.inFlight).toBe(0);
    expect(acc.deadLetteredBy['host-crashed']).toBe(8);
    expect(accountingImbalance(acc)).toBe(0);
  });

  it('catches an envelope that vanished: a send counted nowhere else unbalances the books', () => {
    const w0 = cut({ sent: 11, delivered: 1, posted: [0, 9, 0] }); // one envelope neither posted nor queued
    const w1 = cut({ delivered: 9, received: [9, 0, 0] });
    const acc = aggregateCuts([w0, w1, cut({})].map((c) => ({ cut: c, crashed: false, lost: 0 })));
    expect(accountingImbalance(acc)).toBe(1);
  });
});
