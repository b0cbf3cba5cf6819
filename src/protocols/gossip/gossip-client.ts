import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import { GOSSIP_KINDS, type GossipReport, type GossipStart } from './messages.ts';

/**
 * A gossip client's props.
 *
 * @example
 * ```ts
 * const props: GossipClientProps = { nodes: ['n1', 'n2', 'n3'], decisions: 20, window: 4, retryMs: 300 };
 * ```
 */
export interface GossipClientProps {
  readonly nodes: readonly ActorId[];
  /** Instances to run. At least one of `decisions` and `durationMs`; with both, whichever ends first. */
  readonly decisions?: number;
  /** Open new instances while `ctx.now()` is before `start` + durationMs. */
  readonly durationMs?: number;
  /** Instances open at once; default 1. */
  readonly window?: number;
  /** An instance not decided within this many ms is started again (`retry: true`); default 300. */
  readonly retryMs?: number;
  /** Attempts per instance, the first included, before it is given up; default 50. */
  readonly retryBudget?: number;
  /** Names the instances (`<clientId>:<seq>`); default the actor's id. */
  readonly clientId?: string;
}

/**
 * What the client replies to `start` (and emits as `gossip-done`) once it opens no more
 * instances and every one is decided or given up: issued = decided + gaveUp.
 *
 * @example
 * ```ts
 * const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as GossipClientSummary;
 * ```
 */
