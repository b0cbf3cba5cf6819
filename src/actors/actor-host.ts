import {
  AskTimeoutError,
  ActorInitError,
  UndeliverableError,
  DuplicateActorError,
  InvalidActorIdError,
  NoTopologyError,
  UnknownActorError,
} from '../errors.ts';
import { ActorCell } from './actor-cell.ts';
import type { Behaviour } from './behaviour.ts';
import { MessageCounters } from './counters.ts';
import { SYSTEM_SENDER, type ActorId, type DeadLetterReason, type Envelope, type Message } from './envelope.ts';
import type { HostEnvironment } from './host-environment.ts';
import { DurableStores } from './durable-store.ts';
import { KeyRing } from './key-ring.ts';
import { DEFAULT_MAILBOX_CAPACITY } from './mailbox.ts';
import { RingQueue } from './ring-queue.ts';
import type { RouteTable } from './route-table.ts';
import { resolveSupervision, type SupervisionPolicy } from './supervision.ts';

/**
 * Per-actor options at spawn.
 *
 * @example
 * ```ts
 * const opts: SpawnOptions = { props: { peer: 'pong' }, mailboxCapacity: 100, supervision: { strategy: 'resume' } };
 * await system.spawn('ping', 'volley', opts);
 * ```
 */
export interface SpawnOptions {
  /** Plain data the behaviour reads as `ctx.props`. */
  readonly props?: unknown;
  readonly supervision?: Partial<SupervisionPolicy>;
  /** Mailbox capacity; default 10,000. */
  readonly mailboxCapacity?: number;
}

/**
 * An actor that failed more often than its supervision policy allows, and was stopped.
 *
 * @example
 * ```ts
 * const result = await system.shutdown();
 * for (const e of result.escalations) console.warn(`${e.actor} stopped after ${e.failuresInWindow} failures: ${e.error}`);
 * ```
 */
export interface Escalation {
  readonly actor: ActorId;
  readonly t: number;
  readonly failuresInWindow: number;
  readonly error: string;
}

/**
 * At trace level `events`, dead letters beyond this many in one turn are counted into one
 * `dead-letters-summarised` event at the end of the turn instead of one event each: a flood of
 * dead letters (a full mailbox, a crashed worker) must not flood the trace and starve the main
 * thread that reads it. The counters stay exact; trace level `full` records every one.
 */
const DEAD_LETTERS_TRACED_PER_TURN = 64;

/**
 * How much one actor may do (envelopes handled plus envelopes sent) before the host moves on to
 * the next ready actor; it always handles at least one. Counting sends keeps a producer from
 * filling its consumers' mailboxes many times faster than they get to drain them.
 */
const THROUGHPUT = 512;

interface PendingAsk {
  resolve(env: Envelope): void;
  reject(error: Error): void;
  timer: unknown;
  /** Only the asked actor's reply to this request is an answer. */
  readonly to: ActorId;
  readonly corr: number;
}

/**
 * Hosts many actors on one thread: delivers envelopes into their mailboxes, runs ready actors in
 * batches, and counts every envelope. The same host runs in sim mode (driven by the event loop)
 * and inside each worker in threads mode; only the `HostEnvironment` differs.
 *
 * @example
 * ```ts
 * const host = new ActorHost(env);
 * host.spawn('echo-1', echo, 'echo');
 * host.deliver(envelope); host.drain(); host.endTurn();
 * ```
 */
export class ActorHost {
  readonly cells = new Map<ActorId, ActorCell>();
  readonly counters = new MessageCounters();
  readonly escalations: Escalation[] = [];
  private readonly stoppedIds = new Set<ActorId>();
  private readonly ready = new RingQueue<ActorCell>(64);
  private dirty: ActorCell[] = [];
  private corrSeq = 0;
  private tempSeq = 0;
  private readonly temps = new Map<string, PendingAsk>();
  private deadLettersTraced = 0;
  private suppressedDeadLetters: Partial<Record<DeadLetterReason, number>> | undefined;
  private readonly defaultCapacity: number;
  private readonly defaultSupervision: SupervisionPolicy;
  /** How many times each id has been spawned here: a recovered actor draws fresh random numbers. */
  private readonly incarnations = new Map<ActorId, number>();
  /** The actors' durable storage, kept across their restarts on this host. */
  readonly durables = new DurableStores();
  /** The topology's routes, installed by the scheduler; none means every envelope goes direct. */
  routes: RouteTable | undefined;
  /**
   * Every actor's signing key (`ctx.sign`, `ctx.verify`). The scheduler gives every host of a run
   * the same ring (same scheme and secret), so a signature made on one host verifies on any.
   * Without one, the host signs with tokens under a random secret of its own.
   */
  readonly keys: KeyRing;

