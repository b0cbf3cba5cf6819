import { describe, expect, it } from 'vitest';
import { CHECKERS, RunCheckers, runCheckers } from '../src/check/registry.ts';
import type { TraceEvent } from '../src/index.ts';

const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
const fault = (t: number, kind: string, detail: string): TraceEvent => ({ t, type: 'fault', fault: kind, detail });
const balanced = { messages: { sent: 10, delivered: 7, dropped: 2, deadLettered: 1, inFlight: 0 }, accountingImbalance: 0 };

// Voting: the coordinator proposes d1, d2 and decides them.
const proposal = (t: number, decision: string) => emit(t, 'coordinator', { type: 'proposal', decision, options: ['A', 'B'] });
const decided = (t: number, decision: string, value: string, actor = 'coordinator', extra: Record<string, unknown> = {}) =>
  emit(t, actor, { type: 'decided', decision, value, consensus: true, cause: 'complete', ...extra });
const votes: TraceEvent[] = [proposal(0, 'd1'), decided(5, 'd1', 'A'), proposal(6, 'd2'), decided(9, 'd2', 'B')];

// Raft: n1 leads term 1 and commits c#1 at index 1.
const raft: TraceEvent[] = [
  emit(10, 'n1', { type: 'raft-leader', term: 1, lastIndex: 0, terms: [] }),
  emit(11, 'client', { type: 'client-invoke', client: 'client', seq: 1, f: 'write', key: 'k', value: 'client:1' }),
  emit(12, 'n1', { type: 'raft-commit', index: 1, term: 1, leaderTerm: 1 }),
  emit(12, 'n1', { type: 'raft-apply', index: 1, term: 1, command: { op: 'put', key: 'k', value: 'client:1' }, client: 'client', seq: 1 }),
  emit(13, 'client', { type: 'client-ok', client: 'client', seq: 1, f: 'write', key: 'k', value: 'client:1', index: 1 }),
];

// PBFT: one request, committed and executed by p0 and p1, accepted.
const req = 'c#1#incr k1';
const pbft: TraceEvent[] = [
  emit(0, 'c', { type: 'pbft-request', client: 'c', ts: 1, op: 'incr k1' }),
  ...['p0', 'p1'].map((p) => emit(2, p, { type: 'pbft-committed', view: 0, seq: 1, digest: 'aa', requests: [req] })),
  ...['p0', 'p1'].map((p) => emit(3, p, { type: 'pbft-executed', seq: 1, request: req, result: '1' })),
  emit(4, 'c', { type: 'pbft-accepted', client: 'c', ts: 1, result: '1' }),
];

describe('the checker registry', () => {
  it('names each checker, its kind and the protocols it applies to', () => {
    expect(CHECKERS.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'voting-safety:safety',
      'raft-safety:safety',
      'pbft-safety:safety',
      'gossip-safety:safety',
      'accounting:safety',
      'termination-after-heal:liveness',
    ]);
    expect(new RunCheckers('raft').checkers).toEqual(['raft-safety', 'accounting', 'termination-after-heal']);
    expect(new RunCheckers('pbft').checkers).toEqual(['pbft-safety', 'accounting', 'termination-after-heal']);
    expect(new RunCheckers('gossip').checkers).toEqual(['gossip-safety', 'accounting', 'termination-after-heal']);
  });

  it('finds nothing on clean traces with balanced books', () => {
    for (const [protocol, events] of [
      ['voting', votes],
      ['raft', raft],
      ['pbft', pbft],
    ] as const) {
      expect(runCheckers(protocol, events, { books: balanced })).toMatchObject({ safety: [], liveness: [] });
    }
  });

  it('voting safety: a second, different decision of d1 is an agreement violation at its position', () => {
    const bad = [...votes, decided(12, 'd1', 'B', 'coordinator-2')];
    const { safety } = runCheckers('voting', bad);
    expect(safety).toEqual([
      {
        checker: 'voting-safety',
        kind: 'safety',
        property: 'agreement',
        decision: 'd1',
        detail: expect.stringMatching(/"coordinator" decided "A" but "coordinator-2" decided "B"/),
        at: 4,
        positions: [1, 4],
      },
    ]);
    expect(bad[safety[0].at!]).toBe(bad.at(-1));
  });

  it('voting safety: a value that is no option is a validity violation, pointing at the proposal too', () => {
    const bad = [proposal(0, 'd1'), decided(5, 'd1', 'Z')];
    expect(runCheckers('voting', bad).safety).toEqual([expect.objectContaining({ checker: 'voting-safety', property: 'validity', at: 1, positions: [0, 1] })]);
  });

  it('raft safety: a second leader of term 1 is an election-safety violation at its position, with the first', () => {
    const bad = [...raft, emit(20, 'n2', { type: 'raft-leader', term: 1, lastIndex: 1, terms: [1] })];
    expect(runCheckers('raft', bad).safety).toEqual([
      expect.objectContaining({ checker: 'raft-safety', property: 'election-safety', at: 5, positions: [0, 5] }),
    ]);
  });

  it('raft safety: an acknowledged command never applied is found at the end, at its acknowledgement', () => {
    const bad = [raft[0], raft[1], raft[4]];
    expect(runCheckers('raft', bad).safety).toEqual([
      expect.objectContaining({ checker: 'raft-safety', property: 'acked-command-lost', at: 2, positions: [2] }),
    ]);
  });

  it('raft safety: two different entries applied at one index point at both applies', () => {
    const other = emit(30, 'n2', { type: 'raft-apply', index: 1, term: 2, command: { op: 'put', key: 'k', value: 'x' } });
    expect(runCheckers('raft', [...raft, other]).safety).toEqual([expect.objectContaining({ property: 'state-machine-safety', at: 5, positions: [3, 5] })]);
  });

  it('pbft safety: an honest replica committing another digest at seq 1 breaks agreement there', () => {
    const bad = [...pbft, emit(5, 'p2', { type: 'pbft-committed', view: 1, seq: 1, digest: 'ff', requests: [req] })];
    expect(runCheckers('pbft', bad).safety).toEqual([expect.objectContaining({ checker: 'pbft-safety', property: 'agreement', at: 6, positions: [6] })]);
    // The same commit by a replica known to be Byzantine proves nothing.
    expect(runCheckers('pbft', bad, { byzantine: ['p2'] }).safety).toEqual([]);
  });

  it('accounting: books that do not add up are a violation at the end of the trace; no books, no judgement', () => {
    const books = { messages: { ...balanced.messages, delivered: 6 }, accountingImbalance: 1 };
    expect(runCheckers('raft', raft, { books }).safety).toEqual([
      {
        checker: 'accounting',
        kind: 'safety',
        property: 'accounting-identity',
        at: 4,
        positions: [4],
        detail: 'sent 10 ≠ 6 delivered + 2 dropped + 1 dead-lettered + 0 in flight: 1 envelope unaccounted for',
      },
    ]);
    expect(runCheckers('raft', raft).safety).toEqual([]);
  });
});

