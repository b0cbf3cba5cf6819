import { ActorHost, type SpawnOptions } from '../../actors/actor-host.ts';
import type { ActorId, Envelope, Message } from '../../actors/envelope.ts';
import type { HostEnvironment } from '../../actors/host-environment.ts';
import { KeyRing } from '../../actors/key-ring.ts';
import { loadBehaviour, refName, validateRef, type BehaviourRef } from '../../actors/registry.ts';
import type { TraceEvent, TraceLevel } from '../../actors/trace-event.ts';
import type { SupervisionPolicy } from '../../actors/supervision.ts';
import { UnknownActorError } from '../../errors.ts';
import { importUserModule } from '../../user-module.ts';
import { buildTopology, type Member, type TopologySpec } from '../../topologies/index.ts';
import { createPrng, type Prng } from '../prng.ts';
import { EventQueue, type SimEvent } from '../event-queue.ts';
import { sampleLatency, type LatencyDistribution } from '../link-model.ts';
import { NetworkFaults, type NetworkCondition, type NetworkFaultState } from '../network-faults.ts';
import { TopologyRouter } from '../topology-router.ts';
import type { Transport } from '../transport.ts';
import { findUncloneable } from './clone-check.ts';
import { HostCounters } from './host-counters.ts';
import type { TopologyRequest, WorkerApi, WorkerEvents, WorkerInit } from './protocol.ts';

/** Envelopes one turn may process before the host yields to I/O (incoming batches, timers, RPC). */
const TURN_BUDGET = 8192;

/**
 * Trace events a worker may have posted that main has not yet taken in. Beyond it the worker
 * pauses its turns: with every send and delivery traced, workers produce events faster than main
 * can record them, and an unbounded backlog would delay every control call (a topology switch
 * among them) by seconds and grow main's memory without limit.
 */
const TRACE_WINDOW = 8_192;

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer longer than setTimeout allows, as a chain of shorter ones. */
interface LongTimer {
  timer: NodeJS.Timeout | undefined;
}
const isLongTimer = (h: unknown): h is LongTimer => typeof h === 'object' && h !== null && 'timer' in h;

/** A batch this large is posted at once instead of waiting for the end of the turn (pipelining). */
const BATCH_MAX = 1024;

/** The worker a `$ask:<worker>:<n>` address names, if it is well formed and the worker exists. */
function askAddressWorker(to: string, workers: number): number | undefined {
  const m = /^\$ask:(\d+):\d+$/.exec(to);
  const h = m ? Number(m[1]) : NaN;
  return h < workers ? h : undefined;
}

/**
 * How long a reordering network condition without a latency of its own holds each envelope:
 * threads mode has no modelled link latency to draw from, so a small jitter lets later envelopes
 * overtake earlier ones.
 */
const REORDER_JITTER: LatencyDistribution = { kind: 'uniform', minMs: 0, maxMs: 2 };

/** What a pause holds for one actor until it resumes: envelopes for it, and its timers that fired. */
interface PauseHold {
  readonly envs: Envelope[];
  readonly fires: (() => void)[];
}

/** Envelope ids are `worker * 2^40 + sequence`: unique across workers, exact as doubles. */
const ID_STRIDE = 2 ** 40;

/**
 * The threads-mode environment of one worker: real time and timers, a route directory, outboxes
 * per peer flushed in batches at the end of each turn, counters published to shared memory
 * before anything leaves the worker (so main can reconcile a crash at any instant), and the
 * control-plane API main calls over comlink.
 */
