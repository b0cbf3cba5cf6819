import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../src/actors/library.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * A PBFT primary that crashes and comes back before any new view is installed: the failover
 * ends without one, and the figures say when it came back instead of leaving "no new view" to
 * read as a cluster that never recovered (the tutorial's cascade, seed 1: 7 of 9 replicas crash).
 */
describe('PBFT failover figures', () => {
  it('a crashed primary that recovers before any view change is reported as recovered, with when', async () => {
    const scenario = await loadScenarioFile(fileURLToPath(new URL('../examples/tutorial/17-cascading-failures.yml', import.meta.url)));
    const r = await runScenario(scenario, { seed: 1 });
    expect(r.pbft!.views).toEqual([]);
    expect(r.pbft!.failovers).toEqual([{ crashed: 'config_node_001', at: 500, newPrimary: null, ms: null, recoveredMs: 300 }]);
  });
});
