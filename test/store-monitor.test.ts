import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { auditVerifyCommand } from '../src/cli/audit-command.ts';
import { monitorCommand } from '../src/cli/monitor-command.ts';
import { describeEvent } from '../src/store/run-watch.ts';

const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
const example = fileURLToPath(new URL('../examples/db-choice.yml', import.meta.url));
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** db-choice in threads mode with `decisions` decisions: long enough to watch. */
function longScenario(dir: string, decisions: number): string {
  const file = join(dir, 'long.yml');
  writeFileSync(
    file,
    readFileSync(example, 'utf8')
      .replace('decisions: 200', `decisions: ${decisions}`)
      .replace(/^seed: 42$/m, 'seed: 42\nmode: threads'),
  );
  return file;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startRun(scenario: string, store: string): ChildProcess {
  const child = spawn(process.execPath, [bin, 'run', scenario, '--store', store, '--timeline', '0', '--workers', '2'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** Reads one value from the store as the run writes it (undefined while there is no store or no row). */
function query<T>(store: string, sql: string): T | undefined {
  if (!existsSync(store)) return undefined;
  try {
    const db = new Database(store, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).get() as T | undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // the schema is not there yet
  }
}

/** Polls `ready` until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, ready: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('conclave monitor', () => {
  it('follows a run another process is writing: progress rising, then its final verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-monitor-'));
    const store = join(dir, 'conclave.db');
    startRun(longScenario(dir, 20_000), store);
    await waitFor('the run to be recorded', () => query(store, 'SELECT id FROM runs') !== undefined, 60_000);
    // audit verify reads a running run in one snapshot: rows and checkpoints agree however fast it writes.
    await waitFor('decisions to be stored', () => (query<{ n: number }>(store, 'SELECT max(closed) AS n FROM progress')?.n ?? 0) > 0, 120_000);
    const verdict: string[] = [];
    expect(auditVerifyCommand('last', { store }, (l) => verdict.push(plain(l)))).toBe(0);
    expect(verdict[0]).toMatch(/decisions?(?: \(and [\d,]+ more kept as aggregates, not chained\))?, chain intact, \d+ checkpoints? signed by key/);
    const lines: string[] = [];
    let clock = Date.parse('2026-12-07T02:00:00Z');
    const code = await monitorCommand('last', { store, follow: true, intervalMs: 100 }, (l) => lines.push(plain(l)), { now: () => (clock += 100) });
    expect(code).toBe(0);
    const closed = lines
      .map((l) => /^\d\d:\d\d:\d\d (?:running|completed) · closed ([\d,]+)/.exec(l)?.[1])
      .filter((x) => x !== undefined)
      .map((x) => Number(x.replaceAll(',', '')));
    // It watched the run while it ran: more than one distinct figure, never going down, and the last one all of it.
    expect(new Set(closed).size).toBeGreaterThan(1);
    expect(closed).toEqual([...closed].sort((a, b) => a - b));
    expect(closed.at(-1)).toBe(20_000);
    expect(lines.some((l) => /decisions\/min · in flight \d+ · latency mean .* votes [\d,]+ \(\+[\d,]+\)$/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('topology: (none) -> mesh'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^run \S+ completed \(exit 0\) after .*: 20,000 decisions closed, [\d,]+ decided, latency mean /);
  }, 180_000);

  it("says when the run's process is gone: what it stored is kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-monitor-'));
    const store = join(dir, 'conclave.db');
    const child = startRun(longScenario(dir, 200_000), store);
    await waitFor('decisions to be stored', () => (query<{ n: number }>(store, 'SELECT max(closed) AS n FROM progress')?.n ?? 0) > 0, 120_000);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const lines: string[] = [];
    const code = await monitorCommand(undefined, { store, follow: true, intervalMs: 100 }, (l) => lines.push(plain(l)));
    expect(code).toBe(1);
    const verdict: string[] = [];
    expect(auditVerifyCommand(undefined, { store }, (l) => verdict.push(plain(l)))).toBe(0);
    expect(verdict[0]).toMatch(
      /decisions?(?: \(and [\d,]+ more kept as aggregates, not chained\))?, chain intact, \d+ checkpoints? signed by key [0-9a-f]+ \(marked running, but its process is gone \(killed\?\): checked as far as it stored\)$/,
    );
    expect(lines.at(-1)).toMatch(/^the run's process is gone \(killed\?\); what it stored is kept: [\d,]+ decisions closed \(conclave show \S+\)$/);
  }, 180_000);

  it('takes one snapshot without --follow, and refuses an unknown run and a bad interval by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-monitor-'));
    const store = join(dir, 'conclave.db');
    const child = startRun(example, store);
    await new Promise((resolve) => child.once('exit', resolve));
    const lines: string[] = [];
    expect(await monitorCommand('last', { store }, (l) => lines.push(plain(l)))).toBe(0);
    expect(lines[0]).toMatch(/^run \S+: db-choice · simple_majority · sim · 5 agents · started /);
    expect(lines.at(-1)).toMatch(/completed \(exit 0\)/);
    await expect(monitorCommand('zzz', { store }, () => undefined)).rejects.toThrow(/has no run "(nope|zzz)"/);
    await expect(monitorCommand('last', { store, intervalMs: 0 }, () => undefined)).rejects.toThrow(/"--interval"/);
  }, 60_000);

  it('tells faults starting and ending, leaders, detections and alerts apart', () => {
    const ev = (kind: string, detail: object, actor: string | null = null) => describeEvent({ id: 1, t: 0, kind, actor, detail: JSON.stringify(detail) });
    expect(ev('fault', { type: 'fault', fault: 'crash', detail: 'n2' })).toBe('fault started: crash n2');
    expect(ev('fault', { type: 'fault', fault: 'heal', detail: 'partition healed' })).toBe('fault ended: heal partition healed');
    expect(ev('leader', { type: 'raft-leader', term: 3 }, 'n1')).toBe('leader: n1 leads term 3');
    expect(ev('leader', { type: 'raft-step-down', term: 4, reason: 'check-quorum', heard: 1 }, 'n2')).toBe(
      'leader: n2 stepped down (term 4): it no longer heard from a majority',
    );
    expect(ev('leader', { type: 'raft-transfer', term: 5, target: 'n3', phase: 'done' }, 'n1')).toBe('leadership transfer: n1 to n3, done (term 5)');
    expect(ev('byzantine', { type: 'byzantine-detected', agent: 'coder_002', evidence: 'two votes' })).toBe('Byzantine detected: coder_002 (two votes)');
    expect(ev('alert', { type: 'alert', message: 'quorum at risk' }, 'q')).toBe('ALERT q: quorum at risk');
  });
});
