import { refusal } from './fixtures/refusal.ts';
import { describe, expect, it } from 'vitest';
import { algorithmFor, checkAlgorithm, policyFor, VOTING_ALGORITHMS } from '../src/protocols/voting/algorithms.ts';
import { getPolicy, policyNames, registerPolicy } from '../src/protocols/voting/policy-module.ts';
import type { Proposal, Vote } from '../src/protocols/voting/types.ts';

/**
 * Which algorithm decides and with which options, exactly (issue 20's mutation run of
 * src/protocols/voting/algorithms.ts): the names accepted and each refusal's message, adaptive's
 * choice by risk, and the options each built-in policy is given (seen through its outcomes).
 */

const p: Proposal = { id: 'd1', question: 'Q', options: ['A', 'B'], domain: 'db' };
const v = (agent: string, decision: string, role = 'r'): Vote => ({ agent, role, decision, reason: '', confidence: 1 });
const votes = (a: number, b: number) => [...Array.from({ length: a }, (_, i) => v(`a${i}`, 'A')), ...Array.from({ length: b }, (_, i) => v(`b${i}`, 'B'))];

describe('the names', () => {
  it('lists the built-in algorithms, frozen', () => {
    expect(VOTING_ALGORITHMS).toStrictEqual(['simple_majority', 'supermajority', 'weighted_voting', 'byzantine_supermajority', 'adaptive']);
    expect(Object.isFrozen(VOTING_ALGORITHMS)).toBe(true);
  });

  it('checkAlgorithm takes a built-in or a registered policy by name', () => {
    for (const name of VOTING_ALGORITHMS) expect(checkAlgorithm(name)).toBe(name);
    registerPolicy('mut_alg_first', { name: 'x', evaluate: () => ({ consensus: true, decision: 'A', strength: 1 }) });
    expect(checkAlgorithm('mut_alg_first')).toBe('mut_alg_first');
  });

  it('refuses another protocol’s name saying what runs it, at the path given', () => {
    const pbft = 'PBFT (byzantine_tolerant / pbft) runs among replicas and a client: runScenario and conclave run drive it, a voting Swarm does not';
    expect(refusal(() => checkAlgorithm('pbft'))).toStrictEqual({
      path: 'consensus.algorithm',
      message: `Invalid configuration at "consensus.algorithm": expected a voting algorithm: ${pbft}, got "pbft".`,
    });
    expect(refusal(() => checkAlgorithm('byzantine_tolerant', 'stages[0]')).message).toBe(
      `Invalid configuration at "stages[0]": expected a voting algorithm: ${pbft}, got "byzantine_tolerant".`,
    );
    expect(refusal(() => checkAlgorithm('raft')).message).toBe(
      'Invalid configuration at "consensus.algorithm": expected a voting algorithm: Raft replicates a log through an elected leader: runScenario and conclave run drive it, a voting Swarm does not, got "raft".',
    );
  });

  it('refuses anything else listing every known name', () => {
    const known = [...VOTING_ALGORITHMS, ...policyNames()].join(', ');
    expect(refusal(() => checkAlgorithm('majority'))).toStrictEqual({
      path: 'consensus.algorithm',
      message: `Invalid configuration at "consensus.algorithm": expected one of ${known} (or a custom policy named in consensus.policy), got "majority".`,
    });
    expect(refusal(() => checkAlgorithm(3)).message).toContain('got number 3.');
    // A list holding a protocol's name is not that protocol's name (a property key would be).
    expect(refusal(() => checkAlgorithm(['raft'])).message).toBe(
      `Invalid configuration at "consensus.algorithm": expected one of ${known} (or a custom policy named in consensus.policy), got an array of 1.`,
    );
    // Object.prototype's names are no protocol's (the message said "expected a voting algorithm:
    // function Object() { [native code] }" for constructor).
    for (const name of ['toString', 'constructor', '__proto__'])
      expect(refusal(() => checkAlgorithm(name)).message).toBe(
        `Invalid configuration at "consensus.algorithm": expected one of ${known} (or a custom policy named in consensus.policy), got "${name}".`,
      );
  });
});

describe('algorithmFor', () => {
  it('the configured algorithm, unless adaptive', () => {
    expect(algorithmFor({ algorithm: 'supermajority' }, 'critical')).toBe('supermajority');
  });

  it('adaptive: by risk (low when none), with the mapping’s overrides', () => {
    expect(algorithmFor({ algorithm: 'adaptive' }, undefined)).toBe('simple_majority');
    expect(algorithmFor({ algorithm: 'adaptive' }, 'medium')).toBe('weighted_voting');
    expect(algorithmFor({ algorithm: 'adaptive' }, 'high')).toBe('byzantine_supermajority');
    expect(algorithmFor({ algorithm: 'adaptive' }, 'critical')).toBe('escalate');
    expect(algorithmFor({ algorithm: 'adaptive', adaptive: { high: 'supermajority' } }, 'high')).toBe('supermajority');
    expect(algorithmFor({ algorithm: 'adaptive', adaptive: { high: 'supermajority' } }, 'low')).toBe('simple_majority');
  });
});

