import type { ActorContext, Behaviour } from '../../actors/behaviour.ts';
import type { ActorId, Envelope } from '../../actors/envelope.ts';
import { ConfigError } from '../../errors.ts';
import { PBFT_KINDS, type PbftReply, type PbftRequest, requestText } from './messages.ts';

/**
 * A PBFT client's props.
 *
 * @example
 * ```ts
 * const props: PbftClientProps = { replicas: ['p0', 'p1', 'p2', 'p3'], requests: 1000, window: 64 };
 * ```
 */
export interface PbftClientProps {
  readonly replicas: readonly ActorId[];
  /** Faults tolerated: a result is accepted once f + 1 replicas sent it. Default floor((n - 1) / 3). */
  readonly f?: number;
  /** How many requests to issue. At least one of `requests` and `durationMs` must be given; with both, whichever ends first ends the issuing. */
  readonly requests?: number;
  /**
   * Keep the window full of new requests while the client's clock (`ctx.now()`) is before the
   * time of `start` + durationMs; after that issue none, and end once every request issued has an
   * accepted result (or `deadlineMs` passes, which stays the hard stop for waiting).
   */
  readonly durationMs?: number;
  /** Requests in flight at once; default 1. */
  readonly window?: number;
  /** Resend (to every replica) a request without an accepted result after this many ms; default 500. */
  readonly retryMs?: number;
  /** Requests are `incr k<ts mod keys>`; default 16 keys. */
  readonly keys?: number;
  /**
   * Sign each request (default false): replicas then accept it second-hand too, inside a
   * pre-prepare, without waiting for the client's own copy. Unsigned, a request is vouched for
   * by the channel it came on (the runtime stamps the sender: PBFT's MAC authenticators), and a
   * backup holds a pre-prepare until it received the client's copy of every request in it.
   */
  readonly signRequests?: boolean;
  /**
   * Give up this many ms after `start` and reply with what was accepted (a run beyond the
   * protocol's fault bound may never finish). Default: never.
   */
  readonly deadlineMs?: number;
  /**
   * Give up once no result has been accepted for this many ms while requests wait (checked every
   * `stallMs`, so it gives up between one and two of them after the last acceptance): a bound on
   * a run that stopped progressing, whatever its length. Default: never.
   */
  readonly stallMs?: number;
}

/**
 * What the client replies to `start` once it issues no more requests and every request issued
 * has an accepted result, or the deadline passed.
 *
 * @example
 * ```ts
 * const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
 * ```
 */
