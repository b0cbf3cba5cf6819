import { describe, expect, it } from 'vitest';
import { cutsAsNetworkFaults, type EventCutPolicy, EventCuts } from '../src/adversary/event-cuts.ts';
import { deliverLate, holdBack, rewiredContext } from '../src/adversary/rewired-context.ts';
import type { ActorContext } from '../src/actors/behaviour.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import type { FaultControl } from '../src/scheduler/fault-control.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';

/**
 * The event-cut adversary and the rewired context the other adversaries run their honest
 * behaviour in, each on a hand-driven stand-in (issue 20's mutation run of src/adversary/**):
 * when a cut is laid, on whom, for how long, how it is written as a scenario fault; what the
 * rewired context passes through, replaces, and holds back.
 */

const emit = (t: number, actor: string, type: string): TraceEvent => ({ t, type: 'emit', actor, event: { type } });

function faults() {
  const calls: string[] = [];
  const later: { delay: number; action: () => void }[] = [];
  const f = {
    setNetwork: (name: string, c: { from?: Set<string>; dropRate?: number } | undefined) =>
      calls.push(c === undefined ? `lift ${name}` : `cut ${name} from ${[...(c.from ?? [])].join(',')} drop ${c.dropRate} keys ${Object.keys(c).join(',')}`),
    at: (delay: number, action: () => void) => {
      later.push({ delay, action });
      return () => undefined;
    },
  } as unknown as FaultControl;
  return { f, calls, later };
}

/** A stream of the given numbers, counting draws. */
function stream(xs: number[]) {
  let i = 0;
  const rnd = () => xs[i++ % xs.length];
  return { rnd, draws: () => i };
}

const policy = (over: Partial<EventCutPolicy> = {}): EventCutPolicy => ({
  chance: (e) => (e.type === 'raft-leader' ? 0.5 : e.type === 'never' ? 0 : e.type === 'negative' ? -1 : undefined),
  minMs: 100,
  maxMs: 199,
  max: 3,
  ...over,
});

describe('EventCuts', () => {
  it('cuts the emitting actor at once, when the draw is under the chance, for minMs + a drawn share of the range; lifts it after', () => {
    const { f, calls, later } = faults();
    const s = stream([0.2, 0.5]);
    const cuts = new EventCuts(policy(), s.rnd);
    cuts.attach(f);
    cuts.observe(emit(812.5, 'n3', 'raft-leader'));
    // 100 + floor(0.5 * 100) = 150.
    expect(cuts.laid).toEqual([{ actor: 'n3', atMs: 812.5, durationMs: 150, on: 'raft-leader' }]);
    expect(calls).toEqual(['cut event-cut[0] from n3 drop 1 keys from,dropRate']);
    expect(later.map((l) => l.delay)).toEqual([150]);
    later[0].action();
    expect(calls[1]).toBe('lift event-cut[0]');
    expect(s.draws()).toBe(2);
  });

  it('the duration spans minMs to maxMs inclusive', () => {
    const lo = new EventCuts(policy(), stream([0, 0]).rnd);
    const hi = new EventCuts(policy(), stream([0, 0.9999]).rnd);
    for (const c of [lo, hi]) {
      c.attach(faults().f);
      c.observe(emit(1, 'n1', 'raft-leader'));
    }
    expect([lo.laid[0].durationMs, hi.laid[0].durationMs]).toEqual([100, 199]);
  });

  it('a draw at or above the chance cuts nothing; a chance of 0, below 0 or none draws nothing', () => {
    const s = stream([0.5]);
    const cuts = new EventCuts(policy(), s.rnd);
    cuts.attach(faults().f);
    cuts.observe(emit(1, 'n1', 'raft-leader'));
    expect(cuts.laid).toEqual([]);
    expect(s.draws()).toBe(1);
    for (const type of ['never', 'negative', 'other']) cuts.observe(emit(2, 'n1', type));
    expect(s.draws()).toBe(1);
  });

  it('nothing before a fault control is attached, nothing for events other than emits, nothing past max', () => {
    const s = stream([0.1]);
    const cuts = new EventCuts(policy({ max: 2 }), s.rnd);
    cuts.observe(emit(1, 'n1', 'raft-leader'));
    expect(s.draws()).toBe(0);
    const { f, calls } = faults();
    cuts.attach(f);
    cuts.observe({ t: 1, type: 'spawn', actor: 'n1', behaviour: 'raft-leader', host: 0 });
    expect(s.draws()).toBe(0);
    for (let i = 0; i < 4; i++) cuts.observe(emit(10 + i, `n${i}`, 'raft-leader'));
    expect(cuts.laid.map((c) => [c.actor, c.atMs])).toEqual([
      ['n0', 10],
      ['n1', 11],
    ]);
    expect(calls).toEqual(['cut event-cut[0] from n0 drop 1 keys from,dropRate', 'cut event-cut[1] from n1 drop 1 keys from,dropRate']);
    expect(s.draws()).toBe(4);
  });

  it('a burst from one actor in one instant makes one cut; the same actor later, or another actor then, cuts again', () => {
    const cuts = new EventCuts(policy({ max: 10 }), stream([0.1]).rnd);
    cuts.attach(faults().f);
    cuts.observe(emit(5, 'n1', 'raft-leader'));
    cuts.observe(emit(5, 'n1', 'raft-leader'));
    cuts.observe(emit(5, 'n2', 'raft-leader'));
    cuts.observe(emit(6, 'n2', 'raft-leader'));
    cuts.observe(emit(6, 'n1', 'raft-leader'));
    expect(cuts.laid.map((c) => `${c.actor}@${c.atMs}`)).toEqual(['n1@5', 'n2@5', 'n2@6', 'n1@6']);
  });
});

