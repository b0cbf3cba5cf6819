import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { TerminationMonitor, type TerminationFinding } from '../src/check/termination.ts';
import type { CheckedProtocol } from '../src/check/violation.ts';

/**
 * Termination after heal on hand-built traces, one rule per case (issue 20: the mutants the
 * registry's cases left alive). Every finding is asserted whole: its detail, `at` and positions.
 */
const emit = (t: number, event: Record<string, unknown>, actor = 'a'): TraceEvent => ({ t, type: 'emit', actor, event });
const fault = (t: number, kind: string, detail: string): TraceEvent => ({ t, type: 'fault', fault: kind, detail });
const judge = (protocol: CheckedProtocol, events: TraceEvent[], endT: number, boundMs = 5_000): TerminationFinding | undefined => {
  const m = new TerminationMonitor(protocol, { boundMs });
  events.forEach((e, i) => m.observe(e, i));
  return m.finish(endT);
};

const proposal = (t: number, decision: unknown) => emit(t, { type: 'proposal', decision, options: ['A', 'B'] });
const decided = (t: number, decision: string) => emit(t, { type: 'decided', decision, value: 'A', consensus: true, cause: 'complete' });
const request = (t: number, ts: number) => emit(t, { type: 'pbft-request', client: 'c', ts, op: `incr k${ts}` });
const accept = (t: number, ts: number) => emit(t, { type: 'pbft-accepted', client: 'c', ts, result: '1' });
const NO_FAULTS = 'not reached within 5000 ms of starting (the run had no faults)';

describe('termination after heal: what starts and what reaches a decision', () => {
  it('voting: a proposal without a string decision opens nothing', () => {
    expect(judge('voting', [proposal(0, 7), proposal(1, 'd1')], 6_000)).toEqual({
      detail: `1 of 1 decisions ${NO_FAULTS}: d1 (started t=1 ms, never reached)`,
      at: 1,
      positions: [1],
    });
  });

  it('voting: only `decided` closes a vote, not another event naming it', () => {
    expect(judge('voting', [proposal(0, 'd1'), emit(1, { type: 'vote', decision: 'd1', value: 'A' })], 6_000)).toEqual({
      detail: `1 of 1 decisions ${NO_FAULTS}: d1 (started t=0 ms, never reached)`,
      at: 0,
      positions: [0],
    });
  });

  it('raft: each client-invoke is its own decision, closed only by the client-ok of the same client and seq', () => {
    const invoke = (t: number, client: string, seq: number) => emit(t, { type: 'client-invoke', client, seq, f: 'write', key: 'k', value: 'v' });
    const events = [
      invoke(0, 'c1', 1),
      invoke(1, 'c1', 2),
      invoke(2, 'c2', 1),
      emit(3, { type: 'client-fail', client: 'c1', seq: 1 }),
      emit(4, { type: 'client-ok', client: 'c1', seq: 2, f: 'write', key: 'k', value: 'v', index: 1 }),
    ];
    expect(judge('raft', events, 6_000)).toEqual({
      detail: `2 of 3 decisions ${NO_FAULTS}: c1#1 (started t=0 ms, never reached), c2#1 (started t=2 ms, never reached)`,
      at: 0,
      positions: [0, 2],
    });
  });

  it('pbft: a request is closed by its pbft-accepted, not by another event naming its client and ts', () => {
    const events = [request(0, 1), request(1, 2), emit(2, { type: 'pbft-reply', client: 'c', ts: 1, result: '1' }), accept(3, 2)];
    expect(judge('pbft', events, 6_000)).toEqual({
      detail: `1 of 2 decisions ${NO_FAULTS}: c#1 (started t=0 ms, never reached)`,
      at: 0,
      positions: [0],
    });
  });

  it('gossip: gossip-open opens and gossip-decided closes a string decision; nothing else does', () => {
    const events = [
      emit(0, { type: 'gossip-open', decision: 'g1' }),
      emit(1, { type: 'gossip-open', decision: 'g2' }),
      emit(2, { type: 'gossip-open', decision: 7 }),
      emit(3, { type: 'gossip-gave-up', decision: 'g2' }),
      emit(4, { type: 'gossip-decided', decision: 'g1', value: 3 }),
    ];
    expect(judge('gossip', events, 6_000)).toEqual({
      detail: `1 of 2 decisions ${NO_FAULTS}: g2 (started t=1 ms, never reached)`,
      at: 1,
      positions: [1],
    });
  });

  it('hive: an objective is numbered per queen, opened by `objective` and closed by `objective-closed`', () => {
    const events = [
      emit(0, { hive: 'objective', n: 1 }, 'queen'),
      emit(1, { hive: 'objective', n: 2 }, 'queen'),
      emit(2, { hive: 'objective', n: '3' }, 'queen'),
      emit(3, { hive: 'subtask-done', n: 2 }, 'queen'),
      emit(4, { hive: 'objective-closed', n: 1, status: 'done' }, 'queen'),
    ];
    expect(judge('hive', events, 6_000)).toEqual({
      detail: `1 of 2 decisions ${NO_FAULTS}: objective#2 (started t=1 ms, never reached)`,
      at: 1,
      positions: [1],
    });
  });
});

