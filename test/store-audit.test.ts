import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditExportCommand, auditVerifyCommand } from '../src/cli/audit-command.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { StoreError } from '../src/errors.ts';
import { decisionHash, genesisHash } from '../src/store/audit-chain.ts';
import { verificationKey, verifyRun, type RunAudit } from '../src/store/audit-verify.ts';
import { openStore } from '../src/store/open-store.ts';
import { resolveRun } from '../src/store/resolve-run.ts';

const example = fileURLToPath(new URL('../examples/db-choice.yml', import.meta.url));
const SQLITE3 = '/usr/bin/sqlite3';
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
// ANSI colours off, for plain assertions.
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Changes the store behind Conclave's back, as someone with the sqlite3 shell would (better-sqlite3 where the shell is absent). */
function tamper(file: string, sql: string): void {
  if (existsSync(SQLITE3)) execFileSync(SQLITE3, [file, sql]);
  else {
    const db = new Database(file);
    db.exec(sql);
    db.close();
  }
}

let recorded: string;
let runId: string;

/** A fresh copy of the recorded store (the file and its keys), to tamper with. */
function copy(): string {
  const d = mkdtempSync(join(tmpdir(), 'conclave-audit-'));
  cpSync(join(recorded, '..'), d, { recursive: true });
  return join(d, 'conclave.db');
}

function audit(file: string): RunAudit {
  const db = openStore(file, { readonly: true });
  try {
    return verifyRun(db, resolveRun(db, file, runId), verificationKey(file));
  } finally {
    db.close();
  }
}

function verifyLines(file: string, ref?: string): { code: number; text: string } {
  const lines: string[] = [];
  const code = auditVerifyCommand(ref, { store: file }, (l) => lines.push(plain(l)));
  return { code, text: lines.join('\n') };
}

const read = <T>(file: string, sql: string, ...args: unknown[]): T => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get(...args) as T;
  } finally {
    db.close();
  }
};

const decisionAt = (file: string, seq: number): string => read<{ decision: string }>(file, 'SELECT decision FROM decisions WHERE seq = ?', seq).decision;

beforeAll(async () => {
  recorded = join(mkdtempSync(join(tmpdir(), 'conclave-audit-')), 'conclave.db');
  const out: string[] = [];
  expect(await runCommand(example, { store: recorded, timeline: 0, json: true, progress: { write: () => undefined } }, (l) => out.push(l))).toBe(0);
  runId = (JSON.parse(out.join('\n')) as { runId: string }).runId;
}, 60_000);

