import { describe, expect, it } from 'vitest';
import { SYSTEM_SENDER } from '../src/actors/envelope.ts';
import type { CoordinatorProps } from '../src/protocols/voting/coordinator.ts';
import { emptyHistogram, record } from '../src/protocols/voting/latency-histogram.ts';
import { simpleMajority, supermajority } from '../src/protocols/voting/builtin-policies.ts';
import type { Vote } from '../src/protocols/voting/types.ts';
import { updateWeights } from '../src/protocols/voting/weights.ts';
import type { Stage } from '../src/protocols/voting/workflow.ts';
import { coordinatorHarness } from './fixtures/coordinator-harness.ts';

/**
 * The voting coordinator, one message at a time on a hand-built context (issue 20's mutation
 * run of src/protocols/voting/coordinator.ts): what it opens, sends and times, which ballots it
 * counts or refuses and why, how it closes, escalates, holds for oversight, runs stages, resumes
 * a lost run, follows its schedule and topology rules, and what its summary says.
 */

const OPTIONS = ['A', 'B', 'C'];
const MEMBERS = ['coord', 'v1', 'v2', 'v3'];
const consensus = { algorithm: 'simple_majority', votingTimeoutMs: 1000 } as const;
const props = (extra: Partial<CoordinatorProps> = {}, task: Partial<CoordinatorProps['task']> = {}): CoordinatorProps => ({
  consensus,
  task: { question: 'Which?', options: OPTIONS, truth: 'A', decisions: 1, inFlight: 1, ...task },
  ...extra,
});
const h3 = (extra: Partial<CoordinatorProps> = {}, task: Partial<CoordinatorProps['task']> = {}) =>
  coordinatorHarness(props(extra, task), { members: MEMBERS });
const vote = (agent: string, decision: string, extra: Partial<Vote> = {}): Vote => ({
  agent,
  role: 'analyst',
  decision,
  reason: 'because',
  confidence: 0.9,
  ...extra,
});
const proposalOf = (id: string, extra: Record<string, unknown> = {}) => ({
  kind: 'proposal',
  body: { id, question: 'Which?', options: OPTIONS, domain: undefined, ...extra },
});
const histogramOf = (...ms: number[]) => {
  const h = emptyHistogram();
  for (const m of ms) record(h, m);
  return h;
};

describe('a run of decisions', () => {
  it('opens a decision by broadcast, times it, closes it when every vote is in, and replies with the summary once the workload is done', () => {
    const h = h3({}, { decisions: 2 });
    h.at(10);
    h.run();
    expect(h.broadcasts).toStrictEqual([proposalOf('d1')]);
    expect(h.sent).toStrictEqual([]);
    expect(h.timers.get('timeout:d1')).toStrictEqual({ delayMs: 1000, message: { kind: 'timeout', body: 'd1' } });
    expect(h.events('proposal')).toStrictEqual([{ decision: 'd1', question: 'Which?', options: OPTIONS, voters: 3 }]);
    expect(h.books()).toMatchObject({ attempted: 1, startedAt: 10 });
    h.at(30);
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    expect(h.events('decided')).toStrictEqual([]);
    h.vote('v3', 'd1', 'B');
    expect(h.cancelled).toStrictEqual(['timeout:d1']);
    const outcome = simpleMajority().evaluate({ id: 'd1', question: 'Which?', options: OPTIONS }, [vote('v1', 'A'), vote('v2', 'A'), vote('v3', 'B')]);
    expect(h.events('decided')).toStrictEqual([
      {
        decision: 'd1',
        value: 'A',
        consensus: true,
        strength: outcome.strength,
        algorithm: 'simple_majority',
        votes: 3,
        of: 3,
        latencyMs: 20,
        cause: 'complete',
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      },
    ]);
    // The next decision opens as this one closes.
    expect(h.broadcasts).toStrictEqual([proposalOf('d1'), proposalOf('d2')]);
    expect(h.replies).toStrictEqual([]);
    h.at(100);
    h.vote('v1', 'd2', 'B');
    h.vote('v2', 'd2', 'B');
    h.vote('v3', 'd2', 'C');
    expect(h.events('run-complete')).toStrictEqual([{ attempted: 2, decided: 2 }]);
    expect(h.replies).toHaveLength(1);
    expect(h.replies[0].to).toBe(SYSTEM_SENDER);
    expect(h.replies[0].corr).toBe(7);
    expect(h.replies[0].message.kind).toBe('summary');
    expect(h.summary()).toStrictEqual({
      attempted: 2,
      decided: 2,
      noConsensus: 0,
      timedOut: 0,
      escalated: 0,
      judged: 2,
      correct: 1,
      byOutcome: { A: 1, B: 1 },
      refusedVotes: { stranger: 0, duplicate: 0, malformed: 0, late: 0 },
      byzantine: {},
      latency: histogramOf(20, 70),
      startedAt: 10,
      finishedAt: 100,
      weights: {},
    });
    // A copy: the books changing later do not change the reply.
    h.books().decided = 99;
    expect(h.summary()?.decided).toBe(2);
  });

  it('opens in_flight decisions at once, never more than the workload; one decision by default', () => {
    const h = h3({}, { decisions: 2, inFlight: 3 });
    h.run();
    expect(h.broadcasts.map((m) => (m.body as { id: string }).id)).toStrictEqual(['d1', 'd2']);
    const one = h3({}, { decisions: undefined, inFlight: 3 });
    one.run();
    expect(one.broadcasts).toHaveLength(1);
    for (const v of ['v1', 'v2', 'v3']) one.vote(v, 'd1', 'A');
    expect(one.summary()?.attempted).toBe(1);
  });

  it('a duration workload opens decisions while the clock is before its end', () => {
    const h = h3({}, { decisions: undefined, durationMs: 100 });
    h.at(50);
    h.run();
    h.at(149);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    expect(h.broadcasts).toHaveLength(2);
    h.at(150);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd2', 'A');
    expect(h.broadcasts).toHaveLength(2);
    expect(h.summary()).toMatchObject({ attempted: 2, decided: 2, startedAt: 50, finishedAt: 150 });
  });

  it('a second run while running is ignored: the reply goes to the first', () => {
    const h = h3();
    h.run();
    h.deliver('v1', 'run', undefined, { corr: 9 });
    expect(h.broadcasts).toHaveLength(1);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    expect(h.replies.map((r) => [r.to, r.corr])).toStrictEqual([[SYSTEM_SENDER, 7]]);
    // Done, it runs again when asked (a later run), numbering on.
    h.run();
    expect(h.broadcasts.map((m) => (m.body as { id: string }).id)).toStrictEqual(['d1']);
    expect(h.replies).toHaveLength(2);
  });

  it('a zero-sized electorate closes its decision at once', () => {
    const h = coordinatorHarness(props(), { members: ['coord'] });
    h.run();
    expect(h.events('decided')).toMatchObject([{ decision: 'd1', votes: 0, of: 0, consensus: false, cause: 'complete' }]);
    expect(h.summary()).toMatchObject({ attempted: 1, noConsensus: 1 });
  });
});

describe('resuming a lost run (RunResume)', () => {
  it('numbers after seq, takes the budget and the weights, and counts time from the run’s start', () => {
    const h = h3({}, { decisions: 5 });
    h.at(100);
    const weights = { v1: 2 };
    h.run({ seq: 5, decisions: 1, elapsedMs: 40, weights });
    expect(h.broadcasts).toStrictEqual([proposalOf('d6')]);
    expect(h.books().startedAt).toBe(60);
    expect(h.books().weights).toStrictEqual({ v1: 2 });
    expect(h.books().weights).not.toBe(weights);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd6', 'A');
    expect(h.summary()).toMatchObject({ attempted: 1, decided: 1, weights: { v1: 2 } });
  });

  it('a resume with seq 0, elapsed 0 and no decisions left is taken (and finishes at once)', () => {
    const h = h3({}, { decisions: 5 });
    h.at(100);
    h.run({ seq: 0, elapsedMs: 0, decisions: 0 });
    expect(h.broadcasts).toStrictEqual([]);
    expect(h.summary()).toMatchObject({ attempted: 0, startedAt: 100, finishedAt: 100 });
  });

  it('a body that is not a RunResume is a plain run', () => {
    for (const body of [
      null,
      'x',
      { seq: 1.5, elapsedMs: 0 },
      { seq: -1, elapsedMs: 0 },
      { seq: 1, elapsedMs: -1 },
      { seq: 1, elapsedMs: '5' },
      { elapsedMs: 0 },
    ]) {
      const h = h3({}, { decisions: 5 });
      h.at(100);
      h.run(body);
      expect(h.broadcasts).toStrictEqual([proposalOf('d1')]);
      expect(h.books().startedAt).toBe(100);
    }
  });
});

