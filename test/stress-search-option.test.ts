import { describe, expect, it } from 'vitest';
import { stressPlan } from '../src/cli/stress-command.ts';
import { replayCommand } from '../src/cli/replay-command.ts';
import { ConfigError } from '../src/errors.ts';
import { drawScenario } from '../src/stress/index.ts';
import { raftSearchShape } from '../src/stress/raft-search.ts';

const raft = { protocol: 'raft', agents: 5, decisions: 30 };

describe('conclave stress --search', () => {
  it('uniform draws every Raft run alike; targeted (the default) draws its shapes for the seeds that get one', () => {
    const targeted = stressPlan(raft);
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

  it('is refused by name for anything but targeted or uniform, and for protocols without a targeted search', () => {
    expect(() => stressPlan({ ...raft, search: 'clever' })).toThrow(ConfigError);
    expect(() => stressPlan({ ...raft, search: 'clever' })).toThrow(/--search.*targeted or uniform/);
    expect(() => stressPlan({ protocol: 'pbft', agents: 4, decisions: 30, search: 'uniform' })).toThrow(/--search.*a Raft option/);
    // Targeted needs crashes to lay: refused where the runs draw none.
    expect(() => stressPlan({ ...raft, faults: 'partition,delay', search: 'targeted' })).toThrow(/--search.*add crash to --faults/);
    // Threads mode draws crashes too now, so the targeted search is taken there.
    expect(stressPlan({ ...raft, mode: 'threads', search: 'targeted' }).search).toBe('targeted');
    expect(stressPlan({ ...raft, faults: 'partition,delay', search: 'uniform' }).search).toBe('uniform');
  });

  it('conclave replay takes it too, and replays the run stress drew', async () => {
    const seed = Array.from({ length: 40 }, (_, i) => i + 1).find((s) => raftSearchShape(s, stressPlan(raft).faults) !== 'uniform')!;
    const lines = (search?: string) => {
      const out: string[] = [];
      return replayCommand(undefined, { ...raft, seed, ...(search ? { search } : {}), json: true }, (l) => out.push(l)).then(() => JSON.parse(out.join('\n')));
    };
    const [byDefault, uniform] = [await lines(), await lines('uniform')];
    expect(byDefault.result.traceHash).not.toBe(uniform.result.traceHash);
    expect((await lines('targeted')).result.traceHash).toBe(byDefault.result.traceHash);
  });
});