describe('conclave audit verify', () => {
  it('finds a recorded run intact: its decisions, its checkpoints and the key that signed them', () => {
    const { code, text } = verifyLines(recorded, 'last');
    expect(code).toBe(0);
    expect(text).toMatch(new RegExp(`^run ${runId}: 200 decisions, chain intact, \\d+ checkpoints signed by key [0-9a-f]{16}$`));
    const a = audit(recorded);
    expect(a.status).toBe('intact');
    expect(a.signatures).toBe(a.checkpoints);
  });

  it("names a vote changed inside a decision's ballots: the row, its decision, the content check", () => {
    const file = copy();
    const { seq, decision } = read<{ seq: number; decision: string }>(
      file,
      `SELECT seq, decision FROM decisions WHERE run_id = ? AND ballots LIKE '%"MongoDB"%' ORDER BY seq LIMIT 1`,
      runId,
    );
    tamper(file, `UPDATE decisions SET ballots = replace(ballots, '"MongoDB"', '"PostgreSQL"') WHERE seq = ${seq}`);
    const a = audit(file);
    expect(a.status).toBe('tampered');
    expect(a.findings[0]).toMatchObject({ kind: 'edited', seq, decision });
    expect(a.findings).toHaveLength(1);
    const { code, text } = verifyLines(file, runId);
    expect(code).toBe(1);
    expect(text).toContain(
      `TAMPERED: seq ${seq} (decision ${decision}) was edited: its content (value, votes or another field) no longer hashes to its stored hash`,
    );
  });

  it('names an edited value', () => {
    const file = copy();
    tamper(file, "UPDATE decisions SET value = 'DynamoDB' WHERE seq = 50");
    expect(audit(file).findings[0]).toMatchObject({ kind: 'edited', seq: 50, decision: decisionAt(file, 50) });
  });

  it('names a deleted row: the missing seq and the row after the gap', () => {
    const file = copy();
    tamper(file, 'DELETE FROM decisions WHERE seq = 60');
    const a = audit(file);
    expect(a.findings[0]).toMatchObject({ kind: 'deleted', seq: 60 });
    expect(a.findings[0]!.text).toBe(`seq 60 missing: deleted (the row after the gap is seq 61 (decision ${decisionAt(file, 61)}))`);
  });

  it('names the last row deleted (no gap to see: the checkpoint lists it)', () => {
    const file = copy();
    tamper(file, 'DELETE FROM decisions WHERE seq = 200');
    expect(audit(file).findings[0]).toMatchObject({ kind: 'deleted', seq: 200 });
  });

  it('names two rows whose seqs were swapped as reordered', () => {
    const file = copy();
    tamper(file, 'UPDATE decisions SET seq = -1 WHERE seq = 70; UPDATE decisions SET seq = 70 WHERE seq = 71; UPDATE decisions SET seq = 71 WHERE seq = -1;');
    const a = audit(file);
    expect(a.findings[0]).toMatchObject({ kind: 'reordered', seq: 70 });
    expect(a.findings[0]!.text).toBe(`seq 70 (decision ${decisionAt(file, 70)}) is the row signed as seq 71: rows were reordered or renumbered`);
    expect(a.findings[1]).toMatchObject({ kind: 'reordered', seq: 71 });
  });

  it('names an edited row whose chain was recomputed without the key: its hash is not the one its checkpoint lists', () => {
    const file = copy();
    const rows = recompute(file, 80);
    tamper(file, rows);
    const a = audit(file);
    const d = decisionAt(file, 80);
    expect(a.findings[0]).toMatchObject({ kind: 'recomputed', seq: 80, decision: d });
    expect(a.findings[0]!.text).toMatch(
      new RegExp(
        `^seq 80 \\(decision ${d}\\): its hash is not the one checkpoint upto \\d+ lists: the row was changed and its chain recomputed without the key$`,
      ),
    );
  });

  it("and when the checkpoints' lists were rewritten too, names the checkpoint whose signature fails and the seqs it covers", () => {
    const file = copy();
    tamper(file, recompute(file, 80, true));
    const a = audit(file);
    expect(a.findings[0]).toMatchObject({ kind: 'signature' });
    const m =
      /^checkpoint upto \d+ \(seq (\d+)\.\.(\d+)\): the signature does not verify with key [0-9a-f]{16}, so what it lists was rewritten by someone without the key; the tampered row is within these seqs$/.exec(
        a.findings[0]!.text,
      );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(80);
    expect(Number(m![2])).toBeGreaterThanOrEqual(80);
  });

  it('names an edited result', () => {
    const file = copy();
    tamper(file, `UPDATE runs SET result = replace(result, '"quality"', '"Quality"') WHERE id = '${runId}'`);
    const a = audit(file);
    expect(a.findings.map((f) => f.kind)).toEqual(['result']);
    expect(verifyLines(file, runId).text).toContain(
      "TAMPERED: the run's result was edited: runs.result no longer matches the hash the final checkpoint signed",
    );
  });

  it('names a checkpoint whose signature was stripped in a signed run', () => {
    const file = copy();
    tamper(file, `UPDATE checkpoints SET signature = NULL WHERE upto = (SELECT min(upto) FROM checkpoints WHERE run_id = '${runId}')`);
    expect(audit(file).findings[0]).toMatchObject({ kind: 'unsigned', seq: 1 });
  });

  it('without the key file says the signatures were not checked, still checks the chain, and does not pass the run', () => {
    const file = copy();
    renameSync(join(file, '..', 'keys'), join(file, '..', 'keys-away'));
    const intact = verifyLines(file, runId);
    expect(intact.code).toBe(1);
    expect(intact.text).toMatch(
      /200 decisions, chain intact, but the signatures of its \d+ checkpoints were NOT checked: the key file .*audit-ed25519\.pem is missing/,
    );
    tamper(file, "UPDATE decisions SET value = 'DynamoDB' WHERE seq = 5");
    expect(audit(file).findings[0]).toMatchObject({ kind: 'edited', seq: 5 });
  });

  it('refuses an unknown run, an ambiguous prefix and a missing store by name (exit code 2 at the command line)', async () => {
    const file = copy();
    expect(() => auditVerifyCommand('nope', { store: file }, () => undefined)).toThrow(/has no run "nope": it holds \d+ runs?, the most recent /);
    expect(() => auditVerifyCommand(undefined, { store: join(file, '..', 'absent.db') }, () => undefined)).toThrow(/absent\.db: does not exist/);
    await runCommand(example, { store: file, timeline: 0, json: true, progress: { write: () => undefined } }, () => undefined);
    expect(() => auditVerifyCommand('2', { store: file }, () => undefined)).toThrow(StoreError);
    expect(() => auditVerifyCommand('2', { store: file }, () => undefined)).toThrow(/run "2" is ambiguous: \d+ run ids begin with it: /);
    // At the command line: bad flags and bad input exit 2, like every bad input.
    for (const args of [
      ['audit', 'verify', '--bogus'],
      ['audit', 'verify', 'nope', '--store', file],
      ['audit', 'export', 'last', '--format', 'xml', '--store', file],
    ]) {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
    }
    // Every run: both intact.
    const all = verifyLines(file);
    expect(all.code).toBe(0);
    expect(all.text).toMatch(/2 runs, all intact$/);
  }, 90_000);
});

