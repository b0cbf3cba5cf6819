import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * A critical decision the honest experts would not have taken.
 *
 * @example
 * ```ts
 * const m: ArchitecturalMistake = { property: 'zero-architectural-mistakes', detail: '...', at: 120, positions: [88, 120], decision: 't02#1/commit' };
 * ```
 */
export interface ArchitecturalMistake {
  readonly property: 'zero-architectural-mistakes';
  readonly detail: string;
  readonly at: number;
  readonly positions: readonly number[];
  readonly decision: string;
}

interface RoundVotes {
  /** First vote of each agent in the round, with the event's position. */
  readonly first: Map<ActorId, { value: string; at: number }>;
}

/**
 * "Zero architectural mistakes", over a hive's trace: every critical decision the queen took
 * (`decision` with `critical: true` and `consensus: true`) must be the honest majority's choice,
 * where the honest majority is the option that more than half of the honest experts' first
 * votes in the round that decided chose (every `vote` event of that round; an agent's later,
 * different vote in it is an equivocation and does not count; earlier rounds that ended without
 * consensus are not pooled in, since their votes did not decide anything). A decision whose honest
 * votes have no majority is not judged (`unjudged` counts them). Honest means not named in
 * `byzantine`, nor spawned with an adversary behaviour. It keeps its own count of votes and
 * never calls the queen's tally.
 *
 * @example
 * ```ts
 * const m = new HiveDecisionMonitor({ byzantine: ['worker_01_01'] });
 * events.forEach((e, i) => m.observe(e, i));
 * m.finish(); // [] when every critical decision followed the honest majority
 * ```
 */
export class HiveDecisionMonitor {
  private readonly liars: Set<ActorId>;
  private readonly rounds = new Map<string, RoundVotes>();
  private readonly found: ArchitecturalMistake[] = [];
  /** Critical decisions judged, and those without an honest majority to judge against. */
  judged = 0;
  unjudged = 0;

  constructor(options: { byzantine?: Iterable<ActorId> } = {}) {
    this.liars = new Set(options.byzantine ?? []);
  }

  observe(e: TraceEvent, at: number): void {
    if (e.type === 'spawn' && /#byzantine/.test(e.behaviour)) this.liars.add(e.actor);
    if (e.type !== 'emit') return;
    const ev = e.event;
    if (ev.hive === 'vote' && typeof ev.decision === 'string' && typeof ev.value === 'string') {
      let r = this.rounds.get(ev.decision);
      if (r === undefined) this.rounds.set(ev.decision, (r = { first: new Map() }));
      if (!r.first.has(ev.agent as string)) r.first.set(ev.agent as string, { value: ev.value, at });
    } else if (ev.hive === 'decision' && ev.critical === true && ev.consensus === true && typeof ev.decision === 'string' && typeof ev.value === 'string') {
      this.judge(ev.decision, ev.value, at);
    }
  }

  private judge(decision: string, value: string, at: number): void {
    const counts = new Map<string, number>();
    const positions: number[] = [];
    let honest = 0;
    for (const [agent, v] of this.rounds.get(decision)?.first ?? []) {
      if (this.liars.has(agent)) continue;
      honest++;
      positions.push(v.at);
      counts.set(v.value, (counts.get(v.value) ?? 0) + 1);
    }
    const majority = [...counts].find(([, n]) => n * 2 > honest)?.[0];
    if (majority === undefined) {
      this.unjudged++;
      return;
    }
    this.judged++;
    if (majority === value) return;
    this.found.push({
      property: 'zero-architectural-mistakes',
      decision,
      at,
      positions: [...positions.sort((a, b) => a - b), at],
      detail: `critical decision ${decision} took "${value}" but ${counts.get(majority)} of ${honest} honest expert votes chose "${majority}" (liars: ${[...this.liars].sort().join(', ') || 'none named'})`,
    });
  }

  finish(): ArchitecturalMistake[] {
    return this.found;
  }
}
