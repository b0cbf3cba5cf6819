import { availableParallelism } from 'node:os';
import { Subject } from 'rxjs';
import type { Escalation, SpawnOptions } from '../../actors/actor-host.ts';
import { accountingImbalance, addInto, MessageCounters, type MessageAccounting } from '../../actors/counters.ts';
import { isMessage, SYSTEM_SENDER, type ActorId, type Envelope, type Message } from '../../actors/envelope.ts';
import { KeyRing, signatureScheme, type SignatureScheme } from '../../actors/key-ring.ts';
import { validateRef, type BehaviourRef } from '../../actors/registry.ts';
import { resolveSupervision, type SupervisionPolicy } from '../../actors/supervision.ts';
import type { TraceEvent, TraceLevel } from '../../actors/trace-event.ts';
import * as errors from '../../errors.ts';
import {
  ConclaveError,
  ConfigError,
  DuplicateActorError,
  SettleTimeoutError,
  HostCrashedError,
  InvalidActorIdError,
  InvalidMessageError,
  SystemStoppedError,
  UnknownActorError,
} from '../../errors.ts';
import type { ActorSystem, HostCrash, RunResult, SystemStatus } from '../actor-system.ts';
import { TraceRecorder } from '../trace-recorder.ts';
import type { Member, RouteGraph, TopologySpec } from '../../topologies/index.ts';
import { TopologyControl, type SwitchOptions, type TopologySwitch } from '../topology-control.ts';
import type { CounterCut } from './host-counters.ts';
import { aggregateCuts, lostWithWorker } from './cut-accounting.ts';
import type { HostApi, HostLauncher, HostLink } from './host-link.ts';
import type { WorkerEvents } from './protocol.ts';
import { findUncloneable } from './clone-check.ts';
import { workerLauncher } from './worker-link.ts';
import type { FaultControl } from '../fault-control.ts';
import { ThreadFaults, type FaultableActor } from './thread-faults.ts';

/**
 * Options of a threads-mode system.
 *
 * @example
 * ```ts
 * const threads = await ThreadSystem.start({ workers: 4, seed: 42, preload: ['/abs/path/behaviours.ts'] });
 * ```
 */
export interface ThreadOptions {
  /** Worker threads; default one per core. */
  readonly workers?: number;
  /** Seed of each actor's `ctx.random()` stream (threads mode is not deterministic otherwise). */
  readonly seed?: number;
  readonly traceLevel?: TraceLevel;
  readonly keepTrace?: boolean;
  readonly mailboxCapacity?: number;
  readonly supervision?: Partial<SupervisionPolicy>;
  /** Where new actors go: round-robin over live workers (default), or a function of the id. */
  readonly placement?: 'round-robin' | ((id: ActorId, spawnIndex: number, workers: number) => number);
  /** Modules every worker imports first (absolute paths or file: URLs), e.g. to register behaviours. */
  readonly preload?: readonly string[];
  /**
   * How `ctx.sign` signs: real `ed25519` (default) or `token`, the cheap modelled signature of
   * sim mode. The keys follow from a random secret drawn for the run and given to every worker.
   */
  readonly signatures?: SignatureScheme;
}

interface Slot {
  readonly index: number;
  /** The host: a worker thread, or a node process on NATS (src/net/). */
  readonly link: HostLink;
  alive: boolean;
  /** Died (as opposed to being shut down): its queue and links were settled as losses. */
  crashed: boolean;
  /** Rejects when the worker dies, so no control call can hang on a dead worker. */
  readonly death: Promise<never>;
  /** After a crash: the last consistent cut, and envelopes lost with the worker. */
  finalCut?: CounterCut;
  lost: number;
  recovery?: Promise<HostCrash>;
  /** `send` calls issued to this worker (compared with its cut's count after a crash). */
  controlSends: number;
}

interface ActorRecord extends FaultableActor {
  /** As resolved by the worker; undefined until the spawn answered. */
  policy: SupervisionPolicy | undefined;
  host: number;
}