describe('termination after heal: deadlines', () => {
  // A partition from 100 to 200 ms (positions 1 and 2); the request (position 0) started before it.
  const faulty = [request(50, 1), fault(100, 'partition', 'p0 | p1,p2,p3,c'), fault(200, 'heal', 'partition healed')];
  const SINCE_HEAL = 'not reached within 5000 ms of the last fault (heal at t=200 ms)';

  it('a decision started after the last fault is given the bound from its own start', () => {
    const late = [...faulty, request(3_000, 2), accept(3_001, 1)];
    expect(judge('pbft', late, 8_000)).toBeUndefined();
    expect(judge('pbft', late, 8_001)).toEqual({
      detail: `1 of 2 decisions ${SINCE_HEAL}: c#2 (started t=3000 ms, never reached)`,
      at: 3,
      positions: [2, 3],
    });
  });

  it('a decision slower than the bound but reached within the bound of the heal is not late', () => {
    const slowHeal = [request(50, 1), fault(100, 'partition', 'p0 | p1,p2,p3,c'), fault(4_000, 'heal', 'partition healed'), accept(6_000, 1)];
    expect(judge('pbft', slowHeal, 10_000)).toBeUndefined();
  });

  it('a decision reached exactly at its deadline is in time; a millisecond later it is late', () => {
    expect(judge('pbft', [...faulty, accept(5_200, 1)], 10_000)).toBeUndefined();
    expect(judge('pbft', [...faulty, accept(5_201, 1)], 10_000)).toEqual({
      detail: `1 of 1 decisions ${SINCE_HEAL}: c#1 (started t=50 ms, reached t=5201 ms)`,
      at: 3,
      positions: [2, 3],
    });
  });

  it('a decision still open when the trace ends exactly at its deadline is not judged; a millisecond later it is', () => {
    expect(judge('pbft', faulty, 5_200)).toBeUndefined();
    expect(judge('pbft', faulty, 5_201)).toEqual({
      detail: `1 of 1 decisions ${SINCE_HEAL}: c#1 (started t=50 ms, never reached)`,
      at: 0,
      positions: [0, 2],
    });
  });
});