describe('conclave audit export', () => {
  it('JSON lines: every decision with its votes and hashes, and every checkpoint, re-verifiable with node:crypto alone', async () => {
    const lines: string[] = [];
    expect(await auditExportCommand(runId.slice(0, 17), { store: recorded, format: 'jsonl' }, (l) => lines.push(l))).toBe(0);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const head = records[0]!;
    expect(head.record).toBe('run');
    const decisions = records.filter((r) => r.record === 'decision');
    const checkpoints = records.filter((r) => r.record === 'checkpoint');
    expect(decisions).toHaveLength(200);
    // An auditor's own re-verification, from the export and the recipe it states.
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    let prev = sha(`conclave-audit:${runId}`);
    for (const d of decisions) {
      expect(d.prev_hash).toBe(prev);
      expect(
        sha(
          `${prev}\n${JSON.stringify([runId, d.seq, d.decision, d.t, d.opened_t, d.latency_ms, d.outcome, d.value, d.strength, d.votes, d.of, d.algorithm, d.detail, d.ballots])}`,
        ),
      ).toBe(d.hash);
      prev = d.hash as string;
    }
    expect(JSON.parse(decisions[0]!.ballots as string)).toHaveLength(5);
    const pub = createPublicKey(head.public_key as string);
    for (const c of checkpoints) {
      expect(verify(null, Buffer.from(`conclave-checkpoint\n${runId}\n${c.upto}\n${c.hashes}`), pub, Buffer.from(c.signature as string, 'hex'))).toBe(true);
    }
    expect(checkpoints.at(-1)!.hashes).toBe(`head:${prev} result:${sha(head.result as string)}`);
  });

  it('CSV: a header, one line per decision and checkpoint, quoted where needed, and the hashes recompute from the fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-export-'));
    const file = join(dir, 'audit.csv');
    const info: string[] = [];
    expect(
      await auditExportCommand(
        'last',
        { store: recorded, format: 'csv', output: file },
        () => undefined,
        (l) => info.push(l),
      ),
    ).toBe(0);
    expect(info[0]).toMatch(/^wrote 200 decisions and \d+ checkpoints of run .* to .*audit\.csv \(csv\)$/);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    const [header, ...body] = rows;
    expect(header!.slice(0, 4)).toEqual(['record', 'run_id', 'seq', 'decision']);
    const col = (name: string) => header!.indexOf(name);
    const decisions = body.filter((r) => r[0] === 'decision');
    expect(decisions).toHaveLength(200);
    expect(body.filter((r) => r[0] === 'checkpoint').length).toBeGreaterThan(1);
    const num = (s: string) => (s === '' ? null : Number(s));
    const str = (s: string) => (s === '' ? null : s);
    const first = decisions[0]!;
    expect(
      decisionHash(runId, genesisHash(runId), {
        seq: Number(first[col('seq')]),
        decision: first[col('decision')]!,
        t: num(first[col('t')]!)!,
        openedT: num(first[col('opened_t')]!),
        latencyMs: num(first[col('latency_ms')]!),
        outcome: first[col('outcome')]!,
        value: str(first[col('value')]!),
        strength: num(first[col('strength')]!),
        votes: num(first[col('votes')]!),
        of: num(first[col('of')]!),
        algorithm: str(first[col('algorithm')]!),
        detail: str(first[col('detail')]!),
        ballots: str(first[col('ballots')]!),
      }),
    ).toBe(first[col('hash')]);
  });

  it('refuses an unknown format by name', async () => {
    await expect(auditExportCommand('last', { store: recorded, format: 'xml' }, () => undefined)).rejects.toThrow(
      /"--format": expected "jsonl" or "csv", got "xml"/,
    );
  });
});

