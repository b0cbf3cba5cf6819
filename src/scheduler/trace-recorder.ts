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
      this.hasher.update(JSON.stringify(ev));
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