describe('termination after heal: the finding', () => {
  it('names the offenders in trace order, a late arrival at its arrival and an unreached one at its start', () => {
    // d1 (position 0) is never reached; d2 starts at position 1 and arrives late at position 2.
    expect(judge('voting', [proposal(0, 'd1'), proposal(1, 'd2'), decided(6_000, 'd2')], 7_000)).toEqual({
      detail: `2 of 2 decisions ${NO_FAULTS}: d1 (started t=0 ms, never reached), d2 (started t=1 ms, reached t=6000 ms)`,
      at: 0,
      positions: [0, 2],
    });
  });

  it('names five offenders at most, and says when there are more', () => {
    const ids = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
    const named = (n: number) =>
      ids
        .slice(0, n)
        .map((d, i) => `${d} (started t=${i} ms, never reached)`)
        .join(', ');
    expect(
      judge(
        'voting',
        ids.map((d, i) => proposal(i, d)),
        6_000,
      ),
    ).toEqual({
      detail: `7 of 7 decisions ${NO_FAULTS}: ${named(5)}, ...`,
      at: 0,
      positions: [0, 1, 2, 3, 4],
    });
    expect(
      judge(
        'voting',
        ids.slice(0, 5).map((d, i) => proposal(i, d)),
        6_000,
      ),
    ).toEqual({
      detail: `5 of 5 decisions ${NO_FAULTS}: ${named(5)}`,
      at: 0,
      positions: [0, 1, 2, 3, 4],
    });
  });
});

describe('termination after heal: which faults count, and which are still in force', () => {
  const open = request(50, 1); // position 0, never reached

  it('`isolated` is a defence, not a fault: it neither moves the deadline nor counts as a fault', () => {
    expect(judge('pbft', [open, fault(3_000, 'isolated', 'p3: equivocated')], 5_051)).toEqual({
      detail: `1 of 1 decisions ${NO_FAULTS}: c#1 (started t=50 ms, never reached)`,
      at: 0,
      positions: [0],
    });
  });

  it('a recovery is the last fault: the bound runs from it', () => {
    const events = [open, fault(100, 'crash', 'p1'), fault(3_000, 'recover', 'p1')];
    expect(judge('pbft', events, 8_000)).toBeUndefined();
    expect(judge('pbft', events, 8_001)).toEqual({
      detail: '1 of 1 decisions not reached within 5000 ms of the last fault (recover at t=3000 ms): c#1 (started t=50 ms, never reached)',
      at: 0,
      positions: [0, 2],
    });
  });

  it('a pause never resumed holds the judgement back; once resumed the run is judged', () => {
    const paused = [open, fault(100, 'pause', 'p1 for 300 ms')];
    expect(judge('pbft', paused, 20_000)).toBeUndefined();
    expect(judge('pbft', [...paused, fault(400, 'resume', 'p1')], 20_000)).toEqual({
      detail: '1 of 1 decisions not reached within 5000 ms of the last fault (resume at t=400 ms): c#1 (started t=50 ms, never reached)',
      at: 0,
      positions: [0, 2],
    });
  });

  it("another actor's resume does not end a pause", () => {
    expect(judge('pbft', [open, fault(100, 'pause', 'p1 for 300 ms'), fault(400, 'resume', 'p2')], 20_000)).toBeUndefined();
  });

  it('a clock skew never ended holds the judgement back; once ended the run is judged', () => {
    const skewed = [open, fault(100, 'clock-skew', 'p1 x1.5')];
    expect(judge('pbft', skewed, 20_000)).toBeUndefined();
    expect(judge('pbft', [...skewed, fault(400, 'clock-skew-end', 'p1')], 20_000)).toEqual({
      detail: '1 of 1 decisions not reached within 5000 ms of the last fault (clock-skew-end at t=400 ms): c#1 (started t=50 ms, never reached)',
      at: 0,
      positions: [0, 2],
    });
  });

  it("another actor's skew ending, or a crash of the skewed actor, does not end a skew", () => {
    expect(judge('pbft', [open, fault(100, 'clock-skew', 'p1 x1.5'), fault(400, 'clock-skew-end', 'p2')], 20_000)).toBeUndefined();
    expect(judge('pbft', [open, fault(100, 'clock-skew', 'p1 x1.5'), fault(400, 'crash', 'p1')], 20_000)).toBeUndefined();
  });
});
