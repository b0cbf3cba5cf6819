import { describe, expect, it } from 'vitest';
import type { Behaviour } from '../src/actors/behaviour.ts';
import { ActorHost } from '../src/actors/actor-host.ts';
import type { Envelope } from '../src/actors/envelope.ts';
import type { HostEnvironment } from '../src/actors/host-environment.ts';
import type { RouteTable } from '../src/actors/route-table.ts';
import type { TraceEvent, TraceLevel } from '../src/actors/trace-event.ts';
import {
  ActorInitError,
  AskTimeoutError,
  DuplicateActorError,
  InvalidActorIdError,
  NoTopologyError,
  UndeliverableError,
  UnknownActorError,
} from '../src/errors.ts';

/**
 * The actor host alone, on a hand-driven environment (no scheduler, no clock but the test's):
 * what it routes, counts, traces and dead-letters, exactly (issue 20's mutation run of
 * src/actors/actor-host.ts).
 */

class Env implements HostEnvironment {
  readonly hostIndex = 3;
  t = 100;
  ids = 0;
  readonly routed: Envelope[] = [];
  readonly traces: TraceEvent[] = [];
  readonly timers = new Map<number, { ms: number; fire: () => void }>();
  readonly cancelled: unknown[] = [];
  readonly stopped: [string, string][] = [];
  readonly seeds: string[] = [];
  private timerSeq = 0;
  constructor(readonly traceLevel: TraceLevel = 'events') {}
  now() {
    return this.t;
  }
  route(env: Envelope) {
    this.routed.push(env);
  }
  startTimer(ms: number, fire: () => void) {
    const h = ++this.timerSeq;
    this.timers.set(h, { ms, fire });
    return h;
  }
  cancelTimer(h: unknown) {
    this.cancelled.push(h);
    this.timers.delete(h as number);
  }
  trace(e: TraceEvent) {
    this.traces.push(e);
  }
  nextEnvelopeId() {
    return ++this.ids;
  }
  randomFor(actor: string) {
    this.seeds.push(actor);
    return () => 0.25;
  }
  actorStopped(id: string, reason: string) {
    this.stopped.push([id, reason]);
  }
  of(type: string) {
    return this.traces.filter((e) => e.type === type);
  }
}

/** A behaviour that logs what it handles into `log` and does what `act` says. */
function recorder(log: string[], act: (env: Envelope, ctx: Parameters<Behaviour['receive']>[2]) => void = () => undefined): Behaviour<number> {
  return {
    init: () => 0,
    receive(_s, env, ctx) {
      log.push(`${ctx.self}:${env.kind}`);
      act(env, ctx);
    },
  };
}

const env = (over: Partial<Envelope> & Pick<Envelope, 'to'>): Envelope => ({ id: 900, from: 'x', kind: 'k', body: 1, corr: undefined, re: undefined, ...over });

function routes(over: Partial<RouteTable> = {}): RouteTable {
  return {
    epoch: 7,
    maxHops: 3,
    nextHop: () => undefined,
    broadcastChildren: () => undefined,
    members: () => ['a', 'b', 'c', 'd'],
    ...over,
  } as RouteTable;
}

