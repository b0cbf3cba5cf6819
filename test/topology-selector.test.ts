import { describe, expect, it } from 'vitest';
import { AdaptiveTopology, ConfigError, DEFAULT_SELECTION_RULES, SimSystem, selectTopology, validateSelectionRules, type SelectionRule } from '../src/index.ts';

describe('topology selector (rules as data)', () => {
  it('follows the default rules', () => {
    expect(selectTopology({ complexity: 'high', novelty: 'high' }).topology).toBe('mesh');
    expect(selectTopology({ complexity: 'high', delegated: true }).topology).toBe('hierarchical');
    expect(selectTopology({ complexity: 'low', centralised: true }).topology).toBe('star');
    expect(selectTopology({ complexity: 'medium', sequential: true }).topology).toBe('ring');
    const none = selectTopology({ complexity: 'medium' });
    expect(none).toMatchObject({ topology: 'mesh', rule: -1 });
    expect(selectTopology({ complexity: 'high', delegated: true }).reason).toMatch(/delegated/);
  });

  it('takes user rules from plain data (a config file) and tries them in order', () => {
    const text = JSON.stringify([{ when: { minAgents: 50 }, topology: { type: 'hierarchical', teams: 5 }, reason: 'big swarm' }, ...DEFAULT_SELECTION_RULES]);
    const rules = validateSelectionRules(JSON.parse(text));
    expect(selectTopology({ complexity: 'high', novelty: 'high', agents: 80 }, rules)).toMatchObject({ topology: { type: 'hierarchical', teams: 5 }, rule: 0 });
    expect(selectTopology({ complexity: 'high', novelty: 'high', agents: 8 }, rules)).toMatchObject({ topology: 'mesh', rule: 1 });
  });

  it('rejects malformed rules naming the field', () => {
    const bad: [unknown, RegExp][] = [
      ['mesh', /topology_rules"/],
      [[{ when: { complexity: 'huge' }, topology: 'mesh', reason: 'x' }], /topology_rules\[0\]\.when\.complexity/],
      [[{ when: { colour: 'red' }, topology: 'mesh', reason: 'x' }], /when\.colour/],
      [[{ when: {}, topology: 'torus', reason: 'x' }], /topology_rules\[0\]\.topology/],
      [[{ when: {}, topology: 'ring' }], /topology_rules\[0\]\.reason/],
    ];
    for (const [rules, path] of bad) {
      expect(() => validateSelectionRules(rules)).toThrow(ConfigError);
      expect(() => validateSelectionRules(rules)).toThrow(path);
    }
  });

  it('re-evaluates when the task changes and switches only when the choice changes', async () => {
    const sim = new SimSystem({ seed: 1 });
    const members = ['q', 'a', 'b', 'c', 'd'];
    for (const id of members) await sim.spawn(id, 'sink');
    const adaptive = new AdaptiveTopology(sim, members);
    expect((await adaptive.update({ complexity: 'high', novelty: 'high' }))?.to).toBe('mesh');
    expect(await adaptive.update({ complexity: 'high', novelty: 'high', agents: 5 })).toBeUndefined();
    const second = await adaptive.update({ complexity: 'high', delegated: true });
    expect(second).toMatchObject({ from: 'mesh', to: 'hierarchical' });
    expect(second!.reason).toMatch(/^selector: complex and delegated/);
    const rules: SelectionRule[] = [{ when: {}, topology: 'ring', reason: 'always ring' }];
    const custom = new AdaptiveTopology(sim, members, rules);
    expect((await custom.update({}))?.to).toBe('ring');
    expect((await sim.shutdown()).topology.switches.map((s) => s.to)).toEqual(['mesh', 'hierarchical', 'ring']);
  });
});
