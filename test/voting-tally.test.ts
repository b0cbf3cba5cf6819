import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { checkVotingTally, type TallyConfig } from '../src/check/voting-tally.ts';

const emit = (event: Record<string, unknown>, t = 0): TraceEvent => ({ t, type: 'emit', actor: 'coordinator', event });
const proposal = (decision: string, voters: number) => emit({ type: 'proposal', decision, question: 'q', options: ['A', 'B'], voters });
const vote = (decision: string, agent: string, choice: string, role = 'coder') =>
  emit({ type: 'vote', decision, agent, role, vote: choice, reason: '', confidence: 0.5 });
const decided = (decision: string, o: { value: string | null; strength: number; votes: number; algorithm?: string | null }) =>
  emit({
    type: 'decided',
    decision,
    value: o.value,
    consensus: o.value !== null,
    strength: o.strength,
    algorithm: o.algorithm === undefined ? 'simple_majority' : o.algorithm,
    votes: o.votes,
    of: 3,
    latencyMs: 1,
    cause: 'complete',
  });

const config = (consensus: Partial<TallyConfig['consensus']> = {}, traceVotes?: boolean): TallyConfig => ({
  consensus: { algorithm: 'simple_majority', votingTimeoutMs: 1000, ...consensus },
  task: { question: 'q', options: ['A', 'B'], inFlight: 1 },
  ...(traceVotes === undefined ? {} : { traceVotes }),
});

const threeVotes = (d: string) => [proposal(d, 3), vote(d, 'a', 'A'), vote(d, 'b', 'A'), vote(d, 'c', 'B')];

describe('voting tally integrity: each decision re-counted from its recorded votes', () => {
  it('is silent when the decision is what the votes give', () => {
    expect(checkVotingTally([...threeVotes('d1'), decided('d1', { value: 'A', strength: 2 / 3, votes: 3 })], config())).toEqual([]);
  });

  it('reports a value the votes do not give, pointing at the proposal, the votes and the decision', () => {
    const [v] = checkVotingTally([...threeVotes('d1'), decided('d1', { value: 'B', strength: 2 / 3, votes: 3 })], config());
    expect(v).toMatchObject({ property: 'tally-integrity', decision: 'd1', at: 4, positions: [0, 1, 2, 3, 4] });
    expect(v.detail).toBe(
      'd1: "coordinator" decided "B" (strength 0.6667) where simple_majority on the recorded votes gives "A" (strength 0.6667) (recorded: A 2, B 1)',
    );
  });

  it('reports a count that is not the number of recorded votes, even for an escalated decision', () => {
    const [v] = checkVotingTally([...threeVotes('d1'), decided('d1', { value: null, strength: 0, votes: 4, algorithm: null })], config());
    expect(v.detail).toBe('d1: "coordinator" counted 4 votes but 3 were recorded (recorded: A 2, B 1)');
  });

  it('judges weighted votes with the configured role weights', () => {
    const weighted = config({ algorithm: 'weighted_voting', agent_weights: { lead: 3 } });
    const events = [proposal('d1', 3), vote('d1', 'a', 'A'), vote('d1', 'b', 'A'), vote('d1', 'c', 'B', 'lead')];
    expect(checkVotingTally([...events, decided('d1', { value: 'B', strength: 0.6, votes: 3, algorithm: 'weighted_voting' })], weighted)).toEqual([]);
    expect(checkVotingTally([...events, decided('d1', { value: 'A', strength: 2 / 3, votes: 3, algorithm: 'weighted_voting' })], weighted)).toHaveLength(1);
  });

  it('judges dynamic weights with those recorded before the decision, not the ones it produced', () => {
    const dynamic = config({ algorithm: 'weighted_voting', dynamic_weights: true });
    const events = [
      ...threeVotes('d1'),
      emit({ type: 'weights', decision: 'd1', weights: { a: 0.5, b: 0.5, c: 4 } }),
      decided('d1', { value: 'A', strength: 2 / 3, votes: 3, algorithm: 'weighted_voting' }),
      // c now weighs 4 of 5: B wins d2 although two of three voted A.
      ...threeVotes('d2'),
      decided('d2', { value: 'B', strength: 0.8, votes: 3, algorithm: 'weighted_voting' }),
    ];
    expect(checkVotingTally(events, dynamic)).toEqual([]);
  });

  it('checks nothing when votes are not traced', () => {
    expect(checkVotingTally([proposal('d1', 3), decided('d1', { value: 'B', strength: 1, votes: 3 })], config({}, false))).toEqual([]);
  });
});
