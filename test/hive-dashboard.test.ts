import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FeedFrame } from '../src/dashboard/feed-frame.ts';
import { LiveDashboard } from '../src/dashboard/live-dashboard.ts';
import { runHiveSession } from '../src/hive/hive-session.ts';

/** A hive session served on the live dashboard, wired as `conclave hive-mind spawn --dashboard` wires it. */
describe('hive-mind on the live dashboard', () => {
  it('streams the hive as a graph (queen, leads, workers on the hierarchy), its books and its end', async () => {
    const dash = await LiveDashboard.start({ port: 0, runId: 'hive-test', label: 'hive', mode: 'sim', protocol: 'hive' });
    const frames: FeedFrame[] = [];
    dash.onFrame((f) => frames.push(f));
    const s = await runHiveSession({ objective: 'Document the API', seed: 1 }, { onSystem: (system) => dash.attach(system), onEvent: (e) => dash.observe(e) });
    await dash.finish('completed');
    expect(s.report.objectives[0].status).toBe('done');
    const drawn = frames.find((f) => f.graph !== undefined)!;
    expect(drawn.graph!.kind).toBe('hierarchical');
    const ids = drawn.graph!.members.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['queen', 'lead_01', 'lead_04']));
    expect(ids).toHaveLength(1 + 4 + 20);
    const last = frames.at(-1)!;
    expect(last.status).toBe('completed');
    const l = last.ledger!;
    expect(l.sent).toBe(l.delivered + l.dropped + l.deadLettered + l.inFlight);
    expect(l.sent).toBeGreaterThan(0);
    // No adversary to turn a hive member into from the page: the action is not offered.
    expect(frames.every((f) => !f.controls.includes('byzantine'))).toBe(true);
  }, 60_000);

  it('conclave hive-mind spawn --dashboard 0 prints the URL of each session and exits 0', () => {
    const r = spawnSync(process.execPath, ['bin/conclave.js', 'hive-mind', 'spawn', 'Document the API', '--dashboard', '0', '--no-store', '--sessions', '2'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr.match(/dashboard for session \d: http:\/\/127\.0\.0\.1:\d+\//g)).toHaveLength(2);
    expect(r.stdout).toMatch(/session 2: done/);
  }, 60_000);
});
