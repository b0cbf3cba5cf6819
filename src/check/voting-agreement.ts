import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * A safety violation found in a voting trace.
 *
 * @example
 * ```ts
 * const v: VotingViolation = { property: 'agreement', decision: 'd1', detail: 'decided "A" and "B"' };
 * ```
 */
export interface VotingViolation {
  readonly property: 'agreement' | 'validity';
  readonly decision: string;
  readonly detail: string;
  /** Position in the run's trace of the `decided` event that proves it (when the monitor was given positions). */
  readonly at?: number;
  /** Every event involved, in trace order: the proposal or the first decision, then `at`. */
  readonly positions?: readonly number[];
}

/**
 * The voting safety checker, fed one trace event at a time (so a run of millions of decisions
 * need not keep its trace): it remembers each decision's options and first decided value.
 * Given each event's position in the run's trace (`observe(e, at)`, as the checker registry
 * does), its violations name the events that prove them; without, they carry no positions.
 *
 * @example
 * ```ts
 * const monitor = new VotingSafetyMonitor();
 * let at = 0;
 * system.trace$.subscribe((e) => monitor.observe(e, at++));
 * // ... after the run
 * monitor.violations; // [] (or [{ property: 'agreement', decision: 'd1', detail: '...', at: 812, positions: [640, 812] }])
 * ```
 */
export class VotingSafetyMonitor {
  readonly violations: VotingViolation[] = [];
  private readonly options = new Map<string, { readonly options: readonly string[]; readonly at?: number }>();
  private readonly decided = new Map<string, { value: string; actor: string; at?: number }>();

  observe(e: TraceEvent, at?: number): void {
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: unknown; decision?: unknown; options?: unknown; value?: unknown };
    if (typeof ev.decision !== 'string') return;
    if (ev.type === 'proposal' && Array.isArray(ev.options)) this.options.set(ev.decision, { options: ev.options as string[], at });
    if (ev.type !== 'decided' || typeof ev.value !== 'string') return;
    const allowed = this.options.get(ev.decision);
    if (allowed && !allowed.options.includes(ev.value)) {
      this.report('validity', ev.decision, `"${e.actor}" decided "${ev.value}", which is not an option (${allowed.options.join(', ')})`, at, allowed.at);
    }
    const earlier = this.decided.get(ev.decision);
    if (earlier === undefined) this.decided.set(ev.decision, { value: ev.value, actor: e.actor, at });
    else if (earlier.value !== ev.value) {
      this.report('agreement', ev.decision, `"${earlier.actor}" decided "${earlier.value}" but "${e.actor}" decided "${ev.value}"`, at, earlier.at);
    }
  }

  /** Records a violation; positions only when the events' positions are known. */
  private report(property: VotingViolation['property'], decision: string, detail: string, at: number | undefined, before: number | undefined): void {
    if (at === undefined) this.violations.push({ property, decision, detail });
    else this.violations.push({ property, decision, detail, at, positions: before === undefined ? [at] : [before, at] });
  }
}

/**
 * Checks a run's trace for the safety of voting decisions, from the trace alone:
 * - agreement: no decision is decided with two different values (by one coordinator twice, or
 *   by two coordinators that both think they own it);
 * - validity: a decided value is one of the options its proposal offered.
 * Pure: the same events give the same answer, whichever mode produced them.
 *
 * @example
 * ```ts
 * const violations = checkVotingSafety(system.recorder.events!);
 * if (violations.length) console.error(violations);
 * ```
 */
export function checkVotingSafety(events: Iterable<TraceEvent>): VotingViolation[] {
  const monitor = new VotingSafetyMonitor();
  for (const e of events) monitor.observe(e);
  return monitor.violations;
}
