import { describe, expect, it } from 'vitest';
import type { PbftRequest } from '../src/protocols/pbft/messages.ts';
import { RequestTable } from '../src/protocols/pbft/request-table.ts';

/**
 * PBFT's table of requests by (client, timestamp), one call at a time (issue 20's mutation
 * testing of the PBFT files beside the handlers): what it holds, its size through every change,
 * and the order `take` and `values` give them in.
 */
const req = (client: string, ts: number, op = `incr ${client}`): PbftRequest => ({ client, ts, op, sig: '' });
const ids = (rs: Iterable<PbftRequest>) => [...rs].map((r) => `${r.client}@${r.ts}`);

describe('RequestTable', () => {
  it('holds what was added, by client and timestamp, and nothing else', () => {
    const t = new RequestTable();
    expect([t.size, t.has('a', 1), t.get('a', 1)]).toEqual([0, false, undefined]);
    const a1 = req('a', 1);
    t.add(a1);
    t.add(req('b', 1));
    expect(t.get('a', 1)).toBe(a1);
    expect([t.has('a', 1), t.has('b', 1), t.has('a', 2), t.has('c', 1)]).toEqual([true, true, false, false]);
    expect([t.get('a', 2), t.get('c', 1)]).toEqual([undefined, undefined]);
    expect(t.size).toBe(2);
  });

  it('keeps the first request for a (client, timestamp) and counts it once', () => {
    const t = new RequestTable();
    const first = req('a', 1, 'first');
    t.add(first);
    t.add(req('a', 1, 'second'));
    expect(t.get('a', 1)).toBe(first);
    expect(t.size).toBe(1);
  });

  it('delete removes one request and counts down only for what it held', () => {
    const t = new RequestTable();
    t.add(req('a', 1));
    t.add(req('a', 2));
    t.delete('a', 1);
    expect([t.size, t.has('a', 1), t.has('a', 2)]).toEqual([1, false, true]);
    t.delete('a', 1); // gone already
    t.delete('b', 1); // never there
    t.delete('a', 9); // a known client, an unknown timestamp
    expect(t.size).toBe(1);
  });

  it('take removes up to max, oldest first per client, clients in the order they first came', () => {
    const t = new RequestTable();
    for (const r of [req('a', 1), req('b', 5), req('a', 2), req('b', 6), req('a', 3)]) t.add(r);
    expect(ids(t.take(4))).toEqual(['a@1', 'a@2', 'a@3', 'b@5']);
    expect(t.size).toBe(1);
    expect(ids(t.values())).toEqual(['b@6']);
    expect(ids(t.take(4))).toEqual(['b@6']);
    expect([t.size, ids(t.take(4))]).toEqual([0, []]);
  });

  it('take(0) takes nothing, and take exactly the size takes everything', () => {
    const t = new RequestTable();
    t.add(req('a', 1));
    t.add(req('b', 1));
    expect([ids(t.take(0)), t.size]).toEqual([[], 2]);
    expect([ids(t.take(2)), t.size]).toEqual([['a@1', 'b@1'], 0]);
  });

  it('values lists every request held, per client in arrival order; clear empties it', () => {
    const t = new RequestTable();
    for (const r of [req('b', 2), req('a', 7), req('b', 1)]) t.add(r);
    expect(ids(t.values())).toEqual(['b@2', 'b@1', 'a@7']);
    t.clear();
    expect([t.size, ids(t.values()), t.has('b', 2)]).toEqual([0, [], false]);
    t.add(req('b', 2));
    expect(t.size).toBe(1);
  });
});