describe('termination after heal (liveness)', () => {
  // PBFT: a partition from 100 to 200 ms; request 1 started before it, request 2 during it.
  const request = (t: number, ts: number) => emit(t, 'c', { type: 'pbft-request', client: 'c', ts, op: `incr k${ts}` });
  const accept = (t: number, ts: number) => emit(t, 'c', { type: 'pbft-accepted', client: 'c', ts, result: '1' });
  const faulty = [request(50, 1), fault(100, 'partition', 'p0 | p1,p2,p3,c'), request(150, 2), fault(200, 'heal', 'partition healed')];
  const later = (t: number) => emit(t, 'c', { type: 'pbft-client-gave-up', accepted: 1, waiting: 1 });

  it('flags a run that never recovers after the heal: the unreached request, and where the faults ended', () => {
    const stuck = [...faulty, accept(300, 1), later(10_000)];
    const { safety, liveness } = runCheckers('pbft', stuck);
    // Liveness, not safety (the hand-made trace's accept without executions is pbft-safety's business).
    expect(safety.map((v) => v.checker)).not.toContain('termination-after-heal');
    expect(liveness).toEqual([
      {
        checker: 'termination-after-heal',
        kind: 'liveness',
        property: 'termination-after-heal',
        at: 2,
        positions: [2, 3],
        detail: '1 of 2 decisions not reached within 5000 ms of the last fault (heal at t=200 ms): c#2 (started t=150 ms, never reached)',
      },
    ]);
  });

  it('does not flag a run that recovers within the bound, nor one cut short before its deadline', () => {
    expect(runCheckers('pbft', [...faulty, accept(300, 1), accept(4_000, 2), later(10_000)]).liveness).toEqual([]);
    expect(runCheckers('pbft', [...faulty, accept(300, 1), later(5_100)]).liveness).toEqual([]);
  });

  it('flags a decision reached, but later than the bound after the heal, at its arrival', () => {
    const { liveness } = runCheckers('pbft', [...faulty, accept(300, 1), accept(5_300, 2)], { terminationBoundMs: 5_000 });
    expect(liveness).toEqual([
      expect.objectContaining({ at: 5, positions: [3, 5], detail: expect.stringMatching(/c#2 \(started t=150 ms, reached t=5300 ms\)/) }),
    ]);
    // A longer bound forgives it.
    expect(runCheckers('pbft', [...faulty, accept(300, 1), accept(5_300, 2)], { terminationBoundMs: 6_000 }).liveness).toEqual([]);
  });

  it('judges nothing while a fault is still in force at the end (the faults never stopped)', () => {
    const unhealed = [request(50, 1), fault(100, 'partition', 'p0 | p1,p2,p3,c'), later(10_000)];
    expect(runCheckers('pbft', unhealed).liveness).toEqual([]);
    const slow = [request(50, 1), fault(100, 'network', 'slow'), later(10_000)];
    expect(runCheckers('pbft', slow).liveness).toEqual([]);
    expect(runCheckers('pbft', [...slow.slice(0, 2), fault(300, 'network-end', 'slow'), later(10_000)]).liveness).toHaveLength(1);
  });

  it('a crash never recovered (crash-stop) does not hold the judgement back; a vote that closes only past the bound is flagged', () => {
    const raftStuck = [
      raft[0],
      fault(20, 'crash', 'n1'),
      emit(30, 'client', { type: 'client-invoke', client: 'client', seq: 2, f: 'write', key: 'k', value: 'v' }),
      emit(9_000, 'client', { type: 'client-done' }),
    ];
    expect(runCheckers('raft', raftStuck).liveness).toEqual([expect.objectContaining({ at: 2, positions: [1, 2] })]);
    const timedOut = [
      proposal(0, 'd1'),
      decided(60_000, 'd1', 'A', 'coordinator', { consensus: false, cause: 'timeout' }),
      proposal(60_001, 'd2'),
      decided(60_010, 'd2', 'B'),
    ];
    expect(runCheckers('voting', timedOut).liveness).toEqual([
      expect.objectContaining({
        at: 1,
        detail: expect.stringMatching(/^1 of 2 decisions not reached within 5000 ms of starting \(the run had no faults\): d1/),
      }),
    ]);
  });
});
