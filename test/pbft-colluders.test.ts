import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { collusionPlan } from '../src/adversary/pbft-colluders.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runStress, shrinkScenario, type StressPlan } from '../src/stress/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 13, section 5: the `collude` adversary (a Byzantine primary and its partners, see
 * src/adversary/pbft-colluders.ts) breaks PBFT's agreement beyond the bound, without a slow
 * link, and cannot within it. Every campaign has a fixed seed: the same runs every time.
 */
const pbft = (
  agents: number,
  byzantine: number,
  faults: string[] = ['crash', 'partition', 'delay', 'drop', 'duplicate', 'reorder', 'pause', 'skew', 'byzantine'],
): StressPlan => ({ protocol: 'pbft', agents, byzantine, faults, decisions: 20 });

/** A PBFT scenario with the view-0 primary (node_001) and `others` colluding, no other fault. */
const colluding = (agents: number, others: string[]) =>
  parseScenario(
    [
      'name: colluders',
      'seed: 5',
      `agents: [{ role: node, count: ${agents} }]`,
      'consensus: { algorithm: byzantine_tolerant }',
      'task: { question: ledger, options: [A, B], decisions: 20, in_flight: 4 }',
      'faults:',
      `  byzantine: { target: [${['primary', ...others].join(', ')}], types: [collude] }`,
      '',
    ].join('\n'),
  );

describe("the colluders' plan", () => {
  it('splits the honest replicas so that each half can decide with the colluders only beyond the bound', () => {
    const four = ['n1', 'n2', 'n3', 'n4'];
    // n = 4, f = 1, two colluders: one honest replica on each side; view 1's primary (n2) leads H2.
    expect(collusionPlan(four, ['n1', 'n3'], 1, { view: 0, seq: 1, digest: 'd' })).toEqual({ view: 0, seq: 1, digest: 'd', target: 1, h1: ['n4'], h2: ['n2'] });
    // The target view skips views a colluder leads.
    expect(collusionPlan(four, ['n1', 'n2'], 1, { view: 0, seq: 3, digest: 'd' })).toMatchObject({ target: 2, h1: ['n4'], h2: ['n3'] });
    // Within the bound (one colluder): H1 gets the 2f + 1 - c = 2 it needs to commit, leaving H2 one short of a new view without H1.
    expect(collusionPlan(four, ['n1'], 1, { view: 0, seq: 1, digest: 'd' })).toMatchObject({ h1: ['n3', 'n4'], h2: ['n2'] });
    const seven = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    expect(collusionPlan(seven, ['n1', 'n3', 'n6'], 2, { view: 0, seq: 1, digest: 'd' })).toMatchObject({ h1: ['n5', 'n7'], h2: ['n2', 'n4'] });
    expect(collusionPlan(seven, ['n1', 'n6'], 2, { view: 0, seq: 1, digest: 'd' })).toMatchObject({ h1: ['n4', 'n5', 'n7'], h2: ['n2', 'n3'] });
    // Nobody to split.
    expect(collusionPlan(four, ['n1', 'n2', 'n3'], 1, { view: 0, seq: 1, digest: 'd' })).toBeUndefined();
  });
});

describe('collude against PBFT, no other fault', () => {
  for (const { agents, others } of [
    { agents: 4, others: ['node_003'] },
    { agents: 7, others: ['node_003', 'node_006'] },
  ]) {
    it(`n = ${agents}, f + 1 = ${others.length + 1} colluders: two honest replicas commit different batches at seq 1, with nothing to show who lied`, async () => {
      const collusion: Record<string, unknown>[] = [];
      const r = await runScenario(colluding(agents, others), {
        mode: 'sim',
        onEvent: (e: TraceEvent) => e.type === 'emit' && e.event.type === 'collusion' && collusion.push(e.event),
      });
      const agreement = r.safetyViolations.filter((v) => v.property === 'agreement');
      expect(agreement.length).toBeGreaterThan(0);
      expect(agreement[0]).toMatchObject({ checker: 'pbft-safety' });
      expect(agreement[0].detail).toMatch(/^seq 1: node_\d+ committed d=\w+ \(view 0\), node_\d+ committed d=\w+ \(view [1-9]\)/);
      // Each colluder saw the attack start, then led the starved half away.
      expect(collusion.filter((e) => e.phase === 'split')).toHaveLength(others.length + 1);
      expect(collusion.some((e) => e.phase === 'view-change')).toBe(true);
      // The lie is an omission: no honest replica holds signed proof against any colluder.
      expect(r.byzantineDetected).toEqual([]);
    });
  }

  it('n = 7 with f = 2 colluders: the honest half commits, the view change keeps what it committed', async () => {
    const collusion: Record<string, unknown>[] = [];
    const r = await runScenario(colluding(7, ['node_006']), {
      mode: 'sim',
      onEvent: (e: TraceEvent) => e.type === 'emit' && e.event.type === 'collusion' && collusion.push(e.event),
    });
    expect(collusion.some((e) => e.phase === 'split')).toBe(true); // the attack was tried
    expect(r.safetyViolations).toEqual([]);
    expect(r.livenessViolations).toEqual([]);
    expect(r.decisions.decided).toBe(20);
  });
});

describe('conclave stress finds it, shrinks it and replays it', () => {
  for (const { agents, byzantine, runs } of [
    { agents: 4, byzantine: 2, runs: 10 },
    { agents: 7, byzantine: 3, runs: 20 },
  ]) {
    it(`--agents ${agents} --byzantine ${byzantine}: an agreement violation by colluders within ${runs} runs from seed 1`, async () => {
      const report = await runStress(pbft(agents, byzantine), { runs, seed: 1, workers: 1 });
      const first = report.failing[0];
      expect(first, `no failing run in ${runs}`).toBeDefined();
      expect(first.violations[0]).toMatchObject({ checker: 'pbft-safety', property: 'agreement' });
      expect(first.scenario).toContain('types: [collude]');
      // Every failing run is the colluders' doing: no other behaviour breaks safety here.
      for (const f of report.failing) expect(f.scenario).toContain('types: [collude]');
      const shrunk = await shrinkScenario(first.scenario, { seed: first.seed, property: 'agreement', maxAttempts: 40 });
      expect(shrunk.failing).toBe(true);
      expect(shrunk.size.after.faultEntries).toBeLessThanOrEqual(shrunk.size.before.faultEntries);
      expect(shrunk.shrunk).toContain('collude');
      const again = await runScenario(parseScenario(shrunk.shrunk), { seed: first.seed, mode: 'sim' });
      expect(again.safetyViolations.find((v) => v.property === 'agreement')).toMatchObject({ checker: 'pbft-safety' });
    }, 180_000);
  }

  it('--agents 4 --byzantine 1: colluding in every run (with every timed fault PBFT takes), 300 runs stay safe and live', async () => {
    const report = await runStress(pbft(4, 1, ['collude', 'partition', 'delay', 'drop', 'duplicate', 'reorder', 'pause', 'skew']), {
      runs: 300,
      seed: 1,
      workers: 1,
    });
    expect(report.failing).toEqual([]);
    expect(report.stalled).toEqual([]);
    expect(report.decisions.decided).toBe(report.decisions.attempted);
  }, 300_000);
});
