import { describe, expect, it } from 'vitest';
import { GossipAgreementMonitor } from '../src/check/gossip-agreement.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The gossip-agreement checker's rules on hand-built traces, one rule a case (issue 20: the
 * file had no mutation score; each case pins what a mutant of it would break).
 */
const emit = (actor: string, type: string, decision: unknown, value: unknown): TraceEvent => ({ t: 0, type: 'emit', actor, event: { type, decision, value } });
const check = (events: TraceEvent[]) => {
  const m = new GossipAgreementMonitor();
  events.forEach((e, i) => m.observe(e, i));
  return m.finish();
};

describe('gossip-agreement checker', () => {
  it('a run where every node started, settled last on the largest value, and it was decided once, is clean', () => {
    expect(
      check([
        emit('a', 'gossip-init', 'd', 3),
        emit('b', 'gossip-init', 'd', 7),
        emit('a', 'gossip-settled', 'd', 3), // settled early, on less (cut off) ...
        emit('a', 'gossip-settled', 'd', 7), // ... and caught up
        emit('b', 'gossip-settled', 'd', 7),
        emit('client', 'gossip-decided', 'd', 7),
        emit('client', 'gossip-decided', 'd', 7), // the same value again is no disagreement
      ]),
    ).toEqual([]);
  });

  it('decided twice with two values: agreement, at the second, naming both', () => {
    expect(check([emit('a', 'gossip-init', 'd', 5), emit('c', 'gossip-decided', 'd', 5), emit('c', 'gossip-decided', 'd', 4)])).toEqual([
      { property: 'agreement', detail: 'd decided twice: 5, then 4', at: 2, positions: [1, 2], decision: 'd' },
    ]);
  });

  it("a node's last settle differs from the decision: agreement, at the later of the two, positions in order", () => {
    const settledAfter = check([emit('a', 'gossip-init', 'd', 5), emit('c', 'gossip-decided', 'd', 5), emit('a', 'gossip-settled', 'd', 4)]);
    expect(settledAfter).toEqual([{ property: 'agreement', detail: 'd was decided 5, but a last settled on 4', at: 2, positions: [1, 2], decision: 'd' }]);
    const settledBefore = check([emit('a', 'gossip-init', 'd', 5), emit('a', 'gossip-settled', 'd', 4), emit('c', 'gossip-decided', 'd', 5)]);
    expect(settledBefore).toEqual([{ property: 'agreement', detail: 'd was decided 5, but a last settled on 4', at: 2, positions: [1, 2], decision: 'd' }]);
  });

  it('decided with no node having started it: validity', () => {
    expect(check([emit('c', 'gossip-decided', 'd', 5)])).toEqual([
      { property: 'validity', detail: 'd was decided 5, but no node started it (no gossip-init)', at: 0, positions: [0], decision: 'd' },
    ]);
  });

  it('decided other than the largest initial value: validity, naming the node that started with it (the first, on a tie)', () => {
    expect(
      check([emit('a', 'gossip-init', 'd', 9), emit('b', 'gossip-init', 'd', 2), emit('e', 'gossip-init', 'd', 9), emit('c', 'gossip-decided', 'd', 2)]),
    ).toEqual([
      { property: 'validity', detail: 'd was decided 2, but the largest value a node started with is 9 (a)', at: 3, positions: [0, 3], decision: 'd' },
    ]);
    // A node that started after the decision: positions still in trace order.
    expect(check([emit('b', 'gossip-init', 'd', 2), emit('c', 'gossip-decided', 'd', 2), emit('a', 'gossip-init', 'd', 9)])[0].positions).toEqual([1, 2]);
    // A later, smaller init does not displace the largest.
    expect(check([emit('b', 'gossip-init', 'd', 2), emit('a', 'gossip-init', 'd', 9), emit('c', 'gossip-decided', 'd', 2)])[0].detail).toBe(
      'd was decided 2, but the largest value a node started with is 9 (a)',
    );
  });

  it('findings come out in trace order, across instances and kinds', () => {
    const found = check([
      emit('c', 'gossip-decided', 'x', 1), // 0: validity (no init)
      emit('a', 'gossip-init', 'y', 1),
      emit('c', 'gossip-decided', 'y', 1),
      emit('c', 'gossip-decided', 'y', 2), // 3: agreement (twice)
      emit('a', 'gossip-settled', 'y', 5), // 4: agreement (last settle)
    ]);
    expect(found.map((f) => [f.at, f.property, f.decision])).toEqual([
      [0, 'validity', 'x'],
      [3, 'agreement', 'y'],
      [4, 'agreement', 'y'],
    ]);
  });

  it('ignores instances never decided, other events, and events without a string decision and a number value', () => {
    expect(
      check([
        emit('a', 'gossip-init', 'open', 1),
        emit('a', 'gossip-settled', 'open', 2),
        emit('a', 'gossip-init', 'd', 5),
        emit('c', 'gossip-decided', 'd', 5),
        emit('c', 'gossip-decided', 7, 4),
        emit('c', 'gossip-decided', 'd', '4'),
        emit('a', 'gossip-settled', 'd', '4'),
        emit('a', 'other', 'd', 4),
        { t: 0, type: 'spawn', actor: 'a', behaviour: 'x', host: 0 } as TraceEvent,
      ]),
    ).toEqual([]);
  });
});