describe('the schedule', () => {
  const schedule = [
    { atMs: 100, task: { complexity: 'high' as const } },
    { atMs: 300, switch_topology: { kind: 'star' } as never },
  ];

  it('times every entry from the run’s start; fired, a task change is traced and a switch asked for; its timers end with the run', () => {
    const h = h3({ schedule }, { decisions: 1 });
    h.at(5);
    h.run();
    expect(h.timers.get('schedule:0')).toStrictEqual({ delayMs: 100, message: { kind: 'schedule', body: 0 } });
    expect(h.timers.get('schedule:1')).toStrictEqual({ delayMs: 300, message: { kind: 'schedule', body: 1 } });
    h.fire('schedule:0');
    expect(h.events('task-changed')).toStrictEqual([{ task: { complexity: 'high' } }]);
    expect((h.state as { task: { complexity?: string; question: string } }).task).toMatchObject({ complexity: 'high', question: 'Which?' });
    expect(h.topologies).toStrictEqual([]);
    h.fire('schedule:1');
    expect(h.topologies).toStrictEqual([{ spec: { kind: 'star' }, reason: 'schedule at 300 ms' }]);
    expect(h.events('task-changed')).toHaveLength(1);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    expect(h.cancelled).toStrictEqual(['timeout:d1', 'schedule:0', 'schedule:1']);
  });

  it('a resumed run takes what is already past silently and times the rest from where it was', () => {
    const h = h3({ schedule }, { decisions: 1 });
    h.run({ seq: 0, elapsedMs: 100 });
    expect(h.timers.has('schedule:0')).toBe(false);
    expect((h.state as { task: { complexity?: string } }).task.complexity).toBe('high');
    expect(h.events('task-changed')).toStrictEqual([]);
    expect(h.timers.get('schedule:1')?.delayMs).toBe(200);
    const early = h3({ schedule }, { decisions: 1 });
    early.run({ seq: 0, elapsedMs: 99 });
    expect(early.timers.get('schedule:0')?.delayMs).toBe(1);
    expect((early.state as { task: { complexity?: string } }).task.complexity).toBeUndefined();
    // A past switch is the system's to redo, not the coordinator's.
    const late = h3({ schedule }, { decisions: 1 });
    late.run({ seq: 0, elapsedMs: 400 });
    expect(late.timers.size).toBe(1); // the decision's timeout only
    expect(late.topologies).toStrictEqual([]);
  });

  it('a schedule message from a voter, or for no entry, does nothing', () => {
    const h = h3({ schedule }, { decisions: 1 });
    h.run();
    h.deliver('v1', 'schedule', 0);
    h.deliver('coord', 'schedule', 5);
    expect(h.events('task-changed')).toStrictEqual([]);
    expect(h.topologies).toStrictEqual([]);
  });
});

describe('adaptive topology (selectionRules)', () => {
  const rules = [
    { when: { complexity: 'high' as const }, topology: { kind: 'hierarchical' } as never, reason: 'complex' },
    { when: { minAgents: 4 }, topology: { kind: 'star' } as never, reason: 'four or more' },
    { when: {}, topology: { kind: 'mesh' } as never, reason: 'small' },
  ];

  it('asks for the rules’ choice at the start (counting itself among the agents) and again only when a task change changes it', () => {
    const h = h3({
      selectionRules: rules,
      schedule: [
        { atMs: 10, task: { novelty: 'low' } },
        { atMs: 20, task: { complexity: 'high' } },
      ],
    });
    h.run();
    expect(h.topologies).toStrictEqual([{ spec: { kind: 'star' }, reason: 'selector: four or more' }]);
    h.fire('schedule:0');
    expect(h.topologies).toHaveLength(1);
    h.fire('schedule:1');
    expect(h.topologies).toStrictEqual([
      { spec: { kind: 'star' }, reason: 'selector: four or more' },
      { spec: { kind: 'hierarchical' }, reason: 'selector: complex' },
    ]);
  });

  it('does not ask for the topology already installed; counts voterInfo’s voters', () => {
    const h = h3({ selectionRules: rules, initialTopology: JSON.stringify({ kind: 'star' }) });
    h.run();
    expect(h.topologies).toStrictEqual([]);
    const few = coordinatorHarness(props({ selectionRules: rules, voterInfo: { v1: { role: 'a' }, v2: { role: 'b' } } }), { members: MEMBERS });
    few.run();
    expect(few.topologies).toStrictEqual([{ spec: { kind: 'mesh' }, reason: 'selector: small' }]);
  });

  it('a task change without selection rules asks for nothing', () => {
    const h = h3({ schedule: [{ atMs: 10, task: { complexity: 'high' } }] });
    h.run();
    h.fire('schedule:0');
    expect(h.topologies).toStrictEqual([]);
  });
});

describe('who votes', () => {
  it('with voterInfo: its voters, each sent the proposal directly (no broadcast), in its order', () => {
    const h = coordinatorHarness(props({ voterInfo: { v2: { role: 'a' }, v1: { role: 'b' } } }), { members: MEMBERS });
    h.run();
    expect(h.broadcasts).toStrictEqual([]);
    expect(h.sent).toStrictEqual([
      { to: 'v2', message: proposalOf('d1') },
      { to: 'v1', message: proposalOf('d1') },
    ]);
    expect(h.events('proposal')[0].voters).toBe(2);
    h.vote('v3', 'd1', 'A');
    expect(h.books().refusedVotes.stranger).toBe(1);
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    expect(h.events('decided')).toMatchObject([{ votes: 2, of: 2 }]);
  });

  it('without it: the members but itself; a vote from the coordinator’s own name or a non-member is a stranger’s', () => {
    const h = h3();
    h.run();
    h.vote('coord', 'd1', 'A');
    h.vote('x9', 'd1', 'A');
    expect(h.books().refusedVotes).toStrictEqual({ stranger: 2, duplicate: 0, malformed: 0, late: 0 });
    expect(h.events('vote')).toStrictEqual([]);
  });
});

