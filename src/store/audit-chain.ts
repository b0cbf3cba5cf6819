import { hash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The audit chain over a run's decisions: each stored decision carries the hash of its own
 * content and of the decision before it, so an edit, a deletion or a reordering made behind
 * Conclave's back breaks the chain at the first row it touched. Checkpoints list the rows'
 * hashes and are signed with the store's Ed25519 key, so that recomputing the whole chain after
 * an edit (which anyone with the sqlite3 shell can do) still fails: the signature cannot be
 * recomputed without the key.
 */

/** The fields of a decision row the chain covers, in a fixed order. */
export interface ChainedDecision {
  readonly seq: number;
  readonly decision: string;
  readonly t: number;
  readonly openedT: number | null;
  readonly latencyMs: number | null;
  readonly outcome: string;
  readonly value: string | null;
  readonly strength: number | null;
  readonly votes: number | null;
  readonly of: number | null;
  readonly algorithm: string | null;
  readonly detail: string | null;
  /** The decision's votes as stored (JSON), part of the record the chain covers. */
  readonly ballots: string | null;
}

/** One-shot SHA-256 (hex): a third cheaper per row than a createHash object, and the writer hashes every decision. */
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/** The hash a run's first decision chains to. */
export function genesisHash(runId: string): string {
  return sha256(`conclave-audit:${runId}`);
}

/**
 * A decision row's hash: its content and the previous row's hash.
 *
 * @example
 * ```ts
 * const hash = decisionHash(runId, prevHash, row);
 * ```
 */
export function decisionHash(runId: string, prevHash: string, d: ChainedDecision): string {
  return sha256(
    `${prevHash}\n${JSON.stringify([runId, d.seq, d.decision, d.t, d.openedT, d.latencyMs, d.outcome, d.value, d.strength, d.votes, d.of, d.algorithm, d.detail, d.ballots])}`,
  );
}

/** The hash of a run's final result (the last checkpoint covers it). */
export function resultHash(result: string): string {
  return sha256(result);
}

/** What a checkpoint's signature covers. */
export function checkpointText(runId: string, upto: number, hashes: string): string {
  return `conclave-checkpoint\n${runId}\n${upto}\n${hashes}`;
}

/** Signs a checkpoint with the store's private key (hex). */
export function signCheckpoint(key: KeyObject, runId: string, upto: number, hashes: string): string {
  return sign(null, Buffer.from(checkpointText(runId, upto, hashes)), key).toString('hex');
}

/** True when `signature` is the key's signature of the checkpoint. */
export function checkpointSigned(publicKey: KeyObject, runId: string, upto: number, hashes: string, signature: string): boolean {
  return verify(null, Buffer.from(checkpointText(runId, upto, hashes)), publicKey, Buffer.from(signature, 'hex'));
}
