import type { SpawnOptions } from '../../actors/actor-host.ts';
import type { ActorId } from '../../actors/envelope.ts';
import type { BehaviourRef } from '../../actors/registry.ts';
import type { SupervisionPolicy } from '../../actors/supervision.ts';
import type { TraceEvent, TraceLevel } from '../../actors/trace-event.ts';
import { ConfigError, HostCrashedError, SystemStoppedError, UnknownActorError } from '../../errors.ts';
import type { FaultControl } from '../fault-control.ts';
import { NetworkFaults, type NetworkCondition } from '../network-faults.ts';
import { checkLinks, checkPause, checkRate, partitionSides } from '../sim-faults.ts';
import type { HostApi } from './host-link.ts';

/** Main's record of an actor, as fault control reads and updates it. */
export interface FaultableActor {
  /** What it runs (an adversary's behaviour once compromised). */
  ref: BehaviourRef;
  options: SpawnOptions;
  policy: SupervisionPolicy | undefined;
  /** The worker it lives on (or lived on, while crashed). */
  host: number;
  /** Crashed by a fault and not recovered: it keeps its record (and its routes) for `recover`. */
  crashed?: boolean;
}

/** What threads-mode fault control needs of its ThreadSystem (kept apart so neither reaches into the other). */
export interface ThreadFaultHost {
  readonly running: boolean;
  readonly traceLevel: TraceLevel;
  /** `performance.now()` when the system started: `now()` counts from it. */
  readonly startedAt: number;
  trace(event: TraceEvent): void;
  actor(id: ActorId): FaultableActor | undefined;
  workerAlive(index: number): boolean;
  /** A live worker for an actor that must move (its own died). */
  place(id: ActorId): number;
  /** A control call to one worker that rejects (HostCrashedError) if the worker dies first. */
  call<T>(worker: number, what: string, fn: (api: HostApi) => Promise<T>): Promise<T>;
  /** Every live worker's index. */
  liveWorkers(): number[];
  /** Tells every live worker (but `except`) where actors now live. */
  announce(entries: [ActorId, number | undefined][], except?: number): Promise<void>;
  /** Makes `settle()` and `shutdown()` wait for `p`. */
  track(p: Promise<unknown>): void;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Threads mode's fault control. Main holds the truth: which actors are crashed (in its registry
 * of actors) and the network faults in force (a `NetworkFaults`, as sim mode has). Each call
 * takes effect in main at once (so `running()` and the trace follow program order) and goes out
 * to the workers in the same tick, as control calls: a crash or recovery to the actor's worker,
 * any other fault as the whole fault state to every live worker, which applies it where each
 * envelope is routed (see `WorkerHost.route`). A worker handles control calls in the order main
 * posted them, so faults take effect in the order they were laid, and before any `send` or `ask`
 * issued after them.
 *
 * An `at()` action that throws does not crash the process: the error is recorded in the trace as
 * `{ type: 'fault', fault: 'fault-error', detail }` and the run goes on (as does a control call
 * that fails for a reason other than its worker dying).
 *
 * @example
 * ```ts
 * const threads = await ThreadSystem.start({ workers: 2 });
 * threads.faults.at(1_000, () => threads.faults.crash('node_001'));
 * ```
 */
