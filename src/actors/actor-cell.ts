import { createDraft, enableMapSet, finishDraft, freeze, isDraftable } from 'immer';
import { detachDrafts } from './detach-drafts.ts';
import type { DurableStore } from './durable-store.ts';
import { ConfigError, InvalidMessageError } from '../errors.ts';
import type { ActorContext, Behaviour } from './behaviour.ts';
import { contextFor } from './actor-context.ts';
import { ASK_TIMEOUT_KIND, isMessage, type ActorId, type Envelope, type Message } from './envelope.ts';
import type { ActorHost } from './actor-host.ts';
import { Mailbox, type MailboxOwner } from './mailbox.ts';
import { seal } from './seal.ts';
import { decide, type SupervisionPolicy } from './supervision.ts';

// Behaviour state may hold Maps and Sets; immer drafts them only with this plugin.
enableMapSet();

/** A printable description of anything a behaviour may throw (even values String() rejects). */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/**
 * An actor's own frozen copy of its props. They are plain data, and in sim mode the spawner may
 * hand one object (a peer list, say) to many actors and keep changing it: a copy, as threads mode
 * makes, means no actor can change what another was given, and the spawner's object stays its
 * own. Props a structured clone cannot copy (functions, in sim mode only) are kept as given.
 */
function ownProps(props: unknown): unknown {
  if (typeof props !== 'object' || props === null) return props;
  try {
    return seal(structuredClone(props));
  } catch {
    return props;
  }
}

/** The members when no topology is installed (frozen, like every graph's member list). */
const NO_MEMBERS: readonly ActorId[] = Object.freeze([]);

/** Where an actor is in its life. */
export type ActorStatus = 'running' | 'stopped';

/**
 * One actor's runtime: its behaviour, its state, its mailbox, its timers and its supervision
 * history. Behaviours never see the cell: they get `ctx`, a frozen capability that forwards to
 * it (see actor-context.ts), so nothing a behaviour can reach leads to the host or the key ring.
 *
 * State handling: while the host runs a turn, an actor with object state works on one immer draft
 * for all the messages it handles in that turn; the host finishes (and freezes) the drafts at the
 * end of the turn. This amortises immer's cost over a batch instead of paying it per message.
 * A state immer does not draft (an instance of a class of the behaviour's own) is the escape
 * hatch for hot actors: the behaviour updates it in place, and a snapshot is a deep copy.
 */
export class ActorCell implements ActorContext, MailboxOwner {
  state: unknown;
  draft: unknown = undefined;
  private durableStore: DurableStore | undefined;
  private draftable = false;
  readonly mailbox: Mailbox;
  scheduled = false;
  status: ActorStatus = 'running';
  /** Set when the actor should stop after the current message: why. */
  private stopRequested: string | undefined;
  private timers: Map<string, unknown> | undefined;
  private asks: Map<number, { readonly timer: unknown; readonly to: ActorId }> | undefined;
  private readonly failures: number[] = [];
  private rng: (() => number) | undefined;
  /** What the behaviour is given as its context. */
  readonly ctx: ActorContext;
  readonly props: unknown;

  constructor(
    private readonly host: ActorHost,
    readonly self: ActorId,
    readonly behaviour: Behaviour,
    readonly behaviourName: string,
    props: unknown,
    readonly policy: SupervisionPolicy,
    mailboxCapacity: number,
    /** 0 for the first actor under this id on this host, then 1, 2... (a crash and recover). */
    private readonly incarnation = 0,
  ) {
    this.mailbox = new Mailbox(mailboxCapacity, this);
    this.props = ownProps(props);
    this.ctx = contextFor(this);
  }

  /** Mailbox callback: a full mailbox dead-letters the envelope. */
  onOverflow(env: Envelope): void {
    this.host.deadLetter(env, 'mailbox-full', `capacity ${this.mailbox.capacity}`);
  }

  /** Mailbox callback: an envelope was queued. */
  onArrival(): void {
    this.host.onArrival(this);
  }

  /** Runs `init`; throws what init throws (the caller decides what a failed init means). */
  start(): void {
    this.setState(this.behaviour.init(this.ctx));
  }

  private setState(next: unknown): void {
    this.state = next;
    this.draftable = typeof next === 'object' && next !== null && isDraftable(next);
    if (this.draftable) freeze(next, true);
  }

  /**
   * The state as an immutable value: immer states are already frozen snapshots; a state the
   * behaviour owns (a class instance) is copied deeply and the copy frozen.
   */
  snapshotState(): unknown {
    this.finishTurn();
    const s = this.state;
    if (this.draftable || typeof s !== 'object' || s === null) return s;
    return freeze(structuredClone(s), true);
  }

