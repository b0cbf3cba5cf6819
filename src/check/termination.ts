import type { TraceEvent } from '../actors/trace-event.ts';
import type { CheckedProtocol } from './violation.ts';

/**
 * How long, by default, a decision may stay unreached once the last fault has ended (virtual
 * ms in sim mode): ample for Raft's elections and PBFT's view changes, which take hundreds of ms.
 *
 * @example
 * ```ts
 * new TerminationMonitor('raft', { boundMs: DEFAULT_TERMINATION_BOUND_MS });
 * ```
 */
export const DEFAULT_TERMINATION_BOUND_MS = 5_000;

/**
 * A termination-after-heal finding: the decisions not reached within the bound (at most
 * `SHOWN` of them named), where the last fault ended, and where each offender shows it.
 *
 * @example
 * ```ts
 * const f: TerminationFinding = { detail: '1 of 30 decisions not reached ...', at: 412, positions: [300, 412] };
 * ```
 */
export interface TerminationFinding {
  readonly detail: string;
  /** The first offender's proving event: its start when never reached, else its late arrival. */
  readonly at: number;
  /** The last fault event (if any) and every named offender's proving event, in trace order. */
  readonly positions: readonly number[];
}

/** Fault events that begin something transient, and those that end it (what SimSystem traces). */
const FAULT_STARTS = new Set(['crash', 'partition', 'network', 'pause', 'clock-skew']);
const FAULT_ENDS = new Set(['recover', 'heal', 'network-end', 'resume', 'clock-skew-end']);
/** Offenders named in the finding, at most. */
const SHOWN = 5;

/**
 * What starts and what reaches a decision, per protocol, from what the drivers emit: a vote is
 * opened by the coordinator's `proposal` and reached by its `decided` (with or without
 * consensus: closing is the vote's termination); a Raft command by the client's `client-invoke` / `client-ok`;
 * a PBFT request by `pbft-request` / `pbft-accepted`.
 */
const MARKS: Record<CheckedProtocol, (ev: Readonly<Record<string, unknown>>) => { started?: string; reached?: string } | undefined> = {
  voting: (ev) => {
    if (typeof ev.decision !== 'string') return undefined;
    if (ev.type === 'proposal') return { started: ev.decision };
    // A vote terminates when it closes, with or without consensus: a timeout is the protocol's
    // own end for a vote whose ballots were lost, and no later heal can reopen it.
    if (ev.type === 'decided') return { reached: ev.decision };
    return undefined;
  },
  raft: (ev) =>
    ev.type === 'client-invoke' ? { started: `${ev.client}#${ev.seq}` } : ev.type === 'client-ok' ? { reached: `${ev.client}#${ev.seq}` } : undefined,
  pbft: (ev) =>
    ev.type === 'pbft-request' ? { started: `${ev.client}#${ev.ts}` } : ev.type === 'pbft-accepted' ? { reached: `${ev.client}#${ev.ts}` } : undefined,
  gossip: (ev) =>
    typeof ev.decision !== 'string'
      ? undefined
      : ev.type === 'gossip-open'
        ? { started: ev.decision }
        : ev.type === 'gossip-decided'
          ? { reached: ev.decision }
          : undefined,
};

interface Started {
  readonly t: number;
  readonly at: number;
}

/**
 * Termination after heal, fed one trace event at a time: once the last fault has ended, every
 * decision started must be reached within `boundMs` (of that end, or of its own start if it
 * started later). A liveness property, judged at `finish(endT)`:
 * - faults are the scheduler's `fault` events that begin something transient (crash, partition,
 *   network, pause, clock-skew) or end it (recover, heal, network-end, resume, clock-skew-end);
 *   the last fault ends at the last such event. `isolated` (a replica proven Byzantine, cut out
 *   for good) is a defence, not a fault, and a crash never recovered is a crash-stop the
 *   protocol must live with: neither holds the judgement back.
 * - when a partition, a network condition, a pause or a skew is still in force at the end,
 *   the faults never stopped and nothing is judged.
 * - a decision reached before the last fault ended owes nothing; one still unreached at the end
 *   is judged only if the trace went on past its deadline (a run cut short proves nothing).
 * It keeps one entry per decision in flight, and one per decision that took longer than the
 * bound (the only ones that can be late).
 *
 * @example
 * ```ts
 * const m = new TerminationMonitor('pbft', { boundMs: 5_000 });
 * events.forEach((e, i) => m.observe(e, i));
 * m.finish(events.at(-1)!.t); // undefined, or { detail: '2 of 30 decisions not reached within 5000 ms of the last fault (heal at t=900 ms): ...', at, positions }
 * ```
 */
