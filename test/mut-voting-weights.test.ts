import { refusal } from './fixtures/refusal.ts';
import { describe, expect, it } from 'vitest';
import { ABSTAIN, type Proposal, type Vote } from '../src/protocols/voting/types.ts';
import { resolveDynamicWeightOptions, updateWeights, validateWeightConfig, type WeightConfig, weightFor } from '../src/protocols/voting/weights.ts';

/**
 * Static and dynamic weights, exactly (issue 20's mutation run of src/protocols/voting/weights.ts):
 * each precedence rule of `weightFor`, each refusal of `validateWeightConfig` and
 * `resolveDynamicWeightOptions` with its path and message, and each step of `updateWeights`.
 */

const p: Proposal = { id: 'd1', question: 'Q', options: ['A', 'B'], domain: 'db' };
const v = (role: string, decision = 'A', agent = 'a1'): Vote => ({ agent, role, decision, reason: '', confidence: 1 });

const msg = (path: string, expected: string, got: string) => ({ path, message: `Invalid configuration at "${path}": expected ${expected}, got ${got}.` });

describe('weightFor', () => {
  const config: WeightConfig = { agent_weights: { dba: 2, ops: 0.5 }, agent_expertise: { dba: { weight: 4, domains: ['db', 'sql'] } } };

  it('an expert in the proposal’s domain: its expertise weight, times expert_weight when set', () => {
    expect(weightFor(v('dba'), p, config)).toBe(4);
    expect(weightFor(v('dba'), { ...p, domain: 'sql' }, config)).toBe(4);
    expect(weightFor(v('dba'), p, { ...config, expert_weight: 1.5 })).toBe(6);
  });

  it('an expert outside its domains (or with no domain on the proposal): its role weight, or regular_weight once expert_weight is set', () => {
    expect(weightFor(v('dba'), { ...p, domain: 'ui' }, config)).toBe(2);
    expect(weightFor(v('dba'), { ...p, domain: undefined }, config)).toBe(2);
    expect(weightFor(v('dba'), { ...p, domain: 'ui' }, { ...config, expert_weight: 3, regular_weight: 0.25 })).toBe(0.25);
    expect(weightFor(v('dba'), { ...p, domain: 'ui' }, { ...config, expert_weight: 3 })).toBe(1);
    expect(weightFor(v('dba'), { ...p, domain: 'ui' }, { agent_expertise: config.agent_expertise })).toBe(1);
    expect(weightFor(v('dba'), { ...p, domain: 'ui' }, { agent_expertise: config.agent_expertise, regular_weight: 0.75 })).toBe(0.75);
  });

  it('a non-expert: its role weight, else regular_weight, else 1', () => {
    expect(weightFor(v('ops'), p, config)).toBe(0.5);
    expect(weightFor(v('ops'), p, { ...config, expert_weight: 3, regular_weight: 0.25 })).toBe(0.5);
    expect(weightFor(v('qa'), p, { ...config, regular_weight: 0.25 })).toBe(0.25);
    expect(weightFor(v('qa'), p, config)).toBe(1);
    expect(weightFor(v('qa'), p, {})).toBe(1);
    expect(weightFor(v('ops'), p, { agent_weights: { ops: 0 }, regular_weight: 3 })).toBe(0);
  });

  it('a role named like a member of Object.prototype has no weight it was not given', () => {
    for (const role of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(weightFor(v(role), p, config)).toBe(1);
      expect(weightFor(v(role), p, { ...config, regular_weight: 0.5 })).toBe(0.5);
    }
    expect(weightFor(v('constructor'), p, { agent_weights: JSON.parse('{"constructor": 3}') })).toBe(3);
  });
});

