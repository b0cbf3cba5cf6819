import { join } from 'node:path';
import { checkpointSigned, decisionHash, genesisHash, resultHash } from './audit-chain.ts';
import { auditKey, keyDir, type AuditKey } from './audit-keys.ts';
import type { StoreDb } from './open-store.ts';
import type { RunRow } from './resolve-run.ts';
import { processAlive } from './run-watch.ts';

/**
 * What tampering with a run's records looks like, one kind per way a record can be changed
 * behind Conclave's back:
 * - `edited`: a row's content no longer hashes to its stored hash;
 * - `recomputed`: a row hashes to its stored hash, but that is not the hash its signed checkpoint
 *   lists (the row was changed and its chain recomputed by someone without the key);
 * - `deleted`: a seq is missing (a gap, or rows a checkpoint lists are not in the store);
 * - `reordered`: a row carries the hash signed for another seq (rows swapped or renumbered);
 * - `link`: a row's `prev_hash` is not the previous row's hash;
 * - `uncovered`: a row no checkpoint lists (added, or its checkpoint deleted);
 * - `signature`: a checkpoint whose signature does not verify (its listed hashes rewritten);
 * - `unsigned`: a checkpoint without a signature in a run recorded signed (or the reverse);
 * - `key`: checkpoints signed by another key than the store's;
 * - `head`: the final checkpoint's chain head is not the last row's hash;
 * - `result`: the run's result no longer matches the hash its final checkpoint signed;
 * - `final`: the final checkpoint is missing from a run that ended (or present in one marked running).
 */
export type TamperKind =
  | 'edited'
  | 'recomputed'
  | 'deleted'
  | 'reordered'
  | 'link'
  | 'uncovered'
  | 'signature'
  | 'unsigned'
  | 'key'
  | 'head'
  | 'result'
  | 'final';

/** One finding of {@link verifyRun}: what was changed, where, and the check that caught it. */
export interface TamperFinding {
  readonly kind: TamperKind;
  /** The decision seq it concerns (the first of a range), when it concerns one. */
  readonly seq?: number;
  /** The decision id stored at that seq, when there is a row. */
  readonly decision?: string;
  /** The checkpoint (its `upto`) involved, when one is. */
  readonly checkpoint?: number;
  /** One sentence for people: what, where, which check. */
  readonly text: string;
}

/** The verdict on one run: intact, tampered (with every finding, first one first), or unverified (the chain holds but the signatures could not be checked). */
export interface RunAudit {
  readonly runId: string;
  readonly status: 'intact' | 'tampered' | 'unverified';
  readonly runStatus: string;
  /** A run still marked running whose process is gone from this host (killed): what it stored is all there is. */
  readonly processGone: boolean;
  /** Decision rows chained and checked. */
  readonly decisions: number;
  /** Decisions past the run's detail limit, kept in aggregates (not chained). */
  readonly aggregated: number;
  readonly checkpoints: number;
  /** Checkpoints whose signature was verified. */
  readonly signatures: number;
  readonly signed: boolean;
  /** The key ids the checkpoints name. */
  readonly keyIds: readonly string[];
  /** Why the signatures could not be checked, when they could not. */
  readonly unchecked?: string;
  /** Sorted by position: the first is the first tampered record. */
  readonly findings: readonly TamperFinding[];
}

interface DecisionRow {
  seq: number;
  decision: string;
  t: number;
  opened_t: number | null;
  latency_ms: number | null;
  outcome: string;
  value: string | null;
  strength: number | null;
  votes: number | null;
  of: number | null;
  algorithm: string | null;
  detail: string | null;
  ballots: string | null;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  upto: number;
  hashes: string;
  signature: string | null;
  key_id: string | null;
}

/** Where a finding sorts: its seq; run-level findings after every row. */
const position = (f: TamperFinding): number => f.seq ?? f.checkpoint ?? Number.MAX_SAFE_INTEGER;

const range = (a: number, b: number): string => (a === b ? `seq ${a}` : `seq ${a}..${b}`);

/**
 * The store's audit key for checking signatures, or why there is none (missing file, unreadable).
 *
 * @example
 * ```ts
 * const { key, why } = verificationKey('.conclave/conclave.db');
 * ```
 */
export function verificationKey(storeFile: string): { key?: AuditKey; why?: string } {
  try {
    const key = auditKey(storeFile, { create: false });
    return key ? { key } : { why: `the key file ${join(keyDir(storeFile), 'audit-ed25519.pem')} is missing` };
  } catch (e) {
    return { why: (e as Error).message };
  }
}

