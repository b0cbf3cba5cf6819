/**
 * PBFT: the replica and client behaviours, their wire types and the replicated ledger. The
 * package barrel (src/index.ts) re-exports what users build with.
 */
export { pbftReplica, PbftReplicaState } from './pbft-replica.ts';
export { pbftClient } from './pbft-client.ts';
export { PBFT_REPLICA, PBFT_CLIENT } from './refs.ts';
export { PBFT_KINDS, resolvePbftProps, primaryOf, batchDigest, requestKey } from './messages.ts';
export { Ledger } from './ledger.ts';

export type { PbftClientProps, PbftClientSummary } from './pbft-client.ts';
export type {
  PbftProps,
  ResolvedPbftProps,
  PbftRequest,
  PrePrepare,
  PhaseVote,
  PbftReply,
  Checkpoint,
  PreparedCert,
  ViewChange,
  NewView,
  Evidence,
} from './messages.ts';
export type { LedgerSnapshot } from './ledger.ts';
