import { describe, expect, it } from 'vitest';
import { isKvCommand, KeyValueMachine } from '../src/protocols/raft/kv-store.ts';

/**
 * `kv-store.ts`: which commands are well formed, what each one returns and changes, the snapshot
 * in insertion order, and a restore that refuses anything but pairs of strings before it changes
 * the store.
 */

describe('isKvCommand', () => {
  it('takes get, put with a string value, and cas with a string value and a string or null expected', () => {
    const good = [
      { op: 'get', key: 'k' },
      { op: 'put', key: 'k', value: 'v' },
      { op: 'cas', key: 'k', expected: null, value: 'v' },
      { op: 'cas', key: 'k', expected: 'a', value: 'v' },
    ];
    expect(good.map(isKvCommand)).toEqual([true, true, true, true]);
  });

  it('refuses what is not an object, has no string key, an unknown op, or a value or expected of the wrong type', () => {
    const bad = [
      undefined,
      null,
      'get',
      7,
      { op: 'get' },
      { op: 'get', key: 3 },
      { op: 'drop', key: 'k' },
      { key: 'k', value: 'v' },
      { op: 'put', key: 'k' },
      { op: 'put', key: 'k', value: 1 },
      { op: 'cas', key: 'k', expected: 'a' },
      { op: 'cas', key: 'k', expected: 'a', value: null },
      { op: 'cas', key: 'k', value: 'v' },
      { op: 'cas', key: 'k', expected: 1, value: 'v' },
    ];
    expect(bad.map(isKvCommand)).toEqual(bad.map(() => false));
  });
});

describe('KeyValueMachine', () => {
  it('get is null for a key never set', () => {
    expect(new KeyValueMachine().get('k')).toBeNull();
  });

  it('accepts what isKvCommand takes; only get is a read', () => {
    const kv = new KeyValueMachine();
    expect([kv.accepts({ op: 'get', key: 'k' }), kv.accepts({ op: 'get' })]).toEqual([true, false]);
    expect([kv.isRead({ op: 'get', key: 'k' }), kv.isRead({ op: 'put', key: 'k', value: 'v' }), kv.isRead({ op: 'cas' })]).toEqual([true, false, false]);
  });

  it('put returns the value it replaced; get and read return the value', () => {
    const kv = new KeyValueMachine();
    expect(kv.apply({ op: 'put', key: 'k', value: 'a' })).toEqual({ ok: true, value: null });
    expect(kv.apply({ op: 'put', key: 'k', value: 'b' })).toEqual({ ok: true, value: 'a' });
    expect(kv.apply({ op: 'get', key: 'k' })).toEqual({ ok: true, value: 'b' });
    expect(kv.read({ op: 'get', key: 'k' })).toEqual({ ok: true, value: 'b' });
    expect(kv.read({ op: 'get', key: 'other' })).toEqual({ ok: true, value: null });
  });

  it('cas sets the value only when it finds the expected one (null: unset), and returns what it found', () => {
    const kv = new KeyValueMachine();
    expect(kv.apply({ op: 'cas', key: 'k', expected: 'a', value: 'b' })).toEqual({ ok: false, value: null });
    expect(kv.get('k')).toBeNull();
    expect(kv.apply({ op: 'cas', key: 'k', expected: null, value: 'a' })).toEqual({ ok: true, value: null });
    expect(kv.get('k')).toBe('a');
    expect(kv.apply({ op: 'cas', key: 'k', expected: 'x', value: 'b' })).toEqual({ ok: false, value: 'a' });
    expect(kv.get('k')).toBe('a');
    expect(kv.apply({ op: 'cas', key: 'k', expected: 'a', value: 'b' })).toEqual({ ok: true, value: 'a' });
    expect(kv.get('k')).toBe('b');
  });

  it('snapshot lists the pairs in insertion order, as a copy', () => {
    const kv = new KeyValueMachine();
    kv.apply({ op: 'put', key: 'z', value: '1' });
    kv.apply({ op: 'put', key: 'a', value: '2' });
    kv.apply({ op: 'put', key: 'z', value: '3' });
    const snap = kv.snapshot();
    expect(snap).toEqual([
      ['z', '3'],
      ['a', '2'],
    ]);
    snap.pop();
    expect(kv.get('a')).toBe('2');
  });

  it('restore replaces the whole store', () => {
    const kv = new KeyValueMachine();
    kv.apply({ op: 'put', key: 'old', value: '1' });
    kv.restore([
      ['b', '2'],
      ['a', '1'],
    ]);
    expect(kv.snapshot()).toEqual([
      ['b', '2'],
      ['a', '1'],
    ]);
    expect(kv.get('old')).toBeNull();
    kv.restore([]);
    expect(kv.snapshot()).toEqual([]);
  });

  it('restore refuses anything but pairs of strings, and leaves the store as it was', () => {
    const bad: unknown[] = [
      null,
      {},
      'k,v',
      [null],
      ['kv'],
      [[1, 'v']],
      [['k', 2]],
      [['k']],
      [
        ['a', 'b'],
        ['c', null],
      ],
    ];
    for (const data of bad) {
      const kv = new KeyValueMachine();
      kv.apply({ op: 'put', key: 'k', value: 'v' });
      expect(() => kv.restore(data)).toThrow(new TypeError('KeyValueMachine.restore: expected [key, value] pairs of strings'));
      expect(kv.snapshot()).toEqual([['k', 'v']]);
    }
  });
});
