import { describe, expect, it } from 'vitest';
import { PBFT_KINDS, type NewView } from '../src/protocols/pbft/index.ts';
import { Net } from './fixtures/pbft-net.ts';

/**
 * The mechanism behind stress seed 101324 (see pbft-liveness-regression.test.ts), driven by
 * hand: a backup that missed the new view, and is short of the 2f + 1 view changes that would
 * start its view timer, must get that new view from any replica that installed it, not only
 * from its primary (which may have left the view by then). Four replicas, r0 down, in the
 * hand-driven network of test/fixtures/pbft-net.ts (every step deterministic).
 */
const REPLICAS = ['r0', 'r1', 'r2', 'r3'];
const REQUEST = { client: 'c', ts: 1, op: 'incr k1', sig: '' };

/**
 * r0 (the primary of view 0) is down; r1, r2 and r3 hold a request and suspect it. r1's view
 * change reaches r3, then r1 and r2 can no longer reach r3: r1 (the primary of view 1) and r2
 * install view 1, and r3 keeps waiting for it with two view changes (r1's and its own), one
 * short of starting its view timer. Then r2 can reach r3 again; r1 still cannot (in the stress
 * run, the primary had left the view by then).
 */
function r3MissedTheNewView(auth: 'sign' | 'none'): Net {
  const net = new Net({ replicas: REPLICAS, auth }, ['r1', 'r2', 'r3']);
  for (const r of ['r1', 'r2', 'r3']) net.inject('c', r, PBFT_KINDS.request, REQUEST);
  net.now = 200;
  net.fire('r1', 'request');
  net.cut.add('r1>r3').add('r2>r3');
  net.fire('r2', 'request');
  net.fire('r3', 'request');
  expect(net.state('r2')).toMatchObject({ view: 1, active: true });
  expect(net.state('r3')).toMatchObject({ view: 1, active: false });
  expect(net.timers.has('r3|view')).toBe(false);
  net.cut.delete('r2>r3');
  return net;
}

const viewsInstalled = (net: Net, actor: string) => net.events.filter((e) => e.actor === actor && e.event.type === 'pbft-view').map((e) => e.event.view);

describe('PBFT: a replica that missed a new view gets it from any replica that installed it', () => {
  it('r3 asks again (its view change), r2 (a backup) passes the new view on, r3 checks it and installs view 1', () => {
    const net = r3MissedTheNewView('sign');
    net.now = 300;
    net.fire('r3', 'resend');
    expect(net.delivered).toContainEqual({ from: 'r2', to: 'r3', kind: PBFT_KINDS.newView });
    expect(net.delivered).not.toContainEqual({ from: 'r1', to: 'r3', kind: PBFT_KINDS.newView });
    expect(net.state('r3')).toMatchObject({ view: 1, active: true });
    expect(viewsInstalled(net, 'r3')).toEqual([1]);
    // In view 1 it watches the primary again: the request is still unexecuted here, so its
    // request timer runs (and would move it on to view 2 if view 1 made no progress).
    expect(net.timers.has('r3|request')).toBe(true);
  });

  it("a new view passed on must carry the primary's signature: one signed by the relaying replica is refused", () => {
    const net = r3MissedTheNewView('sign');
    const real = net.state('r2').lastNewView!;
    const forged: NewView = { ...real, sig: real.sig.replace('sig:r1:', 'sig:r2:') };
    net.inject('r2', 'r3', PBFT_KINDS.newView, forged);
    expect(net.state('r3')).toMatchObject({ view: 1, active: false });
    expect(net.events).toContainEqual({
      actor: 'r3',
      event: expect.objectContaining({ type: 'pbft-rejected', from: 'r2', kind: PBFT_KINDS.newView, reason: 'not signed by the primary of view 1 (r1)' }),
    });
  });

  it("unsigned (auth: none), a new view is taken first-hand only; r2's own view change brings r3 to 2f + 1 and starts its view timer", () => {
    const net = r3MissedTheNewView('none');
    net.now = 300;
    net.fire('r3', 'resend');
    expect(net.state('r3')).toMatchObject({ view: 1, active: false });
    expect(net.events).toContainEqual({ actor: 'r3', event: expect.objectContaining({ type: 'pbft-rejected', from: 'r2', kind: PBFT_KINDS.newView }) });
    expect(net.timers.has('r3|view')).toBe(true);
    // When it fires, r3 moves on to view 2 rather than wait for view 1 for ever.
    net.fire('r3', 'view');
    expect(net.state('r3').view).toBe(2);
  });
});
