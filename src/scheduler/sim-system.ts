import { Subject } from 'rxjs';
import { ActorHost, type SpawnOptions } from '../actors/actor-host.ts';
import type { MessageAccounting } from '../actors/counters.ts';
import { isMessage, type ActorId, type Envelope, type Message } from '../actors/envelope.ts';
import type { HostEnvironment } from '../actors/host-environment.ts';
import { KeyRing, signatureScheme, type SignatureScheme } from '../actors/key-ring.ts';
import { loadBehaviour, refName, validateRef, type BehaviourRef } from '../actors/registry.ts';
import type { SupervisionPolicy } from '../actors/supervision.ts';
import type { TraceEvent, TraceLevel } from '../actors/trace-event.ts';
import { ConfigError, InvalidMessageError, SystemStoppedError, UnknownActorError } from '../errors.ts';
import type { ActorSystem, RunResult, SystemStatus } from './actor-system.ts';
import { EventQueue, type SimEvent } from './event-queue.ts';
import { DEFAULT_LINK, sampleLatency, validateLinkModel, type LatencyDistribution, type LinkModel } from './link-model.ts';
import { createPrng, type Prng } from './prng.ts';
import { TraceRecorder } from './trace-recorder.ts';
import { RingQueue } from '../actors/ring-queue.ts';
import type { Member, RouteGraph, TopologySpec } from '../topologies/index.ts';
import { TopologyControl, type SwitchOptions, type TopologySwitch } from './topology-control.ts';
import { TopologyRouter } from './topology-router.ts';
import { NetworkFaults, type NetworkCondition } from './network-faults.ts';
import type { FaultControl } from './fault-control.ts';
import { SimFaults, type SpawnRecord } from './sim-faults.ts';

/**
 * Options of a sim-mode system.
 *
 * @example
 * ```ts
 * const sim = new SimSystem({ seed: 42, link: { latency: { kind: 'fixed', ms: 2 } }, traceLevel: 'full', keepTrace: true });
 * ```
 */
export interface SimOptions {
  /** Seed of every random choice (latency, drops, `ctx.random()`); default 1. */
  readonly seed?: number;
  readonly link?: LinkModel;
  /** Default `events`; `full` records every send and delivery. */
  readonly traceLevel?: TraceLevel;
  /** Keep trace events in memory (`system.recorder.events`). */
  readonly keepTrace?: boolean;
  readonly mailboxCapacity?: number;
  readonly supervision?: Partial<SupervisionPolicy>;
  /**
   * How `ctx.sign` signs: `token` (default), a cheap modelled signature that is unforgeable
   * within the simulation, or real `ed25519`. Keys follow from the seed, so the same seed signs
   * the same way.
   */
  readonly signatures?: SignatureScheme;
}

/** Finish drafts (freeze snapshots) at least this often, in processed time steps. */
const STEPS_PER_TURN = 1024;

/**
 * Sim mode: every actor on one thread, driven by a discrete-event loop over a virtual clock. All
 * events with the same time are delivered, then the ready actors run; equal times keep insertion
 * order, and every random draw comes from seeded streams, so a seed reproduces a run exactly.
 *
 * @example
 * ```ts
 * const sim = new SimSystem({ seed: 42 });
 * await sim.spawn('a', 'echo');
 * sim.send('a', { kind: 'ping' });
 * sim.run({ untilMs: 1000 });
 * ```
 */
