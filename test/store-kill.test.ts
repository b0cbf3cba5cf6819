import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkpointSigned, decisionHash, genesisHash } from '../src/store/audit-chain.ts';
import { auditKey } from '../src/store/audit-keys.ts';
import { openStore, type StoreDb } from '../src/store/index.ts';

/**
 * `kill -9` of a recording run: whatever the store holds afterwards is whole. Each batch is one
 * transaction, so the decisions stored equal the last progress row's count, the chain links up
 * and every checkpoint's signature holds; the run stays `running` with the pid of a process that
 * is gone (what `runs` and `monitor` call interrupted).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conclave-kill-'));
const scenario = join(dir, 'long.yml');
writeFileSync(
  scenario,
  'name: long\nagents: [{ role: analyst, count: 5, accuracy: 0.8 }]\nconsensus: { algorithm: simple_majority }\ntask: { question: q, options: [A, B, C], truth: A, decisions: 200000, in_flight: 32 }\n',
);

/** Polls the store (another process writes it) until `ready` holds: a condition, not a fixed sleep. */
async function until<T>(file: string, probe: (db: StoreDb) => T | undefined, child: ChildProcess, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the run ended (exit ${child.exitCode}) before the condition held`);
    try {
      const db = openStore(file, { readonly: true });
      try {
        const v = probe(db);
        if (v !== undefined) return v;
      } finally {
        db.close();
      }
    } catch (e) {
      // The child may be creating the file right now (no header yet, no tables, the schema
      // being written): not ready, look again.
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the run to write its store${last ? ` (last: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kill -9 of a run that records', () => {
  // Killed just after the first batch, and after some thousands of decisions.
  it.each([1, 5000])('killed once %i decisions are stored: the store is whole and consistent', async (atLeast) => {
    const store = join(mkdtempSync(join(tmpdir(), 'conclave-kill-store-')), 'conclave.db');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/conclave.js'), 'run', scenario, '--store', store, '--timeline', '0', '--force', '--store-detail', '1000000'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    await until(
      store,
      (db) => {
        const p = db.prepare('SELECT max(closed) AS n FROM progress').get() as { n: number | null };
        return (p.n ?? 0) >= atLeast ? true : undefined;
      },
      child,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const db = openStore(store);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const run = db.prepare('SELECT id, status, pid, signed FROM runs').get() as { id: string; status: string; pid: number; signed: number };
    expect(run).toMatchObject({ status: 'running', pid: child.pid, signed: 1 });
    const rows = db.prepare('SELECT * FROM decisions WHERE run_id = ? ORDER BY seq').all(run.id) as Record<string, unknown>[];
    const last = db.prepare('SELECT closed FROM progress WHERE run_id = ? ORDER BY rowid DESC LIMIT 1').get(run.id) as { closed: number };
    expect(rows.length).toBeGreaterThanOrEqual(atLeast);
    expect(rows.length).toBe(last.closed);
    let prev = genesisHash(run.id);
    rows.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      expect(r.prev_hash).toBe(prev);
      prev = decisionHash(run.id, prev, {
        seq: r.seq as number,
        decision: r.decision as string,
        t: r.t as number,
        openedT: r.opened_t as number,
        latencyMs: r.latency_ms as number,
        outcome: r.outcome as string,
        value: r.value as string,
        strength: r.strength as number,
        votes: r.votes as number,
        of: r.of as number,
        algorithm: r.algorithm as string,
        detail: r.detail as string,
        ballots: r.ballots as string,
      });
      expect(r.hash).toBe(prev);
    });
    const key = auditKey(store, { create: false })!;
    const checkpoints = db.prepare('SELECT upto, hashes, signature FROM checkpoints WHERE run_id = ? ORDER BY upto').all(run.id) as {
      upto: number;
      hashes: string;
      signature: string;
    }[];
    expect(checkpoints.every((c) => checkpointSigned(key.publicKey, run.id, c.upto, c.hashes, c.signature))).toBe(true);
    expect(checkpoints.flatMap((c) => c.hashes.split(' '))).toEqual(rows.map((r) => r.hash));
    db.close();
  });
});
