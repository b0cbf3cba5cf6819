import { genesisHash } from './audit-chain.ts';
import type { AuditKey } from './audit-keys.ts';
import type { StoreDb } from './open-store.ts';
import type { RunRow } from './resolve-run.ts';

/** The formats `audit export` writes. */
export type AuditExportFormat = 'jsonl' | 'csv';

/** The decision columns, in the order the chain hashes them (then the chain's own two). */
const DECISION_COLUMNS = [
  'seq',
  'decision',
  't',
  'opened_t',
  'latency_ms',
  'outcome',
  'value',
  'strength',
  'votes',
  'of',
  'algorithm',
  'detail',
  'ballots',
  'prev_hash',
  'hash',
] as const;
const CHECKPOINT_COLUMNS = ['upto', 'hashes', 'signature', 'key_id', 'at'] as const;

/** The CSV header: which record a line is, the run, then the decision columns, then the checkpoint columns. */
export const CSV_HEADER = ['record', 'run_id', ...DECISION_COLUMNS, ...CHECKPOINT_COLUMNS] as const;

/** How an auditor recomputes what the export holds, stated in the export itself. */
export const HOW_TO_VERIFY = [
  'Each decision row: hash = sha256(prev_hash + "\\n" + JSON.stringify([run_id, seq, decision, t, opened_t, latency_ms, outcome, value, strength, votes, of, algorithm, detail, ballots])), hex; fields as exported (ballots and detail are the JSON text as stored, null as null).',
  "The first row's prev_hash is genesis = sha256(\"conclave-audit:\" + run_id); each later row's prev_hash is the previous row's hash; seqs run 1, 2, 3 ... without gaps.",
  'Each checkpoint signs (Ed25519, hex) the text "conclave-checkpoint\\n" + run_id + "\\n" + upto + "\\n" + hashes with the public key given; a checkpoint with an integer upto lists the hashes of seq upto-k+1 .. upto (k = number of hashes, space-separated).',
  'The final checkpoint (upto = last seq + 0.5) holds "head:<hash of the last row> result:<sha256 of the run result text>".',
];

/** One CSV field: quoted when it holds a comma, a quote, a line break or surrounding spaces (quotes doubled); null is an empty field, an empty string `""`. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  if (s === '' || /[",\r\n]/.test(s) || s.trim() !== s) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/**
 * Writes one run's audit records, line by line, for an auditor to re-verify outside Conclave:
 * every stored decision with its votes (`ballots`, the JSON text the chain hashed), `prev_hash`
 * and `hash`, then every checkpoint with its signature. JSON lines start with a `run` record (the
 * genesis hash, the run's result text, the public key in PEM and how to verify); CSV has a header
 * and one line per decision or checkpoint (`record` says which), RFC 4180 quoting. Numbers are
 * written as JavaScript prints them, which reads back to the same double.
 *
 * @example
 * ```ts
 * exportRunAudit(db, run, 'csv', key, (line) => stream.write(`${line}\n`));
 * ```
 */
export function exportRunAudit(
  db: StoreDb,
  run: RunRow,
  format: AuditExportFormat,
  key: AuditKey | undefined,
  write: (line: string) => void,
): { decisions: number; checkpoints: number } {
  // One read transaction: a run still writing would otherwise add rows between the two queries.
  return db.transaction(() => exportInSnapshot(db, run, format, key, write))();
}

function exportInSnapshot(
  db: StoreDb,
  run: RunRow,
  format: AuditExportFormat,
  key: AuditKey | undefined,
  write: (line: string) => void,
): { decisions: number; checkpoints: number } {
  const decisions = db.prepare(`SELECT ${DECISION_COLUMNS.join(', ')} FROM decisions WHERE run_id = ? ORDER BY seq`).iterate(run.id) as IterableIterator<
    Record<string, unknown>
  >;
  const checkpoints = db.prepare(`SELECT ${CHECKPOINT_COLUMNS.join(', ')} FROM checkpoints WHERE run_id = ? ORDER BY upto`).all(run.id) as Record<
    string,
    unknown
  >[];
  let n = 0;
  if (format === 'jsonl') {
    write(
      JSON.stringify({
        record: 'run',
        run_id: run.id,
        name: run.name,
        status: run.status,
        protocol: run.protocol,
        signed: run.signed === 1,
        genesis: genesisHash(run.id),
        result: run.result,
        public_key: key ? key.publicKey.export({ type: 'spki', format: 'pem' }).toString() : null,
        key_id: key?.id ?? null,
        how_to_verify: HOW_TO_VERIFY,
      }),
    );
    for (const d of decisions) {
      n++;
      write(JSON.stringify({ record: 'decision', run_id: run.id, ...d }));
    }
    for (const c of checkpoints) write(JSON.stringify({ record: 'checkpoint', run_id: run.id, ...c }));
  } else {
    write(CSV_HEADER.join(','));
    const blankCheckpoint = CHECKPOINT_COLUMNS.map(() => '');
    const blankDecision = DECISION_COLUMNS.map(() => '');
    for (const d of decisions) {
      n++;
      write(['decision', csvField(run.id), ...DECISION_COLUMNS.map((c) => csvField(d[c])), ...blankCheckpoint].join(','));
    }
    for (const c of checkpoints) write(['checkpoint', csvField(run.id), ...blankDecision, ...CHECKPOINT_COLUMNS.map((k) => csvField(c[k]))].join(','));
  }
  return { decisions: n, checkpoints: checkpoints.length };
}