  constructor(
    readonly env: HostEnvironment,
    defaults: { mailboxCapacity?: number; supervision?: Partial<SupervisionPolicy>; keys?: KeyRing } = {},
  ) {
    this.defaultCapacity = defaults.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY;
    this.defaultSupervision = resolveSupervision(defaults.supervision);
    this.keys = defaults.keys ?? new KeyRing('token', KeyRing.randomSecret());
  }

  /** Creates and starts an actor; throws on a bad or duplicate id or a failing `init`. */
  spawn(id: ActorId, behaviour: Behaviour, behaviourName: string, options: SpawnOptions = {}): ActorCell {
    if (typeof id !== 'string' || id.length === 0 || id.startsWith('$')) throw new InvalidActorIdError(id);
    if (this.cells.has(id)) throw new DuplicateActorError(id);
    const policy = resolveSupervision({ ...this.defaultSupervision, ...behaviour.supervision, ...options.supervision }, `spawn("${id}").supervision`);
    const capacity = options.mailboxCapacity ?? this.defaultCapacity;
    const incarnation = this.incarnations.get(id) ?? 0;
    const cell = new ActorCell(this, id, behaviour, behaviourName, options.props, policy, capacity, incarnation);
    // Registered before init runs, so what init sends to itself finds it (threads mode delivers
    // local envelopes at once); undone if init throws.
    this.cells.set(id, cell);
    try {
      cell.start();
    } catch (error) {
      this.discard(cell, 'init failed');
      throw new ActorInitError(id, behaviourName, error);
    }
    this.stoppedIds.delete(id);
    this.incarnations.set(id, incarnation + 1);
    this.env.trace({ t: this.env.now(), type: 'spawn', actor: id, behaviour: behaviourName, host: this.env.hostIndex });
    return cell;
  }

  /** Stops an actor; what waits in its mailbox is dead-lettered `actor-stopped`. */
  stopActor(id: ActorId, reason: string): boolean {
    const cell = this.cells.get(id);
    if (!cell) return false;
    this.discard(cell, reason);
    this.stoppedIds.add(id);
    this.env.actorStopped?.(id, reason);
    this.env.trace({ t: this.env.now(), type: 'stop', actor: id, reason });
    return true;
  }

  /** Takes a cell out: timers and asks cancelled, its draft finished, what waits dead-lettered. */
  private discard(cell: ActorCell, reason: string): void {
    cell.status = 'stopped';
    cell.cancelAll();
    cell.finishTurn();
    const rest = cell.mailbox.drainAll();
    this.counters.queued -= rest.length;
    for (const env of rest) this.deadLetter(env, 'actor-stopped', reason);
    cell.mailbox.close();
    this.cells.delete(cell.self);
  }

  /** The actor's current state, as an immutable snapshot. */
  snapshot(id: ActorId): unknown {
    const cell = this.cells.get(id);
    if (!cell) throw new UnknownActorError(id, `snapshot on host ${this.env.hostIndex}`);
    return cell.snapshotState();
  }

  // ---- sending ----

  /**
   * Stamps and counts a new envelope, then hands it to the environment to route. Under a topology
   * the envelope is addressed to its first hop (`via`) when that is not the destination itself.
   */
  send(from: ActorId, to: ActorId, kind: string, body: unknown, corr: number | undefined, re: number | undefined): void {
    const routes = this.routes;
    const hop = routes === undefined ? undefined : routes.nextHop(from, to);
    if (hop === undefined || hop === to) this.env.route(this.stamp(from, to, kind, body, corr, re));
    else this.env.route({ id: this.newId(from, to, kind), from, to, kind, body, corr, re, via: hop, hops: undefined, tree: undefined });
  }

  /** Creates an envelope with a fresh id (counted as sent, traced). */
  private stamp(from: ActorId, to: ActorId, kind: string, body: unknown, corr: number | undefined, re: number | undefined): Envelope {
    return { id: this.newId(from, to, kind), from, to, kind, body, corr, re };
  }

  /** A fresh envelope id: the envelope it names is counted as sent and its send traced. */
  private newId(from: ActorId, to: ActorId, kind: string): number {
    const id = this.env.nextEnvelopeId();
    this.counters.sent++;
    if (this.env.traceLevel === 'full') this.env.trace({ t: this.env.now(), type: 'send', id, from, to, kind });
    return id;
  }