/**
 * Checks one run's records against its audit chain: every row's hash recomputed from its
 * content (votes included) and the previous row's hash, seqs without gaps, every checkpoint's
 * Ed25519 signature and the hashes it lists, and the final checkpoint's chain head and result
 * hash. Finds an edit, a deletion, a reordering, a chain recomputed without the key and an edited
 * result, and names the first tampered record. Without the key file, the chain is still checked
 * and the verdict says the signatures were not (`unverified`).
 *
 * @example
 * ```ts
 * const db = openStore(file, { readonly: true });
 * const audit = verifyRun(db, resolveRun(db, file, 'last'), verificationKey(file));
 * if (audit.status === 'tampered') console.log(audit.findings[0]!.text);
 * ```
 */
export function verifyRun(db: StoreDb, run: RunRow, keyInfo: { key?: AuditKey; why?: string }): RunAudit {
  // One read transaction: a run still writing adds rows and checkpoints between two queries otherwise.
  return db.transaction(() => verifyInSnapshot(db, run, keyInfo))();
}

function verifyInSnapshot(db: StoreDb, run: RunRow, keyInfo: { key?: AuditKey; why?: string }): RunAudit {
  const runId = run.id;
  const findings: TamperFinding[] = [];
  const signed = run.signed === 1;
  const { key } = keyInfo;

  // Checkpoints first: the hash each seq was signed with, and the final head and result hash.
  const cps = db.prepare('SELECT upto, hashes, signature, key_id FROM checkpoints WHERE run_id = ? ORDER BY upto').all(runId) as CheckpointRow[];
  const signedHash = new Map<number, { hash: string; upto: number }>();
  const seqOfHash = new Map<string, number>();
  let final: { upto: number; head: string; result: string } | undefined;
  let signatures = 0;
  let unchecked: string | undefined;
  const keyIds = new Set<string>();
  let keyMismatch = false;
  for (const cp of cps) {
    const isFinal = !Number.isInteger(cp.upto);
    const list = isFinal ? [] : cp.hashes.split(' ').filter((h) => h !== '');
    const first = isFinal ? Math.ceil(cp.upto) : cp.upto - list.length + 1;
    const where = isFinal ? `the final checkpoint (upto ${cp.upto})` : `checkpoint upto ${cp.upto} (${range(first, cp.upto)})`;
    if (cp.key_id) keyIds.add(cp.key_id);
    if (cp.signature === null) {
      if (signed)
        findings.push({
          kind: 'unsigned',
          seq: first,
          checkpoint: cp.upto,
          text: `${where} has no signature, but the run was recorded signed: the checkpoint was inserted or its signature stripped`,
        });
    } else if (!signed) {
      findings.push({
        kind: 'unsigned',
        seq: first,
        checkpoint: cp.upto,
        text: `${where} carries a signature, but the run says it was recorded unsigned: runs.signed was edited`,
      });
    } else if (key === undefined) {
      unchecked = keyInfo.why ?? 'no key';
    } else if (cp.key_id !== null && cp.key_id !== key.id) {
      if (!keyMismatch)
        findings.push({
          kind: 'key',
          seq: first,
          checkpoint: cp.upto,
          text: `${where} was signed by key ${cp.key_id}, but this store's key is ${key.id}: the checkpoints cannot be verified with it (the key was replaced, or the rows come from another store)`,
        });
      keyMismatch = true;
    } else if (!safeVerify(key, runId, cp)) {
      findings.push({
        kind: 'signature',
        seq: first,
        checkpoint: cp.upto,
        text: `${where}: the signature does not verify with key ${key.id}, so what it lists was rewritten by someone without the key${isFinal ? ' (the chain head or the result hash)' : '; the tampered row is within these seqs'}`,
      });
    } else signatures++;
    if (isFinal) {
      const m = /^head:([0-9a-f]+) result:([0-9a-f]+)$/.exec(cp.hashes);
      if (m) final = { upto: cp.upto, head: m[1]!, result: m[2]! };
      else findings.push({ kind: 'final', checkpoint: cp.upto, text: `${where} does not hold "head:<hash> result:<hash>": it was edited` });
      continue;
    }
    list.forEach((hash, i) => {
      signedHash.set(first + i, { hash, upto: cp.upto });
      seqOfHash.set(hash, first + i);
    });
  }

  // The rows, in seq order: each one's hash recomputed, linked to the one before, and compared with what its checkpoint lists.
  const rows = db
    .prepare(
      'SELECT seq, decision, t, opened_t, latency_ms, outcome, value, strength, votes, of, algorithm, detail, ballots, prev_hash, hash FROM decisions WHERE run_id = ? ORDER BY seq',
    )
    .iterate(runId) as IterableIterator<DecisionRow>;
  let expected = 1;
  let prevStored = genesisHash(runId);
  let count = 0;
  for (const r of rows) {
    count++;
    const at = `seq ${r.seq} (decision ${r.decision})`;
    let afterGap = false;
    if (r.seq > expected) {
      findings.push({
        kind: 'deleted',
        seq: expected,
        decision: r.decision,
        text: `${range(expected, r.seq - 1)} missing: deleted (the row after the gap is ${at})`,
      });
      afterGap = true;
    }
    const signedAt = signedHash.get(r.seq);
    const elsewhere = seqOfHash.get(r.hash);
    const recomputed = decisionHash(runId, r.prev_hash, {
      seq: r.seq,
      decision: r.decision,
      t: r.t,
      openedT: r.opened_t,
      latencyMs: r.latency_ms,
      outcome: r.outcome,
      value: r.value,
      strength: r.strength,
      votes: r.votes,
      of: r.of,
      algorithm: r.algorithm,
      detail: r.detail,
      ballots: r.ballots,
    });
    if (elsewhere !== undefined && elsewhere !== r.seq) {
      findings.push({
        kind: 'reordered',
        seq: r.seq,
        decision: r.decision,
        text: `${at} is the row signed as seq ${elsewhere}: rows were reordered or renumbered`,
      });
    } else if (recomputed !== r.hash) {
      findings.push({
        kind: 'edited',
        seq: r.seq,
        decision: r.decision,
        text: `${at} was edited: its content (value, votes or another field) no longer hashes to its stored hash`,
      });
    } else if (!afterGap && r.prev_hash !== prevStored) {
      findings.push({
        kind: 'link',
        seq: r.seq,
        decision: r.decision,
        text: `${at}: its prev_hash is not the hash of ${r.seq === 1 ? "the chain's start" : `seq ${r.seq - 1}`}: the chain was cut or spliced here`,
      });
    } else if (signedAt === undefined) {
      findings.push({ kind: 'uncovered', seq: r.seq, decision: r.decision, text: `${at} is listed by no checkpoint: it was added, or its checkpoint deleted` });
    } else if (signedAt.hash !== r.hash) {
      findings.push({
        kind: 'recomputed',
        seq: r.seq,
        decision: r.decision,
        checkpoint: signedAt.upto,
        text: `${at}: its hash is not the one checkpoint upto ${signedAt.upto} lists: the row was changed and its chain recomputed without the key`,
      });
    }
    prevStored = r.hash;
    expected = r.seq + 1;
  }
  const lastSeq = expected - 1;
  const listedBeyond = [...signedHash.keys()].filter((s) => s > lastSeq);
  if (listedBeyond.length > 0) {
    const hi = Math.max(...listedBeyond);
    findings.push({
      kind: 'deleted',
      seq: lastSeq + 1,
      checkpoint: signedHash.get(hi)!.upto,
      text: `${range(lastSeq + 1, hi)} missing: listed by checkpoint upto ${signedHash.get(hi)!.upto} but not in the store (deleted)`,
    });
  }
  if (run.status === 'running') {
    if (final)
      findings.push({
        kind: 'final',
        checkpoint: final.upto,
        text: `the run says it is still running, but its final checkpoint is there: runs.status was edited`,
      });
  } else if (!final) {
    if (!findings.some((f) => f.kind === 'final'))
      findings.push({ kind: 'final', text: `the run ended (${run.status}) but its final checkpoint (chain head and result hash) is missing: it was deleted` });
  } else {
    if (final.head !== prevStored)
      findings.push({
        kind: 'head',
        checkpoint: final.upto,
        text: `the chain's head (${lastSeq === 0 ? 'no row' : `seq ${lastSeq}`}) is not the head the final checkpoint signed (after seq ${final.upto - 0.5}): rows at the end were deleted, added or recomputed`,
      });
    if (final.result !== resultHash(run.result ?? ''))
      findings.push({
        kind: 'result',
        checkpoint: final.upto,
        text: `the run's result was edited: runs.result no longer matches the hash the final checkpoint signed`,
      });
  }
  findings.sort((a, b) => position(a) - position(b));
  const aggregated = (db.prepare('SELECT coalesce(sum(closed), 0) AS n FROM aggregates WHERE run_id = ?').get(runId) as { n: number }).n;
  const status = findings.length > 0 ? 'tampered' : signed && unchecked !== undefined ? 'unverified' : 'intact';
  return {
    runId,
    status,
    runStatus: run.status,
    processGone: run.status === 'running' && processAlive(run.pid, run.host) === 'no',
    decisions: count,
    aggregated,
    checkpoints: cps.length,
    signatures,
    signed,
    keyIds: [...keyIds],
    unchecked,
    findings,
  };
}

function safeVerify(key: AuditKey, runId: string, cp: CheckpointRow): boolean {
  try {
    return checkpointSigned(key.publicKey, runId, cp.upto, cp.hashes, cp.signature!);
  } catch {
    return false;
  }
}
