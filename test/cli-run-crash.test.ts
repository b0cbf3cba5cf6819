import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/run-command.ts';
import { EXIT_BAD_INPUT, EXIT_RUN_FAILED, exitCodeForError } from '../src/cli/exit-codes.ts';
import { AskTimeoutError, ConfigError, HostCrashedError, ScenarioError } from '../src/errors.ts';

/**
 * `conclave run --mode threads` when the coordinator's worker dies mid-run (the fixture
 * coordinator ends its own worker at its 60th ballot): the command prints the run's report, not
 * an error, and exits 3 ("the run failed"), not 2 ("bad input").
 */

const fixture = fileURLToPath(new URL('./fixtures/crashing-coordinator.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conclave-run-crash-'));
const scenario = join(dir, 'crash.yml');
writeFileSync(
  scenario,
  `
name: coordinator-dies
agents: [{ role: analyst, count: 5, accuracy: 0.8 }]
consensus:
  algorithm: simple_majority
  voting_timeout: 30s
  implementation: { module: ${JSON.stringify(fixture)}, export: crashingCoordinator }
task: { question: q, options: [A, B], truth: A, decisions: 100, in_flight: 2 }
`,
);

describe('conclave run: a worker dies with the coordinator', () => {
  it('--json: prints the result, crash and all, and exits 3', async () => {
    const lines: string[] = [];
    const code = await runCommand(scenario, { mode: 'threads', workers: 2, json: true }, (l) => lines.push(l));
    const r = JSON.parse(lines.join('\n'));
    expect(code).toBe(EXIT_RUN_FAILED);
    expect(r.status).toBe('failed');
    expect(r.hostCrashes).toHaveLength(1);
    expect(r.hostCrashes[0].detail).toMatch(/exited with code 7/);
    expect(r.hostCrashes[0].restarted).toContain('coordinator');
    // 60 ballots of 5 voters: about 12 decisions before the crash; the restarted coordinator did the rest.
    expect(r.decisions.attempted).toBe(100);
    expect(r.decisions.aborted).toBeGreaterThan(0);
    expect(r.decisions.decided + r.decisions.noConsensus + r.decisions.timedOut + r.decisions.aborted).toBe(100);
    expect(r.decisions.decided + r.decisions.noConsensus).toBeGreaterThan(20);
    expect(r.messages.sent).toBe(r.messages.delivered + r.messages.dropped + r.messages.deadLettered + r.messages.inFlight);
    expect(r.accountingImbalance).toBe(0);
  });

  it('prints the crash in the timeline and the summary, and says the run failed', async () => {
    const lines: string[] = [];
    const code = await runCommand(scenario, { mode: 'threads', workers: 2, timeline: 1 }, (l) => lines.push(l));
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(code).toBe(EXIT_RUN_FAILED);
    expect(text).toMatch(/worker \d died \(exited with code 7\)/);
    expect(text).toMatch(/coordinator restarted on worker \d/);
    expect(text).toMatch(/RUN FAILED/);
    expect(text).toMatch(/aborted \(lost in a crash\)/);
    expect(text).toMatch(/✓ balanced/);
    expect(text).not.toMatch(/retry/);
  });
});

describe('conclave: the exit code of an error that ended a command', () => {
  it('is 3 for a run that broke down, 2 for bad input', () => {
    expect(exitCodeForError(new HostCrashedError(0, 'spawn("a")'))).toBe(EXIT_RUN_FAILED);
    expect(exitCodeForError(new AskTimeoutError('coordinator', 'run', 1000))).toBe(EXIT_RUN_FAILED);
    expect(exitCodeForError(new ConfigError('workers', 'an integer', 'x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeForError(new ScenarioError('s.yml', 1, 1, 'task.decisions', 'an integer'))).toBe(EXIT_BAD_INPUT);
  });
});
