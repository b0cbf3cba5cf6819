/**
 * Gossip agreement: the node and client behaviours and their wire types. The package barrel
 * (src/index.ts) re-exports what users build with.
 */
export { gossipNode, gossipNodeWith } from './gossip-node.ts';
export { gossipClient } from './gossip-client.ts';
export { GOSSIP_NODE, GOSSIP_CLIENT } from './refs.ts';
export { GOSSIP_KINDS, GOSSIP_DEFAULTS } from './messages.ts';

export type { GossipClientProps, GossipClientSummary } from './gossip-client.ts';
export type { GossipProps, GossipStart, GossipPush, GossipReport } from './messages.ts';
