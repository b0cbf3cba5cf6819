/**
 * A growable FIFO ring buffer. Mailboxes, run queues and the simulator's delivery lane use it
 * instead of `array.shift()` (O(n)) or resetting `array.length` (slow in V8 on a hot path).
 *
 * @example
 * ```ts
 * const q = new RingQueue<number>(); q.push(1); q.shift(); // 1
 * ```
 */
export class RingQueue<T> {
  private buf: (T | undefined)[];
  private mask: number;
  private head = 0;
  private tail = 0;

  constructor(initialCapacity = 8) {
    let cap = 4;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return (this.tail - this.head) & this.mask;
  }

  push(v: T): void {
    this.buf[this.tail] = v;
    this.tail = (this.tail + 1) & this.mask;
    if (this.tail === this.head) this.grow();
  }

  /** Removes and returns the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.head === this.tail) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    return v;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.head === this.tail ? undefined : this.buf[this.head];
  }

  /** Removes everything, returning it oldest first. */
  clear(): T[] {
    const out: T[] = [];
    for (let v = this.shift(); v !== undefined; v = this.shift()) out.push(v);
    return out;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    const next = new Array<T | undefined>(n * 2);
    // Full: head === tail. Unroll from head.
    for (let i = 0; i < n; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.tail = n;
    this.mask = n * 2 - 1;
  }
}
