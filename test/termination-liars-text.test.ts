import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { runCheckers } from '../src/check/registry.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 13: a run whose only faults were Byzantine agents was reported as "the run had no
 * faults" when it stalled. Liars lie to the end of the run, a fault no `fault` event marks: the
 * termination finding names them instead.
 */
const stalled = (behaviour: string): TraceEvent[] =>
  [
    { t: 0, type: 'spawn', actor: 'node_001', behaviour, host: 0 },
    { t: 0, type: 'spawn', actor: 'node_002', behaviour: '/x/src/protocols/pbft/pbft-replica.ts#pbftReplica', host: 0 },
    { t: 1, type: 'emit', actor: 'client', event: { type: 'pbft-request', client: 'client', ts: 1, op: 'a' } },
    { t: 9_000, type: 'emit', actor: 'client', event: { type: 'pbft-gave-up' } },
  ] as TraceEvent[];

describe('termination after heal, in a run with liars and no timed fault', () => {
  it('names the liars the trace spawned from the adversary library, and says the run had no faults only when it had none', () => {
    const lying = runCheckers('pbft', stalled('/x/src/adversary/byzantine-replica.ts#byzantineReplica')).liveness;
    expect(lying).toHaveLength(1);
    expect(lying[0].detail).toContain('of starting (no timed faults; Byzantine agent node_001 lying throughout)');
    expect(lying[0].detail).not.toContain('had no faults');
    const honest = runCheckers('pbft', stalled('/x/src/protocols/pbft/pbft-replica.ts#pbftReplica')).liveness;
    expect(honest[0].detail).toContain('of starting (the run had no faults)');
  });

  it('a PBFT run with two silent replicas (beyond f = 1) names both', async () => {
    const r = await runScenario(
      parseScenario(
        [
          'name: silent',
          'seed: 1',
          'agents: [{ role: node, count: 4 }]',
          'consensus: { algorithm: byzantine_tolerant }',
          'task: { question: ledger, options: [A, B], decisions: 4, in_flight: 2 }',
          'faults:',
          '  byzantine: { count: 2, types: [silent] }',
          '',
        ].join('\n'),
      ),
      { mode: 'sim' },
    );
    const liars = r.pbft!.byzantine.agents.slice().sort();
    expect(r.livenessViolations).toHaveLength(1);
    expect(r.livenessViolations[0].detail).toContain(`(no timed faults; Byzantine agents ${liars.join(', ')} lying throughout)`);
  });
});