  /** Finishes this turn's draft, making the new state an immutable snapshot. */
  finishTurn(): void {
    if (this.draft === undefined) return;
    const draft = this.draft;
    this.draft = undefined;
    try {
      this.state = finishDraft(draft);
    } catch (error) {
      // The turn's changes cannot be finished (e.g. the state took in something immer cannot
      // freeze): the actor keeps its last snapshot and its supervisor hears of the failure.
      this.fail({ id: 0, from: this.self, to: this.self, kind: '$end-of-turn', body: undefined }, error);
      this.stopIfRequested();
    }
  }

  /** Handles one envelope (the host took it from the mailbox). Returns false once stopped. */
  process(env: Envelope): boolean {
    if (env.re !== undefined && this.asks !== undefined) {
      // Only the asked actor's reply settles an ask (`from` is runtime-stamped, `re` is not).
      const pending = this.asks.get(env.re);
      if (pending !== undefined && pending.to === env.from) {
        this.asks.delete(env.re);
        this.host.env.cancelTimer(pending.timer);
      }
    }
    try {
      let s = this.state;
      if (this.draftable) {
        if (this.draft === undefined) {
          this.draft = createDraft(this.state as object);
          this.host.markDirty(this);
        }
        s = this.draft;
      }
      // Each envelope object reaches one recipient once (a duplicate is a copy), so what it does
      // to the envelope stays its own; freezing it per delivery would cost ~40% of in-thread
      // message throughput. The body, which recipients may share, is frozen by the sender.
      const r = this.behaviour.receive(s as never, env, this.ctx);
      if (r !== undefined && r !== s) this.replaceState(r);
    } catch (error) {
      this.fail(env, error);
    }
    this.stopIfRequested();
    return this.status === 'running';
  }

  /** Carries out a stop asked for during the message (by the actor or its supervisor). */
  private stopIfRequested(): void {
    if (this.stopRequested !== undefined && this.status === 'running') this.host.stopActor(this.self, this.stopRequested);
  }

  private replaceState(next: unknown): void {
    if (this.draft !== undefined) {
      // A replacement built from the old draft (e.g. `{ ...state, n }`) may hold drafts at any
      // depth: take their current values before the old draft is revoked.
      next = detachDrafts(next);
      finishDraft(this.draft);
      this.draft = undefined;
    }
    this.setState(next);
  }

  private fail(env: Envelope, error: unknown): void {
    const host = this.host;
    const now = host.env.now();
    const directive = decide(this.policy, this.failures, now);
    const message = errorText(error);
    host.env.trace({ t: now, type: 'failure', actor: this.self, kind: env.kind, error: message, directive, failuresInWindow: this.failures.length });
    switch (directive) {
      case 'resume':
        // State keeps whatever the failing receive changed before it threw (as with a mutable
        // actor in Akka); restart is the strategy for "throw the state away".
        return;
      case 'restart':
        this.restart(`failure: ${message}`);
        return;
      case 'stop':
        this.stopRequested = `supervision: strategy stop after ${message}`;
        return;
      case 'escalate':
        host.escalate(this.self, this.failures.length, this.policy.windowMs, message);
        this.stopRequested = `escalated: ${this.failures.length} failures within ${this.policy.windowMs} ms`;
        return;
    }
  }

  /** Re-initialises the actor: the mailbox is kept, timers, pending asks and state are not. */
  restart(reason: string): void {
    this.cancelAll();
    if (this.draft !== undefined) {
      finishDraft(this.draft);
      this.draft = undefined;
    }
    try {
      this.start();
      this.host.env.trace({ t: this.host.env.now(), type: 'restart', actor: this.self, reason, host: this.host.env.hostIndex });
    } catch (error) {
      const message = errorText(error);
      this.host.escalate(this.self, this.failures.length, this.policy.windowMs, `init failed during restart: ${message}`);
      this.stopRequested = `init failed during restart: ${message}`;
    }
  }

  /** Cancels every timer and pending ask (on stop and restart). */
  cancelAll(): void {
    const env = this.host.env;
    if (this.timers) for (const h of this.timers.values()) env.cancelTimer(h);
    if (this.asks) for (const a of this.asks.values()) env.cancelTimer(a.timer);
    this.timers = undefined;
    this.asks = undefined;
  }

  // ---- ActorContext ----

  send(to: ActorId, message: Message): void {
    if (!isMessage(message)) throw new InvalidMessageError(`ctx.send from "${this.self}" to "${to}"`, message);
    this.host.send(this.self, to, message.kind, this.detach(message.body), undefined, undefined);
  }

  broadcast(message: Message): number {
    if (!isMessage(message)) throw new InvalidMessageError(`ctx.broadcast from "${this.self}"`, message);
    return this.host.broadcast(this.self, message.kind, this.detach(message.body));
  }

  members(): readonly ActorId[] {
    return this.host.routes?.members() ?? NO_MEMBERS;
  }

