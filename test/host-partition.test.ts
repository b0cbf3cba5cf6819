import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../src/scenario/fault-plan.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/** `faults.partition: [{ hosts: [[0], [1, 2]] }]`: a partition between hosts (workers, or node processes across NATS). */
describe('a partition between hosts', () => {
  it('reads hosts as groups of host indexes and refuses what it cannot mean, by name', () => {
    expect(parseFaultPlan({ partition: [{ at: '1s', duration: '2s', hosts: [[0], [1, 2]] }] }).partitions[0]).toMatchObject({
      atMs: 1000,
      durationMs: 2000,
      hosts: [[0], [1, 2]],
    });
    const refused =
      (hosts: unknown, extra: Record<string, unknown> = {}) =>
      () =>
        parseFaultPlan({ partition: [{ at: '1s', hosts, ...extra }] });
    expect(refused([[0]])).toThrow(/"faults.partition\[0\].hosts": expected two or more non-empty lists of host indexes/);
    expect(refused([[0], []])).toThrow(/two or more non-empty lists/);
    expect(refused([[0], [1.5]])).toThrow(/two or more non-empty lists/);
    expect(refused([[0, 1], [1]])).toThrow(/each host in one group only \(host 1 is in two\)/);
    expect(refused([[0], [1]], { split_ratio: 0.3 })).toThrow(/"faults.partition\[0\].split_ratio": expected no split_ratio beside hosts/);
  });

  it('in threads mode cuts the actors of one worker off from the other’s and heals; sim mode, one host, refuses it', async () => {
    const yaml = (mode: string) => `
name: host-partition
mode: ${mode}
agents: [{ role: node, count: 5 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 1000, in_flight: 8 }
faults:
  partition: [{ at: 200ms, duration: 500ms, hosts: [[0], [1]] }]
`;
    const r = await runScenario(parseScenario(yaml('threads')), { seed: 3, workers: 2 });
    expect(r.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(r.decisions.decided).toBe(1000);
    expect(r.safetyViolations).toEqual([]);
    await expect(runScenario(parseScenario(yaml('sim')), { seed: 3 })).rejects.toThrow(
      /"faults.partition\[0\].hosts": expected a run on several hosts \(threads mode, or across nodes with --nats\): sim mode has one/,
    );
  }, 60_000);
});