describe('spawn and stop', () => {
  it('refuses an empty id, an id of the runtime ($...), a non-string, and a duplicate', () => {
    const host = new ActorHost(new Env());
    for (const id of ['', '$ask:1', 5 as unknown as string]) expect(() => host.spawn(id, recorder([]), 'r')).toThrow(InvalidActorIdError);
    host.spawn('a', recorder([]), 'r');
    expect(() => host.spawn('a', recorder([]), 'r')).toThrow(DuplicateActorError);
  });

  it('traces a spawn with its behaviour and host; an init that throws leaves nothing behind and can be spawned again', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const failing: Behaviour = {
      init() {
        throw new Error('no');
      },
      receive() {},
    };
    expect(() => host.spawn('a', failing, 'bad')).toThrow(ActorInitError);
    expect(host.cells.has('a')).toBe(false);
    expect(e.of('spawn')).toEqual([]);
    host.spawn('a', recorder([]), 'good');
    expect(e.of('spawn')).toEqual([{ t: 100, type: 'spawn', actor: 'a', behaviour: 'good', host: 3 }]);
  });

  it('a respawned actor draws from a stream of its own incarnation', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const draw = (): Behaviour<number> => ({ init: (ctx) => Math.floor(ctx.random() * 4), receive() {} });
    host.spawn('a', draw(), 'd');
    host.stopActor('a', 'crash');
    host.spawn('a', draw(), 'd');
    host.stopActor('a', 'crash');
    host.spawn('a', draw(), 'd');
    expect(e.seeds).toEqual(['a', 'a#1', 'a#2']);
  });

  it('stopActor: false for an unknown actor; else stopped, traced, told, and what waited dead-lettered actor-stopped with the reason', () => {
    const e = new Env();
    const host = new ActorHost(e);
    expect(host.stopActor('nobody', 'why')).toBe(false);
    expect(e.traces).toEqual([]);
    host.spawn('a', recorder([]), 'r');
    host.deliver(env({ id: 1, to: 'a' }));
    host.deliver(env({ id: 2, to: 'a' }));
    expect(host.counters.queued).toBe(2);
    e.t = 150;
    expect(host.stopActor('a', 'test over')).toBe(true);
    expect(host.counters.queued).toBe(0);
    expect(host.counters.deadLetteredBy).toEqual({ 'actor-stopped': 2 });
    expect(e.stopped).toEqual([['a', 'test over']]);
    expect(e.of('dead-letter').map((d) => [(d as { id: number }).id, (d as { reason: string }).reason, (d as { detail?: string }).detail])).toEqual([
      [1, 'actor-stopped', 'test over'],
      [2, 'actor-stopped', 'test over'],
    ]);
    expect(e.of('stop')).toEqual([{ t: 150, type: 'stop', actor: 'a', reason: 'test over' }]);
    expect(host.cells.has('a')).toBe(false);
    // Later envelopes to it: actor-stopped; to an actor never spawned: unknown-actor.
    host.deliver(env({ id: 3, to: 'a' }));
    host.deliver(env({ id: 4, to: 'zed' }));
    expect(host.counters.deadLetteredBy).toEqual({ 'actor-stopped': 3, 'unknown-actor': 1 });
    // Spawned again, it is no longer "stopped": once more gone without a stop, it is unknown.
    host.spawn('a', recorder([]), 'r');
    host.cells.delete('a');
    host.deliver(env({ id: 5, to: 'a' }));
    expect(host.counters.deadLetteredBy['unknown-actor']).toBe(2);
  });

  it('a bad supervision policy at spawn is refused with the spawn in its path', () => {
    const host = new ActorHost(new Env());
    expect(() => host.spawn('a', recorder([]), 'r', { supervision: { strategy: 'ignore' as never } })).toThrow(
      'Invalid configuration at "spawn("a").supervision.strategy"',
    );
  });

  it('what an init that then throws sent itself is dead-lettered, init failed', () => {
    const e = new Env();
    const host = new ActorHost(e);
    // A host whose environment delivers local envelopes at once (as threads mode does).
    e.route = (envelope) => host.deliver(envelope);
    const rash: Behaviour = {
      init(ctx) {
        ctx.send(ctx.self, { kind: 'hello', body: 0 });
        throw new Error('no');
      },
      receive() {},
    };
    expect(() => host.spawn('a', rash, 'rash')).toThrow(ActorInitError);
    expect(host.counters.deadLetteredBy).toEqual({ 'actor-stopped': 1 });
    expect(e.of('dead-letter')).toEqual([
      { t: 100, type: 'dead-letter', id: 1, from: 'a', to: 'a', kind: 'hello', reason: 'actor-stopped', detail: 'init failed' },
    ]);
    expect(host.counters.queued).toBe(0);
  });

  it('without a key ring given, it signs with one of its own', () => {
    const host = new ActorHost(new Env());
    const sig = host.keys.sign('a', 'text');
    expect(host.keys.verify('a', 'text', sig)).toBe(true);
    expect(host.keys.verify('b', 'text', sig)).toBe(false);
    expect(host.keys.scheme).toBe('token');
  });

  it('snapshot of an unknown actor names the host', () => {
    const host = new ActorHost(new Env());
    expect(() => host.snapshot('ghost')).toThrow(UnknownActorError);
    expect(() => host.snapshot('ghost')).toThrow('snapshot on host 3');
  });
});