/** SQL that edits row `from`'s value and recomputes the chain from there on, as someone without the key could (and, with `lists`, the checkpoints' hash lists too). */
function recompute(file: string, from: number, lists = false): string {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT * FROM decisions WHERE run_id = ? ORDER BY seq').all(runId) as Record<string, never>[];
  const cps = db.prepare('SELECT upto, hashes FROM checkpoints WHERE run_id = ? ORDER BY upto').all(runId) as { upto: number; hashes: string }[];
  db.close();
  const sql: string[] = [];
  const rename = new Map<string, string>();
  let prev = genesisHash(runId);
  for (const r of rows) {
    const row = r as unknown as Record<string, string | number | null>;
    if ((row.seq as number) < from) {
      prev = row.hash as string;
      continue;
    }
    const value = row.seq === from ? 'DynamoDB' : row.value;
    const hash = decisionHash(runId, prev, {
      seq: row.seq as number,
      decision: row.decision as string,
      t: row.t as number,
      openedT: row.opened_t as number | null,
      latencyMs: row.latency_ms as number | null,
      outcome: row.outcome as string,
      value: value as string | null,
      strength: row.strength as number | null,
      votes: row.votes as number | null,
      of: row.of as number | null,
      algorithm: row.algorithm as string | null,
      detail: row.detail as string | null,
      ballots: row.ballots as string | null,
    });
    rename.set(row.hash as string, hash);
    sql.push(
      `UPDATE decisions SET value = ${value === null ? 'NULL' : `'${value}'`}, prev_hash = '${prev}', hash = '${hash}' WHERE run_id = '${runId}' AND seq = ${row.seq};`,
    );
    prev = hash;
  }
  if (lists) {
    for (const c of cps) {
      const hashes = c.hashes
        .split(' ')
        .map((h) => (h.startsWith('head:') ? `head:${prev}` : (rename.get(h) ?? h)))
        .join(' ');
      sql.push(`UPDATE checkpoints SET hashes = '${hashes}' WHERE run_id = '${runId}' AND upto = ${c.upto};`);
    }
  }
  return sql.join('\n');
}

/** A small RFC 4180 reader: quoted fields, doubled quotes, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