describe('policyFor', () => {
  it('simple_majority: the configured threshold and min_participants when it is the configured algorithm', () => {
    const own = policyFor('simple_majority', { algorithm: 'simple_majority', threshold: 0.7, min_participants: 4 }, { electorate: 5 });
    expect(own.name).toBe('simple_majority');
    expect(own.evaluate(p, votes(2, 1)).consensus).toBe(false); // 3 voters < 4
    expect(own.evaluate(p, votes(3, 1)).consensus).toBe(true); // 0.75 > 0.7
    expect(own.evaluate(p, votes(5, 3)).consensus).toBe(false); // 0.625
  });

  it('another algorithm’s threshold and min_participants are not applied (adaptive picks by risk)', () => {
    const picked = policyFor('simple_majority', { algorithm: 'adaptive', threshold: 0.9, min_participants: 9 }, { electorate: 5 });
    expect(picked.evaluate(p, votes(2, 1)).consensus).toBe(true);
  });

  it('supermajority with its options', () => {
    const sm = policyFor('supermajority', { algorithm: 'supermajority', threshold: 0.6 }, { electorate: 3 });
    expect(sm.name).toBe('supermajority');
    expect(sm.evaluate(p, votes(2, 1)).consensus).toBe(true);
    expect(policyFor('supermajority', { algorithm: 'simple_majority', threshold: 0.6 }, { electorate: 3 }).evaluate(p, votes(2, 1)).consensus).toBe(false);
  });

  it('weighted_voting: static weights from the configuration, one participant enough by default', () => {
    const config = { algorithm: 'weighted_voting', agent_weights: { heavy: 3 } };
    const w = policyFor('weighted_voting', config, { electorate: 3 });
    expect(w.name).toBe('weighted_voting');
    expect(w.evaluate(p, [v('x', 'A', 'heavy'), v('y', 'B'), v('z', 'B')])).toMatchObject({ consensus: true, decision: 'A' });
    expect(w.evaluate(p, [v('x', 'A')])).toMatchObject({ consensus: true, decision: 'A' });
    expect(policyFor('weighted_voting', { ...config, min_participants: 2 }, { electorate: 3 }).evaluate(p, [v('x', 'A')]).consensus).toBe(false);
  });

  it('weighted_voting: learnt weights when given, 1 for a voter without one', () => {
    const w = policyFor('weighted_voting', { algorithm: 'weighted_voting', agent_weights: { heavy: 9 } }, { electorate: 3, weights: { y: 4 } });
    expect(w.evaluate(p, [v('x', 'A', 'heavy'), v('y', 'B'), v('z', 'A')])).toMatchObject({ consensus: true, decision: 'B' });
    expect(w.evaluate(p, [v('x', 'A'), v('z', 'A'), v('q', 'B')])).toMatchObject({ consensus: true, decision: 'A' });
  });

  it('byzantine_supermajority: over the whole electorate, with its threshold', () => {
    const b = policyFor('byzantine_supermajority', { algorithm: 'byzantine_supermajority' }, { electorate: 6 });
    expect(b.name).toBe('byzantine_supermajority');
    expect(b.evaluate(p, votes(4, 0)).consensus).toBe(false); // 4 of 6 is not above 2/3
    expect(b.evaluate(p, votes(5, 0)).consensus).toBe(true);
    // A threshold above 2/3 raises the bar: 5 of 6 is below 0.9.
    const strict = policyFor('byzantine_supermajority', { algorithm: 'byzantine_supermajority', threshold: 0.9 }, { electorate: 6 });
    expect(strict.evaluate(p, votes(5, 0)).consensus).toBe(false);
    expect(strict.evaluate(p, votes(6, 0)).consensus).toBe(true);
    // Another algorithm's threshold is not its own.
    expect(policyFor('byzantine_supermajority', { algorithm: 'adaptive', threshold: 0.9 }, { electorate: 6 }).evaluate(p, votes(5, 0)).consensus).toBe(true);
  });

  it('a registered policy by name; an unknown name refused listing the known ones', () => {
    const policy = { name: 'mine', evaluate: () => ({ consensus: true, decision: 'B', strength: 1 }) };
    registerPolicy('mut_alg_custom', policy);
    expect(policyFor('mut_alg_custom', { algorithm: 'mut_alg_custom' }, { electorate: 3 })).toBe(getPolicy('mut_alg_custom'));
    const known = [...VOTING_ALGORITHMS, ...policyNames()].join(', ');
    expect(refusal(() => policyFor('nope', { algorithm: 'nope' }, { electorate: 3 }))).toStrictEqual({
      path: 'consensus.algorithm',
      message: `Invalid configuration at "consensus.algorithm": expected a known algorithm (${known}), got "nope".`,
    });
  });
});
