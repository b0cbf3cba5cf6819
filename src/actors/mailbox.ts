import { Subject, type Observable } from 'rxjs';
import type { Envelope } from './envelope.ts';
import { RingQueue } from './ring-queue.ts';

/** Default mailbox capacity (envelopes waiting); beyond it envelopes are dead-lettered `mailbox-full`. */
export const DEFAULT_MAILBOX_CAPACITY = 10_000;

/**
 * An actor's mailbox: an RxJS Subject is the entry point (so arrivals are an observable stream
 * that tools can tap), and a plain array queue behind it holds what waits, drained by the host
 * in batches — never one scheduled task per message, which collapses under bursts.
 *
 * @example
 * ```ts
 * const mb = new Mailbox(2, (env) => console.log('overflow', env.id), () => {});
 * mb.post(env);
 * ```
 */
export class Mailbox {
  private readonly subject = new Subject<Envelope>();
  private readonly queue = new RingQueue<Envelope>(4);

  constructor(
    readonly capacity: number,
    onOverflow: (env: Envelope) => void,
    onArrival: () => void,
  ) {
    this.subject.subscribe((env) => {
      if (this.queue.size >= this.capacity) onOverflow(env);
      else {
        this.queue.push(env);
        onArrival();
      }
    });
  }

  /** Offers an envelope: queued, or handed to `onOverflow` when the mailbox is full. */
  post(env: Envelope): void {
    this.subject.next(env);
  }

  /** Arrivals, as a stream (including those that overflowed). */
  get arrivals$(): Observable<Envelope> {
    return this.subject.asObservable();
  }

  get size(): number {
    return this.queue.size;
  }

  /** Takes the oldest waiting envelope (caller checks `size` first). */
  take(): Envelope {
    return this.queue.shift()!;
  }

  /** Empties the mailbox, returning what waited (for dead-lettering on stop). */
  drainAll(): Envelope[] {
    return this.queue.clear();
  }

  close(): void {
    this.subject.complete();
  }
}