describe('ballots', () => {
  it('refuses a malformed ballot, whatever is missing', () => {
    const h = h3();
    h.run();
    const bodies = [
      undefined,
      null,
      { vote: vote('v1', 'A') },
      { decision: 1, vote: vote('v1', 'A') },
      { decision: 'd1' },
      { decision: 'd1', vote: null },
      { decision: 'd1', vote: 'A' },
      { decision: 'd1', vote: { ...vote('v1', 'A'), decision: 1 } },
    ];
    for (const body of bodies) h.deliver('v1', 'vote', body);
    expect(h.books().refusedVotes).toStrictEqual({ stranger: 0, duplicate: 0, malformed: bodies.length, late: 0 });
    expect(h.events('vote')).toStrictEqual([]);
  });

  it('refuses a ballot for no open decision as late, Object.prototype’s names included', () => {
    const h = h3();
    h.run();
    for (const id of ['d2', '__proto__', 'constructor', 'toString']) h.vote('v1', id, 'A');
    expect(h.books().refusedVotes).toStrictEqual({ stranger: 0, duplicate: 0, malformed: 0, late: 4 });
  });

  it('counts a ballot as its sender’s, with its fields kept and defaults for the missing ones', () => {
    const h = h3();
    h.run();
    h.deliver('v1', 'vote', { decision: 'd1', vote: { agent: 'v3', decision: 'A', confidence: 1, evidence: 'x' } });
    h.deliver('v2', 'vote', { decision: 'd1', vote: { decision: 'B', role: 7, reason: 3, confidence: 0 } });
    expect(h.events('vote')).toStrictEqual([
      { decision: 'd1', agent: 'v1', role: 'agent', vote: 'A', reason: '', confidence: 1 },
      { decision: 'd1', agent: 'v2', role: 'agent', vote: 'B', reason: '', confidence: 0 },
    ]);
    const open = (h.state as { open: Record<string, { votes: Vote[] }> }).open.d1;
    expect(open.votes[0]).toStrictEqual({ agent: 'v1', role: 'agent', decision: 'A', reason: '', confidence: 1, evidence: 'x' });
  });

  it('a confidence out of [0, 1] or not a number counts as 0', () => {
    const h = coordinatorHarness(props({}, { decisions: 5, inFlight: 5 }), { members: ['coord', 'v1'] });
    h.run();
    const given: unknown[] = [1.01, -0.01, '0.5', 0.5, Number.NaN];
    given.forEach((c, i) => h.vote('v1', `d${i + 1}`, 'A', { confidence: c as number }));
    expect(h.events('vote').map((e) => e.confidence)).toStrictEqual([0, 0, 0, 0.5, 0]);
  });

  it('a second ballot is a duplicate; a different one is evidence, recorded once with the first evidence', () => {
    const h = h3({}, { decisions: 2, inFlight: 2 });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v1', 'd1', 'A');
    expect(h.books().byzantine).toStrictEqual({});
    h.vote('v1', 'd1', 'B');
    h.vote('v1', 'd2', 'A');
    h.vote('v1', 'd2', 'C');
    expect(h.books().refusedVotes.duplicate).toBe(3);
    expect(h.books().byzantine).toStrictEqual({ v1: 'd1: voted A, then B' });
    expect(h.events('byzantine-detected')).toStrictEqual([{ agent: 'v1', evidence: 'd1: voted A, then B' }]);
    // Only the first ballot counts.
    expect(
      h
        .events('vote')
        .filter((e) => e.agent === 'v1')
        .map((e) => e.vote),
    ).toStrictEqual(['A', 'A']);
  });

  it('a vote for no option is evidence but still counted; an abstention is neither', () => {
    const h = h3();
    h.run();
    h.vote('v1', 'd1', 'Z');
    h.vote('v2', 'd1', 'abstain');
    expect(h.books().byzantine).toStrictEqual({ v1: 'd1: voted "Z", which is not an option' });
    expect(h.events('vote').map((e) => e.vote)).toStrictEqual(['Z', 'abstain']);
  });

  it('with detectByzantine off, nobody is reported', () => {
    const h = h3({ security: { detectByzantine: false } });
    h.run();
    h.vote('v1', 'd1', 'Z');
    h.vote('v2', 'd1', 'A');
    h.vote('v2', 'd1', 'B');
    expect(h.books().byzantine).toStrictEqual({});
    expect(h.events('byzantine-detected')).toStrictEqual([]);
    expect(h.books().refusedVotes.duplicate).toBe(1);
  });

  it('traceVotes false keeps votes out of the trace, but a class with audit_trail keeps its own', () => {
    const h = h3({ traceVotes: false });
    h.run();
    h.vote('v1', 'd1', 'A');
    expect(h.events('vote')).toStrictEqual([]);
    const audited = h3({ traceVotes: false, policies: { gov: { audit_trail: true } } }, { policy: 'gov' });
    audited.run();
    audited.vote('v1', 'd1', 'A');
    expect(audited.events('vote')).toHaveLength(1);
    const unaudited = h3({ traceVotes: false, policies: { gov: { audit_trail: false } } }, { policy: 'gov' });
    unaudited.run();
    unaudited.vote('v1', 'd1', 'A');
    expect(unaudited.events('vote')).toStrictEqual([]);
    const traced = h3({ traceVotes: true });
    traced.run();
    traced.vote('v1', 'd1', 'A');
    expect(traced.events('vote')).toHaveLength(1);
  });

  it('detailed logging traces the whole ballot, its signature and the voter’s weight', () => {
    const h = h3({
      consensus: { algorithm: 'weighted_voting', votingTimeoutMs: 1000 },
      security: { sign: true, detailedLogging: true },
    });
    h.run();
    const v = vote('v1', 'A');
    h.deliver('v1', 'vote', { decision: 'd1', vote: v, signature: 's1' });
    expect(h.events('vote')).toStrictEqual([
      { decision: 'd1', agent: 'v1', role: 'analyst', vote: 'A', reason: 'because', confidence: 0.9, body: v, signature: 's1', weight: 1 },
    ]);
    expect(h.books().refusedVotes).toStrictEqual({ stranger: 0, duplicate: 0, malformed: 0, late: 0, unsigned: 0, 'bad-signature': 0 });
  });

  it('security refusals are counted by reason; one that is evidence reports the sender', () => {
    const h = h3({ security: { sign: true, encrypt: true, justify: true } }, { decisions: 1 });
    // The harness decrypts `box:<json>` from anyone.
    const box = (o: unknown) => ({ sealed: `box:${JSON.stringify(o)}` });
    const opened = coordinatorHarness(h.ctx.props, { members: MEMBERS, decrypt: (_f, b) => (b.startsWith('box:') ? b.slice(4) : undefined) });
    opened.run();
    opened.deliver('v1', 'vote', { decision: 'd1', vote: vote('v1', 'A'), signature: 's' }); // in clear
    opened.deliver('v1', 'vote', { sealed: 'garbage' });
    opened.deliver('v1', 'vote', box({ decision: 'd1', vote: vote('v1', 'A') })); // unsigned
    opened.deliver('v2', 'vote', box({ decision: 'd1', vote: vote('v3', 'A'), signature: 's' })); // names v3
    opened.deliver('v1', 'vote', box({ decision: 'd1', vote: vote('v1', 'A', { reason: ' ' }), signature: 's' }));
    expect(opened.books().refusedVotes).toStrictEqual({
      stranger: 0,
      duplicate: 0,
      malformed: 0,
      late: 0,
      unsigned: 1,
      'bad-signature': 1,
      unencrypted: 1,
      undecryptable: 1,
      unjustified: 1,
    });
    expect(opened.books().byzantine).toStrictEqual({ v2: 'd1: sent a vote naming v3 as its voter' });
    opened.deliver('v1', 'vote', box({ decision: 'd1', vote: vote('v1', 'A'), signature: 's' }));
    expect(opened.books().refusedVotes.unjustified).toBe(1);
    expect(opened.events('vote')).toHaveLength(1);
    // Without justify, a vote with no reason counts.
    const lax = h3();
    lax.run();
    lax.vote('v1', 'd1', 'A', { reason: '' });
    expect(lax.events('vote')).toHaveLength(1);
    expect(lax.books().refusedVotes).toStrictEqual({ stranger: 0, duplicate: 0, malformed: 0, late: 0 });
  });

  it('keeps counting ballots for a decision held for a person, without closing it again', () => {
    const h = h3({ consensus: { ...consensus, algorithm: 'adaptive', escalation: 'wait' } }, { risk: 'critical' });
    h.run();
    h.fire('timeout:d1');
    expect(h.events('escalated')).toHaveLength(1);
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.vote('v3', 'd1', 'A');
    expect(h.events('vote')).toHaveLength(3);
    expect(h.events('escalated')).toHaveLength(1);
    expect(h.events('decided')).toStrictEqual([]);
  });
});

describe('closing a decision', () => {
  it('at its timeout: timed out, with the votes it has; the timer only from itself, only for an open decision', () => {
    const h = h3({}, { decisions: 1 });
    h.at(0);
    h.run();
    h.vote('v1', 'd1', 'A');
    h.deliver('v1', 'timeout', 'd1');
    h.deliver('coord', 'timeout', 1);
    h.deliver('coord', 'timeout', 'd9');
    expect(h.events('decided')).toStrictEqual([]);
    h.at(1000);
    h.fire('timeout:d1');
    expect(h.events('decided')).toMatchObject([{ decision: 'd1', value: null, consensus: false, votes: 1, of: 3, cause: 'timeout', latencyMs: 1000 }]);
    expect(h.summary()).toMatchObject({ attempted: 1, decided: 0, timedOut: 1, noConsensus: 0, judged: 0, correct: 0, byOutcome: {} });
    // A timeout after it closed changes nothing.
    h.deliver('coord', 'timeout', 'd1');
    expect(h.events('decided')).toHaveLength(1);
  });

  it('complete without consensus: no consensus, not timed out', () => {
    const h = h3();
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'C');
    expect(h.summary()).toMatchObject({ decided: 0, timedOut: 0, noConsensus: 1 });
    expect(h.events('decided')[0]).toMatchObject({ cause: 'complete', consensus: false, value: null });
  });

  it('a decided value without a ground truth is counted but not judged', () => {
    const h = h3({}, { truth: undefined });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'B');
    expect(h.summary()).toMatchObject({ decided: 1, judged: 0, correct: 0, byOutcome: { B: 1 } });
  });
});

