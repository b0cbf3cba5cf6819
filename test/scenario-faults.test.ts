import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

type Fault = Extract<TraceEvent, { type: 'fault' }>;
type Drop = Extract<TraceEvent, { type: 'drop' }>;

/** Runs a scenario in sim mode, keeping its trace. */
async function run(yaml: string, seed = 5) {
  const events: TraceEvent[] = [];
  const result = await runScenario(parseScenario(yaml), { seed, mode: 'sim', onEvent: (e) => events.push(e) });
  const faults = events.filter((e): e is Fault => e.type === 'fault');
  const drops = events.filter((e): e is Drop => e.type === 'drop');
  const m = result.messages;
  expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
  expect(Object.values(m.droppedBy).reduce((a, b) => a + b, 0)).toBe(m.dropped);
  return { result, events, faults, drops };
}

const raft = (n: number, faults: string, extra = '') => `
name: faults
agents: [{ role: node, count: ${n} }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 300, in_flight: 4 }
${extra}
faults:
${faults}
`;

const ids = (n: number) => Array.from({ length: n }, (_, i) => `node_${String(i + 1).padStart(3, '0')}`);

describe('scenario faults: each kind happens, is in the trace, and the books name it', () => {
  it('crash targets: random picks a member, a role crashes all of its agents; crash-stop stays down', async () => {
    const { result, faults } = await run(`
name: roles
agents: [{ role: east, count: 3 }, { role: west, count: 2 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 200, in_flight: 4 }
faults:
  crash: [{ target: west, at: 100ms, duration: 300ms }, { target: random, at: 600ms }]
`);
    const crashes = faults.filter((f) => f.fault === 'crash').map((f) => f.detail);
    expect(crashes.slice(0, 2)).toEqual(['west_001', 'west_002']);
    expect(crashes).toHaveLength(3);
    expect(['east_001', 'east_002', 'east_003', 'west_001', 'west_002']).toContain(crashes[2]);
    expect(faults.filter((f) => f.fault === 'recover').map((f) => f.detail)).toEqual(['west_001', 'west_002']);
    expect(result.decisions.decided).toBe(200);
    expect(result.safetyViolations).toEqual([]);
  });

  it("a one-way partition cuts only the leader side's sends; the rest elect a new leader", async () => {
    const { result, faults, drops } = await run(raft(5, '  partition: [{ at: 300ms, duration: 400ms, split_ratio: 0.2, direction: one_way }]'));
    const cut = faults.find((f) => f.fault === 'partition')!;
    const [, cutOff] = /^one-way: (\S+) cannot reach/.exec(cut.detail)!;
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => d.fault === 'partition' && d.from === cutOff)).toBe(true);
    expect(result.messages.droppedBy.partition).toBe(drops.length);
    expect(result.raft!.leaders.some((l) => l.at > 300 && l.leader !== cutOff)).toBe(true);
    expect(result.decisions.decided).toBe(300);
    expect(result.safetyViolations).toEqual([]);
  });

  it('a ring partition cuts exactly the links between members more than one step apart (n = 5)', async () => {
    const { result, drops } = await run(raft(5, '  partition: [{ at: 300ms, duration: 400ms, shape: ring }]'));
    const n = ids(5);
    const dist = (a: string, b: string) => Math.min((n.indexOf(a) - n.indexOf(b) + 5) % 5, (n.indexOf(b) - n.indexOf(a) + 5) % 5);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => dist(d.from, d.to) === 2)).toBe(true);
    expect(result.decisions.decided).toBe(300);
    expect(result.safetyViolations).toEqual([]);
  });

  it('a bridge partition leaves one member reaching both sides', async () => {
    const { result, faults, drops } = await run(raft(5, '  partition: [{ at: 300ms, duration: 400ms, split_ratio: 0.4, shape: bridge }]'));
    const sides = faults
      .find((f) => f.fault === 'partition')!
      .detail.split(' | ')
      .map((s) => s.split(','));
    const bridge = ids(5).filter((id) => !sides.flat().includes(id));
    expect(bridge).toHaveLength(1);
    expect(sides[0]).toHaveLength(2);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.some((d) => d.from === bridge[0] || d.to === bridge[0])).toBe(false);
    expect(result.decisions.decided).toBe(300);
  });

  it('network faults: delays, loss and duplication on named links, for a while; every drop named', async () => {
    const slow = await run(raft(3, '  network: [{ at: 0ms, delay: { distribution: uniform, min: 20ms, max: 40ms } }]'));
    const base = await run(raft(3, '  network: [{ at: 0ms, delay: 2ms }]'));
    expect(slow.result.latencyMs.p50).toBeGreaterThan(4 * base.result.latencyMs.p50);
    const lossy = await run(raft(5, '  network: [{ at: 100ms, duration: 500ms, drop_rate: 0.2, duplicate_rate: 0.1, to: [node_002, node_003] }]'));
    expect(lossy.drops.length).toBeGreaterThan(0);
    expect(lossy.drops.every((d) => d.fault === 'drop' && ['node_002', 'node_003'].includes(d.to) && d.t >= 100 && d.t <= 600)).toBe(true);
    expect(lossy.result.messages.droppedBy).toEqual({ drop: lossy.drops.length });
    expect(lossy.events.some((e) => e.type === 'duplicate')).toBe(true);
    expect(lossy.faults.map((f) => f.fault)).toEqual(['network', 'network-end']);
    expect(lossy.result.decisions.decided).toBe(300);
    expect(lossy.result.safetyViolations).toEqual([]);
  });

  it('a paused leader loses its lead while it sleeps and catches up after', async () => {
    const { result, faults } = await run(raft(5, '  pause: [{ target: leader, at: 300ms, duration: 600ms }]'));
    const paused = /^(\S+) for 600 ms$/.exec(faults.find((f) => f.fault === 'pause')!.detail)![1];
    expect(faults.find((f) => f.fault === 'resume')!.detail).toBe(paused);
    expect(result.raft!.leaders.some((l) => l.at > 300 && l.leader !== paused)).toBe(true);
    expect(result.decisions.decided).toBe(300);
    expect(result.messages.dropped).toBe(0); // a pause holds envelopes, it loses none
    expect(result.safetyViolations).toEqual([]);
  });

  it('a fast clock makes a node time out on its leader again and again', async () => {
    // Its election timer (150-300 ms) now runs out between the leader's heartbeats: it asks for pre-votes.
    const prevotes = async (faults: string) => {
      const { events, faults: laid } = await run(raft(3, faults));
      expect(laid.map((f) => f.detail)).toEqual([expect.stringMatching(/^node_003 x/)]);
      return events.filter((e) => e.type === 'emit' && e.actor === 'node_003' && (e.event as { type: string }).type === 'raft-prevote').length;
    };
    expect(await prevotes('  clock_skew: [{ target: node_003, rate: 1 }]')).toBe(0);
    expect(await prevotes('  clock_skew: [{ target: node_003, rate: 20 }]')).toBeGreaterThanOrEqual(3);
  });

  it('a cascade spreads only along the topology, and recovers', async () => {
    const voting = (propagation: number) => `
name: cascade
agents: [{ role: voter, count: 8 }]
topology: ring
consensus: { algorithm: simple_majority, voting_timeout: 200ms }
task: { question: q, options: [A, B], truth: A, decisions: 40 }
faults:
  cascade: { at: 50ms, initial_failure_rate: 0.25, failure_propagation: ${propagation}, recovery_time: 300ms, hop_delay: 20ms }
`;
    const spread = await run(voting(1));
    const hits = spread.faults.filter((f) => f.fault === 'cascade').map((f) => f.detail.split(' '));
    const voters = Array.from({ length: 8 }, (_, i) => `voter_${String(i + 1).padStart(3, '0')}`);
    // The ring runs coordinator, voter_001, ..., voter_008 and back: neighbours are one apart.
    const ring = ['coordinator', ...voters];
    const apart = (a: string, b: string) => Math.min((ring.indexOf(a) - ring.indexOf(b) + 9) % 9, (ring.indexOf(b) - ring.indexOf(a) + 9) % 9);
    expect(hits.filter(([, cause]) => cause === 'initial').length).toBeGreaterThan(0);
    const spreadHits = hits.filter(([, cause]) => cause === 'from');
    expect(spreadHits.length).toBeGreaterThan(0);
    for (const [victim, , source] of spreadHits) expect(apart(victim, source)).toBe(1);
    expect(new Set(hits.map(([v]) => v)).size).toBe(8); // with certain spread, the whole ring goes down
    expect(spread.faults.filter((f) => f.fault === 'recover')).toHaveLength(8);
    const contained = await run(voting(0));
    expect(contained.faults.filter((f) => f.fault === 'cascade').every((f) => f.detail.endsWith('initial'))).toBe(true);
    expect(spread.result.safetyViolations).toEqual([]);
  });

  it('voting runs take crashes and partitions of voters: decisions go on with the votes that arrive', async () => {
    const { result, faults } = await run(`
name: voting-faults
agents: [{ role: voter, count: 7 }]
consensus: { algorithm: simple_majority, voting_timeout: 100ms }
task: { question: q, options: [A, B], truth: A, decisions: 30 }
faults:
  crash: [{ target: voter_002, at: 5ms }]
  partition: [{ at: 10ms, duration: 500ms, split_ratio: 0.3 }]
`);
    expect(faults.map((f) => f.fault)).toEqual(['crash', 'partition', 'heal']);
    expect(result.messages.deadLetteredBy['actor-stopped']).toBeGreaterThan(0);
    expect(result.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(result.decisions.attempted).toBe(30);
    expect(result.safetyViolations).toEqual([]);
  });
});

