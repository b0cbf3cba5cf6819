import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import type { KvCommand, KvResult } from './kv-store.ts';
import { RAFT_KINDS, type ClientRequest } from './messages.ts';
import { clientReplyOk, rejected } from './wire-check.ts';

/**
 * A Raft client's props.
 *
 * @example
 * ```ts
 * const props: RaftClientProps = { nodes: ['n1', 'n2', 'n3'], commands: 200, window: 4, clientId: 'c1' };
 * ```
 */
export interface RaftClientProps {
  readonly nodes: readonly ActorId[];
  /** How many commands to issue. At least one of `commands` and `durationMs` must be given; with both, whichever ends first ends the issuing. */
  readonly commands?: number;
  /**
   * Keep the window full of new commands while the client's clock (`ctx.now()`) is before the
   * time of `start` + durationMs; after that issue none, and end once those outstanding are
   * acknowledged or given up (see `retryBudget`).
   */
  readonly durationMs?: number;
  /**
   * Attempts per command, the first included; default 50 (DEFAULT_RETRY_BUDGET). An attempt is a
   * send that opens a retry period of `retryMs`: the first send and each resend after a silent
   * period; redirects followed at once within a period are part of its attempt. So a command is
   * given up no sooner than retryBudget × retryMs after it was invoked. When the budget is spent
   * the command is given up: a write emits `client-info` (outcome unknown: an earlier attempt may
   * still be in some log and commit later), a read `client-fail` (a read has no effect).
   */
  readonly retryBudget?: number;
  /** Commands in flight at once; default 1. */
  readonly window?: number;
  /** Resend a command not acknowledged within this many ms; default 100. */
  readonly retryMs?: number;
  /** Default: the actor's id. */
  readonly clientId?: string;
  /**
   * The share of commands that are reads (a `get` of the same keys, served by ReadIndex, not
   * logged), drawn with the actor's seeded random; default 0 (all writes).
   */
  readonly reads?: number;
}

/** Attempts per command (the first included) when RaftClientProps.retryBudget is not given. */
export const DEFAULT_RETRY_BUDGET = 50;

/**
 * What the client replies to `start` (and emits as `client-done`) once it issues no more
 * commands and every command issued is acknowledged or given up: issued = acked + gaveUp.
 *
 * @example
 * ```ts
 * const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as RaftClientSummary;
 * console.log(s.acked / ((s.lastAt - s.firstAt) / 1000), 'commands/s');
 * ```
 */
export interface RaftClientSummary {
  /** Commands invoked (`client-invoke`). */
  readonly issued: number;
  readonly acked: number;
  /** Commands given up when their retry budget was spent (`client-info` and `client-fail`). */
  readonly gaveUp: number;
  /** Of those given up, the ones certainly without effect (reads: `client-fail`); the rest are writes of unknown outcome (`client-info`). */
  readonly failed: number;
  /** Sends beyond the first of each command (redirects and timeouts). */
  readonly retries: number;
  /** How many of the acknowledged commands were reads. */
  readonly reads: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Pending {
  readonly command: KvCommand;
  /** The node the latest attempt went to. */
  to: ActorId;
  /** Redirects followed at once since the last timeout (bounded, so stale hints cannot ping-pong forever). */
  redirects: number;
  /** The latest attempt was answered (a redirect) and the retry timer only paces the next one. */
  answered: boolean;
  /** Attempts made (retry periods opened), the first included. */
  attempts: number;
}

/** The client's books: a class, updated in place (see RaftNodeState for why). */
class ClientState {
  started = false;
  nextSeq = 1;
  acked = 0;
  gaveUp = 0;
  failed = 0;
  reads = 0;
  retries = 0;
  firstAt = 0;
  lastAt = 0;
  guess = 0;
  pending = new Map<number, Pending>();
  /** Where timeouts send us next, round-robin (hints move `guess`, not this). */
  rotor = 0;
  request: { from: ActorId; corr: number | undefined } | undefined = undefined;
  /** The nodes tried: `props.nodes`, plus any leader a node named that the list lacked (a server added by a membership change). */
  readonly nodes: ActorId[];
  /** Each node's place in `nodes` (its first): a reply's sender is found without a scan of the cluster. */
  private readonly places = new Map<ActorId, number>();
  constructor(
    nodes: readonly ActorId[],
    readonly clientId: string,
    readonly window: number,
    readonly retryMs: number,
    readonly readShare: number,
    readonly retryBudget: number,
    readonly commands: number,
    readonly durationMs: number,
  ) {
    this.nodes = [];
    for (const n of nodes) this.learn(n);
  }

