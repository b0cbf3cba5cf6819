import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultsYaml, parseBenchFaults } from '../src/bench/bench-faults.ts';
import type { BenchReport, MeasuredGroup } from '../src/bench/bench-report.ts';
import { benchScenario } from '../src/bench/bench-scenario.ts';
import { runBench } from '../src/bench/run-bench.ts';
import { readBenchFile } from '../src/analyze/index.ts';
import { benchCommand, benchPlanFrom } from '../src/cli/bench-command.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'conclave-bench-'));
const small = { algorithms: 'simple_majority,byzantine_tolerant', agents: '3,5', iterations: '2', decisions: '30', seed: '7' };
const plain = (lines: string[]) => lines.join('\n').replace(/\x1b\[\d+m/g, '');

describe('conclave bench', () => {
  it('runs every algorithm at every size, writes a JSON report whose figures agree with each other, and an offline HTML page', async () => {
    const output = join(dir, 'sub', 'bench.json');
    const html = join(dir, 'report.html');
    const markdown = join(dir, 'bench.md');
    const lines: string[] = [];
    const progress: string[] = [];
    const code = await benchCommand({ ...small, output, html, markdown, argv: ['bench', '--iterations', '2'] }, (l) => lines.push(l), {
      isTTY: false,
      write: (s) => progress.push(s),
    });
    expect(code).toBe(0);
    const report: BenchReport = JSON.parse(readFileSync(output, 'utf8'));
    expect(report).toMatchObject({ version: 1, kind: 'conclave-bench' });
    // The schema as `conclave analyze` checks it, field by field.
    expect(readBenchFile(output).kind).toBe('bench');
    expect(report.meta).toMatchObject({
      mode: 'sim',
      clock: 'virtual',
      seed: 7,
      iterations: 2,
      algorithms: ['simple_majority', 'byzantine_tolerant'],
      agents: [3, 5],
      workload: { decisions: 30, inFlight: 1, topology: 'mesh' },
      faults: null,
      command: 'conclave bench --iterations 2',
    });
    expect(report.meta.machine.cores).toBeGreaterThan(0);
    expect(report.meta.machine.node).toBe(process.version);
    expect(report.meta.machine.loadAverage).toHaveLength(3);
    expect(Date.parse(report.meta.date)).not.toBeNaN();
    expect(report.meta.wallMs).toBeGreaterThan(0);
    expect(report.results.map((g) => `${g.algorithm}:${g.agents}:${g.status}`)).toEqual([
      'simple_majority:3:measured',
      'simple_majority:5:measured',
      'byzantine_tolerant:3:not_applicable',
      'byzantine_tolerant:5:measured',
    ]);
    const na = report.results[2];
    expect(na.status === 'not_applicable' && na.reason).toMatch(/PBFT needs n >= 4/);
    for (const g of report.results.filter((r): r is MeasuredGroup => r.status === 'measured')) {
      expect(g.runs.map((r) => r.seed)).toEqual([7, 8]);
      expect(g.iterations).toBe(2);
      expect(g.decisions.attempted).toBe(60);
      expect(g.decisions.decided).toBeGreaterThan(0);
      expect(g.successRate).toBe(g.decisions.decided / g.decisions.attempted);
      const wallMs = g.runs.reduce((a, r) => a + r.wallMs, 0);
      const virtualMs = g.runs.reduce((a, r) => a + r.virtualMs!, 0);
      // Throughput is decisions reached over time, to rounding.
      expect(Math.abs(g.throughput.wallPerMinute - (g.decisions.decided / wallMs) * 60_000)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(g.throughput.simPerMinute! - (g.decisions.decided / virtualMs) * 60_000)).toBeLessThanOrEqual(0.5);
      expect(g.throughput.wallPerMinute).toBeGreaterThan(0);
      expect(g.consensusMs.clock).toBe('virtual');
      expect(g.consensusMs.mean).toBeGreaterThan(0);
      expect(g.consensusMs.sd).toBeGreaterThanOrEqual(0);
      expect(g.consensusMs.p99).toBeGreaterThanOrEqual(g.consensusMs.p50);
      expect(g.messagesPerDecision).toBeGreaterThan(0);
      expect(g.safetyViolations).toBe(0);
      expect(g.errors).toEqual([]);
    }
    const [sm3, , , pbft5] = report.results as MeasuredGroup[];
    expect(sm3.quality).toBeGreaterThan(0.5);
    expect(pbft5.quality).toBeNull();
    expect(pbft5.tolerance).toMatchObject({ bound: 'f < n/3 Byzantine', maxFaulty: 1 });
    expect(sm3.tolerance.model).toBe('outcome');

    const text = plain(lines);
    expect(text).toMatch(/Simple Majority +tolerance f < n\/2 liars/);
    expect(text).toMatch(/Byzantine Tolerant \(PBFT\) +tolerance f < n\/3 Byzantine/);
    expect(text).toMatch(/\n {2}3 +not applicable: PBFT needs n >= 4/);
    expect(text).toMatch(/\n {2}5 +[\d.]+ ± [\d.]+ ms +[\d.]+ \/ [\d.]+ ms +100\.0% +f <= 1 Byzantine +[\d,]+ · [\d,]+/);
    expect(text).toMatch(/consensus time: virtual ms/);
    expect(text).toMatch(/safety +0 violations/);
    expect(text).toContain(`Node ${process.version}`);
    // Not a TTY: a line per tenth of the way, ending with the total.
    expect(progress.at(-1)).toBe('  6/6 runs (100%)\n');

    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('Simple Majority');
    expect(page).toContain('Byzantine Tolerant (PBFT)');
    expect(page).toContain(pbft5.throughput.wallPerMinute.toLocaleString('en-US'));
    expect(page).toContain('<svg');
    expect(page).toContain('not applicable: PBFT needs n &gt;= 4');
    // Offline: nothing is fetched from anywhere.
    expect(page).not.toMatch(/https?:\/\/|<link\b|\bsrc=|@import|url\(/i);
    const embedded = /<script type="application\/json" id="bench-data">(.*?)<\/script>/s.exec(page)![1];
    expect(JSON.parse(embedded)).toEqual(report);

    // The README's table: a row per group, the figures as the JSON has them.
    const md = readFileSync(markdown, 'utf8').split('\n');
    const rows = md.filter((l) => /^\| (Simple|Byzantine)/.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[3]).toContain(`| ${Math.round(pbft5.throughput.wallPerMinute).toLocaleString('en')} |`);
    expect(rows[2]).toMatch(/\| 3 \| not applicable: PBFT needs n >= 4/);
    expect(md[0]).toContain('sim mode, 2 iterations per size');
  });

  it('a run depends on its seed alone: a pool and a serial bench give the same runs', async () => {
    const plan = benchPlanFrom({ algorithms: 'raft', agents: '3', iterations: '4', decisions: '20', faults: 'crash:1' });
    const pooled = await runBench({ ...plan, workers: 2 }, { mainThread: false });
    const serial = await runBench({ ...plan, workers: 1 });
    const hashes = (r: BenchReport) => (r.results[0] as MeasuredGroup).runs.map((x) => x.traceHash);
    expect(pooled.meta.workers).toBe(2);
    expect(hashes(pooled)).toEqual(hashes(serial));
    expect(hashes(serial).every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(new Set(hashes(serial)).size).toBe(4);
  });

  it('threads mode measures wall-clock ms and has no simulated throughput', async () => {
    const report = await runBench(
      benchPlanFrom({ algorithms: 'simple_majority', agents: '3', iterations: '1', decisions: '10', mode: 'threads', workers: '2' }),
    );
    const g = report.results[0] as MeasuredGroup;
    expect(report.meta).toMatchObject({ mode: 'threads', clock: 'wall', workers: 2 });
    expect(g.status).toBe('measured');
    expect(g.consensusMs.clock).toBe('wall');
    expect(g.throughput.simPerMinute).toBeNull();
    expect(g.decisions.attempted).toBe(10);
  });

  it('--faults lays faults on every run at times drawn from its seed; Raft is not run with liars, and loads beyond the bound are marked', async () => {
    const faults = parseBenchFaults('byzantine:0.2,crash:2,delay:5-50,drop:0.05,reorder');
    expect(faults).toEqual({
      byzantine: { failureRate: 0.2 },
      crashes: 2,
      partitions: 0,
      pauses: 0,
      network: { delay: { minMs: 5, maxMs: 50 }, dropRate: 0.05, reorder: true },
    });
    const yaml = faultsYaml(faults, 3);
    expect(yaml).toEqual(faultsYaml(faults, 3));
    expect(yaml.join('\n')).not.toBe(faultsYaml(faults, 4).join('\n'));
    expect(yaml[0]).toBe('faults:');
    expect(yaml[1]).toBe('  byzantine: { failure_rate: 0.2 }');
    expect(yaml[2]).toMatch(/^ {2}crash: \[\{ target: random, at: \d+ms, duration: \d+ms \}, \{ target: random, at: \d+ms, duration: \d+ms \}\]$/);
    expect(yaml[3]).toBe('  network: [{ at: 0ms, delay: { distribution: uniform, min: 5ms, max: 50ms }, drop_rate: 0.05, reorder: true }]');

    const report = await runBench(
      benchPlanFrom({ algorithms: 'raft,byzantine_tolerant', agents: '4', iterations: '1', decisions: '10', faults: 'byzantine:1,crash:1' }),
      { faultsSpec: 'byzantine:1,crash:1' },
    );
    const [raft, pbft] = report.results;
    expect(raft.status).toBe('not_applicable');
    expect(raft.status === 'not_applicable' && raft.reason).toMatch(/Raft tolerates no Byzantine agent/);
    expect(pbft.status).toBe('measured');
    // One liar and one crash among 4 replicas: 2 > f = 1.
    expect(pbft.load).toEqual({ liars: 1, crashes: 1, withinTolerance: false });
    expect(report.meta.faults).toEqual({ spec: 'byzantine:1,crash:1', plan: { byzantine: { count: 1 }, crashes: 1, partitions: 0, pauses: 0 } });
    // The scenario each run gets is a valid one, with those faults.
    const plan = benchPlanFrom({ faults: 'byzantine:0.2,crash:2,delay:5-50,drop:0.05,reorder' });
    const scenario = benchScenario(plan, 'simple_majority', 5, 3);
    expect(scenario).toContain(yaml.join('\n'));
    expect(parseScenario(scenario).faults).toMatchObject({ byzantine: { failure_rate: 0.2 }, crash: [{ target: 'random' }, { target: 'random' }] });
  });

  it('refuses bad input with an error naming the option', () => {
    const fails = (o: Parameters<typeof benchPlanFrom>[0], message: RegExp) => {
      expect(() => benchPlanFrom(o)).toThrow(ConfigError);
      expect(() => benchPlanFrom(o)).toThrow(message);
    };
    fails({ algorithms: 'simple_majorty' }, /"--algorithms\[0\]": expected simple_majority \(did you mean it\?\)/);
    fails({ algorithms: 'raft,paxos' }, /"--algorithms\[1\]": expected one of simple_majority, .*got "paxos"/);
    fails({ agents: '3,1' }, /"--agents\[1\]": expected an integer from 2 to 200, got "1"/);
    fails({ agents: '' }, /"--agents": expected a comma-separated list/);
    fails({ iterations: '0' }, /"--iterations": expected an integer from 1 to/);
    fails({ iterations: '2.5' }, /"--iterations"/);
    fails({ decisions: '10', duration: '5s' }, /"--duration": expected either --duration or --decisions, not both/);
    fails({ algorithms: 'simple_majority', duration: 'soon' }, /"--duration": expected a duration such as/);
    fails({ mode: 'thread' }, /"--mode": expected sim or threads/);
    fails({ topology: 'rign' }, /"--topology": expected ring \(did you mean it\?\)/);
    fails({ faults: 'crsh:1' }, /"--faults\[0\]": expected crash \(did you mean it\?\)/);
    fails({ faults: 'byzantine:0' }, /"--faults\[0\]": expected byzantine:K/);
    fails({ faults: 'drop:2' }, /"--faults\[0\]": expected KIND:RATE with RATE in \(0, 1\)/);
    fails({ faults: 'crash,crash:2' }, /"--faults\[1\]": expected each fault kind once/);
    fails({ faults: 'delay:50-5' }, /"--faults\[0\]": expected delay:MIN-MAX/);
    fails({ workers: '0' }, /"--workers"/);
    // Good input: defaults filled in, pbft read as byzantine_tolerant, a duration for votes.
    expect(benchPlanFrom({})).toMatchObject({
      algorithms: ['simple_majority', 'supermajority', 'byzantine_tolerant', 'weighted_voting', 'raft'],
      agents: [3, 5, 7, 9],
      iterations: 10,
      mode: 'sim',
      workload: { decisions: 1000 },
      inFlight: 1,
      topology: 'mesh',
      seed: 1,
    });
    expect(benchPlanFrom({ algorithms: 'pbft,supermajority', duration: undefined }).algorithms).toEqual(['byzantine_tolerant', 'supermajority']);
    expect(benchPlanFrom({ algorithms: 'simple_majority', duration: '2s' }).workload).toEqual({ durationMs: 2000 });
    // Every algorithm takes a duration: Raft and PBFT clients keep sending until it is over.
    expect(benchPlanFrom({ algorithms: 'raft,pbft', duration: '500ms' }).workload).toEqual({ durationMs: 500 });
  });
});
