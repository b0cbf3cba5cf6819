import { describe, expect, it } from 'vitest';
import type { ActorContext, Behaviour } from '../src/actors/behaviour.ts';
import type { ActorId, Message } from '../src/actors/envelope.ts';
import { gossipNode, gossipNodeWith } from '../src/protocols/gossip/gossip-node.ts';
import { GOSSIP_DEFAULTS, GOSSIP_KINDS, type GossipProps, VALUE_RANGE } from '../src/protocols/gossip/messages.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * The gossip-agreement node (`gossip-node.ts`) one message at a time on a hand-driven context
 * with a durable store of its own: the refusals of its props, the value it draws (or finds after
 * a restart), the round timer, the peers each round pushes to (a partial Fisher-Yates shuffle
 * over its random stream), the quiet rounds before it settles and reports, and what a push
 * changes or answers.
 */

type Store = Map<string, unknown>;

/** Node `a` of peers a..d (unless given), its random stream `random`, its durable store `store`. */
function node(props: Partial<GossipProps> = {}, random: readonly number[] = [0.5], store: Store = new Map(), behaviour: Behaviour = gossipNode as Behaviour) {
  const f = fakeContext<GossipProps>('a', { peers: ['a', 'b', 'c', 'd'], ...props } as GossipProps, { random });
  const armed: { key: string; delayMs: number; message: Message }[] = [];
  const ctx: ActorContext<GossipProps> = {
    ...f.ctx,
    durable: { get: <T>(k: string) => store.get(k) as T | undefined, set: (k, v) => void store.set(k, v), delete: (k) => void store.delete(k) },
    setTimer: (key, delayMs, message) => void armed.push({ key, delayMs, message }),
  };
  const state = behaviour.init(ctx as ActorContext<unknown>);
  const deliver = (from: ActorId, kind: string, body: unknown) =>
    behaviour.receive(state as never, envelope(from, 'a', kind, body), ctx as ActorContext<unknown>);
  return {
    f,
    store,
    armed,
    deliver,
    start: (decision: unknown = 'd1', retry = false, from = 'client') => deliver(from, GOSSIP_KINDS.start, { decision, retry }),
    push: (from: ActorId, value: unknown, decision: unknown = 'd1') => deliver(from, GOSSIP_KINDS.push, { decision, value }),
    round: (decision = 'd1') => deliver('a', GOSSIP_KINDS.round, decision),
    /** What was sent since the last call, as [to, kind, body]. */
    sent() {
      const out = f.sent.map((m) => [m.to, m.message.kind, m.message.body]);
      f.sent.length = 0;
      return out;
    },
    /** The timers armed since the last call, as [key, delay, body]. */
    timers() {
      const out = armed.map((t) => [t.key, t.delayMs, t.message.kind, t.message.body]);
      armed.length = 0;
      return out;
    },
    events: (type: string) => f.emitted.filter((e) => e.type === type),
  };
}

const path = (field: string) => `gossipNode("a").props.${field}`;
const invalid = (field: string, expected: string, got: string) => ({
  path: path(field),
  message: `Invalid configuration at "${path(field)}": expected ${expected}, got ${got}.`,
});
const init = (props: unknown) => () => gossipNode.init(fakeContext('a', props as GossipProps).ctx);
const push = (decision: string, value: number) => ({ decision, value });