/**
 * Errors thrown in a worker reach main through comlink as plain Errors with the original name:
 * give Conclave's own errors their class back, so `instanceof` (and the CLI's clear-error path)
 * work the same in both modes.
 */
function revive(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof ConclaveError) return e;
  const cls = (errors as Record<string, unknown>)[e.name];
  if (typeof cls !== 'function' || !(cls.prototype instanceof ConclaveError)) return e;
  const revived = Object.create(cls.prototype) as ConclaveError & { stack?: string };
  // comlink carries name, message and stack; the code follows from the name (AskTimeoutError -> ask-timeout).
  const code = e.name
    .replace(/Error$/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();
  Object.assign(revived, e, { name: e.name, message: e.message, stack: e.stack, code: (e as { code?: string }).code ?? code });
  return revived;
}

/** A worker that dies mid-switch is recovered like any crash; the switch goes on without it. */
const ignoreCrash = (e: unknown): void => {
  if (!(e instanceof HostCrashedError)) throw e;
};

/**
 * An ask whose worker died: the request died with the asked actor's state (a restarted actor
 * begins again from init and owes nobody a reply), so asking again is not a retry but a new
 * request. Swarms resume their coordinator or client instead (src/swarm/).
 */
const askLostAdvice = (to: ActorId): string =>
  `The request died with "${to}"'s state, so no reply will come: asking again starts over from "${to}"'s initial state instead of resuming; send what it needs to go on from where it was (a swarm run resumes its coordinator or client this way).`;

/**
 * Threads mode: actors spread over worker threads, many per worker. Envelopes between workers go
 * over MessagePorts that link workers directly, in batches flushed at the end of each turn; the
 * control plane (spawn, stop, snapshot, rewire) is comlink RPC, and every call races the worker's
 * death so none can hang. A worker that dies has its actors restarted on live workers (by their
 * supervision strategy) and the envelopes lost with it dead-lettered `host-crashed`.
 *
 * @example
 * ```ts
 * const sys = await ThreadSystem.start({ workers: 2 });
 * await sys.spawn('a', 'echo');
 * await sys.ask('a', { kind: 'hi' }, { timeoutMs: 1000 });
 * await sys.shutdown();
 * ```
 */
