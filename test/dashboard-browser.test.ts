import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core. Every wait is on
 * the page's state (window.dashboard), never a sleep.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = join(ROOT, 'test-artefacts');

/** Seven reviewers, one of them an equivocating liar the coordinator catches; a switch to a ring at 20 s (virtual). */
const VOTE = `
name: watched-vote
agents: [{ role: reviewer, count: 7 }]
topology: mesh
consensus: { algorithm: byzantine_supermajority }
faults:
  byzantine: { count: 1, types: [conflicting_votes] }
task: { question: Ship it?, options: [yes, no], truth: yes, decisions: 4000 }
schedule:
  - { at: 20s, switch_topology: ring }
`;

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

interface PageState {
  frames: number;
  status?: string;
  paused: boolean;
  members: { id: string; byzantine?: boolean; compromised?: boolean }[];
  drawnLinks: number;
  kindsSeen: string[];
  linkSignatures: string[];
  perMinSeen: number[];
  maxPerMin: number;
  byzantine: string[];
  errors: string[];
  drawMs: number[];
  lastControl?: { ok: boolean; text?: string; error?: string };
}
declare const dashboard: PageState;

describe('the dashboard in chromium', () => {
  it('follows a live sim run: members, decisions per minute, a scheduled switch redrawn, liars flagged, a crash and a Byzantine member laid from the page in the trace; a wrong token refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-browser-'));
    writeFileSync(join(dir, 'vote.yml'), VOTE);
    const token = 'browser-token-0123456789';
    const run = startRun([
      join(dir, 'vote.yml'),
      '--seed',
      '42',
      '--trace',
      join(dir, 'trace.jsonl'),
      '--timeline',
      '0',
      '--no-store',
      '--dashboard',
      '0',
      '--dashboard-token',
      token,
      '--dashboard-paused',
    ]);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      const url = await run.url;
      const refused = await page.goto(url.replace(token, 'wrong-token-0123456789'));
      expect(refused!.status()).toBe(401);
      expect(await page.textContent('body')).toContain('needs its token');
      problems.length = 0; // the refused page's own 401 is the point, not a fault of the page

      await page.goto(url);
      // Held at its start: all seven members (and the coordinator) drawn, on a mesh.
      await page.waitForFunction(() => dashboard.paused && dashboard.members.length === 8);
      const held = await page.evaluate(() => ({ kinds: dashboard.kindsSeen, ids: dashboard.members.map((m) => m.id) }));
      expect(held.kinds).toEqual(['mesh']);
      expect(held.ids).toContain('reviewer_003');

      // A crash laid from the page, while held.
      await page.selectOption('#member', 'reviewer_003');
      await page.click('#crash');
      await page.waitForFunction(() => dashboard.lastControl !== undefined);
      expect(await page.evaluate(() => dashboard.lastControl)).toMatchObject({ ok: true, text: expect.stringMatching(/^crash reviewer_003/) });

      // Another reviewer made Byzantine from the page (the scenario's own liar is reviewer_004 at seed 42).
      expect(await page.$$eval('#lie option', (os) => os.map((o) => (o as unknown as { value: string }).value))).toContain('conflicting_votes');
      await page.selectOption('#member', 'reviewer_006');
      await page.selectOption('#lie', 'conflicting_votes');
      await page.click('#byzantine');
      await page.waitForFunction(() => dashboard.lastControl?.text?.startsWith('make ') === true);
      expect(await page.evaluate(() => dashboard.lastControl)).toMatchObject({
        ok: true,
        text: expect.stringMatching(/^make reviewer_006 Byzantine \(conflicting_votes\) at t=/),
      });

      await page.click('#resume');
      await page.waitForFunction(() => !dashboard.paused && dashboard.maxPerMin > 0);
      // Ringed as made Byzantine once the run has laid it.
      await page.waitForFunction(() => dashboard.members.some((m) => m.id === 'reviewer_006' && m.compromised === true));
      // Mid-run: hold it from the page and take the picture.
      await page.click('#pause');
      await page.waitForFunction(() => dashboard.paused && dashboard.status === 'running');
      mkdirSync(ARTEFACTS, { recursive: true });
      const shot = join(ARTEFACTS, 'dashboard-mid-run.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      await page.click('#resume');

      // The scheduled switch to a ring changes the drawn links (a mesh of 8 draws 28, a ring 8).
      await page.waitForFunction(() => dashboard.kindsSeen.includes('ring'));
      const signatures = await page.evaluate(() => dashboard.linkSignatures);
      expect(signatures).toEqual(['mesh:28', 'ring:8']);
      // Both liars are flagged once the coordinator has caught them.
      await page.waitForFunction(() => dashboard.byzantine.length > 1);
      await page.waitForFunction(() => dashboard.status !== undefined && dashboard.status !== 'running');
      const end = await page.evaluate(() => ({
        status: dashboard.status,
        byzantine: dashboard.byzantine,
        perMin: dashboard.perMinSeen,
        errors: dashboard.errors,
      }));
      expect(end.status).toBe('completed');
      // The run selector follows the status too (it kept saying "(running)").
      expect(await page.locator('#run option:checked').textContent()).toMatch(/\(completed\)$/);
      expect([...end.byzantine].sort()).toEqual(['reviewer_004', 'reviewer_006']);
      expect(new Set(end.perMin.filter((x) => x > 0)).size).toBeGreaterThan(1); // it moved while the run went
      expect(end.errors).toEqual([]);
      expect(await run.code).toBe(0);
      const trace = readFileSync(join(dir, 'trace.jsonl'), 'utf8');
      expect(trace).toContain('"fault":"crash","detail":"reviewer_003"');
      expect(trace).toContain('"fault":"byzantine","detail":"reviewer_006 now lies: conflicting_votes"');
      expect(trace).toContain('"type":"byzantine-detected","agent":"reviewer_006"');
      expect(problems).toEqual([]);
    } finally {
      run.child.kill();
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // A child process, a browser and a sim run of 4,000 decisions: 40 s alone on a busy 2-core machine, more beside the rest of the suite.
  }, 240_000);
});

/** `conclave run ARGS` in a child process: its dashboard URL (from stderr) and exit code. */
function startRun(args: string[]): { child: ChildProcess; url: Promise<string>; code: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/conclave.js'), 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += String(d);
      const m = /dashboard for this run: (http\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`the run exited before it printed its dashboard: ${err}`)));
  });
  return { child, url, code: new Promise((resolve) => child.on('exit', (c) => resolve(c))) };
}
