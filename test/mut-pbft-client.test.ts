import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import type { Envelope } from '../src/actors/envelope.ts';
import { PBFT_KINDS, type PbftClientProps } from '../src/protocols/pbft/index.ts';
import { requestText } from '../src/protocols/pbft/messages.ts';
import { pbftClient } from '../src/protocols/pbft/pbft-client.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * PBFT's client (`pbft-client.ts`) one envelope at a time, on a context that records what it
 * sends, its timers, what it traces and its reply, on a clock the test moves: the props it
 * refuses and its defaults, issuing within the window, the count and the duration, f + 1
 * matching replies from replicas that name themselves, resends, the deadline and the stall
 * check, and the summary. Found by mutation testing (test/MUTATION.md).
 */
const REPLICAS = ['r0', 'r1', 'r2', 'r3'];

const client = (props: Partial<PbftClientProps> & Record<string, unknown> = {}) => {
  const sent: { to: string; kind: string; body: any }[] = [];
  const timers = new Map<string, { ms: number; kind: string }>();
  const cancelled: string[] = [];
  const events: Record<string, any>[] = [];
  const replies: { to: string; corr: number | undefined; kind: string; body: any }[] = [];
  const clock = { now: 1000 };
  const full = { replicas: REPLICAS, requests: 1, ...props } as PbftClientProps;
  const ctx = {
    self: 'c',
    props: full,
    send: (to: string, m: { kind: string; body?: unknown }) => void sent.push({ to, kind: m.kind, body: m.body }),
    setTimer: (key: string, ms: number, m: { kind: string }) => void timers.set(key, { ms, kind: m.kind }),
    cancelTimer: (key: string) => {
      cancelled.push(key);
      timers.delete(key);
    },
    now: () => clock.now,
    sign: (text: string) => `sig:c:${text}`,
    emit: (e: Record<string, unknown>) => void events.push(e),
    reply: (env: Envelope, m: { kind: string; body?: unknown }) => void replies.push({ to: env.from, corr: env.corr, kind: m.kind, body: m.body }),
  } as unknown as ActorContext<PbftClientProps>;
  const state = pbftClient.init(ctx);
  let ids = 0;
  const deliver = (from: string, kind: string, body?: unknown, corr?: number) =>
    pbftClient.receive(state as never, { id: ++ids, from, to: 'c', kind, body, corr, re: undefined } as Envelope, ctx);
  const reply = (i: string, ts: number, result: unknown, from = i) => deliver(from, PBFT_KINDS.reply, { v: 0, ts, i, result });
  const s = state as unknown as Record<string, any>;
  return {
    ctx,
    s,
    sent,
    timers,
    cancelled,
    events,
    replies,
    clock,
    deliver,
    reply,
    start: (corr = 7) => deliver('boss', 'start', undefined, corr),
    /** The requests sent, as [to, ts, op] (sent to every replica in turn). */
    requests: () => sent.filter((m) => m.kind === PBFT_KINDS.request).map((m) => [m.to, m.body.ts, m.body.op]),
    ofType: (type: string) => events.filter((e) => e.type === type),
  };
};

const init = (props: Record<string, unknown>) => () => client(props as Partial<PbftClientProps>);

