import { describe, expect, it } from 'vitest';
import { checkVotingTally, type TallyConfig, VotingTallyMonitor } from '../src/check/voting-tally.ts';
import type { TraceEvent } from '../src/index.ts';

// The tally-integrity checker fed hand-built traces, one rule per case (as its mutation run on
// issue 20's list asked: 63 survivors and 20 uncovered mutants before these). simple_majority on
// A, A, B of an electorate of 3 decides "A" with strength 2/3.
const emit = (event: Record<string, unknown>, actor = 'c'): TraceEvent => ({ t: 0, type: 'emit', actor, event }) as TraceEvent;
const proposal = (decision = 'd1', extra: Record<string, unknown> = {}) => emit({ type: 'proposal', decision, options: ['A', 'B'], voters: 3, ...extra });
const vote = (agent: string, choice: string, decision = 'd1') => emit({ type: 'vote', decision, agent, role: 'r', vote: choice });
const AAB = (decision = 'd1') => [vote('a1', 'A', decision), vote('a2', 'A', decision), vote('a3', 'B', decision)];
const decided = (extra: Record<string, unknown> = {}) =>
  emit({ type: 'decided', decision: 'd1', value: 'A', consensus: true, strength: 2 / 3, algorithm: 'simple_majority', votes: 3, ...extra });

const base: TallyConfig = {
  consensus: { algorithm: 'simple_majority', votingTimeoutMs: 1000 },
  task: { question: 'q', options: ['A', 'B'], inFlight: 1 },
} as TallyConfig;
const check = (events: TraceEvent[], config: Partial<TallyConfig> = {}) => checkVotingTally(events, { ...base, ...config } as TallyConfig);
const details = (events: TraceEvent[], config: Partial<TallyConfig> = {}) => check(events, config).map((v) => v.detail);

describe('VotingTallyMonitor: what it opens, counts and ignores', () => {
  it('a correct decision passes; with a wrong strength it is a violation naming both outcomes and the recorded votes, with every position', () => {
    expect(check([proposal(), ...AAB(), decided()])).toEqual([]);
    expect(check([proposal(), ...AAB(), decided({ strength: 0.5 })])).toEqual([
      {
        property: 'tally-integrity',
        decision: 'd1',
        detail: 'd1: "c" decided "A" (strength 0.5) where simple_majority on the recorded votes gives "A" (strength 0.6667) (recorded: A 2, B 1)',
        at: 4,
        positions: [0, 1, 2, 3, 4],
      },
    ]);
  });

  it('a wrong value alone, or a wrong consensus alone, is a violation', () => {
    expect(details([proposal(), ...AAB(), decided({ value: 'B' })])).toHaveLength(1);
    expect(details([proposal(), ...AAB(), decided({ consensus: false })])).toEqual([
      'd1: "c" decided no consensus (strength 0.6667) where simple_majority on the recorded votes gives "A" (strength 0.6667) (recorded: A 2, B 1)',
    ]);
  });

  it('counts: one vote counted, two recorded; two counted, one recorded (singular and plural said right)', () => {
    expect(details([proposal(), vote('a1', 'A'), vote('a2', 'A'), decided({ votes: 1, algorithm: 'custom' })])).toEqual([
      'd1: "c" counted 1 vote but 2 were recorded (recorded: A 2, B 0)',
    ]);
    expect(details([proposal(), vote('a1', 'A'), decided({ votes: 2, algorithm: 'custom' })])).toEqual([
      'd1: "c" counted 2 votes but 1 was recorded (recorded: A 1, B 0)',
    ]);
  });

  it('a proposal without options or without an electorate opens nothing: its decision is not judged', () => {
    const wrong = decided({ strength: 0.1 });
    expect(check([emit({ type: 'proposal', decision: 'd1', voters: 3 }), ...AAB(), wrong])).toEqual([]);
    expect(check([emit({ type: 'proposal', decision: 'd1', options: ['A', 'B'] }), ...AAB(), wrong])).toEqual([]);
    expect(check([...AAB(), wrong])).toEqual([]);
  });

  it('decisions are per coordinator and per id; a vote for another decision is not counted here', () => {
    const trace = [
      proposal(),
      proposal('d1', {}),
      ...AAB(),
      vote('x', 'B', 'd2'),
      emit({ type: 'vote', decision: 'd1', agent: 'y', role: 'r', vote: 'B' }, 'other'),
      decided(),
    ];
    expect(check(trace)).toEqual([]);
  });

  it('fed without positions, a violation carries none', () => {
    const monitor = new VotingTallyMonitor(base);
    for (const e of [proposal(), ...AAB(), decided({ strength: 0.5 })]) monitor.observe(e);
    expect(monitor.violations).toHaveLength(1);
    expect(monitor.violations[0]).not.toHaveProperty('at');
    expect(monitor.violations[0]).not.toHaveProperty('positions');
  });

  it('with traceVotes: false there are no votes to count, and nothing is judged', () => {
    expect(check([proposal(), ...AAB(), decided({ strength: 0.5 })], { traceVotes: false })).toEqual([]);
  });

  it('a custom policy, adaptive and an escalated decision are checked for their count only', () => {
    for (const algorithm of ['custom-policy', null])
      expect(check([proposal(), ...AAB(), decided({ algorithm, value: 'B', strength: 0.1 })]), String(algorithm)).toEqual([]);
  });
});

