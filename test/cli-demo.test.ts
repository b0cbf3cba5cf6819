import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));

describe('the conclave command', () => {
  it('runs the demo and reports balanced ledgers, a replayable trace and a survived crash', async () => {
    const { stdout } = await run(process.execPath, [bin, 'demo', '--burst', '20000', '--workers', '2', '--json'], { timeout: 60_000 });
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
    const demo = await run(process.execPath, [bin, 'demo', '--help']);
    expect(demo.stdout).toMatch(/--seed <n>/);
    await expect(run(process.execPath, [bin, 'demo', '--workers', 'lots'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--workers must be an integer from 2 to 64 \(got "lots"\)/) });
  });
});