describe('the props it refuses', () => {
  it('no replicas, or an empty list', () => {
    expect(refusal(init({ replicas: undefined }))).toEqual({
      path: 'replicas',
      message: 'Invalid configuration at "replicas": expected at least one replica, got undefined.',
    });
    expect(refusal(init({ replicas: [] })).path).toBe('replicas');
  });

  it('neither requests nor durationMs', () => {
    expect(refusal(init({ requests: undefined }))).toEqual({
      path: 'requests',
      message:
        'Invalid configuration at "requests": expected an integer >= 0, or durationMs (issue requests for that long): one of the two is needed, got undefined.',
    });
  });

  it('requests that are not an integer >= 0', () => {
    for (const requests of [-1, 1.5, Number.NaN, '3'])
      expect(refusal(init({ requests })).message).toMatch(/^Invalid configuration at "requests": expected an integer >= 0, got /);
    expect(client({ requests: 0 }).s.total).toBe(0);
  });

  it('a durationMs that is not a finite number >= 0', () => {
    for (const durationMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10'])
      expect(refusal(init({ requests: undefined, durationMs })).message).toMatch(
        /^Invalid configuration at "durationMs": expected a finite number of ms >= 0, got /,
      );
    expect(client({ requests: undefined, durationMs: 0 }).s.durationMs).toBe(0);
  });

  it('a stallMs that is not a finite number > 0', () => {
    for (const stallMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '10'])
      expect(refusal(init({ stallMs })).message).toMatch(/^Invalid configuration at "stallMs": expected a finite number of ms > 0, got /);
    expect(client({ stallMs: 0.5 }).s.stallMs).toBe(0.5);
  });
});

describe('defaults', () => {
  it('f from n, no bound on count or duration but the one given, window 1, retry 500 ms, 16 keys, unsigned', () => {
    const a = client({ requests: undefined, durationMs: 10 });
    expect([a.s.f, a.s.total, a.s.durationMs, a.s.window, a.s.retryMs, a.s.keys, a.s.deadlineMs, a.s.signRequests, a.s.stallMs]).toEqual([
      1,
      Number.POSITIVE_INFINITY,
      10,
      1,
      500,
      16,
      undefined,
      false,
      undefined,
    ]);
    expect(client({ requests: 3 }).s.durationMs).toBe(Number.POSITIVE_INFINITY);
    expect(client({ replicas: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }).s.f).toBe(2);
    expect(client({ replicas: ['a'] }).s.f).toBe(0);
    expect(client({ replicas: ['a', 'b'] }).s.f).toBe(0);
    expect(client({ replicas: ['a', 'b', 'c', 'd', 'e'] }).s.f).toBe(1);
    expect(client({ f: 0 }).s.f).toBe(0);
  });

  it('a window or a key count below 1 is 1; signRequests only when true', () => {
    const a = client({ window: 0, keys: -3, signRequests: 'yes' as never, retryMs: 40 });
    expect([a.s.window, a.s.keys, a.s.signRequests, a.s.retryMs]).toEqual([1, 1, false, 40]);
  });
});

describe('start', () => {
  it('issues the window full, each request to every replica, traced, and arms the retry timer', () => {
    const c = client({ requests: 5, window: 2, keys: 3 });
    c.start();
    expect(c.requests()).toEqual([
      ['r0', 1, 'incr k1'],
      ['r1', 1, 'incr k1'],
      ['r2', 1, 'incr k1'],
      ['r3', 1, 'incr k1'],
      ['r0', 2, 'incr k2'],
      ['r1', 2, 'incr k2'],
      ['r2', 2, 'incr k2'],
      ['r3', 2, 'incr k2'],
    ]);
    expect(c.sent[0].body).toEqual({ client: 'c', ts: 1, op: 'incr k1', sig: '' });
    expect(c.events).toEqual([
      { type: 'pbft-request', client: 'c', ts: 1, op: 'incr k1' },
      { type: 'pbft-request', client: 'c', ts: 2, op: 'incr k2' },
    ]);
    expect([...c.timers]).toEqual([['retry', { ms: 500, kind: 'retry' }]]);
    expect(c.replies).toEqual([]);
    expect([c.s.firstAt, c.s.lastAt]).toEqual([1000, 1000]);
  });

  it('signs each request when asked to', () => {
    const c = client({ signRequests: true, keys: 16 });
    c.start();
    expect(c.sent[0].body).toEqual({ client: 'c', ts: 1, op: 'incr k1', sig: `sig:c:${requestText('c', 1, 'incr k1')}` });
  });

  it('arms the deadline and the stall check when given', () => {
    const c = client({ deadlineMs: 3000, stallMs: 250 });
    c.start();
    expect([...c.timers]).toEqual([
      ['deadline', { ms: 3000, kind: 'deadline' }],
      ['stall', { ms: 250, kind: 'stall' }],
      ['retry', { ms: 500, kind: 'retry' }],
    ]);
  });

  it('a second start is ignored', () => {
    const c = client({ requests: 2 });
    c.start(1);
    c.start(2);
    expect(c.requests().length).toBe(4);
    expect(c.s.request).toEqual({ from: 'boss', corr: 1 });
  });

  it('with nothing to issue it answers at once', () => {
    const c = client({ requests: 0, deadlineMs: 100 });
    c.start(9);
    expect(c.sent).toEqual([]);
    expect(c.replies).toEqual([
      { to: 'boss', corr: 9, kind: 'summary', body: { issued: 0, accepted: 0, gaveUp: false, retries: 0, refusedReplies: 0, firstAt: 1000, lastAt: 1000 } },
    ]);
    expect(c.cancelled).toEqual(['deadline', 'stall']);
    expect(c.s.request).toBeUndefined();
    const d = client({ requests: undefined, durationMs: 0 });
    d.start();
    expect(d.sent).toEqual([]);
    expect(d.replies.length).toBe(1);
  });
});

