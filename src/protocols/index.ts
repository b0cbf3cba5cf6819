/**
 * `conclave/protocols`: the consensus protocols as behaviours — voting (coordinator, voters,
 * policies, weights, ballots), Raft, PBFT and gossip — with their props and message types.
 */
export { COORDINATOR, VOTER } from './voting/refs.ts';
export { simpleMajority, supermajority, weightedVoting, byzantineSupermajority } from './voting/builtin-policies.ts';
export { tally } from './voting/tally.ts';
export { weightFor, updateWeights } from './voting/weights.ts';
export { algorithmForRisk, DEFAULT_ADAPTIVE } from './voting/adaptive.ts';
export { loadPolicyModule, registerPolicy, getPolicy, policyNames } from './voting/policy-module.ts';
export { VOTING_ALGORITHMS, checkAlgorithm } from './voting/algorithms.ts';
export { ABSTAIN } from './voting/types.ts';
export { loadOversightModule } from './voting/oversight.ts';
export { raftNode, raftNodeWith, RAFT_NODE, RAFT_CLIENT, KeyValueMachine } from './raft/index.ts';
export { pbftReplica, pbftClient, PBFT_REPLICA, PBFT_CLIENT, Ledger } from './pbft/index.ts';
export { gossipNode, gossipNodeWith, gossipClient, GOSSIP_NODE, GOSSIP_CLIENT } from './gossip/index.ts';
export { ballot, openBallot, ballotText } from './voting/vote-security.ts';
export type { OversightHook, OversightRequest, OversightAnswer, OversightCounts } from './voting/oversight.ts';
export type { PolicyClassCounts } from './voting/decision-class.ts';
export type { Proposal, Vote, Outcome, Policy, RiskLevel } from './voting/types.ts';
export type { CoordinatorProps, RunSummary, RunResume } from './voting/coordinator.ts';
export type { VoterProps } from './voting/voter.ts';
export type { BallotSecurity, VoteSecurity, SecurityRefusal } from './voting/vote-security.ts';
export type { Stage, StageStatus } from './voting/workflow.ts';
export type { RaftProps, RaftClientProps, RaftClientSummary, StateMachine, MachineCommand, KvCommand, KvResult } from './raft/index.ts';
export type { PbftProps, PbftClientProps, PbftClientSummary } from './pbft/index.ts';
export type { GossipProps, GossipClientProps, GossipClientSummary, GossipStart, GossipPush, GossipReport } from './gossip/index.ts';