describe('escalation', () => {
  const adaptive = (extra: Record<string, unknown> = {}) => ({ ...consensus, algorithm: 'adaptive', ...extra });

  it('record (the default): traced, counted as escalated, settled at once with no value', () => {
    const h = h3({ consensus: adaptive() }, { risk: 'critical' });
    h.run();
    for (const v of ['v1', 'v2']) h.vote(v, 'd1', 'A');
    h.fire('timeout:d1');
    expect(h.events('escalated')).toStrictEqual([{ decision: 'd1', risk: 'critical', votes: 2, mode: 'record' }]);
    expect(h.events('decided')).toMatchObject([
      { decision: 'd1', value: null, consensus: false, strength: 0, algorithm: null, cause: 'escalated', reason: 'escalated to human oversight', votes: 2 },
    ]);
    expect(h.summary()).toMatchObject({ attempted: 1, escalated: 1, decided: 0, noConsensus: 0, timedOut: 0 });
  });

  it('an escalation with no risk at all traces risk null', () => {
    const h = h3({ consensus: adaptive({ adaptive: { low: 'escalate' }, escalation: 'record' }) });
    h.run();
    h.fire('timeout:d1');
    expect(h.events('escalated')).toStrictEqual([{ decision: 'd1', risk: null, votes: 0, mode: 'record' }]);
  });

  it('wait: held until a person answers from the runtime’s side; a value among the options decides it', () => {
    const h = h3({ consensus: adaptive({ escalation: 'wait' }) }, { risk: 'critical' });
    h.at(0);
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'B');
    expect(h.events('escalated')).toStrictEqual([{ decision: 'd1', risk: 'critical', votes: 3, mode: 'wait' }]);
    expect(h.replies).toStrictEqual([]);
    h.deliver('v1', 'human-decision', { decision: 'd1', value: 'A' });
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd9', value: 'A' });
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: '__proto__', value: 'A' });
    h.deliver(SYSTEM_SENDER, 'human-decision', { value: 'A' });
    h.deliver(SYSTEM_SENDER, 'human-decision', undefined);
    expect(h.events('decided')).toStrictEqual([]);
    h.at(500);
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 'A' });
    expect(h.events('decided')).toStrictEqual([
      {
        decision: 'd1',
        value: 'A',
        consensus: true,
        strength: 1,
        algorithm: null,
        votes: 3,
        of: 3,
        latencyMs: 500,
        cause: 'human',
        reason: 'decided by human oversight',
      },
    ]);
    expect(h.summary()).toMatchObject({ escalated: 1, decided: 1, noConsensus: 0, judged: 1, correct: 1, byOutcome: { A: 1 } });
    // Settled: a second answer is ignored.
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 'B' });
    expect(h.events('decided')).toHaveLength(1);
  });

  it('wait: a value that is not an option rejects it', () => {
    const h = h3({ consensus: adaptive({ escalation: 'wait' }) }, { risk: 'critical' });
    h.run();
    h.fire('timeout:d1');
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 'Z' });
    expect(h.events('decided')).toMatchObject([{ value: null, consensus: false, strength: 0, cause: 'human', reason: 'human oversight rejected it' }]);
    expect(h.summary()).toMatchObject({ escalated: 1, decided: 0, noConsensus: 1 });
    const numeric = h3({ consensus: adaptive({ escalation: 'wait' }) }, { risk: 'critical', options: ['1', '2'] });
    numeric.run();
    numeric.fire('timeout:d1');
    numeric.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 1 });
    expect(numeric.summary()).toMatchObject({ decided: 0, noConsensus: 1 });
  });
});

describe('the risk an adaptive decision is judged at', () => {
  const run = (risks: (string | undefined)[], taskRisk?: string) => {
    const h = coordinatorHarness(props({ consensus: { ...consensus, algorithm: 'adaptive' } }, { risk: taskRisk as never }), {
      members: ['coord', ...risks.map((_, i) => `v${i + 1}`)],
    });
    h.run();
    risks.forEach((r, i) => h.vote(`v${i + 1}`, 'd1', 'A', r === undefined ? {} : { risk: r }));
    if (risks.length === 0) h.fire('timeout:d1');
    return h.events('decided')[0]?.algorithm ?? h.events('escalated')[0];
  };

  it('the proposal’s own risk first', () => {
    expect(run(['critical', 'critical'], 'low')).toBe('simple_majority');
  });

  it('else the most common level the voters report, a tie going to the higher', () => {
    expect(run(['medium', 'medium', 'high'])).toBe('weighted_voting');
    expect(run(['high', 'low'])).toBe('byzantine_supermajority');
    expect(run(['low', 'medium'])).toBe('weighted_voting');
    expect(run(['low', 'low', 'critical'])).toBe('simple_majority');
    expect(run(['high', 'critical', 'critical', undefined])).toMatchObject({ risk: 'critical' });
    expect(run(['low', undefined, undefined])).toBe('simple_majority');
    expect(run(['medium', 'low', 'low', 'high', 'high'])).toBe('byzantine_supermajority');
  });

  it('none reported: low', () => {
    expect(run([undefined, undefined])).toBe('simple_majority');
  });
});

describe('dynamic weights', () => {
  const dyn = (extra: Record<string, unknown> = {}) => ({ ...consensus, algorithm: 'weighted_voting', dynamic_weights: true, ...extra });

  it('learn from the truth after each weighted decision, traced, and weigh the next', () => {
    const h = h3({ consensus: dyn() }, { decisions: 2 });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'B');
    const votes = [vote('v1', 'A'), vote('v2', 'B'), vote('v3', 'B')];
    const w1 = updateWeights({}, votes, 'A');
    expect(h.events('weights')).toStrictEqual([{ decision: 'd1', weights: w1 }]);
    expect(h.books().weights).toStrictEqual(w1);
    expect(w1.v1).toBeGreaterThan(w1.v2);
  });

  it('weight_reference outcome learns from the decision reached, and from nothing when there is none', () => {
    const h = h3({ consensus: dyn({ weight_reference: 'outcome' }) }, { decisions: 2 });
    h.run();
    for (const v of ['v1', 'v2']) h.vote(v, 'd1', 'B');
    h.vote('v3', 'd1', 'A');
    const w1 = updateWeights({}, [vote('v1', 'B'), vote('v2', 'B'), vote('v3', 'A')], 'B');
    expect(h.events('weights')).toStrictEqual([{ decision: 'd1', weights: w1 }]);
    h.vote('v1', 'd2', 'A');
    h.vote('v2', 'd2', 'B');
    h.vote('v3', 'd2', 'C');
    expect(h.events('weights')[1]).toStrictEqual({ decision: 'd2', weights: w1 });
  });

  it('dynamic options are passed on', () => {
    const h = h3({ consensus: dyn({ dynamicOptions: { rate: 0.5, min: 0.2, max: 1.2 } }) });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'A');
    expect(h.books().weights).toStrictEqual({ v1: 1.2, v2: 0.5, v3: 1.2 });
  });

  it('not without dynamic_weights, nor for another algorithm', () => {
    const plain = h3({ consensus: { ...consensus, algorithm: 'weighted_voting' } });
    plain.run();
    for (const v of ['v1', 'v2', 'v3']) plain.vote(v, 'd1', 'A');
    const other = h3({ consensus: { ...consensus, dynamic_weights: true } });
    other.run();
    for (const v of ['v1', 'v2', 'v3']) other.vote(v, 'd1', 'A');
    for (const h of [plain, other]) {
      expect(h.events('weights')).toStrictEqual([]);
      expect(h.summary()?.weights).toStrictEqual({});
    }
  });

  it('weigh a vote by the weights learnt: a learnt-heavy minority wins', () => {
    const h = h3({ consensus: dyn({ threshold: 0.5 }) }, { decisions: 1 });
    h.run({ seq: 0, elapsedMs: 0, weights: { v1: 5 } });
    h.vote('v1', 'd1', 'C');
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'B');
    expect(h.events('decided')[0]).toMatchObject({ value: 'C', consensus: true });
  });
});

describe('names of Object.prototype’s members (a stage or an option may be named so)', () => {
  const stage = (name: string, extra: Partial<Stage> = {}): Stage => ({ name, consensus_algorithm: 'simple_majority', depends_on: [], ...extra });

  it('a stage named __proto__ counts its votes and passes (it was refused every ballot as late and timed out)', () => {
    const h = h3({ workflow: { stages: [stage('__proto__')] } });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, '__proto__', 'A');
    expect(h.books().refusedVotes.late).toBe(0);
    expect(h.events('decided')).toMatchObject([{ decision: '__proto__', value: 'A', consensus: true, cause: 'complete', votes: 3 }]);
    expect(h.summary()?.stages).toStrictEqual({ ['__proto__']: { status: 'passed', decision: 'A', strength: 1, reason: undefined } });
  });

  it('a timeout or a late oversight answer for a settled stage named constructor is ignored (it threw)', () => {
    const policies = { gov: { human_oversight: true, oversightTimeoutMs: 50 } };
    const h = h3({ policies, workflow: { stages: [stage('constructor', { policy: 'gov' })] } });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'constructor', 'A');
    h.fire('oversight:constructor');
    expect(h.summary()).toMatchObject({ attempted: 1, noConsensus: 1, oversight: { requested: 1, rejected: 1, timedOut: 1 } });
    h.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'constructor', answer: 'approve' });
    h.deliver('coord', 'timeout', 'constructor');
    h.deliver('coord', 'oversight-timeout', 'toString');
    expect(h.events('decided')).toHaveLength(1);
    expect(h.books().oversight).toStrictEqual({ requested: 1, approved: 0, rejected: 1, escalated: 0, timedOut: 1 });
  });

  it('a decision for an option named __proto__ is counted in byOutcome (it was lost)', () => {
    const h = h3({}, { options: ['__proto__', 'B'], truth: '__proto__', decisions: 2 });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', '__proto__');
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd2', '__proto__');
    const s = h.summary();
    expect(s).toMatchObject({ decided: 2, judged: 2, correct: 2 });
    expect(Object.entries(s?.byOutcome ?? {})).toStrictEqual([['__proto__', 2]]);
    expect(Object.getPrototypeOf(s?.byOutcome)).toBe(Object.prototype);
  });
});