export class WorkerHost implements HostEnvironment, WorkerApi {
  readonly hostIndex: number;
  readonly traceLevel: TraceLevel;
  readonly host: ActorHost;
  private readonly directory = new Map<ActorId, number>();
  private readonly deadPeers = new Set<number>();
  private readonly outboxes: Envelope[][];
  private readonly posted: Float64Array;
  private readonly received: Float64Array;
  private readonly counters: HostCounters;
  private readonly activity: Int32Array;
  private traceBuf: TraceEvent[] = [];
  private stopsToReport: { actor: ActorId; reason: string }[] = [];
  private controlSends = 0;
  private stoppingForMain = false;
  private escalationsReported = 0;
  private turnScheduled = false;
  private envelopeSeq = 0;
  private readonly preloaded: Promise<unknown>;
  private readonly router = new TopologyRouter();
  private readonly traceAck: Int32Array;
  private tracePosted = 0;
  private topologyRequests: TopologyRequest[] = [];
  /** Faults in force (main's copy); undefined in a healthy run, so routing pays one test. */
  private faults: NetworkFaults | undefined;
  private linkRng: Prng | undefined;
  /**
   * Envelopes a fault holds on this worker outside any mailbox (delayed by latency, or waiting
   * for a paused actor): counted as sent and not yet delivered, so published as queued.
   */
  private held = 0;
  /** Envelopes delayed by a network condition's latency, by due time (epoch ms). */
  private readonly delayed = new EventQueue();
  private delaySeq = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private delayArmedFor = Infinity;
  /** Per-link due time of the last delayed envelope (links keep FIFO order unless a condition reorders). */
  private readonly lastDue = new Map<ActorId, Map<ActorId, number>>();
  /** Defined while some actor is paused (or something is still held for one). */
  private pauseHeld: Map<ActorId, PauseHold> | undefined;
  private readonly pauseTimers = new Map<ActorId, NodeJS.Timeout>();
  /** Crashed actors being spawned again here: what reaches them waits, as for a pause. */
  private readonly recovering = new Set<ActorId>();
  /** Spawns under way (loading a behaviour takes a while): a crash laid meanwhile waits for them. */
  private readonly spawning = new Map<ActorId, Promise<void>>();

  /**
   * `onPublish`, when given, runs right after each cut is published and before anything that cut
   * covers leaves the host: a host in another process (src/net/) ships the cut from there.
   */
  constructor(
    private readonly init: WorkerInit,
    private readonly transport: Transport,
    private readonly events: { postMessage(m: unknown): void },
    private readonly onPublish?: () => void,
  ) {
    this.hostIndex = init.index;
    this.traceLevel = init.traceLevel;
    const keys = new KeyRing(init.signatures, init.signingSecret);
    this.host = new ActorHost(this, { mailboxCapacity: init.mailboxCapacity, supervision: init.supervision, keys });
    this.outboxes = Array.from({ length: init.workers }, () => []);
    this.posted = new Float64Array(init.workers);
    this.received = new Float64Array(init.workers);
    this.counters = new HostCounters(init.counters, init.workers);
    this.activity = new Int32Array(init.activity);
    this.traceAck = new Int32Array(init.traceAck);
    transport.onBatch((from, batch) => this.onBatch(from, batch));
    this.preloaded = Promise.all(init.preload.map((m) => importUserModule(m)));
  }

  // ---- HostEnvironment ----

  now(): number {
    return performance.timeOrigin + performance.now();
  }

  nextEnvelopeId(): number {
    return this.hostIndex * ID_STRIDE + ++this.envelopeSeq;
  }

  randomFor(actor: ActorId): () => number {
    return createPrng(this.init.seed, actor);
  }

  trace(event: TraceEvent): void {
    if (this.traceLevel !== 'off') this.traceBuf.push(event);
  }

  route(env: Envelope): void {
    if (this.faults !== undefined && this.applyFaults(env)) return;
    this.forward(env);
  }

  /** Routes an envelope no fault stops: to a local mailbox, or to the outbox of its hop's worker. */
  private forward(env: Envelope): void {
    let h = this.directory.get(env.via ?? env.to);
    // Temporary ask addresses name their worker; anything else unknown (or malformed) is
    // dead-lettered here, by the local host.
    if (h === undefined) h = askAddressWorker(env.to, this.outboxes.length) ?? this.hostIndex;
    if (h === this.hostIndex) this.deliverHere(env);
    else if (this.deadPeers.has(h)) {
      // The relay's worker is down: skip the relay rather than lose an envelope between two
      // live actors (the topology is a routing preference, not a reason to drop).
      if (env.via !== undefined) this.route({ ...env, via: undefined });
      else this.host.deadLetter(env, 'host-crashed', `worker ${h} is down`);
    } else {
      const box = this.outboxes[h];
      box.push(env);
      // Flush every outbox, not just the full one: a published cut must never leave an envelope
      // counted as sent but sitting in an outbox, or a crash right after it could not account for it.
      if (box.length >= BATCH_MAX) this.flushPeers(0, this.outboxes.length, true);
    }
  }

