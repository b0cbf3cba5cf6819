import { describe, it, expect } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { algorithmForRisk, DEFAULT_ADAPTIVE, validateAdaptiveMapping } from '../src/protocols/voting/adaptive.ts';

describe('adaptive consensus', () => {
  it('maps risk levels to algorithms, no risk meaning low', () => {
    expect(algorithmForRisk('low')).toBe('simple_majority');
    expect(algorithmForRisk('medium')).toBe('weighted_voting');
    expect(algorithmForRisk('high')).toBe('byzantine_supermajority');
    expect(algorithmForRisk('critical')).toBe('escalate');
    expect(algorithmForRisk(undefined)).toBe('simple_majority');
  });

  it('treats an unknown risk value from untyped input as critical', () => {
    expect(algorithmForRisk('extreme' as never)).toBe('escalate');
    expect(algorithmForRisk('toString' as never)).toBe('escalate');
  });

  it('completes a partial user mapping from the defaults', () => {
    const m = validateAdaptiveMapping({ medium: 'supermajority', critical: 'byzantine_supermajority' });
    expect(m).toEqual({ ...DEFAULT_ADAPTIVE, medium: 'supermajority', critical: 'byzantine_supermajority' });
    expect(algorithmForRisk('medium', m)).toBe('supermajority');
  });

  it('rejects unknown risk keys and non-string values, naming the field', () => {
    const at = (x: unknown) => {
      try {
        validateAdaptiveMapping(x);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).path;
      }
      return 'no error';
    };
    expect(at({ extreme: 'raft' })).toBe('consensus.adaptive.extreme');
    expect(at({ high: 3 })).toBe('consensus.adaptive.high');
    expect(at({ low: '' })).toBe('consensus.adaptive.low');
    expect(at(['simple_majority'])).toBe('consensus.adaptive');
    expect(at(null)).toBe('consensus.adaptive');
  });
});
