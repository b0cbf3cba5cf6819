import { describe, expect, it } from 'vitest';
import { stressCommand } from '../src/cli/stress-command.ts';
import { drawScenario, family, faultsFor } from '../src/stress/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { unusedSettings } from '../src/swarm/client-run.ts';

// `conclave stress` for every protocol family over every fault kind it takes by default, within
// the protocol's bound: a few hundred seeded runs in all, each judged by the checkers. Any
// safety violation fails the run (exit 1) and this test prints the command that replays it.
const campaigns = [
  { protocol: 'byzantine_tolerant', agents: 4, runs: 120, decisions: 40 },
  { protocol: 'raft', agents: 5, runs: 120, decisions: 40 },
  { protocol: 'simple_majority', agents: 7, runs: 80, decisions: 20 },
  { protocol: 'supermajority', agents: 7, runs: 40, decisions: 20 },
];

describe('conclave stress on every protocol, all fault kinds within the bound', () => {
  for (const c of campaigns) {
    it(`${c.protocol}: ${c.runs} runs, no safety violation`, async () => {
      const lines: string[] = [];
      const code = await stressCommand({ ...c, seed: 1, json: true, shrink: false }, (l) => lines.push(l));
      const report = JSON.parse(lines.join('\n'));
      expect(report.failing, lines.join('\n')).toEqual([]);
      expect(code).toBe(0);
      expect(report.runs).toBe(c.runs);
      expect(report.decisions.decided).toBeGreaterThan(0);
      // Faults were really drawn: every kind the protocol takes appears in some run's schedule.
      const plan = { protocol: c.protocol, agents: c.agents, faults: faultsFor(c.protocol, undefined), decisions: c.decisions };
      // Over 300 draws (drawing is cheap): the Raft default (guided) spends about 60% of its runs on
      // leader cuts, so a 120-run campaign may draw no bridge or one-way partition at all.
      const drawn = Array.from({ length: Math.max(c.runs, 300) }, (_, i) => drawScenario(plan, 1 + i)).join('\n');
      const kinds = [
        'crash:',
        'partition:',
        'network:',
        'pause:',
        'clock_skew:',
        'shape: ring',
        'shape: bridge',
        'one_way',
        ...(family(c.protocol) === 'raft' ? [] : ['byzantine:']),
        ...(family(c.protocol) === 'pbft' ? [] : ['cascade:']),
      ];
      for (const k of kinds) expect(drawn).toContain(k);
    }, 120_000);
  }
});

describe('a drawn scenario holds only what its protocol uses', () => {
  // A PBFT or Raft run was drawn with a vote's question, options and truth: its replay warned
  // that task.options and task.truth are not used.
  it.each(campaigns.filter((c) => family(c.protocol) !== 'voting').map((c) => [c.protocol, c] as const))('%s: no setting it does not use', (_name, c) => {
    const plan = { protocol: c.protocol, agents: c.agents, faults: faultsFor(c.protocol, undefined), decisions: c.decisions };
    for (let seed = 1; seed <= 20; seed++) expect(unusedSettings(parseScenario(drawScenario(plan, seed)), c.protocol, { reads: true })).toEqual([]);
  });
});
