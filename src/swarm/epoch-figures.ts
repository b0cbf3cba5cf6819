import type { TraceEvent } from '../actors/trace-event.ts';
import type { EpochStats } from '../scheduler/topology-control.ts';
import { LatencySample } from './latency-sample.ts';

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
 * Folds a run's trace into the latencies of the decisions that closed in each topology epoch, as
 * the events arrive (the epoch in force is the last `topology` event seen).
 *
 * @example
 * ```ts
 * const latencies = new EpochLatencies();
 * system.trace$.subscribe((e) => latencies.observe(e));
 * ```
 */
export class EpochLatencies {
  readonly byEpoch = new Map<number, LatencySample>();
  private epoch: number | undefined;

  observe(e: TraceEvent): void {
    if (e.type === 'topology') this.epoch = e.epoch;
    else if (e.type === 'emit') {
      const ev = e.event as { type?: string; latencyMs?: number };
      if (ev.type === 'decided') this.add(ev.latencyMs ?? 0);
    }
  }

  /** A decision that closed now, in the epoch in force (a driver whose decisions are not `decided` events calls this). */
  add(latencyMs: number): void {
    if (this.epoch === undefined) return;
    let sample = this.byEpoch.get(this.epoch);
    if (sample === undefined) this.byEpoch.set(this.epoch, (sample = new LatencySample()));
    sample.add(latencyMs);
  }
}

/**
 * Joins per-epoch counters with the decisions that closed while each epoch was in force.
 *
 * @example
 * ```ts
 * const figures = epochFigures(result.topology.epochs, latencies.byEpoch);
 * ```
 */
export function epochFigures(epochs: readonly EpochStats[], latencies: ReadonlyMap<number, LatencySample>): EpochFigures[] {
  return epochs.map((s) => {
    const l = latencies.get(s.epoch) ?? new LatencySample();
    const n = l.count;
    return {
      epoch: s.epoch,
      kind: s.kind,
      decisions: n,
      messages: s.sent,
      messagesPerDecision: n > 0 ? Math.round((s.sent / n) * 100) / 100 : 0,
      linksPerMessage: Math.round(s.linksPerMessage * 1000) / 1000,
      latencyP50Ms: Math.round(l.quantile(0.5, (k) => Math.floor((k - 1) / 2)) * 1000) / 1000,
    };
  });
}