export class SimSystem implements ActorSystem, HostEnvironment {
  readonly mode = 'sim' as const;
  readonly seed: number;
  readonly hostIndex = 0;
  readonly traceLevel: TraceLevel;
  /** How `ctx.sign` signs in this run. */
  readonly signatures: SignatureScheme;
  readonly trace$ = new Subject<TraceEvent>();
  readonly recorder: TraceRecorder;
  readonly host: ActorHost;
  private readonly queue = new EventQueue();
  /**
   * With a fixed latency every delivery lands at now + L, and now never decreases: deliveries are
   * then already in (time, seq) order, so they wait in a FIFO lane instead of the heap.
   */
  private readonly lane = new RingQueue<SimEvent>(1024);
  private readonly link: LinkModel;
  private readonly linkRng: Prng;
  private readonly fixedLatency: number | undefined;
  private readonly lastArrival = new Map<ActorId, Map<ActorId, number>>();
  private clock = 0;
  private seq = 0;
  private envelopeSeq = 0;
  private deliveriesQueued = 0;
  private status: SystemStatus = 'running';
  /** False once shut down (fault control refuses calls then). */
  get running(): boolean {
    return this.status === 'running';
  }
  private readonly startedAt = performance.now();
  private readonly router = new TopologyRouter();
  /** How each actor was spawned, so a crashed one can be recovered as it was. */
  readonly spawned = new Map<ActorId, SpawnRecord>();
  /** Partitions, cuts, isolated actors, network conditions, pauses and skewed clocks in force. */
  readonly network = new NetworkFaults();
  /** Crashes, partitions, network conditions, pauses and skews, laid on the virtual clock. */
  readonly faults: FaultControl;
  private readonly control = new TopologyControl();
  /** Cancelled timers still in the heap (an upper bound: some have been popped since). */
  private cancelledTimers = 0;
  private topologyRequests: { actor: ActorId; spec: unknown; reason: string }[] = [];

  constructor(options: SimOptions = {}) {
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new ConfigError('seed', 'an integer', seed);
    this.seed = seed;
    this.traceLevel = options.traceLevel ?? 'events';
    this.signatures = signatureScheme(options.signatures, 'token');
    this.link = options.link ? validateLinkModel(options.link) : DEFAULT_LINK;
    this.fixedLatency = this.link.latency.kind === 'fixed' && !this.link.overrides?.length ? this.link.latency.ms : undefined;
    this.linkRng = createPrng(seed, '$link');
    this.recorder = new TraceRecorder(this.trace$, { keep: options.keepTrace });
    const keys = new KeyRing(this.signatures, KeyRing.secretForSeed(seed), 'counter');
    this.host = new ActorHost(this, { mailboxCapacity: options.mailboxCapacity, supervision: options.supervision, keys });
    this.faults = new SimFaults(this);
  }

  // ---- HostEnvironment ----

  now(): number {
    return this.clock;
  }

  nextEnvelopeId(): number {
    return ++this.envelopeSeq;
  }

  randomFor(actor: ActorId): () => number {
    return createPrng(this.seed, actor);
  }

  trace(event: TraceEvent): void {
    if (this.traceLevel !== 'off') this.trace$.next(event);
  }

  route(env: Envelope): void {
    // Calls from outside the simulation (`$system`, an `$ask:` and its reply) are not traffic on
    // the simulated network: a partition or a lossy link must not swallow the operator's `start`
    // or the summary it waits for (the run would hang until the ask timed out).
    if (env.from.charCodeAt(0) === 36 /* $ */ || env.to.charCodeAt(0) === 36) {
      this.schedule(env);
      return;
    }
    const cut = this.network.cut(env.from, env.via ?? env.to);
    if (cut !== undefined) {
      this.dropEnvelope(env, cut);
      return;
    }
    const link = this.link;
    if (link.dropRate !== undefined && link.dropRate > 0 && this.linkRng() < link.dropRate) {
      this.dropEnvelope(env, 'link-drop');
      return;
    }
    const condition = this.network.conditioned ? this.network.conditionOf(env.from, env.via ?? env.to) : undefined;
    if (condition?.dropRate !== undefined && condition.dropRate > 0 && this.linkRng() < condition.dropRate) {
      this.dropEnvelope(env, 'drop');
      return;
    }
    const duplicateRate = condition?.duplicateRate ?? link.duplicateRate;
    if (duplicateRate !== undefined && duplicateRate > 0 && this.linkRng() < duplicateRate) {
      // The network delivers this envelope twice: the copy is one more envelope in the books,
      // sent by the fault, and travels with its own latency.
      this.host.counters.sent++;
      this.trace({ t: this.clock, type: 'duplicate', id: env.id, from: env.from, to: env.to, kind: env.kind, fault: 'duplicate' });
      // A copy, not the same object twice: the first recipient must not be able to rewrite the
      // `from` the second delivery carries (the body is frozen by the sender's runtime).
      this.schedule({ ...env }, condition);
    }
    this.schedule(env, condition);
  }