  /** Delivers on this host, unless the envelope's actor is paused: then it waits (held) until it resumes. */
  private deliverHere(env: Envelope): void {
    if (this.pauseHeld !== undefined && env.via === undefined && this.holdForPause(env)) return;
    this.host.deliver(env);
  }

  /**
   * Applies the faults in force to an envelope at the worker that routes it (the sender's, or a
   * relay's for a relayed hop), as SimSystem.route does: a cut drops it (`partition` /
   * `isolated`), a condition may drop it (`drop`), copy it (`duplicate`, one more envelope in the
   * books) or delay it (latency, reordering). True when the envelope was dropped or is held.
   */
  private applyFaults(env: Envelope): boolean {
    // The operator's envelopes (`$system`, an `$ask:` and its reply) are not network traffic.
    if (env.from.charCodeAt(0) === 36 /* $ */ || env.to.charCodeAt(0) === 36) return false;
    const f = this.faults!;
    const hop = env.via ?? env.to;
    const cut = f.cut(env.from, hop);
    if (cut !== undefined) {
      this.dropEnvelope(env, cut);
      return true;
    }
    if (!f.conditioned) return false;
    const c = f.conditionOf(env.from, hop);
    if (c === undefined) return false;
    const rng = (this.linkRng ??= createPrng(this.init.seed, `$link:${this.hostIndex}`));
    if (c.dropRate !== undefined && c.dropRate > 0 && rng() < c.dropRate) {
      this.dropEnvelope(env, 'drop');
      return true;
    }
    const delays = c.latency !== undefined || c.reorder === true;
    if (c.duplicateRate !== undefined && c.duplicateRate > 0 && rng() < c.duplicateRate) {
      // One more envelope, sent by the fault; a copy, so the first recipient cannot touch the second's.
      this.host.counters.sent++;
      this.trace({ t: this.now(), type: 'duplicate', id: env.id, from: env.from, to: env.to, kind: env.kind, fault: 'duplicate' });
      const copy = { ...env };
      if (delays) this.delay(copy, c, rng);
      else this.forward(copy);
    }
    if (!delays) return false;
    this.delay(env, c, rng);
    return true;
  }

  private dropEnvelope(env: Envelope, fault: string): void {
    this.host.counters.drop(fault);
    this.trace({ t: this.now(), type: 'drop', id: env.id, from: env.from, to: env.to, kind: env.kind, fault });
  }

  /** Holds an envelope here for a latency drawn from the condition, then routes it on. */
  private delay(env: Envelope, c: NetworkCondition, rng: Prng): void {
    const now = this.now();
    let due = now + sampleLatency(c.latency ?? REORDER_JITTER, rng);
    if (c.reorder !== true) {
      let byTo = this.lastDue.get(env.from);
      if (byTo === undefined) this.lastDue.set(env.from, (byTo = new Map()));
      const last = byTo.get(env.to);
      if (last !== undefined && last > due) due = last;
      byTo.set(env.to, due);
    }
    this.held++;
    this.delayed.push({ time: due, seq: ++this.delaySeq, env, fire: undefined, owner: undefined, cancelled: false } satisfies SimEvent);
    if (due < this.delayArmedFor) this.armDelayTimer(due, now);
  }

  private armDelayTimer(due: number, now: number): void {
    if (this.delayTimer !== undefined) clearTimeout(this.delayTimer);
    this.delayArmedFor = due;
    this.delayTimer = setTimeout(this.releaseDelayed, Math.max(0, due - now));
  }

  /** Routes on every delayed envelope that is due, then re-arms for the next one. */
  private readonly releaseDelayed = (): void => {
    this.delayTimer = undefined;
    this.delayArmedFor = Infinity;
    const now = this.now();
    for (let ev = this.delayed.peek(); ev !== undefined && ev.time <= now; ev = this.delayed.peek()) {
      this.delayed.pop();
      this.held--;
      this.forward(ev.env!);
    }
    const next = this.delayed.peek();
    if (next !== undefined) this.armDelayTimer(next.time, now);
    else this.lastDue.clear();
    this.kick();
  };

  /** Holds an envelope for a paused actor; false when its actor is not paused. */
  private holdForPause(env: Envelope): boolean {
    if (!this.recovering.has(env.to) && this.faults?.pausedUntil(env.to, this.now()) === undefined) return false;
    this.pauseHoldOf(env.to).envs.push(env);
    this.held++;
    return true;
  }

