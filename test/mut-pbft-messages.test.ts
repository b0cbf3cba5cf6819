import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  checkpointText,
  newViewText,
  phaseText,
  prePrepareText,
  primaryOf,
  requestKey,
  requestText,
  resolvePbftProps,
  viewChangeText,
} from '../src/protocols/pbft/messages.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * PBFT's props and the texts it signs, one call at a time (issue 20's mutation testing of the
 * PBFT files beside the handlers): defaults, every refusal with its path, the quorum for every
 * n and f, and the exact bytes each signature covers (a change there splits replicas of two
 * versions, and a collision would let one message stand for another).
 */
const R = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

describe('resolvePbftProps', () => {
  it('defaults: f the most n tolerates, checkpoints every 64, a window of 4 intervals, batches of 64, 8 in flight, 200 ms, signed', () => {
    expect(resolvePbftProps({ replicas: R(4) })).toEqual({
      replicas: R(4),
      n: 4,
      f: 1,
      quorum: 3,
      prepareQuorum: 2,
      checkpointInterval: 64,
      logWindow: 256,
      maxBatch: 64,
      maxInflight: 8,
      viewChangeTimeoutMs: 200,
      signed: true,
    });
  });

  it('the quorum is ceil((n + f + 1) / 2): any two share f + 1 replicas', () => {
    const q = (n: number, f?: number) => {
      const p = resolvePbftProps({ replicas: R(n), f });
      return [p.f, p.quorum, p.prepareQuorum];
    };
    expect([q(1), q(3), q(4), q(5), q(6), q(7), q(7, 0), q(10)]).toEqual([
      [0, 1, 0],
      [0, 2, 1],
      [1, 3, 2],
      [1, 4, 3],
      [1, 4, 3],
      [2, 5, 4],
      [0, 4, 3],
      [3, 7, 6],
    ]);
  });

  it('rounds the counts, keeps a fractional timeout, and takes auth none as unsigned', () => {
    const p = resolvePbftProps({
      replicas: R(4),
      checkpointInterval: 2.4,
      logWindow: 9.6,
      maxBatch: 1.5,
      maxInflight: 0.6,
      viewChangeTimeoutMs: 12.5,
      auth: 'none',
    });
    expect([p.checkpointInterval, p.logWindow, p.maxBatch, p.maxInflight, p.viewChangeTimeoutMs, p.signed]).toEqual([2, 10, 2, 1, 12.5, false]);
    // The window's default follows the interval.
    expect(resolvePbftProps({ replicas: R(4), checkpointInterval: 10 }).logWindow).toBe(40);
    // A window equal to the interval is the least allowed.
    expect(resolvePbftProps({ replicas: R(4), checkpointInterval: 10, logWindow: 10 }).logWindow).toBe(10);
  });

  it('refuses by path what cannot run', () => {
    expect(refusal(() => resolvePbftProps({ replicas: [] }))).toEqual({
      path: 'replicas',
      message: 'Invalid configuration at "replicas": expected at least one replica, got an array of 0.',
    });
    expect(refusal(() => resolvePbftProps({} as never)).path).toBe('replicas');
    for (const f of [2, -1, 0.5, Number.NaN]) {
      expect(refusal(() => resolvePbftProps({ replicas: R(4), f })).message).toMatch(
        /^Invalid configuration at "consensus\.pbft\.f": expected an integer from 0 to 1 \(n = 4 replicas tolerate at most floor\(\(n - 1\) \/ 3\)\)/,
      );
    }
    const cases: [string, object][] = [
      ['checkpoint_interval', { checkpointInterval: 0 }],
      ['log_window', { logWindow: -5 }],
      ['max_batch', { maxBatch: Number.POSITIVE_INFINITY }],
      ['max_inflight', { maxInflight: '8' }],
      ['view_change_timeout', { viewChangeTimeoutMs: Number.NaN }],
    ];
    for (const [key, extra] of cases) {
      const { path, message } = refusal(() => resolvePbftProps({ replicas: R(4), ...extra } as never));
      expect([path, message.includes('expected a positive number')]).toEqual([`consensus.pbft.${key}`, true]);
    }
    expect(refusal(() => resolvePbftProps({ replicas: R(4), checkpointInterval: 10, logWindow: 9 }))).toEqual({
      path: 'consensus.pbft.log_window',
      message:
        'Invalid configuration at "consensus.pbft.log_window": expected at least checkpoint_interval (10), or no checkpoint could ever become stable, got number 9.',
    });
  });
});

describe('what is signed', () => {
  it('each text, exactly', () => {
    const p = resolvePbftProps({ replicas: R(4) });
    expect([primaryOf(p, 0), primaryOf(p, 1), primaryOf(p, 5)]).toEqual(['r0', 'r1', 'r1']);
    expect(requestText('c', 7, 'incr k')).toBe('R|c|7|incr k');
    expect(prePrepareText(2, 9, 'abc')).toBe('PP|2|9|abc');
    expect([phaseText('P', 2, 9, 'abc', 'r1'), phaseText('C', 2, 9, 'abc', 'r1')]).toEqual(['P|2|9|abc|r1', 'C|2|9|abc|r1']);
    expect(checkpointText(64, 'def', 'r2')).toBe('K|64|def|r2');
    expect(requestKey({ client: 'c', ts: 7, op: 'incr k' })).toBe('c#7#incr k');
    const cert = (n: number, d: string) => ({ pp: { v: 1, n, d, batch: [], sig: '' }, prepares: [] });
    expect(viewChangeText(3, 64, [cert(65, 'aa'), cert(66, 'bb')] as never, 'r2')).toBe('VC|3|64|r2|1:65:aa|1:66:bb');
    expect(viewChangeText(3, 0, [], 'r2')).toBe('VC|3|0|r2');
    const vc = (i: string) => ({ v: 3, n: 0, prepared: [], proof: [], i, sig: `s-${i}` });
    const pp = (n: number, d: string) => ({ v: 3, n, d, batch: [], sig: '' });
    expect(newViewText(3, [vc('r1'), vc('r2')] as never, [pp(65, 'aa'), pp(66, 'bb')] as never)).toBe('NV|3|r1:s-r1|r2:s-r2|65:aa|66:bb');
    expect(newViewText(3, [], [])).toBe('NV|3');
  });

  it('a batch digest is the first 16 hex digits of the sha-256 of its requests, one line each, and stays so past its cache', () => {
    const batch = [
      { client: 'c', ts: 1, op: 'incr k' },
      { client: 'd', ts: 2, op: 'get k' },
    ];
    const expected = createHash('sha256').update('c#1#incr k\nd#2#get k\n').digest('hex').slice(0, 16);
    expect(batchDigest(batch)).toBe(expected);
    expect(batchDigest([])).toBe(createHash('sha256').update('').digest('hex').slice(0, 16));
    expect(batchDigest([...batch].reverse())).not.toBe(expected);
    // Past the 4,096 digests it keeps, the cache starts again: the same digests.
    for (let i = 0; i < 5_000; i++) batchDigest([{ client: 'x', ts: i, op: 'noop' }]);
    expect(batchDigest(batch)).toBe(expected);
    expect(batchDigest([{ client: 'x', ts: 1, op: 'noop' }])).toBe(createHash('sha256').update('x#1#noop\n').digest('hex').slice(0, 16));
  });
});
