import { describe, expect, it } from 'vitest';
import { stressPlan } from '../src/cli/stress-command.ts';
import { replayCommand } from '../src/cli/replay-command.ts';
import { ConfigError } from '../src/errors.ts';
import { drawScenario } from '../src/stress/index.ts';
import { raftSearchShape, searchShape } from '../src/stress/raft-search.ts';

const raft = { protocol: 'raft', agents: 5, decisions: 30 };

describe('conclave stress --search', () => {
  it('uniform draws every Raft run alike; targeted draws its shapes for the seeds that get one', () => {
    const targeted = stressPlan({ ...raft, search: 'targeted' });
    const uniform = stressPlan({ ...raft, search: 'uniform' });
    const named = stressPlan({ ...raft, search: 'targeted' });
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const shaped = seeds.filter((s) => raftSearchShape(s, targeted.faults) !== 'uniform');
    expect(shaped.length).toBeGreaterThan(0);
    expect(shaped.length).toBeLessThan(seeds.length);
    for (const s of seeds) {
      const same = drawScenario(targeted, s) === drawScenario(uniform, s);
      expect({ s, same }).toEqual({ s, same: !shaped.includes(s) });
      expect(drawScenario(named, s)).toBe(drawScenario(targeted, s));
    }
  });

  it('guided is the default: it keeps the targeted bare-majority runs and cuts leaders in most others', () => {
    const byDefault = stressPlan(raft);
    const targeted = stressPlan({ ...raft, search: 'targeted' });
    expect(byDefault.search).toBeUndefined();
    const seeds = Array.from({ length: 60 }, (_, i) => i + 1);
    const cut = seeds.filter((s) => searchShape('guided', s, byDefault.faults) === 'leader-cuts');
    expect(cut.length).toBeGreaterThan(20);
    for (const s of seeds) {
      const shape = searchShape('guided', s, byDefault.faults);
      expect(drawScenario(byDefault, s)).toBe(drawScenario(stressPlan({ ...raft, search: 'guided' }), s));
      if (shape === 'leader-cuts') expect(drawScenario(byDefault, s)).toContain(`run seed ${s} (leader-cuts)`);
      else expect(drawScenario(byDefault, s)).toBe(drawScenario(targeted, s));
      if (raftSearchShape(s, byDefault.faults) === 'bare-majority') expect(shape).toBe('bare-majority');
    }
  });

  it('is refused by name for anything but targeted or uniform, and for protocols without a targeted search', () => {
    expect(() => stressPlan({ ...raft, search: 'clever' })).toThrow(ConfigError);
    expect(() => stressPlan({ ...raft, search: 'clever' })).toThrow(/--search.*targeted or uniform/);
    expect(() => stressPlan({ protocol: 'pbft', agents: 4, decisions: 30, search: 'uniform' })).toThrow(/--search.*a Raft option/);
    // Targeted needs crashes to lay: refused where the runs draw none.
    expect(() => stressPlan({ ...raft, faults: 'partition,delay', search: 'targeted' })).toThrow(/--search.*add crash to --faults/);
    // Threads mode draws crashes too now, so the targeted search is taken there.
    expect(stressPlan({ ...raft, mode: 'threads', search: 'targeted' }).search).toBe('targeted');
    // Guided cuts a node within the instant it is elected: sim mode only, and it needs cuts or crashes to lay.
    expect(() => stressPlan({ ...raft, mode: 'threads', search: 'guided' })).toThrow(/--search.*only sim mode can/);
    expect(() => stressPlan({ ...raft, faults: 'delay,duplicate', search: 'guided' })).toThrow(/--search.*add partition to --faults/);
    expect(stressPlan({ ...raft, search: 'guided' }).search).toBe('guided');
    expect(stressPlan({ ...raft, faults: 'partition,delay', search: 'uniform' }).search).toBe('uniform');
  });

  it('conclave replay takes it too, and replays the run stress drew', async () => {
    const seed = Array.from({ length: 40 }, (_, i) => i + 1).find(
      (s) => raftSearchShape(s, stressPlan(raft).faults) !== 'uniform' && searchShape('guided', s, stressPlan(raft).faults) !== 'leader-cuts',
    )!;
    const lines = (search?: string) => {
      const out: string[] = [];
      return replayCommand(undefined, { ...raft, seed, ...(search ? { search } : {}), json: true }, (l) => out.push(l)).then(() => JSON.parse(out.join('\n')));
    };
    const [byDefault, uniform] = [await lines(), await lines('uniform')];
    expect(byDefault.result.traceHash).not.toBe(uniform.result.traceHash);
    expect((await lines('targeted')).result.traceHash).toBe(byDefault.result.traceHash);
  });
});