describe('classes of decision (policies)', () => {
  it('a class’s own timeout, algorithm and threshold; its counts by outcome', () => {
    const policies = { strict: { algorithm: 'supermajority', threshold: 0.9, timeoutMs: 300 } };
    const h = h3({ policies, consensus: { ...consensus, threshold: 0.5 } }, { policy: 'strict', decisions: 3 });
    h.run();
    expect(h.timers.get('timeout:d1')?.delayMs).toBe(300);
    expect(h.events('proposal')[0]).toStrictEqual({ decision: 'd1', question: 'Which?', options: OPTIONS, voters: 3, policy: 'strict' });
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.vote('v3', 'd1', 'B'); // 2 of 3 is below 0.9
    const d1 = h.events('decided')[0];
    const expected = supermajority({ threshold: 0.9 }).evaluate({ id: 'd1', question: 'Which?', options: OPTIONS }, [
      vote('v1', 'A'),
      vote('v2', 'A'),
      vote('v3', 'B'),
    ]);
    expect(d1).toMatchObject({ consensus: false, algorithm: 'supermajority', policy: 'strict', reason: expected.reason, strength: expected.strength });
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd2', 'A');
    h.vote('v1', 'd3', 'A');
    h.fire('timeout:d3');
    expect(h.summary()?.byPolicy).toStrictEqual({ strict: { attempted: 3, decided: 1, noConsensus: 1, timedOut: 1, escalated: 0 } });
  });

  it('a class naming its algorithm without a threshold takes that algorithm’s default, not the scenario’s', () => {
    const h = h3({ policies: { sm: { algorithm: 'supermajority' } }, consensus: { ...consensus, threshold: 0.5 } }, { policy: 'sm' });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.vote('v3', 'd1', 'B');
    // 2 of 3 is below supermajority's own 0.67; with the scenario's 0.5 it would pass.
    expect(h.events('decided')[0]).toMatchObject({ consensus: false, algorithm: 'supermajority' });
  });

  it('a class without an algorithm takes the scenario’s algorithm and threshold', () => {
    const h = h3({ policies: { plain: { timeoutMs: 200 } }, consensus: { ...consensus, algorithm: 'supermajority', threshold: 0.6 } }, { policy: 'plain' });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.vote('v3', 'd1', 'B');
    expect(h.events('decided')[0]).toMatchObject({ consensus: true, algorithm: 'supermajority', value: 'A' });
    const own = h3({ policies: { plain: { threshold: 0.9 } }, consensus: { ...consensus, algorithm: 'supermajority', threshold: 0.6 } }, { policy: 'plain' });
    own.run();
    own.vote('v1', 'd1', 'A');
    own.vote('v2', 'd1', 'A');
    own.vote('v3', 'd1', 'B');
    expect(own.events('decided')[0]).toMatchObject({ consensus: false, algorithm: 'supermajority' });
  });

  it('a task naming no class, or a class that does not exist, counts in no class', () => {
    for (const policy of [undefined, 'nope']) {
      const h = h3({ policies: { gov: { timeoutMs: 200 } } }, { policy });
      h.run();
      expect(h.timers.get('timeout:d1')?.delayMs).toBe(1000);
      for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
      expect(h.summary()?.byPolicy).toBeUndefined();
      expect('policy' in h.events('decided')[0]).toBe(false);
    }
  });

  it('expert review: the domain’s experts who voted must mostly agree', () => {
    const policies = { exp: { expert_review: true } };
    const experts = { v1: ['db'], v2: ['db'], v3: ['ui'] };
    const agree = h3({ policies, experts }, { policy: 'exp', domain: 'db' });
    agree.run();
    for (const v of ['v1', 'v2', 'v3']) agree.vote(v, 'd1', 'A');
    expect(agree.events('decided')[0]).toMatchObject({ consensus: true, value: 'A' });
    const split = h3({ policies, experts }, { policy: 'exp', domain: 'db' });
    split.run();
    split.vote('v1', 'd1', 'B');
    split.vote('v2', 'd1', 'A');
    split.vote('v3', 'd1', 'A');
    expect(split.events('decided')[0]).toMatchObject({ consensus: false, value: null, reason: 'expert review: 1 of 2 experts in db chose A' });
    expect(split.summary()?.byPolicy?.exp).toStrictEqual({ attempted: 1, decided: 0, noConsensus: 1, timedOut: 0, escalated: 0 });
    const none = h3({ policies: { exp: { expert_review: false } }, experts }, { policy: 'exp', domain: 'db' });
    none.run();
    none.vote('v1', 'd1', 'B');
    none.vote('v2', 'd1', 'A');
    none.vote('v3', 'd1', 'A');
    expect(none.events('decided')[0]).toMatchObject({ consensus: true, value: 'A' });
  });

  it('an escalated decision of a class counts as escalated in it', () => {
    const h = h3({ policies: { risky: { algorithm: 'adaptive' } } }, { policy: 'risky', risk: 'critical' });
    h.run();
    h.fire('timeout:d1');
    expect(h.summary()?.byPolicy?.risky).toStrictEqual({ attempted: 1, decided: 0, noConsensus: 0, timedOut: 0, escalated: 1 });
  });
});

describe('human oversight', () => {
  const gov = (extra: Record<string, unknown> = {}) => ({ gov: { human_oversight: true, oversightTimeoutMs: 250, ...extra } });
  const held = (extra: Record<string, unknown> = {}, choices = ['A', 'A', 'B']) => {
    const h = h3({ policies: gov(extra) }, { policy: 'gov' });
    h.at(0);
    h.run();
    choices.forEach((c, i) => h.vote(`v${i + 1}`, 'd1', c));
    return h;
  };

  it('holds a decision that reached consensus, asks, and times the hold', () => {
    const h = held();
    expect(h.events('decided')).toStrictEqual([]);
    expect(h.timers.get('oversight:d1')).toStrictEqual({ delayMs: 250, message: { kind: 'oversight-timeout', body: 'd1' } });
    const outcome = simpleMajority().evaluate({ id: 'd1', question: 'Which?', options: OPTIONS }, [vote('v1', 'A'), vote('v2', 'A'), vote('v3', 'B')]);
    expect(h.events('oversight-requested')).toStrictEqual([
      {
        decision: 'd1',
        policy: 'gov',
        question: 'Which?',
        options: OPTIONS,
        value: 'A',
        strength: outcome.strength,
        tally: { A: 2, B: 1 },
        votes: 3,
        timeoutMs: 250,
      },
    ]);
    expect(h.books().oversight).toStrictEqual({ requested: 1, approved: 0, rejected: 0, escalated: 0, timedOut: 0 });
    expect(h.replies).toStrictEqual([]);
  });

  it('approved by the hook: booked as the vote decided it', () => {
    const h = held();
    h.at(40);
    h.deliver('v1', 'oversight-answer', { decision: 'd1', answer: 'approve' });
    expect(h.events('oversight-answered')).toStrictEqual([]);
    h.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'd1', answer: 'approve' });
    expect(h.cancelled).toContain('oversight:d1');
    expect(h.timers.has('oversight:d1')).toBe(false);
    expect(h.events('oversight-answered')).toStrictEqual([{ decision: 'd1', policy: 'gov', answer: 'approve', by: 'hook' }]);
    expect(h.events('decided')).toMatchObject([{ value: 'A', consensus: true, cause: 'complete', algorithm: 'simple_majority', latencyMs: 40, policy: 'gov' }]);
    expect(h.summary()).toMatchObject({ decided: 1, noConsensus: 0, oversight: { requested: 1, approved: 1, rejected: 0, escalated: 0, timedOut: 0 } });
    // Settled once.
    h.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'd1', answer: 'reject' });
    expect(h.events('oversight-answered')).toHaveLength(1);
  });

  it('rejected by the hook (anything but approve rejects)', () => {
    const h = held();
    h.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'd1', answer: 'yes' });
    expect(h.events('oversight-answered')).toStrictEqual([{ decision: 'd1', policy: 'gov', answer: 'reject', by: 'hook' }]);
    expect(h.events('decided')).toMatchObject([
      { value: null, consensus: false, cause: 'oversight-rejected', reason: 'rejected by human oversight', algorithm: 'simple_majority' },
    ]);
    expect(h.summary()).toMatchObject({ decided: 0, noConsensus: 1, oversight: { requested: 1, approved: 0, rejected: 1, escalated: 0, timedOut: 0 } });
    expect(h.summary()?.byPolicy?.gov).toStrictEqual({ attempted: 1, decided: 0, noConsensus: 1, timedOut: 0, escalated: 0 });
  });

  it('no answer in time: the class’s on_timeout (reject by default); the timeout only from itself', () => {
    const h = held();
    h.deliver('v1', 'oversight-timeout', 'd1');
    h.deliver(SYSTEM_SENDER, 'oversight-timeout', 'd1');
    expect(h.events('oversight-answered')).toStrictEqual([]);
    h.fire('oversight:d1');
    expect(h.events('oversight-answered')).toStrictEqual([{ decision: 'd1', policy: 'gov', answer: 'reject', by: 'timeout' }]);
    expect(h.events('decided')).toMatchObject([{ consensus: false, reason: 'human oversight did not answer in time: rejected', cause: 'oversight-rejected' }]);
    expect(h.summary()?.oversight).toStrictEqual({ requested: 1, approved: 0, rejected: 1, escalated: 0, timedOut: 1 });
    // The hook's answer after the timeout is too late.
    h.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'd1', answer: 'approve' });
    expect(h.events('oversight-answered')).toHaveLength(1);
  });

  it('on_timeout approve books the vote’s outcome; escalate counts it escalated', () => {
    const a = held({ on_timeout: 'approve' });
    a.fire('oversight:d1');
    expect(a.summary()).toMatchObject({ decided: 1, escalated: 0, oversight: { approved: 1, timedOut: 1 } });
    const e = held({ on_timeout: 'escalate' });
    const strength = simpleMajority().evaluate({ id: 'd1', question: 'Which?', options: OPTIONS }, [
      vote('v1', 'A'),
      vote('v2', 'A'),
      vote('v3', 'B'),
    ]).strength;
    e.fire('oversight:d1');
    expect(e.events('decided')).toMatchObject([
      {
        value: null,
        consensus: false,
        strength,
        cause: 'oversight-escalated',
        reason: 'human oversight did not answer in time: escalated',
        algorithm: 'simple_majority',
      },
    ]);
    expect(e.summary()).toMatchObject({
      decided: 0,
      escalated: 1,
      noConsensus: 0,
      oversight: { requested: 1, approved: 0, rejected: 0, escalated: 1, timedOut: 1 },
    });
    expect(e.summary()?.byPolicy?.gov).toStrictEqual({ attempted: 1, decided: 0, noConsensus: 0, timedOut: 0, escalated: 1 });
  });

  it('a decision without consensus is not held; an answer for no held decision is ignored', () => {
    const h = held({}, ['A', 'B', 'C']);
    expect(h.events('oversight-requested')).toStrictEqual([]);
    expect(h.summary()).toMatchObject({ noConsensus: 1 });
    expect(h.summary()?.oversight).toBeUndefined();
    const g = held();
    g.deliver(SYSTEM_SENDER, 'oversight-answer', { decision: 'd9', answer: 'approve' });
    g.deliver(SYSTEM_SENDER, 'oversight-answer', { answer: 'approve' });
    g.deliver(SYSTEM_SENDER, 'oversight-answer', undefined);
    g.deliver('coord', 'oversight-timeout', 7);
    expect(g.events('oversight-answered')).toStrictEqual([]);
    expect(g.replies).toStrictEqual([]);
  });
});