describe('gossipNode.init: the props refused, each by name', () => {
  it('peers: missing props, not an array, empty', () => {
    expect(refusal(init(undefined))).toEqual(invalid('peers', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({}))).toEqual(invalid('peers', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({ peers: 'a' }))).toEqual(invalid('peers', 'a non-empty array of node ids', '"a"'));
    expect(refusal(init({ peers: [] }))).toEqual(invalid('peers', 'a non-empty array of node ids', 'an array of 0'));
  });

  it('fanout, roundMs, quietRounds: each at its bound, the value named', () => {
    expect(refusal(init({ peers: ['a'], fanout: 0 }))).toEqual(invalid('fanout', 'an integer >= 1', 'number 0'));
    expect(refusal(init({ peers: ['a'], fanout: 1.5 }))).toEqual(invalid('fanout', 'an integer >= 1', 'number 1.5'));
    expect(refusal(init({ peers: ['a'], roundMs: 0 }))).toEqual(invalid('roundMs', 'a finite number of ms > 0', 'number 0'));
    expect(refusal(init({ peers: ['a'], roundMs: Number.POSITIVE_INFINITY }))).toEqual(invalid('roundMs', 'a finite number of ms > 0', 'number Infinity'));
    expect(refusal(init({ peers: ['a'], roundMs: '5' }))).toEqual(invalid('roundMs', 'a finite number of ms > 0', '"5"'));
    expect(refusal(init({ peers: ['a'], quietRounds: 0 }))).toEqual(invalid('quietRounds', 'an integer >= 1', 'number 0'));
    expect(refusal(init({ peers: ['a'], quietRounds: 2.5 }))).toEqual(invalid('quietRounds', 'an integer >= 1', 'number 2.5'));
    for (const ok of [{ fanout: 1 }, { roundMs: 0.5 }, { quietRounds: 1 }, {}]) expect(() => init({ peers: ['a'], ...ok })()).not.toThrow();
  });

  it('the defaults: fanout 2, rounds of 10 ms, 5 quiet rounds; values drawn below 1,000', () => {
    expect(GOSSIP_DEFAULTS).toEqual({ fanout: 2, roundMs: 10, quietRounds: 5 });
    expect(VALUE_RANGE).toBe(1000);
    const n = node({}, [0.9999]);
    n.start();
    expect(n.events('gossip-init')).toEqual([{ type: 'gossip-init', decision: 'd1', value: 999 }]);
    expect(n.timers()).toEqual([['round:d1', 10, GOSSIP_KINDS.round, 'd1']]);
    n.round();
    expect(n.sent().length).toBe(2);
    for (let k = 0; k < 4; k++) n.round();
    expect(n.events('gossip-settled')).toEqual([]);
    n.round();
    expect(n.events('gossip-settled')).toEqual([{ type: 'gossip-settled', decision: 'd1', value: 999 }]);
  });
});

describe('gossipNode: an instance opened', () => {
  it('start draws a value (kept in the durable store, emitted), arms the round timer once, and reports to the client when settled', () => {
    const n = node({ roundMs: 7, quietRounds: 1 }, [0.4567]);
    n.start();
    expect(n.events('gossip-init')).toEqual([{ type: 'gossip-init', decision: 'd1', value: 456 }]);
    expect([...n.store]).toEqual([['value:d1', 456]]);
    expect(n.timers()).toEqual([['round:d1', 7, GOSSIP_KINDS.round, 'd1']]);
    expect(n.f.draws()).toBe(1);
    n.start();
    expect(n.timers()).toEqual([]); // armed already
    expect(n.events('gossip-init').length).toBe(1);
    expect(n.f.draws()).toBe(1);
    n.round(); // fresh: quiet 0
    n.sent();
    expect(n.timers()).toEqual([['round:d1', 7, GOSSIP_KINDS.round, 'd1']]);
    n.round(); // quiet 1 >= 1: settled
    expect(n.sent().filter((m) => m[1] === GOSSIP_KINDS.report)).toEqual([['client', GOSSIP_KINDS.report, push('d1', 456)]]);
    expect(n.timers()).toEqual([]);
    expect(n.events('gossip-settled')).toEqual([{ type: 'gossip-settled', decision: 'd1', value: 456 }]);
  });

  it('after a restart the value is the stored one: nothing drawn, nothing emitted, nothing written', () => {
    const store: Store = new Map([['value:d1', 321]]);
    const n = node({ quietRounds: 1 }, [0.1], store);
    n.start();
    expect(n.f.draws()).toBe(0);
    expect(n.events('gossip-init')).toEqual([]);
    n.round();
    expect(n.sent()).toEqual([
      ['b', GOSSIP_KINDS.push, push('d1', 321)],
      ['c', GOSSIP_KINDS.push, push('d1', 321)],
    ]);
    expect([...store]).toEqual([['value:d1', 321]]);
  });

  it('a start that is not one (no body, a decision not a string) is ignored', () => {
    const n = node();
    n.deliver('client', GOSSIP_KINDS.start, null);
    n.deliver('client', GOSSIP_KINDS.start, undefined);
    n.start(7);
    expect(n.events('gossip-init')).toEqual([]);
    expect(n.timers()).toEqual([]);
    expect(n.store.size).toBe(0);
  });

  it('settled: a start reports at once (to its sender) without gossiping; a retry gossips again from a quiet count of 0', () => {
    const n = node({ quietRounds: 2 }, [0.25]);
    n.start();
    n.round();
    n.round();
    n.round();
    expect(n.events('gossip-settled').length).toBe(1);
    n.sent();
    n.timers();
    n.start('d1', false, 'client2');
    expect(n.sent()).toEqual([['client2', GOSSIP_KINDS.report, push('d1', 250)]]);
    expect(n.timers()).toEqual([]);
    n.start('d1', true, 'client2');
    expect(n.sent()).toEqual([]);
    expect(n.timers()).toEqual([['round:d1', 10, GOSSIP_KINDS.round, 'd1']]);
    // The quiet count starts from 0 again (no new value: the first round counts 1), settled on the second.
    n.round();
    expect(n.events('gossip-settled').length).toBe(1);
    n.round();
    expect(n.events('gossip-settled').length).toBe(2);
    expect(n.sent().filter((m) => m[1] === GOSSIP_KINDS.report)).toEqual([['client2', GOSSIP_KINDS.report, push('d1', 250)]]);
  });
});

