import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchAnalysis } from '../src/analyze/analysis.ts';
import type { Comparison } from '../src/analyze/compare.ts';
import { analyzeCommand, type AnalyzeCommandOptions } from '../src/cli/analyze-command.ts';
import type { BenchReport, NotApplicableGroup } from '../src/bench/bench-report.ts';
import { faultTolerance } from '../src/bench/fault-tolerance.ts';
import { ConfigError } from '../src/errors.ts';
import { benchReport, measured, runsAt } from './fixtures/bench-reports.ts';

const dir = mkdtempSync(join(tmpdir(), 'conclave-analyze-'));
const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');
const microBefore = new URL('./fixtures/analyze/micro-before.json', import.meta.url).pathname;
const microAfter = new URL('./fixtures/analyze/micro-after.json', import.meta.url).pathname;

function write(name: string, content: BenchReport | string): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function analyze(files: string[], o: AnalyzeCommandOptions = {}): { code: number; text: string } {
  const lines: string[] = [];
  const code = analyzeCommand(files, o, (l) => lines.push(l));
  return { code, text: strip(lines.join('\n')) };
}

const pbftAt3: NotApplicableGroup = {
  status: 'not_applicable',
  reason: 'PBFT needs n >= 4 replicas (n = 3f + 1 with f >= 1)',
  algorithm: 'byzantine_tolerant',
  agents: 3,
  tolerance: faultTolerance('byzantine_tolerant', 3),
  load: { liars: 0, crashes: 0, withinTolerance: false },
};

/** raft n=5 spreads wide between iterations (6,000 - 12,000 decisions/min); the others are tight. */
const noisy = benchReport([
  measured('simple_majority', 3, runsAt([12_000, 12_100, 11_900], { p50: 4.5, quality: 0.9 })),
  measured('simple_majority', 5, runsAt([10_000, 10_200, 10_100], { p50: 5, quality: 0.95 })),
  measured('raft', 5, runsAt([6_000, 12_000, 9_000], { p50: 8 })),
  pbftAt3,
]);

describe('conclave analyze, one bench file', () => {
  const file = write('noisy.json', noisy);

  it('flags the group whose iterations spread wide, with the figures that make it noisy, and not the tight ones', () => {
    const { code, text } = analyze([file]);
    expect(code).toBe(0);
    expect(text).toContain('raft n=5: throughput cv 0.33 — per iteration 6,000 · 12.0 k · 9,000 (mean 9,000 ± 3,000) decisions/min');
    expect(text).not.toMatch(/simple_majority n=\d: throughput cv/);
    expect(text).not.toMatch(/latency cv/);
    const a = JSON.parse(analyze([file], { json: true }).text) as BenchAnalysis;
    expect(a.noise.threshold).toBe(0.2);
    expect(a.noise.findings.map((f) => [f.algorithm, f.agents, f.metric, Number(f.spread.cv.toFixed(3))])).toEqual([['raft', 5, 'throughput', 0.333]]);
    // A threshold above the spread: nothing is noisy.
    expect((JSON.parse(analyze([file], { json: true, noiseThreshold: 0.4 }).text) as BenchAnalysis).noise.findings).toEqual([]);
  });

  it('ranks the algorithms at each size by throughput and lists what did not run', () => {
    const a = JSON.parse(analyze([file], { json: true }).text) as BenchAnalysis;
    expect(a.sizes.map((s) => [s.agents, s.ranked.map((r) => `${r.rank} ${r.group.algorithm}`), s.others.map((g) => g.algorithm)])).toEqual([
      [3, ['1 simple_majority'], ['byzantine_tolerant']],
      [5, ['1 simple_majority', '2 raft'], []],
    ]);
    const { text } = analyze([file]);
    expect(text).toMatch(
      /n = 5\n.*#\s+algorithm\s+throughput\/min \(sim · wall\)\s+consensus virtual ms\s+p50 \/ p99\s+success\s+safety\s+msgs\/dec\s+quality\s+tolerates/,
    );
    expect(text).toMatch(
      /\n {2}1 {2}simple_majority +10,099 · 300,000 +5\.00 ± 0\.00 +5\.00 \/ 6\.00 +100\.0% +0 +10\.0 +95\.0% +f < n\/2 liars \(outcome\), f <= 2/,
    );
    expect(text).toContain('-  byzantine_tolerant: not applicable: PBFT needs n >= 4 replicas');
  });

  it('adds every iteration with --detailed', () => {
    const { text } = analyze([file], { detailed: true });
    expect(text).toContain('raft n=5, per iteration (throughput cv 0.33, latency cv 0.00, wall cv 0.00):');
    expect(text).toMatch(
      /seed +decided +p50 \/ p99 ms +per min \(sim · wall\) +messages +quality +safety\n +1 +100\/100 +8\.00 \/ 9\.60 +6,000 · 300,000 +1000 +- +0/,
    );
    expect(analyze([file]).text).not.toContain('per iteration (');
  });

  it('flags safety violations loudly, leaves the group unranked and exits 1', () => {
    const unsafe = write(
      'unsafe.json',
      benchReport([
        measured('simple_majority', 5, runsAt([30_000, 30_000], { p50: 2, violations: 2 })),
        measured('raft', 5, runsAt([5_000, 5_000], { p50: 10 })),
      ]),
    );
    const { code, text } = analyze([unsafe]);
    expect(code).toBe(1);
    expect(text).toContain('SAFETY VIOLATIONS: 2 in 1 group');
    expect(text).toContain('simple_majority n=5: 2 agreement · seeds 1 · within its tolerance: a bug');
    const a = JSON.parse(analyze([unsafe], { json: true }).text) as BenchAnalysis;
    expect(a.sizes[0].ranked.map((r) => [r.rank, r.group.algorithm])).toEqual([
      [1, 'raft'],
      [null, 'simple_majority'],
    ]);
    expect(a.safety).toEqual([{ algorithm: 'simple_majority', agents: 5, violations: 2, byProperty: { agreement: 2 }, seeds: [1], withinTolerance: true }]);
  });
});

