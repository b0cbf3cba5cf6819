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
  return { report, decided };
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