  requestTopology(spec: unknown, reason: string): void {
    const env = this.host.env;
    if (env.requestTopology === undefined) return;
    env.requestTopology(this.self, this.detach(spec), typeof reason === 'string' ? reason : String(reason));
  }

  reply(request: Envelope, message: Message): void {
    if (!isMessage(message)) throw new InvalidMessageError(`ctx.reply from "${this.self}" to "${request.from}"`, message);
    this.host.send(this.self, request.from, message.kind, this.detach(message.body), undefined, request.corr);
  }

  ask(to: ActorId, message: Message, options: { timeoutMs: number }): number {
    if (!isMessage(message)) throw new InvalidMessageError(`ctx.ask from "${this.self}" to "${to}"`, message);
    const timeoutMs = options?.timeoutMs;
    if (!(timeoutMs > 0)) throw new ConfigError(`ctx.ask(...).timeoutMs in "${this.self}"`, 'a number of ms > 0', timeoutMs);
    const corr = this.host.nextCorrelation();
    const kind = message.kind;
    const timer = this.host.env.startTimer(
      timeoutMs,
      () => {
        if (!this.asks?.delete(corr)) return;
        this.host.sendToSelf(this, ASK_TIMEOUT_KIND, {
          corr,
          to,
          kind,
          timeoutMs,
          error: `AskTimeoutError: no reply from "${to}" to "${kind}" within ${timeoutMs} ms`,
        });
      },
      this.self,
    );
    (this.asks ??= new Map()).set(corr, { timer, to });
    this.host.send(this.self, to, kind, this.detach(message.body), corr, undefined);
    return corr;
  }

  setTimer(key: string, delayMs: number, message: Message): void {
    if (!isMessage(message)) throw new InvalidMessageError(`ctx.setTimer("${key}") in "${this.self}"`, message);
    if (!(delayMs >= 0)) throw new ConfigError(`ctx.setTimer("${key}").delayMs in "${this.self}"`, 'a number of ms >= 0', delayMs);
    this.cancelTimer(key);
    const body = this.detach(message.body);
    const handle = this.host.env.startTimer(
      delayMs,
      () => {
        if (this.timers === undefined || this.timers.get(key) !== handle) return;
        this.timers.delete(key);
        this.host.sendToSelf(this, message.kind, body);
      },
      this.self,
    );
    (this.timers ??= new Map()).set(key, handle);
  }

  cancelTimer(key: string): void {
    const h = this.timers?.get(key);
    if (h !== undefined) {
      this.host.env.cancelTimer(h);
      this.timers!.delete(key);
    }
  }

  now(): number {
    return this.host.env.now();
  }

  get durable(): DurableStore {
    return (this.durableStore ??= Object.freeze(this.host.durables.of(this.self)));
  }

  sign(data: string): string {
    if (typeof data !== 'string') throw new ConfigError(`ctx.sign(data) in "${this.self}"`, 'a string', data);
    return this.host.keys.sign(this.self, data);
  }

  verify(signer: ActorId, data: string, signature: string): boolean {
    return this.host.keys.verify(signer, data, signature);
  }

  encryptFor(to: ActorId, plaintext: string): string {
    if (typeof to !== 'string' || to.length === 0) throw new ConfigError(`ctx.encryptFor(to, plaintext) in "${this.self}"`, 'an actor id', to);
    if (typeof plaintext !== 'string') throw new ConfigError(`ctx.encryptFor(to, plaintext) in "${this.self}"`, 'a string to encrypt', plaintext);
    return this.host.keys.encrypt(this.self, to, plaintext);
  }

  decryptFrom(from: ActorId, box: string): string | undefined {
    return this.host.keys.decrypt(this.self, from, box);
  }

  random(): number {
    // A recovered actor must not replay the random draws of its first life (a Raft node would
    // pick the same election timeouts again); still seeded, so runs stay reproducible.
    return (this.rng ??= this.host.env.randomFor(this.incarnation === 0 ? this.self : `${this.self}#${this.incarnation}`))();
  }

  emit(event: Readonly<Record<string, unknown>>): void {
    if (this.host.env.traceLevel === 'off') return;
    this.host.env.trace({ t: this.host.env.now(), type: 'emit', actor: this.self, event: this.detach(event) as Record<string, unknown> });
  }

  stop(): void {
    this.stopRequested ??= 'stopped itself';
  }

  /**
   * What leaves the actor (a body, a timer's message, a trace event) must not carry pieces of
   * this turn's draft (they are revoked when it ends), and is frozen: in sim mode, and between
   * actors of one worker, the recipients share the sender's object, so a recipient that could
   * change it would rewrite what the sender said to the others (a duplicated envelope, a
   * broadcast, the same body sent to many).
   */
  private detach<T>(body: T): T {
    return seal(this.draft === undefined ? body : detachDrafts(body));
  }
}
