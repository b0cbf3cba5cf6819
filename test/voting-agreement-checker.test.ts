import { describe, expect, it } from 'vitest';
import { checkVotingSafety, VotingSafetyMonitor } from '../src/check/voting-agreement.ts';
import type { TraceEvent } from '../src/index.ts';

// The voting safety checker fed hand-built traces: each case is the smallest trace that shows
// one rule, so deleting or bending that rule in the checker makes exactly this case fail.
let clock = 0;
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: clock++, type: 'emit', actor, event });
const proposal = (decision: unknown, options: unknown, actor = 'coord') => emit(actor, { type: 'proposal', decision, options });
const decided = (decision: unknown, value: unknown, actor = 'coord') => emit(actor, { type: 'decided', decision, value });

describe('checkVotingSafety: agreement', () => {
  it('one decision decided twice with one value is fine; with two values it is an agreement violation naming both deciders', () => {
    expect(checkVotingSafety([proposal('d1', ['A', 'B']), decided('d1', 'A', 'c1'), decided('d1', 'A', 'c2')])).toEqual([]);
    expect(checkVotingSafety([proposal('d1', ['A', 'B']), decided('d1', 'A', 'c1'), decided('d1', 'B', 'c2')])).toEqual([
      { property: 'agreement', decision: 'd1', detail: '"c1" decided "A" but "c2" decided "B"' },
    ]);
  });

  it('decisions are kept apart: d1 = A and d2 = B is no violation', () => {
    expect(checkVotingSafety([decided('d1', 'A'), decided('d2', 'B')])).toEqual([]);
  });

  it('the first value decided is the reference: A, B, A gives one violation (the B), not two', () => {
    const v = checkVotingSafety([decided('d1', 'A', 'c1'), decided('d1', 'B', 'c2'), decided('d1', 'A', 'c3')]);
    expect(v.map((x) => x.detail)).toEqual(['"c1" decided "A" but "c2" decided "B"']);
  });
});

describe('checkVotingSafety: validity', () => {
  it("a decided value outside the proposal's options is a validity violation listing the options", () => {
    expect(checkVotingSafety([proposal('d1', ['A', 'B']), decided('d1', 'C', 'c1')])).toEqual([
      { property: 'validity', decision: 'd1', detail: '"c1" decided "C", which is not an option (A, B)' },
    ]);
  });

  it('without a proposal in the trace the value cannot be judged: no validity violation', () => {
    expect(checkVotingSafety([decided('d1', 'C')])).toEqual([]);
  });

  it('only a `proposal` event sets the options: another event carrying options does not', () => {
    expect(checkVotingSafety([emit('coord', { type: 'tally', decision: 'd1', options: ['X'] }), decided('d1', 'A')])).toEqual([]);
  });

  it('a proposal without an options array sets nothing (a later decision is not judged against it)', () => {
    expect(checkVotingSafety([proposal('d1', 'A,B'), decided('d1', 'C')])).toEqual([]);
  });

  it('a later proposal for the same decision replaces its options', () => {
    expect(checkVotingSafety([proposal('d1', ['A']), proposal('d1', ['B']), decided('d1', 'B')])).toEqual([]);
  });
});

describe('checkVotingSafety: what it does not read', () => {
  it('only `decided` events with a string value count as decisions', () => {
    // A vote naming another value, a decided event without a value, a decision id that is not a string.
    const events = [
      proposal('d1', ['A', 'B']),
      decided('d1', 'A'),
      emit('v1', { type: 'vote', decision: 'd1', value: 'B' }),
      emit('coord', { type: 'decided', decision: 'd1' }),
      emit('coord', { type: 'decided', decision: 'd1', value: 7 }),
      decided(1, 'Z'),
      proposal(2, ['A']),
    ];
    expect(checkVotingSafety(events)).toEqual([]);
  });

  it('a decision id that is not a string is no decision: two values for it are no violation', () => {
    expect(checkVotingSafety([decided(1, 'A'), decided(1, 'B'), proposal(2, ['A']), decided(2, 'C')])).toEqual([]);
  });

  it('a decided event with no string value is not a decision: it neither sets nor breaks agreement', () => {
    // If the null value were taken as a decision, "A" afterwards would disagree with it.
    expect(checkVotingSafety([emit('coord', { type: 'decided', decision: 'd1', value: null }), decided('d1', 'A')])).toEqual([]);
  });

  it('events other than `emit` are ignored, even with the same shape', () => {
    const failure = {
      t: clock++,
      type: 'failure',
      actor: 'coord',
      directive: 'resume',
      error: 'x',
      event: { type: 'decided', decision: 'd1', value: 'B' },
    } as unknown as TraceEvent;
    expect(checkVotingSafety([decided('d1', 'A'), failure])).toEqual([]);
  });
});

