/**
 * `conclave/adversary`: Byzantine actors that stand in for honest ones (voters, PBFT replicas),
 * laid by the fault library from outside the protocols.
 */
export { BYZANTINE_REPLICA, PBFT_BYZANTINE_KINDS } from './byzantine-replica.ts';
export { BYZANTINE_VOTER, BYZANTINE_KINDS } from './byzantine-voter.ts';
export type { PbftByzantineKind, ByzantineReplicaProps } from './byzantine-replica.ts';
export type { ByzantineKind, ByzantineVoterProps } from './byzantine-voter.ts';
