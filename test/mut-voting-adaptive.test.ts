import { refusal } from './fixtures/refusal.ts';
import { describe, expect, it } from 'vitest';
import { algorithmForRisk, DEFAULT_ADAPTIVE, validateAdaptiveMapping } from '../src/protocols/voting/adaptive.ts';
import { emptyHistogram, percentile, record } from '../src/protocols/voting/latency-histogram.ts';
import { detailedVote } from '../src/protocols/voting/vote-detail.ts';
import type { Proposal, Vote } from '../src/protocols/voting/types.ts';

/**
 * Adaptive consensus's mapping, the detailed vote event and the latency histogram, exactly
 * (issue 20's mutation run of src/protocols/voting/adaptive.ts, vote-detail.ts and
 * latency-histogram.ts).
 */

const LEVELS = 'low, medium, high, critical';

describe('adaptive', () => {
  it('the default mapping, frozen', () => {
    expect(DEFAULT_ADAPTIVE).toStrictEqual({ low: 'simple_majority', medium: 'weighted_voting', high: 'byzantine_supermajority', critical: 'escalate' });
    expect(Object.isFrozen(DEFAULT_ADAPTIVE)).toBe(true);
  });

  it('algorithmForRisk with a mapping of its own: low when no risk, critical for a level it does not know', () => {
    // The default mapping's levels: test/voting-adaptive.test.ts.
    const m = { low: 'a', medium: 'b', high: 'c', critical: 'd' };
    expect([algorithmForRisk('low', m), algorithmForRisk(undefined, m), algorithmForRisk('bogus' as never, m)]).toStrictEqual(['a', 'a', 'd']);
  });

  it('validateAdaptiveMapping completes a partial mapping from the default, a new object', () => {
    const r = validateAdaptiveMapping({ medium: 'supermajority' });
    expect(r).toStrictEqual({ low: 'simple_majority', medium: 'supermajority', high: 'byzantine_supermajority', critical: 'escalate' });
    expect(Object.isFrozen(r)).toBe(false);
    expect(validateAdaptiveMapping({})).toStrictEqual({ ...DEFAULT_ADAPTIVE });
  });

  it('refuses what is not an object, an unknown level, a value that is not a non-empty string', () => {
    for (const [m, got] of [
      [null, 'null'],
      [[], 'an array of 0'],
      ['x', '"x"'],
    ] as const)
      expect(refusal(() => validateAdaptiveMapping(m))).toStrictEqual({
        path: 'consensus.adaptive',
        message: `Invalid configuration at "consensus.adaptive": expected an object of risk level (${LEVELS}): algorithm, got ${got}.`,
      });
    expect(refusal(() => validateAdaptiveMapping({ low: 'a', extreme: 'raft' }, 'p'))).toStrictEqual({
      path: 'p.extreme',
      message: `Invalid configuration at "p.extreme": expected a risk level (${LEVELS}), got "extreme".`,
    });
    for (const [v, got] of [
      ['', '""'],
      [3, 'number 3'],
    ] as const)
      expect(refusal(() => validateAdaptiveMapping({ high: v }))).toStrictEqual({
        path: 'consensus.adaptive.high',
        message: `Invalid configuration at "consensus.adaptive.high": expected an algorithm name or 'escalate', got ${got}.`,
      });
  });
});

describe('detailedVote', () => {
  const v: Vote = { agent: 'a1', role: 'dba', decision: 'A', reason: 'r', confidence: 1, extra: 7 };
  const p: Proposal = { id: 'd1', question: 'Q', options: ['A'], domain: 'db' };

  it('the vote as counted; the signature only when it is a string', () => {
    expect(detailedVote(v, { signature: 'S' }, p, { algorithm: 'simple_majority' }, {})).toStrictEqual({ body: v, signature: 'S' });
    expect(detailedVote(v, { signature: 5 }, p, { algorithm: 'simple_majority' }, {})).toStrictEqual({ body: v });
    expect(detailedVote(v, undefined, p, { algorithm: 'simple_majority' }, {})).toStrictEqual({ body: v });
  });

  it('weighted voting: the static weight, or the learnt one (1 when none, never an inherited one)', () => {
    const config = { algorithm: 'weighted_voting', agent_expertise: { dba: { weight: 3, domains: ['db'] } } };
    expect(detailedVote(v, {}, p, config, { a1: 9 })).toStrictEqual({ body: v, weight: 3 });
    expect(detailedVote(v, {}, p, { ...config, dynamic_weights: true }, { a1: 9 })).toStrictEqual({ body: v, weight: 9 });
    expect(detailedVote(v, {}, p, { ...config, dynamic_weights: true }, {})).toStrictEqual({ body: v, weight: 1 });
    expect(detailedVote({ ...v, agent: 'toString' }, {}, p, { ...config, dynamic_weights: true }, {})).toStrictEqual({
      body: { ...v, agent: 'toString' },
      weight: 1,
    });
    expect(detailedVote(v, {}, p, { ...config, dynamic_weights: true }, { a1: 0 })).toStrictEqual({ body: v, weight: 0 });
  });
});

describe('latency histogram', () => {
  it('810 empty buckets; each latency in the bucket of round(ln(1 + ms) * 50), clamped', () => {
    const h = emptyHistogram();
    expect(h).toHaveLength(810);
    expect(h.every((c) => c === 0)).toBe(true);
    record(h, 0);
    record(h, 1);
    record(h, 100);
    record(h, 1e9);
    expect(h[0]).toBe(1);
    expect(h[Math.round(Math.log1p(1) * 50)]).toBe(1);
    expect(h[Math.round(Math.log1p(100) * 50)]).toBe(1);
    expect(h[809]).toBe(1);
    expect(h.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('percentile: 0 when empty, else the bucket where the rank is reached', () => {
    expect(percentile(emptyHistogram(), 0.5)).toBe(0);
    const h = emptyHistogram();
    for (const ms of [10, 20, 30, 40]) record(h, ms);
    const at = (ms: number) => Math.expm1(Math.round(Math.log1p(ms) * 50) / 50);
    expect(percentile(h, 0)).toBe(at(10));
    expect(percentile(h, 0.25)).toBe(at(10));
    expect(percentile(h, 0.5)).toBe(at(20));
    expect(percentile(h, 0.51)).toBe(at(30));
    expect(percentile(h, 1)).toBe(at(40));
    // A rank beyond every count (q above 1) falls back to the last bucket.
    expect(percentile(h, 2)).toBe(Math.expm1(809 / 50));
  });
});