describe('sending', () => {
  it('without routes: one stamped envelope straight to its destination, counted; traced only at level full', () => {
    const e = new Env();
    const host = new ActorHost(e);
    host.send('a', 'b', 'hi', { n: 1 }, 4, 2);
    expect(e.routed).toEqual([{ id: 1, from: 'a', to: 'b', kind: 'hi', body: { n: 1 }, corr: 4, re: 2 }]);
    expect(Object.keys(e.routed[0])).toEqual(['id', 'from', 'to', 'kind', 'body', 'corr', 're']);
    expect(host.counters.sent).toBe(1);
    expect(e.traces).toEqual([]);
    const f = new Env('full');
    new ActorHost(f).send('a', 'b', 'hi', 1, undefined, undefined);
    expect(f.traces).toEqual([{ t: 100, type: 'send', id: 1, from: 'a', to: 'b', kind: 'hi' }]);
  });

  it('under routes: to the first hop when it is not the destination, else straight', () => {
    const e = new Env();
    const host = new ActorHost(e);
    host.routes = routes({ nextHop: (_at, to) => (to === 'c' ? 'hub' : to === 'b' ? 'b' : undefined) });
    host.send('a', 'c', 'k', 1, undefined, undefined);
    host.send('a', 'b', 'k', 1, undefined, undefined);
    host.send('a', 'z', 'k', 1, undefined, undefined);
    expect(e.routed).toEqual([
      { id: 1, from: 'a', to: 'c', kind: 'k', body: 1, corr: undefined, re: undefined, via: 'hub', hops: undefined, tree: undefined },
      { id: 2, from: 'a', to: 'b', kind: 'k', body: 1, corr: undefined, re: undefined },
      { id: 3, from: 'a', to: 'z', kind: 'k', body: 1, corr: undefined, re: undefined },
    ]);
    expect(e.routed.map((r) => 'via' in r)).toEqual([true, false, false]);
    expect(host.counters.sent).toBe(3);
  });

  it('from outside: from $system', () => {
    const e = new Env();
    new ActorHost(e).sendFromOutside('b', { kind: 'go', body: 2 });
    expect(e.routed).toEqual([{ id: 1, from: '$system', to: 'b', kind: 'go', body: 2, corr: undefined, re: undefined }]);
  });

  it('to itself: straight into the mailbox while running; nothing once stopped', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const cell = host.spawn('a', recorder([]), 'r');
    host.sendToSelf(cell, 'tick', 7);
    expect(e.routed).toEqual([]);
    expect(cell.mailbox.size).toBe(1);
    expect(cell.mailbox.take()).toEqual({ id: 1, from: 'a', to: 'a', kind: 'tick', body: 7, corr: undefined, re: undefined });
    host.stopActor('a', 'done');
    expect(cell.status).toBe('stopped');
    host.sendToSelf(cell, 'tick', 8);
    expect(cell.mailbox.size).toBe(0);
    expect(host.counters.sent).toBe(1);
  });
});