export interface PbftClientSummary {
  /** Requests issued (`pbft-request`): accepted + those still waiting when the deadline ended the run. */
  readonly issued: number;
  readonly accepted: number;
  /** True when the deadline ended the run before it was done (requests left waiting, or more to issue). */
  readonly gaveUp: boolean;
  /** Resends after `retryMs` without a result. */
  readonly retries: number;
  /** Replies that did not come from the replica they name, or from no replica. */
  readonly refusedReplies: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Waiting {
  readonly request: PbftRequest;
  sentAt: number;
  /** Replicas per result: the first result f + 1 replicas agree on is accepted. */
  readonly votes: Map<string, Set<ActorId>>;
}

/** The client's books, updated in place. */
class ClientState {
  started = false;
  gaveUp = false;
  nextTs = 0;
  accepted = 0;
  retries = 0;
  refusedReplies = 0;
  firstAt = 0;
  lastAt = 0;
  retryArmed = false;
  readonly waiting = new Map<number, Waiting>();
  request: { from: ActorId; corr: number | undefined } | undefined = undefined;
  constructor(
    readonly replicas: ReadonlySet<ActorId>,
    readonly f: number,
    readonly total: number,
    readonly durationMs: number,
    readonly window: number,
    readonly retryMs: number,
    readonly keys: number,
    readonly deadlineMs: number | undefined,
    readonly signRequests: boolean,
    readonly stallMs: number | undefined,
  ) {}
  /** Results accepted when the stall timer last looked. */
  acceptedAtCheck = 0;
}

type Ctx = ActorContext<PbftClientProps>;

/**
 * PBFT's client (section 4.1): it sends each request to every replica (so a backup knows it
 * first-hand and can tell when the primary sits on it; signed too with `signRequests`), accepts a result once
 * f + 1 replicas sent the same one (at least one of them is honest), and resends requests left
 * unanswered. Asked `start`, it runs `requests` requests (or keeps issuing them for `durationMs`)
 * with `window` in flight and replies
 * with a PbftClientSummary. Trace events: `pbft-request {client, ts, op}` and
 * `pbft-accepted {client, ts, result}`.
 *
 * @example
 * ```ts
 * await sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 100, window: 8 } satisfies PbftClientProps });
 * const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
 * ```
 */
export const pbftClient: Behaviour<ClientState, PbftClientProps> = {
  init(ctx) {
    const p = ctx.props;
    const n = p.replicas?.length ?? 0;
    if (n === 0) throw new ConfigError('replicas', 'at least one replica', p.replicas);
    const f = p.f ?? Math.floor((n - 1) / 3);
    if (p.requests === undefined && p.durationMs === undefined)
      throw new ConfigError('requests', 'an integer >= 0, or durationMs (issue requests for that long): one of the two is needed', p.requests);
    if (p.requests !== undefined && !(Number.isInteger(p.requests) && p.requests >= 0)) throw new ConfigError('requests', 'an integer >= 0', p.requests);
    if (p.durationMs !== undefined && !(Number.isFinite(p.durationMs) && p.durationMs >= 0))
      throw new ConfigError('durationMs', 'a finite number of ms >= 0', p.durationMs);
    if (p.stallMs !== undefined && !(Number.isFinite(p.stallMs) && p.stallMs > 0)) throw new ConfigError('stallMs', 'a finite number of ms > 0', p.stallMs);
    return new ClientState(
      new Set(p.replicas),
      f,
      p.requests ?? Infinity,
      p.durationMs ?? Infinity,
      Math.max(1, p.window ?? 1),
      p.retryMs ?? 500,
      Math.max(1, p.keys ?? 16),
      p.deadlineMs,
      p.signRequests === true,
      p.stallMs,
    );
  },
  receive(state, env, ctx) {
    const s = state as unknown as ClientState;
    switch (env.kind) {
      case 'start':
        return start(s, env, ctx);
      case PBFT_KINDS.reply:
        return onReply(s, env, ctx);
      case 'retry':
        if (env.from === ctx.self) return retry(s, ctx);
        return;
      case 'deadline':
        if (env.from === ctx.self && s.request !== undefined) return giveUp(s, ctx);
        return;
      case 'stall':
        if (env.from !== ctx.self || s.request === undefined) return;
        if (s.accepted === s.acceptedAtCheck) return giveUp(s, ctx);
        s.acceptedAtCheck = s.accepted;
        ctx.setTimer('stall', s.stallMs!, { kind: 'stall' });
        return;
    }
  },
};

/** Ends the run with what was accepted: the deadline passed, or nothing was accepted for `stallMs`. */
function giveUp(s: ClientState, ctx: Ctx): void {
  s.gaveUp = true;
  ctx.emit({ type: 'pbft-client-gave-up', accepted: s.accepted, waiting: s.waiting.size });
  finishIfDone(s, ctx);
}

function start(s: ClientState, env: Envelope, ctx: Ctx): void {
  if (s.started) return;
  s.started = true;
  s.request = { from: env.from, corr: env.corr };
  s.firstAt = s.lastAt = ctx.now();
  if (s.deadlineMs !== undefined) ctx.setTimer('deadline', s.deadlineMs, { kind: 'deadline' });
  if (s.stallMs !== undefined) ctx.setTimer('stall', s.stallMs, { kind: 'stall' });
  fill(s, ctx);
  finishIfDone(s, ctx);
}

/** Whether the client may still issue a new request: under `requests` and before `start` + `durationMs`. */
const mayIssue = (s: ClientState, ctx: Ctx): boolean => s.nextTs < s.total && ctx.now() < s.firstAt + s.durationMs;

function fill(s: ClientState, ctx: Ctx): void {
  // Given up, the run has ended: a result accepted after the summary starts no new request.
  if (s.request === undefined) return;
  while (s.waiting.size < s.window && mayIssue(s, ctx)) {
    const ts = ++s.nextTs;
    const op = `incr k${ts % s.keys}`;
    const request: PbftRequest = { client: ctx.self, ts, op, sig: s.signRequests ? ctx.sign(requestText(ctx.self, ts, op)) : '' };
    s.waiting.set(ts, { request, sentAt: ctx.now(), votes: new Map() });
    ctx.emit({ type: 'pbft-request', client: ctx.self, ts, op });
    for (const r of s.replicas) ctx.send(r, { kind: PBFT_KINDS.request, body: request });
  }
  if (s.waiting.size > 0 && !s.retryArmed) {
    s.retryArmed = true;
    ctx.setTimer('retry', s.retryMs, { kind: 'retry' });
  }
}

function onReply(s: ClientState, env: Envelope, ctx: Ctx): void {
  const r = env.body as PbftReply;
  // The runtime stamps the sender: a reply counts only from the replica it names.
  if (typeof r !== 'object' || r === null || r.i !== env.from || !s.replicas.has(env.from) || typeof r.result !== 'string') {
    s.refusedReplies++;
    return;
  }
  const w = s.waiting.get(r.ts);
  if (w === undefined) return; // accepted already, or never asked
  let voters = w.votes.get(r.result);
  if (voters === undefined) w.votes.set(r.result, (voters = new Set()));
  voters.add(env.from);
  if (voters.size < s.f + 1) return;
  s.waiting.delete(r.ts);
  s.accepted++;
  s.lastAt = ctx.now();
  ctx.emit({ type: 'pbft-accepted', client: ctx.self, ts: r.ts, result: r.result });
  fill(s, ctx);
  finishIfDone(s, ctx);
}

function retry(s: ClientState, ctx: Ctx): void {
  s.retryArmed = false;
  if (s.request === undefined) return;
  const now = ctx.now();
  for (const w of s.waiting.values()) {
    if (now - w.sentAt < s.retryMs) continue;
    w.sentAt = now;
    s.retries++;
    for (const r of s.replicas) ctx.send(r, { kind: PBFT_KINDS.request, body: w.request });
  }
  if (s.waiting.size > 0) {
    s.retryArmed = true;
    ctx.setTimer('retry', s.retryMs, { kind: 'retry' });
  }
}

function finishIfDone(s: ClientState, ctx: Ctx): void {
  if (s.request === undefined || ((s.waiting.size > 0 || mayIssue(s, ctx)) && !s.gaveUp)) return;
  if (s.retryArmed) ctx.cancelTimer('retry');
  s.retryArmed = false;
  ctx.cancelTimer('deadline');
  ctx.cancelTimer('stall');
  const summary: PbftClientSummary = {
    issued: s.nextTs,
    accepted: s.accepted,
    gaveUp: s.gaveUp,
    retries: s.retries,
    refusedReplies: s.refusedReplies,
    firstAt: s.firstAt,
    lastAt: s.lastAt,
  };
  ctx.reply({ from: s.request.from, corr: s.request.corr } as Envelope, { kind: 'summary', body: summary });
  s.request = undefined;
}