describe('workflow stages', () => {
  const st = (name: string, extra: Partial<Stage> = {}): Stage => ({ name, consensus_algorithm: 'simple_majority', depends_on: [], ...extra });

  it('opens the ready stages, each sent to its electorate with its own question and options; the next opens as one passes', () => {
    const stages = [
      st('design', { question: 'How?', options: ['X', 'Y'], truth: 'X', expert_domains: ['db', 'ops'], risk: 'low' }),
      st('build', { depends_on: ['design'], max_agents: 2 }),
    ];
    const voterInfo = { v1: { role: 'a', domains: ['db'] }, v2: { role: 'b' }, v3: { role: 'c', domains: ['ops'] } };
    const h = coordinatorHarness(props({ workflow: { stages }, voterInfo }), { members: MEMBERS });
    h.at(0);
    h.run();
    const design = { kind: 'proposal', body: { id: 'design', question: 'How?', options: ['X', 'Y'], domain: 'db', stage: 'design' } };
    expect(h.sent).toStrictEqual([
      { to: 'v1', message: design },
      { to: 'v3', message: design },
    ]);
    expect(h.broadcasts).toStrictEqual([]);
    expect(h.events('proposal')).toStrictEqual([{ decision: 'design', question: 'How?', options: ['X', 'Y'], voters: 2, stage: 'design' }]);
    expect(h.books().stages).toStrictEqual({ design: { status: 'open' }, build: { status: 'pending' } });
    const open = (h.state as { open: Record<string, { proposal: unknown }> }).open.design;
    expect(open.proposal).toStrictEqual({ id: 'design', question: 'How?', options: ['X', 'Y'], domain: 'db', risk: 'low', timeoutMs: 1000, electorate: 2 });
    h.vote('v1', 'design', 'X');
    h.vote('v3', 'design', 'X');
    expect(h.events('decided')).toMatchObject([{ decision: 'design', value: 'X', stage: 'design' }]);
    expect(h.sent.slice(2)).toStrictEqual([
      { to: 'v1', message: { kind: 'proposal', body: { id: 'build', question: 'Which?', options: OPTIONS, domain: undefined, stage: 'build' } } },
      { to: 'v2', message: { kind: 'proposal', body: { id: 'build', question: 'Which?', options: OPTIONS, domain: undefined, stage: 'build' } } },
    ]);
    h.vote('v1', 'build', 'B');
    h.vote('v2', 'build', 'B');
    const s = h.summary();
    expect(s?.stages).toStrictEqual({
      design: { status: 'passed', decision: 'X', strength: 1, reason: undefined },
      build: { status: 'passed', decision: 'B', strength: 1, reason: undefined },
    });
    // A stage is judged by its own truth only (design's X); build has none, and is not judged.
    expect(s).toMatchObject({ attempted: 2, decided: 2, judged: 1, correct: 1 });
  });

  it('a failed stage blocks what depends on it, traced once each; the run then finishes', () => {
    const stages = [st('a'), st('b', { depends_on: ['a'] }), st('c', { depends_on: ['b'] }), st('d')];
    const h = h3({ workflow: { stages } });
    h.run();
    expect(h.books().stages).toStrictEqual({ a: { status: 'open' }, b: { status: 'pending' }, c: { status: 'pending' }, d: { status: 'open' } });
    h.vote('v1', 'a', 'A');
    h.vote('v2', 'a', 'B');
    h.vote('v3', 'a', 'C');
    expect(h.events('stage')).toStrictEqual([
      { stage: 'b', status: 'blocked', because: 'a' },
      { stage: 'c', status: 'blocked', because: 'a' },
    ]);
    expect(h.books().stages?.b).toStrictEqual({ status: 'blocked', reason: 'depends on a, which reached no consensus' });
    expect(h.replies).toStrictEqual([]);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd', 'A');
    expect(h.summary()?.stages).toMatchObject({ a: { status: 'failed' }, b: { status: 'blocked' }, c: { status: 'blocked' }, d: { status: 'passed' } });
    expect(h.summary()).toMatchObject({ attempted: 2 });
  });

  it('a stage’s threshold first, else its class’s; its algorithm always its own', () => {
    const run = (stage: Stage, policies?: Record<string, { threshold?: number; algorithm?: string }>) => {
      const h = h3({ workflow: { stages: [stage] }, policies, consensus: { ...consensus, algorithm: 'supermajority', threshold: 0.9 } });
      h.run();
      h.vote('v1', stage.name, 'A');
      h.vote('v2', stage.name, 'A');
      h.vote('v3', stage.name, 'B');
      return h.events('decided')[0];
    };
    expect(run(st('s', { consensus_algorithm: 'supermajority', threshold: 0.6 }), { p: { threshold: 0.9 } })).toMatchObject({
      consensus: true,
      algorithm: 'supermajority',
    });
    expect(run(st('s', { consensus_algorithm: 'supermajority', policy: 'p' }), { p: { threshold: 0.6, algorithm: 'simple_majority' } })).toMatchObject({
      consensus: true,
      algorithm: 'supermajority',
      policy: 'p',
    });
    expect(run(st('s', { consensus_algorithm: 'supermajority', policy: 'p' }), { p: { threshold: 0.9 } })).toMatchObject({ consensus: false });
    // Neither: the algorithm's own default (0.67), not the scenario's 0.9.
    expect(run(st('s', { consensus_algorithm: 'supermajority', threshold: undefined }))).toMatchObject({ consensus: false });
    expect(run(st('s', { consensus_algorithm: 'supermajority', threshold: 2 / 3 }))).toMatchObject({ consensus: true });
  });

  it('two stages of one algorithm with different thresholds are judged each by its own', () => {
    const stages = [st('lax', { threshold: 0.5 }), st('strict', { threshold: 0.9 })];
    const h = h3({ workflow: { stages } });
    h.run();
    for (const name of ['lax', 'strict']) {
      h.vote('v1', name, 'A');
      h.vote('v2', name, 'A');
      h.vote('v3', name, 'B');
    }
    expect(h.events('decided').map((e) => [e.decision, e.consensus])).toStrictEqual([
      ['lax', true],
      ['strict', false],
    ]);
  });

  it('a class’s timeout for a stage of that class', () => {
    const h = h3({ workflow: { stages: [st('s', { policy: 'p' })] }, policies: { p: { timeoutMs: 70 } } });
    h.run();
    expect(h.timers.get('timeout:s')?.delayMs).toBe(70);
    expect(h.events('proposal')[0]).toMatchObject({ stage: 's', policy: 'p' });
  });

  it('resumed: a stage still open was lost and fails, blocking what depends on it; passed ones stay passed', () => {
    const stages = [st('a'), st('b', { depends_on: ['a'] }), st('c', { depends_on: ['x'] }), st('x'), st('y', { depends_on: ['a'] })];
    const h = h3({ workflow: { stages } });
    h.run({
      seq: 0,
      elapsedMs: 10,
      stages: { a: { status: 'open' }, b: { status: 'pending' }, c: { status: 'pending' }, x: { status: 'passed', decision: 'A' }, y: { status: 'failed' } },
    });
    expect(h.events('stage')).toStrictEqual([
      { stage: 'a', status: 'failed', because: 'host-crash' },
      { stage: 'b', status: 'blocked', because: 'a' },
    ]);
    expect(h.books().stages).toStrictEqual({
      a: { status: 'failed', reason: 'lost with its coordinator in a host crash' },
      b: { status: 'blocked', reason: 'depends on a, which was lost in a host crash' },
      c: { status: 'open' },
      x: { status: 'passed', decision: 'A' },
      y: { status: 'failed' },
    });
    expect(h.events('proposal').map((e) => e.decision)).toStrictEqual(['c']);
  });

  it('a stage missing from the resume starts pending; a plain run fails nothing', () => {
    const stages = [st('a'), st('b', { depends_on: ['a'] })];
    const h = h3({ workflow: { stages } });
    h.run({ seq: 0, elapsedMs: 0, stages: { b: { status: 'pending' } } });
    expect(h.books().stages).toStrictEqual({ a: { status: 'open' }, b: { status: 'pending' } });
    const plain = h3({ workflow: { stages } });
    plain.run({ stages: { a: { status: 'open' } } });
    expect(plain.events('stage')).toStrictEqual([]);
    expect(plain.books().stages).toStrictEqual({ a: { status: 'open' }, b: { status: 'pending' } });
  });
});