export class ThreadFaults implements FaultControl {
  private readonly network = new NetworkFaults();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly sys: ThreadFaultHost) {}

  now(): number {
    return performance.now() - this.sys.startedAt;
  }

  at(delayMs: number, action: () => void): () => void {
    this.assertRunning('at');
    if (!(delayMs >= 0)) throw new ConfigError('at.delayMs', 'a number of ms >= 0', delayMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.sys.running) return;
      try {
        action();
      } catch (e) {
        this.emit('fault-error', `an action laid with at(${delayMs} ms) threw: ${(e as Error)?.message ?? String(e)}`);
      }
    }, delayMs);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Cancels every action still waiting (at shutdown). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  running(id: ActorId): boolean {
    const a = this.sys.actor(id);
    return a !== undefined && a.crashed !== true;
  }

  note(fault: string, detail: string): void {
    this.emit(fault, detail);
  }

  crash(id: ActorId): boolean {
    this.assertRunning('crash');
    const a = this.sys.actor(id);
    if (a === undefined || a.crashed === true || !this.sys.workerAlive(a.host)) return false;
    a.crashed = true;
    const host = a.host;
    this.emit('crash', id);
    this.issue(this.sys.call(host, `crash("${id}")`, (api) => api.crash(id)));
    return true;
  }

  recover(id: ActorId, options: { wipe?: boolean } = {}): void {
    this.assertRunning('recover');
    const a = this.sys.actor(id);
    if (a === undefined) throw new UnknownActorError(id, 'recover (it was never spawned)');
    if (a.crashed !== true) throw new ConfigError(`recover("${id}")`, 'an actor that is crashed or stopped', 'a running actor');
    const from = a.host;
    const same = this.sys.workerAlive(from);
    const to = same ? from : this.sys.place(id);
    const wipe = options.wipe === true;
    // On another worker its durable store is not there: it died with the worker it was on.
    const detail = wipe ? `${id} (durable state lost)` : same ? id : `${id} on worker ${to} (durable state lost: it died with worker ${from})`;
    this.emit('recover', detail);
    a.crashed = false;
    a.host = to;
    // The worker holds what reaches the actor until it is spawned again (nothing is dead-lettered
    // in the gap); other workers learn its new home at once.
    this.issue(
      this.sys
        .call(to, `recover("${id}")`, (api) => api.recover(id, a.ref, a.options, wipe || !same))
        .then(
          (policy) => void (a.policy = policy),
          (e: unknown) => {
            if (a.host === to) a.crashed = true;
            throw e;
          },
        ),
    );
    if (!same) this.issue(this.sys.announce([[id, to]], to));
  }

  compromise(id: ActorId, behaviour: BehaviourRef, options: SpawnOptions, detail: string): boolean {
    this.assertRunning('compromise');
    const a = this.sys.actor(id);
    if (a === undefined) throw new UnknownActorError(id, 'compromise (it was never spawned)');
    if (a.crashed === true || !this.sys.workerAlive(a.host)) return false;
    this.emit('byzantine', `${id} ${detail}`);
    a.ref = behaviour;
    a.options = options;
    // Stopped and started again on its worker in one control call: what reaches it meanwhile is
    // held by the worker, as in a recovery, not dead-lettered.
    this.issue(this.sys.call(a.host, `compromise("${id}")`, (api) => api.compromise(id, behaviour, options)).then((policy) => void (a.policy = policy)));
    return true;
  }

  partition(groups: readonly (readonly ActorId[])[]): void {
    this.assertRunning('partition');
    this.network.partition(partitionSides(groups));
    this.emit('partition', groups.map((g) => g.join(',')).join(' | '));
    this.push();
  }

  block(links: readonly (readonly [ActorId, ActorId])[], detail: string): void {
    this.assertRunning('block');
    checkLinks(links);
    this.network.block(links);
    this.emit('partition', detail);
    this.push();
  }

  heal(): void {
    this.assertRunning('heal');
    if (!this.network.heal()) return;
    this.emit('heal', 'partition healed');
    this.push();
  }

  setNetwork(name: string, condition: NetworkCondition | undefined): void {
    this.assertRunning('setNetwork');
    this.network.setCondition(name, condition);
    this.emit(condition === undefined ? 'network-end' : 'network', name);
    this.push();
  }

  pause(id: ActorId, durationMs: number): void {
    this.assertRunning('pause');
    if (this.sys.actor(id) === undefined) throw new UnknownActorError(id, 'pause (it was never spawned)');
    checkPause(durationMs);
    // Workers compare the end of a pause with their own clock: epoch ms, the same in every thread.
    this.network.pause(id, epochNow() + durationMs);
    const until = this.network.pauses()!.get(id)!;
    this.emit('pause', `${id} for ${durationMs} ms`);
    this.push();
    this.whenPauseEnds(id, until, durationMs);
  }

  /**
   * Traces `resume` (and tells the workers) once `id`'s pause that ends at `until` is over. A
   * timer may fire a little early on the epoch clock (the event loop's cached time): then it waits
   * for the rest. A pause extended meanwhile is left to the timer of the call that extended it.
   */
  private whenPauseEnds(id: ActorId, until: number, delayMs: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.sys.running) return;
        const now = epochNow();
        const current = this.network.pausedUntil(id, now);
        if (current === undefined) {
          this.emit('resume', id);
          this.push();
        } else if (current === until) this.whenPauseEnds(id, until, until - now + 1);
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
  }

  skewClock(id: ActorId, rate: number | undefined): void {
    this.assertRunning('skewClock');
    if (this.sys.actor(id) === undefined) throw new UnknownActorError(id, 'skewClock (it was never spawned)');
    checkRate(rate);
    this.network.skew(id, rate);
    this.emit(rate === undefined ? 'clock-skew-end' : 'clock-skew', rate === undefined ? id : `${id} x${rate}`);
    this.push();
  }

  isolate(id: ActorId, reason: string): void {
    this.assertRunning('isolate');
    if (this.sys.actor(id) === undefined) throw new UnknownActorError(id, 'isolate (it was never spawned)');
    if (!this.network.isolate(id)) return;
    this.emit('isolated', `${id}: ${reason}`);
    this.push();
  }

  /** Sends the whole fault state in force to every live worker, now. */
  private push(): void {
    const state = this.network.state();
    for (const w of this.sys.liveWorkers()) this.issue(this.sys.call(w, 'setFaults', (api) => api.setFaults(state)));
  }

  /**
   * Tracks a control call already posted (settle and shutdown wait for it). A worker that died
   * meanwhile is not an error here (its recovery accounts for what it held); any other failure
   * is recorded in the trace as `fault-error`.
   */
  private issue(call: Promise<unknown>): void {
    this.sys.track(
      call.catch((e: unknown) => {
        if (e instanceof HostCrashedError) return;
        this.emit('fault-error', (e as Error)?.message ?? String(e));
      }),
    );
  }

  private emit(fault: string, detail: string): void {
    if (this.sys.traceLevel !== 'off') this.sys.trace({ t: epochNow(), type: 'fault', fault, detail });
  }

  private assertRunning(call: string): void {
    if (!this.sys.running) throw new SystemStoppedError(call);
  }
}
