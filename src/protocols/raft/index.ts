/**
 * Raft: the node and client behaviours, their wire types, the log and the state machines. The
 * package barrel (src/index.ts) re-exports what users build with.
 */
export { raftNode, raftNodeWith } from './raft-node.ts';
export { RaftNodeState } from './raft-state.ts';
export { raftClient } from './raft-client.ts';
export { RAFT_NODE, RAFT_CLIENT } from './refs.ts';
export { RAFT_KINDS, resolveRaftProps, DEFAULT_SNAPSHOT_EVERY } from './messages.ts';
export { KeyValueMachine, isKvCommand } from './kv-store.ts';
export { SessionedMachine } from './client-sessions.ts';
export {
  lastIndex,
  lastTerm,
  termAt,
  truncateFrom,
  append,
  entriesFrom,
  firstIndexOfTerm,
  lastIndexOfTerm,
  termsOf,
  logStart,
  entryAt,
  compactTo,
  resetTo,
} from './log.ts';
export { digestOf } from './snapshots.ts';

export type { RaftRole } from './raft-node.ts';
export type { RaftClientProps, RaftClientSummary } from './raft-client.ts';
export type {
  RaftProps,
  ResolvedRaftProps,
  RaftCommand,
  LogEntry,
  RequestVote,
  RequestVoteReply,
  AppendEntries,
  AppendEntriesReply,
  ClientRequest,
  ClientReply,
  PreVote,
  PreVoteReply,
  TimeoutNow,
  TransferLeadership,
  ConfigCommand,
  ChangeMembership,
  MembershipReply,
  SnapshotRecord,
  InstallSnapshot,
  InstallSnapshotReply,
} from './messages.ts';
export type { KvCommand, KvResult } from './kv-store.ts';
export type { ApplyOutcome, SessionedSnapshot } from './client-sessions.ts';
export type { StateMachine, MachineCommand } from './state-machine.ts';
export type { RaftLog } from './log.ts';
