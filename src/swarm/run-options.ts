import type { TraceEvent, TraceLevel } from '../actors/trace-event.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import type { OversightHook } from '../protocols/voting/oversight.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { SystemOptions } from '../system/create-system.ts';

/**
 * How to run a scenario; every field overrides the scenario's own setting.
 *
 * @example
 * ```ts
 * const result = await runScenario(scenario, { seed: 7, mode: 'threads', workers: 2, traceFile: 'run.jsonl' });
 * ```
 */
export interface RunOptions {
  readonly seed?: number;
  readonly mode?: 'sim' | 'threads';
  readonly workers?: number;
  /** Writes every trace event as a canonical JSON line. */
  readonly traceFile?: string;
  /** `events` (default) records proposals, votes and decisions; `off` is for raw throughput (no safety check then). */
  readonly traceLevel?: TraceLevel;
  /** One trace event per vote (default true). */
  readonly traceVotes?: boolean;
  /** Sees every trace event as it happens (a live timeline). */
  readonly onEvent?: (event: TraceEvent) => void;
  /**
   * Creates the run's system in place of `createSystem` (given the options it would get): a run
   * across node processes on NATS passes one that starts its hosts there (src/net/).
   */
  readonly createSystem?: (options: SystemOptions) => Promise<ActorSystem>;
  /**
   * Sees the run's system once it is created, before anything is spawned: for a fault drill or
   * a test that kills a worker mid-run (`(system as ThreadSystem).killWorker(i)`); `run` steers
   * what only the protocol knows how to do (compromise a member: the dashboard's "make Byzantine").
   */
  readonly onSystem?: (system: ActorSystem, run: LiveRun) => void;
  /**
   * Human oversight for `escalation: wait`: return an option to decide, or undefined to reject.
   * In sim mode answer synchronously (the simulation does not wait for promises).
   */
  readonly onEscalation?: (decision: { decision: string; risk: string | null }) => string | undefined | Promise<string | undefined>;
  /**
   * Human oversight for decision classes with `human_oversight: true` (beats the scenario's
   * `oversight:` module). Threads mode waits for an asynchronous answer until the class's
   * `oversight_timeout`; sim mode takes only a synchronous one (see src/protocols/voting/oversight.ts).
   */
  readonly oversight?: OversightHook;
  /** Passed to the oversight hook with each request (the run store's id for the run). */
  readonly runId?: string;
  /** Sees each monitoring alert as it is raised (they are also in the result's `alerts`). */
  readonly onAlert?: (alert: AlertRecord) => void;
  /** Longest the run may take, in ms (virtual in sim mode); default: ample for the workload. */
  readonly timeoutMs?: number;
  /**
   * Termination after heal: how long a decision may stay unreached once the last fault ended,
   * in ms (virtual in sim mode). Default 5 s; a vote's default adds its voting timeout (a vote
   * may rightly wait that long for its last ballots).
   */
  readonly terminationBoundMs?: number;
}

/**
 * A run in progress, steered beyond its system's own API: what needs the protocol (which
 * adversary a member turns into) goes through here, and lands on the system's fault control.
 *
 * @example
 * ```ts
 * await runScenario(scenario, { onSystem: (system, run) => system.faults.at(500, () => run.makeByzantine('reviewer_002')) });
 * ```
 */
export interface LiveRun {
  /** The lies a compromised member of this protocol can tell (empty: the protocol has no adversary). */
  readonly byzantineKinds: readonly string[];
  /**
   * Compromises `member` at the run's next instant (`faults.at(0, ...)`): it runs the protocol's
   * adversary telling `kinds` (default: one its detectors can catch) from then on, and the
   * checkers count it as a liar. Throws, naming what was wrong, for a member outside the protocol,
   * one not running, an unknown kind or a protocol without an adversary. Returns what was laid.
   */
  makeByzantine(member: string, kinds?: readonly string[]): string;
}
