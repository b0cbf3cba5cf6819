import { moduleUrl } from '../module-url.ts';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { MessageAccounting } from '../actors/counters.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { ConclaveError } from '../errors.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { LiveRun } from '../swarm/run-options.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { startWorker } from '../scheduler/threads/spawn-worker.ts';
import type { BridgeInit, ControlReply, ControlRequest, FromServer, ToServer } from './bridge-protocol.ts';
import type { DashboardServerOptions } from './dashboard-server.ts';
import type { FeedFrame } from './feed-frame.ts';
import { FRAME_MS } from './dashboard-server.ts';
import { LiveFeed } from './live-feed.ts';
import { checkControl, CONTROLS, layControl } from './run-control.ts';

/** Trace events between two reads of the clock (reading it per event would cost the run more than the feed). */
const EVENTS_PER_CLOCK_READ = 256;

/** Options of a live dashboard for one run. */
export interface LiveDashboardOptions extends DashboardServerOptions {
  readonly runId: string;
  readonly label: string;
  readonly mode: 'sim' | 'threads';
  readonly protocol: string;
  /** Hold a sim run once its topology is in force, until a page resumes it. */
  readonly startPaused?: boolean;
}

/**
 * Serves one run live while it goes, from the run's own process: the server runs in a worker
 * thread (a sim run holds this thread until it ends), this side folds the trace into frames
 * ({@link LiveFeed}) and posts one per ~250 ms of wall clock, and applies the page's control
 * actions between two trace events, through the scheduler's API. A pause holds this thread (the
 * sim's virtual clock stops) until a page resumes it; the server keeps answering meanwhile.
 *
 * @example
 * ```ts
 * const dash = await LiveDashboard.start({ runId: 'r1', label: 'db-choice', mode: 'sim', protocol: 'simple_majority' });
 * console.log(dash.url);
 * const result = await runScenario(scenario, { onSystem: (s) => dash.attach(s), onEvent: (e) => dash.observe(e), onAlert: (a) => dash.alert(a) });
 * await dash.finish('completed');
 * ```
 */
