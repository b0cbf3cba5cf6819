import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import type { ActorId } from '../src/actors/envelope.ts';
import { type GossipClientProps, type GossipClientSummary, gossipClient } from '../src/protocols/gossip/gossip-client.ts';
import { GOSSIP_KINDS } from '../src/protocols/gossip/messages.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * The gossip-agreement client (`gossip-client.ts`) one message at a time on a hand-driven context
 * with a clock of its own: its props refused by name, the `start` that opens a window of
 * instances (a second one ignored), `mayOpen`'s decision count and duration clock, the reports
 * that decide an instance, the retry timer, and the summary reply.
 */

/** Client `c` of nodes a..c (unless given); `clock.now` is what `ctx.now()` returns. */
function client(props: Partial<GossipClientProps> = {}) {
  const clock = { now: 0 };
  const f = fakeContext<GossipClientProps>('c', { nodes: ['a', 'b', 'x'], ...props } as GossipClientProps);
  const ctx: ActorContext<GossipClientProps> = { ...f.ctx, now: () => clock.now };
  const state = gossipClient.init(ctx);
  const deliver = (from: ActorId, kind: string, body: unknown, corr?: number) =>
    gossipClient.receive(state as never, envelope(from, 'c', kind, body, { corr }), ctx);
  return {
    f,
    clock,
    deliver,
    start: (from: ActorId = 'asker', corr = 7) => deliver(from, 'start', undefined, corr),
    report: (from: ActorId, decision: unknown, value: unknown) => deliver(from, GOSSIP_KINDS.report, { decision, value }),
    retry: (decision: string) => deliver('c', GOSSIP_KINDS.retry, decision),
    /** What was sent since the last call, as [to, kind, body]. */
    sent() {
      const out = f.sent.map((m) => [m.to, m.message.kind, m.message.body]);
      f.sent.length = 0;
      return out;
    },
    /** The events emitted since the last call. */
    events() {
      const out = [...f.emitted];
      f.emitted.length = 0;
      return out;
    },
  };
}

const starts = (decision: string, retry = false, nodes = ['a', 'b', 'x']) => nodes.map((n) => [n, GOSSIP_KINDS.start, { decision, retry }]);
const summary = (s: GossipClientSummary, to = 'asker') => [to, 'gossip-client-summary', s];

const path = (field: string) => `gossipClient("c").props.${field}`;
const invalid = (field: string, expected: string, got: string) => ({
  path: path(field),
  message: `Invalid configuration at "${path(field)}": expected ${expected}, got ${got}.`,
});
const init = (props: unknown) => () => gossipClient.init(fakeContext('c', props as GossipClientProps).ctx);

