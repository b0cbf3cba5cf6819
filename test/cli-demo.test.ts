import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));

describe('the conclave command', () => {
  it('runs the decision demo: a timeline, bursts in both modes, and voting through topology switches', async () => {
    const { stdout } = await run(process.execPath, [bin, 'demo', '--decisions', '2000', '--workers', '2', '--json'], { timeout: 60_000 });
    const r = JSON.parse(stdout);
    expect(r.conversation.decisions.attempted).toBe(3);
    for (const part of [r.conversation, r.simBurst, r.threadBurst, r.switching]) {
      expect(part.accountingImbalance).toBe(0);
      expect(part.messages.inFlight).toBe(0);
      expect(part.safetyViolations).toEqual([]);
      expect(part.decisions.timedOut).toBe(0);
    }
    expect(r.simBurst.decisions.attempted).toBe(2000);
    // Votes are seeded per agent: the same seed gives the same outcomes in both modes.
    expect(r.threadBurst.byOutcome).toEqual(r.simBurst.byOutcome);
    expect(r.switching.topologySwitches.map((s: { to: string }) => s.to)).toEqual(['mesh', 'hierarchical', 'star', 'ring']);
    expect(r.switching.topologyEpochs.every((e: { decisions: number }) => e.decisions > 0)).toBe(true);
  });

  it('tours the runtime: balanced ledgers, a replayable trace and a survived crash', async () => {
    const { stdout } = await run(process.execPath, [bin, 'tour', '--burst', '20000', '--workers', '2', '--json'], { timeout: 60_000 });
    const r = JSON.parse(stdout);
    expect(r.relay.hops).toBe(200);
    expect(r.relay.restarts).toBeGreaterThan(0);
    expect(r.relay.replayHash).toBe(r.relay.traceHash);
    for (const m of [r.simBurst.messages, r.threadLedger]) {
      expect(m.inFlight).toBe(0);
      expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
    }
    expect(r.simBurst.messages.delivered).toBe(20_001);
    expect(r.crash.restarted).toEqual(expect.arrayContaining(['sink', 'clerk']));
  });

  it('has help on every command and rejects bad options with a clear message', async () => {
    const top = await run(process.execPath, [bin, '--help']);
    expect(top.stdout).toMatch(/demo \[options\]/);
    for (const command of ['demo', 'tour', 'run']) {
      const help = await run(process.execPath, [bin, command, '--help']);
      expect(help.stdout).toMatch(/--seed <n>/);
    }
    await expect(run(process.execPath, [bin, 'tour', '--workers', 'lots'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/--workers must be an integer from 2 to 64 \(got "lots"\)/),
    });
    const bad = fileURLToPath(new URL('./fixtures/scenarios/bad-count.yml', import.meta.url));
    await expect(run(process.execPath, [bin, 'run', bad])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/bad-count\.yml:3:\d+: "agents\[0\]\.count": expected an integer from 1 to 1,000,000/),
    });
    await expect(run(process.execPath, [bin, 'run', '--mode', 'fast'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/--mode must be "sim" or "threads"/),
    });
  });
});