export interface GossipClientSummary {
  readonly issued: number;
  readonly decided: number;
  readonly gaveUp: number;
  readonly retries: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Open {
  /** Each node's latest report. */
  readonly reports: Map<ActorId, number>;
  /** How many nodes' latest report is each value: agreement is one count, not a scan of the reports. */
  readonly counts: Map<number, number>;
  attempts: number;
}

class GossipClientState {
  started = false;
  nextSeq = 1;
  decided = 0;
  gaveUp = 0;
  retries = 0;
  firstAt = 0;
  lastAt = 0;
  readonly open = new Map<string, Open>();
  request: { from: ActorId; corr: number | undefined } | undefined = undefined;
  /** `nodes` as a set: a report's sender is checked without a scan. */
  readonly nodeSet: ReadonlySet<ActorId>;
  constructor(
    readonly nodes: readonly ActorId[],
    readonly clientId: string,
    readonly window: number,
    readonly retryMs: number,
    readonly retryBudget: number,
    readonly decisions: number,
    readonly durationMs: number,
  ) {
    this.nodeSet = new Set(nodes);
  }
}

type Ctx = ActorContext<GossipClientProps>;

/**
 * Drives gossip agreement: asked (or sent) `start`, it opens `decisions` instances (or keeps
 * opening them for `durationMs`), `window` at a time, each by sending every node
 * `gossip-start {decision}` (emitting `gossip-open {decision}`). Nodes report when they settle;
 * an instance is decided when every node's latest report carries the same value: then it emits
 * `gossip-decided {decision, value, nodes}`. Every node's value only grows from its own, so
 * that value is the largest any node started with. An instance not decided within `retryMs`
 * is started again with `retry: true` (settled nodes gossip once more: a partition healed),
 * and given up after `retryBudget` attempts (`gossip-gave-up`): a node down for good cannot
 * be told from a slow one, and deciding without it could miss its value.
 *
 * @example
 * ```ts
 * await sim.spawn('client', GOSSIP_CLIENT, { props: { nodes: peers, decisions: 10 } satisfies GossipClientProps });
 * const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as GossipClientSummary;
 * ```
 */
export const gossipClient: Behaviour<GossipClientState, GossipClientProps> = {
  init(ctx) {
    const p = ctx.props;
    const at = (key: string) => `gossipClient("${ctx.self}").props.${key}`;
    if (!Array.isArray(p?.nodes) || p.nodes.length === 0) throw new ConfigError(at('nodes'), 'a non-empty array of node ids', p?.nodes);
    if (p.decisions === undefined && p.durationMs === undefined)
      throw new ConfigError(at('decisions'), 'an integer >= 0, or props.durationMs: one of the two is needed', p.decisions);
    if (p.decisions !== undefined && !(Number.isInteger(p.decisions) && p.decisions >= 0))
      throw new ConfigError(at('decisions'), 'an integer >= 0', p.decisions);
    if (p.durationMs !== undefined && !(Number.isFinite(p.durationMs) && p.durationMs >= 0))
      throw new ConfigError(at('durationMs'), 'a finite number of ms >= 0', p.durationMs);
    const window = p.window ?? 1;
    if (!(Number.isInteger(window) && window >= 1)) throw new ConfigError(at('window'), 'an integer >= 1', p.window);
    const retryMs = p.retryMs ?? 300;
    if (!(Number.isFinite(retryMs) && retryMs > 0)) throw new ConfigError(at('retryMs'), 'a finite number of ms > 0', p.retryMs);
    const budget = p.retryBudget ?? 50;
    if (!(Number.isInteger(budget) && budget >= 1)) throw new ConfigError(at('retryBudget'), 'an integer >= 1', p.retryBudget);
    return new GossipClientState(p.nodes, p.clientId ?? ctx.self, window, retryMs, budget, p.decisions ?? Infinity, p.durationMs ?? Infinity);
  },
  receive(state, env, ctx) {
    const s = state as unknown as GossipClientState;
    switch (env.kind) {
      case 'start':
        if (s.started) return;
        s.started = true;
        s.request = { from: env.from, corr: env.corr };
        s.firstAt = ctx.now();
        fill(s, ctx);
        return finishIfDone(s, ctx);
      case GOSSIP_KINDS.report:
        return onReport(s, env, ctx);
      case GOSSIP_KINDS.retry:
        if (env.from === ctx.self) onRetry(s, env.body as string, ctx);
        return;
    }
  },
};

const mayOpen = (s: GossipClientState, ctx: Ctx): boolean => s.nextSeq <= s.decisions && ctx.now() < s.firstAt + s.durationMs;

function startAll(s: GossipClientState, decision: string, retry: boolean, ctx: Ctx): void {
  for (const node of s.nodes) ctx.send(node, { kind: GOSSIP_KINDS.start, body: { decision, retry } satisfies GossipStart });
  ctx.setTimer(`retry:${decision}`, s.retryMs, { kind: GOSSIP_KINDS.retry, body: decision });
}

function fill(s: GossipClientState, ctx: Ctx): void {
  while (s.open.size < s.window && mayOpen(s, ctx)) {
    const decision = `${s.clientId}:${s.nextSeq++}`;
    s.open.set(decision, { reports: new Map(), counts: new Map(), attempts: 1 });
    ctx.emit({ type: 'gossip-open', decision });
    startAll(s, decision, false, ctx);
  }
}

function onReport(s: GossipClientState, env: Envelope, ctx: Ctx): void {
  const { decision, value } = (env.body ?? {}) as GossipReport;
  // A value is a finite number: NaN, which no value equals, would never be agreed on.
  if (typeof decision !== 'string' || !Number.isFinite(value)) return;
  const o = s.open.get(decision);
  if (o === undefined || !s.nodeSet.has(env.from)) return; // decided already, or not a node of ours
  const before = o.reports.get(env.from);
  if (before !== undefined) o.counts.set(before, o.counts.get(before)! - 1);
  o.reports.set(env.from, value);
  const agree = (o.counts.get(value) ?? 0) + 1;
  o.counts.set(value, agree);
  if (o.reports.size < s.nodes.length || agree < o.reports.size) return;
  s.open.delete(decision);
  ctx.cancelTimer(`retry:${decision}`);
  s.decided++;
  s.lastAt = ctx.now();
  ctx.emit({ type: 'gossip-decided', decision, value, nodes: s.nodes.length, attempts: o.attempts });
  fill(s, ctx);
  finishIfDone(s, ctx);
}

function onRetry(s: GossipClientState, decision: string, ctx: Ctx): void {
  const o = s.open.get(decision);
  if (o === undefined) return;
  if (o.attempts >= s.retryBudget) {
    s.open.delete(decision);
    s.gaveUp++;
    ctx.emit({
      type: 'gossip-gave-up',
      decision,
      attempts: o.attempts,
      reported: o.reports.size,
      values: [...new Set(o.reports.values())].sort((a, b) => a - b),
    });
    fill(s, ctx);
    return finishIfDone(s, ctx);
  }
  o.attempts++;
  s.retries++;
  startAll(s, decision, true, ctx);
}

function finishIfDone(s: GossipClientState, ctx: Ctx): void {
  if (s.request === undefined || s.open.size > 0 || mayOpen(s, ctx)) return;
  const summary: GossipClientSummary = {
    issued: s.nextSeq - 1,
    decided: s.decided,
    gaveUp: s.gaveUp,
    retries: s.retries,
    firstAt: s.firstAt,
    lastAt: s.lastAt || ctx.now(),
  };
  ctx.emit({ type: 'gossip-done', client: s.clientId, ...summary });
  ctx.reply({ from: s.request.from, corr: s.request.corr } as Envelope, { kind: 'gossip-client-summary', body: summary });
  s.request = undefined;
}