describe('broadcast', () => {
  it('without a topology: NoTopologyError saying none is installed; outside it: saying it is no member', () => {
    const host = new ActorHost(new Env());
    expect(() => host.broadcast('a', 'k', 1)).toThrow(new NoTopologyError('a', false).message);
    host.routes = routes();
    expect(() => host.broadcast('a', 'k', 1)).toThrow(new NoTopologyError('a', true).message);
  });

  it('one copy to each broadcast child, on the tree of the epoch in force; returns the members but itself', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const asked: unknown[] = [];
    host.routes = routes({
      broadcastChildren: (epoch, root, node) => {
        asked.push([epoch, root, node]);
        return ['b', 'c'];
      },
    });
    expect(host.broadcast('a', 'news', { x: 1 })).toBe(3);
    expect(asked).toEqual([[7, 'a', 'a']]);
    expect(e.routed).toEqual([
      { id: 1, from: 'a', to: 'b', kind: 'news', body: { x: 1 }, corr: undefined, re: undefined, via: undefined, hops: undefined, tree: 7 },
      { id: 2, from: 'a', to: 'c', kind: 'news', body: { x: 1 }, corr: undefined, re: undefined, via: undefined, hops: undefined, tree: 7 },
    ]);
    expect(host.counters.sent).toBe(2);
  });

  it("a copy received is forwarded to the recipient's children in its tree, then delivered", () => {
    const e = new Env();
    const host = new ActorHost(e);
    const log: string[] = [];
    host.spawn('b', recorder(log), 'r');
    const asked: unknown[] = [];
    host.routes = routes({
      broadcastChildren: (epoch, root, node) => {
        asked.push([epoch, root, node]);
        return ['d'];
      },
    });
    host.deliver(env({ id: 5, from: 'a', to: 'b', kind: 'news', tree: 4 }));
    expect(asked).toEqual([[4, 'a', 'b']]);
    expect(e.routed).toEqual([{ id: 1, from: 'a', to: 'd', kind: 'news', body: 1, corr: undefined, re: undefined, via: undefined, hops: undefined, tree: 4 }]);
    host.drain();
    expect(log).toEqual(['b:news']);
  });

  it('an envelope that is no broadcast copy is only delivered: nothing forwarded, nothing traced', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const log: string[] = [];
    host.spawn('b', recorder(log), 'r');
    const before = e.traces.length;
    host.deliver(env({ id: 5, from: 'a', to: 'b', kind: 'plain' }));
    host.routes = routes({ broadcastChildren: () => ['d'] });
    host.deliver(env({ id: 6, from: 'a', to: 'b', kind: 'plain' }));
    expect(e.routed).toEqual([]);
    expect(e.traces.slice(before)).toEqual([]);
    host.drain();
    expect(log).toEqual(['b:plain', 'b:plain']);
  });

  it('a copy arriving where no topology is installed: orphaned, still delivered', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const log: string[] = [];
    host.spawn('b', recorder(log), 'r');
    host.deliver(env({ id: 5, from: 'a', to: 'b', kind: 'news', tree: 1 }));
    expect(e.of('broadcast-orphaned')).toEqual([{ t: 100, type: 'broadcast-orphaned', id: 5, from: 'a', at: 'b', epoch: 1 }]);
    host.drain();
    expect(log).toEqual(['b:news']);
  });

  it('a copy of a tree that is gone: traced broadcast-orphaned, still delivered', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const log: string[] = [];
    host.spawn('b', recorder(log), 'r');
    host.routes = routes();
    host.deliver(env({ id: 5, from: 'a', to: 'b', kind: 'news', tree: 2 }));
    expect(e.of('broadcast-orphaned')).toEqual([{ t: 100, type: 'broadcast-orphaned', id: 5, from: 'a', at: 'b', epoch: 2 }]);
    expect(e.routed).toEqual([]);
    host.drain();
    expect(log).toEqual(['b:news']);
  });
});