describe('gossipNode: rounds', () => {
  it('each round pushes to `fanout` distinct peers drawn by a partial shuffle of the others (itself never), and rearms', () => {
    // Draws: the value, then j = k + floor(r * (3 - k)) for k = 0, 1.
    const n = node({ fanout: 2 }, [0.5, 0.5, 0.5, 0.0, 0.99]);
    n.start();
    n.timers();
    n.round();
    // others [b, c, d]: k 0, j 1 -> [c, b, d], to c; k 1, j 2 -> [c, d, b], to d.
    expect(n.sent()).toEqual([
      ['c', GOSSIP_KINDS.push, push('d1', 500)],
      ['d', GOSSIP_KINDS.push, push('d1', 500)],
    ]);
    expect(n.timers()).toEqual([['round:d1', 10, GOSSIP_KINDS.round, 'd1']]);
    // From [c, d, b]: k 0, r 0, j 0 -> to c; k 1, r 0.99, j 2 -> [c, b, d], to b.
    n.round();
    expect(n.sent().map((m) => m[0])).toEqual(['c', 'b']);
  });

  it('a fanout larger than the others pushes to each of them once', () => {
    const n = node({ fanout: 9 }, [0.5]);
    n.start();
    n.round();
    expect(
      n
        .sent()
        .map((m) => m[0])
        .sort(),
    ).toEqual(['b', 'c', 'd']);
  });

  it('a lone node pushes to nobody and still settles', () => {
    const n = node({ peers: ['a'], quietRounds: 1 }, [0.5]);
    n.start();
    n.round();
    n.round();
    expect(n.sent()).toEqual([['client', GOSSIP_KINDS.report, push('d1', 500)]]);
  });

  it('a round timer from anyone but itself, or for an instance it does not have, is ignored', () => {
    const n = node({ quietRounds: 1 }, [0.5]);
    n.start();
    n.timers();
    n.deliver('b', GOSSIP_KINDS.round, 'd1');
    expect(n.sent()).toEqual([]);
    expect(n.timers()).toEqual([]);
    n.round('other');
    expect(n.sent()).toEqual([]);
    expect(n.timers()).toEqual([]);
  });

  it('quiet rounds count from the last new value: a larger value mid-way starts the count again', () => {
    const n = node({ quietRounds: 3, fanout: 1 }, [0.5]);
    n.start();
    n.round(); // fresh: 0
    n.round(); // 1
    n.push('b', 900); // new value: quiet 0 again, still ticking
    n.round(); // fresh: 0
    n.round(); // 1
    n.round(); // 2
    expect(n.events('gossip-settled')).toEqual([]);
    n.round(); // 3: settled
    expect(n.events('gossip-settled')).toEqual([{ type: 'gossip-settled', decision: 'd1', value: 900 }]);
  });
});