describe('validateWeightConfig', () => {
  it('returns a valid configuration as it is', () => {
    const c = {
      algorithm: 'weighted_voting',
      agent_weights: { a: 0, b: 2.5 },
      agent_expertise: { a: { weight: 1, domains: ['x'] } },
      expert_weight: 0,
      regular_weight: 1,
    };
    expect(validateWeightConfig(c)).toBe(c);
    const empty = {};
    expect(validateWeightConfig(empty)).toBe(empty);
  });

  it('refuses a configuration that is not an object', () => {
    expect(refusal(() => validateWeightConfig(null))).toStrictEqual(msg('consensus', 'an object', 'null'));
    expect(refusal(() => validateWeightConfig([1], 'c'))).toStrictEqual(msg('c', 'an object', 'an array of 1'));
    expect(refusal(() => validateWeightConfig('x'))).toStrictEqual(msg('consensus', 'an object', '"x"'));
  });

  it('refuses agent_weights that are not an object of finite weights >= 0', () => {
    expect(refusal(() => validateWeightConfig({ agent_weights: [2] }))).toStrictEqual(
      msg('consensus.agent_weights', 'an object of role: weight', 'an array of 1'),
    );
    expect(refusal(() => validateWeightConfig({ agent_weights: null }))).toStrictEqual(msg('consensus.agent_weights', 'an object of role: weight', 'null'));
    for (const [w, got] of [
      [-0.5, 'number -0.5'],
      [Number.NaN, 'number NaN'],
      [Number.POSITIVE_INFINITY, 'number Infinity'],
      ['2', '"2"'],
    ] as const)
      expect(refusal(() => validateWeightConfig({ agent_weights: { a: 1, b: w } }))).toStrictEqual(
        msg('consensus.agent_weights.b', 'a finite number >= 0', got),
      );
  });

  it('refuses agent_expertise entries that are not { weight, domains }', () => {
    const at = 'consensus.agent_expertise';
    expect(refusal(() => validateWeightConfig({ agent_expertise: 'dba' }))).toStrictEqual(msg(at, 'an object of role: { weight, domains }', '"dba"'));
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: null } }))).toStrictEqual(
      msg(`${at}.dba`, 'an object { weight: number, domains: string[] }', 'null'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: [] } }))).toStrictEqual(
      msg(`${at}.dba`, 'an object { weight: number, domains: string[] }', 'an array of 0'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: { weight: -1, domains: ['x'] } } }))).toStrictEqual(
      msg(`${at}.dba.weight`, 'a finite number >= 0', 'number -1'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: { weight: 1, domains: [] } } }))).toStrictEqual(
      msg(`${at}.dba.domains`, 'a non-empty array of domain names', 'an array of 0'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: { weight: 1, domains: 'db' } } }))).toStrictEqual(
      msg(`${at}.dba.domains`, 'a non-empty array of domain names', '"db"'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: { weight: 1, domains: ['db', ''] } } }))).toStrictEqual(
      msg(`${at}.dba.domains[1]`, 'a non-empty string', '""'),
    );
    expect(refusal(() => validateWeightConfig({ agent_expertise: { dba: { weight: 1, domains: ['db', 3] } } }))).toStrictEqual(
      msg(`${at}.dba.domains[1]`, 'a non-empty string', 'number 3'),
    );
  });

  it('refuses expert_weight and regular_weight that are not finite weights >= 0', () => {
    expect(refusal(() => validateWeightConfig({ expert_weight: -1 }))).toStrictEqual(msg('consensus.expert_weight', 'a finite number >= 0', 'number -1'));
    expect(refusal(() => validateWeightConfig({ regular_weight: Number.NaN }, 'x'))).toStrictEqual(
      msg('x.regular_weight', 'a finite number >= 0', 'number NaN'),
    );
    expect(validateWeightConfig({ expert_weight: 0, regular_weight: 0 })).toStrictEqual({ expert_weight: 0, regular_weight: 0 });
  });
});

