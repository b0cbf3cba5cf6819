import type { ActorId } from '../actors/envelope.ts';
import type { SignatureScheme } from '../actors/key-ring.ts';
import type { PbftByzantineKind } from '../adversary/byzantine-replica.ts';

/**
 * What a PBFT run adds to a scenario result.
 *
 * @example
 * ```ts
 * for (const v of result.pbft!.views) console.log(`view ${v.view}: primary ${v.primary} from ${v.at} ms`);
 * ```
 */
export interface PbftFigures {
  /** Replicas and the faults they tolerate. */
  readonly n: number;
  readonly f: number;
  /** How messages were authenticated: signed with modelled tokens or Ed25519, or not signed at all. */
  readonly signatures: SignatureScheme | 'none';
  /** Each view a quorum of honest replicas installed, with its primary and when. */
  readonly views: { view: number; primary: ActorId; at: number }[];
  /**
   * For each crash of a primary: how long until a new view was installed; `recoveredMs`: how long
   * until the crashed primary itself came back, when it did before any new view (it then went on
   * as the primary of the same view).
   */
  readonly failovers: { crashed: ActorId; at: number; newPrimary: ActorId | null; ms: number | null; recoveredMs?: number }[];
  /** The replicas run Byzantine in this run, and how. */
  readonly byzantine: { agents: ActorId[]; kinds: PbftByzantineKind[] };
  /** Each replica proven Byzantine: the first proof an honest replica found (its signed messages). */
  readonly detected: { suspect: ActorId; by: ActorId; kind: string; phase: string; view: number; seq: number; at: number; evidence: unknown[] }[];
  /** Messages the honest replicas refused, by reason. */
  readonly rejected: Record<string, number>;
  /** Client resends after a request went unanswered. */
  retries: number;
}