export class LiveDashboard {
  private system: ActorSystem | undefined;
  private run: LiveRun | undefined;
  private readonly feed: LiveFeed;
  private events = 0;
  private nextFrame = 0;
  private paused = false;
  private holdAtStart: boolean;
  private sawTopology = false;
  private seen = 0;
  private readonly signal: Int32Array;
  private readonly timer: NodeJS.Timeout;
  private listener: ((frame: FeedFrame) => void) | undefined;
  /** Threads mode: the books as the workers last reported them (asked for once per frame; a frame shows the previous answer). */
  private threadsLedger: MessageAccounting | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    signal: SharedArrayBuffer,
    readonly url: string,
    readonly token: string | undefined,
    readonly generatedToken: boolean,
    private readonly options: LiveDashboardOptions,
  ) {
    this.signal = new Int32Array(signal);
    this.holdAtStart = options.startPaused === true && options.mode === 'sim';
    this.feed = new LiveFeed(
      { run: options.runId, mode: options.mode, protocol: options.protocol, controls: CONTROLS[options.mode] },
      {
        graph: () => this.system?.topology,
        ledger: () => (this.system instanceof SimSystem ? this.system.accountingNow() : this.threadsLedger),
        byzantineKinds: () => this.run?.byzantineKinds ?? [],
      },
    );
    // Frames and control requests while the run's thread is idle (threads mode; sim between phases).
    this.timer = setInterval(() => this.tick(performance.now()), FRAME_MS);
    this.timer.unref();
  }

  /** Starts the server thread; resolves once it listens (or rejects: a port in use, a bad token). */
  static async start(options: LiveDashboardOptions): Promise<LiveDashboard> {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const { runId, label, startPaused: _p, mode: _m, protocol: _pr, ...server } = options;
    const init: BridgeInit = { server, runId, label, control: port2, signal };
    const worker = startWorker(moduleUrl('./dashboard-worker.ts', import.meta.url), { workerData: init, transferList: [port2] });
    const ready = await new Promise<FromServer>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (ready.type !== 'ready') {
      await worker.terminate();
      throw new ConclaveError('config', `the dashboard could not start: ${ready.type === 'failed' ? ready.message : 'no answer'}`);
    }
    return new LiveDashboard(worker, port1, signal, ready.url, ready.token, ready.generatedToken, options);
  }

  /** The run's system, once created, and the run itself where the page may steer it further (RunOptions.onSystem). */
  attach(system: ActorSystem, run?: LiveRun): void {
    this.system = system;
    this.run = run;
  }

  /** The next run of a campaign, on the same page: its system, and the feed told where it begins (LiveFeed.nextRun). */
  nextRun(system: ActorSystem, label: string): void {
    this.attach(system);
    this.feed.nextRun(label);
  }

  /** One trace event (RunOptions.onEvent): a few counters; every 256 events a look at the clock. */
  observe(e: TraceEvent): void {
    this.feed.observe(e);
    if (e.type === 'topology') this.sawTopology = true;
    else if (this.holdAtStart && this.sawTopology) {
      this.holdAtStart = false;
      this.paused = true;
      this.feed.setPaused(true);
      this.feed.control('held at the start (--dashboard-paused): resume from the page');
      this.tick(performance.now());
    }
    if (++this.events % EVENTS_PER_CLOCK_READ === 0) {
      const now = performance.now();
      if (now >= this.nextFrame) this.tick(now);
    } else if (this.paused) this.tick(performance.now());
  }

  /** An alert the run raised (RunOptions.onAlert). */
  alert(a: AlertRecord): void {
    this.feed.alert(a);
  }

  /** The run ended: its last frame goes out to every page, then the server stops. */
  async finish(status: string): Promise<void> {
    clearInterval(this.timer);
    this.feed.end(status);
    const flushed = new Promise<void>((resolve) => {
      this.worker.on('message', (m: FromServer) => {
        if (m.type === 'flushed') resolve();
      });
      this.worker.once('exit', () => resolve());
    });
    this.post({ type: 'end', frame: this.feed.frame(Date.now()) });
    await flushed;
    this.port.close();
    await this.worker.terminate();
  }

  /** Posts a frame and answers the control requests waiting; while paused, waits here for the next one. */
  private tick(now: number): void {
    this.nextFrame = now + FRAME_MS;
    const system = this.system;
    if (system !== undefined && !(system instanceof SimSystem)) {
      system.accounting().then(
        (a) => (this.threadsLedger = a),
        () => undefined,
      );
    }
    this.controls();
    this.post({ type: 'frame', frame: this.feed.frame(Date.now()) });
    while (this.paused) {
      // Holds this thread (the sim's clock with it) until a page sends a request: the worker bumps the counter and notifies.
      Atomics.wait(this.signal, 0, this.seen);
      this.controls();
      this.post({ type: 'frame', frame: this.feed.frame(Date.now()) });
    }
  }

  private controls(): void {
    this.seen = Atomics.load(this.signal, 0);
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const req = m.message as ControlRequest;
      let reply: ControlReply;
      try {
        reply = { id: req.id, ok: true, text: this.apply(req.action) };
      } catch (e) {
        reply = { id: req.id, ok: false, text: (e as Error).message };
      }
      this.feed.control(reply.ok ? `from the page: ${reply.text}` : `refused from the page: ${reply.text}`);
      this.port.postMessage(reply);
    }
  }

  private apply(input: unknown): string {
    const system = this.system;
    if (!system?.topology) throw new Error('the run has no topology in force yet: try again in a moment');
    const action = checkControl(input, this.options.mode, system.topology.members);
    if (action.action === 'pause') {
      if (this.paused) return 'already paused';
      this.paused = true;
      this.feed.setPaused(true);
      return `paused at t=${Math.round(system.faults.now()).toLocaleString('en-US')} ms`;
    }
    if (action.action === 'resume') {
      if (!this.paused) return 'not paused';
      this.paused = false;
      this.feed.setPaused(false);
      return `resumed at t=${Math.round(system.faults.now()).toLocaleString('en-US')} ms`;
    }
    if (action.action === 'byzantine') {
      if (this.run === undefined) throw new Error('this run cannot make a member Byzantine (it was not started by conclave run)');
      return this.run.makeByzantine(action.member, action.kinds);
    }
    return layControl(system, action);
  }

  /** Sees each frame as it is posted to the server thread (a bench checks the last one against the run's result). */
  onFrame(listener: (frame: FeedFrame) => void): void {
    this.listener = listener;
  }

  private post(m: ToServer): void {
    this.listener?.(m.frame);
    this.worker.postMessage(m);
  }
}
