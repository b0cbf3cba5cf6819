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
 * A binary min-heap of events ordered by (time, seq): equal times keep insertion order, which is
 * what makes a simulation deterministic.
 *
 * @example
 * ```ts
 * const q = new EventQueue(); q.push(ev); q.pop();
 * ```
 */
export class EventQueue {
  private readonly heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  push(ev: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (parent.time < ev.time || (parent.time === ev.time && parent.seq < ev.seq)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }

  /**
   * Drops cancelled events and restores the heap (O(n)). Cancelled timers otherwise stay until
   * they reach the head: a workload that arms a long timeout per request and nearly always
   * cancels it would grow the heap, and every push and pop with it, without bound.
   */
  compact(): void {
    const h = this.heap;
    let k = 0;
    for (let i = 0; i < h.length; i++) if (!h[i].cancelled) h[k++] = h[i];
    h.length = k;
    // A sorted array is a valid min-heap.
    h.sort((a, b) => a.time - b.time || a.seq - b.seq);
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (h[r].time < h[l].time || (h[r].time === h[l].time && h[r].seq < h[l].seq))) c = r;
      const child = h[c];
      if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
