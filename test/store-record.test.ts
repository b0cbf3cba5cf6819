import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/run-command.ts';
import { checkpointSigned, decisionHash, genesisHash } from '../src/store/audit-chain.ts';
import { auditKey } from '../src/store/audit-keys.ts';
import { openStore } from '../src/store/index.ts';

/**
 * What `conclave run` records in the store, checked against the run's own result: every
 * decision closed (with its votes), the outcome counts, the timeline's events, the signed chain;
 * in sim and threads mode, Raft and PBFT too; the detail limit; two runs writing one store at once.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const example = (name: string) => join(ROOT, 'examples', name);
const tmp = () => join(mkdtempSync(join(tmpdir(), 'conclave-record-')), 'conclave.db');

async function recorded(file: string, opts: Parameters<typeof runCommand>[1]) {
  const lines: string[] = [];
  const store = opts.store as string;
  const code = await runCommand(file, { timeline: 0, json: true, progress: { write: () => undefined }, ...opts }, (l) => lines.push(l));
  const result = JSON.parse(lines.join('\n'));
  const db = openStore(store, { readonly: true });
  return { code, result, db };
}

describe('conclave run records the run in the store', () => {
  it('a sim voting run: every closed decision with its votes, outcome counts equal to the result, a signed chain', async () => {
    const store = tmp();
    const { code, result, db } = await recorded(example('db-choice.yml'), { store });
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(result.runId) as Record<string, unknown>;
    expect(run).toMatchObject({
      kind: 'run',
      status: 'completed',
      exit_code: code,
      name: 'db-choice',
      protocol: 'simple_majority',
      mode: 'sim',
      seed: 42,
      agents: 5,
      topology: 'mesh',
      signed: 1,
    });
    expect(JSON.parse(run.result as string).traceHash).toBe(result.traceHash);
    expect(run.scenario_given).toMatch(/name: db-choice/);
    const closed = result.decisions.decided + result.decisions.noConsensus;
    const rows = db.prepare('SELECT * FROM decisions WHERE run_id = ? ORDER BY seq').all(result.runId) as Record<string, unknown>[];
    expect(rows).toHaveLength(closed);
    const byValue: Record<string, number> = {};
    for (const r of rows) if (r.outcome === 'decided') byValue[r.value as string] = (byValue[r.value as string] ?? 0) + 1;
    expect(byValue).toEqual(result.byOutcome);
    // Five voters, each vote with its agent, vote and reason, in the row the chain covers.
    const ballots = rows.map((r) => JSON.parse(r.ballots as string) as unknown[][]);
    expect(ballots.every((b) => b.length === 5)).toBe(true);
    expect(ballots[0]!.map((v) => typeof v[3])).toEqual(['string', 'string', 'string', 'string', 'string']);
    // The chain: each row's hash over its content and the previous row's hash.
    let prev = genesisHash(result.runId);
    for (const r of rows) {
      expect(r.prev_hash).toBe(prev);
      const hash = decisionHash(result.runId, prev, {
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
      expect(r.hash).toBe(hash);
      prev = hash;
    }
    const key = auditKey(store, { create: false })!;
    const checkpoints = db.prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY upto').all(result.runId) as {
      upto: number;
      hashes: string;
      signature: string;
    }[];
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.every((c) => checkpointSigned(key.publicKey, result.runId, c.upto, c.hashes, c.signature))).toBe(true);
    expect(checkpoints.flatMap((c) => (c.hashes.startsWith('head:') ? [] : c.hashes.split(' ')))).toEqual(rows.map((r) => r.hash));
    expect(checkpoints.at(-1)!.hashes).toMatch(new RegExp(`^head:${prev} result:[0-9a-f]{64}$`));
    const progress = db.prepare('SELECT closed FROM progress WHERE run_id = ? ORDER BY rowid').all(result.runId) as { closed: number }[];
    expect(progress.at(-1)!.closed).toBe(closed);
    db.close();
  });

  it('a Raft run: one record per acknowledged command, and its leaders and faults in the timeline', async () => {
    const store = tmp();
    const { result, db } = await recorded(example('raft-deployment.yml'), { store, storeDetail: 1_000_000 });
    const ok = db.prepare("SELECT count(*) AS n FROM decisions WHERE run_id = ? AND outcome = 'ok'").get(result.runId) as { n: number };
    expect(ok.n).toBe(result.decisions.decided);
    const kinds = Object.fromEntries(
      (db.prepare('SELECT kind, count(*) AS n FROM events WHERE run_id = ? GROUP BY kind').all(result.runId) as { kind: string; n: number }[]).map((k) => [
        k.kind,
        k.n,
      ]),
    );
    const leaders = result.raft.leaders.length;
    expect(kinds.leader).toBeGreaterThanOrEqual(leaders);
    expect(kinds.fault).toBeGreaterThan(0);
    db.close();
  });

  it('a threads-mode PBFT run: every request the client accepted', async () => {
    const store = tmp();
    const dir = mkdtempSync(join(tmpdir(), 'conclave-pbft-'));
    const scenario = join(dir, 'pbft.yml');
    writeFileSync(
      scenario,
      'name: pbft-small\nagents: [{ role: replica, count: 4 }]\nconsensus: { algorithm: byzantine_tolerant }\ntask: { decisions: 200, in_flight: 16 }\n',
    );
    const { result, db } = await recorded(scenario, { store, mode: 'threads', workers: 2 });
    const accepted = db.prepare("SELECT count(*) AS n FROM decisions WHERE run_id = ? AND outcome = 'accepted'").get(result.runId) as { n: number };
    expect(result.mode).toBe('threads');
    expect(accepted.n).toBe(result.decisions.decided);
    expect(db.prepare('SELECT mode, status FROM runs WHERE id = ?').get(result.runId)).toEqual({ mode: 'threads', status: 'completed' });
    db.close();
  });

  it("the run's alerts and its oversight holds are in the timeline", async () => {
    const store = tmp();
    const { result, db } = await recorded(example('enterprise-policies.yml'), { store });
    const alerts = db.prepare("SELECT t, detail FROM events WHERE run_id = ? AND kind = 'alert' ORDER BY t").all(result.runId) as {
      t: number;
      detail: string;
    }[];
    expect(result.alerts.length).toBeGreaterThan(0);
    expect(alerts.map((a) => JSON.parse(a.detail).rule)).toEqual(result.alerts.map((a: { rule: string }) => a.rule));
    // Sim mode: the trace's clock starts at 0, so an alert's time is its `at`.
    expect(alerts.map((a) => a.t)).toEqual(result.alerts.map((a: { at: number }) => a.at));
    const oversight = db.prepare("SELECT detail FROM events WHERE run_id = ? AND kind = 'oversight'").all(result.runId) as { detail: string }[];
    expect(oversight.map((o) => JSON.parse(o.detail).type).sort()).toEqual(
      Array(result.oversight.requested).fill(['oversight-answered', 'oversight-requested']).flat().sort(),
    );
    db.close();
  });

  it('security.audit_signatures: false (or audit.enabled: false) keeps the chain but signs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-unsigned-'));
    for (const section of ['security: { audit_signatures: false }', 'audit: { enabled: false }']) {
      const scenario = join(dir, 'unsigned.yml');
      writeFileSync(
        scenario,
        `name: unsigned\nagents: [{ role: analyst, count: 3, accuracy: 0.8 }]\nconsensus: { algorithm: simple_majority }\n${section}\ntask: { question: q, options: [A, B], truth: A, decisions: 20 }\n`,
      );
      const store = tmp();
      const { result, db } = await recorded(scenario, { store });
      expect((db.prepare('SELECT signed FROM runs WHERE id = ?').get(result.runId) as { signed: number }).signed).toBe(0);
      const c = db.prepare('SELECT count(*) AS n, count(signature) AS signed FROM checkpoints WHERE run_id = ?').get(result.runId);
      expect(c).toEqual({ n: expect.any(Number), signed: 0 });
      expect((db.prepare('SELECT count(*) AS n FROM decisions WHERE run_id = ?').get(result.runId) as { n: number }).n).toBe(20);
      db.close();
    }
  });

  it('by default the first 1,000 decisions are stored one by one and the rest counted in aggregates; an audit: section stores every one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-detail-'));
    const scenario = join(dir, 'long.yml');
    const text =
      'name: long\nagents: [{ role: analyst, count: 3, accuracy: 0.8 }]\nconsensus: { algorithm: simple_majority }\ntask: { question: q, options: [A, B], truth: A, decisions: 1500, in_flight: 8 }\n';
    const votes: number[] = [];
    for (const [extra, rows] of [
      ['', 1000],
      ['audit: { enabled: true }\n', 1500],
    ] as const) {
      writeFileSync(scenario, text + extra);
      const store = tmp();
      const { result, db } = await recorded(scenario, { store });
      const stored = (db.prepare('SELECT count(*) AS n FROM decisions WHERE run_id = ?').get(result.runId) as { n: number }).n;
      const aggregated = (db.prepare('SELECT coalesce(sum(closed), 0) AS n FROM aggregates WHERE run_id = ?').get(result.runId) as { n: number }).n;
      expect([extra, stored, stored + aggregated]).toEqual([extra, rows, 1500]);
      votes.push((db.prepare('SELECT votes FROM progress WHERE run_id = ? ORDER BY rowid DESC LIMIT 1').get(result.runId) as { votes: number }).votes);
      db.close();
    }
    // Votes past the limit are counted all the same (what monitor shows arriving): as many as when every one is kept.
    expect(votes[0]).toBeGreaterThan(3000);
    expect(votes[0]).toBe(votes[1]);
  });

  it('past the detail limit, decisions go into aggregates that still count every one', async () => {
    const store = tmp();
    const { result, db } = await recorded(example('db-choice.yml'), { store, storeDetail: 50 });
    const closed = result.decisions.decided + result.decisions.noConsensus;
    const rows = (db.prepare('SELECT count(*) AS n FROM decisions WHERE run_id = ?').get(result.runId) as { n: number }).n;
    const aggregated = (db.prepare('SELECT sum(closed) AS n FROM aggregates WHERE run_id = ?').get(result.runId) as { n: number }).n;
    expect(rows).toBe(50);
    expect(rows + aggregated).toBe(closed);
    expect((db.prepare('SELECT detail_limit FROM runs WHERE id = ?').get(result.runId) as { detail_limit: number }).detail_limit).toBe(50);
    db.close();
  });

  it('without a store path, nothing is recorded and the JSON has no run id', async () => {
    const lines: string[] = [];
    await runCommand(example('db-choice.yml'), { json: true, timeline: 0 }, (l) => lines.push(l));
    expect(JSON.parse(lines.join('\n')).runId).toBeUndefined();
  });

  it('two runs writing the same store at once both land', async () => {
    const store = tmp();
    const dir = mkdtempSync(join(tmpdir(), 'conclave-two-'));
    const scenario = join(dir, 'two.yml');
    writeFileSync(
      scenario,
      'name: two\nagents: [{ role: analyst, count: 5, accuracy: 0.8 }]\nconsensus: { algorithm: simple_majority }\ntask: { question: q, options: [A, B], truth: A, decisions: 1500, in_flight: 16 }\n',
    );
    const child = (seed: number) =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [join(ROOT, 'bin/conclave.js'), 'run', scenario, '--seed', String(seed), '--store', store, '--timeline', '0', '--store-detail', '10000'],
          { stdio: 'ignore' },
        );
        p.on('error', reject);
        p.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([child(1), child(2)])).toEqual([0, 0]);
    const db = openStore(store, { readonly: true });
    const runs = db.prepare('SELECT r.seed, r.status, (SELECT count(*) FROM decisions d WHERE d.run_id = r.id) AS n FROM runs r ORDER BY r.seed').all();
    expect(runs).toEqual([
      { seed: 1, status: 'completed', n: 1500 },
      { seed: 2, status: 'completed', n: 1500 },
    ]);
    db.close();
  });
});
