import { createHash, type Hash } from 'node:crypto';
import type { Observable, Subscription } from 'rxjs';
import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * Subscribes to a trace stream, hashes it canonically (one JSON line per event, in order) and,
 * if asked, keeps the events. The hash is what "same seed, same trace" is checked against.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder(system.trace$, { keep: true });
 * // ... run ...
 * rec.hash(); rec.events;
 * ```
 */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly hasher: Hash = createHash('sha256');
  private readonly sub: Subscription;
  count = 0;

  constructor(trace$: Observable<TraceEvent>, private readonly options: { keep?: boolean } = {}) {
    this.sub = trace$.subscribe((ev) => {
      this.count++;
      this.hasher.update(canonicalLine(ev));
      this.hasher.update('\n');
      if (this.options.keep) this.events.push(ev);
    });
  }

  /** The sha256 of everything seen so far (hex). */
  hash(): string {
    return this.hasher.copy().digest('hex');
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

/**
 * One trace event as a canonical JSON line. Events carry user data (`ctx.emit`), which may hold
 * values JSON cannot write (a BigInt, a cycle): those are written as tagged strings rather than
 * allowed to throw inside the trace stream, where the error would surface far from its cause.
 *
 * @example
 * ```ts
 * canonicalLine({ t: 0, type: 'emit', actor: 'a', event: { n: 1n } }); // '{"t":0,...,"event":{"n":"1n"}}'
 * ```
 */
export function canonicalLine(ev: TraceEvent): string {
  try {
    return JSON.stringify(ev, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (e) {
    return JSON.stringify({ ...ev, event: `[unserializable: ${(e as Error).message}]` });
  }
}
