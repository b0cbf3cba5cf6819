import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../src/cli/main.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { storedShown } from '../src/cli/show-command.ts';
import { progressLine } from '../src/cli/monitor-command.ts';
import type { RunLook } from '../src/store/run-watch.ts';
import { stressCommand } from '../src/cli/stress-command.ts';
import { short } from '../src/analyze/figure-format.ts';
import { count } from '../src/text/format.ts';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

/** What `conclave run FILE --timeline 0` prints, without colours. */
async function summary(file: string): Promise<string[]> {
  const lines: string[] = [];
  await runCommand(example(file), { timeline: 0, store: false }, (l) => lines.push(l.replace(/\x1b\[\d+m/g, '')));
  return lines;
}

describe('conclave run reads as a person would want it', () => {
  it('names each option whole in the bar chart, aligned', async () => {
    const bars = (await summary('dynamic-weights.yml')).filter((l) => l.includes('█'));
    expect(bars[0]).toMatch(/^ {2}mixed_integer_programming █+ \d+/);
    const starts = bars.map((l) => l.indexOf('█'));
    expect(new Set(starts).size).toBe(1);
  });

  it('gives refused votes as counts by reason, not JSON', async () => {
    const refused = (await summary('enterprise-security.yml')).find((l) => l.startsWith('  refused'));
    expect(refused).toMatch(/^ {2}refused {6}\d+ votes \(\d+ bad-signature\)$/);
    expect(refused).not.toContain('{');
  });

  it("names a workflow in the header and each stage's own algorithm", async () => {
    const lines = await summary('product-workflow.yml');
    expect(lines[0]).toContain('product-workflow · a workflow of 4 stages · 8 agents ·');
    expect(lines.find((l) => l.includes('stage security-review'))).toMatch(/stage security-review {6}byzantine_supermajority {2}failed/);
    expect(lines.find((l) => l.includes('stage design'))).toMatch(/stage design +supermajority +passed/);
  });

  it('prints at most 12 vote lines per decision in the timeline and counts the rest', async () => {
    // A swarm of 100,000 printed 100,000 vote lines per decision shown (10 s of writing to a terminal).
    const dir = mkdtempSync(join(tmpdir(), 'conclave-timeline-'));
    const file = join(dir, 'forty.yml');
    writeFileSync(
      file,
      'name: forty\nseed: 3\nagents: [{ role: agent, count: 40, accuracy: 0.8 }]\ntopology: mesh\nconsensus: { algorithm: simple_majority }\ntask: { question: pick, options: [A, B], decisions: 3, in_flight: 1 }\n',
    );
    const lines: string[] = [];
    await runCommand(file, { timeline: 2, store: false }, (l) => lines.push(l.replace(/\x1b\[\d+m/g, '')));
    const votes = lines.filter((l) => / votes [AB] \(/.test(l));
    expect(votes).toHaveLength(24);
    const rest = lines.filter((l) => l.includes('more votes on'));
    expect(rest.map((l) => l.replace(/^.*… /, ''))).toEqual(['and 28 more votes on d1', 'and 28 more votes on d2']);
    // The count line comes before the decision it belongs to closes.
    expect(lines.findIndex((l) => l.includes('more votes on d1'))).toBe(lines.findIndex((l) => l.includes('d1 decided')) - 1);
  });

  it("lists every command on one short line in conclave --help, the full description in the command's own help", () => {
    const program = buildCli();
    let help = '';
    program.configureOutput({ writeOut: (text) => (help += text) });
    program.outputHelp();
    const listed = help
      .slice(help.indexOf('Commands:'))
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l));
    const names = program.commands.map((c) => c.name());
    expect(listed.map((l) => l.trim().split(' ')[0])).toEqual([...names, 'help']);
    for (const c of program.commands) {
      expect(c.summary().length, c.name()).toBeLessThanOrEqual(60);
      expect(c.description().length, c.name()).toBeGreaterThan(c.summary().length);
    }
    expect(help).toContain('conclave COMMAND --help');
    expect(program.commands.find((c) => c.name() === 'run')!.helpInformation()).toContain('report decisions, throughput, latency');
  });

  it('prints a repeated question once in the timeline, then "the same question"', async () => {
    const lines = await (async () => {
      const out: string[] = [];
      await runCommand(example('db-choice.yml'), { timeline: 3, store: false }, (l) => out.push(l.replace(/\x1b\[\d+m/g, '')));
      return out.filter((l) => l.includes(' opens d'));
    })();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/coordinator opens d1: Choose the best database .* \[PostgreSQL \| MongoDB \| DynamoDB\]$/);
    expect(lines[1]).toMatch(/coordinator opens d2: the same question$/);
    expect(lines[2]).toMatch(/coordinator opens d3: the same question$/);
  });

  it('says what a relay hop is, or that there were none', async () => {
    expect((await summary('db-choice.yml')).find((l) => l.includes('per decision ·'))).toMatch(
      /per decision · no envelope relayed \(every sender linked to its receiver\)$/,
    );
  });

  it('counts in the singular for one', () => {
    expect([count(1, 'agent'), count(2, 'agent'), count(1200, 'worker'), count(0, 'vote')]).toEqual(['1 agent', '2 agents', '1,200 workers', '0 votes']);
  });
});

describe('conclave stress reads as a person would want it', () => {
  it('counts one run, one worker and one fault entry in the singular, and gives each finding a line', async () => {
    const lines: string[] = [];
    const progress: string[] = [];
    const code = await stressCommand(
      { protocol: 'pbft', agents: 4, byzantine: 2, runs: 3, seed: 1, decisions: 10, workers: 1, store: false },
      (l) => lines.push(l.replace(/\x1b\[\d+m/g, '')),
      { isTTY: false, write: (s) => progress.push(s) },
    );
    expect(code).toBe(1);
    expect(lines[0]).toBe('stress · pbft · 4 agents · 3 runs from seed 1 · 1 worker · sim mode');
    expect(lines[1]).toMatch(/^ {2}faults crash, partition, /);
    expect(lines).toContain('  liveness     1 run did not finish (seed 2)');
    expect(lines.find((l) => l.includes('left decisions unreached'))).toMatch(/^ +1 run left .*; seed 2\)$/);
    expect(lines.find((l) => l.startsWith('  safety'))).toMatch(/^ {2}safety {7}\d+ agreement violations \(by checker: pbft-safety \d+\)$/);
    const first = lines.findIndex((l) => l.startsWith('  seed 2: agreement: '));
    expect(lines.slice(first + 1, first + 3).every((l) => l.startsWith('    agreement: '))).toBe(true);
    expect(lines[first + 3]).toMatch(/^ {4}\.\.\. and \d+ more/);
    expect(lines.every((l) => !l.includes('; agreement'))).toBe(true);
    expect(progress.join('')).toContain('(1 fault entry, ');
    expect(progress.join('')).not.toContain('1 fault entries');
  }, 60_000);
});

describe('conclave show and analyze read as a person would want it', () => {
  it('says which stored decisions a section shows, never "the first 0 of 0" or "the first 10 of 3"', () => {
    expect([0, 1, 3, 10, 1000].map((stored) => storedShown({ limit: 10, stored }))).toEqual([
      'no decision stored one by one',
      'the one stored decision',
      'all 3 stored decisions',
      'all 10 stored decisions',
      'the first 10 of 1,000 stored decisions',
    ]);
  });

  it('separates thousands in a short figure below 10 k, as above it', () => {
    expect([short(4994), short(12_780), short(236), short(5.75)]).toEqual(['4,994', '12.8 k', '236', '5.75']);
  });
});

describe('conclave monitor reads as a person would want it', () => {
  it('gives a stress or bench campaign as runs done, not decisions with a latency of 0.00 ms it never kept', () => {
    const progress = { at: 0, t: null, opened: 8, closed: 4, decided: 4, votes: 0, latency_sum: 0, latency_max: 0 };
    const look = (kind: string) =>
      ({
        run: { kind, status: 'running' },
        progress,
        decisionsPerMinute: 1565,
        stalled: false,
        inFlight: 4,
        latencyMeanMs: 0,
        latencyMaxMs: 0,
        newVotes: 0,
        alive: 'yes',
        events: [],
      }) as unknown as RunLook;
    const at = Date.UTC(2026, 11, 7, 18, 4, 20);
    expect(progressLine(look('bench'), at).replace(/^\S+ /, '')).toBe('running · 4 of 8 runs done · 1,565 runs/min');
    expect(progressLine(look('run'), at)).toContain('closed 4 (decided 4) · 1,565 decisions/min');
  });
});

describe('conclave run keeps its notes within 100 columns', () => {
  it('wraps each "not used" note under its label instead of a line of 300 columns', async () => {
    const lines = await summary('enterprise-policies.yml');
    const at = lines.findIndex((l) => l.startsWith('  not used     decision_policies.critical.algorithm:'));
    expect(at).toBeGreaterThan(-1);
    expect(lines[at + 1]).toMatch(/^ {15}\S/);
    const notes = lines.slice(
      at,
      lines.findIndex((l) => l.startsWith('  decisions')),
    );
    expect(notes.length).toBeGreaterThan(5);
    for (const l of notes) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(notes.join(' ').replace(/ +/g, ' ')).toContain('write byzantine_supermajority to say so, or consensus.algorithm: byzantine_tolerant to run PBFT');
  });
});
