import { describe, expect, it } from 'vitest';
import { checkVotingTally, type TallyConfig } from '../src/check/voting-tally.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The tally-integrity checker where a configuration leaves something out (no policies, no
 * workflow, no experts, a stage without expert domains) while a `decided` event names it, where
 * `adaptive` picked an algorithm (the configured threshold is not the pick's), and where one
 * decision has two problems: the gaps test/MUTATION.md listed for src/check/voting-tally.ts.
 * simple_majority on A, A, B of an electorate of 3 decides "A" with strength 2/3.
 */

const emit = (event: Record<string, unknown>, actor = 'c'): TraceEvent => ({ t: 0, type: 'emit', actor, event }) as TraceEvent;
const proposal = (decision = 'd1') => emit({ type: 'proposal', decision, options: ['A', 'B'], voters: 3 });
const vote = (agent: string, choice: string, decision = 'd1') => emit({ type: 'vote', decision, agent, role: 'r', vote: choice });
const AAB = [vote('a1', 'A'), vote('a2', 'A'), vote('a3', 'B')];
const decided = (extra: Record<string, unknown> = {}) =>
  emit({ type: 'decided', decision: 'd1', value: 'A', consensus: true, strength: 2 / 3, algorithm: 'simple_majority', votes: 3, ...extra });

const base: TallyConfig = {
  consensus: { algorithm: 'simple_majority', votingTimeoutMs: 1000 },
  task: { question: 'q', options: ['A', 'B'], inFlight: 1 },
} as TallyConfig;
const check = (events: TraceEvent[], config: Partial<TallyConfig> = {}) => checkVotingTally(events, { ...base, ...config } as TallyConfig);

describe('what the configuration leaves out', () => {
  it("a class named by the decision but no policies configured: judged as the scenario's algorithm", () => {
    expect(check([proposal(), ...AAB, decided({ policy: 'critical' })])).toEqual([]);
    expect(check([proposal(), ...AAB, decided({ policy: 'critical', strength: 0.5 })])).toHaveLength(1);
  });

  it("a stage named by the decision but no workflow configured: judged as the scenario's algorithm, in the task's domain", () => {
    expect(check([proposal(), ...AAB, decided({ stage: 'design' })])).toEqual([]);
    const reviewed = { policies: { reviewed: { expert_review: true } }, experts: { a1: ['db'] }, task: { ...base.task, domain: 'db' } } as Partial<TallyConfig>;
    // The only db expert (a1) chose A: the review passes, with the task's domain.
    expect(check([proposal(), ...AAB, decided({ stage: 'design', policy: 'reviewed' })], reviewed)).toEqual([]);
  });

  it('expert review with no experts configured: nobody approves', () => {
    const config = { policies: { reviewed: { expert_review: true } }, task: { ...base.task, domain: 'db' } } as Partial<TallyConfig>;
    expect(check([proposal(), ...AAB, decided({ policy: 'reviewed' })], config).map((v) => v.detail)).toEqual([
      'd1: "c" decided "A" although the experts in its domain did not choose it (expert_review) (recorded: A 2, B 1)',
    ]);
  });

  it("a stage without expert domains reviews in the task's domain", () => {
    const workflow = { stages: [{ name: 'plain', consensus_algorithm: 'simple_majority', depends_on: [] }] };
    const config = {
      policies: { reviewed: { expert_review: true } },
      workflow,
      experts: { a1: ['db'], a3: ['web'] },
      task: { ...base.task, domain: 'db' },
    } as Partial<TallyConfig>;
    expect(check([proposal(), ...AAB, decided({ stage: 'plain', policy: 'reviewed' })], config)).toEqual([]);
    const web = { ...config, task: { ...base.task, domain: 'web' } } as Partial<TallyConfig>;
    expect(check([proposal(), ...AAB, decided({ stage: 'plain', policy: 'reviewed' })], web)).toHaveLength(1);
  });
});

describe('adaptive', () => {
  // A, A, A, B of 4: supermajority decides A with 0.75 at its default threshold (0.67).
  const votes4 = [vote('a1', 'A'), vote('a2', 'A'), vote('a3', 'A'), vote('a4', 'B')];
  const proposal4 = emit({ type: 'proposal', decision: 'd1', options: ['A', 'B'], voters: 4 });
  const picked = decided({ algorithm: 'supermajority', strength: 0.75, votes: 4 });

  it("the configured threshold and minimum are adaptive's, not the pick's: the pick runs with its defaults", () => {
    const config = { consensus: { algorithm: 'adaptive', threshold: 0.9, min_participants: 5, votingTimeoutMs: 1000 } } as Partial<TallyConfig>;
    expect(check([proposal4, ...votes4, picked], config)).toEqual([]);
  });

  it('the configured algorithm itself takes them', () => {
    const config = { consensus: { algorithm: 'supermajority', threshold: 0.9, votingTimeoutMs: 1000 } } as Partial<TallyConfig>;
    expect(check([proposal4, ...votes4, picked], config).map((v) => v.detail)).toEqual([
      'd1: "c" decided "A" (strength 0.75) where supermajority on the recorded votes gives no consensus (strength 0.75) (recorded: A 3, B 1)',
    ]);
  });
});

describe('two problems in one decision', () => {
  it('are both named, joined by "; "', () => {
    expect(check([proposal(), ...AAB, decided({ votes: 2, strength: 0.5 })]).map((v) => v.detail)).toEqual([
      'd1: "c" counted 2 votes but 3 were recorded; decided "A" (strength 0.5) where simple_majority on the recorded votes gives "A" (strength 0.6667) (recorded: A 2, B 1)',
    ]);
  });
});
