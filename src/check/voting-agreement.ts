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
}

/**
 * The voting safety checker, fed one trace event at a time (so a run of millions of decisions
 * need not keep its trace): it remembers each decision's options and first decided value.
 *
 * @example
 * ```ts
 * const monitor = new VotingSafetyMonitor();
 * system.trace$.subscribe((e) => monitor.observe(e));
 * // ... after the run
 * monitor.violations; // []
 * ```
 */
export class VotingSafetyMonitor {
  readonly violations: VotingViolation[] = [];
  private readonly options = new Map<string, readonly string[]>();
  private readonly decided = new Map<string, { value: string; actor: string }>();

  observe(e: TraceEvent): void {
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: unknown; decision?: unknown; options?: unknown; value?: unknown };
    if (typeof ev.decision !== 'string') return;
    if (ev.type === 'proposal' && Array.isArray(ev.options)) this.options.set(ev.decision, ev.options as string[]);
    if (ev.type !== 'decided' || typeof ev.value !== 'string') return;
    const allowed = this.options.get(ev.decision);
    if (allowed && !allowed.includes(ev.value)) {
      this.violations.push({ property: 'validity', decision: ev.decision, detail: `"${e.actor}" decided "${ev.value}", which is not an option (${allowed.join(', ')})` });
    }
    const earlier = this.decided.get(ev.decision);
    if (earlier === undefined) this.decided.set(ev.decision, { value: ev.value, actor: e.actor });
    else if (earlier.value !== ev.value) {
      this.violations.push({ property: 'agreement', decision: ev.decision, detail: `"${earlier.actor}" decided "${earlier.value}" but "${e.actor}" decided "${ev.value}"` });
    }
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