describe('VotingTallyMonitor: decision classes and human oversight', () => {
  const policies = { critical: { human_oversight: true }, reviewed: { expert_review: true }, strict: { algorithm: 'supermajority', threshold: 0.9 } };

  it('a class needing oversight: decided with consensus and approved passes; without the approval it is named', () => {
    const trace = (answer?: string) => [
      proposal(),
      ...AAB(),
      ...(answer ? [emit({ type: 'oversight-answered', decision: 'd1', answer })] : []),
      decided({ policy: 'critical' }),
    ];
    expect(check(trace('approve'), { policies })).toEqual([]);
    expect(details(trace(), { policies })).toEqual([
      'd1: "c" decided "A" (strength 0.6667) without the approval its class (critical) requires (oversight answered nothing) (recorded: A 2, B 1)',
    ]);
    expect(details(trace('reject'), { policies })[0]).toContain('(oversight answered reject)');
    // Without consensus there is nothing to approve.
    expect(
      check(
        [proposal(), vote('a1', 'A'), vote('a2', 'B'), vote('a3', 'abstain'), decided({ policy: 'critical', value: null, consensus: false, strength: 0.5 })],
        { policies },
      ),
    ).toEqual([]);
  });

  it('closed by a rejection: only with that answer, without consensus, and where the votes gave consensus', () => {
    const rejected = (answer: string | undefined, extra: Record<string, unknown> = {}, votes = AAB()) => [
      proposal(),
      ...votes,
      ...(answer ? [emit({ type: 'oversight-answered', decision: 'd1', answer })] : []),
      decided({ policy: 'critical', cause: 'oversight-rejected', consensus: false, value: null, ...extra }),
    ];
    expect(check(rejected('reject'), { policies })).toEqual([]);
    expect(details(rejected(undefined), { policies })[0]).toContain('closed as oversight-rejected but oversight answered nothing');
    expect(details(rejected('approve'), { policies })[0]).toContain('closed as oversight-rejected but oversight answered approve');
    expect(details(rejected('reject', { consensus: true }), { policies })[0]).toContain('closed as oversight-rejected with consensus');
    const split = [vote('a1', 'A'), vote('a2', 'B'), vote('a3', 'abstain')];
    expect(details(rejected('reject', {}, split), { policies })[0]).toContain(
      'was held for oversight but simple_majority on the recorded votes gives no consensus',
    );
    // Escalated the same way; and the answer belongs to its own decision only.
    expect(
      check(
        [
          proposal(),
          ...AAB(),
          emit({ type: 'oversight-answered', decision: 'd1', answer: 'escalate' }),
          decided({ policy: 'critical', cause: 'oversight-escalated', consensus: false, value: null }),
        ],
        { policies },
      ),
    ).toEqual([]);
    expect(
      details([...rejected('reject'), proposal(), ...AAB(), decided({ policy: 'critical', cause: 'oversight-rejected', consensus: false, value: null })], {
        policies,
      }),
    ).toHaveLength(1);
  });

  it("a class's algorithm and threshold replace the scenario's; the scenario's threshold does not apply to another algorithm", () => {
    // supermajority at 0.9 on A, A, B: no consensus.
    expect(check([proposal(), ...AAB(), decided({ policy: 'strict', algorithm: 'supermajority', consensus: false, value: null })], { policies })).toEqual([]);
    expect(details([proposal(), ...AAB(), decided({ policy: 'strict', algorithm: 'supermajority' })], { policies })).toHaveLength(1);
    const loose = { policies: { loose: { algorithm: 'supermajority' } }, consensus: { ...base.consensus, threshold: 0.5 } } as Partial<TallyConfig>;
    // supermajority's own threshold is not met by 2 of 3; the scenario's 0.5 (which it would meet) was for simple_majority.
    expect(check([proposal(), ...AAB(), decided({ policy: 'loose', algorithm: 'supermajority', consensus: false, value: null })], loose)).toEqual([]);
    const sameAlgorithm = { policies: { tuned: { threshold: 0.9 } } } as Partial<TallyConfig>;
    expect(check([proposal(), ...AAB(), decided({ policy: 'tuned', consensus: false, value: null })], sameAlgorithm)).toEqual([]);
  });

  it('expert review: a decision the experts in its domain did not choose is named; abstaining experts do not count', () => {
    const config = { policies, experts: { a3: ['db'], a1: ['web'], a2: ['db'] }, task: { ...base.task, domain: 'db' } } as Partial<TallyConfig>;
    // The db experts: a2 (A) and a3 (B) split: no strict majority for A.
    expect(details([proposal(), ...AAB(), decided({ policy: 'reviewed' })], config)).toEqual([
      'd1: "c" decided "A" although the experts in its domain did not choose it (expert_review) (recorded: A 2, B 1)',
    ]);
    // Closed without consensus after the review: agreed.
    expect(check([proposal(), ...AAB(), decided({ policy: 'reviewed', consensus: false, value: null })], config)).toEqual([]);
    // a3 abstains: the only db expert voting chose A.
    const abstaining = [vote('a1', 'A'), vote('a2', 'A'), vote('a3', 'abstain')];
    expect(check([proposal(), ...abstaining, decided({ policy: 'reviewed', strength: 1 })], config)).toEqual([]);
    // No domain at all: no expert can approve.
    const noDomain = { ...config, task: base.task } as Partial<TallyConfig>;
    expect(details([proposal(), ...AAB(), decided({ policy: 'reviewed' })], noDomain)[0]).toContain('(expert_review)');
  });

  it("a stage's experts' field is the review's domain, and its algorithm and threshold are the stage's", () => {
    const workflow = {
      stages: [
        { name: 'design', consensus_algorithm: 'supermajority', threshold: 0.6, expert_domains: ['web'], depends_on: [] },
        { name: 'other', consensus_algorithm: 'simple_majority', depends_on: [] },
      ],
    };
    const config = { policies, workflow, experts: { a1: ['web'], a2: ['db'], a3: ['db'] }, task: { ...base.task, domain: 'db' } } as Partial<TallyConfig>;
    // a1, the only web expert, chose A: the review passes in the stage's domain (it would fail in db).
    expect(check([proposal(), ...AAB(), decided({ stage: 'design', policy: 'reviewed', algorithm: 'supermajority' })], config)).toEqual([]);
    expect(details([proposal(), ...AAB(), decided({ policy: 'reviewed' })], config)[0]).toContain('(expert_review)');
  });
});

describe('VotingTallyMonitor: dynamic weights', () => {
  it('weights recorded at a decision apply from the next decision of that coordinator on', () => {
    const config = { consensus: { algorithm: 'weighted_voting', votingTimeoutMs: 1000, dynamic_weights: true } } as Partial<TallyConfig>;
    const trace = [
      proposal(),
      ...AAB(),
      emit({ type: 'weights', decision: 'd1', weights: { a1: 0.1, a2: 0.1, a3: 5 } }),
      decided({ algorithm: 'weighted_voting' }),
      proposal('d2'),
      ...AAB('d2'),
      emit({ type: 'decided', decision: 'd2', value: 'A', consensus: true, strength: 2 / 3, algorithm: 'weighted_voting', votes: 3 }),
    ];
    // d1 by equal weights (A); d2 by the new weights (B far heavier), so d2's "A" is wrong.
    const v = check(trace, config);
    expect(v.map((x) => x.decision)).toEqual(['d2']);
  });
});
