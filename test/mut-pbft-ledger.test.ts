import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestOf, Ledger } from '../src/protocols/pbft/ledger.ts';

/**
 * The PBFT service (a table of values driven by operation strings) and its client table, one call
 * at a time (issue 20's mutation testing of the PBFT files beside the handlers): each operation's
 * result, a request run once however often it comes, the results kept for retransmissions and
 * forgotten past them, and a state that snapshots, restores and digests the same whatever order
 * it was built in.
 */
/** Runs operations on `l` as one client's requests, timestamps 1, 2, 3, ... */
const runner = (l: Ledger) => {
  let ts = 0;
  return (op: string) => l.execute('c', ++ts, op);
};

describe('Ledger: the operations', () => {
  it('incr counts from 0 per key; put sets; get reads ("" when unset); the empty operation is a no-op', () => {
    const run = runner(new Ledger());
    expect([run('incr a'), run('incr a'), run('incr b'), run('get a'), run('get z')]).toEqual(['1', '2', '1', '2', '']);
    expect([run('put k hello world'), run('get k'), run('incr k'), run('get k')]).toEqual(['ok', 'hello world', 'NaN', 'NaN']);
    expect([run(''), run('put nokey'), run('drop a'), run('get a')]).toEqual([
      'noop',
      'error: put needs a key and a value',
      'error: unknown operation "drop"',
      '2',
    ]);
  });
});

describe('Ledger: how an operation string splits', () => {
  it('the verb is up to the first space; without one the whole string is the verb and the key is ""', () => {
    const run = runner(new Ledger());
    expect([run('incr'), run('incr'), run('get'), run('get k')]).toEqual(['1', '2', '2', '']);
    // A leading space: the verb is empty (a no-op), whatever follows.
    expect([run(' incr k'), run('get k')]).toEqual(['noop', '']);
    // put's key is up to the next space: two spaces give the empty key.
    expect([run('put  v w'), run('get'), run('put k'), run('put k  x')]).toEqual(['ok', 'v w', 'error: put needs a key and a value', 'ok']);
    expect(run('get k')).toBe(' x');
  });
});

describe('Ledger: the client table', () => {
  it('runs a (client, ts) once: a repeat returns undefined and changes nothing, its result kept', () => {
    const l = new Ledger();
    expect(l.execute('c', 1, 'incr k')).toBe('1');
    expect(l.execute('c', 1, 'incr k')).toBeUndefined();
    expect([l.resultOf('c', 1), l.executed('c', 1), l.execute('d', 1, 'incr k')]).toEqual(['1', true, '2']);
    expect([l.executed('c', 2), l.executed('x', 1), l.resultOf('c', 2), l.resultOf('x', 1)]).toEqual([false, false, undefined, undefined]);
  });

  it('timestamps out of order each run once; what is at or below the contiguous run counts as executed', () => {
    const l = new Ledger();
    expect(l.execute('c', 3, 'incr k')).toBe('1');
    expect([l.executed('c', 1), l.executed('c', 2), l.executed('c', 3)]).toEqual([false, false, true]);
    expect(l.execute('c', 1, 'incr k')).toBe('2');
    expect(l.execute('c', 2, 'incr k')).toBe('3');
    expect(l.execute('c', 3, 'incr k')).toBeUndefined();
    expect(l.snapshot().clients).toEqual([
      [
        'c',
        3,
        [
          [1, '2'],
          [2, '3'],
          [3, '1'],
        ],
      ],
    ]);
  });

  it('keeps the last 1,024 results at or below the contiguous run, and forgets older ones (still executed)', () => {
    const l = new Ledger();
    for (let ts = 1; ts <= 2_000; ts++) l.execute('c', ts, 'incr k');
    const [[, low, results]] = l.snapshot().clients;
    expect(low).toBe(2_000);
    expect(results.length).toBe(1_025); // 976 .. 2,000: the newest, and the 1,024 before it
    expect([results[0]![0], results.at(-1)![0]]).toEqual([976, 2_000]);
    expect([l.resultOf('c', 975), l.resultOf('c', 976), l.executed('c', 975), l.execute('c', 975, 'incr k')]).toEqual([undefined, '976', true, undefined]);
  });

  it('forgets nothing while there are no more than 1,024 results', () => {
    const l = new Ledger();
    for (let ts = 1; ts <= 1_024; ts++) l.execute('c', ts, 'incr k');
    expect(l.resultOf('c', 1)).toBe('1');
    l.execute('c', 1_025, 'incr k');
    expect(l.resultOf('c', 1)).toBe('1'); // 1,025 results, but none below low - 1,024 = 1
  });
});

