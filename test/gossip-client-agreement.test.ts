import { describe, expect, it } from 'vitest';
import { GOSSIP_KINDS, gossipClient, type GossipClientProps } from '../src/protocols/gossip/index.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';

// The client decides when every node's latest report holds one value. It counts reports per
// value (issue 21: no scan of every report on each one), so a node that changes its report must
// leave its old value's count.
function started(nodes: string[]) {
  const props: GossipClientProps = { nodes, decisions: 1, window: 1, retryMs: 300 };
  const f = fakeContext('client', props);
  // The client keeps a class instance, updated in place (never drafted): its state goes to receive as it is.
  const state = gossipClient.init(f.ctx) as Parameters<typeof gossipClient.receive>[0];
  gossipClient.receive(state, envelope('$system', 'client', 'start', undefined), f.ctx);
  const report = (from: string, value: number) =>
    gossipClient.receive(state, envelope(from, 'client', GOSSIP_KINDS.report, { decision: 'client:1', value }), f.ctx);
  const decided = () => f.emitted.filter((e) => e.type === 'gossip-decided');
  return { report, decided, cancelled: f.cancelled };
}

describe('gossip client: agreement over the latest reports', () => {
  it('decides once every node reports the same value, however the reports changed on the way', () => {
    const c = started(['a', 'b', 'c']);
    c.report('a', 5);
    c.report('b', 5);
    c.report('b', 7); // b changes its mind: its 5 no longer counts
    c.report('c', 5);
    expect(c.decided()).toEqual([]); // a 5, b 7, c 5
    c.report('b', 5);
    expect(c.cancelled).toEqual(['retry:client:1']); // its retry timer goes with it
    expect(c.decided()).toEqual([{ type: 'gossip-decided', decision: 'client:1', value: 5, nodes: 3, attempts: 1 }]);
  });

  it('counts only its own nodes, and never agrees on NaN', () => {
    const c = started(['a', 'b']);
    c.report('a', 4);
    c.report('stranger', 4);
    expect(c.decided()).toEqual([]);
    const n = started(['a', 'b']);
    n.report('a', Number.NaN);
    n.report('b', Number.NaN);
    expect(n.decided()).toEqual([]);
  });
});

describe('gossip client: its props are checked by name', () => {
  const init = (props: Record<string, unknown>) => () => gossipClient.init(fakeContext('cl', props as unknown as GossipClientProps).ctx);
  const base = { nodes: ['a', 'b'], decisions: 1 };
  it.each([
    [{ decisions: 1 }, 'props.nodes', 'a non-empty array of node ids'],
    [{ nodes: [], decisions: 1 }, 'props.nodes', 'a non-empty array of node ids'],
    [{ nodes: ['a'] }, 'props.decisions', 'an integer >= 0, or props.durationMs: one of the two is needed'],
    [{ ...base, decisions: -1 }, 'props.decisions', 'an integer >= 0'],
    [{ ...base, decisions: 1.5 }, 'props.decisions', 'an integer >= 0'],
    [{ nodes: ['a'], durationMs: -1 }, 'props.durationMs', 'a finite number of ms >= 0'],
    [{ nodes: ['a'], durationMs: Number.POSITIVE_INFINITY }, 'props.durationMs', 'a finite number of ms >= 0'],
    [{ ...base, window: 0 }, 'props.window', 'an integer >= 1'],
    [{ ...base, window: 1.5 }, 'props.window', 'an integer >= 1'],
    [{ ...base, retryMs: 0 }, 'props.retryMs', 'a finite number of ms > 0'],
    [{ ...base, retryMs: Number.NaN }, 'props.retryMs', 'a finite number of ms > 0'],
    [{ ...base, retryBudget: 0 }, 'props.retryBudget', 'an integer >= 1'],
    [{ ...base, retryBudget: 2.5 }, 'props.retryBudget', 'an integer >= 1'],
  ])('%j: refused at %s', (props, path, expected) => {
    expect(init(props)).toThrow(`"gossipClient("cl").${path}": expected ${expected}`);
  });

  it('takes the edges: 0 decisions, a duration of 0, a window and a budget of 1', () => {
    expect(init({ nodes: ['a'], decisions: 0 })).not.toThrow();
    expect(init({ nodes: ['a'], durationMs: 0 })).not.toThrow();
    expect(init({ ...base, window: 1, retryBudget: 1, retryMs: 0.5 })).not.toThrow();
  });
});

describe('gossip client: retries and giving up', () => {
  it('asks every node again at each retry timer of its own, and gives up after its budget with what was reported', () => {
    const props: GossipClientProps = { nodes: ['a', 'b'], decisions: 1, window: 1, retryMs: 300, retryBudget: 2 };
    const f = fakeContext('client', props);
    const state = gossipClient.init(f.ctx) as Parameters<typeof gossipClient.receive>[0];
    gossipClient.receive(state, envelope('$system', 'client', 'start', undefined), f.ctx);
    gossipClient.receive(state, envelope('$system', 'client', 'start', undefined), f.ctx); // started once only
    expect(f.emitted).toEqual([{ type: 'gossip-open', decision: 'client:1' }]);
    expect(f.sent.map((m) => [m.to, m.message.kind, m.message.body])).toEqual([
      ['a', GOSSIP_KINDS.start, { decision: 'client:1', retry: false }],
      ['b', GOSSIP_KINDS.start, { decision: 'client:1', retry: false }],
    ]);
    expect(f.timers.get('retry:client:1')).toEqual({ delayMs: 300, message: { kind: GOSSIP_KINDS.retry, body: 'client:1' } });
    gossipClient.receive(state, envelope('a', 'client', GOSSIP_KINDS.report, { decision: 'client:1', value: 9 }), f.ctx);
    gossipClient.receive(state, envelope('b', 'client', GOSSIP_KINDS.report, { decision: 'client:1', value: 3 }), f.ctx);
    // A retry timer from anyone else is nobody's business.
    gossipClient.receive(state, envelope('a', 'client', GOSSIP_KINDS.retry, 'client:1'), f.ctx);
    expect(f.sent).toHaveLength(2);
    gossipClient.receive(state, envelope('client', 'client', GOSSIP_KINDS.retry, 'client:1'), f.ctx);
    expect(f.sent.slice(2).map((m) => [m.to, m.message.body])).toEqual([
      ['a', { decision: 'client:1', retry: true }],
      ['b', { decision: 'client:1', retry: true }],
    ]);
    gossipClient.receive(state, envelope('client', 'client', GOSSIP_KINDS.retry, 'client:1'), f.ctx);
    expect(f.emitted.filter((e) => e.type === 'gossip-gave-up')).toEqual([
      { type: 'gossip-gave-up', decision: 'client:1', attempts: 2, reported: 2, values: [3, 9] },
    ]);
    // Done: the summary goes to whoever started it, and the trace says so.
    const summary = f.sent.at(-1)!;
    expect(summary.to).toBe('$system');
    expect(summary.message.kind).toBe('gossip-client-summary');
    expect(summary.message.body).toMatchObject({ issued: 1, decided: 0, gaveUp: 1, retries: 1, lastAt: 0 });
    expect(f.emitted.at(-1)).toMatchObject({ type: 'gossip-done', client: 'client', issued: 1, gaveUp: 1 });
  });
});