describe('relaying', () => {
  it('an envelope passing through: counted as relayed, sent on to the next hop with one hop more', () => {
    const e = new Env('full');
    const host = new ActorHost(e);
    host.routes = routes({ nextHop: (at, to) => (at === 'hub' && to === 'c' ? 'hub2' : undefined) });
    host.deliver(env({ id: 9, from: 'a', to: 'c', via: 'hub', corr: 2, re: 1 }));
    expect(host.counters.relayed).toBe(1);
    expect(host.counters.sent).toBe(0);
    expect(e.routed).toEqual([{ id: 9, from: 'a', to: 'c', kind: 'k', body: 1, corr: 2, re: 1, via: 'hub2', hops: 2, tree: undefined }]);
    expect(e.traces).toEqual([{ t: 100, type: 'relay', id: 9, at: 'hub', to: 'c', next: 'hub2' }]);
  });

  it('straight to the destination when the next hop is the destination, past the hop limit, or without routes', () => {
    const e = new Env('full');
    const host = new ActorHost(e);
    host.routes = routes({ nextHop: () => 'c' });
    host.deliver(env({ id: 1, to: 'c', via: 'hub', hops: 1 }));
    host.routes = routes({ nextHop: () => 'hub9' });
    host.deliver(env({ id: 2, to: 'c', via: 'hub', hops: 2 })); // 3 hops: within the limit
    host.deliver(env({ id: 3, to: 'c', via: 'hub', hops: 3 })); // 4 hops: past it
    host.routes = undefined;
    host.deliver(env({ id: 4, to: 'c', via: 'hub' }));
    expect(e.routed.map((r) => [r.id, r.via, r.hops])).toEqual([
      [1, undefined, 2],
      [2, 'hub9', 3],
      [3, undefined, 4],
      [4, undefined, 2],
    ]);
    expect(e.traces.map((t) => (t as { next: string }).next)).toEqual(['c', 'hub9', 'c', 'c']);
  });

  it('traces a relay only at level full', () => {
    const e = new Env('events');
    const host = new ActorHost(e);
    host.deliver(env({ id: 1, to: 'c', via: 'hub' }));
    expect(e.traces).toEqual([]);
    expect(e.routed).toHaveLength(1);
  });
});

describe('asks from outside', () => {
  it('a temporary address per ask, numbered per host; the reply of the asked actor answers it', async () => {
    const e = new Env('full');
    const host = new ActorHost(e);
    const ask = host.askFromOutside('b', { kind: 'q', body: 1 }, 500);
    expect(e.routed).toEqual([{ id: 1, from: '$ask:3:1', to: 'b', kind: 'q', body: 1, corr: 1, re: undefined }]);
    expect([...e.timers.values()].map((t) => t.ms)).toEqual([500]);
    expect(ask.answered()).toBe(false);
    const reply = env({ id: 2, from: 'b', to: '$ask:3:1', kind: 'a', re: 1 });
    host.deliver(reply);
    expect(ask.answered()).toBe(true);
    await expect(ask.promise).resolves.toBe(reply);
    expect(e.cancelled).toEqual([1]);
    expect(host.counters.delivered).toBe(1);
    expect(e.of('deliver')).toEqual([{ t: 100, type: 'deliver', id: 2, from: 'b', to: '$ask:3:1', kind: 'a' }]);
    // The next ask: the next address and correlation.
    host.askFromOutside('b', { kind: 'q', body: 2 }, 500);
    expect(e.routed[1]).toMatchObject({ from: '$ask:3:2', corr: 2 });
    expect(host.nextCorrelation()).toBe(3);
  });

  it('a reply from another actor, or to another request, is unsolicited and answers nothing', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const ask = host.askFromOutside('b', { kind: 'q', body: 1 }, 500);
    host.deliver(env({ id: 2, from: 'c', to: '$ask:3:1', re: 1 }));
    host.deliver(env({ id: 3, from: 'b', to: '$ask:3:1', re: 9 }));
    expect(ask.answered()).toBe(false);
    expect(host.counters.deadLetteredBy).toEqual({ unsolicited: 2 });
    expect(e.of('dead-letter').map((d) => (d as { detail?: string }).detail)).toEqual([
      'only "b" can answer this ask, with re = 1',
      'only "b" can answer this ask, with re = 1',
    ]);
    expect(host.counters.delivered).toBe(0);
    expect(e.cancelled).toEqual([]);
    // The asked actor's reply, at level events: delivered, not traced.
    host.deliver(env({ id: 4, from: 'b', to: '$ask:3:1', re: 1 }));
    expect(ask.answered()).toBe(true);
    expect(host.counters.delivered).toBe(1);
    expect(e.of('deliver')).toEqual([]);
  });

  it('times out with AskTimeoutError; a reply after that is a late reply', async () => {
    const e = new Env();
    const host = new ActorHost(e);
    const ask = host.askFromOutside('b', { kind: 'q', body: 1 }, 500);
    e.timers.get(1)!.fire();
    expect(ask.answered()).toBe(true);
    await expect(ask.promise).rejects.toThrow(new AskTimeoutError('b', 'q', 500).message);
    host.deliver(env({ id: 2, from: 'b', to: '$ask:3:1', re: 1 }));
    expect(host.counters.deadLetteredBy).toEqual({ 'late-reply': 1 });
    expect(e.of('dead-letter')[0]).toMatchObject({ reason: 'late-reply', detail: 'the ask had already timed out' });
    // A timer firing after the reply settles nothing more.
    const second = host.askFromOutside('b', { kind: 'q', body: 2 }, 500);
    host.deliver(env({ id: 3, from: 'b', to: '$ask:3:2', re: 2 }));
    e.timers.get(2)?.fire();
    await expect(second.promise).resolves.toMatchObject({ id: 3 });
  });

  it('a request that cannot be delivered fails the ask now, with why', async () => {
    const e = new Env();
    const host = new ActorHost(e);
    const ask = host.askFromOutside('nobody', { kind: 'q', body: 1 }, 500);
    host.deliver(e.routed[0]);
    expect(ask.answered()).toBe(true);
    expect(e.cancelled).toEqual([1]);
    await expect(ask.promise).rejects.toThrow(new UndeliverableError('nobody', 'q', 'unknown-actor', undefined).message);
    await expect(ask.promise).rejects.toBeInstanceOf(UndeliverableError);
  });

  it('a dead letter from an ask address that is a reply (re set) does not fail the ask', () => {
    const e = new Env();
    const host = new ActorHost(e);
    const ask = host.askFromOutside('b', { kind: 'q', body: 1 }, 500);
    host.deadLetter(env({ from: '$ask:3:1', to: 'b', re: 4 }), 'unknown-actor');
    expect(ask.answered()).toBe(false);
    expect(e.cancelled).toEqual([]);
  });
});

