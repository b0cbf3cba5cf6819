import { describe, expect, it } from 'vitest';
import { checkPbftSafety, PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The PBFT checker's finer rules on hand-built traces, beside test/pbft-checkers.test.ts: each
 * case pins one rule that mutation testing showed no test held (see test/MUTATION.md).
 */
let clock = 0;
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: clock++, type: 'emit', actor, event });
const request = (client: string, ts: number, op: string) => emit(client, { type: 'pbft-request', client, ts, op });
const accepted = (client: string, ts: number, result: string) => emit(client, { type: 'pbft-accepted', client, ts, result });
const committed = (replica: string, seq: number, digest: string, requests: string[]) =>
  emit(replica, { type: 'pbft-committed', view: 0, seq, digest, requests });
const executed = (replica: string, seq: number, req: string, result: string) => emit(replica, { type: 'pbft-executed', seq, request: req, result });
/** Only the agreement violations (the requests in these traces were never issued: validity fails too). */
const agreement = (events: TraceEvent[]) =>
  checkPbftSafety(events)
    .filter((v) => v.property === 'agreement')
    .map((v) => v.detail);
const detected = (replica: string, suspect: string, kind: string) => emit(replica, { type: 'pbft-detected', suspect, kind, evidence: [] });

describe('pbft checker: agreement on request lists', () => {
  it('lists of one length that share a request but differ elsewhere disagree', () => {
    expect(agreement([committed('p0', 1, 'd', ['a#1#x', 'b#1#y']), committed('p1', 1, 'd', ['a#1#x', 'c#1#z'])])).toEqual([
      'seq 1: p0 committed d=d as [a#1#x, b#1#y] (view 0), p1 committed d=d as [a#1#x, c#1#z] (view 0)',
    ]);
  });

  it('a long batch is shown by its first four requests and its size', () => {
    const five = ['r#1#a', 'r#2#b', 'r#3#c', 'r#4#d', 'r#5#e'];
    const four = five.slice(0, 4);
    expect(agreement([committed('p0', 1, 'd', five), committed('p1', 1, 'd', four), committed('p2', 1, 'd', [...four, 'r#6#f'])])).toEqual([
      'seq 1: p0 committed d=d as [r#1#a, r#2#b, r#3#c, r#4#d, ... (5 in all)] (view 0), p1 committed d=d as [r#1#a, r#2#b, r#3#c, r#4#d] (view 0)',
      'seq 1: p0 committed d=d as [r#1#a, r#2#b, r#3#c, r#4#d, ... (5 in all)] (view 0), p2 committed d=d as [r#1#a, r#2#b, r#3#c, r#4#d, ... (5 in all)] (view 0)',
    ]);
  });

  it('a commit event without a request list counts as an empty list', () => {
    expect(agreement([committed('p0', 1, 'd', ['a#1#x']), emit('p1', { type: 'pbft-committed', view: 0, seq: 1, digest: 'd' })])).toEqual([
      'seq 1: p0 committed d=d as [a#1#x] (view 0), p1 committed d=d as [] (view 0)',
    ]);
  });
});