  /** The place of `node` in `nodes`, -1 for one not there. */
  placeOf(node: ActorId): number {
    return this.places.get(node) ?? -1;
  }

  /** Adds `node` to `nodes` unless it is there; returns its place. */
  learn(node: ActorId): number {
    let at = this.places.get(node);
    if (at === undefined) {
      at = this.nodes.push(node) - 1;
      this.places.set(node, at);
    }
    return at;
  }
}

type Ctx = ActorContext<RaftClientProps>;

/** The command of `seq`: puts over 16 keys, each value unique to (client, seq), or a get of the same key. */
const commandOf = (clientId: string, seq: number, read: boolean): KvCommand =>
  read ? { op: 'get', key: `k${seq % 16}` } : { op: 'put', key: `k${seq % 16}`, value: `${clientId}:${seq}` };

/**
 * A closed-loop Raft client. Asked (or sent) `start`, it runs `commands` puts (or keeps issuing
 * them for `durationMs`; a `reads` share of them gets instead, emitted with `f: 'read'` and the
 * value read), `window` at a time, against its guess of the leader (first `nodes[0]`). A redirect
 * sends it to the hinted leader (or the next node); a command not acknowledged within `retryMs`
 * is resent with the same (clientId, seq) to the next node, so the cluster applies it once, until
 * its `retryBudget` is spent. It emits the client-visible history, Jepsen-style:
 * - `client-invoke {client, seq, f, key, value?}` when it issues a command;
 * - `client-ok {client, seq, f, key, value, index | readIndex}`: a write took effect at log
 *   `index`; a read returned `value` (served at `readIndex`);
 * - `client-info {client, seq, f: 'write', key, value, attempts, reason}`: a write given up, its
 *   outcome unknown (an earlier attempt may be in some log and commit later). A write is never
 *   reported failed: a refusal does not tell the client that no earlier attempt was appended (a
 *   leader deposed after appending it refuses too);
 * - `client-fail {client, seq, f: 'read', key, attempts, reason}`: a read given up (certainly
 *   without effect: reads are not logged);
 * and, when it is done, `client-done` with the RaftClientSummary it replies to `start`.
 *
 * @example
 * ```ts
 * await sim.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 200 } satisfies RaftClientProps });
 * const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as RaftClientSummary;
 * ```
 */
export const raftClient: Behaviour<ClientState, RaftClientProps> = {
  init(ctx) {
    const p = ctx.props;
    if (!Array.isArray(p?.nodes) || p.nodes.length === 0)
      throw new ConfigError(`raftClient("${ctx.self}").props.nodes`, 'a non-empty array of node ids', p?.nodes);
    if (p.commands === undefined && p.durationMs === undefined)
      throw new ConfigError(
        `raftClient("${ctx.self}").props.commands`,
        'an integer >= 0, or props.durationMs (issue commands for that long): one of the two is needed',
        p.commands,
      );
    if (p.commands !== undefined && !(Number.isInteger(p.commands) && p.commands >= 0))
      throw new ConfigError(`raftClient("${ctx.self}").props.commands`, 'an integer >= 0', p.commands);
    if (p.durationMs !== undefined && !(typeof p.durationMs === 'number' && Number.isFinite(p.durationMs) && p.durationMs >= 0))
      throw new ConfigError(`raftClient("${ctx.self}").props.durationMs`, 'a finite number of ms >= 0', p.durationMs);
    const retryBudget = p.retryBudget ?? DEFAULT_RETRY_BUDGET;
    if (!(Number.isInteger(retryBudget) && retryBudget >= 1))
      throw new ConfigError(`raftClient("${ctx.self}").props.retryBudget`, 'an integer >= 1 (attempts per command, the first included)', p.retryBudget);
    const window = p.window ?? 1;
    if (!(Number.isInteger(window) && window >= 1)) throw new ConfigError(`raftClient("${ctx.self}").props.window`, 'an integer >= 1', p.window);
    const retryMs = p.retryMs ?? 100;
    if (!(retryMs > 0)) throw new ConfigError(`raftClient("${ctx.self}").props.retryMs`, 'a number of ms > 0', p.retryMs);
    const reads = p.reads ?? 0;
    if (!(reads >= 0 && reads <= 1)) throw new ConfigError(`raftClient("${ctx.self}").props.reads`, 'a number between 0 and 1', p.reads);
    return new ClientState(p.nodes, p.clientId ?? ctx.self, window, retryMs, reads, retryBudget, p.commands ?? Infinity, p.durationMs ?? Infinity);
  },
  receive(state, env, ctx) {
    const s = state as unknown as ClientState; // a class instance is never drafted
    switch (env.kind) {
      case 'start':
        if (s.started) return; // one run per client
        s.started = true;
        s.request = { from: env.from, corr: env.corr };
        s.firstAt = ctx.now();
        fill(s, ctx);
        return finishIfDone(s, ctx);
      case RAFT_KINDS.clientReply:
        return onReply(s, env, ctx);
      case 'client-retry':
        if (env.from === ctx.self) onRetry(s, env.body as number, ctx); // a timer: only from self
        return;
    }
  },
};

/** Whether the client may still issue a new command: under `commands` and before `start` + `durationMs`. */
const mayIssue = (s: ClientState, ctx: Ctx): boolean => s.nextSeq <= s.commands && ctx.now() < s.firstAt + s.durationMs;

function fill(s: ClientState, ctx: Ctx): void {
  while (s.pending.size < s.window && mayIssue(s, ctx)) {
    const seq = s.nextSeq++;
    const c = commandOf(s.clientId, seq, s.readShare > 0 && ctx.random() < s.readShare);
    if (c.op === 'get') ctx.emit({ type: 'client-invoke', client: s.clientId, seq, f: 'read', key: c.key });
    else ctx.emit({ type: 'client-invoke', client: s.clientId, seq, f: 'write', key: c.key, value: (c as { value: string }).value });
    const p: Pending = { command: c, to: s.nodes[s.guess], redirects: 0, answered: false, attempts: 1 };
    s.pending.set(seq, p);
    send(s, seq, p, ctx);
  }
}

function send(s: ClientState, seq: number, p: Pending, ctx: Ctx): void {
  p.answered = false;
  // Commands enter `pending` in increasing seq order and a Map iterates in insertion order,
  // so the first key is the lowest still pending, `seq` at most: every caller sends a command
  // it holds in `pending` (a scan of the window cost 12% of a run).
  const lowest = s.pending.keys().next().value as number;
  const body: ClientRequest = { clientId: s.clientId, seq, lowestPending: lowest, command: p.command };
  ctx.send(p.to, { kind: RAFT_KINDS.clientRequest, body });
  ctx.setTimer(`retry:${seq}`, s.retryMs, { kind: 'client-retry', body: seq });
}

function onReply(s: ClientState, env: Envelope, ctx: Ctx): void {
  if (!clientReplyOk(env.body)) return rejected(ctx, env.from, env.kind, 'malformed');
  const r = env.body;
  const p = s.pending.get(r.seq);
  if (p === undefined || r.clientId !== s.clientId) return; // a late answer to an earlier attempt
  const nodes = s.nodes;
  if (!r.ok) {
    // Go where the node points (or on to the next node), at once, but only so many times in a
    // row: stale hints must not ping-pong forever. After that the retry timer paces us. A
    // leader we did not know of joined the cluster since we started: learn it.
    // (A redirect's leader is a string or null: `clientReplyOk` checked it.)
    if (r.leader !== null) s.learn(r.leader);
    p.to = r.leader !== null && r.leader !== env.from ? r.leader : nodes[(s.placeOf(env.from) + 1) % nodes.length];
    s.guess = s.placeOf(p.to);
    if (p.redirects++ < nodes.length) {
      s.retries++;
      send(s, r.seq, p, ctx);
    } else p.answered = true;
    return;
  }
  s.pending.delete(r.seq);
  ctx.cancelTimer(`retry:${r.seq}`);
  // A follower forwarded it and names the leader that answered: ask the leader directly next.
  const leader = typeof r.leader === 'string' ? r.leader : env.from;
  s.guess = s.rotor = s.learn(leader);
  s.acked++;
  s.lastAt = ctx.now();
  const c = p.command;
  if (c.op === 'get') {
    s.reads++;
    ctx.emit({ type: 'client-ok', client: s.clientId, seq: r.seq, f: 'read', key: c.key, value: (r.result as KvResult).value, readIndex: r.index });
  } else ctx.emit({ type: 'client-ok', client: s.clientId, seq: r.seq, f: 'write', key: c.key, value: (c as { value: string }).value, index: r.index });
  fill(s, ctx);
  finishIfDone(s, ctx);
}

function onRetry(s: ClientState, seq: number, ctx: Ctx): void {
  const p = s.pending.get(seq);
  if (p === undefined) return;
  const nodes = s.nodes;
  if (!p.answered) {
    // Silence: the node may be down, cut off, or a deposed leader that cannot commit. Move on
    // round-robin, wherever hints took us since: a minority's stale hint (its old leader) can
    // then not hold us between two nodes, as "the node after the silent one" would.
    s.rotor = (s.rotor + 1) % nodes.length;
    p.to = nodes[s.rotor];
    s.guess = s.rotor;
  }
  // Spent: give it up (after moving on from the silent node: the next command goes elsewhere).
  if (p.attempts >= s.retryBudget) return giveUp(s, seq, p, ctx);
  p.attempts++;
  p.redirects = 0;
  s.retries++;
  send(s, seq, p, ctx);
}

/**
 * The retry budget of `seq` is spent: give it up and move on. A read had no effect, so it
 * failed; a write's outcome is unknown (an earlier attempt may sit in some log and commit yet).
 * The next command's lowestPending passes over it, so once such a command commits the cluster
 * applies no later copy of it (the sessions count it as acknowledged).
 */
function giveUp(s: ClientState, seq: number, p: Pending, ctx: Ctx): void {
  s.pending.delete(seq);
  s.gaveUp++;
  const c = p.command;
  const reason = `retry budget spent (${p.attempts} attempts)`;
  if (c.op === 'get') {
    s.failed++;
    ctx.emit({ type: 'client-fail', client: s.clientId, seq, f: 'read', key: c.key, attempts: p.attempts, reason });
  } else
    ctx.emit({ type: 'client-info', client: s.clientId, seq, f: 'write', key: c.key, value: (c as { value: string }).value, attempts: p.attempts, reason });
  fill(s, ctx);
  finishIfDone(s, ctx);
}

function finishIfDone(s: ClientState, ctx: Ctx): void {
  if (s.request === undefined || s.pending.size > 0 || mayIssue(s, ctx)) return;
  const summary: RaftClientSummary = {
    issued: s.nextSeq - 1,
    acked: s.acked,
    gaveUp: s.gaveUp,
    failed: s.failed,
    reads: s.reads,
    retries: s.retries,
    firstAt: s.firstAt,
    lastAt: s.lastAt || ctx.now(),
  };
  ctx.emit({ type: 'client-done', client: s.clientId, ...summary });
  ctx.reply({ from: s.request.from, corr: s.request.corr } as Envelope, { kind: 'raft-client-summary', body: summary });
  s.request = undefined;
}
