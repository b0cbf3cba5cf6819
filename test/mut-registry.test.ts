import { describe, expect, it } from 'vitest';
import { CHECKERS, RunCheckers, runCheckers } from '../src/check/registry.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The checker registry's own rules, each pinned exactly (issue 20's mutation run of
 * src/check/registry.ts left them unpinned): what each checker says it judges, how a finding is
 * shaped when a monitor gives no position or no decision, the gossip and hive checkers wired to
 * their monitors (positions passed, kind and name stamped, `byzantine` handed on), the
 * accounting finding of a trace with no event or one, what a checker returns when it has nothing
 * to say, and a run's report made once.
 */

const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
const spawn = (t: number, actor: string, behaviour: string): TraceEvent => ({ t, type: 'spawn', actor, behaviour, host: 0 });
const unbalanced = { messages: { sent: 3, delivered: 1, dropped: 1, deadLettered: 0, inFlight: 0 }, accountingImbalance: 1 };
const spec = (name: string) => {
  const s = CHECKERS.find((c) => c.name === name);
  if (s === undefined) throw new Error(name);
  return s;
};

describe('what each checker says it judges', () => {
  it('is the help text, word for word', () => {
    expect(Object.fromEntries(CHECKERS.map((c) => [c.name, c.judges]))).toEqual({
      'voting-safety': 'agreement, validity',
      'raft-safety':
        'election safety, log matching, leader append-only, leader completeness, state-machine safety, apply order, acknowledged commands, stale reads',
      'pbft-safety': 'agreement, validity, integrity, result integrity (honest replicas)',
      'gossip-safety': 'agreement (every node last settled on the decided value), validity (the largest initial value)',
      'zero-architectural-mistakes': "every critical decision is the honest experts' majority choice",
      accounting: 'sent = delivered + dropped + dead-lettered + in flight (final books)',
      'termination-after-heal': 'every decision reached within a bound once the last fault ends',
    });
    expect(spec('voting-safety').protocols).toEqual(['voting']);
    expect(spec('accounting').protocols).toEqual(['voting', 'raft', 'pbft', 'gossip', 'hive']);
    expect(spec('termination-after-heal').protocols).toEqual(['voting', 'raft', 'pbft', 'gossip', 'hive']);
  });
});

describe('accounting: where the finding points', () => {
  it('a trace with no event: no position at all (no `at`, no `positions` key), and no decision key', () => {
    const [v] = runCheckers('raft', [], { books: unbalanced }).safety;
    expect(v).toStrictEqual({
      checker: 'accounting',
      kind: 'safety',
      property: 'accounting-identity',
      detail: 'sent 3 ≠ 1 delivered + 1 dropped + 0 dead-lettered + 0 in flight: 1 envelope unaccounted for',
    });
    expect(Object.keys(v)).toEqual(['checker', 'kind', 'property', 'detail']);
  });

  it('a trace of one event: at its position 0', () => {
    const one = [emit(1, 'n1', { type: 'hello' })];
    expect(runCheckers('raft', one, { books: unbalanced }).safety).toStrictEqual([
      {
        checker: 'accounting',
        kind: 'safety',
        property: 'accounting-identity',
        detail: 'sent 3 ≠ 1 delivered + 1 dropped + 0 dead-lettered + 0 in flight: 1 envelope unaccounted for',
        at: 0,
        positions: [0],
      },
    ]);
  });
});

describe('a checker with nothing to say returns an empty list', () => {
  it('accounting with no books, or books that add up', () => {
    const c = spec('accounting').create({}, 'raft');
    c.observe(emit(1, 'n1', { type: 'x' }), 0);
    expect(c.finish({ events: 1, endT: 1 })).toEqual([]);
  });

  it('termination after heal with every decision reached', () => {
    const c = spec('termination-after-heal').create({}, 'voting');
    const events = [
      emit(0, 'coordinator', { type: 'proposal', decision: 'd1', options: ['A'] }),
      emit(5, 'coordinator', { type: 'decided', decision: 'd1', value: 'A', consensus: true }),
    ];
    events.forEach((e, i) => c.observe(e, i));
    expect(c.finish({ events: 2, endT: 10_000 })).toEqual([]);
  });
});

