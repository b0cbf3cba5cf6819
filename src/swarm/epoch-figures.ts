import type { TraceEvent } from '../actors/trace-event.ts';
import type { EpochStats } from '../scheduler/topology-control.ts';

/**
 * What one topology epoch of a run did: its messages and relay hops (from the scheduler's
 * counters) with the decisions that closed while it was in force (from the trace).
 *
 * @example
 * ```ts
 * for (const e of result.topologyEpochs) console.log(e.kind, e.decisions, e.messagesPerDecision, e.latencyP50Ms);
 * ```
 */
export interface EpochFigures {
  readonly epoch: number;
  readonly kind: string;
  readonly decisions: number;
  readonly messages: number;
  readonly messagesPerDecision: number;
  readonly linksPerMessage: number;
  readonly latencyP50Ms: number;
}

/**
 * Joins per-epoch counters with the `decided` events of the trace, by the time each epoch's
 * `topology` event was traced (both sides use the trace clock, virtual or wall).
 *
 * @example
 * ```ts
 * const figures = epochFigures(result.topology.epochs, system.recorder.events!);
 * ```
 */
export function epochFigures(epochs: readonly EpochStats[], events: readonly TraceEvent[]): EpochFigures[] {
  const starts = new Map<number, number>();
  const latencies = new Map<number, number[]>();
  for (const e of events) if (e.type === 'topology') starts.set(e.epoch, e.t);
  const ordered = [...starts.entries()].sort((a, b) => a[1] - b[1]);
  const epochAt = (t: number): number | undefined => {
    let found: number | undefined;
    for (const [epoch, start] of ordered) if (start <= t) found = epoch;
    return found;
  };
  for (const e of events) {
    if (e.type !== 'emit') continue;
    const ev = e.event as { type?: string; latencyMs?: number };
    if (ev.type !== 'decided') continue;
    const epoch = epochAt(e.t);
    if (epoch === undefined) continue;
    const list = latencies.get(epoch) ?? [];
    list.push(ev.latencyMs ?? 0);
    latencies.set(epoch, list);
  }
  return epochs.map((s) => {
    const l = (latencies.get(s.epoch) ?? []).sort((a, b) => a - b);
    return {
      epoch: s.epoch,
      kind: s.kind,
      decisions: l.length,
      messages: s.sent,
      messagesPerDecision: l.length > 0 ? Math.round((s.sent / l.length) * 100) / 100 : 0,
      linksPerMessage: Math.round(s.linksPerMessage * 1000) / 1000,
      latencyP50Ms: l.length > 0 ? Math.round(l[Math.floor((l.length - 1) / 2)] * 1000) / 1000 : 0,
    };
  });
}