  private pauseHoldOf(id: ActorId): PauseHold {
    const map = (this.pauseHeld ??= new Map());
    let h = map.get(id);
    if (h === undefined) map.set(id, (h = { envs: [], fires: [] }));
    return h;
  }

  /** Hands what pauses held to every actor that is no longer paused (its mailbox, its timers). */
  private releasePauses(): void {
    const held = this.pauseHeld;
    if (held === undefined) return;
    const now = this.now();
    for (const [id, h] of held) {
      if (this.recovering.has(id) || this.faults?.pausedUntil(id, now) !== undefined) continue;
      held.delete(id);
      this.held -= h.envs.length;
      for (const env of h.envs) this.host.deliver(env);
      for (const fire of h.fires) fire();
    }
    if (held.size === 0 && this.faults?.anyPaused !== true && this.recovering.size === 0) this.pauseHeld = undefined;
  }

  requestTopology(actor: ActorId, spec: unknown, reason: string): void {
    this.topologyRequests.push({ actor, spec, reason });
  }

  actorStopped(actor: ActorId, reason: string): void {
    // Main already knows about stops it asked for (and may have reused the id since).
    if (!this.stoppingForMain) this.stopsToReport.push({ actor, reason });
  }

  startTimer(delayMs: number, fire: () => void, owner?: ActorId): unknown {
    // A skewed clock runs its owner's timers faster or slower; a paused owner's timers wait.
    if (this.faults !== undefined) delayMs = this.faults.timerDelay(delayMs, owner);
    const done = (): void => {
      if (this.pauseHeld !== undefined && owner !== undefined && this.faults?.pausedUntil(owner, this.now()) !== undefined) {
        this.pauseHoldOf(owner).fires.push(fire);
        return;
      }
      fire();
      this.kick();
    };
    if (delayMs <= MAX_TIMER_MS) return setTimeout(done, delayMs);
    // Node fires any delay above 2^31 - 1 ms (~24.8 days) after 1 ms instead: chain shorter ones.
    const long: LongTimer = { timer: undefined };
    const due = performance.now() + delayMs;
    const arm = (): void => {
      const left = due - performance.now();
      long.timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(done, Math.max(left, 0));
    };
    arm();
    return long;
  }

  cancelTimer(handle: unknown): void {
    clearTimeout(isLongTimer(handle) ? handle.timer : (handle as NodeJS.Timeout));
  }

  // ---- turns ----

  private onBatch(from: number, batch: Envelope[]): void {
    const host = this.host;
    const received = this.received;
    // Counted one by one: delivering a relayed or broadcast envelope can send, and a full outbox
    // publishes a cut mid-batch; that cut must not count as received what is not yet queued.
    for (let i = 0; i < batch.length; i++) {
      received[from]++;
      if (this.pauseHeld !== undefined) this.deliverHere(batch[i]);
      else host.deliver(batch[i]);
    }
    this.kick();
  }