describe('resolveDynamicWeightOptions', () => {
  it('defaults: rate 0.2, min 0.1, max 5', () => {
    expect(resolveDynamicWeightOptions()).toStrictEqual({ rate: 0.2, min: 0.1, max: 5 });
    expect(resolveDynamicWeightOptions({ rate: 0, min: 1, max: 1 })).toStrictEqual({ rate: 0, min: 1, max: 1 });
    expect(resolveDynamicWeightOptions({ rate: 0.99 })).toStrictEqual({ rate: 0.99, min: 0.1, max: 5 });
  });

  it('refuses a rate outside [0, 1)', () => {
    for (const [rate, got] of [
      [1, 'number 1'],
      [-0.01, 'number -0.01'],
      [Number.NaN, 'number NaN'],
      ['0.2', '"0.2"'],
    ] as const)
      expect(refusal(() => resolveDynamicWeightOptions({ rate: rate as number }))).toStrictEqual(
        msg('consensus.dynamic_weights.rate', 'a number in [0, 1)', got),
      );
  });

  it('refuses a min that is not a finite number > 0', () => {
    for (const [min, got] of [
      [0, 'number 0'],
      [Number.POSITIVE_INFINITY, 'number Infinity'],
      [Number.NaN, 'number NaN'],
      ['1', '"1"'],
    ] as const)
      expect(refusal(() => resolveDynamicWeightOptions({ min: min as number }, 'w'))).toStrictEqual(msg('w.min', 'a finite number > 0', got));
  });

  it('refuses a max below min or not finite', () => {
    expect(refusal(() => resolveDynamicWeightOptions({ min: 2, max: 1.5 }))).toStrictEqual(
      msg('consensus.dynamic_weights.max', 'a finite number >= min (2)', 'number 1.5'),
    );
    expect(refusal(() => resolveDynamicWeightOptions({ max: Number.POSITIVE_INFINITY }))).toStrictEqual(
      msg('consensus.dynamic_weights.max', 'a finite number >= min (0.1)', 'number Infinity'),
    );
    expect(refusal(() => resolveDynamicWeightOptions({ max: Number.NaN }))).toStrictEqual(
      msg('consensus.dynamic_weights.max', 'a finite number >= min (0.1)', 'number NaN'),
    );
    expect(refusal(() => resolveDynamicWeightOptions({ max: '5' as unknown as number }))).toStrictEqual(
      msg('consensus.dynamic_weights.max', 'a finite number >= min (0.1)', '"5"'),
    );
  });
});

describe('updateWeights', () => {
  it('raises the right by rate, lowers the wrong by rate, from 1 for a voter not seen yet', () => {
    const before = { a1: 2, zz: 3 };
    const next = updateWeights(before, [v('r', 'A', 'a1'), v('r', 'B', 'a2'), v('r', 'A', 'a3')], 'A', { rate: 0.5 });
    expect(next).toStrictEqual({ a1: 3, zz: 3, a2: 0.5, a3: 1.5 });
    expect(before).toStrictEqual({ a1: 2, zz: 3 });
    expect(next).not.toBe(before);
  });

  it('the default rate is 0.2', () => {
    expect(updateWeights({}, [v('r', 'A', 'a1'), v('r', 'B', 'a2')], 'A')).toStrictEqual({ a1: 1.2, a2: 0.8 });
  });

  it('clamps to [min, max]', () => {
    const next = updateWeights({ a1: 1.9, a2: 0.3 }, [v('r', 'A', 'a1'), v('r', 'B', 'a2')], 'A', { rate: 0.5, min: 0.25, max: 2 });
    expect(next).toStrictEqual({ a1: 2, a2: 0.25 });
  });

  it('no reference, no learning (a copy); an abstention teaches nothing', () => {
    const w = { a1: 2 };
    const same = updateWeights(w, [v('r', 'A', 'a1')], undefined);
    expect(same).toStrictEqual({ a1: 2 });
    expect(same).not.toBe(w);
    expect(updateWeights({}, [v('r', ABSTAIN, 'a1'), v('r', 'A', 'a2')], 'A')).toStrictEqual({ a2: 1.2 });
  });

  it('a weight that is not finite, or only inherited, starts again from 1', () => {
    expect(updateWeights({ a1: Number.NaN }, [v('r', 'A', 'a1')], 'A')).toStrictEqual({ a1: 1.2 });
    expect(updateWeights({ a1: Number.POSITIVE_INFINITY }, [v('r', 'B', 'a1')], 'A')).toStrictEqual({ a1: 0.8 });
    expect(updateWeights({}, [v('r', 'A', 'toString')], 'A')).toStrictEqual({ toString: 1.2 });
  });

  it('an agent named __proto__ gets a weight of its own, an ordinary property', () => {
    const next = updateWeights({}, [v('r', 'A', '__proto__')], 'A');
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(next, '__proto__')).toStrictEqual({ value: 1.2, enumerable: true, writable: true, configurable: true });
    expect(JSON.stringify(next)).toBe('{"__proto__":1.2}');
    const again = updateWeights(next, [v('r', 'A', '__proto__')], 'A');
    expect(Object.getOwnPropertyDescriptor(again, '__proto__')?.value).toBeCloseTo(1.44, 12);
  });
});