describe('dead letters in the trace', () => {
  it('at level events: the first 64 of a turn one by one, the rest summed at the end of the turn by reason', () => {
    const e = new Env('events');
    const host = new ActorHost(e);
    for (let i = 0; i < 70; i++) host.deadLetter(env({ id: i, to: 'z' }), i < 66 ? 'unknown-actor' : 'mailbox-full', i === 0 ? 'why' : undefined);
    expect(e.of('dead-letter')).toHaveLength(64);
    expect(e.of('dead-letter')[0]).toEqual({ t: 100, type: 'dead-letter', id: 0, from: 'x', to: 'z', kind: 'k', reason: 'unknown-actor', detail: 'why' });
    expect(Object.keys(e.of('dead-letter')[1])).not.toContain('detail');
    expect(e.of('dead-letters-summarised')).toEqual([]);
    e.t = 120;
    host.endTurn();
    expect(e.of('dead-letters-summarised')).toEqual([
      { t: 120, type: 'dead-letters-summarised', count: 6, byReason: { 'unknown-actor': 2, 'mailbox-full': 4 }, host: 3 },
    ]);
    expect(host.counters.deadLettered).toBe(70);
    // A new turn traces again; a turn with nothing suppressed summarises nothing.
    host.deadLetter(env({ id: 99, to: 'z' }), 'unknown-actor');
    host.endTurn();
    expect(e.of('dead-letter')).toHaveLength(65);
    expect(e.of('dead-letters-summarised')).toHaveLength(1);
  });

  it('at level full every one; at level off none, and no summary', () => {
    const full = new Env('full');
    const a = new ActorHost(full);
    for (let i = 0; i < 70; i++) a.deadLetter(env({ id: i, to: 'z' }), 'unknown-actor');
    a.endTurn();
    expect(full.of('dead-letter')).toHaveLength(70);
    expect(full.of('dead-letters-summarised')).toEqual([]);
    const off = new Env('off');
    const b = new ActorHost(off);
    for (let i = 0; i < 70; i++) b.deadLetter(env({ id: i, to: 'z' }), 'unknown-actor');
    b.endTurn();
    expect(off.traces).toEqual([]);
    expect(b.counters.deadLettered).toBe(70);
  });
});