  private dropEnvelope(env: Envelope, fault: string): void {
    this.host.counters.drop(fault);
    this.trace({ t: this.clock, type: 'drop', id: env.id, from: env.from, to: env.to, kind: env.kind, fault });
  }

  /**
   * Puts a delivery on the clock: after the link's latency (or the latency of a network
   * condition in force), in per-link order unless `fifo: false` or the condition reorders.
   */
  private schedule(env: Envelope, condition?: NetworkCondition): void {
    let at: number;
    // The fixed-latency lane only holds while no condition can change a latency.
    const lane = this.fixedLatency !== undefined && !this.network.conditioned;
    if (lane) at = this.clock + this.fixedLatency!;
    else if (this.link.fifo === false || condition?.reorder === true)
      at = this.clock + sampleLatency(condition?.latency ?? this.latencyOf(env.from, env.to), this.linkRng);
    else {
      at = this.clock + sampleLatency(condition?.latency ?? this.latencyOf(env.from, env.to), this.linkRng);
      // Per-link FIFO: never overtake an envelope sent earlier on the same link. Two-level map:
      // a composite string key would allocate and hash a new string per envelope.
      let byTo = this.lastArrival.get(env.from);
      if (byTo === undefined) this.lastArrival.set(env.from, (byTo = new Map()));
      const last = byTo.get(env.to);
      if (last !== undefined && last > at) at = last;
      byTo.set(env.to, at);
    }
    this.deliveriesQueued++;
    const ev: SimEvent = { time: at, seq: ++this.seq, env, fire: undefined, owner: undefined, cancelled: false };
    if (lane) this.lane.push(ev);
    else this.queue.push(ev);
  }

  private latencyOf(from: ActorId, to: ActorId): LatencyDistribution {
    const o = this.link.overrides?.find((r) => (r.from === undefined || r.from === from) && (r.to === undefined || r.to === to));
    return o ? o.latency : this.link.latency;
  }

  requestTopology(actor: ActorId, spec: unknown, reason: string): void {
    this.topologyRequests.push({ actor, spec, reason });
  }

  startTimer(delayMs: number, fire: () => void, owner?: ActorId): unknown {
    const ev: SimEvent = { time: this.clock + this.network.timerDelay(delayMs, owner), seq: ++this.seq, env: undefined, fire, owner, cancelled: false };
    this.queue.push(ev);
    return ev;
  }

  cancelTimer(handle: unknown): void {
    const ev = handle as SimEvent;
    if (ev.cancelled) return;
    ev.cancelled = true;
    if (++this.cancelledTimers > 4096 && this.cancelledTimers * 2 > this.queue.size) {
      this.queue.compact();
      this.cancelledTimers = 0;
    }
  }

  // ---- the event loop ----

  /**
   * Processes events in (time, seq) order until the queue is empty, the next event is later than
   * `untilMs`, `stop()` returns true (checked after each time step) or `maxSteps` steps ran.
   * Returns the number of time steps processed.
   */
  run(options: { untilMs?: number; maxSteps?: number; stop?: () => boolean } = {}): number {
    this.assertRunning('run');
    const until = options.untilMs ?? Infinity;
    const maxSteps = options.maxSteps ?? Infinity;
    const host = this.host;
    const stop = options.stop;
    let steps = 0;
    let sinceTurn = 0;
    for (let t = this.nextTime(); t !== undefined && t <= until && steps < maxSteps; t = this.nextTime()) {
      this.clock = t;
      for (let ev = this.popAt(t); ev !== undefined; ev = this.popAt(t)) {
        // A paused actor neither receives nor fires timers: both wait for it to resume.
        if (this.network.anyPaused && this.holdForPause(ev)) continue;
        if (ev.env !== undefined) {
          this.deliveriesQueued--;
          host.deliver(ev.env);
        } else if (!ev.cancelled) ev.fire!();
      }
      host.drain();
      // Epoch boundary: switches actors asked for take effect between time steps.
      if (this.topologyRequests.length > 0) this.applyTopologyRequests();
      steps++;
      if (++sinceTurn >= STEPS_PER_TURN) {
        host.endTurn();
        sinceTurn = 0;
      }
      if (stop !== undefined && stop()) break;
    }
    if (until !== Infinity && until > this.clock) {
      const next = this.nextTime();
      if (next === undefined || next > until) this.clock = until;
    }
    host.endTurn();
    return steps;
  }

