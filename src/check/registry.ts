import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { isAdversaryBehaviour } from './adversary-behaviour.ts';
import { checkAccounting, type Books } from './accounting.ts';
import { GossipAgreementMonitor } from './gossip-agreement.ts';
import { HiveDecisionMonitor } from './hive-decisions.ts';
import { PbftSafetyMonitor } from './pbft-safety.ts';
import { RaftSafetyMonitor } from './raft-safety.ts';
import { TerminationMonitor } from './termination.ts';
import type { CheckedProtocol, CheckKind, Violation } from './violation.ts';
import { VotingSafetyMonitor } from './voting-agreement.ts';

/**
 * How a run's checkers are set up: the actors known to be Byzantine (PBFT's properties are
 * about the honest replicas), and how long termination after heal allows.
 *
 * @example
 * ```ts
 * const options: CheckerOptions = { byzantine: ['node_004'], terminationBoundMs: 5_000 };
 * ```
 */
export interface CheckerOptions {
  readonly byzantine?: Iterable<ActorId>;
  /** Termination after heal: ms a decision may stay unreached once the last fault ended (default 5 s). */
  readonly terminationBoundMs?: number;
}

/**
 * What a checker is told when the run is over: how many events it was fed, when the trace
 * ended, and the run's final books when known (a saved trace has none: the accounting identity
 * is then not judged).
 *
 * @example
 * ```ts
 * checker.finish({ events: 1200, endT: 3_400, books: await system.shutdown() });
 * ```
 */
export interface RunEnd {
  readonly events: number;
  readonly endT: number;
  readonly books?: Books;
}

/**
 * One checker at work on one run: fed every trace event with its 0-based position, then asked
 * once for what it found.
 *
 * @example
 * ```ts
 * const checker = CHECKERS[0].create({});
 * events.forEach((e, i) => checker.observe(e, i));
 * checker.finish({ events: events.length, endT: events.at(-1)?.t ?? 0 });
 * ```
 */
export interface Checker {
  observe(e: TraceEvent, at: number): void;
  finish(end: RunEnd): Violation[];
}

/**
 * A named checker in the registry: which protocols it applies to, what kind of finding it
 * reports and what it judges, and how to start one for a run.
 *
 * @example
 * ```ts
 * const names = CHECKERS.filter((c) => c.protocols.includes('pbft')).map((c) => c.name);
 * ```
 */
export interface CheckerSpec {
  readonly name: string;
  readonly kind: CheckKind;
  readonly protocols: readonly CheckedProtocol[];
  /** What it judges, in a few words (help text, reports). */
  readonly judges: string;
  /** Starts the checker for one run of `protocol` (one of its `protocols`). */
  create(options: CheckerOptions, protocol: CheckedProtocol): Checker;
}

const ALL: readonly CheckedProtocol[] = ['voting', 'raft', 'pbft', 'gossip', 'hive'];

/** Adds the checker's name and kind to a monitor's finding; `positions` default to `[at]`. */
function finding(
  checker: string,
  kind: CheckKind,
  v: { property: string; detail: string; at?: number; positions?: readonly number[]; decision?: string },
): Violation {
  const positions = v.positions ?? (v.at === undefined ? undefined : [v.at]);
  return {
    checker,
    kind,
    property: v.property,
    detail: v.detail,
    ...(v.at === undefined ? {} : { at: v.at }),
    ...(positions === undefined ? {} : { positions }),
    ...(v.decision === undefined ? {} : { decision: v.decision }),
  };
}

/**
 * Every trace checker, by name. A run runs those whose `protocols` include its own:
 * - `voting-safety`: agreement and validity of votes (VotingSafetyMonitor);
 * - `raft-safety`: election safety, log matching, leader append-only, leader completeness,
 *   state-machine safety, apply order, no acknowledged command lost, no stale read (RaftSafetyMonitor);
 * - `pbft-safety`: agreement, validity, integrity and result integrity among honest replicas (PbftSafetyMonitor);
 * - `gossip-safety`: agreement and validity of gossip agreement's decided instances (GossipAgreementMonitor);
 * - `zero-architectural-mistakes`: every critical hive decision is the honest experts' majority choice (HiveDecisionMonitor);
 * - `accounting`: sent = delivered + dropped + dead-lettered + in flight, on the final books;
 * - `termination-after-heal` (liveness): every decision reached within a bound once faults stop (TerminationMonitor).
 *
 * @example
 * ```ts
 * for (const c of CHECKERS) console.log(`${c.name} (${c.kind}, ${c.protocols.join('/')}): ${c.judges}`);
 * ```
 */