describe('cutsAsNetworkFaults', () => {
  it('writes each cut from the last microsecond at or before its event', () => {
    expect(
      cutsAsNetworkFaults([
        { actor: 'node_003', atMs: 812.4418, durationMs: 300, on: 'raft-leader' },
        { actor: 'n1', atMs: 7, durationMs: 150, on: 'raft-commit' },
        // 0.117 - 1 ulp: floor(x * 1000) / 1000 rounds up to 0.117, one microsecond too late.
        { actor: 'n2', atMs: 0.11699999999999999, durationMs: 1, on: 'raft-commit' },
      ]),
    ).toEqual([
      '{ at: 812.441ms, duration: 300ms, from: [node_003], drop_rate: 1 }',
      '{ at: 7ms, duration: 150ms, from: [n1], drop_rate: 1 }',
      '{ at: 0.116ms, duration: 1ms, from: [n2], drop_rate: 1 }',
    ]);
    expect(cutsAsNetworkFaults([])).toEqual([]);
  });
});

describe('rewiredContext', () => {
  it('replaces send, passes every other member through, bound to the real context and made once', () => {
    const f = fakeContext('me', { a: 1 });
    const sent: string[] = [];
    const view = rewiredContext<{ a: number }>(f.ctx as ActorContext<unknown>, (to, m) => sent.push(`${to}:${m.kind}`));
    view.send('x', { kind: 'k', body: 0 });
    expect(sent).toEqual(['x:k']);
    expect(f.sent).toEqual([]);
    expect(view.self).toBe('me');
    expect(view.props).toEqual({ a: 1 });
    expect(view.now).toBe(view.now);
    expect(view.sign('d')).toBe('sig[me](d)');
    // A method that reads `this` works through the view.
    const real = {
      self: 'me',
      n: 5,
      get(this: { n: number }) {
        return this.n;
      },
      send() {},
    } as unknown as ActorContext<unknown>;
    const v2 = rewiredContext<unknown>(real, () => undefined) as unknown as { get(): number };
    expect(v2.get()).toBe(5);
    const g = v2.get;
    expect(g()).toBe(5);
  });

  it('holdBack sets a timer of its own per number, carrying where to send what', () => {
    const f = fakeContext('me', {});
    holdBack(f.ctx as ActorContext<unknown>, 3, 250, 'peer', { kind: 'vote', body: 1 });
    expect([...f.timers]).toEqual([
      ['late:3', { delayMs: 250, message: { kind: 'adversary-late', body: { to: 'peer', message: { kind: 'vote', body: 1 } } } }],
    ]);
  });

  it('deliverLate sends what its own timer held, and says so; anything else, or from anyone else, is not its business', () => {
    const f = fakeContext('me', {});
    const held = { to: 'peer', message: { kind: 'vote', body: 1 } };
    expect(deliverLate(envelope('other', 'me', 'adversary-late', held), f.ctx as ActorContext<unknown>)).toBe(false);
    expect(deliverLate(envelope('me', 'me', 'late', held), f.ctx as ActorContext<unknown>)).toBe(false);
    expect(f.sent).toEqual([]);
    expect(deliverLate(envelope('me', 'me', 'adversary-late', held), f.ctx as ActorContext<unknown>)).toBe(true);
    expect(f.sent).toEqual([{ to: 'peer', message: { kind: 'vote', body: 1 } }]);
  });
});