describe('VotingSafetyMonitor: positions of the events that prove a violation', () => {
  it('agreement: the first decision and the conflicting one', () => {
    const m = new VotingSafetyMonitor();
    [proposal('d1', ['A', 'B']), decided('d1', 'A'), decided('d1', 'B')].forEach((e, i) => m.observe(e, 10 + i));
    expect(m.violations).toEqual([
      { property: 'agreement', decision: 'd1', detail: '"coord" decided "A" but "coord" decided "B"', at: 12, positions: [11, 12] },
    ]);
  });

  it('validity: the proposal and the decision', () => {
    const m = new VotingSafetyMonitor();
    m.observe(proposal('d1', ['A']), 3);
    m.observe(decided('d1', 'B'), 9);
    expect(m.violations).toEqual([
      { property: 'validity', decision: 'd1', detail: '"coord" decided "B", which is not an option (A)', at: 9, positions: [3, 9] },
    ]);
  });

  it("an earlier event without a position: only the decision's own position", () => {
    const m = new VotingSafetyMonitor();
    m.observe(proposal('d1', ['A']));
    m.observe(decided('d1', 'B'), 4);
    expect(m.violations).toEqual([{ property: 'validity', decision: 'd1', detail: '"coord" decided "B", which is not an option (A)', at: 4, positions: [4] }]);
  });

  it('without positions, none are invented', () => {
    const m = new VotingSafetyMonitor();
    m.observe(decided('d1', 'A'));
    m.observe(decided('d1', 'B'));
    expect(m.violations[0]).toEqual({ property: 'agreement', decision: 'd1', detail: '"coord" decided "A" but "coord" decided "B"' });
    expect('at' in m.violations[0]).toBe(false);
  });
});

describe('VotingSafetyMonitor keeps every decision, compactly, and judges every kind of id alike', () => {
  it('numbered ids (columns), ids past the columns, stage names and odd spellings: the same rules, with positions', () => {
    for (const id of ['d7', 'd4096', 'd16777217', 'design', 'd0', 'd01', 'D7']) {
      const m = new VotingSafetyMonitor();
      // Options as a fresh array per event (a trace read back from a file) and as one shared array.
      m.observe(proposal(id, ['A', 'B']), 0);
      m.observe(decided(id, 'A', 'c1'), 1);
      m.observe(decided(id, 'A', 'c2'), 2);
      m.observe(decided(id, 'C', 'c3'), 3);
      expect(m.violations, id).toEqual([
        { property: 'validity', decision: id, detail: '"c3" decided "C", which is not an option (A, B)', at: 3, positions: [0, 3] },
        { property: 'agreement', decision: id, detail: '"c1" decided "A" but "c3" decided "C"', at: 3, positions: [1, 3] },
      ]);
    }
  });

  it('a decision decided long ago is still remembered: 100,000 decisions later its second value is caught', () => {
    const m = new VotingSafetyMonitor();
    const shared = ['A', 'B'];
    for (let i = 1; i <= 100_000; i++) {
      m.observe(proposal(`d${i}`, shared));
      m.observe(decided(`d${i}`, i % 2 ? 'A' : 'B'));
    }
    expect(m.violations).toEqual([]);
    m.observe(decided('d2', 'A', 'late'));
    m.observe(decided('d3', 'A', 'late'));
    expect(m.violations).toEqual([{ property: 'agreement', decision: 'd2', detail: '"coord" decided "B" but "late" decided "A"' }]);
  });

  it('ids that only look numbered are decisions of their own, never a numbered one (d7 vs xd7, d7x, d07, d007, D7, d7 )', () => {
    const m = new VotingSafetyMonitor();
    const ids = ['d7', 'xd7', 'd7x', 'd07', 'd007', 'D7', 'd7 ', 'd77'];
    ids.forEach((id, k) => m.observe(decided(id, `v${k}`)));
    expect(m.violations).toEqual([]);
    ids.forEach((id) => m.observe(decided(id, 'other')));
    expect(m.violations.map((v) => [v.decision, v.detail])).toEqual(ids.map((id, k) => [id, `"coord" decided "v${k}" but "coord" decided "other"`]));
  });

  it('a decision that is not numbered can be decided with no proposal seen, and is still judged', () => {
    const m = new VotingSafetyMonitor();
    m.observe(decided('security-review', 'A'));
    m.observe(decided('security-review', 'A'));
    expect(m.violations).toEqual([]);
    m.observe(decided('security-review', 'B'));
    expect(m.violations.map((v) => v.property)).toEqual(['agreement']);
  });

  it('a trace naming decision d999999999 is judged without allocating columns for a billion decisions', () => {
    const m = new VotingSafetyMonitor();
    const before = process.memoryUsage().arrayBuffers;
    m.observe(proposal('d999999999', ['A']));
    m.observe(decided('d999999999', 'A'));
    m.observe(decided('d999999999', 'B'));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    expect(m.violations.map((v) => v.property)).toEqual(['validity', 'agreement']);
  });

  it('without positions the first decision is reported without one, with them only where known', () => {
    const m = new VotingSafetyMonitor();
    m.observe(decided('d5', 'A'));
    m.observe(decided('d5', 'B'), 9);
    expect(m.violations).toEqual([{ property: 'agreement', decision: 'd5', detail: '"coord" decided "A" but "coord" decided "B"', at: 9, positions: [9] }]);
  });
});