  /**
   * Broadcasts from `from` to every other member of the topology in force, along its spanning
   * structure: `from` sends one copy to each of its broadcast children, and each member that
   * receives a copy forwards it to its own children (see `deliver`). Every copy is an envelope of
   * its own (one per recipient, counted as sent by the host that forwards it), so a broadcast to
   * n members costs n - 1 envelopes in every topology; what the topology changes is who sends
   * them and how many links the last one crosses. Returns the number of recipients.
   */
  broadcast(from: ActorId, kind: string, body: unknown): number {
    const routes = this.routes;
    const children = routes === undefined ? undefined : routes.broadcastChildren(routes.epoch, from, from);
    if (children === undefined) throw new NoTopologyError(from, routes !== undefined);
    const tree = routes!.epoch;
    for (const child of children) this.sendCopy(from, child, kind, body, tree);
    return routes!.members().length - 1;
  }

  /** One copy of a broadcast to a tree neighbour: a single link, whatever the current routes say. */
  private sendCopy(root: ActorId, to: ActorId, kind: string, body: unknown, tree: number): void {
    this.env.route({ id: this.newId(root, to, kind), from: root, to, kind, body, corr: undefined, re: undefined, via: undefined, hops: undefined, tree });
  }

  /**
   * A runtime-originated envelope to an actor from itself (a timer firing, an ask timing out).
   * It never crosses a link, so it gets no latency and no link fault: it goes straight into the
   * mailbox at the moment the timer fires, whatever the mailbox's capacity.
   */
  sendToSelf(cell: ActorCell, kind: string, body: unknown): void {
    if (cell.status === 'running') cell.mailbox.postOwn(this.stamp(cell.self, cell.self, kind, body, undefined, undefined));
  }

  /** Sends from outside any actor (`from` is `$system`). */
  sendFromOutside(to: ActorId, message: Message): void {
    this.send(SYSTEM_SENDER, to, message.kind, message.body, undefined, undefined);
  }

  /**
   * Asks from outside any actor: a temporary address receives the reply. `answered()` turns true
   * synchronously when the reply or the timeout arrives (sim mode drives its loop until then).
   */
  askFromOutside(to: ActorId, message: Message, timeoutMs: number): { promise: Promise<Envelope>; answered: () => boolean } {
    const id = `$ask:${this.env.hostIndex}:${++this.tempSeq}`;
    const corr = this.nextCorrelation();
    const promise = new Promise<Envelope>((resolve, reject) => {
      const timer = this.env.startTimer(timeoutMs, () => {
        if (this.temps.delete(id)) reject(new AskTimeoutError(to, message.kind, timeoutMs));
      });
      this.temps.set(id, { resolve, reject, timer, to, corr });
    });
    this.send(id, to, message.kind, message.body, corr, undefined);
    return { promise, answered: () => !this.temps.has(id) };
  }

  nextCorrelation(): number {
    return ++this.corrSeq;
  }

  // ---- receiving ----

  /**
   * Takes an envelope that reached this host: relays it if it is only passing through, forwards a
   * broadcast copy down its tree, then puts it into its actor's mailbox or dead-letters it.
   */
  deliver(env: Envelope): void {
    if (env.via !== undefined) return this.relay(env);
    if (env.tree !== undefined) this.forwardBroadcast(env);
    const cell = this.cells.get(env.to);
    if (cell !== undefined) {
      cell.mailbox.post(env);
      return;
    }
    if (env.to.startsWith('$ask:')) {
      const pending = this.temps.get(env.to);
      if (pending === undefined) return this.deadLetter(env, 'late-reply', 'the ask had already timed out');
      if (env.from !== pending.to || env.re !== pending.corr) {
        return this.deadLetter(env, 'unsolicited', `only "${pending.to}" can answer this ask, with re = ${pending.corr}`);
      }
      this.temps.delete(env.to);
      this.env.cancelTimer(pending.timer);
      this.counters.delivered++;
      if (this.env.traceLevel === 'full') this.env.trace({ t: this.env.now(), type: 'deliver', id: env.id, from: env.from, to: env.to, kind: env.kind });
      pending.resolve(env);
      return;
    }
    this.deadLetter(env, this.stoppedIds.has(env.to) ? 'actor-stopped' : 'unknown-actor');
  }

  /**
   * An envelope passing through `env.via`: a real delivery to this host, counted as a relay, then
   * sent on along the routes in force now. Routes looked up hop by hop are what make a topology
   * switch lossless: an envelope in flight when the graph changes continues on the new graph from
   * wherever it is (straight to its destination if the member it reached has left). The hop limit
   * ends any transient loop while hosts disagree about the epoch.
   */
  private relay(env: Envelope): void {
    const at = env.via!;
    const hops = (env.hops ?? 1) + 1;
    this.counters.relayed++;
    const routes = this.routes;
    let next = routes === undefined || hops > routes.maxHops ? undefined : routes.nextHop(at, env.to);
    if (next === env.to) next = undefined;
    if (this.env.traceLevel === 'full') this.env.trace({ t: this.env.now(), type: 'relay', id: env.id, at, to: env.to, next: next ?? env.to });
    this.env.route({ id: env.id, from: env.from, to: env.to, kind: env.kind, body: env.body, corr: env.corr, re: env.re, via: next, hops, tree: undefined });
  }