describe('replies', () => {
  it('a result is accepted at f + 1 matching replies from distinct replicas, then the next request goes out', () => {
    const c = client({ requests: 2 });
    c.start();
    c.sent.length = 0;
    c.clock.now = 1040;
    c.reply('r0', 1, '1');
    c.reply('r0', 1, '1');
    c.reply('r1', 1, '2');
    expect(c.ofType('pbft-accepted')).toEqual([]);
    expect(c.sent).toEqual([]);
    c.reply('r2', 1, '1');
    expect(c.ofType('pbft-accepted')).toEqual([{ type: 'pbft-accepted', client: 'c', ts: 1, result: '1' }]);
    expect([c.s.accepted, c.s.lastAt, c.s.waiting.has(1), c.s.waiting.has(2)]).toEqual([1, 1040, false, true]);
    expect(c.requests().map(([, ts]) => ts)).toEqual([2, 2, 2, 2]);
    // Late replies for an accepted request change nothing.
    c.reply('r3', 1, '1');
    c.reply('r1', 1, '1');
    expect(c.s.accepted).toBe(1);
    expect(c.s.refusedReplies).toBe(0);
  });

  it('with f = 0 one reply is enough; with f = 2, three', () => {
    const a = client({ f: 0 });
    a.start();
    a.reply('r3', 1, 'x');
    expect(a.s.accepted).toBe(1);
    const b = client({ replicas: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
    b.start();
    b.reply('a', 1, 'x');
    b.reply('b', 1, 'x');
    expect(b.s.accepted).toBe(0);
    b.reply('c', 1, 'x');
    expect(b.s.accepted).toBe(1);
  });

  it('refuses a reply not from the replica it names, from no replica, not an object, or without a string result', () => {
    const c = client({ f: 0 });
    c.start();
    c.reply('r1', 1, 'x', 'r2');
    c.reply('z', 1, 'x');
    c.deliver('r1', PBFT_KINDS.reply, null);
    c.deliver('r1', PBFT_KINDS.reply, 'r1');
    c.deliver('r1', PBFT_KINDS.reply, undefined);
    c.reply('r1', 1, 5);
    c.reply('r1', 1, undefined);
    expect(c.s.refusedReplies).toBe(7);
    expect(c.s.accepted).toBe(0);
    c.reply('r1', 2, 'x');
    expect(c.s.refusedReplies).toBe(7);
    expect(c.s.accepted).toBe(0);
  });

  it('the last acceptance ends the run: timers cancelled, the summary replied once', () => {
    const c = client({ requests: 1, deadlineMs: 5000, stallMs: 300 });
    c.start(3);
    c.clock.now = 1200;
    c.reply('r0', 1, 'a');
    c.reply('r1', 1, 'a');
    expect(c.cancelled).toEqual(['retry', 'deadline', 'stall']);
    expect(c.timers.size).toBe(0);
    expect(c.s.retryArmed).toBe(false);
    expect(c.replies).toEqual([
      { to: 'boss', corr: 3, kind: 'summary', body: { issued: 1, accepted: 1, gaveUp: false, retries: 0, refusedReplies: 0, firstAt: 1000, lastAt: 1200 } },
    ]);
    c.reply('r2', 1, 'a');
    c.deliver('c', 'deadline');
    expect(c.replies.length).toBe(1);
  });
});

describe('the duration', () => {
  it('issues while the clock is before start + durationMs, then ends once all are accepted', () => {
    const c = client({ requests: undefined, durationMs: 100, f: 0 });
    c.start();
    c.clock.now = 1099;
    c.reply('r0', 1, 'a');
    expect(c.s.nextTs).toBe(2);
    c.clock.now = 1100;
    c.reply('r0', 2, 'a');
    expect(c.s.nextTs).toBe(2);
    expect(c.replies.map((r) => r.body)).toEqual([{ issued: 2, accepted: 2, gaveUp: false, retries: 0, refusedReplies: 0, firstAt: 1000, lastAt: 1100 }]);
  });

  it('with both, the count ends the issuing first', () => {
    const c = client({ requests: 1, durationMs: 10_000, f: 0 });
    c.start();
    c.reply('r0', 1, 'a');
    expect(c.s.nextTs).toBe(1);
    expect(c.replies.length).toBe(1);
  });
});

describe('resends', () => {
  it('the retry timer resends only what waited retryMs, and rearms while anything waits', () => {
    const c = client({ requests: 2, window: 2, retryMs: 100, f: 0 });
    c.start();
    c.clock.now = 1050;
    c.reply('r0', 1, 'a');
    // Request 2 went out at 1000; a request 3 does not exist.
    c.sent.length = 0;
    c.timers.clear();
    c.clock.now = 1099;
    c.deliver('c', 'retry');
    expect(c.sent).toEqual([]);
    expect([...c.timers]).toEqual([['retry', { ms: 100, kind: 'retry' }]]);
    c.clock.now = 1100;
    c.deliver('c', 'retry');
    expect(c.requests()).toEqual([
      ['r0', 2, 'incr k2'],
      ['r1', 2, 'incr k2'],
      ['r2', 2, 'incr k2'],
      ['r3', 2, 'incr k2'],
    ]);
    expect(c.s.retries).toBe(1);
    expect(c.s.waiting.get(2).sentAt).toBe(1100);
    expect(c.s.retryArmed).toBe(true);
    c.sent.length = 0;
    c.clock.now = 1150;
    c.deliver('c', 'retry');
    expect(c.sent).toEqual([]);
    c.reply('r1', 2, 'b');
    expect(c.replies.map((r) => r.body.retries)).toEqual([1]);
  });

  it('a retry from anyone else is ignored; after the run a retry does nothing', () => {
    const c = client({ requests: 1, retryMs: 10, f: 0 });
    c.start();
    c.sent.length = 0;
    c.clock.now = 2000;
    c.deliver('r0', 'retry');
    expect(c.sent).toEqual([]);
    expect(c.s.retries).toBe(0);
    c.reply('r0', 1, 'a');
    c.timers.clear();
    c.deliver('c', 'retry');
    expect(c.sent).toEqual([]);
    expect(c.timers.size).toBe(0);
    expect(c.s.retryArmed).toBe(false);
  });

  it('the retry timer is armed once, not again for each request issued', () => {
    const c = client({ requests: 3, f: 0 });
    c.start();
    c.cancelled.length = 0;
    c.timers.clear();
    c.reply('r0', 1, 'a');
    expect(c.timers.size).toBe(0);
  });
});

describe('giving up', () => {
  it('at the deadline: traced, and the summary says so', () => {
    const c = client({ requests: 3, window: 2, deadlineMs: 500 });
    c.start(4);
    c.deliver('r0', 'deadline');
    expect(c.replies).toEqual([]);
    c.clock.now = 1500;
    c.deliver('c', 'deadline');
    expect(c.ofType('pbft-client-gave-up')).toEqual([{ type: 'pbft-client-gave-up', accepted: 0, waiting: 2 }]);
    expect(c.replies).toEqual([
      { to: 'boss', corr: 4, kind: 'summary', body: { issued: 2, accepted: 0, gaveUp: true, retries: 0, refusedReplies: 0, firstAt: 1000, lastAt: 1000 } },
    ]);
    expect(c.cancelled).toEqual(['retry', 'deadline', 'stall']);
  });

  it('after giving up it issues nothing more: a late result is still accepted, but starts no request, and a late retry resends nothing', () => {
    const c = client({ requests: 3, window: 2, deadlineMs: 500 });
    c.start(4);
    c.clock.now = 1500;
    c.deliver('c', 'deadline');
    c.sent.length = 0;
    c.events.length = 0;
    c.timers.clear();
    c.reply('r0', 1, 'a');
    c.reply('r1', 1, 'a');
    expect(c.events).toEqual([{ type: 'pbft-accepted', client: 'c', ts: 1, result: 'a' }]);
    expect(c.s.nextTs).toBe(2);
    c.clock.now = 5000;
    c.deliver('c', 'retry');
    expect(c.sent).toEqual([]);
    expect(c.timers.size).toBe(0);
    expect(c.s.retries).toBe(0);
    expect(c.replies.length).toBe(1);
  });

  it('a deadline before start changes nothing', () => {
    const c = client({ requests: 3, deadlineMs: 500 });
    c.deliver('c', 'deadline');
    expect([c.s.gaveUp, c.events, c.replies]).toEqual([false, [], []]);
  });

  it('the stall check gives up only when nothing was accepted since the last one', () => {
    const c = client({ requests: 5, stallMs: 200, f: 0 });
    c.start();
    c.reply('r0', 1, 'a');
    c.timers.clear();
    c.deliver('c', 'stall');
    expect(c.s.acceptedAtCheck).toBe(1);
    expect(c.timers.get('stall')).toEqual({ ms: 200, kind: 'stall' });
    expect(c.replies).toEqual([]);
    c.deliver('c', 'stall');
    expect(c.ofType('pbft-client-gave-up')).toEqual([{ type: 'pbft-client-gave-up', accepted: 1, waiting: 1 }]);
    expect(c.replies.map((r) => r.body)).toEqual([{ issued: 2, accepted: 1, gaveUp: true, retries: 0, refusedReplies: 0, firstAt: 1000, lastAt: 1000 }]);
  });

  it('a stall check from anyone else, or before start, or after the end, is ignored', () => {
    const c = client({ requests: 5, stallMs: 200 });
    c.deliver('c', 'stall');
    expect([c.s.gaveUp, c.timers.size]).toEqual([false, 0]);
    c.start();
    c.timers.clear();
    c.deliver('r0', 'stall');
    expect([c.s.gaveUp, c.timers.size]).toEqual([false, 0]);
    c.deliver('c', 'deadline');
    c.timers.clear();
    c.deliver('c', 'stall');
    expect(c.timers.size).toBe(0);
    expect(c.ofType('pbft-client-gave-up').length).toBe(1);
  });

  it('unknown kinds are ignored', () => {
    const c = client();
    c.start();
    c.sent.length = 0;
    c.deliver('r0', 'hello');
    expect([c.sent, c.replies]).toEqual([[], []]);
  });
});