describe('scenario faults: bad input is refused with the field and what would do', () => {
  // Numbers and shapes are refused as the file loads; targets when the run starts: either way, before it runs.
  const refused = (yaml: string) => expect(Promise.resolve().then(() => runScenario(parseScenario(yaml), { mode: 'sim' }))).rejects;
  it('names unknown kinds and keys, bad shapes and values, and targets that are not members', async () => {
    await refused(raft(3, '  partiton: [{ at: 1s }]')).toThrow(/faults\.partiton.*partition \(did you mean it\?\)/);
    await refused(raft(3, '  crash: [{ at: 1s, duraton: 1s }]')).toThrow(/faults\.crash\[0\]\.duraton.*duration \(did you mean it\?\)/);
    await refused(raft(3, '  partition: [{ at: 1s, shape: rung }]')).toThrow(/faults\.partition\[0\]\.shape.*ring \(did you mean it\?\)/);
    await refused(raft(3, '  partition: [{ at: 1s, shape: ring, direction: one_way }]')).toThrow(/faults\.partition\[0\]\.direction/);
    await refused(raft(3, '  network: [{ at: 1s }]')).toThrow(/faults\.network\[0\].*at least one of delay/);
    await refused(raft(3, '  network: [{ delay: { distribution: uniform, min: 1ms } }]')).toThrow(/faults\.network\[0\]\.delay\.max/);
    await refused(raft(3, '  clock_skew: [{ target: node_001, rate: -1 }]')).toThrow(/faults\.clock_skew\[0\]\.rate/);
    await refused(raft(3, '  crash: [{ target: client, at: 1s }]')).toThrow(/faults\.crash\[0\]\.target.*drives the run/);
    await refused(raft(3, '  pause: [{ target: nobody, at: 1s, duration: 1s }]')).toThrow(/faults\.pause\[0\]\.target.*leader, random, an agent id/);
    await refused(raft(3, '  byzantine: { count: 1, types: [split_brain] }')).toThrow(/faults\.byzantine\.types\[0\].*conflicting_votes, false_information/);
    await refused(raft(3, '  cascade: { initial_failure_rate: 2 }')).toThrow(/faults\.cascade\.initial_failure_rate.*probability/);
    await refused(`
name: v
agents: [{ role: voter, count: 3 }]
task: { question: q, options: [A, B] }
faults: { crash: [{ target: leader, at: 1s }] }
`).toThrow(/faults\.crash\[0\]\.target.*no leader/);
  });

  it('threads mode lays timed faults too, on the wall clock, with the books exact', async () => {
    const events: TraceEvent[] = [];
    // A workload that lasts 1.5 s of wall clock whatever the machine's speed (300 commands alone
    // can finish before the pause is due on a quiet machine: then no fault is laid at all).
    const timed = raft(3, '  pause: [{ target: leader, at: 200ms, duration: 300ms }]').replace(
      'decisions: 300, in_flight: 4',
      'duration: 1500ms, in_flight: 4',
    );
    const result = await runScenario(parseScenario(timed), { mode: 'threads', workers: 2, onEvent: (e) => events.push(e) });
    const faults = events.filter((e): e is Fault => e.type === 'fault').map((e) => e.fault);
    expect(faults).toEqual(expect.arrayContaining(['pause', 'resume']));
    expect(result.decisions.attempted).toBeGreaterThan(0);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.accountingImbalance).toBe(0);
    expect(result.safetyViolations).toEqual([]);
  }, 60_000);
});
