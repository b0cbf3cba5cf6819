import type { ActorId, Envelope } from '../actors/envelope.ts';

/** One scheduled thing in a simulation: an envelope to deliver, or a timer to fire. */
export interface SimEvent {
  /** Mutable only so an event held for a paused actor keeps its identity (a timer's handle). */
  time: number;
  seq: number;
  readonly env: Envelope | undefined;
  readonly fire: (() => void) | undefined;
  /** The actor that armed a timer (for pauses and skewed clocks). */
  readonly owner: ActorId | undefined;
  cancelled: boolean;
}

/**
 * A min-heap of events ordered by (time, seq): equal times keep insertion order, which is what
 * makes a simulation deterministic. (time, seq) is a total order (seq is unique), so the order
 * events leave in does not depend on how the heap is laid out.
 *
 * Four children per node and the keys in typed arrays beside the events: a swarm of 100,000
 * voters keeps hundreds of thousands of deliveries queued, and a binary heap of objects paid a
 * cache miss per level for each comparison (the sift now reads only the two Float64Arrays;
 * measured 2.6 -> 1.4 us per pop + push at 800,000 queued, the same at 1,000).
 *
 * @example
 * ```ts
 * const q = new EventQueue(); q.push(ev); q.pop();
 * ```
 */
export class EventQueue {
  private times = new Float64Array(INITIAL_CAPACITY);
  /** Sequence numbers are integers far below 2^53: exact in a Float64Array. */
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private readonly evs: (SimEvent | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  peek(): SimEvent | undefined {
    return this.n > 0 ? this.evs[0] : undefined;
  }

  /** Queues `ev` at its current (time, seq): changing them later needs a pop and a push. */
  push(ev: SimEvent): void {
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const evs = this.evs;
    const t = ev.time;
    const s = ev.seq;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      if (pt < t || (pt === t && seqs[p] < s)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      evs[i] = evs[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    evs[i] = ev;
  }

  /**
   * Drops cancelled events and restores the heap (O(n log n)). Cancelled timers otherwise stay
   * until they reach the head: a workload that arms a long timeout per request and nearly always
   * cancels it would grow the heap, and every push and pop with it, without bound.
   */
  compact(): void {
    const kept: SimEvent[] = [];
    for (let i = 0; i < this.n; i++) if (!this.evs[i]!.cancelled) kept.push(this.evs[i]!);
    kept.sort((a, b) => a.time - b.time || a.seq - b.seq);
    // A sorted array is a valid min-heap.
    this.evs.length = 0;
    for (let i = 0; i < kept.length; i++) {
      this.times[i] = kept[i].time;
      this.seqs[i] = kept[i].seq;
      this.evs.push(kept[i]);
    }
    this.n = kept.length;
  }

  pop(): SimEvent | undefined {
    if (this.n === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const evs = this.evs;
    const top = evs[0];
    const last = --this.n;
    const t = times[last];
    const s = seqs[last];
    const ev = evs[last];
    evs[last] = undefined; // no reference kept to an event that has left
    if (last === 0) return top;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= last) break;
      let c = first;
      let ct = times[first];
      let cs = seqs[first];
      const end = Math.min(first + 4, last);
      for (let k = first + 1; k < end; k++) {
        const kt = times[k];
        if (kt < ct || (kt === ct && seqs[k] < cs)) {
          c = k;
          ct = kt;
          cs = seqs[k];
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      evs[i] = evs[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    evs[i] = ev;
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}

const INITIAL_CAPACITY = 1024;
