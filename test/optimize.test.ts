import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimizeTarget, recommend, type BenchSource, type Recommendation } from '../src/analyze/recommend.ts';
import { taskTypeRule } from '../src/analyze/task-types.ts';
import { NO_FAULTS } from '../src/bench/bench-faults.ts';
import { optimizeCommand } from '../src/cli/optimize-command.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { benchReport, measured, runsAt } from './fixtures/bench-reports.ts';

const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');

/**
 * simple_majority n=3 is the fastest safe group; simple_majority n=5 is faster still but broke
 * safety; weighted_voting n=5 has the best quality but reaches only 97 % of its decisions;
 * PBFT n=7 tolerates the most Byzantine members.
 */
const bench: BenchSource = {
  file: 'bench.json',
  report: benchReport([
    measured('simple_majority', 3, runsAt([12_000, 12_000, 12_000], { p50: 4.5, p99: 6, quality: 0.85 })),
    measured('simple_majority', 5, runsAt([20_000, 20_000, 20_000], { p50: 2, quality: 0.9, violations: 1 })),
    measured('weighted_voting', 5, runsAt([11_000, 11_000, 11_000], { p50: 5, quality: 0.97, decided: 97, attempted: 100 })),
    measured('supermajority', 5, runsAt([10_000, 10_000, 10_000], { p50: 5, quality: 0.9 })),
    measured('raft', 5, runsAt([8_000, 8_000, 8_000], { p50: 7.5, p99: 240 })),
    measured('byzantine_tolerant', 4, runsAt([6_000, 6_000, 6_000], { p50: 10, p99: 12 })),
    measured('byzantine_tolerant', 7, runsAt([5_000, 5_000, 5_000], { p50: 12, p99: 14 })),
  ]),
};

const param = (r: Recommendation, key: string) => r.parameters.find((p) => p.key === key);