describe('draining', () => {
  it('hands each envelope to its actor in order, counting it delivered; traced at level full', () => {
    const e = new Env('full');
    const host = new ActorHost(e);
    const log: string[] = [];
    host.spawn('a', recorder(log), 'r');
    host.spawn('b', recorder(log), 'r');
    host.deliver(env({ id: 1, to: 'a', kind: 'k1' }));
    host.deliver(env({ id: 2, to: 'b', kind: 'k2' }));
    host.deliver(env({ id: 3, to: 'a', kind: 'k3' }));
    expect(host.hasReady).toBe(true);
    expect(host.counters.queued).toBe(3);
    expect(host.drain()).toBe(3);
    expect(log).toEqual(['a:k1', 'a:k3', 'b:k2']);
    expect(host.counters).toMatchObject({ queued: 0, delivered: 3 });
    expect(host.hasReady).toBe(false);
    expect(e.of('deliver').map((d) => (d as { id: number }).id)).toEqual([1, 3, 2]);
    expect(host.drain()).toBe(0);
  });

  it('a budget counts envelopes handled and sent; what is left waits for the next drain', () => {
    const host = new ActorHost(new Env());
    const log: string[] = [];
    host.spawn('a', recorder(log), 'r');
    for (let i = 0; i < 5; i++) host.deliver(env({ id: i, to: 'a', kind: `m${i}` }));
    expect(host.drain(3)).toBe(3);
    expect(host.hasReady).toBe(true);
    expect(host.counters.queued).toBe(2);
    expect(host.drain(3)).toBe(2);
    expect(log).toEqual(['a:m0', 'a:m1', 'a:m2', 'a:m3', 'a:m4']);
    // At level events a delivery is not traced.
    expect((host.env as Env).of('deliver')).toEqual([]);
    // Sending counts too: each message sends two, so a budget of 5 handles two messages (1 + 2, then 2 + 4).
    const chatty = new ActorHost(new Env());
    chatty.spawn(
      'c',
      recorder([], (_e, ctx) => (ctx.send('x', { kind: 'a', body: 0 }), ctx.send('x', { kind: 'b', body: 0 }))),
      'r',
    );
    for (let i = 0; i < 5; i++) chatty.deliver(env({ id: i, to: 'c' }));
    expect(chatty.drain(5)).toBe(2);
    expect(chatty.counters.sent).toBe(4);
    expect(chatty.drain(3)).toBe(1);
  });

  it('one actor gets at most 512 (handled plus sent) before the next ready actor has its turn', () => {
    const host = new ActorHost(new Env());
    const log: string[] = [];
    host.spawn('a', recorder(log), 'r');
    host.spawn('b', recorder(log), 'r');
    for (let i = 0; i < 600; i++) host.deliver(env({ id: i, to: 'a' }));
    host.deliver(env({ id: 1000, to: 'b' }));
    expect(host.drain()).toBe(601);
    expect(log.indexOf('b:k')).toBe(512);
    // With sends: one message sends 2, so a turn is 171 messages (171 + 342 = 513 >= 512).
    const chatty = new ActorHost(new Env());
    const clog: string[] = [];
    chatty.spawn(
      'a',
      recorder(clog, (_e, ctx) => (ctx.send('x', { kind: 'a', body: 0 }), ctx.send('x', { kind: 'b', body: 0 }))),
      'r',
    );
    chatty.spawn('b', recorder(clog), 'r');
    for (let i = 0; i < 200; i++) chatty.deliver(env({ id: i, to: 'a' }));
    chatty.deliver(env({ id: 1000, to: 'b' }));
    chatty.drain();
    expect(clog.indexOf('b:k')).toBe(171);
  });

  it('an actor that stops itself handles no more; what waited is dead-lettered', () => {
    const host = new ActorHost(new Env());
    const log: string[] = [];
    host.spawn(
      'a',
      recorder(log, (e, ctx) => (e.kind === 'halt' ? ctx.stop() : undefined)),
      'r',
    );
    host.deliver(env({ id: 1, to: 'a', kind: 'halt' }));
    host.deliver(env({ id: 2, to: 'a', kind: 'more' }));
    expect(host.drain()).toBe(1);
    expect(log).toEqual(['a:halt']);
    expect(host.counters.deadLetteredBy).toEqual({ 'actor-stopped': 1 });
    expect(host.hasReady).toBe(false);
  });

  it('an actor put back on the ready queue by a budget is not queued again by the next arrival', () => {
    const host = new ActorHost(new Env());
    host.spawn('a', recorder([]), 'r');
    host.deliver(env({ id: 1, to: 'a' }));
    host.deliver(env({ id: 2, to: 'a' }));
    expect(host.drain(1)).toBe(1);
    host.deliver(env({ id: 3, to: 'a' }));
    expect(host.drain(2)).toBe(2);
    expect(host.hasReady).toBe(false);
  });

  it('an envelope arriving for an actor already ready does not queue it twice', () => {
    const host = new ActorHost(new Env());
    const log: string[] = [];
    host.spawn('a', recorder(log), 'r');
    host.deliver(env({ id: 1, to: 'a' }));
    host.deliver(env({ id: 2, to: 'a' }));
    expect(host.drain(1)).toBe(1);
    // Still ready (one left): the next drain takes it, and nothing more is ready after (an
    // actor queued twice would still be, with nothing to handle).
    expect(host.hasReady).toBe(true);
    expect(host.drain(1)).toBe(1);
    expect(host.hasReady).toBe(false);
  });
});