  private applyTopologyRequests(): void {
    const requests = this.topologyRequests;
    this.topologyRequests = [];
    for (const r of requests) {
      try {
        this.switchNow(r.spec as TopologySpec, {}, `requested by ${r.actor}: ${r.reason}`);
      } catch (e) {
        this.trace({ t: this.clock, type: 'topology-rejected', actor: r.actor, spec: r.spec, error: (e as Error).message });
      }
    }
  }

  /** Puts an event for a paused actor back on the clock, at the time it resumes. */
  private holdForPause(ev: SimEvent): boolean {
    if (ev.cancelled) return false;
    const until = this.network.pausedUntil(ev.env !== undefined ? ev.env.to : (ev.owner ?? ''), this.clock);
    if (until === undefined) return false;
    ev.time = until;
    ev.seq = ++this.seq;
    this.queue.push(ev);
    return true;
  }

  /** Time of the next event (lane or heap), if any. */
  private nextTime(): number | undefined {
    // Cancelled timers must not move the clock: drop them once they reach the head.
    while (this.queue.peek()?.cancelled) this.queue.pop();
    const a = this.lane.peek();
    const b = this.queue.peek();
    if (a === undefined) return b?.time;
    if (b === undefined) return a.time;
    return a.time <= b.time ? a.time : b.time;
  }

  /** Removes the next event if it is at time `t`, merging lane and heap by sequence. */
  private popAt(t: number): SimEvent | undefined {
    const a = this.lane.peek();
    const b = this.queue.peek();
    const aOk = a !== undefined && a.time === t;
    const bOk = b !== undefined && b.time === t;
    if (aOk && (!bOk || a.seq < b!.seq)) return this.lane.shift();
    if (bOk) return this.queue.pop();
    return undefined;
  }

  /** Envelopes in flight: scheduled deliveries plus those waiting in mailboxes. */
  get inFlight(): number {
    return this.deliveriesQueued + this.host.counters.queued;
  }

  // ---- ActorSystem ----

  async spawn(id: ActorId, behaviour: BehaviourRef, options: SpawnOptions = {}): Promise<void> {
    this.assertRunning('spawn');
    const ref = validateRef(behaviour, `spawn("${id}").behaviour`);
    const b = await loadBehaviour(ref);
    this.host.spawn(id, b, refName(ref), options);
    this.spawned.set(id, { behaviour: b, name: refName(ref), options });
  }

  /**
   * Runs `action` at virtual time now + `delayMs`, between events, as the run loop reaches it:
   * how a fault schedule (crash the leader at 1 s, heal at 2 s) is laid on a run that an `ask`
   * drives to its end. Returns a function that cancels it.
   */
  at(delayMs: number, action: () => void): () => void {
    this.assertRunning('at');
    if (!(delayMs >= 0)) throw new ConfigError('at.delayMs', 'a number of ms >= 0', delayMs);
    const handle = this.startTimer(delayMs, action);
    return () => this.cancelTimer(handle);
  }

  send(to: ActorId, message: Message): void {
    this.assertRunning('send');
    if (!isMessage(message)) throw new InvalidMessageError(`system.send to "${to}"`, message);
    this.host.sendFromOutside(to, message);
  }

  ask(to: ActorId, message: Message, options: { timeoutMs: number }): Promise<Envelope> {
    this.assertRunning('ask');
    if (!isMessage(message)) throw new InvalidMessageError(`system.ask to "${to}"`, message);
    if (!(options?.timeoutMs > 0)) throw new ConfigError('ask.timeoutMs', 'a number of ms > 0', options?.timeoutMs);
    const { promise, answered } = this.host.askFromOutside(to, message, options.timeoutMs);
    // The reply (or the timeout) is an event in virtual time: drive the loop until it happens.
    this.run({ stop: answered });
    return promise;
  }