describe('conclave optimize, from a bench file', () => {
  it('speed: the fastest group with no safety violation and success at the floor, with its figures and a voting timeout from its p99', () => {
    const r = recommend('speed', taskTypeRule(undefined), [bench]);
    expect([r.basis, r.algorithm, r.agents, r.inFlight, r.from]).toEqual(['measured', 'simple_majority', 3, 1, 'bench.json']);
    expect(r.evidence[0]).toBe(
      'simple_majority n=3 [bench.json]: 12,000 decisions per simulated minute, consensus time 4.50 ± 0.00 virtual ms (p50 4.50, p99 6.00), success 100.0% (300/300), 0 safety violations, 10 messages/decision, quality 85.0%, 3 iterations',
    );
    expect(r.evidence[1]).toMatch(
      /^next fastest algorithm: supermajority n=5 \[bench\.json\] at 10,000 decisions per simulated minute: 1\.20x the throughput, beyond noise/,
    );
    expect(param(r, 'consensus.voting_timeout')).toEqual({
      key: 'consensus.voting_timeout',
      value: '18ms',
      derivation: "3 x 6.00 virtual ms (the worst iteration's p99 consensus time) = 18.0, rounded up; 3 x for no task type",
    });
    expect(r.excluded).toContainEqual({ key: 'simple_majority n=5 (bench.json)', why: '1 safety violation (1 agreement)' });
    expect(r.excluded).toContainEqual({ key: 'weighted_voting n=5 (bench.json)', why: 'success 97.0% is below the 99.0% floor (no task type)' });
    expect(() => parseScenario(r.scenario)).not.toThrow();
    expect(r.scenario).toContain('consensus: { algorithm: simple_majority, voting_timeout: 18ms }');
  });

  it('reliability: the strongest fault model and most faulty members tolerated, saying when the file has no faults', () => {
    const r = recommend('reliability', taskTypeRule(undefined), [bench]);
    expect([r.algorithm, r.agents]).toEqual(['byzantine_tolerant', 7]);
    expect(r.evidence).toContain(
      'tolerance: f < n/3 Byzantine: up to 2 of 7 members (safe and live with at most f arbitrary replicas; a crashed replica counts against f (it keeps no durable state))',
    );
    expect(r.notes.join('\n')).toContain('no run in bench.json had faults: the success rates were measured without faults');
    expect(r.next.join('\n')).toContain('--faults crash:1');
    expect(param(r, 'consensus.pbft.view_change_timeout')!.value).toBe('200ms');
    expect(() => parseScenario(r.scenario)).not.toThrow();
  });

  it('reliability: prefers runs under faults and leaves out groups run beyond their tolerance or below the floor', () => {
    const faulty: BenchSource = {
      file: 'crash.json',
      report: benchReport(
        [
          measured('raft', 5, runsAt([7_000, 7_000], { p50: 8 }), { liars: 0, crashes: 1 }),
          measured('byzantine_tolerant', 4, runsAt([5_000, 5_000], { p50: 11, decided: 98, attempted: 100 }), { liars: 0, crashes: 1 }),
          measured('byzantine_tolerant', 7, runsAt([4_000, 4_000], { p50: 13, p99: 200 }), { liars: 0, crashes: 1 }),
        ],
        { faults: { spec: 'crash:1', plan: { ...NO_FAULTS, crashes: 1 } } },
      ),
    };
    const r = recommend('reliability', taskTypeRule(undefined), [bench, faulty]);
    expect([r.algorithm, r.agents, r.from]).toEqual(['byzantine_tolerant', 7, 'crash.json']);
    expect(r.evidence).toContain(
      'measured under faults "crash:1": each run had 0 lying and 1 crashing members, within its tolerance, and reached 200 of 200 decisions',
    );
    expect(r.excluded).toContainEqual({ key: 'byzantine_tolerant n=4 (crash.json)', why: 'success 98.0% is below the 99.0% floor (no task type)' });
    expect(r.notes.join('\n')).not.toContain('had faults');
    // The view change timeout comes from the median commit time, not the p99 a recovery inflates.
    expect(param(r, 'consensus.pbft.view_change_timeout')!.derivation).toContain('at least 10 x the median commit time (13.0 virtual ms)');
    const beyond = benchReport([measured('byzantine_tolerant', 4, runsAt([5_000, 5_000], { p50: 11 }), { liars: 1, crashes: 1 })], {
      faults: { spec: 'byzantine:1,crash:1', plan: { ...NO_FAULTS, byzantine: { count: 1 }, crashes: 1 } },
    });
    expect(recommend('reliability', taskTypeRule(undefined), [{ file: 'beyond.json', report: beyond }]).excluded[0].why).toMatch(
      /^ran beyond its tolerance \(1 liars, 1 crashes against f < n\/3 Byzantine, f <= 1\)/,
    );
  });

  it('expertise: weighted voting where its quality is the best, justified by the quality figures', () => {
    const r = recommend('expertise', taskTypeRule(undefined), [bench]);
    expect([r.algorithm, r.agents]).toEqual(['weighted_voting', 5]);
    expect(r.evidence).toContain(
      'quality 97.0%: about 282 of 291 decisions reached chose the ground truth; 9 of 300 ended without a decision (no consensus or timed out: an open question rather than a wrong answer)',
    );
    expect(r.evidence).toContain('at n=5 in the same file: supermajority 90.0%');
    expect(r.evidence).toContain('wrong decisions per decision asked: 2.9% (supermajority 10.0%)');
    expect(r.evidence.join('\n')).toContain("the weights let the experts' better signal outvote the generalists");
    expect(r.excluded).toContainEqual({
      key: 'raft n=5 (bench.json)',
      why: 'no decision quality measured (raft replicates a value, it does not choose among options)',
    });
    expect(r.scenario).toContain('- { role: expert, count: 2, weight: 2, accuracy: 0.9 }');
  });

  it('expertise: says so when weighting did not pay in the file', () => {
    const plain = benchReport([
      measured('simple_majority', 5, runsAt([10_000, 10_000], { p50: 5, quality: 0.96 })),
      measured('weighted_voting', 5, runsAt([10_000, 10_000], { p50: 5, quality: 0.93 })),
    ]);
    const r = recommend('expertise', taskTypeRule(undefined), [{ file: 'plain.json', report: plain }]);
    expect(r.algorithm).toBe('simple_majority');
    expect(r.evidence).toContain(
      'weighted_voting measured lower quality here (weighted_voting n=5 [plain.json]: 93.0%): with these agents, weighting the experts did not pay',
    );
  });

  it('a task type adjusts the rule: routine lowers the floor and the timeout, critical asks for Byzantine tolerance, technical for measured quality', () => {
    const routine = recommend('speed', taskTypeRule('routine_decisions'), [bench]);
    expect(routine.algorithm).toBe('simple_majority');
    expect(param(routine, 'consensus.voting_timeout')!.value).toBe('12ms');
    expect(routine.excluded.map((e) => e.key)).not.toContain('weighted_voting n=5 (bench.json)');
    const critical = recommend('speed', taskTypeRule('critical_decisions'), [bench]);
    expect([critical.algorithm, critical.agents]).toEqual(['byzantine_tolerant', 4]);
    expect(critical.excluded).toContainEqual({
      key: 'raft n=5 (bench.json)',
      why: 'fault model "crash" (f < n/2 crash, no Byzantine): critical decisions need Byzantine tolerance',
    });
    // Votes only: every voting algorithm has the same fault model, simple_majority n=3 tolerates as many liars as supermajority n=5 (1) and is faster.
    const technical = recommend('reliability', taskTypeRule('technical'), [bench]);
    expect([technical.algorithm, technical.agents]).toEqual(['simple_majority', 3]);
    expect(technical.excluded).toContainEqual({
      key: 'byzantine_tolerant n=7 (bench.json)',
      why: 'no decision quality measured (byzantine_tolerant replicates a value, it does not choose among options); technical decisions need it',
    });
  });

  it('prints the recommendation with its figures, settings and a scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-optimize-'));
    const file = join(dir, 'bench.json');
    writeFileSync(file, JSON.stringify(bench.report));
    const lines: string[] = [];
    expect(optimizeCommand({ target: 'speed', from: [file] }, (l) => lines.push(l))).toBe(0);
    const text = strip(lines.join('\n'));
    expect(text).toContain(`Recommendation: simple_majority, n = 3, 1 in flight  (measured: ${file})`);
    // Prose is wrapped at 100 columns (continuation lines indented): read it unwrapped.
    expect(text.replace(/\n {4}(?=\S)/g, ' ')).toContain(`simple_majority n=3 [${file}]: 12,000 decisions per simulated minute`);
    // Commands and the scenario's YAML are kept whole (they are copied, not read), and the headline naming the file.
    expect(lines.map(strip).filter((l) => l.length > 100 && !/^( {2}(conclave |#|\w+: [{[])|Recommendation:)/.test(l))).toEqual([]);
    expect(text).toMatch(/consensus\.voting_timeout: 18ms\n +3 x 6\.00 virtual ms/);
    expect(text).toContain('Scenario (save as a .yml file; `conclave run FILE` runs it)');
  });
});

describe('conclave optimize, without measurements and on bad input', () => {
  it("recommends from the algorithms' properties, labelled as not measured, with the bench that would back it", () => {
    const r = recommend('reliability', taskTypeRule('routine'), []);
    expect([r.basis, r.algorithm, r.agents]).toEqual(['properties', 'raft', 5]);
    expect(r.notes[0]).toMatch(/^NOT MEASURED: no bench file was given/);
    expect(r.next.at(-1)).toBe('conclave optimize --target reliability --from crash.json --from byzantine.json');
    expect(() => parseScenario(r.scenario)).not.toThrow();
    const lines: string[] = [];
    optimizeCommand({ target: 'speed' }, (l) => lines.push(l));
    expect(strip(lines.join('\n'))).toMatch(
      /Recommendation: simple_majority, n = 3, 1 in flight {2}\(NOT MEASURED: from the algorithms' properties only\)[\s\S]*To back it with measurements\n {2}conclave bench --algorithms/,
    );
    // A file where nothing qualifies: the same, saying why.
    const none = recommend('speed', taskTypeRule('critical'), [
      { file: 'voting.json', report: benchReport([measured('simple_majority', 3, runsAt([9_000, 9_000], { p50: 5 }))]) },
    ]);
    expect(none.basis).toBe('properties');
    expect(none.notes[0]).toContain('NOT MEASURED: no group in voting.json qualified');
    expect(none.notes).toContain(
      'at risk "critical", adaptive consensus escalates a decision to a human by default (consensus.adaptive.critical: escalate); this pick is for when the swarm decides anyway',
    );
  });

  it('refuses unknown targets and task types, files of another kind and files on different clocks', () => {
    expect(() => optimizeTarget('sped')).toThrow(/"--target": expected speed \(did you mean it\?\), or one of speed, reliability, expertise, got "sped"/);
    expect(() => taskTypeRule('critcal_decisions')).toThrow(
      /"--task-type": expected critical_decisions \(did you mean it\?\), or one of routine, routine_decisions, low/,
    );
    const threads = benchReport([measured('raft', 5, runsAt([8_000, 8_000], { p50: 7 }))], { mode: 'threads', clock: 'wall' });
    expect(() => recommend('speed', taskTypeRule(undefined), [bench, { file: 'threads.json', report: threads }])).toThrow(ConfigError);
    expect(() => recommend('speed', taskTypeRule(undefined), [bench, { file: 'threads.json', report: threads }])).toThrow(
      /"--from\[1\]": expected a bench on the same clock as --from\[0\] \(bench\.json: sim mode\)/,
    );
    const micro = new URL('./fixtures/analyze/micro-before.json', import.meta.url).pathname;
    expect(() => optimizeCommand({ target: 'speed', from: [micro] }, () => undefined)).toThrow(
      /"--from\[0\]": expected a conclave bench file \(conclave bench --output FILE\): micro-benchmark results measure the runtime, not the algorithms/,
    );
  });
});