describe('asking again after a host crash (resolicit)', () => {
  it('asks every voter that has not voted on each open decision, directly, and forgives their second ballot', () => {
    const stages: Stage[] = [{ name: 's', consensus_algorithm: 'simple_majority', depends_on: [] }];
    const h = h3({ workflow: { stages } });
    h.run();
    h.vote('v1', 's', 'A');
    h.deliver('v2', 'resolicit');
    expect(h.sent.length).toBe(3);
    h.deliver(SYSTEM_SENDER, 'resolicit');
    const message = { kind: 'proposal', body: { id: 's', question: 'Which?', options: OPTIONS, domain: undefined, stage: 's' } };
    expect(h.sent.slice(3)).toStrictEqual([
      { to: 'v2', message },
      { to: 'v3', message },
    ]);
    expect(h.events('resolicited')).toStrictEqual([{ decision: 's', voters: 2 }]);
    h.vote('v2', 's', 'A');
    h.vote('v2', 's', 'B');
    h.vote('v1', 's', 'B');
    expect(h.books().refusedVotes.duplicate).toBe(2);
    expect(h.books().byzantine).toStrictEqual({ v1: 's: voted A, then B' });
  });

  it('a decision with every ballot in is not traced; one without a stage carries none', () => {
    const h = h3({}, { decisions: 2, inFlight: 2 });
    h.run();
    for (const v of ['v1', 'v2']) h.vote(v, 'd1', 'A');
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd2', 'A');
    h.deliver(SYSTEM_SENDER, 'resolicit');
    expect(h.sent).toStrictEqual([{ to: 'v3', message: proposalOf('d1') }]);
    expect(h.events('resolicited')).toStrictEqual([{ decision: 'd1', voters: 1 }]);
    h.vote('v3', 'd1', 'A');
    h.deliver(SYSTEM_SENDER, 'resolicit');
    expect(h.events('resolicited')).toHaveLength(1);
  });
});

describe('winding down', () => {
  it('from the runtime’s side: opens nothing more and replies once those in flight have closed', () => {
    const h = h3({}, { decisions: 5, inFlight: 2 });
    h.run();
    h.deliver('v1', 'wind-down');
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    expect(h.broadcasts).toHaveLength(3);
    h.deliver(SYSTEM_SENDER, 'wind-down');
    expect(h.replies).toStrictEqual([]);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd2', 'A');
    expect(h.broadcasts).toHaveLength(3);
    expect(h.replies).toStrictEqual([]);
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd3', 'A');
    expect(h.broadcasts).toHaveLength(3);
    expect(h.summary()).toMatchObject({ attempted: 3, decided: 3 });
  });

  it('with nothing open it replies at once; a duration run too', () => {
    const h = h3({}, { decisions: undefined, durationMs: 1000 });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    h.fire('timeout:d2');
    expect(h.replies).toStrictEqual([]);
    h.deliver(SYSTEM_SENDER, 'wind-down');
    expect(h.replies).toStrictEqual([]);
    h.fire('timeout:d3');
    expect(h.summary()).toMatchObject({ attempted: 3, decided: 1, timedOut: 2 });
  });

  it('a workflow winding down opens no further stage', () => {
    const stages: Stage[] = [
      { name: 'a', consensus_algorithm: 'simple_majority', depends_on: [] },
      { name: 'b', consensus_algorithm: 'simple_majority', depends_on: ['a'] },
    ];
    const h = h3({ workflow: { stages } });
    h.run();
    h.deliver(SYSTEM_SENDER, 'wind-down');
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'a', 'A');
    expect(h.events('proposal').map((e) => e.decision)).toStrictEqual(['a']);
    expect(h.summary()?.stages).toMatchObject({ a: { status: 'passed' }, b: { status: 'pending' } });
  });

  it('before a run, or after it replied, a wind-down replies nothing', () => {
    const h = h3();
    h.deliver(SYSTEM_SENDER, 'wind-down');
    expect(h.replies).toStrictEqual([]);
    h.run();
    expect(h.broadcasts).toStrictEqual([]);
    expect(h.summary()).toMatchObject({ attempted: 0 });
  });

  it('waits for a decision held for a person, and for one held for oversight', () => {
    const h = h3({ consensus: { ...consensus, algorithm: 'adaptive', escalation: 'wait' } }, { risk: 'critical' });
    h.run();
    h.fire('timeout:d1');
    h.deliver(SYSTEM_SENDER, 'wind-down');
    expect(h.replies).toStrictEqual([]);
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 'A' });
    expect(h.summary()).toMatchObject({ attempted: 1, escalated: 1 });
    const o = h3({ policies: { gov: { human_oversight: true, oversightTimeoutMs: 5 } } }, { policy: 'gov' });
    o.run();
    for (const v of ['v1', 'v2', 'v3']) o.vote(v, 'd1', 'A');
    o.deliver(SYSTEM_SENDER, 'wind-down');
    expect(o.replies).toStrictEqual([]);
    o.fire('oversight:d1');
    expect(o.summary()).toMatchObject({ attempted: 1 });
  });
});

describe('security and audit books', () => {
  it('keeps a counter for each refusal its settings enforce, and compliance books when asked', () => {
    const h = h3({ security: { encrypt: true, justify: true, compliance: true } });
    expect(h.books().refusedVotes).toStrictEqual({ stranger: 0, duplicate: 0, malformed: 0, late: 0, unencrypted: 0, undecryptable: 0, unjustified: 0 });
    expect(h.books().compliance).toStrictEqual({ checked: 0, failed: 0, findings: [] });
    expect(h3().books().compliance).toBeUndefined();
  });

  it('checks each decision that reached consensus against the threshold of justified votes', () => {
    const h = h3({ security: { compliance: true }, consensus: { ...consensus, threshold: 0.6 } }, { decisions: 2 });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A', { reason: '' });
    h.vote('v3', 'd1', 'A', { reason: '' });
    expect(h.events('compliance-finding')).toStrictEqual([{ decision: 'd1', finding: 'only 1 of 3 votes justified (needs 60%)' }]);
    h.vote('v1', 'd2', 'A');
    h.vote('v2', 'd2', 'A');
    h.vote('v3', 'd2', 'A', { reason: '' });
    expect(h.summary()?.compliance).toStrictEqual({
      checked: 2,
      failed: 1,
      findings: [{ decision: 'd1', finding: 'only 1 of 3 votes justified (needs 60%)' }],
    });
  });

  it('with no threshold, half; a decision by a person is on record as human oversight', () => {
    const h = h3(
      { security: { compliance: true }, consensus: { ...consensus, algorithm: 'adaptive', escalation: 'wait' } },
      { risk: 'critical', decisions: 1 },
    );
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A', { reason: '' });
    h.fire('timeout:d1');
    h.deliver(SYSTEM_SENDER, 'human-decision', { decision: 'd1', value: 'A' });
    // 1 of 2 justified is 50 %: enough; and the policy on record is 'human oversight'.
    expect(h.summary()?.compliance).toStrictEqual({ checked: 1, failed: 0, findings: [] });
    const low = h3({ security: { compliance: true } });
    low.run();
    low.vote('v1', 'd1', 'A');
    low.vote('v2', 'd1', 'A', { reason: '' });
    low.vote('v3', 'd1', 'A', { reason: '' });
    expect(low.summary()?.compliance?.findings).toStrictEqual([{ decision: 'd1', finding: 'only 1 of 3 votes justified (needs 50%)' }]);
  });
});

