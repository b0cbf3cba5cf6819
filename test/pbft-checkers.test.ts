import { describe, expect, it } from 'vitest';
import { checkPbftSafety, PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

let clock = 0;
const emit = (actor: string, event: Record<string, unknown>): TraceEvent => ({ t: clock++, type: 'emit', actor, event });
const key = (client: string, ts: number, op: string): string => `${client}#${ts}#${op}`;
const request = (client: string, ts: number, op: string) => emit(client, { type: 'pbft-request', client, ts, op });
const accepted = (client: string, ts: number, result: string) => emit(client, { type: 'pbft-accepted', client, ts, result });
const committed = (replica: string, view: number, seq: number, digest: string, requests: string[]) =>
  emit(replica, { type: 'pbft-committed', view, seq, digest, requests });
const executed = (replica: string, seq: number, req: string, result: string) => emit(replica, { type: 'pbft-executed', seq, request: req, result });
const newView = (replica: string, view: number, primary: string) => emit(replica, { type: 'pbft-view', view, primary });
const detected = (replica: string, suspect: string, kind: string) =>
  emit(replica, { type: 'pbft-detected', suspect, kind, evidence: [{ digest: 'aa' }, { digest: 'ff' }] });
const restart = (actor: string): TraceEvent => ({ t: clock++, type: 'restart', actor, reason: 'worker 1 crashed', host: 1 });
const spawn = (actor: string): TraceEvent => ({ t: clock++, type: 'spawn', actor, behaviour: 'pbft-replica', host: 0 });

const REPLICAS = ['p0', 'p1', 'p2', 'p3'];
/** Every replica commits the batch at seq, then every replica executes it. */
const batch = (view: number, seq: number, digest: string, requests: [string, string][]): TraceEvent[] => [
  ...REPLICAS.map((r) =>
    committed(
      r,
      view,
      seq,
      digest,
      requests.map(([k]) => k),
    ),
  ),
  ...REPLICAS.flatMap((r) => requests.map(([k, result]) => executed(r, seq, k, result))),
];

const put1 = key('c1', 1, 'put x 1');
const get1 = key('c2', 1, 'get x');
const put2 = key('c1', 2, 'put x 2');

/**
 * A clean run: two requests in seq 1 (view 0), a view change to p1, one request in seq 2
 * (view 1), then p2 restarts and replays both batches (executing them again is allowed).
 */
const good: TraceEvent[] = [
  request('c1', 1, 'put x 1'),
  request('c2', 1, 'get x'),
  ...batch(0, 1, 'aa', [
    [put1, 'ok'],
    [get1, '1'],
  ]),
  accepted('c1', 1, 'ok'),
  accepted('c2', 1, '1'),
  ...REPLICAS.map((r) => newView(r, 1, 'p1')),
  request('c1', 2, 'put x 2'),
  ...batch(1, 2, 'bb', [[put2, 'ok']]),
  accepted('c1', 2, 'ok'),
  restart('p2'),
  executed('p2', 1, put1, 'ok'),
  executed('p2', 1, get1, '1'),
  executed('p2', 2, put2, 'ok'),
];

describe('pbft safety checker (hand-made traces)', () => {
  it('passes a good trace, liveness included', () => {
    expect(checkPbftSafety(good, { expectLiveness: true })).toEqual([]);
  });

  it('agreement: a different digest at a committed seq, in a later view, fails', () => {
    const bad = [...good, committed('p3', 1, 1, 'ff', [put1, get1])];
    expect(checkPbftSafety(bad, { expectLiveness: true })).toEqual([
      { property: 'agreement', detail: 'seq 1: p0 committed d=aa (view 0), p3 committed d=ff (view 1)', at: good.length },
    ]);
  });

  it('agreement: the same digest with another request list fails', () => {
    const bad = [...good, committed('p3', 1, 1, 'aa', [get1, put1])];
    const v = checkPbftSafety(bad, { expectLiveness: true });
    expect(v).toEqual([
      {
        property: 'agreement',
        detail: expect.stringMatching(
          /^seq 1: p0 committed d=aa as \[c1#1#put x 1, c2#1#get x\] \(view 0\), p3 committed d=aa as \[c2#1#get x, c1#1#put x 1\]/,
        ),
        at: good.length,
      },
    ]);
  });

  it('agreement: two replicas executing different requests at one seq position fail (once per replica and seq)', () => {
    const a = key('c1', 1, 'a');
    const b = key('c2', 1, 'b');
    const ok: TraceEvent[] = [
      request('c1', 1, 'a'),
      request('c2', 1, 'b'),
      committed('p0', 0, 1, 'd1', [a, b]),
      committed('p1', 0, 1, 'd1', [a, b]),
      executed('p0', 1, a, 'A'),
      executed('p0', 1, b, 'B'),
    ];
    expect(checkPbftSafety([...ok, executed('p1', 1, a, 'A'), executed('p1', 1, b, 'B')])).toEqual([]);
    const bad = [...ok, executed('p1', 1, b, 'B'), executed('p1', 1, a, 'A')];
    expect(checkPbftSafety(bad)).toEqual([{ property: 'agreement', detail: 'seq 1 position 0: p0 executed c1#1#a, p1 executed c2#1#b', at: ok.length }]);
  });

  it('validity: a committed request no client issued fails; one issued later in the trace does not', () => {
    const forged = key('c1', 9, 'drop table');
    const bad = [...good, committed('p0', 1, 3, 'cc', [forged]), committed('p1', 1, 3, 'cc', [forged])];
    expect(checkPbftSafety(bad, { expectLiveness: true })).toEqual([
      { property: 'validity', detail: 'p0 committed c1#9#drop table at seq 3 (view 1), a request no client issued', at: good.length },
    ]);
    // An issued client#ts with another operation is not what the client asked for.
    const altered = [...good, committed('p0', 1, 3, 'cc', [key('c1', 2, 'put x 666')])];
    expect(checkPbftSafety(altered).map((v) => v.property)).toEqual(['validity']);
    // The request may show in the trace after the commit (threads mode): judged at finish().
    const late = [committed('p0', 0, 1, 'dd', [key('c3', 1, 'get y')]), request('c3', 1, 'get y')];
    expect(checkPbftSafety(late)).toEqual([]);
  });

  it('integrity: a replica executing a request twice fails; not after a restart (or respawn)', () => {
    const bad = [...good, executed('p0', 3, put1, 'ok')];
    expect(checkPbftSafety(bad, { expectLiveness: true })).toEqual([
      {
        property: 'integrity',
        detail: expect.stringMatching(/^p0 executed c1#1 twice without restarting: first at event \d+, again at seq 3$/),
        at: good.length,
      },
    ]);
    // A duplicate with another op (client#ts is the request) is still a second execution.
    const req: TraceEvent[] = [request('c1', 1, 'put x 1'), committed('p0', 0, 1, 'aa', [put1]), executed('p0', 1, put1, 'ok')];
    expect(checkPbftSafety([...req, executed('p0', 2, key('c1', 1, 'put x 9'), 'ok')]).map((v) => v.property)).toEqual(['integrity']);
    // Memory resets on the runtime's restart and spawn events, per replica.
    expect(checkPbftSafety([...req, restart('p0'), executed('p0', 1, put1, 'ok')])).toEqual([]);
    expect(checkPbftSafety([...req, spawn('p0'), executed('p0', 1, put1, 'ok')])).toEqual([]);
    expect(checkPbftSafety([...req, restart('p1'), executed('p0', 1, put1, 'ok')]).map((v) => v.property)).toEqual(['integrity']);
  });

  it('result integrity: an accepted result that differs from an honest execution fails', () => {
    const run: TraceEvent[] = [request('c1', 1, 'put x 1'), ...batch(0, 1, 'aa', [[put1, 'ok']])];
    expect(checkPbftSafety([...run, accepted('c1', 1, 'ok')])).toEqual([]);
    const bad = [...run, accepted('c1', 1, 'forged')];
    expect(checkPbftSafety(bad)).toEqual([
      { property: 'result-integrity', detail: 'c1#1 accepted result "forged", but p0 executed it with result "ok"', at: run.length },
    ]);
  });

  it('result integrity: an accepted result some honest replica contradicts, or none produced, fails', () => {
    const head: TraceEvent[] = [request('c1', 1, 'put x 1'), committed('p0', 0, 1, 'aa', [put1]), committed('p1', 0, 1, 'aa', [put1])];
    const split = [...head, executed('p0', 1, put1, 'ok'), executed('p1', 1, put1, 'fail'), accepted('c1', 1, 'ok')];
    expect(checkPbftSafety(split)).toEqual([
      { property: 'result-integrity', detail: 'c1#1 accepted result "ok", but p1 executed it with result "fail"', at: split.length - 1 },
    ]);
    // Only a Byzantine replica produced what the client accepted.
    const byz = [...head, executed('p3', 1, put1, 'evil'), accepted('c1', 1, 'evil'), executed('p0', 1, put1, 'evil')];
    expect(checkPbftSafety(byz.slice(0, -1), { byzantine: ['p3'] })).toEqual([
      { property: 'result-integrity', detail: 'c1#1 accepted result "evil", but no honest replica executed it', at: byz.length - 2 },
    ]);
    // The honest execution may come after the acceptance in the trace: judged at finish().
    expect(checkPbftSafety(byz, { byzantine: ['p3'] })).toEqual([]);
  });

  it('liveness: requests never accepted fail, only when liveness is expected', () => {
    const bad = [...good, request('c2', 2, 'get x'), request('c2', 3, 'get y')];
    expect(checkPbftSafety(bad)).toEqual([]);
    expect(checkPbftSafety(bad, { expectLiveness: true })).toEqual([
      { property: 'liveness', detail: '2 of 5 requests never accepted: c2#2, c2#3', at: good.length },
    ]);
    const many = [...good, ...[2, 3, 4, 5, 6, 7, 8].map((ts) => request('c2', ts, 'get x'))];
    expect(checkPbftSafety(many, { expectLiveness: true })[0].detail).toBe('7 of 10 requests never accepted: c2#2, c2#3, c2#4, c2#5, c2#6, ...');
  });

  it('ignores Byzantine replicas: their conflicting commits, forged requests and repeats', () => {
    const forged = key('c1', 1, 'put x 666');
    const bad = [
      ...good,
      committed('p3', 1, 1, 'ff', [forged]),
      committed('p3', 1, 2, 'bb', [put2, put2]),
      executed('p3', 1, forged, 'ok'),
      executed('p3', 1, forged, 'ok'),
    ];
    expect(checkPbftSafety(bad, { byzantine: ['p3'], expectLiveness: true })).toEqual([]);
    expect(
      checkPbftSafety(bad, { expectLiveness: true })
        .map((v) => v.property)
        .sort(),
    ).toEqual(['agreement', 'agreement', 'agreement', 'integrity', 'integrity', 'validity']);
    // A Byzantine replica committing first does not fix what honest replicas must agree on.
    const first = [request('c1', 1, 'put x 1'), committed('p3', 0, 1, 'ff', [put1]), committed('p0', 0, 1, 'aa', [put1]), committed('p1', 0, 1, 'aa', [put1])];
    expect(checkPbftSafety(first, { byzantine: new Set(['p3']) })).toEqual([]);
  });

  it('records views and detections (not violations), from honest replicas only', () => {
    const monitor = new PbftSafetyMonitor({ byzantine: ['p3'] });
    const trace = [
      ...good,
      detected('p0', 'p3', 'pre-prepare-equivocation'),
      detected('p0', 'p3', 'pre-prepare-equivocation'),
      detected('p3', 'p0', 'prepare-equivocation'),
      newView('p3', 7, 'p3'),
    ];
    for (const e of trace) monitor.observe(e);
    expect(monitor.finish({ expectLiveness: true })).toEqual([]);
    expect(monitor.detections).toEqual([{ by: 'p0', suspect: 'p3', kind: 'pre-prepare-equivocation', at: good.length }]);
    expect(monitor.views.get('p0')).toEqual({ view: 1, primary: 'p1' });
    expect(monitor.views.has('p3')).toBe(false);
  });

  it('finish() judges once; liveness can be asked for afterwards', () => {
    const monitor = new PbftSafetyMonitor();
    for (const e of [...good, request('c2', 2, 'get x'), accepted('c1', 2, 'forged')]) monitor.observe(e);
    expect(monitor.finish().map((v) => v.property)).toEqual(['result-integrity']);
    expect(monitor.finish().map((v) => v.property)).toEqual(['result-integrity']);
    expect(monitor.finish({ expectLiveness: true }).map((v) => v.property)).toEqual(['result-integrity', 'liveness']);
    expect(monitor.finish({ expectLiveness: true })).toHaveLength(2);
  });

  it('splits request keys at the issued client#ts, even when a client name holds #', () => {
    const odd = key('c#1', 5, 'op#2#x');
    const trace = [request('c#1', 5, 'op#2#x'), committed('p0', 0, 1, 'aa', [odd]), executed('p0', 1, odd, 'r'), accepted('c#1', 5, 'r')];
    expect(checkPbftSafety(trace, { expectLiveness: true })).toEqual([]);
  });
});