describe('conclave analyze before.json after.json', () => {
  const before = write(
    'before.json',
    benchReport([
      measured('simple_majority', 5, runsAt([10_000, 10_000, 10_000], { p50: 6 })),
      measured('raft', 5, runsAt([5_000, 5_200, 4_800], { p50: 10 })),
      measured('raft', 7, runsAt([4_000, 4_000, 4_000], { p50: 12 })),
      pbftAt3,
    ]),
  );
  const after = write(
    'after.json',
    benchReport([
      measured('simple_majority', 5, runsAt([12_000, 12_000, 12_000], { p50: 5 })),
      measured('raft', 5, runsAt([5_100, 4_900, 5_300], { p50: 10 })),
      measured('supermajority', 5, runsAt([9_000, 9_000, 9_000], { p50: 6 })),
      pbftAt3,
    ]),
  );

  it('gives the after / before ratios, better or worse, within noise when the spreads overlap', () => {
    const { code, text } = analyze([before, after], { json: true });
    expect(code).toBe(0);
    const c = JSON.parse(text) as Comparison;
    const sm = c.compared.find((g) => g.key === 'simple_majority n=5')!;
    const fig = (m: string) => sm.changes.find((x) => x.metric === m)!;
    expect(fig('throughput')).toMatchObject({ before: 10_000, after: 12_000, ratio: 1.2, verdict: 'better', better: 'higher' });
    expect(fig('consensus time')).toMatchObject({ before: 6, after: 5, verdict: 'better', better: 'lower' });
    expect(fig('consensus time').ratio).toBeCloseTo(5 / 6, 10);
    expect(fig('wall throughput').verdict).toBe('same');
    const raft = c.compared.find((g) => g.key === 'raft n=5')!.changes.find((x) => x.metric === 'throughput')!;
    // 4,800 - 5,200 before and 4,900 - 5,300 after (mean ± sd): they overlap.
    expect(raft.verdict).toBe('within noise');
    expect(raft.spreads).toEqual({ before: [4800, 5200], after: [4900, 5300] });
    expect(raft.ratio).toBeCloseTo(raft.after / raft.before, 12);
    expect(c.rule).toContain('mean ± sd of the per-iteration figures');
  });

  it('lists the groups present in one file only, and those not comparable', () => {
    const c = JSON.parse(analyze([before, after], { json: true }).text) as Comparison;
    expect(c.onlyBefore).toEqual(['raft n=7']);
    expect(c.onlyAfter).toEqual(['supermajority n=5']);
    expect(c.notComparable).toEqual([{ key: 'byzantine_tolerant n=3', why: expect.stringContaining('not applicable in') }]);
    const { text } = analyze([before, after]);
    expect(text).toMatch(/simple_majority n=5 +throughput +10\.0 k +12\.0 k +decisions per simulated min +x1\.200 +better/);
    expect(text).toContain(`only in ${before}: raft n=7`);
    expect(text).toContain(`only in ${after}: supermajority n=5`);
    expect(text).toMatch(/3 better, 0 worse, \d+ within noise, \d+ the same · 2 groups compared, 1 only before, 1 only after/);
  });

  it('compares two npm run bench result files row by row, reading which way is better', () => {
    const { code, text } = analyze([microBefore, microAfter], { json: true });
    const c = JSON.parse(text) as Comparison;
    const row = (task: string) => c.compared.find((g) => g.key.endsWith(task))!.changes[0];
    expect(row('simple_majority n=5 sim, 1 in flight')).toMatchObject({ before: 1000, after: 1200, ratio: 1.2, verdict: 'better' });
    expect(row('raft n=5 sim, 1 in flight')).toMatchObject({ verdict: 'within noise', spreads: { before: [950, 1050], after: [1000, 1060] } });
    // An older file without `better`: bytes per actor are better lower, so 400 -> 480 is worse.
    expect(row("idle 'sink' actors, sim")).toMatchObject({ better: 'lower', ratio: 1.2, verdict: 'worse' });
    expect(row('view change after a primary crash').verdict).toBe('same');
    expect(c.onlyBefore).toEqual(['topology · switch 1,000 actors, sim']);
    expect(c.onlyAfter).toEqual(['stress · stress pbft n=7 x 100 requests, piscina pool']);
    expect(c.notComparable).toEqual([{ key: 'messaging · rpc threads, 2 workers', why: `invalid in ${microAfter} (check failed: sample 1: books balanced)` }]);
    // The after file reports a failed correctness check.
    expect(code).toBe(1);
    expect(c.alarms).toEqual([`${microAfter}: messaging: sample 1: books balanced: sent 100 = delivered 98 + dropped 0 + dead 0 + in flight 0`]);
  });

  it('reads one npm run bench file: noisy rows and invalid ones flagged', () => {
    const { code, text } = analyze([microAfter]);
    expect(code).toBe(1);
    expect(text).toContain('FAILED CHECKS: 1');
    expect(text).toMatch(/stress +stress pbft n=7 x 100 requests, piscina pool +2,300 +runs\/min +higher +1,000 – 3,600 +0\.84 +noisy/);
    expect(text).toMatch(/memory +idle 'sink' actors, sim +480 +bytes\/actor +lower +475 – 485 +0\.02\n/);
    expect(text).toMatch(/messaging +rpc threads, 2 workers +INVALID +requests\/s +check failed/);
    expect(analyze([microBefore]).code).toBe(0);
  });
});

