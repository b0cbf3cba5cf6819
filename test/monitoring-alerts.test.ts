import { describe, expect, it } from 'vitest';
import { AlertWatcher, type AlertRecord, type TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const scenario = (yaml: string) => parseScenario(yaml, 'inline.yml');

/** Five accurate voters, one of them Byzantine as `types` says (delay 1s when delayed). */
const voting = (monitoring: string, types = '[delayed_responses]', extra = '') => `
name: watched
seed: 11
agents: [{ role: analyst, count: 5, accuracy: 1 }]
consensus: { algorithm: simple_majority, voting_timeout: 5s${extra} }
task: { question: q, options: [a, b], truth: a, decisions: 4 }
faults: { byzantine: { target: [analyst_002], types: ${types}, delay: 1s } }
monitoring: ${monitoring}
`;

/** Runs and returns the result, the alerts onAlert saw, and how many it had seen when the run completed. */
async function watch(yaml: string, options: { mode?: 'sim' | 'threads' } = {}) {
  const live: AlertRecord[] = [];
  let atComplete = -1;
  const r = await runScenario(scenario(yaml), {
    ...options,
    workers: options.mode === 'threads' ? 2 : undefined,
    onAlert: (a) => live.push(a),
    onEvent: (e: TraceEvent) => {
      const type = e.type === 'emit' ? e.event.type : undefined;
      if (type === 'run-complete' || type === 'client-done' || type === 'pbft-client-done' || type === 'gossip-done') atComplete = live.length;
    },
  });
  return { r, live, atComplete };
}

describe('monitoring: alerts raised from the trace while the run goes', () => {
  it('slow consensus: one alert per decision over the threshold, live, the same for the same seed', async () => {
    const { r, live, atComplete } = await watch(voting('{ slow_consensus_threshold: 500ms }'));
    expect(r.alerts.map((a) => [a.rule, a.decision, a.threshold])).toEqual([
      ['slow-consensus', 'd1', 500],
      ['slow-consensus', 'd2', 500],
      ['slow-consensus', 'd3', 500],
      ['slow-consensus', 'd4', 500],
    ]);
    for (const a of r.alerts) {
      expect(a.value).toBeGreaterThan(1_000); // the delayed ballot is waited for
      // Seen at the first event past the threshold (here the delayed ballot's arrival), before the decision closes.
      expect(a.message).toMatch(/^decision d\d still open after [\d,]+ ms \(slow-consensus threshold 500 ms\)$/);
    }
    expect(live).toEqual(r.alerts);
    expect(atComplete).toBe(4); // every alert reached onAlert before the run completed
    const again = await watch(voting('{ slow_consensus_threshold: 500ms }'));
    expect(again.r.alerts).toEqual(r.alerts);
    expect(again.r.traceHash).toBe(r.traceHash);
  });

  it('a decision still open past the threshold is reported at the next event of the run, once; one that closes late, when it closes', () => {
    const seen: AlertRecord[] = [];
    const w = new AlertWatcher({ slowConsensusMs: 500 }, (a) => seen.push(a));
    const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
    w.observe(emit(100, 'coordinator', { type: 'proposal', decision: 'd1' }));
    w.observe(emit(110, 'coordinator', { type: 'proposal', decision: 'd2' }));
    w.observe(emit(120, 'coordinator', { type: 'decided', decision: 'd2', latencyMs: 10, consensus: true }));
    w.observe(emit(700, 'analyst_001', { type: 'vote', decision: 'd1' })); // d1 is 600 ms old
    w.observe(emit(900, 'coordinator', { type: 'decided', decision: 'd1', latencyMs: 800, consensus: true }));
    w.observe(emit(1000, 'client', { type: 'client-invoke', client: 'client', seq: 1 }));
    w.observe(emit(1700, 'client', { type: 'client-ok', client: 'client', seq: 1 }));
    expect(seen).toEqual([
      {
        at: 600,
        rule: 'slow-consensus',
        value: 600,
        threshold: 500,
        decision: 'd1',
        message: 'decision d1 still open after 600 ms (slow-consensus threshold 500 ms)',
      },
      {
        at: 1600,
        rule: 'slow-consensus',
        value: 700,
        threshold: 500,
        decision: 'client#1',
        message: 'decision client#1 took 700 ms (slow-consensus threshold 500 ms)',
      },
    ]);
    expect(w.alerts).toEqual(seen);
  });

  it('the same run under the thresholds raises nothing', async () => {
    const { r, live } = await watch(voting('{ max_consensus_time: 2s, failure_rate_threshold: 0.05, byzantine_detection: true }'));
    expect(r.decisions.decided).toBe(4);
    expect(r.alerts).toEqual([]);
    expect(live).toEqual([]);
  });

  it('byzantine detection: one alert per agent caught lying', async () => {
    const { r } = await watch(voting('{ byzantine_detection: true }', '[conflicting_votes]'));
    expect(r.byzantineDetected.map((b) => b.agent)).toEqual(['analyst_002']);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ rule: 'byzantine-detected', agent: 'analyst_002', value: 1, threshold: 0 });
    expect(r.alerts[0].message).toBe(`agent analyst_002 detected as Byzantine: ${r.byzantineDetected[0].evidence}`);
  });

  it('failure rate: raised when the share of failed decisions goes over the threshold (min_success_rate)', async () => {
    // A threshold of 1 with a lying voter: no decision reaches consensus.
    const { r } = await watch(voting('{ min_success_rate: 0.95 }', '[false_information]', ', threshold: 1').replace('simple_majority', 'supermajority'));
    expect(r.decisions.noConsensus).toBe(4);
    expect(r.alerts).toEqual([
      {
        at: r.alerts[0].at,
        rule: 'failure-rate',
        value: 1,
        threshold: 0.05,
        decision: 'd1',
        message: 'failure rate 1 (1 of 1 decisions closed without consensus) is over the threshold 0.05',
      },
    ]);
  });

  it('performance_alerts: false turns the performance rules off (and says so)', async () => {
    const { r } = await watch(voting('{ slow_consensus_threshold: 500ms, performance_alerts: false, consensus_metrics: false }'));
    expect(r.alerts).toEqual([]);
    expect(r.warnings).toEqual([
      'monitoring.consensus_metrics: the figures are always measured and reported, so false changes nothing; remove it',
      'monitoring.performance_alerts: false turns off the slow-consensus and failure-rate alerts, so their thresholds are not used',
    ]);
  });

  it('threads mode: the same rules on the wall clock', async () => {
    const { r, live } = await watch(voting('{ slow_consensus_threshold: 500ms, byzantine_detection: true }'), { mode: 'threads' });
    expect(r.mode).toBe('threads');
    expect(r.alerts.map((a) => a.rule)).toEqual(['slow-consensus', 'slow-consensus', 'slow-consensus', 'slow-consensus']);
    expect(live).toEqual(r.alerts);
  });

  for (const algorithm of ['raft', 'byzantine_tolerant', 'gossip']) {
    it(`${algorithm}: slow consensus from delay faults raises alerts; without them, none`, async () => {
      const yaml = (faults: string) => `
name: watched-${algorithm}
seed: 3
agents: [{ role: node, count: 4 }]
consensus: { algorithm: ${algorithm} }
task: { decisions: 6 }
monitoring: { slow_consensus_threshold: 400ms, failure_rate_threshold: 0.05, byzantine_detection: ${algorithm === 'byzantine_tolerant'} }
${faults}
`;
      const calm = await watch(yaml(''));
      expect(calm.r.decisions.decided).toBe(6);
      expect(calm.r.alerts).toEqual([]);
      const slow = await watch(yaml('faults: { network: [{ at: 0ms, delay: { distribution: uniform, min: 150ms, max: 200ms } }] }'));
      const slowOnes = slow.r.alerts.filter((a) => a.rule === 'slow-consensus');
      expect(slowOnes.length).toBeGreaterThan(0);
      for (const a of slowOnes) expect(a.value).toBeGreaterThan(400);
      // A command the slow network made the client give up on is a failed decision: over 5%.
      const failed = slow.r.decisions.attempted - slow.r.decisions.decided;
      expect(slow.r.alerts.filter((a) => a.rule === 'failure-rate').length).toBe(failed > 0 ? 1 : 0);
      expect(slow.r.alerts.length).toBe(slowOnes.length + (failed > 0 ? 1 : 0));
      expect(slow.live).toEqual(slow.r.alerts);
      expect((await watch(yaml('faults: { network: [{ at: 0ms, delay: { distribution: uniform, min: 150ms, max: 200ms } }] }'))).r.alerts).toEqual(
        slow.r.alerts,
      );
    });
  }

  it('PBFT: a replica caught equivocating raises byzantine-detected', async () => {
    const { r } = await watch(`
name: pbft-liar
seed: 5
agents: [{ role: node, count: 4 }]
consensus: { algorithm: byzantine_tolerant }
task: { decisions: 6 }
faults: { byzantine: { target: primary, types: [conflicting_votes] } }
monitoring: { byzantine_detection: true }
`);
    expect(r.byzantineDetected.length).toBeGreaterThan(0);
    expect(r.alerts.map((a) => [a.rule, a.agent])).toEqual(r.byzantineDetected.map((b) => ['byzantine-detected', b.agent]));
  });

  it('raft and gossip name byzantine_detection as unusable in their warnings', async () => {
    for (const algorithm of ['raft', 'gossip']) {
      const r = await runScenario(
        scenario(
          `name: x\nagents: [{ role: node, count: 3 }]\nconsensus: { algorithm: ${algorithm} }\ntask: { decisions: 1 }\nmonitoring: { byzantine_detection: true }\n`,
        ),
      );
      expect(r.warnings).toContain(
        `monitoring.byzantine_detection: ${algorithm} does not detect Byzantine agents (it is not Byzantine tolerant), so no such alert can be raised; use a vote or byzantine_tolerant`,
      );
    }
  });
});
