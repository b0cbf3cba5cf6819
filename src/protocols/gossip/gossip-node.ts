import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import { GOSSIP_DEFAULTS, GOSSIP_KINDS, VALUE_RANGE, type GossipProps, type GossipPush, type GossipReport, type GossipStart } from './messages.ts';

/** One instance as a node sees it. */
interface Instance {
  value: number;
  /** Rounds in a row without a new value. */
  quiet: number;
  /** A new value arrived since the last round. */
  fresh: boolean;
  settled: boolean;
  /** The round timer is armed. */
  ticking: boolean;
  /** Who to report to: the sender of the latest `gossip-start` (unknown when a push came first). */
  client: ActorId | undefined;
}

/** A node's books: a class, updated in place (a class instance is never drafted). */
class GossipNodeState {
  readonly instances = new Map<string, Instance>();
  /**
   * The peers but this node, in the order the last round's draw left them: each round draws its
   * `fanout` from the front by a partial Fisher-Yates shuffle, which picks a uniformly random
   * subset from any order, so a round costs O(fanout), not a copy of the whole peer list.
   */
  readonly others: ActorId[];
  constructor(
    readonly peers: readonly ActorId[],
    self: ActorId,
    readonly fanout: number,
    readonly roundMs: number,
    readonly quietRounds: number,
  ) {
    this.others = peers.filter((p) => p !== self);
  }
}

type Ctx = ActorContext<GossipProps>;

/**
 * Builds a gossip-agreement node whose merge rule is `merge` (default `Math.max`: every node
 * ends with the largest value any node started with). Another rule is a different protocol,
 * or a planted bug the checkers must catch (`gossipNodeWith(Math.min)` breaks validity).
 *
 * @example
 * ```ts
 * export const minNode = gossipNodeWith(Math.min); // in a module of yours; consensus.implementation names it
 * ```
 */