  async stop(id: ActorId): Promise<boolean> {
    this.assertRunning('stop');
    return this.host.stopActor(id, 'stopped by system');
  }

  async snapshot<S = unknown>(id: ActorId): Promise<S> {
    return this.host.snapshot(id) as S;
  }

  async settle(): Promise<void> {
    this.assertRunning('settle');
    if (this.inFlight > 0) this.run({ stop: () => this.inFlight === 0 });
  }

  async accounting(): Promise<MessageAccounting> {
    return this.accountingNow();
  }

  /** Accounting, synchronously (sim mode only). */
  accountingNow(): MessageAccounting {
    const c = this.host.counters;
    return {
      sent: c.sent,
      delivered: c.delivered,
      dropped: c.dropped,
      deadLettered: c.deadLettered,
      inFlight: this.inFlight,
      relayed: c.relayed,
      droppedBy: { ...c.droppedBy },
      deadLetteredBy: { ...c.deadLetteredBy } as Record<string, number>,
    };
  }

  get topology(): RouteGraph | undefined {
    return this.control.graph;
  }

  async switchTopology(spec: TopologySpec, options: SwitchOptions = {}): Promise<TopologySwitch> {
    this.assertRunning('switchTopology');
    return this.switchNow(spec, options, options.reason ?? 'api');
  }

  async joinTopology(member: Member | ActorId): Promise<TopologySwitch> {
    this.assertRunning('joinTopology');
    const id = typeof member === 'string' ? member : member?.id;
    if (!this.host.cells.has(id)) throw new UnknownActorError(id, 'joinTopology (spawn it first: members must be actors)');
    return this.switchNow(this.control.spec!, { members: this.control.withMember(member) }, `join ${id}`);
  }

  async leaveTopology(id: ActorId): Promise<TopologySwitch> {
    this.assertRunning('leaveTopology');
    return this.switchNow(this.control.spec!, { members: this.control.withoutMember(id) }, `leave ${id}`);
  }

  /**
   * Builds and installs a new graph. Sim mode has one host and runs between events, so every
   * envelope is either scheduled (it continues hop by hop on the new graph) or in a mailbox.
   */
  switchNow(spec: TopologySpec, options: SwitchOptions, reason: string): TopologySwitch {
    const started = performance.now();
    const planned = this.control.plan(spec, options);
    this.router.prepare(planned.epoch, planned.graph, this.clock);
    this.router.commit(planned.epoch);
    this.host.routes = this.router;
    const record = this.control.commit(spec, planned, this.clock, reason, performance.now() - started, this.accountingNow());
    this.trace({
      t: this.clock,
      type: 'topology',
      epoch: record.epoch,
      from: record.from,
      to: record.to,
      members: record.members,
      spec: planned.graph.spec,
      reason,
    });
    return record;
  }

  async shutdown(): Promise<RunResult> {
    if (this.status === 'running') {
      this.host.endTurn();
      this.status = 'stopped';
      this.trace$.complete();
    }
    return this.result();
  }

  /** The run's result so far (or final, after shutdown). */
  result(): RunResult {
    const messages = this.accountingNow();
    return {
      mode: 'sim',
      seed: this.seed,
      status: this.status,
      actors: this.host.cells.size,
      hosts: 1,
      messages,
      accountingImbalance: messages.sent - (messages.delivered + messages.dropped + messages.deadLettered + messages.inFlight),
      escalations: [...this.host.escalations],
      hostCrashes: [],
      elapsedMs: this.clock,
      wallMs: performance.now() - this.startedAt,
      traceEvents: this.recorder.count,
      traceHash: this.recorder.hash(),
      topology: { switches: [...this.control.switches], epochs: this.control.epochs(this.clock, messages) },
      signatures: this.signatures,
    };
  }

  private assertRunning(call: string): void {
    if (this.status !== 'running') throw new SystemStoppedError(call);
  }
}