describe('pbft checker: requests and acceptances', () => {
  it('the first request for a client#ts is the one issued: a later one with another op does not make a commit of the first invalid', () => {
    const v = checkPbftSafety([request('c', 1, 'put x 1'), request('c', 1, 'put x 2'), committed('p0', 1, 'd', ['c#1#put x 1'])]);
    expect(v).toEqual([]);
  });

  it('a client accepting a wrong result twice is one violation per differing acceptance, the first one kept', () => {
    const base = [request('c', 1, 'incr k'), executed('p0', 1, 'c#1#incr k', '1')];
    expect(checkPbftSafety([...base, accepted('c', 1, '1'), accepted('c', 1, '1')])).toEqual([]);
    expect(checkPbftSafety([...base, accepted('c', 1, '1'), accepted('c', 1, '7'), accepted('c', 1, '7')]).map((x) => [x.property, x.detail, x.at])).toEqual([
      ['result-integrity', 'c#1 accepted result "7", but p0 executed it with result "1"', 3],
      ['result-integrity', 'c#1 accepted result "7", but p0 executed it with result "1"', 4],
    ]);
    expect(checkPbftSafety([...base, accepted('c', 1, '9'), accepted('c', 1, '1')]).map((x) => x.detail)).toEqual([
      'c#1 accepted result "9", but p0 executed it with result "1"',
    ]);
    // The same wrong result accepted again is one violation, not two.
    expect(checkPbftSafety([...base, accepted('c', 1, '9'), accepted('c', 1, '9')]).map((x) => x.detail)).toEqual([
      'c#1 accepted result "9", but p0 executed it with result "1"',
    ]);
  });

  it('results that differ among honest replicas: the first differing one is named', () => {
    const v = checkPbftSafety([
      request('c', 1, 'incr k'),
      executed('p0', 1, 'c#1#incr k', '1'),
      executed('p1', 1, 'c#1#incr k', '2'),
      executed('p2', 1, 'c#1#incr k', '3'),
      accepted('c', 1, '1'),
    ]);
    expect(v.map((x) => x.detail)).toEqual(['c#1 accepted result "1", but p1 executed it with result "2"']);
  });

  it('liveness with exactly five missing names all five, with no ellipsis; six get one', () => {
    const five = [1, 2, 3, 4, 5].map((ts) => request('c', ts, 'op'));
    expect(checkPbftSafety(five, { expectLiveness: true }).map((x) => x.detail)).toEqual(['5 of 5 requests never accepted: c#1, c#2, c#3, c#4, c#5']);
    expect(checkPbftSafety([...five, request('c', 6, 'op')], { expectLiveness: true }).map((x) => x.detail)).toEqual([
      '6 of 6 requests never accepted: c#1, c#2, c#3, c#4, c#5, ...',
    ]);
  });
});

describe('pbft checker: detections', () => {
  it('kept once per (by, suspect, kind): other pairs are kept too', () => {
    const m = new PbftSafetyMonitor();
    for (const e of [
      detected('p0', 'p3', 'equivocation'),
      detected('p0', 'p3', 'equivocation'),
      detected('p1', 'p3', 'equivocation'),
      detected('p0', 'p2', 'equivocation'),
      detected('p0', 'p3', 'forged-certificate'),
    ])
      m.observe(e);
    expect(m.detections.map((d) => [d.by, d.suspect, d.kind])).toEqual([
      ['p0', 'p3', 'equivocation'],
      ['p1', 'p3', 'equivocation'],
      ['p0', 'p2', 'equivocation'],
      ['p0', 'p3', 'forged-certificate'],
    ]);
  });
});

describe('pbft checker: request keys of requests no client issued (client#ts found without a pbft-request)', () => {
  it('client#ts is the first #<number> prefix: two ops at one ts are one request (executed twice), two ts are two', () => {
    expect(checkPbftSafety([executed('p0', 1, 'c#1#a', 'x'), executed('p0', 2, 'c#1#b', 'y')]).map((x) => [x.property, x.detail])).toEqual([
      ['integrity', 'p0 executed c#1 twice without restarting: first at event 0, again at seq 2'],
    ]);
    expect(checkPbftSafety([executed('p0', 1, 'c#1#a', 'x'), executed('p0', 2, 'c#2#a', 'y')])).toEqual([]);
  });

  it("a # segment that is not a number is part of the client's name", () => {
    expect(checkPbftSafety([executed('p0', 1, 'c#x#1#a', 'x'), executed('p0', 2, 'c#x#2#a', 'y')])).toEqual([]);
    expect(checkPbftSafety([executed('p0', 1, 'c#a5#1#op', 'x'), executed('p0', 2, 'c#a5#2#op', 'y')])).toEqual([]);
    // Nor does the client's name end at a digit: c5#1 and c5#2 are two requests of client c5.
    expect(checkPbftSafety([executed('p0', 1, 'c5#1#op', 'x'), executed('p0', 2, 'c5#2#op', 'y')])).toEqual([]);
  });

  it('a key with no op part after client#ts is kept whole (not cut to an issued request)', () => {
    const v = checkPbftSafety([request('c', 1, 'op'), executed('p0', 1, 'c#12', 'x'), executed('p0', 2, 'c#12', 'x')]);
    expect(v.map((x) => x.detail)).toEqual(['p0 executed c#12 twice without restarting: first at event 1, again at seq 2']);
  });

  it('a client whose name starts with #: its request is found', () => {
    expect(checkPbftSafety([request('#c', 1, 'op'), executed('p0', 1, '#c#1#op', 'ok'), accepted('#c', 1, 'ok')], { expectLiveness: true })).toEqual([]);
  });
});