describe('gossipClient.init: the props refused, each by name', () => {
  it('nodes: no props at all, none, not an array, empty', () => {
    expect(refusal(init(undefined))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({ decisions: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({ nodes: 'a', decisions: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', '"a"'));
    expect(refusal(init({ nodes: [], decisions: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'an array of 0'));
  });
});

describe('gossipClient: start and the window', () => {
  it('start opens `window` instances, each sent to every node with a retry timer; the next opens when one is decided', () => {
    const c = client({ decisions: 3, window: 2, retryMs: 40 });
    c.start();
    expect(c.sent()).toEqual([...starts('c:1'), ...starts('c:2')]);
    expect(c.events()).toEqual([
      { type: 'gossip-open', decision: 'c:1' },
      { type: 'gossip-open', decision: 'c:2' },
    ]);
    expect([...c.f.timers]).toEqual([
      ['retry:c:1', { delayMs: 40, message: { kind: GOSSIP_KINDS.retry, body: 'c:1' } }],
      ['retry:c:2', { delayMs: 40, message: { kind: GOSSIP_KINDS.retry, body: 'c:2' } }],
    ]);
    c.clock.now = 3;
    c.report('a', 'c:2', 9);
    c.report('b', 'c:2', 9);
    expect(c.sent()).toEqual([]);
    c.report('x', 'c:2', 9);
    expect(c.events()).toEqual([
      { type: 'gossip-decided', decision: 'c:2', value: 9, nodes: 3, attempts: 1 },
      { type: 'gossip-open', decision: 'c:3' },
    ]);
    expect(c.f.cancelled).toEqual(['retry:c:2']);
    expect(c.sent()).toEqual(starts('c:3'));
  });

  it('a window of 1 opens one instance at a time', () => {
    const c = client({ decisions: 2 });
    c.start();
    expect(c.sent()).toEqual(starts('c:1'));
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:1', 4);
    expect(c.sent()).toEqual(starts('c:2'));
  });

  it('a second start is ignored: the summary goes to the first asker, with the first start time', () => {
    const c = client({ decisions: 1, window: 2 });
    c.clock.now = 2;
    c.start('first', 11);
    expect(c.sent()).toEqual(starts('c:1'));
    c.clock.now = 5;
    c.start('second', 12);
    expect(c.sent()).toEqual([]);
    expect(c.events()).toEqual([{ type: 'gossip-open', decision: 'c:1' }]);
    c.clock.now = 8;
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:1', 6);
    const s = { issued: 1, decided: 1, gaveUp: 0, retries: 0, firstAt: 2, lastAt: 8 };
    expect(c.sent()).toEqual([summary(s, 'first')]);
    expect(c.events().at(-1)).toEqual({ type: 'gossip-done', client: 'c', ...s });
  });

  it('the reply carries the start request’s correlation id', () => {
    const c = client({ decisions: 0 });
    c.start('asker', 41);
    expect(c.f.sent.map((m) => m.message)).toEqual([
      { kind: 'gossip-client-summary', body: { issued: 0, decided: 0, gaveUp: 0, retries: 0, firstAt: 0, lastAt: 0 } },
    ]);
  });
});

describe('gossipClient: the duration clock', () => {
  it('durationMs 0 opens nothing: the summary at once, lastAt the current time since nothing was decided', () => {
    const c = client({ durationMs: 0 });
    c.clock.now = 5;
    c.start();
    expect(c.sent()).toEqual([summary({ issued: 0, decided: 0, gaveUp: 0, retries: 0, firstAt: 5, lastAt: 5 })]);
    expect(c.events()).toEqual([{ type: 'gossip-done', client: 'c', issued: 0, decided: 0, gaveUp: 0, retries: 0, firstAt: 5, lastAt: 5 }]);
  });

  it('instances open while now < firstAt + durationMs: one decided just before the end opens another, one decided at the end does not', () => {
    const c = client({ durationMs: 10 });
    c.clock.now = 100;
    c.start();
    expect(c.sent()).toEqual(starts('c:1'));
    c.clock.now = 109;
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:1', 1);
    expect(c.sent()).toEqual(starts('c:2'));
    c.clock.now = 110;
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:2', 2);
    expect(c.sent()).toEqual([summary({ issued: 2, decided: 2, gaveUp: 0, retries: 0, firstAt: 100, lastAt: 110 })]);
  });

  it('with both, whichever ends first: the decision count', () => {
    const c = client({ decisions: 1, durationMs: 1000 });
    c.start();
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:1', 3);
    expect(c.sent()).toEqual([...starts('c:1'), summary({ issued: 1, decided: 1, gaveUp: 0, retries: 0, firstAt: 0, lastAt: 0 })]);
  });
});

describe('gossipClient: reports', () => {
  it('a node changing its report moves its count: agreement needs every node’s latest value', () => {
    const c = client({ decisions: 1 });
    c.start();
    c.sent();
    c.events();
    c.report('a', 'c:1', 5);
    c.report('b', 'c:1', 5);
    c.report('x', 'c:1', 3);
    expect(c.events()).toEqual([]);
    c.report('x', 'c:1', 5);
    expect(c.events()[0]).toEqual({ type: 'gossip-decided', decision: 'c:1', value: 5, nodes: 3, attempts: 1 });
  });

  it('a node moving away from an agreed value undoes its count', () => {
    const c = client({ nodes: ['a', 'b'], decisions: 1 });
    c.start();
    c.events();
    c.report('a', 'c:1', 5);
    c.report('a', 'c:1', 6);
    c.report('b', 'c:1', 5);
    expect(c.events()).toEqual([]);
    c.report('a', 'c:1', 5);
    expect(c.events()[0]).toEqual({ type: 'gossip-decided', decision: 'c:1', value: 5, nodes: 2, attempts: 1 });
  });

  it('reports that are not one, for no open instance, or from a stranger are ignored', () => {
    const c = client({ nodes: ['a'], decisions: 1 });
    c.start();
    c.sent();
    c.events();
    c.deliver('a', GOSSIP_KINDS.report, null);
    c.report('a', 1, 5);
    c.report('a', 'c:1', Number.NaN);
    c.report('a', 'c:1', '5');
    c.report('a', 'c:9', 5);
    c.report('z', 'c:1', 5);
    expect(c.events()).toEqual([]);
    expect(c.sent()).toEqual([]);
  });
});

describe('gossipClient: retries', () => {
  it('a retry starts the instance again (retry: true) until the budget; then it is given up with what was reported', () => {
    const c = client({ decisions: 1, retryBudget: 2, retryMs: 30 });
    c.start();
    c.sent();
    c.events();
    c.clock.now = 4;
    c.report('b', 'c:1', 8);
    c.report('a', 'c:1', 2);
    c.clock.now = 30;
    c.retry('c:1');
    expect(c.sent()).toEqual(starts('c:1', true));
    expect(c.f.timers.get('retry:c:1')).toEqual({ delayMs: 30, message: { kind: GOSSIP_KINDS.retry, body: 'c:1' } });
    c.deliver('a', GOSSIP_KINDS.retry, 'c:1'); // not from itself: ignored
    expect(c.sent()).toEqual([]);
    c.clock.now = 60;
    c.retry('c:1');
    const s = { issued: 1, decided: 0, gaveUp: 1, retries: 1, firstAt: 0, lastAt: 60 };
    expect(c.events()).toEqual([
      { type: 'gossip-gave-up', decision: 'c:1', attempts: 2, reported: 2, values: [2, 8] },
      { type: 'gossip-done', client: 'c', ...s },
    ]);
    expect(c.sent()).toEqual([summary(s)]);
  });

  it('lastAt is the last decision, not the time a later instance was given up', () => {
    const c = client({ decisions: 2, window: 2, retryBudget: 1 });
    c.start();
    c.sent();
    c.clock.now = 7;
    for (const n of ['a', 'b', 'x']) c.report(n, 'c:1', 1);
    c.clock.now = 300;
    c.retry('c:2');
    expect(c.sent()).toEqual([summary({ issued: 2, decided: 1, gaveUp: 1, retries: 0, firstAt: 0, lastAt: 7 })]);
  });

  it('a retry for an instance already closed (decided, given up, never opened) does nothing', () => {
    const c = client({ nodes: ['a'], decisions: 2, retryBudget: 1 });
    c.start();
    c.report('a', 'c:1', 1);
    c.retry('c:2');
    c.sent();
    c.events();
    c.retry('c:1');
    c.retry('c:2');
    c.retry('c:3');
    expect(c.sent()).toEqual([]);
    expect(c.events()).toEqual([]);
  });
});
