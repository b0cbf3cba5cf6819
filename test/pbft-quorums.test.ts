import { describe, expect, it } from 'vitest';
import { resolvePbftProps } from '../src/protocols/pbft/messages.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const replicas = (n: number) => Array.from({ length: n }, (_, i) => `r${i + 1}`);

describe('PBFT quorums for every n and f', () => {
  it('any two quorums share at least f + 1 replicas, and n - f honest replicas still make one', () => {
    for (let n = 1; n <= 40; n++) {
      for (let f = 0; f <= Math.floor((n - 1) / 3); f++) {
        const p = resolvePbftProps({ replicas: replicas(n), f });
        expect({ n, f, overlap: 2 * p.quorum - n >= f + 1 }).toEqual({ n, f, overlap: true });
        expect({ n, f, live: p.quorum <= n - f }).toEqual({ n, f, live: true });
        expect(p.prepareQuorum).toBe(p.quorum - 1);
      }
    }
  });

  it('is 2f + 1 when n = 3f + 1, and larger where 2f + 1 would let two quorums meet only in a liar', () => {
    expect(resolvePbftProps({ replicas: replicas(4) }).quorum).toBe(3);
    expect(resolvePbftProps({ replicas: replicas(7) }).quorum).toBe(5);
    expect(resolvePbftProps({ replicas: replicas(5) }).quorum).toBe(4); // 2f + 1 = 3: two quorums of 3 in 5 share one
    expect(resolvePbftProps({ replicas: replicas(6) }).quorum).toBe(4);
    expect(resolvePbftProps({ replicas: replicas(7), f: 1 }).quorum).toBe(5); // f fixed lower: 3 + 3 of 7 need not meet at all
  });

  it('n = 5 with one colluding primary (within f = 1) keeps agreement (quorums of 3 broke it)', async () => {
    // The smallest run the collude adversary found while quorums were 2f + 1 = 3 of 5.
    const r = await runScenario(
      parseScenario(
        `
name: collude5
seed: 5
agents: [{ role: node, count: 5 }]
consensus: { algorithm: byzantine_tolerant }
task: { question: ledger, options: [A, B], decisions: 20, in_flight: 4 }
faults:
  byzantine: { target: [primary], types: [collude] }
`,
        'collude5.yml',
      ),
      {},
    );
    expect(r.safetyViolations).toEqual([]);
    expect(r.decisions.decided).toBe(20);
  });
});