export const CHECKERS: readonly CheckerSpec[] = [
  {
    name: 'voting-safety',
    kind: 'safety',
    protocols: ['voting'],
    judges: 'agreement, validity',
    create() {
      const m = new VotingSafetyMonitor();
      return { observe: (e, at) => m.observe(e, at), finish: () => m.violations.map((v) => finding('voting-safety', 'safety', v)) };
    },
  },
  {
    name: 'raft-safety',
    kind: 'safety',
    protocols: ['raft'],
    judges: 'election safety, log matching, leader append-only, leader completeness, state-machine safety, apply order, acknowledged commands, stale reads',
    create() {
      // The monitor numbers the events it observes itself: from the first, as the registry does.
      const m = new RaftSafetyMonitor();
      return { observe: (e) => m.observe(e), finish: () => m.finish().map((v) => finding('raft-safety', 'safety', v)) };
    },
  },
  {
    name: 'pbft-safety',
    kind: 'safety',
    protocols: ['pbft'],
    judges: 'agreement, validity, integrity, result integrity (honest replicas)',
    create(options) {
      const m = new PbftSafetyMonitor({ byzantine: options.byzantine });
      return { observe: (e) => m.observe(e), finish: () => m.finish().map((v) => finding('pbft-safety', 'safety', v)) };
    },
  },
  {
    name: 'gossip-safety',
    kind: 'safety',
    protocols: ['gossip'],
    judges: 'agreement (every node last settled on the decided value), validity (the largest initial value)',
    create() {
      const m = new GossipAgreementMonitor();
      return { observe: (e, at) => m.observe(e, at), finish: () => m.finish().map((v) => finding('gossip-safety', 'safety', v)) };
    },
  },
  {
    name: 'zero-architectural-mistakes',
    kind: 'safety',
    protocols: ['hive'],
    judges: "every critical decision is the honest experts' majority choice",
    create(options) {
      const m = new HiveDecisionMonitor({ byzantine: options.byzantine });
      return { observe: (e, at) => m.observe(e, at), finish: () => m.finish().map((v) => finding('zero-architectural-mistakes', 'safety', v)) };
    },
  },
  {
    name: 'accounting',
    kind: 'safety',
    protocols: ALL,
    judges: 'sent = delivered + dropped + dead-lettered + in flight (final books)',
    create() {
      return {
        observe: () => undefined,
        finish(end) {
          const detail = end.books === undefined ? undefined : checkAccounting(end.books);
          if (detail === undefined) return [];
          const last = end.events - 1;
          return [finding('accounting', 'safety', { property: 'accounting-identity', detail, ...(last >= 0 ? { at: last } : {}) })];
        },
      };
    },
  },
  {
    name: 'termination-after-heal',
    kind: 'liveness',
    protocols: ALL,
    judges: 'every decision reached within a bound once the last fault ends',
    create(options, protocol) {
      // Byzantine agents lie for the whole run, a fault no `fault` event marks: the finding
      // names them rather than say the run had none (from the options, or from the trace's
      // spawns of an adversary behaviour, for drivers that do not pass them).
      const liars = new Set(options.byzantine ?? []);
      const m = new TerminationMonitor(protocol, { boundMs: options.terminationBoundMs, liars });
      return {
        observe(e, at) {
          if (e.type === 'spawn' && isAdversaryBehaviour(e.behaviour)) liars.add(e.actor);
          m.observe(e, at);
        },
        finish(end) {
          const f = m.finish(end.endT);
          return f === undefined ? [] : [finding('termination-after-heal', 'liveness', { property: 'termination-after-heal', ...f })];
        },
      };
    },
  },
];

/**
 * What a run's checkers found, safety and liveness apart, and which checkers ran.
 *
 * @example
 * ```ts
 * const { safety, liveness } = runCheckers('raft', events);
 * if (safety.length > 0) process.exitCode = 1;
 * ```
 */
export interface CheckReport {
  readonly checkers: readonly string[];
  readonly safety: Violation[];
  readonly liveness: Violation[];
}

/**
 * The checkers of one run, live: feed it every trace event as it happens (it numbers them, so
 * each finding names its trace positions), then `finish` once with the final books. Every
 * driver runs one, so every command (`conclave run`, stress, bench) checks what applies.
 *
 * @example
 * ```ts
 * const checks = new RunCheckers('pbft', { byzantine: liars });
 * system.trace$.subscribe((e) => checks.observe(e));
 * // ... run ...
 * const { safety, liveness } = checks.finish(await system.shutdown());
 * ```
 */
export class RunCheckers {
  readonly checkers: readonly string[];
  private readonly running: Checker[];
  private seen = 0;
  private endT = 0;
  private report: CheckReport | undefined;

  constructor(protocol: CheckedProtocol, options: CheckerOptions = {}) {
    const specs = CHECKERS.filter((c) => c.protocols.includes(protocol));
    this.checkers = specs.map((c) => c.name);
    this.running = specs.map((c) => c.create(options, protocol));
  }

  observe(e: TraceEvent): void {
    const at = this.seen++;
    this.endT = e.t;
    for (const c of this.running) c.observe(e, at);
  }

  /** Ends the run: every checker's findings, sorted into safety and liveness. Once; later calls return the same. */
  finish(books?: Books): CheckReport {
    if (this.report !== undefined) return this.report;
    const end: RunEnd = { events: this.seen, endT: this.endT, ...(books ? { books } : {}) };
    const all = this.running.flatMap((c) => c.finish(end));
    this.report = { checkers: this.checkers, safety: all.filter((v) => v.kind === 'safety'), liveness: all.filter((v) => v.kind === 'liveness') };
    return this.report;
  }
}

/**
 * Runs every checker that applies to `protocol` over a whole trace (a saved one, or a replay's),
 * with the run's final books if known. Pure: the same events give the same findings.
 *
 * @example
 * ```ts
 * const { safety } = runCheckers('pbft', sim.recorder.events, { byzantine: ['node_004'], books: result });
 * safety[0]; // { checker: 'pbft-safety', kind: 'safety', property: 'agreement', detail: '...', at: 412, positions: [412] }
 * ```
 */
export function runCheckers(protocol: CheckedProtocol, events: Iterable<TraceEvent>, options: CheckerOptions & { readonly books?: Books } = {}): CheckReport {
  const checks = new RunCheckers(protocol, options);
  for (const e of events) checks.observe(e);
  return checks.finish(options.books);
}