describe('edges the first mutation run left', () => {
  const st = (name: string, extra: Partial<Stage> = {}): Stage => ({ name, consensus_algorithm: 'simple_majority', depends_on: [], ...extra });

  it('a resume without stages of a workflow: every stage pending, none lost', () => {
    const h = h3({ workflow: { stages: [st('a'), st('b', { depends_on: ['a'] })] } });
    h.run({ seq: 0, elapsedMs: 0 });
    expect(h.books().stages).toStrictEqual({ a: { status: 'open' }, b: { status: 'pending' } });
    expect(h.events('stage')).toStrictEqual([]);
  });

  it('a class named "undefined" is not the class of a decision that names none', () => {
    const policies = {
      undefined: {
        algorithm: 'supermajority',
        threshold: 0.95,
        timeoutMs: 5,
        audit_trail: true,
        expert_review: true,
        human_oversight: true,
        oversightTimeoutMs: 9,
      },
    };
    const h = h3({ policies, traceVotes: false });
    h.run();
    expect(h.timers.get('timeout:d1')?.delayMs).toBe(1000);
    expect(h.events('proposal')[0]).toStrictEqual({ decision: 'd1', question: 'Which?', options: OPTIONS, voters: 3 });
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.vote('v3', 'd1', 'B');
    expect(h.events('vote')).toStrictEqual([]);
    expect(h.events('oversight-requested')).toStrictEqual([]);
    expect(h.events('decided')[0]).toMatchObject({ consensus: true, value: 'A', algorithm: 'simple_majority' });
    expect(h.summary()?.byPolicy).toBeUndefined();
  });

  it('a task naming a class when there are no classes at all', () => {
    const h = h3({}, { policy: 'gov' });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 'd1', 'A');
    expect(h.summary()).toMatchObject({ decided: 1 });
    expect(h.summary()?.byPolicy).toBeUndefined();
  });

  it('counts a second refusal of the same reason (security and justification)', () => {
    const h = h3({ security: { sign: true, justify: true } });
    h.run();
    h.deliver('v1', 'vote', { decision: 'd1', vote: vote('v1', 'A') });
    h.deliver('v2', 'vote', { decision: 'd1', vote: vote('v2', 'A') });
    h.deliver('v1', 'vote', { decision: 'd1', vote: vote('v1', 'A', { reason: '' }), signature: 's' });
    h.deliver('v2', 'vote', { decision: 'd1', vote: vote('v2', 'A', { reason: '' }), signature: 's' });
    h.deliver('v3', 'vote', { decision: 'd1', vote: vote('v3', 'A', { reason: '' }), signature: 's' });
    expect(h.books().refusedVotes).toMatchObject({ unsigned: 2, 'bad-signature': 0, unjustified: 3 });
  });

  it('a discovered risk of low is traced as low when low escalates', () => {
    const h = h3({ consensus: { ...consensus, algorithm: 'adaptive', adaptive: { low: 'escalate' } } });
    h.run();
    h.vote('v1', 'd1', 'A', { risk: 'low' });
    h.vote('v2', 'd1', 'A', { risk: 'low' });
    h.vote('v3', 'd1', 'A', { risk: 'medium' });
    expect(h.events('escalated')).toStrictEqual([{ decision: 'd1', risk: 'low', votes: 3, mode: 'record' }]);
  });

  it('weighted voting without dynamic weights weighs by the configuration', () => {
    const h = h3({ consensus: { ...consensus, algorithm: 'weighted_voting', agent_weights: { chief: 5 } } });
    h.run();
    h.vote('v1', 'd1', 'C', { role: 'chief' });
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'B');
    expect(h.events('decided')[0]).toMatchObject({ consensus: true, value: 'C', algorithm: 'weighted_voting' });
  });

  it('adaptive with dynamic_weights: a decision adaptive sends to weighted voting weighs by the configuration, and learns nothing', () => {
    const h = h3({ consensus: { ...consensus, algorithm: 'adaptive', dynamic_weights: true, agent_weights: { chief: 5 } } }, { risk: 'medium' });
    h.run();
    h.vote('v1', 'd1', 'C', { role: 'chief' });
    h.vote('v2', 'd1', 'B');
    h.vote('v3', 'd1', 'B');
    expect(h.events('decided')[0]).toMatchObject({ consensus: true, value: 'C', algorithm: 'weighted_voting' });
    expect(h.events('weights')).toStrictEqual([]);
  });

  it('a decision of a class and one of none, of the same algorithm and electorate, are judged each by its own threshold', () => {
    const h = h3({ policies: { strict: { threshold: 0.9 } }, schedule: [{ atMs: 10, task: { policy: 'strict' } as never }] }, { decisions: 2 });
    h.run();
    h.vote('v1', 'd1', 'A');
    h.vote('v2', 'd1', 'A');
    h.fire('schedule:0');
    h.vote('v3', 'd1', 'B');
    h.vote('v1', 'd2', 'A');
    h.vote('v2', 'd2', 'A');
    h.vote('v3', 'd2', 'B');
    expect(h.events('decided').map((e) => [e.decision, e.consensus, e.policy])).toStrictEqual([
      ['d1', true, undefined],
      ['d2', false, 'strict'],
    ]);
  });

  it('dynamic weights in a workflow learn each stage from its own truth', () => {
    const stages = [
      st('s1', { consensus_algorithm: 'weighted_voting', options: ['X', 'Y'], truth: 'X' }),
      st('s2', { consensus_algorithm: 'weighted_voting', options: ['X', 'Y'], truth: 'Y', depends_on: ['s1'] }),
    ];
    const h = h3({ workflow: { stages }, consensus: { ...consensus, algorithm: 'weighted_voting', dynamic_weights: true } });
    h.run();
    h.vote('v1', 's1', 'X');
    h.vote('v2', 's1', 'X');
    h.vote('v3', 's1', 'Y');
    const w1 = updateWeights({}, [vote('v1', 'X'), vote('v2', 'X'), vote('v3', 'Y')], 'X');
    expect(h.events('weights')).toStrictEqual([{ decision: 's1', weights: w1 }]);
    h.vote('v1', 's2', 'Y');
    h.vote('v2', 's2', 'X');
    h.vote('v3', 's2', 'Y');
    const w2 = updateWeights(w1, [vote('v1', 'Y'), vote('v2', 'X'), vote('v3', 'Y')], 'Y');
    expect(h.events('weights')[1]).toStrictEqual({ decision: 's2', weights: w2 });
    expect(h.summary()?.weights).toStrictEqual(w2);
  });

  it('a stage held for oversight says which stage', () => {
    const h = h3({ policies: { gov: { human_oversight: true, oversightTimeoutMs: 5 } }, workflow: { stages: [st('s', { policy: 'gov' })] } });
    h.run();
    for (const v of ['v1', 'v2', 'v3']) h.vote(v, 's', 'A');
    expect(h.events('oversight-requested')).toMatchObject([{ decision: 's', policy: 'gov', stage: 's', votes: 3 }]);
  });

  it('a stage blocked already by one failure is not blocked again by a second', () => {
    const stages = [st('a'), st('b'), st('c', { depends_on: ['a', 'b'] })];
    const h = h3({ workflow: { stages } });
    h.run();
    for (const [v, c] of [
      ['v1', 'A'],
      ['v2', 'B'],
      ['v3', 'C'],
    ])
      h.vote(v, 'a', c);
    for (const [v, c] of [
      ['v1', 'A'],
      ['v2', 'B'],
      ['v3', 'C'],
    ])
      h.vote(v, 'b', c);
    expect(h.events('stage')).toStrictEqual([{ stage: 'c', status: 'blocked', because: 'a' }]);
    expect(h.summary()?.stages?.c).toStrictEqual({ status: 'blocked', reason: 'depends on a, which reached no consensus' });
  });
});