describe('conclave analyze, bad input', () => {
  const good = JSON.stringify(noisy);
  const fails = (files: string[]): string => {
    try {
      analyze(files);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('says what is wrong, where, and how to get a good file', () => {
    expect(fails([join(dir, 'missing.json')])).toMatch(
      /missing\.json": expected an existing, readable file: check the path, or write one with `conclave bench --output .*missing\.json`, got "no such file"/,
    );
    expect(fails([write('cut.json', '{"kind": "conclave-bench", "version": 1 "meta": {}}')])).toMatch(
      /cut\.json:1:41": expected JSON: a file written by `conclave bench --output FILE` .* or by `npm run bench` .*write it again, got "Expected ',' or '}' after property value"\./,
    );
    expect(fails([write('empty.json', '')])).toMatch(/empty\.json": expected JSON: .*, got ""\.$/);
    expect(fails([write('token.json', '{"a": 1,\n "b": }')])).toContain(`token.json": expected JSON`);
    expect(fails([write('run.json', JSON.stringify({ scenario: 'db-choice', seed: 42, traceHash: 'abc' }))])).toContain(
      'this is a `conclave run --json` result: run `conclave bench` for figures to analyze',
    );
    expect(fails([write('other.json', JSON.stringify({ kind: 'conclave-stress' }))])).toMatch(
      /other\.json: kind": expected "conclave-bench": .*, got "conclave-stress"/,
    );
    expect(fails([write('v2.json', JSON.stringify({ ...noisy, version: 2 }))])).toMatch(
      /v2\.json: version": expected version 1, the one this conclave reads: run `conclave bench` again to write the file afresh/,
    );
    const broken = JSON.parse(good) as { results: { consensusMs: { p99: unknown } }[] };
    broken.results[2].consensusMs.p99 = 'slow';
    expect(fails([write('field.json', JSON.stringify(broken))])).toMatch(
      /field\.json: results\[2\]\.consensusMs\.p99": expected a value of type number \(a conclave bench file; run `conclave bench` again to write it afresh\), got "slow"/,
    );
    const noClock = JSON.parse(good) as { meta: Record<string, unknown> };
    delete noClock.meta.clock;
    expect(fails([write('noclock.json', JSON.stringify(noClock))])).toMatch(/meta\.clock": expected one of "virtual", "wall" \(the field is missing\)/);
  });

  it('refuses to compare files of two kinds, and more than two files', () => {
    const bench = write('good.json', good);
    expect(fails([bench, microAfter])).toContain(`expected a file of the same kind as ${bench} (a conclave bench report)`);
    expect(fails([bench, bench, bench])).toContain('one file to analyze, or two (before and after) to compare');
  });

  it('exits 2 from the command line, with the message on stderr', () => {
    const r = spawnSync(process.execPath, [new URL('../bin/conclave.js', import.meta.url).pathname, 'analyze', join(dir, 'nowhere.json')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^conclave analyze: Invalid configuration at ".*nowhere\.json": expected an existing, readable file.*\(see conclave analyze --help\)\n$/,
    );
  });
});
