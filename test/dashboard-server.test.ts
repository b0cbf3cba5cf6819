import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/run-command.ts';
import { DashboardServer } from '../src/dashboard/dashboard-server.ts';
import type { FeedFrame } from '../src/dashboard/feed-frame.ts';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** Reads a run's event stream until `until` holds for a frame; returns every frame read. */
async function framesUntil(url: string, until: (f: FeedFrame) => boolean, headers: Record<string, string> = {}): Promise<FeedFrame[]> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const frames: FeedFrame[] = [];
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const message = text.slice(0, cut);
      text = text.slice(cut + 2);
      if (!message.startsWith('data: ')) continue;
      const f = JSON.parse(message.slice(6)) as FeedFrame;
      frames.push(f);
      // Leaving the loop cancels the stream (the server sees the page go).
      if (until(f)) return frames;
    }
  }
  throw new Error(`the stream ended before the awaited frame (${frames.length} frames)`);
}

const raft = `
name: watched-raft
agents: [{ role: node, count: 5 }]
topology: mesh
consensus: { algorithm: raft }
task: { question: commands, options: [a, b], decisions: 300 }
schedule:
  - { at: 400ms, switch_topology: ring }
`;

describe('dashboard server: the token', () => {
  it('refuses every request without the right token (page, runs, stream, control), by header or query', async () => {
    const token = 'a-test-token-0123456789';
    const server = new DashboardServer({ port: 0, token });
    closers.push(() => server.close());
    const { url, port } = await server.start();
    expect(url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/', '/app.js', '/api/runs', '/api/runs/x/events']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
      expect((await fetch(`${base}${path}?token=wrong-token-0123456789`)).status, path).toBe(401);
      expect((await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer a-test-token-012345678' } })).status, path).toBe(401);
    }
    expect((await fetch(`${base}/api/runs/x/control`, { method: 'POST', body: '{"action":"pause"}' })).status).toBe(401);
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    // The page names its scripts with the token (a script tag cannot send a header).
    expect(await page.text()).toContain(`src="app.js?token=${token}"`);
    const runs = await fetch(`${base}/api/runs`, { headers: { Authorization: `Bearer ${token}` } });
    expect(runs.status).toBe(200);
    expect(await runs.json()).toEqual({ runs: [] });
  });

  it('generates a token for a host other than loopback, and needs none on loopback', async () => {
    const open = new DashboardServer({ port: 0 });
    closers.push(() => open.close());
    const { port } = await open.start();
    expect(open.token).toBeUndefined();
    expect((await fetch(`http://127.0.0.1:${port}/api/runs`)).status).toBe(200);
    const wide = new DashboardServer({ port: 0, host: '0.0.0.0' });
    closers.push(() => wide.close());
    const started = await wide.start();
    expect(wide.generatedToken).toBe(true);
    expect(wide.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(started.url).toContain(`?token=${wide.token}`);
    expect((await fetch(`http://127.0.0.1:${started.port}/api/runs`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${started.port}/api/runs?token=${wide.token}`)).status).toBe(200);
  });

  it('refuses a bad token or port by name', () => {
    expect(() => new DashboardServer({ token: 'short' })).toThrow(/--token.*16 to 256 characters/);
    expect(() => new DashboardServer({ port: 70_000 })).toThrow(/--port/);
  });

  it('serves the page and its scripts from the package, nothing from elsewhere', async () => {
    const server = new DashboardServer({ port: 0 });
    closers.push(() => server.close());
    const { port } = await server.start();
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const scripts = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    // The graph's layout library (d3-force and the d3 modules it needs) is served from the installed packages too.
    expect(scripts).toEqual(['data:,', 'style.css', 'd3-dispatch.js', 'd3-quadtree.js', 'd3-timer.js', 'd3-force.js', 'graph-layout.js', 'app.js']);
    scripts.shift(); // the empty icon: no request for /favicon.ico
    for (const s of scripts) {
      const res = await fetch(`http://127.0.0.1:${port}/${s}`);
      expect(res.status, s).toBe(200);
      expect((await res.text()).length, s).toBeGreaterThan(500);
    }
    expect(await (await fetch(`http://127.0.0.1:${port}/d3-force.js`)).text()).toContain('forceSimulation');
    expect(page).not.toMatch(/https?:\/\//);
  });
});

describe('conclave run --dashboard: a live sim run', () => {
  it('streams the graph, holds the run, lays a crash from the page through the scheduler into the trace, and ends with exact books', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-live-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'raft.yml'), raft);
    const token = 'live-run-token-0123456789';
    // The run in its own process (a sim run holds its thread; the page is another program).
    const run = startRun([
      join(dir, 'raft.yml'),
      '--seed',
      '3',
      '--trace',
      join(dir, 'trace.jsonl'),
      '--json',
      '--no-store',
      '--dashboard',
      '0',
      '--dashboard-token',
      token,
      '--dashboard-paused',
    ]);
    closers.push(async () => run.child.kill());
    const base = new URL(await run.url).origin;
    const auth = { Authorization: `Bearer ${token}` };
    const { runs } = (await (await fetch(`${base}/api/runs`, { headers: auth })).json()) as { runs: { id: string; live: boolean }[] };
    expect(runs).toHaveLength(1);
    const id = runs[0].id;
    expect(runs[0].live).toBe(true);
    // Held at its start: the first frames show the five members on a mesh, paused.
    const held = await framesUntil(`${base}/api/runs/${id}/events`, (f) => f.paused && f.graph?.members.length === 5, auth);
    expect(held.at(-1)!.graph!.kind).toBe('mesh');
    expect(held.at(-1)!.controls).toContain('crash');
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${base}/api/runs/${id}/control`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await post({ action: 'crash', member: 'node_003' }, {})).status).toBe(401);
    const wrong = await post({ action: 'crash', member: 'node_009' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/member of the graph in force/);
    expect((await post({ action: 'explode' })).status).toBe(400);
    const crash = await post({ action: 'crash', member: 'node_003' });
    expect(await crash.json()).toMatchObject({ ok: true, text: expect.stringMatching(/^crash node_003 at t=/) });
    expect(await (await post({ action: 'resume' })).json()).toMatchObject({ ok: true });
    const after = await framesUntil(`${base}/api/runs/${id}/events`, (f) => f.status !== 'running', auth);
    expect(after.at(-1)!.graph?.kind).toBe('ring');
    expect(after.some((f) => f.graph?.members.find((m) => m.id === 'node_003')?.crashed === true)).toBe(true);
    const ledger = after.at(-1)!.ledger!;
    expect(ledger.sent).toBe(ledger.delivered + ledger.dropped + ledger.deadLettered + ledger.inFlight);
    const result = JSON.parse(await run.stdout) as { accountingImbalance: number };
    expect(await run.code).toBe(0);
    expect(result.accountingImbalance).toBe(0);
    // The crash is the scheduler's: in the trace as a fault, at the virtual time the run was held at.
    const faults = readFileSync(join(dir, 'trace.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"fault"'))
      .map((l) => JSON.parse(l) as { fault: string; detail: string });
    expect(faults).toContainEqual(expect.objectContaining({ fault: 'crash', detail: 'node_003' }));
    // A child process and a sim run: 25-35 s on a busy 2-core machine.
  }, 180_000);
});

describe('conclave dashboard: runs read from the store', () => {
  it('lists a finished run and streams it as it ended: counts, members, crashes and switches from its stored timeline, its books', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-store-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const store = join(dir, 'conclave.db');
    writeFileSync(join(dir, 'raft.yml'), `${raft}faults:\n  crash: [{ target: node_002, at: 200ms }]\n`);
    const lines: string[] = [];
    expect(await runCommand(join(dir, 'raft.yml'), { seed: 5, json: true, store, progress: { write: () => undefined } }, (l) => lines.push(l))).toBe(0);
    const result = JSON.parse(lines[0]) as { runId: string; decisions: { decided: number }; messages: { sent: number } };
    const server = new DashboardServer({ port: 0, store });
    closers.push(() => server.close());
    const { port } = await server.start();
    const { runs } = (await (await fetch(`http://127.0.0.1:${port}/api/runs`)).json()) as { runs: { id: string; live: boolean; status: string }[] };
    expect(runs).toEqual([expect.objectContaining({ id: result.runId, live: false, status: 'completed' })]);
    const [frame] = await framesUntil(`http://127.0.0.1:${port}/api/runs/${result.runId}/events`, () => true);
    expect(frame).toMatchObject({ source: 'store', status: 'completed', decided: result.decisions.decided, controls: [] });
    expect(frame.graph!.kind).toBe('ring');
    expect(frame.graph!.members.map((m) => m.id)).toEqual(['node_001', 'node_002', 'node_003', 'node_004', 'node_005']);
    expect(frame.graph!.members.find((m) => m.id === 'node_002')!.crashed).toBe(true);
    expect(frame.ledger!.sent).toBe(result.messages.sent);
    expect(frame.timeline.map((e) => e.text)).toEqual(expect.arrayContaining(['crash: node_002', expect.stringMatching(/^topology mesh -> ring/)]));
    expect(frame.raftTerm).toBeGreaterThanOrEqual(1);
    // A stored run takes no control action.
    const refused = await fetch(`http://127.0.0.1:${port}/api/runs/${result.runId}/control`, { method: 'POST', body: '{"action":"pause"}' });
    expect(refused.status).toBe(409);
  });
});

/** `conclave run ARGS` in a child process: its dashboard URL (from stderr), its stdout and exit code. */
function startRun(args: string[]): { child: ChildProcess; url: Promise<string>; stdout: Promise<string>; code: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/conclave.js'), 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += String(d);
      const m = /dashboard for this run: (http\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`the run exited before it printed its dashboard: ${err}`)));
  });
  const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { child, url, stdout: code.then(() => out), code };
}
