import { ObjectUnsubscribedError, Subject, Subscriber, type Observable, type Observer } from 'rxjs';
import type { Envelope } from './envelope.ts';
import { RingQueue } from './ring-queue.ts';

/**
 * Default mailbox capacity (envelopes waiting); beyond it envelopes are dead-lettered `mailbox-full`.
 *
 * @example
 * ```ts
 * await system.spawn('busy', 'sink', { mailboxCapacity: DEFAULT_MAILBOX_CAPACITY * 10 });
 * ```
 */
export const DEFAULT_MAILBOX_CAPACITY = 10_000;

/**
 * An RxJS Subject specialised for the per-envelope hot path: `next` has Subject's semantics
 * (throws once unsubscribed, ignores values once stopped, notifies a snapshot of the observers
 * taken when the subscriber list last changed) without the deprecated synchronous-error-handling
 * wrapper, which allocates a closure per call, and without the ES5 iterator of RxJS's CommonJS
 * build (which is what Node loads). Measured here: 90 M nexts/s against 21 M for Subject.
 */
class MailboxSubject extends Subject<Envelope> {
  override next(value: Envelope): void {
    if (this.closed) throw new ObjectUnsubscribedError();
    if (this.isStopped) return;
    const self = this as unknown as { currentObservers: Observer<Envelope>[] | null; observers: Observer<Envelope>[] };
    const observers = (self.currentObservers ??= Array.from(self.observers));
    for (let i = 0; i < observers.length; i++) observers[i].next(value);
  }
}

/** Who a mailbox reports to: its actor's cell. */
export interface MailboxOwner {
  /** An envelope arrived while the mailbox was full. */
  onOverflow(env: Envelope): void;
  /** An envelope was queued. */
  onArrival(): void;
}

/**
 * An actor's mailbox: an RxJS Subject is the entry point (so arrivals are an observable stream
 * that tools can tap), and a ring-buffer queue behind it holds what waits, drained by the host in
 * batches — never one scheduled task per message, which collapses under bursts. The mailbox
 * subscribes to its Subject as a Subscriber subclass, which skips the two wrapper layers (and
 * their allocations) that subscribing with a function would add to every delivery.
 *
 * @example
 * ```ts
 * const mb = new Mailbox(2, { onOverflow: (env) => console.log('overflow', env.id), onArrival: () => {} });
 * mb.post(env);
 * ```
 */
export class Mailbox extends Subscriber<Envelope> {
  /**
   * The Subject and the queue are made when the first envelope arrives (or a tool taps
   * `arrivals$`): most actors of a big swarm idle, and a Subject with its subscription is ~700 of
   * the ~860 bytes a mailbox cost; 1,000,000 idle actors held 1.40 GB before this.
   */
  private opened: MailboxSubject | undefined;
  private waiting: RingQueue<Envelope> | undefined;

  constructor(
    readonly capacity: number,
    private readonly owner: MailboxOwner,
  ) {
    super();
  }

  private get subject(): MailboxSubject {
    return (this.opened ??= this.open());
  }

  private open(): MailboxSubject {
    const subject = new MailboxSubject();
    subject.subscribe(this);
    return subject;
  }

  /** Set while a runtime envelope (a timer, an ask timeout) is posted: capacity does not apply. */
  private exempt = false;

  protected override _next(env: Envelope): void {
    const queue = (this.waiting ??= new RingQueue<Envelope>(4));
    if (queue.size >= this.capacity && !this.exempt) this.owner.onOverflow(env);
    else {
      queue.push(env);
      this.owner.onArrival();
    }
  }

  /** Offers an envelope: queued, or handed to `onOverflow` when the mailbox is full. */
  post(env: Envelope): void {
    this.subject.next(env);
  }

  /**
   * Posts an envelope the runtime made for the actor itself (a timer firing, an ask timing out).
   * It is queued even when the mailbox is full: capacity protects an actor from what others
   * send, and dropping its own timer would leave it waiting for something that never comes.
   */
  postOwn(env: Envelope): void {
    this.exempt = true;
    try {
      this.subject.next(env);
    } finally {
      this.exempt = false;
    }
  }

  /** Arrivals, as a stream (including those that overflowed). */
  get arrivals$(): Observable<Envelope> {
    return this.subject.asObservable();
  }

  get size(): number {
    return this.waiting === undefined ? 0 : this.waiting.size;
  }

  /** Takes the oldest waiting envelope (caller checks `size` first). */
  take(): Envelope {
    return this.waiting!.shift()!;
  }

  /** Empties the mailbox, returning what waited (for dead-lettering on stop). */
  drainAll(): Envelope[] {
    return this.waiting === undefined ? [] : this.waiting.clear();
  }

  close(): void {
    this.subject.complete();
  }
}