describe('turns and escalations', () => {
  it('endTurn finishes the drafts opened in the turn: the state is frozen, as a snapshot', () => {
    const host = new ActorHost(new Env());
    const counter: Behaviour<{ n: number }> = {
      init: () => ({ n: 0 }),
      receive(s) {
        s.n++;
      },
    };
    host.spawn('a', counter, 'c');
    host.deliver(env({ id: 1, to: 'a' }));
    host.drain();
    host.endTurn();
    host.endTurn();
    const s = host.snapshot('a') as { n: number };
    expect(s).toEqual({ n: 1 });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('escalate records the escalation and traces it', () => {
    const e = new Env();
    const host = new ActorHost(e);
    e.t = 42;
    host.escalate('a', 4, 1000, 'boom');
    expect(host.escalations).toEqual([{ actor: 'a', t: 42, failuresInWindow: 4, error: 'boom' }]);
    expect(e.traces).toEqual([{ t: 42, type: 'escalate', actor: 'a', failuresInWindow: 4, windowMs: 1000, error: 'boom' }]);
  });

  it('the defaults: mailbox capacity 10,000 unless given; supervision restarts unless given', () => {
    const a = new ActorHost(new Env());
    expect(a.spawn('a', recorder([]), 'r').mailbox.capacity).toBe(10_000);
    expect(a.spawn('b', recorder([]), 'r', { mailboxCapacity: 3 }).mailbox.capacity).toBe(3);
    expect(a.spawn('c', recorder([]), 'r').policy).toEqual({ strategy: 'restart', maxFailures: 3, windowMs: 1000 });
    const b = new ActorHost(new Env(), { mailboxCapacity: 5, supervision: { strategy: 'stop' } });
    expect(b.spawn('a', recorder([]), 'r').mailbox.capacity).toBe(5);
    expect(b.spawn('b', recorder([]), 'r').policy).toEqual({ strategy: 'stop', maxFailures: 3, windowMs: 1000 });
    expect(b.spawn('c', { ...recorder([]), supervision: { maxFailures: 1 } }, 'r', { supervision: { windowMs: 50 } }).policy).toEqual({
      strategy: 'stop',
      maxFailures: 1,
      windowMs: 50,
    });
  });
});
