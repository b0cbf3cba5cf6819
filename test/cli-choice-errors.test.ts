import { describe, expect, it } from 'vitest';
import { errorOf, yaml } from './fixtures/scenario-error.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { driverForConsensus } from '../src/swarm/drivers.ts';

const AGENTS = ['agents:', '  - { role: coder, count: 3 }'];
const TASK = ['task:', '  question: "Which database?"', '  options: [PostgreSQL, MongoDB]'];
const TOPOLOGIES = '("mesh", "star", "ring", "hierarchical" or "adaptive")';

/** The message `conclave run` prints for a scenario with these extra lines. */
const messageOf = (...lines: string[]) => errorOf(() => parseScenario(yaml('name: x', ...AGENTS, ...TASK, ...lines), 's.yml')).message;

describe('a wrong choice lists every valid one and the close one it was meant to be, whatever its case', () => {
  it('a consensus algorithm: raft, byzantine_tolerant / pbft and adaptive are among the choices', () => {
    for (const [got, near] of [
      ['Simple_Majority', 'simple_majority'],
      ['PBFT', 'pbft'],
      ['rfat', 'raft'],
      ['Adaptive', 'adaptive'],
    ]) {
      const m = String(
        (() => {
          try {
            driverForConsensus({ algorithm: got });
          } catch (e) {
            return (e as Error).message;
          }
        })(),
      );
      expect(m).toContain(`expected ${near} (did you mean it?), or one of `);
      for (const id of [
        'simple_majority',
        'supermajority',
        'weighted_voting',
        'byzantine_supermajority',
        'adaptive',
        'raft',
        'byzantine_tolerant',
        'pbft',
        'gossip',
      ])
        expect(m).toContain(id);
    }
    expect(() => driverForConsensus({ algorithm: 'frobnicate' })).toThrow(/expected one of simple_majority, /);
  });

  it('a topology: adaptive is among the choices, and a case or spelling slip gets the close name', () => {
    expect(messageOf('topology: Mesh')).toBe(
      `s.yml:7:11: "topology": expected "mesh" (did you mean it?), or a topology name ${TOPOLOGIES} or { type, ...options }, got "Mesh".`,
    );
    expect(messageOf('topology: rign')).toContain('expected "ring" (did you mean it?)');
    expect(messageOf('topology: torus')).toBe(`s.yml:7:11: "topology": expected a topology name ${TOPOLOGIES} or { type, ...options }, got "torus".`);
    expect(messageOf('topology: { type: Hierarchical, teams: 2 }')).toContain(
      '"topology.type": expected "hierarchical" (did you mean it?), or a topology name ("mesh", "star", "ring", "hierarchical"), got "Hierarchical"',
    );
  });

  it('valid names still load', () => {
    for (const t of ['mesh', 'star', 'ring', 'hierarchical', 'adaptive'])
      expect(parseScenario(yaml('name: x', ...AGENTS, ...TASK, `topology: ${t}`), 's.yml').topology).toBe(t);
  });
});
