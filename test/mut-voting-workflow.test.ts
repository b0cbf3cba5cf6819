import { describe, expect, it } from 'vitest';
import { blockedBy, electorateFor, readyStages, type Stage } from '../src/protocols/voting/workflow.ts';

/**
 * Workflow stages, exactly (issue 20's mutation run of src/protocols/voting/workflow.ts): which
 * stages are ready, what a failure blocks (transitively, once each), and who votes on a stage.
 */

const st = (name: string, depends_on: string[] = [], extra: Partial<Stage> = {}): Stage => ({
  name,
  consensus_algorithm: 'simple_majority',
  depends_on,
  ...extra,
});

describe('readyStages', () => {
  const stages = [st('a'), st('b', ['a']), st('c', ['a', 'b']), st('d')];

  it('the pending stages whose dependencies all passed, in order', () => {
    expect(
      readyStages(stages, { a: { status: 'pending' }, b: { status: 'pending' }, c: { status: 'pending' }, d: { status: 'pending' } }).map((s) => s.name),
    ).toStrictEqual(['a', 'd']);
    expect(
      readyStages(stages, { a: { status: 'passed' }, b: { status: 'pending' }, c: { status: 'pending' }, d: { status: 'open' } }).map((s) => s.name),
    ).toStrictEqual(['b']);
    expect(
      readyStages(stages, { a: { status: 'passed' }, b: { status: 'passed' }, c: { status: 'pending' }, d: { status: 'passed' } }).map((s) => s.name),
    ).toStrictEqual(['c']);
  });

  it('not a stage whose dependency failed, is open, or has no status; not one without a status itself', () => {
    expect(readyStages(stages, { a: { status: 'failed' }, b: { status: 'pending' }, c: { status: 'pending' } }).map((s) => s.name)).toStrictEqual([]);
    expect(readyStages(stages, { a: { status: 'open' }, b: { status: 'pending' } }).map((s) => s.name)).toStrictEqual([]);
    expect(readyStages([st('x', ['ghost'])], { x: { status: 'pending' } })).toStrictEqual([]);
    expect(readyStages(stages, {})).toStrictEqual([]);
  });
});

describe('blockedBy', () => {
  it('every stage that depends on the failed one, directly or not, once each', () => {
    const stages = [st('a'), st('b', ['a']), st('c', ['b']), st('d', ['a', 'c']), st('e'), st('f', ['e'])];
    expect(blockedBy('a', stages)).toStrictEqual(['b', 'd', 'c']);
    expect(blockedBy('c', stages)).toStrictEqual(['d']);
    expect(blockedBy('e', stages)).toStrictEqual(['f']);
    expect(blockedBy('f', stages)).toStrictEqual([]);
  });
});

describe('electorateFor', () => {
  const voters = ['v1', 'v2', 'v3', 'v4'];
  const info = { v1: { domains: ['ui'] }, v2: { domains: ['db'] }, v3: {}, v4: { domains: ['db', 'ops'] } };

  it('every voter when the stage wants no domain, or there is no info', () => {
    expect(electorateFor(st('s'), voters, info)).toStrictEqual(voters);
    expect(electorateFor(st('s', [], { expert_domains: [] }), voters, info)).toStrictEqual(voters);
    expect(electorateFor(st('s', [], { expert_domains: ['db'] }), voters, undefined)).toStrictEqual(voters);
  });

  it('the experts of any wanted domain; every voter when there is none', () => {
    expect(electorateFor(st('s', [], { expert_domains: ['db'] }), voters, info)).toStrictEqual(['v2', 'v4']);
    expect(electorateFor(st('s', [], { expert_domains: ['ops', 'ui'] }), voters, info)).toStrictEqual(['v1', 'v4']);
    expect(electorateFor(st('s', [], { expert_domains: ['law'] }), voters, info)).toStrictEqual(voters);
  });

  it('a voter the info does not know is no expert', () => {
    expect(electorateFor(st('s', [], { expert_domains: ['db'] }), ['v5', ...voters], info)).toStrictEqual(['v2', 'v4']);
  });

  it('at most max_agents of them, in order; a copy, never the list given', () => {
    expect(electorateFor(st('s', [], { max_agents: 2 }), voters, info)).toStrictEqual(['v1', 'v2']);
    expect(electorateFor(st('s', [], { expert_domains: ['db'], max_agents: 1 }), voters, info)).toStrictEqual(['v2']);
    expect(electorateFor(st('s', [], { max_agents: 0 }), voters, info)).toStrictEqual([]);
    const all = electorateFor(st('s'), voters, info);
    expect(all).not.toBe(voters);
  });
});
