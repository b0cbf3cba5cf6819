import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/index.ts';
import { Mailbox } from '../src/actors/mailbox.ts';

const env = (id: number, kind = 'k'): Envelope => ({ id, from: 'a', to: 'b', kind, body: id });

describe('the mailbox is an RxJS stream', () => {
  it('queues in order up to capacity, reports overflow, and lets observers tap every arrival with operators', () => {
    const overflowed: number[] = [];
    let arrivals = 0;
    const mb = new Mailbox(3, { onOverflow: (e) => overflowed.push(e.id), onArrival: () => arrivals++ });
    const tapped: number[] = [];
    const sub = mb.arrivals$
      .pipe(
        filter((e) => e.kind === 'k'),
        map((e) => e.id),
      )
      .subscribe((id) => tapped.push(id));
    for (let i = 1; i <= 5; i++) mb.post(env(i));
    mb.post(env(6, 'other'));
    expect(tapped).toEqual([1, 2, 3, 4, 5]);
    expect(overflowed).toEqual([4, 5, 6]);
    expect(arrivals).toBe(3);
    expect([mb.take().id, mb.take().id]).toEqual([1, 2]);
    sub.unsubscribe();
    mb.post(env(7));
    expect(tapped).toEqual([1, 2, 3, 4, 5]);
    expect(mb.drainAll().map((e) => e.id)).toEqual([3, 7]);
  });

  it('ignores posts once closed, as a completed Subject does', () => {
    let arrivals = 0;
    const mb = new Mailbox(10, { onOverflow: () => undefined, onArrival: () => arrivals++ });
    let completed = false;
    mb.arrivals$.subscribe({ complete: () => (completed = true) });
    mb.close();
    mb.post(env(1));
    expect(completed).toBe(true);
    expect(arrivals).toBe(0);
    expect(mb.size).toBe(0);
  });

  it('a mailbox that never received anything (its Subject is made on first use) is empty, closes, and ignores posts after', () => {
    let arrivals = 0;
    const mb = new Mailbox(10, { onOverflow: () => undefined, onArrival: () => arrivals++ });
    expect(mb.size).toBe(0);
    expect(mb.drainAll()).toEqual([]);
    mb.close();
    mb.post(env(1));
    mb.postOwn(env(2));
    expect(arrivals).toBe(0);
    expect(mb.size).toBe(0);
    let completed = false;
    mb.arrivals$.subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });

  it('the first envelope opens the mailbox: it queues, and a timer posted past capacity still queues', () => {
    let arrivals = 0;
    const overflowed: number[] = [];
    const mb = new Mailbox(1, { onOverflow: (e) => overflowed.push(e.id), onArrival: () => arrivals++ });
    mb.post(env(1));
    mb.post(env(2));
    mb.postOwn(env(3));
    expect(overflowed).toEqual([2]);
    expect(arrivals).toBe(2);
    expect(mb.drainAll().map((e) => e.id)).toEqual([1, 3]);
  });
});