export function gossipNodeWith(merge: (a: number, b: number) => number = Math.max): Behaviour<GossipNodeState, GossipProps> {
  /** The instance of `decision`, from the durable store after a restart, or new with a drawn value (`gossip-init`). */
  const instance = (s: GossipNodeState, decision: string, ctx: Ctx): Instance => {
    let i = s.instances.get(decision);
    if (i !== undefined) return i;
    const kept = ctx.durable.get<number>(`value:${decision}`);
    const value = kept ?? Math.floor(ctx.random() * VALUE_RANGE);
    if (kept === undefined) {
      ctx.durable.set(`value:${decision}`, value);
      ctx.emit({ type: 'gossip-init', decision, value });
    }
    s.instances.set(decision, (i = { value, quiet: 0, fresh: true, settled: false, ticking: false, client: undefined }));
    return i;
  };

  /** Arms the round timer unless armed or settled. */
  const arm = (s: GossipNodeState, decision: string, i: Instance, ctx: Ctx): void => {
    if (i.ticking || i.settled) return;
    i.ticking = true;
    ctx.setTimer(`round:${decision}`, s.roundMs, { kind: GOSSIP_KINDS.round, body: decision });
  };

  /** Gossips again: no longer settled, the quiet count from zero. */
  const resume = (s: GossipNodeState, decision: string, i: Instance, ctx: Ctx): void => {
    i.settled = false;
    i.quiet = 0;
    arm(s, decision, i, ctx);
  };

  const report = (decision: string, i: Instance, ctx: Ctx): void => {
    if (i.client !== undefined) ctx.send(i.client, { kind: GOSSIP_KINDS.report, body: { decision, value: i.value } satisfies GossipReport });
  };

  const onRound = (s: GossipNodeState, decision: string, ctx: Ctx): void => {
    const i = s.instances.get(decision);
    if (i === undefined) return;
    i.ticking = false;
    // Push to `fanout` distinct peers drawn at random; the topology routes each envelope.
    const others = s.others;
    for (let k = 0; k < Math.min(s.fanout, others.length); k++) {
      const j = k + Math.floor(ctx.random() * (others.length - k));
      [others[k], others[j]] = [others[j], others[k]];
      ctx.send(others[k], { kind: GOSSIP_KINDS.push, body: { decision, value: i.value } satisfies GossipPush });
    }
    i.quiet = i.fresh ? 0 : i.quiet + 1;
    i.fresh = false;
    if (i.quiet >= s.quietRounds) {
      i.settled = true;
      ctx.emit({ type: 'gossip-settled', decision, value: i.value });
      return report(decision, i, ctx);
    }
    arm(s, decision, i, ctx);
  };

  const onPush = (s: GossipNodeState, env: Envelope, ctx: Ctx): void => {
    // (A body of null or undefined is a malformed push like any other, not a TypeError.)
    const { decision, value } = (env.body ?? {}) as GossipPush;
    if (typeof decision !== 'string' || !Number.isFinite(value)) return;
    const i = instance(s, decision, ctx);
    const merged = merge(i.value, value);
    if (merged !== i.value) {
      i.value = merged;
      i.fresh = true;
      ctx.durable.set(`value:${decision}`, merged);
      resume(s, decision, i, ctx);
    } else if (merged !== value) {
      // The sender is behind: tell it at once (a pull answered), settled or not.
      ctx.send(env.from, { kind: GOSSIP_KINDS.push, body: { decision, value: i.value } satisfies GossipPush });
    }
    arm(s, decision, i, ctx); // a node that heard of the instance first from a peer starts its rounds
  };

  return {
    init(ctx) {
      const p = ctx.props;
      if (!Array.isArray(p?.peers) || p.peers.length === 0)
        throw new ConfigError(`gossipNode("${ctx.self}").props.peers`, 'a non-empty array of node ids', p?.peers);
      const fanout = p.fanout ?? GOSSIP_DEFAULTS.fanout;
      const roundMs = p.roundMs ?? GOSSIP_DEFAULTS.roundMs;
      const quietRounds = p.quietRounds ?? GOSSIP_DEFAULTS.quietRounds;
      if (!(Number.isInteger(fanout) && fanout >= 1)) throw new ConfigError(`gossipNode("${ctx.self}").props.fanout`, 'an integer >= 1', fanout);
      if (!(typeof roundMs === 'number' && Number.isFinite(roundMs) && roundMs > 0))
        throw new ConfigError(`gossipNode("${ctx.self}").props.roundMs`, 'a finite number of ms > 0', roundMs);
      if (!(Number.isInteger(quietRounds) && quietRounds >= 1))
        throw new ConfigError(`gossipNode("${ctx.self}").props.quietRounds`, 'an integer >= 1', quietRounds);
      return new GossipNodeState(p.peers, ctx.self, fanout, roundMs, quietRounds);
    },
    receive(state, env, ctx) {
      const s = state as unknown as GossipNodeState;
      switch (env.kind) {
        case GOSSIP_KINDS.start: {
          const { decision, retry } = (env.body ?? {}) as GossipStart;
          if (typeof decision !== 'string') return;
          const i = instance(s, decision, ctx);
          i.client = env.from;
          if (i.settled && !retry) return report(decision, i, ctx);
          return resume(s, decision, i, ctx);
        }
        case GOSSIP_KINDS.push:
          return onPush(s, env, ctx);
        case GOSSIP_KINDS.round:
          if (env.from === ctx.self) onRound(s, env.body as string, ctx); // a timer: only from self
          return;
      }
    },
  };
}

/**
 * A gossip-agreement node. Per decision it starts with a value drawn from its seeded random
 * (an integer 0..999, emitted as `gossip-init {decision, value}` and kept in its durable store,
 * so a restart does not draw again), and every `roundMs` pushes the largest value it has seen
 * to `fanout` random peers. A push with a smaller value is answered with ours. After
 * `quietRounds` rounds without a new value it settles: it emits `gossip-settled {decision,
 * value}`, reports to the client and stops; a larger value arriving later, or a client's
 * retry, wakes it up again.
 *
 * @example
 * ```ts
 * for (const id of peers) await sim.spawn(id, GOSSIP_NODE, { props: { peers, fanout: 2 } satisfies GossipProps });
 * ```
 */
export const gossipNode = gossipNodeWith();
