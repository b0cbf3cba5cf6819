import { describe, expect, it } from 'vitest';
import { runDecisionDemo } from '../src/cli/decision-demo.ts';
import { buildCli } from '../src/cli/main.ts';

/** What `npm start` (conclave with no command) prints, at a smaller burst: the first thing a new user reads. */
describe('the decision demo', () => {
  it('three decisions vote by vote, two bursts that agree across modes, a switching burst; lines a terminal holds; next steps that exist', async () => {
    const lines: string[] = [];
    const report = await runDecisionDemo({ seed: 42, workers: 2, decisions: 2_000, out: (l) => lines.push(...l.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) });
    const text = lines.join('\n');
    for (const section of ['1. Three decisions, vote by vote', '2. A burst of 2,000 decisions', '3. The same burst while the topology switches'])
      expect(text).toContain(section);
    expect(report.conversation.safetyViolations).toEqual([]);
    expect(report.switching.safetyViolations).toEqual([]);
    expect(text.match(/books balanced/g)).toHaveLength(3);
    expect(text).toContain('safety not checked here: bursts run untraced, for speed (sections 1 and 3 are checked)');
    // Same seed, same votes: the threads burst reaches the sim burst's outcomes, and says so.
    expect(report.threadBurst.decisions.decided).toBe(report.simBurst.decisions.decided);
    expect(text).toContain('the same outcomes as sim: same seed, same votes');
    // The question is the scenario's own text, printed once; every other line fits 115 columns.
    expect(lines.filter((l) => l.length > 115 && !l.includes(' opens d1: '))).toEqual([]);
    expect(text.match(/opens d\d: the same question/g)).toHaveLength(2);
    // Each "Next:" command names a command the CLI has.
    const next = lines.slice(lines.indexOf('Next:') + 1).map((l) => l.trim().split(/ {2,}/)[0]);
    const commands = new Set(buildCli().commands.map((c) => c.name()));
    for (const n of next.filter((n) => n.startsWith('npx conclave ')))
      expect(commands.has(n.split(' ')[2].replace(/^--help$/, 'help')) || n.endsWith('--help')).toBe(true);
    expect(next).toContain('npx conclave run examples/db-choice.yml');
  }, 120_000);
});
