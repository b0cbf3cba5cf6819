import { describe, expect, it } from 'vitest';
import { historyLines, historyOps } from '../src/check/history-export.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The history export's rules at their edges (issue 20's mutation run of
 * src/check/history-export.ts left them unpinned): which completion carries a value and which an
 * index, a read's invoke value, `cas`, and each malformed client event refused with its message.
 */

const emit = (t: number, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor: 'c', event });
const invoke = (t: number, seq: number, f: string, key: string, extra: Record<string, unknown> = {}) =>
  emit(t, { type: 'client-invoke', client: 'c', seq, f, key, ...extra });
const done = (t: number, type: string, seq: number, extra: Record<string, unknown> = {}) => emit(t, { type, client: 'c', seq, ...extra });

describe('values and indexes on completions', () => {
  it('a read invoke has value null, whatever the event says; its ok takes the value read, and no index', () => {
    const ops = historyOps([invoke(1, 1, 'read', 'k', { value: 'stale' }), done(2, 'client-ok', 1, { value: 'v', index: 5 })]);
    expect(ops).toStrictEqual([
      { process: 'c', type: 'invoke', f: 'read', key: 'k', value: null, time: 1_000_000 },
      { process: 'c', type: 'ok', f: 'read', key: 'k', value: 'v', time: 2_000_000 },
    ]);
  });

  it('a read ok with no value reads null', () => {
    const ops = historyOps([invoke(1, 1, 'read', 'k'), done(2, 'client-ok', 1)]);
    expect(ops[1]).toStrictEqual({ process: 'c', type: 'ok', f: 'read', key: 'k', value: null, time: 2_000_000 });
  });

  it("a write's ok keeps the value invoked (not what the ok says) and takes a numeric index only", () => {
    const ops = historyOps([
      invoke(1, 1, 'write', 'k', { value: 'w1' }),
      done(2, 'client-ok', 1, { value: 'other', index: 4 }),
      invoke(3, 2, 'write', 'k', { value: 'w2' }),
      done(4, 'client-ok', 2, { index: '9' }),
    ]);
    expect(ops).toStrictEqual([
      { process: 'c', type: 'invoke', f: 'write', key: 'k', value: 'w1', time: 1_000_000 },
      { process: 'c', type: 'ok', f: 'write', key: 'k', value: 'w1', time: 2_000_000, index: 4 },
      { process: 'c', type: 'invoke', f: 'write', key: 'k', value: 'w2', time: 3_000_000 },
      { process: 'c', type: 'ok', f: 'write', key: 'k', value: 'w2', time: 4_000_000 },
    ]);
    expect(Object.keys(ops[3])).toEqual(['process', 'type', 'f', 'key', 'value', 'time']);
  });

  it('a fail or an info carries neither the value nor the index its event names: the invoked value, no index', () => {
    const ops = historyOps([
      invoke(1, 1, 'write', 'k', { value: 'w1' }),
      done(2, 'client-fail', 1, { value: 'x', index: 3 }),
      invoke(3, 2, 'read', 'k'),
      done(4, 'client-info', 2, { value: 'y', index: 6 }),
    ]);
    expect(ops.slice(1)).toStrictEqual([
      { process: 'c', type: 'fail', f: 'write', key: 'k', value: 'w1', time: 2_000_000 },
      { process: 'c', type: 'invoke', f: 'read', key: 'k', value: null, time: 3_000_000 },
      { process: 'c', type: 'info', f: 'read', key: 'k', value: null, time: 4_000_000 },
    ]);
  });

  it('a write invoked without a value has value null; cas is an operation like the others', () => {
    const events = [invoke(1, 1, 'write', 'k'), invoke(2, 2, 'cas', 'k', { value: ['a', 'b'] }), done(3, 'client-ok', 2, { index: 2 })];
    expect(historyLines(events)).toEqual([
      '{"process":"c","type":"invoke","f":"write","key":"k","value":null,"time":1000000}',
      '{"process":"c","type":"invoke","f":"cas","key":"k","value":["a","b"],"time":2000000}',
      '{"process":"c","type":"ok","f":"cas","key":"k","value":["a","b"],"time":3000000,"index":2}',
      '{"process":"c","type":"info","f":"write","key":"k","value":null,"time":3000000}',
    ]);
  });
});

describe('malformed client events are refused, each with its reason', () => {
  it('a seq that is not a number', () => {
    expect(() => historyOps([emit(7, { type: 'client-invoke', client: 'c', seq: '1', f: 'write', key: 'k' })])).toThrow(
      'history: client-invoke at t=7 lacks a string client and a numeric seq: {"type":"client-invoke","client":"c","seq":"1","f":"write","key":"k"}',
    );
  });

  it('a key that is not a string', () => {
    expect(() => historyOps([invoke(7, 1, 'write', 3 as unknown as string)])).toThrow(
      'history: client-invoke at t=7 lacks a string key: {"type":"client-invoke","client":"c","seq":1,"f":"write","key":3}',
    );
  });

  it('an f that is not an operation (not a string either)', () => {
    expect(() => historyOps([emit(7, { type: 'client-invoke', client: 'c', seq: 1, f: 4, key: 'k' })])).toThrow(
      'history: client-invoke at t=7 has f 4 (read, write or cas)',
    );
  });

  it('the same seq invoked twice', () => {
    expect(() => historyOps([invoke(1, 1, 'write', 'k'), invoke(7, 1, 'write', 'k')])).toThrow('history: c invoked seq 1 twice (t=7)');
    // Once completed, a seq's invocation is closed: nothing open is left behind.
    expect(historyOps([invoke(1, 1, 'write', 'k'), done(2, 'client-ok', 1)]).map((o) => o.type)).toEqual(['invoke', 'ok']);
  });
});