describe('Ledger: a client table restored from a snapshot', () => {
  it('a timestamp at the restored low counts as executed, result or not', () => {
    const l = new Ledger();
    l.restore({ values: [], clients: [['c', 5, []]] });
    expect([l.executed('c', 5), l.executed('c', 6), l.execute('c', 5, 'incr k'), l.execute('c', 6, 'incr k')]).toEqual([true, false, undefined, '1']);
  });

  it('results are forgotten only once there are more than 1,024 of them, however old', () => {
    const l = new Ledger();
    const old = Array.from({ length: 1_023 }, (_, i) => [i + 1, `r${i + 1}`] as [number, string]);
    l.restore({ values: [], clients: [['c', 5_000, old]] });
    l.execute('c', 5_001, 'incr k'); // 1,024 results: all kept, though far below low - 1,024
    expect(l.resultOf('c', 1)).toBe('r1');
    l.execute('c', 5_002, 'incr k'); // 1,025: the old ones go
    expect([l.resultOf('c', 1), l.resultOf('c', 1_023), l.resultOf('c', 5_002)]).toEqual([undefined, undefined, '2']);
  });
});

describe('Ledger: its state', () => {
  it('sorts many keys and clients that came in descending order', () => {
    const l = new Ledger();
    const names = Array.from({ length: 40 }, (_, i) => `k${String(99 - i).padStart(2, '0')}`);
    for (const [i, k] of names.entries()) l.execute(k, 1, `put ${k} ${i}`);
    const snap = l.snapshot();
    const sorted = [...names].sort();
    expect(snap.values.map(([k]) => k)).toEqual(sorted);
    expect(snap.clients.map(([id]) => id)).toEqual(sorted);
  });

  it('snapshots sorted (values by key, clients by id, results by timestamp): the order of execution does not show', () => {
    const a = new Ledger();
    a.execute('zed', 2, 'put y 2');
    a.execute('amy', 1, 'put x 1');
    a.execute('zed', 1, 'put b 3');
    const b = new Ledger();
    b.execute('amy', 1, 'put x 1');
    b.execute('zed', 1, 'put b 3');
    b.execute('zed', 2, 'put y 2');
    expect(a.snapshot()).toEqual({
      values: [
        ['b', '3'],
        ['x', '1'],
        ['y', '2'],
      ],
      clients: [
        ['amy', 1, [[1, 'ok']]],
        [
          'zed',
          2,
          [
            [1, 'ok'],
            [2, 'ok'],
          ],
        ],
      ],
    });
    expect(JSON.stringify(a.snapshot())).toBe(JSON.stringify(b.snapshot()));
    expect(a.digest()).toBe(b.digest());
    b.execute('amy', 2, 'incr x');
    expect(a.digest()).not.toBe(b.digest());
  });

  it('the digest is the first 16 hex digits of the sha-256 of the snapshot as JSON', () => {
    const l = new Ledger();
    l.execute('c', 1, 'put k v');
    expect(l.digest()).toBe(createHash('sha256').update(JSON.stringify(l.snapshot())).digest('hex').slice(0, 16));
    expect(digestOf({ values: [], clients: [] })).toBe(createHash('sha256').update('{"values":[],"clients":[]}').digest('hex').slice(0, 16));
  });

  it('restore replaces the whole state with a snapshot: values, and which requests ran', () => {
    const src = new Ledger();
    src.execute('c', 1, 'incr k');
    src.execute('c', 3, 'put j w');
    const dst = new Ledger();
    dst.execute('other', 1, 'put gone 1');
    dst.restore(src.snapshot());
    expect(dst.snapshot()).toEqual(src.snapshot());
    expect(dst.digest()).toBe(src.digest());
    expect([dst.execute('c', 1, 'incr k'), dst.execute('c', 2, 'incr k'), dst.execute('other', 1, 'get gone')]).toEqual([undefined, '2', '']);
  });
});