describe('gossip safety through the registry', () => {
  it('a decision taken twice with different values: an agreement finding with the decision, at the second, pointing at both', () => {
    const trace = [
      emit(0, 'g1', { type: 'gossip-init', decision: 'g-1', value: 7 }),
      emit(1, 'g2', { type: 'gossip-init', decision: 'g-1', value: 3 }),
      emit(5, 'g1', { type: 'gossip-decided', decision: 'g-1', value: 7 }),
      emit(6, 'g2', { type: 'gossip-decided', decision: 'g-1', value: 3 }),
    ];
    expect(runCheckers('gossip', trace).safety).toStrictEqual([
      {
        checker: 'gossip-safety',
        kind: 'safety',
        property: 'agreement',
        detail: 'g-1 decided twice: 7, then 3',
        at: 3,
        positions: [2, 3],
        decision: 'g-1',
      },
    ]);
  });

  it('a clean trace: nothing', () => {
    const trace = [emit(0, 'g1', { type: 'gossip-init', decision: 'g-1', value: 7 }), emit(5, 'g1', { type: 'gossip-decided', decision: 'g-1', value: 7 })];
    expect(runCheckers('gossip', trace).safety).toEqual([]);
  });
});

describe('zero architectural mistakes through the registry', () => {
  // Three experts vote on a critical decision: e1 and e2 for A, e3 for B; the hive takes B.
  const vote = (t: number, agent: string, value: string) => emit(t, 'queen', { hive: 'vote', decision: 'arch-1', agent, value });
  const trace = [
    vote(0, 'e1', 'A'),
    vote(1, 'e2', 'A'),
    vote(2, 'e3', 'B'),
    emit(3, 'queen', { hive: 'decision', decision: 'arch-1', value: 'B', critical: true, consensus: true }),
  ];

  it('a critical decision against the honest majority: the finding with the decision, at the decision, pointing at the votes', () => {
    expect(runCheckers('hive', trace).safety).toStrictEqual([
      {
        checker: 'zero-architectural-mistakes',
        kind: 'safety',
        property: 'zero-architectural-mistakes',
        detail: 'critical decision arch-1 took "B" but 2 of 3 honest expert votes chose "A" (liars: none named)',
        at: 3,
        positions: [0, 1, 2, 3],
        decision: 'arch-1',
      },
    ]);
  });

  it('the byzantine option reaches the monitor: with e1 and e2 named liars, B is the honest majority', () => {
    expect(runCheckers('hive', trace, { byzantine: ['e1', 'e2'] }).safety).toEqual([]);
    const report = new RunCheckers('hive', { byzantine: ['e1'] });
    for (const e of trace) report.observe(e);
    // e1 left out: one for A, one for B, no majority to judge against.
    expect(report.finish().safety).toEqual([]);
  });
});

describe('termination after heal: who lies', () => {
  // d1 is proposed and never decided; the run goes on for 10 s with no fault.
  const stuck = [emit(0, 'coordinator', { type: 'proposal', decision: 'd1', options: ['A'] }), emit(10_000, 'coordinator', { type: 'done' })];

  it('the byzantine option names the liars', () => {
    const [v] = runCheckers('voting', stuck, { byzantine: ['coder_002', 'coder_001'] }).liveness;
    expect(v.detail).toBe(
      '1 of 1 decisions not reached within 5000 ms of starting (no timed faults; Byzantine agents coder_001, coder_002 lying throughout): d1 (started t=0 ms, never reached)',
    );
  });

  it('so does a spawn of an adversary behaviour; a spawn of an honest one does not', () => {
    const trace = [
      spawn(0, 'coder_003', '/x/src/adversary/byzantine-voter.ts#byzantineVoter'),
      spawn(0, 'coder_004', '/x/src/protocols/voting/voter.ts#voter'),
      ...stuck,
    ];
    const [v] = runCheckers('voting', trace).liveness;
    expect(v.detail).toMatch(/\(no timed faults; Byzantine agent coder_003 lying throughout\)/);
    const [w] = runCheckers('voting', trace.slice(1)).liveness;
    expect(w.detail).toMatch(/\(the run had no faults\)/);
  });
});

describe('a run report', () => {
  it('is made once: a second finish returns the same report, whatever books it is given', () => {
    const checks = new RunCheckers('raft');
    checks.observe(emit(1, 'n1', { type: 'x' }));
    const first = checks.finish();
    expect(first.safety).toEqual([]);
    const again = checks.finish(unbalanced);
    expect(again).toBe(first);
    expect(again.safety).toEqual([]);
  });
});