export class TerminationMonitor {
  private readonly marks: (typeof MARKS)[CheckedProtocol];
  private readonly boundMs: number;
  private readonly open = new Map<string, Started>();
  /** Decisions reached more than `boundMs` after they started: late if the last fault ended early enough. */
  private readonly slow: { id: string; started: Started; t: number; at: number }[] = [];
  private count = 0;
  private lastFault: { t: number; at: number; fault: string } | undefined;
  private partitioned = false;
  private readonly lasting = new Set<string>();
  /** Byzantine agents: they lie for the whole run, a fault no `fault` event marks. */
  private readonly liars: ReadonlySet<string>;

  /**
   * `liars` may be filled in while the trace is read (the registry adds the agents it sees spawned
   * as adversaries): a finding names them rather than say the run had no faults.
   */
  constructor(protocol: CheckedProtocol, options: { boundMs?: number; liars?: ReadonlySet<string> } = {}) {
    this.marks = MARKS[protocol];
    this.boundMs = options.boundMs ?? DEFAULT_TERMINATION_BOUND_MS;
    this.liars = options.liars ?? new Set();
  }

  observe(e: TraceEvent, at: number): void {
    if (e.type === 'fault') return this.onFault(e.fault, e.detail, e.t, at);
    if (e.type !== 'emit') return;
    const m = this.marks(e.event);
    if (m === undefined) return;
    if (m.started !== undefined && !this.open.has(m.started)) {
      this.open.set(m.started, { t: e.t, at });
      this.count++;
    }
    if (m.reached === undefined) return;
    const started = this.open.get(m.reached);
    if (started === undefined) return;
    this.open.delete(m.reached);
    if (e.t - started.t > this.boundMs) this.slow.push({ id: m.reached, started, t: e.t, at });
  }

  /**
   * Judges the run, whose trace ended at `endT`: a finding when some decision was not reached in
   * time, else undefined (also when the faults never stopped).
   */
  finish(endT: number): TerminationFinding | undefined {
    if (this.partitioned || this.lasting.size > 0) return undefined;
    const healT = this.lastFault?.t ?? -Infinity;
    const deadline = (s: Started) => Math.max(s.t, healT) + this.boundMs;
    const late: { id: string; at: number; how: string }[] = [];
    for (const s of this.slow) {
      if (s.t > deadline(s.started)) late.push({ id: s.id, at: s.at, how: `started t=${ms(s.started.t)}, reached t=${ms(s.t)}` });
    }
    for (const [id, s] of this.open) {
      if (endT > deadline(s)) late.push({ id, at: s.at, how: `started t=${ms(s.t)}, never reached` });
    }
    if (late.length === 0) return undefined;
    late.sort((a, b) => a.at - b.at);
    const shown = late.slice(0, SHOWN);
    const since =
      this.lastFault !== undefined
        ? `of the last fault (${this.lastFault.fault} at t=${ms(this.lastFault.t)})`
        : this.liars.size === 0
          ? 'of starting (the run had no faults)'
          : `of starting (no timed faults; Byzantine ${this.liars.size === 1 ? 'agent' : 'agents'} ${[...this.liars].sort().join(', ')} lying throughout)`;
    return {
      detail: `${late.length} of ${this.count} decisions not reached within ${this.boundMs} ms ${since}: ${shown.map((l) => `${l.id} (${l.how})`).join(', ')}${late.length > SHOWN ? ', ...' : ''}`,
      at: shown[0].at,
      positions: [...(this.lastFault ? [this.lastFault.at] : []), ...shown.map((l) => l.at)].sort((a, b) => a - b),
    };
  }

  private onFault(fault: string, detail: string, t: number, at: number): void {
    if (!FAULT_STARTS.has(fault) && !FAULT_ENDS.has(fault)) return;
    this.lastFault = { t, at, fault };
    // What stays in force until its end event: partitions (all healed at once), network
    // conditions (by name), pauses and skews (by actor; the detail starts with its id).
    if (fault === 'partition') this.partitioned = true;
    else if (fault === 'heal') this.partitioned = false;
    else if (fault === 'network') this.lasting.add(`network:${detail}`);
    else if (fault === 'network-end') this.lasting.delete(`network:${detail}`);
    else if (fault === 'pause') this.lasting.add(`pause:${detail.slice(0, detail.lastIndexOf(' for '))}`);
    else if (fault === 'resume') this.lasting.delete(`pause:${detail}`);
    else if (fault === 'clock-skew') this.lasting.add(`skew:${detail.slice(0, detail.lastIndexOf(' x'))}`);
    else if (fault === 'clock-skew-end') this.lasting.delete(`skew:${detail}`);
  }
}

const ms = (t: number): string => `${Math.round(t * 1000) / 1000} ms`;
