import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import type { Violation } from '../src/check/violation.ts';
import { replayCommand, type ReplayCommandOptions } from '../src/cli/replay-command.ts';
import { ConfigError } from '../src/errors.ts';
import { runStress } from '../src/stress/index.ts';

const colluders = new URL('./fixtures/scenarios/pbft-colluders.yml', import.meta.url).pathname;
const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');

async function replay(file: string | undefined, o: ReplayCommandOptions): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await replayCommand(file, o, (l) => lines.push(l));
  return { code, text: strip(lines.join('\n')) };
}

interface Replayed {
  result: { traceHash: string; safetyViolations: Violation[] };
  events: number;
  violations: (Violation & { trace: { at: number; event: TraceEvent }[] })[];
}

describe('conclave replay', () => {
  it('reruns f + 1 colluders against PBFT and prints the trace around each violation, the proving event marked', async () => {
    const { code, text } = await replay(colluders, { around: 3, violations: 1 });
    expect(code).toBe(1);
    const first = text.match(/pbft-safety · agreement @ event (\d+): seq (\d+): /);
    expect(first).not.toBeNull();
    const at = Number(first![1]);
    // The proving event: an honest replica committing that seq, marked, with 3 events either side.
    expect(text).toMatch(new RegExp(`▶ #\\s*${at} +[\\d.]+ ms  node_00[23] +pbft-committed +view=\\d+ seq=${first![2]} digest=`));
    for (const k of [at - 3, at - 1, at + 1, at + 3]) expect(text).toMatch(new RegExp(`\\n {6}#\\s*${k} +[\\d.]+ ms `));
    expect(text).not.toMatch(new RegExp(`\\n {6}#\\s*${at + 4} `));
    expect(text).toMatch(/\.\.\. and \d+ more \(--violations N shows more/);
    // The heading counts what the summary counts: safety violations, and liveness findings apart.
    const summary = Number(/(\d+) VIOLATIONS?/.exec(text)?.[1]);
    expect(text).toMatch(new RegExp(`Findings: ${summary.toLocaleString('en-US')} safety violations?(, \\d+ liveness findings?)?\\n`));
    expect(text).toMatch(/trace sha256 [0-9a-f]{64} · \d+ events/);
    expect(text).toContain(`again: conclave replay ${colluders} --seed 3`);
  });

  it('gives every violation its trace window in --json, the event at its position being the one that proves it', async () => {
    const { code, text } = await replay(colluders, { around: 2, json: true });
    expect(code).toBe(1);
    const r = JSON.parse(text) as Replayed;
    expect(r.violations.length).toBe(r.result.safetyViolations.length);
    let commits = 0;
    for (const v of r.violations) {
      expect(v.checker).toBe('pbft-safety');
      const proving = v.trace.find((w) => w.at === v.at)!.event;
      expect(proving.type).toBe('emit');
      // "seq 3: node_002 committed d=.. (view 0), node_003 committed d=.." is proven by node_003's commit of seq 3.
      const commit = v.detail.match(/^seq (\d+): \S+ committed d=\S+ \(view \d+\), (\S+) committed/);
      if (commit) {
        commits++;
        expect(proving).toMatchObject({ actor: commit[2], event: { type: 'pbft-committed', seq: Number(commit[1]) } });
      }
      if (v.property === 'result-integrity') expect(proving).toMatchObject({ actor: 'client', event: { type: 'pbft-accepted' } });
      expect(v.trace.map((w) => w.at)).toEqual(
        Array.from({ length: Math.min(r.events, v.at! + 3) - Math.max(0, v.at! - 2) }, (_, i) => Math.max(0, v.at! - 2) + i),
      );
    }
    expect(commits).toBeGreaterThan(0);
  });

  it('replays a stress run from its seed: twice the same trace hash, the one stress itself recorded', async () => {
    const o = { protocol: 'pbft', agents: 4, byzantine: 1, faults: 'crash,partition,byzantine', decisions: 20, seed: 5, json: true };
    const a = JSON.parse((await replay(undefined, o)).text) as Replayed;
    const b = JSON.parse((await replay(undefined, o)).text) as Replayed;
    expect(a.result.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    const stressed = await runStress(
      { protocol: 'pbft', agents: 4, byzantine: 1, faults: ['crash', 'partition', 'byzantine'], decisions: 20 },
      { runs: 1, seed: 5, workers: 1 },
    );
    expect(stressed.traceHashes).toEqual([a.result.traceHash]);
  });

  it('refuses bad input with the option and what would do', async () => {
    await expect(replay(undefined, { seed: 1 })).rejects.toThrow(
      'conclave replay: give a scenario file, or a stress run: its --protocol, its options and its --seed (see conclave replay --help)',
    );
    await expect(replay(undefined, { agents: 4 })).rejects.toThrow(
      'conclave replay: --agents describes a stress run: give its --protocol too (and its --seed)',
    );
    await expect(replay(undefined, { protocol: 'pbft' })).rejects.toThrow(
      'conclave replay: give --seed: the seed of the stress run to replay (conclave stress prints it for each failing run) (see conclave replay --help)',
    );
    await expect(replay(colluders, { agents: 3 })).rejects.toThrow(/--agents.*either a scenario file or the stress options/);
    await expect(replay(undefined, { protocol: 'pbft', byzantine: 9, agents: 4, seed: 1 })).rejects.toThrow(/--byzantine.*fewer than --agents/);
  });
});