export class ThreadSystem implements ActorSystem {
  readonly mode = 'threads' as const;
  readonly trace$ = new Subject<TraceEvent>();
  readonly recorder: TraceRecorder;
  private readonly slots: Slot[] = [];
  private readonly actors = new Map<ActorId, ActorRecord>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly crashes: HostCrash[] = [];
  private readonly escalations: Escalation[] = [];
  /** Recoveries of dead workers still under way. */
  private readonly recovering = new Set<Promise<HostCrash>>();
  /** Envelopes from outside that never reached a worker (it died during the call). */
  private readonly local = new MessageCounters();
  private readonly activity: Int32Array;
  private readonly startedAt = performance.now();
  private status: SystemStatus = 'running';
  private readonly threadFaults: ThreadFaults;
  /** Crashes, partitions, network conditions, pauses, skews and isolation, laid on the wall clock. */
  get faults(): FaultControl {
    return this.threadFaults;
  }
  private spawnCount = 0;
  private shuttingDown = false;
  private readonly control = new TopologyControl();
  /** Switches run one at a time, in the order they were asked for. */
  private switching: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly seed: number,
    readonly signatures: SignatureScheme,
    private readonly options: ThreadOptions,
    activity: SharedArrayBuffer,
  ) {
    this.activity = new Int32Array(activity);
    this.recorder = new TraceRecorder(this.trace$, { keep: options.keepTrace });
    const sys = this;
    this.threadFaults = new ThreadFaults({
      get running() {
        return sys.status === 'running' && !sys.shuttingDown;
      },
      traceLevel: options.traceLevel ?? 'events',
      startedAt: this.startedAt,
      trace: (e) => this.trace$.next(e),
      actor: (id) => this.actors.get(id),
      workerAlive: (i) => this.slots[i]?.alive === true,
      place: (id) => this.place(id, undefined).index,
      call: (i, what, fn) => this.call(this.slots[i], what, fn),
      liveWorkers: () => this.live.map((s) => s.index),
      announce: (entries, except) => this.announce(entries, except),
      track: (p) => this.track(p),
    });
  }

  /** Starts the workers and links every pair of them with a MessageChannel. */
  static async start(options: ThreadOptions = {}): Promise<ThreadSystem> {
    const n = options.workers ?? availableParallelism();
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new ConfigError('workers', 'an integer from 1 to 256', n);
    return ThreadSystem.startOn(workerLauncher(n), options);
  }

  /**
   * Starts a system whose hosts the launcher provides (worker threads, or node processes on
   * NATS: src/net/); `options.workers` is ignored, the launcher says how many hosts there are.
   *
   * @example
   * ```ts
   * const sys = await ThreadSystem.startOn(workerLauncher(2), { seed: 7 });
   * ```
   */
  static async startOn(launcher: HostLauncher, options: ThreadOptions = {}): Promise<ThreadSystem> {
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new ConfigError('seed', 'an integer', seed);
    if (options.placement !== undefined && options.placement !== 'round-robin' && typeof options.placement !== 'function') {
      throw new ConfigError('placement', "'round-robin' or a function (id, index, workers) => worker", options.placement);
    }
    const signatures = signatureScheme(options.signatures, 'ed25519');
    // One secret for the run, the same in every worker: an actor on one worker must be able to
    // verify what an actor on another signed. Never traced, never on the result.
    const signingSecret = KeyRing.randomSecret();
    const activity = new SharedArrayBuffer(4);
    const sys = new ThreadSystem(seed, signatures, options, activity);
    const config = {
      seed,
      traceLevel: options.traceLevel ?? 'events',
      mailboxCapacity: options.mailboxCapacity,
      supervision: options.supervision,
      signatures,
      signingSecret,
      preload: [...(options.preload ?? [])],
    } as const;
    const links = await launcher.launch(config, activity);
    links.forEach((link, i) => sys.attach(i, link));
    try {
      await Promise.all(sys.slots.map((s) => sys.call(s, 'ready', (api) => api.ready())));
    } catch (e) {
      await sys.shutdown().catch(() => undefined);
      throw new ConfigError('preload', 'modules that import cleanly in a worker', `${options.preload?.join(', ') || '(built-ins)'} — ${(e as Error).message}`);
    }
    return sys;
  }

  private attach(index: number, link: HostLink): void {
    let die!: (e: Error) => void;
    const death = new Promise<never>((_, reject) => (die = reject));
    death.catch(() => undefined);
    const slot: Slot = { index, link, alive: true, crashed: false, death, lost: 0, controlSends: 0 };
    this.slots.push(slot);
    link.onEvents((m) => this.onEvents(index, m));
    link.onExit((detail, lastError) => {
      die(new HostCrashedError(index, 'control call', lastError));
      if (!this.shuttingDown && slot.alive) {
        const recovery = this.recover(slot, detail);
        slot.recovery = recovery;
        this.recovering.add(recovery);
        recovery.finally(() => this.recovering.delete(recovery)).catch(() => undefined);
      }
    });
  }

  /**
   * What a worker reports after a turn: trace events, and (whatever the trace level) the actors
   * that stopped there and the escalations, which keep main's registry of actors true.
   */
  private onEvents(worker: number, m: WorkerEvents): void {
    for (const ev of m.trace) this.trace$.next(ev);
    if (m.trace.length > 0) this.slots[worker].link.ackTrace(m.trace.length);
    if (m.escalations) this.escalations.push(...m.escalations);
    if (m.topologyRequests) {
      for (const r of m.topologyRequests) {
        if (this.status !== 'running') break;
        this.track(
          this.switchTopology(r.spec as TopologySpec, { reason: `requested by ${r.actor}: ${r.reason}` }).catch((e: Error) => {
            this.trace$.next({ t: performance.timeOrigin + performance.now(), type: 'topology-rejected', actor: r.actor, spec: r.spec, error: e.message });
          }),
        );
      }
    }
    if (m.stopped) {
      const gone: [ActorId, undefined][] = [];
      for (const { actor } of m.stopped) {
        if (this.actors.get(actor)?.host !== worker) continue;
        this.actors.delete(actor);
        gone.push([actor, undefined]);
      }
      if (gone.length > 0 && this.status === 'running') this.announce(gone, worker).catch(() => undefined);
    }
  }

  /**
   * A control-plane call that rejects (never hangs) if the worker dies first; `advice` is what
   * the HostCrashedError tells the caller to do then.
   */
  private call<T>(slot: Slot, what: string, fn: (api: HostApi) => Promise<T>, advice?: string): Promise<T> {
    if (!slot.alive) return Promise.reject(new HostCrashedError(slot.index, what, undefined, advice));
    const p = Promise.race([fn(slot.link.api), slot.death]).catch((e) => {
      throw e instanceof HostCrashedError ? new HostCrashedError(slot.index, what, e.cause, advice) : revive(e);
    });
    this.track(p);
    return p;
  }

  private get live(): Slot[] {
    return this.slots.filter((s) => s.alive);
  }

  private place(id: ActorId, requested: number | undefined): Slot {
    const live = this.live;
    if (live.length === 0) throw new HostCrashedError(-1, `spawn("${id}"): no live worker`);
    if (requested !== undefined) {
      const s = this.slots[requested];
      if (!Number.isInteger(requested) || !s) throw new ConfigError(`spawn("${id}").worker`, `a worker index from 0 to ${this.slots.length - 1}`, requested);
      if (!s.alive) throw new HostCrashedError(requested, `spawn("${id}")`);
      return s;
    }
    const k = this.spawnCount++;
    const p = this.options.placement;
    if (typeof p === 'function') {
      const w = p(id, k, this.slots.length);
      const s = this.slots[w];
      if (!s) throw new ConfigError('placement', `a worker index from 0 to ${this.slots.length - 1}`, w);
      return s.alive ? s : live[k % live.length];
    }
    return live[k % live.length];
  }

  // ---- ActorSystem ----

  async spawn(id: ActorId, behaviour: BehaviourRef, options: SpawnOptions & { readonly worker?: number } = {}): Promise<void> {
    this.assertRunning('spawn');
    if (typeof id !== 'string' || id.length === 0 || id.startsWith('$')) throw new InvalidActorIdError(id);
    // A crashed actor's id may be spawned afresh (as in sim mode); a running one's may not.
    if (this.actors.has(id) && this.actors.get(id)!.crashed !== true) throw new DuplicateActorError(id);
    const ref = validateRef(behaviour, `spawn("${id}").behaviour`);
    const { worker, ...spawnOptions } = options;
    const slot = this.place(id, worker);
    resolveSupervision({ ...this.options.supervision, ...spawnOptions.supervision }, `spawn("${id}").supervision`);
    const body = findUncloneable(spawnOptions.props, 'props');
    if (body) throw new ConfigError(`spawn("${id}").${body.path}`, 'plain data that can be copied to a worker', body.error);
    // Reserve the id before the first await, so a concurrent spawn of the same id is refused.
    const record: ActorRecord = { ref, options: spawnOptions, policy: undefined, host: slot.index };
    this.actors.set(id, record);
    try {
      // The worker resolves the policy (spawn options over the behaviour's own defaults).
      record.policy = await this.call(slot, `spawn("${id}")`, (api) => api.spawn(id, ref, spawnOptions));
    } catch (e) {
      this.actors.delete(id);
      throw e;
    }
    await this.announce([[id, slot.index]], slot.index);
  }

  /** Tells every live worker (but `except`) where actors now live. */
  private async announce(entries: [ActorId, number | undefined][], except?: number): Promise<void> {
    await Promise.all(
      this.live.filter((s) => s.index !== except).map((s) => this.call(s, 'setRoutes', (api) => api.setRoutes(entries)).catch(() => undefined)),
    );
  }

  private owner(id: ActorId): Slot {
    const rec = this.actors.get(id);
    const slot = rec ? this.slots[rec.host] : this.live[0];
    if (!slot) throw new SystemStoppedError('route a message (no live worker)');
    return slot;
  }

  /**
   * Sends from outside. The message goes to the worker that owns `to` once any recovery in
   * progress is over (so a send to an actor being restarted reaches it where it restarts); if
   * the worker dies during the call, the envelope is counted here, dead-lettered `host-crashed`.
   */
  send(to: ActorId, message: Message): void {
    this.assertRunning('send');
    this.checkMessage(message, `system.send to "${to}"`);
    this.track(this.sendWhenRouted(to, message));
  }

  private async sendWhenRouted(to: ActorId, message: Message): Promise<void> {
    // Only yield when a recovery is under way: otherwise the call must go out in this tick, so
    // sends and asks issued one after the other reach the worker in program order.
    if (this.recovering.size > 0) await this.recoveries();
    const slot = this.owner(to);
    const k = ++slot.controlSends;
    try {
      await this.call(slot, `send to "${to}"`, (api) => api.send(to, message));
    } catch (e) {
      if (!(e instanceof HostCrashedError)) throw e;
      // If the worker counted this send in its last cut before dying, recovery accounts for it.
      await slot.recovery;
      if ((slot.finalCut?.controlSends ?? 0) >= k) return;
      this.local.sent++;
      this.local.deadLetter('host-crashed');
      this.trace$.next({
        t: performance.timeOrigin + performance.now(),
        type: 'dead-letter',
        id: 0,
        from: SYSTEM_SENDER,
        to,
        kind: message.kind,
        reason: 'host-crashed',
        detail: e.message,
      });
    }
  }

  ask(to: ActorId, message: Message, options: { timeoutMs: number }): Promise<Envelope> {
    this.assertRunning('ask');
    this.checkMessage(message, `system.ask to "${to}"`);
    if (!(options?.timeoutMs > 0)) throw new ConfigError('ask.timeoutMs', 'a number of ms > 0', options?.timeoutMs);
    return this.call(this.owner(to), `ask "${to}"`, (api) => api.ask(to, message, options.timeoutMs), askLostAdvice(to));
  }

  /**
   * Resolves once every dead worker has been recovered (its actors restarted or stopped, its
   * losses in the books), with every crash so far. What a caller whose ask died with a worker
   * waits for before it decides how to go on.
   *
   * @example
   * ```ts
   * try { await threads.ask('coordinator', { kind: 'run' }, { timeoutMs: 60_000 }); }
   * catch (e) { if (e instanceof HostCrashedError) console.log((await threads.recovered()).at(-1)?.restarted); }
   * ```
   */
  async recovered(): Promise<readonly HostCrash[]> {
    await this.recoveries();
    return [...this.crashes];
  }

  /** A message from outside must be `{ kind, body? }` with a body that can be copied to a worker. */
  private checkMessage(message: Message, where: string): void {
    if (!isMessage(message)) throw new InvalidMessageError(where, message);
    const bad = findUncloneable(message.body, 'body');
    if (bad) throw new InvalidMessageError(`${where} (${bad.path} cannot be copied to a worker: ${bad.error})`, message);
  }

  /** Waits until no dead worker is still being recovered (a recovery may start another). */
  private async recoveries(): Promise<void> {
    while (this.recovering.size > 0) await Promise.allSettled([...this.recovering]);
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
  }

  async stop(id: ActorId): Promise<boolean> {
    this.assertRunning('stop');
    const rec = this.actors.get(id);
    if (!rec) return false;
    const ok = await this.call(this.slots[rec.host], `stop("${id}")`, (api) => api.stop(id));
    this.actors.delete(id);
    await this.announce([[id, undefined]], rec.host);
    return ok;
  }

  async snapshot<S = unknown>(id: ActorId): Promise<S> {
    const rec = this.actors.get(id);
    if (!rec) throw new UnknownActorError(id, 'snapshot');
    return (await this.call(this.slots[rec.host], `snapshot("${id}")`, (api) => api.snapshot(id))) as S;
  }

  /**
   * Each host's actors now and its own books as last published (the final ones of a dead or
   * closed host): what a run across nodes reports per node. Their sum, with the losses, is
   * `accounting()`.
   *
   * @example
   * ```ts
   * for (const h of system.hostLedgers()) console.log(h.host, h.actors, h.cut.sent, h.crashed, h.lost);
   * ```
   */
  hostLedgers(): { host: number; actors: ActorId[]; cut: CounterCut; crashed: boolean; lost: number }[] {
    const cuts = this.cuts();
    const actors = this.slots.map((): ActorId[] => []);
    for (const [id, rec] of this.actors) if (rec.crashed !== true) actors[rec.host].push(id);
    return this.slots.map((s, i) => ({ host: s.index, actors: actors[i], cut: cuts[i], crashed: s.crashed, lost: s.lost }));
  }

  /** Which worker an actor lives on (undefined if unknown). */
  workerOf(id: ActorId): number | undefined {
    return this.actors.get(id)?.host;
  }

  /**
   * Waits until no envelope is in flight: control calls answered, then two consecutive readings
   * of every worker's counters that are identical, balanced and show nothing queued or in transit
   * (the four-counter termination test). Between readings it waits on the workers' activity
   * signal, not on a fixed sleep.
   */
  async settle(options: { timeoutMs?: number } = {}): Promise<void> {
    this.assertRunning('settle');
    const deadline = performance.now() + (options.timeoutMs ?? 60_000);
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    let previous = '';
    for (;;) {
      await this.recoveries();
      const seen = Atomics.load(this.activity, 0);
      const cuts = this.cuts();
      const acc = this.aggregate(cuts);
      const key = JSON.stringify(cuts);
      const idle = this.slots.every((s, i) => s.crashed || !cuts[i].busy);
      const quiet = idle && acc.inFlight === 0 && acc.sent === acc.delivered + acc.dropped + acc.deadLettered;
      if (quiet && key === previous) break;
      previous = key;
      if (performance.now() > deadline)
        throw new SettleTimeoutError(options.timeoutMs ?? 60_000, acc.inFlight, accountingImbalance(acc), cuts.filter((c) => c.busy).length);
      if (quiet) {
        // Looks quiet: confirm with a second wave right after yielding once to the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // Work in progress: wake on the workers' next published turn (or re-check after 5 ms).
      const w = Atomics.waitAsync(this.activity, 0, seen, 5);
      if (w.async) await w.value;
    }
    // Hosts whose events travel a network: wait until what they published has arrived.
    const syncs = this.live.flatMap((s) => (s.link.sync ? [s.link.sync().catch(() => undefined)] : []));
    if (syncs.length > 0) await Promise.all(syncs);
    this.drainTrace();
  }

  private drainTrace(): void {
    for (const s of this.slots) s.link.drainEvents();
  }

  async accounting(): Promise<MessageAccounting> {
    await this.recoveries();
    return this.aggregate();
  }

  /** Every worker's last published cut (the final one for a dead or closed worker). */
  private cuts(): CounterCut[] {
    // A worker that just died is read from its shared counters until recovery fixes its final cut.
    return this.slots.map((s) => s.finalCut ?? s.link.readCut());
  }

  /** Every worker's ledger, plus what main itself counted, as one accounting. */
  private aggregate(cuts = this.cuts()): MessageAccounting {
    const acc = aggregateCuts(this.slots.map((s, i) => ({ cut: cuts[i], crashed: s.crashed, lost: s.lost })));
    acc.sent += this.local.sent;
    acc.deadLettered += this.local.deadLettered;
    addInto(acc.deadLetteredBy, this.local.deadLetteredBy);
    return acc;
  }

  /**
   * Test and fault hook: terminates worker `index` as a crash would, and resolves once its actors
   * were restarted elsewhere and its losses accounted.
   */
  async killWorker(index: number): Promise<HostCrash> {
    const slot = this.slots[index];
    if (!slot) throw new ConfigError('killWorker.index', `a worker index from 0 to ${this.slots.length - 1}`, index);
    if (!slot.alive) throw new HostCrashedError(index, 'killWorker (already dead)');
    await slot.link.kill();
    return slot.recovery!;
  }

  /** Reconciles a dead worker's accounting and restarts its actors on live workers. */
  private async recover(slot: Slot, detail: string): Promise<HostCrash> {
    slot.alive = false;
    slot.crashed = true;
    const started = performance.now();
    const t = performance.timeOrigin + started;
    const cut = slot.link.readCut();
    const live = this.live;
    // Live peers first take whatever the dead worker had already posted, and stop posting to it.
    await Promise.all(live.map((s) => this.call(s, 'peerDied', (api) => api.peerDied(slot.index)).catch(() => undefined)));
    const lost = lostWithWorker(
      slot.index,
      cut,
      live.map((s) => ({ index: s.index, cut: s.link.readCut() })),
    );
    slot.finalCut = cut;
    slot.lost = lost;
    slot.link.release();
    this.drainTrace();
    const restarted: ActorId[] = [];
    const stopped: ActorId[] = [];
    const moved: [ActorId, number | undefined][] = [];
    for (const [id, rec] of this.actors) {
      // A crashed actor stays down (a fault, not a failure): `faults.recover` brings it back.
      if (rec.host !== slot.index || rec.crashed === true) continue;
      if (rec.policy?.strategy === 'stop' || this.live.length === 0) {
        stopped.push(id);
        this.actors.delete(id);
        moved.push([id, undefined]);
        this.trace$.next({ t, type: 'stop', actor: id, reason: `worker ${slot.index} crashed; strategy is stop` });
        continue;
      }
      const target = this.place(id, undefined);
      // Its "disk", where the dead host shipped it off (a node on NATS): the actor restarts with it.
      const durable = slot.link.durableOf?.(id);
      try {
        if (durable !== undefined) await this.call(target, `restore "${id}"`, (api) => api.restoreDurable(id, durable));
        await this.call(target, `restart "${id}"`, (api) => api.spawn(id, rec.ref, rec.options));
        rec.host = target.index;
        restarted.push(id);
        moved.push([id, target.index]);
        this.trace$.next({
          t,
          type: 'restart',
          actor: id,
          reason: `worker ${slot.index} crashed${durable !== undefined ? '; durable state restored from its mirror' : ''}`,
          host: target.index,
        });
      } catch (e) {
        stopped.push(id);
        this.actors.delete(id);
        moved.push([id, undefined]);
        this.trace$.next({ t, type: 'stop', actor: id, reason: `restart after crash failed: ${(e as Error).message}` });
      }
    }
    await this.announce(moved);
    const crash: HostCrash = { host: slot.index, t, detail, restarted, stopped, lostInFlight: lost, recoveryMs: performance.now() - started };
    this.crashes.push(crash);
    this.trace$.next({ t, type: 'host-crash', host: slot.index, actors: restarted.length + stopped.length, lostInFlight: lost, detail });
    return crash;
  }

  get topology(): RouteGraph | undefined {
    return this.control.graph;
  }

  async switchTopology(spec: TopologySpec, options: SwitchOptions = {}): Promise<TopologySwitch> {
    return this.serialised('switchTopology', () => this.switchNow(spec, options, options.reason ?? 'api'));
  }

  async joinTopology(member: Member | ActorId): Promise<TopologySwitch> {
    const id = typeof member === 'string' ? member : member?.id;
    if (!this.actors.has(id)) throw new UnknownActorError(id, 'joinTopology (spawn it first: members must be actors)');
    return this.serialised('joinTopology', () => this.switchNow(this.control.spec!, { members: this.control.withMember(member) }, `join ${id}`));
  }

  async leaveTopology(id: ActorId): Promise<TopologySwitch> {
    return this.serialised('leaveTopology', () => this.switchNow(this.control.spec!, { members: this.control.withoutMember(id) }, `leave ${id}`));
  }

  /** Runs topology changes one after another (each reads the members the previous one left). */
  private serialised(call: string, fn: () => Promise<TopologySwitch>): Promise<TopologySwitch> {
    this.assertRunning(call);
    const run = this.switching.then(() => {
      if (this.status !== 'running' || this.shuttingDown) throw new SystemStoppedError(call);
      return fn();
    });
    this.switching = run.catch(() => undefined);
    this.track(run.catch(() => undefined));
    return run;
  }

  /**
   * A two-phase switch: every live worker builds and keeps the new epoch's graph, and only once
   * all have it does any put it in force. So a broadcast copy sent on the new tree never reaches
   * a worker that does not know that tree; unicast envelopes in flight simply continue hop by hop
   * on whichever graph the worker they reach has in force.
   */
  private async switchNow(spec: TopologySpec, options: SwitchOptions, reason: string): Promise<TopologySwitch> {
    const started = performance.now();
    const planned = this.control.plan(spec, options);
    const live = this.live;
    const members = planned.members;
    await Promise.all(live.map((s) => this.call(s, 'prepareTopology', (api) => api.prepareTopology(planned.epoch, spec, members)).catch(ignoreCrash)));
    await Promise.all(live.map((s) => this.call(s, 'commitTopology', (api) => api.commitTopology(planned.epoch)).catch(ignoreCrash)));
    const at = performance.now() - this.startedAt;
    const record = this.control.commit(spec, planned, at, reason, performance.now() - started, this.aggregate());
    this.trace$.next({
      t: performance.timeOrigin + performance.now(),
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
      this.status = 'stopped';
      this.threadFaults.dispose();
      await Promise.allSettled([...this.pending]);
      await Promise.allSettled(this.slots.map((s) => s.recovery));
      await Promise.allSettled(this.live.map((s) => this.call(s, 'close', (api) => api.close())));
      this.drainTrace();
      this.shuttingDown = true;
      for (const s of this.live) {
        s.finalCut = s.link.readCut();
        s.alive = false;
      }
      this.lastResult = this.resultNow();
      await Promise.all(this.slots.map((s) => s.link.terminate()));
      this.trace$.complete();
    }
    return this.lastResult!;
  }

  private lastResult: RunResult | undefined;

  private resultNow(): RunResult {
    const messages = this.aggregate();
    return {
      mode: 'threads',
      seed: this.seed,
      status: this.status,
      actors: [...this.actors.values()].filter((a) => a.crashed !== true).length,
      hosts: this.slots.length,
      messages,
      accountingImbalance: messages.sent - (messages.delivered + messages.dropped + messages.deadLettered + messages.inFlight),
      escalations: [...this.escalations],
      hostCrashes: [...this.crashes],
      elapsedMs: performance.now() - this.startedAt,
      wallMs: performance.now() - this.startedAt,
      traceEvents: this.recorder.count,
      traceHash: this.recorder.hash(),
      topology: { switches: [...this.control.switches], epochs: this.control.epochs(performance.now() - this.startedAt, messages) },
      signatures: this.signatures,
    };
  }

  private assertRunning(call: string): void {
    if (this.status !== 'running') throw new SystemStoppedError(call);
  }
}