describe('gossipNode: pushes', () => {
  it('a larger value is adopted (stored, no answer), and wakes a settled node from a quiet count of 0', () => {
    const n = node({ quietRounds: 1 }, [0.5]);
    n.start();
    n.round();
    n.round();
    expect(n.events('gossip-settled').length).toBe(1);
    n.sent();
    n.timers();
    n.push('b', 700);
    expect(n.sent()).toEqual([]);
    expect(n.store.get('value:d1')).toBe(700);
    expect(n.timers()).toEqual([['round:d1', 10, GOSSIP_KINDS.round, 'd1']]);
    n.round(); // fresh: 0, not settled
    expect(n.events('gossip-settled').length).toBe(1);
    n.round();
    expect(n.events('gossip-settled')).toEqual([
      { type: 'gossip-settled', decision: 'd1', value: 500 },
      { type: 'gossip-settled', decision: 'd1', value: 700 },
    ]);
  });

  it('a smaller value is answered with ours at once, settled or not; an equal one is not', () => {
    const n = node({ quietRounds: 1 }, [0.5]);
    n.start();
    n.timers();
    n.push('b', 100);
    expect(n.sent()).toEqual([['b', GOSSIP_KINDS.push, push('d1', 500)]]);
    expect(n.timers()).toEqual([]); // armed already
    n.push('c', 500);
    expect(n.sent()).toEqual([]);
    n.round();
    n.round();
    n.sent();
    n.timers();
    n.push('d', 3);
    expect(n.sent()).toEqual([['d', GOSSIP_KINDS.push, push('d1', 500)]]);
    expect(n.timers()).toEqual([]); // settled: not rearmed
    expect(n.store.get('value:d1')).toBe(500);
  });

  it('a push for an instance it has not heard of opens it: a value drawn, rounds started, no client to report to', () => {
    const n = node({ quietRounds: 1 }, [0.5]);
    n.push('b', 100, 'd2');
    expect(n.events('gossip-init')).toEqual([{ type: 'gossip-init', decision: 'd2', value: 500 }]);
    expect(n.sent()).toEqual([['b', GOSSIP_KINDS.push, push('d2', 500)]]);
    expect(n.timers()).toEqual([['round:d2', 10, GOSSIP_KINDS.round, 'd2']]);
    n.round('d2');
    n.round('d2');
    expect(n.events('gossip-settled').length).toBe(1);
    expect(n.sent().filter((m) => m[1] === GOSSIP_KINDS.report)).toEqual([]);
    // A start later names the client: reported at once.
    n.start('d2');
    expect(n.sent()).toEqual([['client', GOSSIP_KINDS.report, push('d2', 500)]]);
  });

  it('a malformed push (no body, a decision not a string, a value not a finite number) is ignored', () => {
    const n = node();
    n.deliver('b', GOSSIP_KINDS.push, null);
    n.deliver('b', GOSSIP_KINDS.push, undefined);
    n.push('b', 5, 7);
    n.push('b', Number.NaN);
    n.push('b', Number.POSITIVE_INFINITY);
    n.push('b', '900');
    expect(n.events('gossip-init')).toEqual([]);
    expect(n.sent()).toEqual([]);
    expect(n.timers()).toEqual([]);
  });

  it('another merge rule: gossipNodeWith(Math.min) adopts the smaller value and answers a larger one', () => {
    const n = node({}, [0.5], new Map(), gossipNodeWith(Math.min) as Behaviour);
    n.start();
    n.push('b', 100);
    expect(n.store.get('value:d1')).toBe(100);
    expect(n.sent()).toEqual([]);
    n.push('c', 800);
    expect(n.sent()).toEqual([['c', GOSSIP_KINDS.push, push('d1', 100)]]);
  });

  it('gossipNodeWith() keeps the largest by default', () => {
    const n = node({}, [0.5], new Map(), gossipNodeWith() as Behaviour);
    n.start();
    n.push('b', 100);
    n.push('c', 800);
    expect(n.store.get('value:d1')).toBe(800);
    expect(n.sent()).toEqual([['b', GOSSIP_KINDS.push, push('d1', 500)]]);
  });
});

describe('GOSSIP_KINDS', () => {
  it('names the wire', () => {
    expect(GOSSIP_KINDS).toEqual({ start: 'gossip-start', push: 'gossip-push', report: 'gossip-report', round: 'gossip-round', retry: 'gossip-retry' });
  });
});