  /** Sends a broadcast copy on to the children of its recipient in the tree it was sent on. */
  private forwardBroadcast(env: Envelope): void {
    const children = this.routes?.broadcastChildren(env.tree!, env.from, env.to);
    if (children === undefined) {
      // The graph of that epoch is gone (far more switches than copies take to travel): the
      // subtree cannot be known, which the trace says rather than hiding.
      this.env.trace({ t: this.env.now(), type: 'broadcast-orphaned', id: env.id, from: env.from, at: env.to, epoch: env.tree! });
      return;
    }
    for (const child of children) this.sendCopy(env.from, child, env.kind, env.body, env.tree!);
  }

  /** Counts and traces a dead letter. */
  deadLetter(env: Envelope, reason: DeadLetterReason, detail?: string): void {
    this.counters.deadLetter(reason);
    // An ask from outside whose request cannot be delivered fails now, not at its timeout.
    const pending = env.from.startsWith('$ask:') ? this.temps.get(env.from) : undefined;
    if (pending !== undefined && env.re === undefined) {
      this.temps.delete(env.from);
      this.env.cancelTimer(pending.timer);
      pending.reject(new UndeliverableError(env.to, env.kind, reason, detail));
    }
    const level = this.env.traceLevel;
    if (level === 'full' || (level === 'events' && this.deadLettersTraced++ < DEAD_LETTERS_TRACED_PER_TURN)) {
      this.env.trace({ t: this.env.now(), type: 'dead-letter', id: env.id, from: env.from, to: env.to, kind: env.kind, reason, ...(detail ? { detail } : {}) });
    } else if (level === 'events') {
      const s = (this.suppressedDeadLetters ??= {});
      s[reason] = (s[reason] ?? 0) + 1;
    }
  }

  /** Called by a mailbox when an envelope was queued. */
  onArrival(cell: ActorCell): void {
    this.counters.queued++;
    if (!cell.scheduled) {
      cell.scheduled = true;
      this.ready.push(cell);
    }
  }

  /** True when some actor has envelopes waiting. */
  get hasReady(): boolean {
    return this.ready.size > 0;
  }

  /**
   * Runs ready actors, one envelope at a time each, until none is ready or `budget` is spent. The
   * budget counts envelopes both handled and sent: an actor that sends thousands per message
   * (or keeps messaging itself) must not keep its host from serving I/O.
   */
  drain(budget = Infinity): number {
    const counters = this.counters;
    const full = this.env.traceLevel === 'full';
    const sentBefore = counters.sent;
    let processed = 0;
    while (processed + counters.sent - sentBefore < budget) {
      const cell = this.ready.shift();
      if (cell === undefined) break;
      cell.scheduled = false;
      let n = 0;
      const cellSentBefore = counters.sent;
      while (
        cell.status === 'running' &&
        cell.mailbox.size > 0 &&
        n + counters.sent - cellSentBefore < THROUGHPUT &&
        processed + n + counters.sent - sentBefore < budget
      ) {
        const env = cell.mailbox.take();
        counters.queued--;
        counters.delivered++;
        if (full) this.env.trace({ t: this.env.now(), type: 'deliver', id: env.id, from: env.from, to: env.to, kind: env.kind });
        n++;
        if (!cell.process(env)) break;
      }
      processed += n;
      if (cell.status === 'running' && cell.mailbox.size > 0 && !cell.scheduled) {
        cell.scheduled = true;
        this.ready.push(cell);
      }
    }
    return processed;
  }

  markDirty(cell: ActorCell): void {
    this.dirty.push(cell);
  }

  /** Ends a turn: every draft opened in it is finished, so all states are frozen snapshots. */
  endTurn(): void {
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) dirty[i].finishTurn();
    dirty.length = 0;
    if (this.suppressedDeadLetters !== undefined) {
      const byReason = this.suppressedDeadLetters;
      this.suppressedDeadLetters = undefined;
      let count = 0;
      for (const n of Object.values(byReason)) count += n ?? 0;
      this.env.trace({ t: this.env.now(), type: 'dead-letters-summarised', count, byReason, host: this.env.hostIndex });
    }
    this.deadLettersTraced = 0;
  }

  /** Records an escalation (the cell stops itself after the current message). */
  escalate(actor: ActorId, failuresInWindow: number, windowMs: number, error: string): void {
    const t = this.env.now();
    this.escalations.push({ actor, t, failuresInWindow, error });
    this.env.trace({ t, type: 'escalate', actor, failuresInWindow, windowMs, error });
  }
}
