import type { ActorId } from '../../actors/envelope.ts';

/**
 * Gossip agreement's wire, typed in one place: the client opens an instance on every node
 * (`gossip-start`), nodes push the best value they have seen to random peers (`gossip-push`)
 * and report to the client once they have heard nothing new for a while (`gossip-report`).
 *
 * @example
 * ```ts
 * ctx.send('node_002', { kind: GOSSIP_KINDS.push, body: { decision: 'client:1', value: 912 } satisfies GossipPush });
 * ```
 */
export const GOSSIP_KINDS = {
  start: 'gossip-start',
  push: 'gossip-push',
  report: 'gossip-report',
  /** A node's round timer (from itself only). */
  round: 'gossip-round',
  /** The client's retry timer (from itself only). */
  retry: 'gossip-retry',
} as const;

/**
 * Client -> node: take part in `decision` (draw a value if this node has none yet). `retry`:
 * the client has not seen every node agree yet, so gossip again even if settled.
 *
 * @example
 * ```ts
 * const start: GossipStart = { decision: 'client:1', retry: false };
 * ```
 */
export interface GossipStart {
  readonly decision: string;
  readonly retry: boolean;
}

/**
 * Node -> peer: the best (largest) value the sender has seen for `decision`.
 *
 * @example
 * ```ts
 * const push: GossipPush = { decision: 'client:1', value: 912 };
 * ```
 */
export interface GossipPush {
  readonly decision: string;
  readonly value: number;
}

/**
 * Node -> client: the node settled on `value` (no new value for `quietRounds` rounds).
 *
 * @example
 * ```ts
 * const report: GossipReport = { decision: 'client:1', value: 912 };
 * ```
 */
export interface GossipReport {
  readonly decision: string;
  readonly value: number;
}

/**
 * A gossip node's props: its peers (every node; itself is skipped) and the protocol's pace.
 *
 * @example
 * ```ts
 * const props: GossipProps = { peers: ['n1', 'n2', 'n3'], fanout: 2, roundMs: 10, quietRounds: 5 };
 * ```
 */
export interface GossipProps {
  readonly peers: readonly ActorId[];
  /** Peers pushed to per round; default 2. */
  readonly fanout?: number;
  /** Ms between rounds; default 10. */
  readonly roundMs?: number;
  /** Rounds without a new value before a node settles; default 5. */
  readonly quietRounds?: number;
}

/** Defaults of GossipProps. */
export const GOSSIP_DEFAULTS = { fanout: 2, roundMs: 10, quietRounds: 5 } as const;

/** Values a node draws: integers 0 .. VALUE_RANGE - 1. */
export const VALUE_RANGE = 1000;