  /** Schedules a turn (coalesced: many incoming batches are delivered before it runs). */
  kick(): void {
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.runTurn);
    }
  }

  private readonly runTurn = (): void => {
    if (((this.tracePosted - Atomics.load(this.traceAck, 0)) | 0) > TRACE_WINDOW) {
      // Main is behind on the trace: try again shortly (a timer, so I/O and RPC still run).
      // The turn stays scheduled meanwhile, so kick() does not queue another.
      this.turnScheduled = true;
      if (!this.resumePending) {
        this.resumePending = true;
        setTimeout(this.resumeTurn, 1);
      }
      return;
    }
    this.turnScheduled = false;
    this.host.drain(TURN_BUDGET);
    this.host.endTurn();
    const more = this.host.hasReady;
    this.flush(more);
    if (more) this.kick();
  };

  private resumePending = false;

  private readonly resumeTurn = (): void => {
    this.resumePending = false;
    this.runTurn();
  };

  /** End of turn: posts every outbox, then the trace. `busy`: actors are ready for another turn. */
  private flush(busy: boolean): void {
    this.flushPeers(0, this.outboxes.length, busy);
    const host = this.host;
    const stopped = this.stopsToReport.length > 0 ? this.stopsToReport : undefined;
    const escalations = host.escalations.length > this.escalationsReported ? host.escalations.slice(this.escalationsReported) : undefined;
    const topologyRequests = this.topologyRequests.length > 0 ? this.topologyRequests : undefined;
    if (this.traceBuf.length === 0 && !stopped && !escalations && !topologyRequests) return;
    this.stopsToReport = [];
    this.topologyRequests = [];
    this.escalationsReported = host.escalations.length;
    const trace = this.traceBuf;
    this.traceBuf = [];
    this.tracePosted = (this.tracePosted + trace.length) | 0;
    try {
      this.events.postMessage({ trace, stopped, escalations, topologyRequests } satisfies WorkerEvents);
    } catch {
      // A user event that cannot be cloned must not cost the runtime its trace.
      const safe = trace.map((ev) => (findUncloneable(ev, 'event') ? { ...ev, event: { unserializable: true } } : ev));
      this.events.postMessage({
        trace: safe as TraceEvent[],
        stopped,
        escalations,
        topologyRequests: topologyRequests?.map((r) => ({ ...r, spec: findUncloneable(r.spec, 'spec') ? String(r.spec) : r.spec })),
      } satisfies WorkerEvents);
    }
  }

  /**
   * Posts the outboxes of peers [from, to). Counters are published first, so that a crash at any
   * instant leaves main a cut in which every envelope is queued, in transit, or accounted.
   */
  private flushPeers(from: number, to: number, busy: boolean): void {
    const outboxes = this.outboxes;
    let any = false;
    for (let h = from; h < to; h++) {
      if (outboxes[h].length === 0) continue;
      this.posted[h] += outboxes[h].length;
      any = true;
    }
    this.publish(busy);
    if (!any) return;
    let republish = false;
    for (let h = from; h < to; h++) {
      const batch = outboxes[h];
      if (batch.length === 0) continue;
      outboxes[h] = [];
      try {
        this.transport.post(h, batch);
      } catch {
        republish = true;
        this.postCloneable(h, batch);
      }
    }
    if (republish) this.publish(busy);
  }

  /** A batch failed to clone: dead-letter the envelopes that cannot cross, post the rest. */
  private postCloneable(h: number, batch: Envelope[]): void {
    const good: Envelope[] = [];
    for (const env of batch) {
      const bad = findUncloneable(env.body, 'body');
      if (bad) {
        this.posted[h]--;
        this.host.deadLetter(
          env,
          'not-serializable',
          `"${env.kind}" from "${env.from}" to "${env.to}": ${bad.path} cannot be cloned between threads (${bad.error})`,
        );
      } else good.push(env);
    }
    if (good.length > 0) this.transport.post(h, good);
  }

  private publish(busy: boolean): void {
    this.counters.publish(this.host.counters, this.posted, this.received, busy, this.controlSends, this.held);
    this.onPublish?.();
    Atomics.add(this.activity, 0, 1);
    Atomics.notify(this.activity, 0);
  }

  // ---- WorkerApi (control plane, over comlink) ----

  async ready(): Promise<number> {
    await this.preloaded;
    return this.hostIndex;
  }

  async spawn(id: ActorId, ref: BehaviourRef, options: SpawnOptions): Promise<SupervisionPolicy> {
    const spawned = this.spawnNow(id, ref, options);
    const settled = spawned.then(
      () => undefined,
      () => undefined,
    );
    this.spawning.set(id, settled);
    try {
      return await spawned;
    } finally {
      if (this.spawning.get(id) === settled) this.spawning.delete(id);
    }
  }

  private async spawnNow(id: ActorId, ref: BehaviourRef, options: SpawnOptions): Promise<SupervisionPolicy> {
    await this.preloaded;
    const valid = validateRef(ref, `spawn("${id}").behaviour`);
    const behaviour = await loadBehaviour(valid);
    this.directory.set(id, this.hostIndex);
    let cell;
    try {
      cell = this.host.spawn(id, behaviour, refName(valid), options);
    } catch (e) {
      this.directory.delete(id);
      throw e;
    }
    this.runTurn();
    return cell.policy;
  }

  setRoutes(entries: [ActorId, number | undefined][]): void {
    for (const [id, h] of entries) {
      if (h === undefined) this.directory.delete(id);
      else this.directory.set(id, h);
    }
  }

  stop(id: ActorId): boolean {
    this.stoppingForMain = true;
    let ok: boolean;
    try {
      ok = this.host.stopActor(id, 'stopped by system');
    } finally {
      this.stoppingForMain = false;
    }
    this.runTurn();
    return ok;
  }

  snapshot(id: ActorId): unknown {
    if (!this.host.cells.has(id)) throw new UnknownActorError(id, `snapshot on worker ${this.hostIndex}`);
    return this.host.snapshot(id);
  }

  send(to: ActorId, message: Message): void {
    this.controlSends++;
    this.host.sendFromOutside(to, message);
    this.runTurn();
  }

  ask(to: ActorId, message: Message, timeoutMs: number): Promise<Envelope> {
    const { promise } = this.host.askFromOutside(to, message, timeoutMs);
    this.runTurn();
    return promise;
  }

  prepareTopology(epoch: number, spec: TopologySpec, members: readonly (Member | ActorId)[]): void {
    this.router.prepare(epoch, buildTopology(spec, members), this.now());
  }

  commitTopology(epoch: number): void {
    this.router.commit(epoch);
    this.host.routes = this.router;
  }

  peerDied(index: number): void {
    this.transport.drainFrom(index);
    this.transport.close(index);
    this.deadPeers.add(index);
    // Whatever was waiting to go to it is lost with it.
    const stranded = this.outboxes[index];
    this.outboxes[index] = [];
    for (const env of stranded) this.host.deadLetter(env, 'host-crashed', `worker ${index} died`);
    this.runTurn();
  }

  setFaults(state: NetworkFaultState): void {
    const f = NetworkFaults.fromState(state);
    this.faults = f.healthy ? undefined : f;
    const pauses = f.pauses();
    if (pauses !== undefined) {
      this.pauseHeld ??= new Map();
      const now = this.now();
      for (const [id, until] of pauses) this.armPauseTimer(id, until - now + 1);
    }
    this.releasePauses();
    this.runTurn();
  }

  /** Releases what a pause held for `id` once it is over (waiting for the rest if the timer fired early). */
  private armPauseTimer(id: ActorId, delayMs: number): void {
    clearTimeout(this.pauseTimers.get(id));
    this.pauseTimers.set(
      id,
      setTimeout(
        () => {
          this.pauseTimers.delete(id);
          this.releasePauses();
          const now = this.now();
          const until = this.faults?.pausedUntil(id, now);
          if (until !== undefined) this.armPauseTimer(id, until - now + 1);
          this.kick();
        },
        Math.max(0, delayMs),
      ),
    );
  }

  async crash(id: ActorId): Promise<boolean> {
    // A crash laid right after a spawn or recovery hits the actor, not the gap before it.
    await this.spawning.get(id);
    this.stoppingForMain = true;
    let ok: boolean;
    try {
      ok = this.host.stopActor(id, 'crashed');
    } finally {
      this.stoppingForMain = false;
    }
    // What a pause held for it dies with it, like its mailbox (dead-lettered `actor-stopped`).
    const h = this.pauseHeld?.get(id);
    if (h !== undefined) {
      this.pauseHeld!.delete(id);
      this.held -= h.envs.length;
      for (const env of h.envs) this.host.deliver(env);
    }
    this.runTurn();
    return ok;
  }

  /**
   * Compromises `id` here (FaultControl.compromise): crashed and recovered under `ref` in one
   * control call, so nothing that arrives between the two is lost (what comes while the new
   * behaviour loads is held, as in a recovery); its mailbox at the crash is dead-lettered.
   */
  async compromise(id: ActorId, ref: BehaviourRef, options: SpawnOptions): Promise<SupervisionPolicy> {
    await this.crash(id);
    return this.recover(id, ref, options, false);
  }

  restoreDurable(id: ActorId, entries: [string, unknown][]): void {
    if (this.host.cells.has(id)) throw new Error(`restoreDurable("${id}"): it is running here; its store is its own`);
    this.host.durables.seed(id, entries);
  }

  async recover(id: ActorId, ref: BehaviourRef, options: SpawnOptions, wipe: boolean): Promise<SupervisionPolicy> {
    if (wipe) this.host.durables.wipe(id);
    // Until it is spawned (loading its behaviour may take a while), what reaches it is held.
    this.directory.set(id, this.hostIndex);
    this.pauseHeld ??= new Map();
    this.recovering.add(id);
    try {
      return await this.spawn(id, ref, options);
    } finally {
      this.recovering.delete(id);
      this.releasePauses();
      this.runTurn();
    }
  }

  close(): void {
    this.runTurn();
  }
}
