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
  /**
   * Lines not yet fed to the hasher: one `update` per ~64 KB instead of two per event (a PBFT
   * stress run traces thousands of events, and each native call costs more than the bytes it
   * hashes). The digest is the same: sha256 of the concatenation.
   */
  private pending = '';
  count = 0;

  constructor(
    trace$: Observable<TraceEvent>,
    private readonly options: { keep?: boolean } = {},
  ) {
    this.sub = trace$.subscribe((ev) => {
      this.count++;
      this.pending += `${canonicalLine(ev)}\n`;
      if (this.pending.length >= PENDING_CHARS) this.flush();
      if (this.options.keep) this.events.push(ev);
    });
  }

  /** The sha256 of everything seen so far (hex). */
  hash(): string {
    this.flush();
    return this.hasher.copy().digest('hex');
  }

  close(): void {
    this.sub.unsubscribe();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hasher.update(this.pending);
    this.pending = '';
  }
}

/** How many characters of trace lines the recorder gathers before hashing them. */
const PENDING_CHARS = 64 * 1024;

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
    // Without a replacer first: V8 serialises plain data several times faster then, and the
    // output is the same, since the replacer only changes what would throw here (a BigInt).
    return JSON.stringify(ev);
  } catch {
    // A BigInt or a cycle: the slow path below writes the first and reports the second.
  }
  try {
    return JSON.stringify(ev, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (e) {
    return JSON.stringify({ ...ev, event: `[unserializable: ${(e as Error).message}]` });
  }
}
