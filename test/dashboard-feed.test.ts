import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { LiveFeed } from '../src/dashboard/live-feed.ts';
import { checkControl } from '../src/dashboard/run-control.ts';
import { buildTopology, type RouteGraph } from '../src/topologies/index.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const feedOver = (graph: () => RouteGraph | undefined) =>
  new LiveFeed({ run: 'r', mode: 'sim', protocol: 'raft', controls: ['crash'] }, { graph, ledger: () => undefined });
const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });

describe('the live feed', () => {
  it('draws a ring of 5 as its 5 links, and switches to the new links when the graph changes', () => {
    let graph = buildTopology('ring', ids(5));
    const feed = feedOver(() => graph);
    expect(feed.frame(0).graph!.links).toEqual([
      [0, 1],
      [0, 4],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    graph = buildTopology({ type: 'star', hub: 'n3' }, ids(5));
    const star = feed.frame(250).graph!;
    expect(star.kind).toBe('star');
    expect(star.links).toEqual([
      [0, 2],
      [1, 2],
      [2, 3],
      [2, 4],
    ]);
    expect(star.members.find((m) => m.id === 'n3')!.role).toBe('hub');
    graph = buildTopology('mesh', ids(5));
    expect(feed.frame(500).graph).toMatchObject({ complete: true, links: [] });
  });

  it('above 200 members draws teams of consecutive members, with the links between them, and says so', () => {
    const feed = feedOver(() => buildTopology('ring', ids(1000)));
    feed.observe({ t: 1, type: 'fault', fault: 'crash', detail: 'n40' });
    const f = feed.frame(0);
    expect(f.graph!.members).toEqual([]);
    expect(f.graph!.size).toBe(1000);
    expect(f.graph!.teams).toHaveLength(32);
    expect(f.graph!.teams![1]).toMatchObject({ name: 'team 2', size: 32, crashed: 1 });
    expect(f.graph!.links).toHaveLength(32); // a ring of teams
    expect(f.notes[0]).toMatch(/1000 members: drawn as 32 teams/);
  });

  it('rates and consensus times per frame interval, from the decisions closed in it', () => {
    const feed = feedOver(() => undefined);
    feed.frame(0);
    for (let i = 1; i <= 100; i++) feed.observe(emit(i, 'coordinator', { type: 'decided', decision: `d${i}`, consensus: i % 10 !== 0, latencyMs: i }));
    const f = feed.frame(1000);
    expect(f.closed).toBe(100);
    expect(f.decided).toBe(90);
    expect(f.series).toHaveLength(1);
    expect(f.series[0].perMin).toBe(6000);
    // Within one bucket (about 4.4 %) above the exact quantile.
    expect(f.series[0].p50).toBeGreaterThanOrEqual(50);
    expect(f.series[0].p50).toBeLessThan(50 * 1.05);
    expect(f.series[0].p99).toBeGreaterThanOrEqual(99);
    expect(f.series[0].p99).toBeLessThan(99 * 1.05);
    const quiet = feed.frame(2000);
    expect(quiet.series[0]).toEqual({ at: 2000, t: 100, perMin: 0 });
  });

  it('raft and pbft decisions close on their own events, timed from their opening', () => {
    const feed = feedOver(() => undefined);
    feed.frame(0);
    feed.observe(emit(10, 'client', { type: 'client-invoke', client: 'c', seq: 1 }));
    feed.observe(emit(25, 'client', { type: 'client-ok', client: 'c', seq: 1 }));
    feed.observe(emit(30, 'client', { type: 'pbft-request', ts: 7 }));
    feed.observe(emit(40, 'client', { type: 'pbft-accepted', ts: 7 }));
    const f = feed.frame(60_000);
    expect([f.closed, f.decided, f.series[0].perMin]).toEqual([2, 2, 2]);
    expect(f.series[0].p99).toBeGreaterThanOrEqual(15);
  });

  it('marks leaders, primaries, liars caught, isolation and partition groups; keeps the latest 12 votes', () => {
    const feed = feedOver(() => buildTopology('mesh', ids(5)));
    feed.observe(emit(1, 'n2', { type: 'raft-leader', term: 3 }));
    feed.observe(emit(2, 'n1', { type: 'pbft-view', view: 1, primary: 'n4' }));
    feed.observe(emit(2, 'n5', { type: 'pbft-view', view: 1, primary: 'n4' }));
    feed.observe(emit(3, 'n1', { type: 'pbft-detected', suspect: 'n5', kind: 'equivocation' }));
    feed.observe(emit(4, 'n2', { type: 'pbft-detected', suspect: 'n5', kind: 'equivocation' }));
    feed.observe({ t: 5, type: 'fault', fault: 'isolated', detail: 'n5: caught lying' });
    feed.observe({ t: 6, type: 'fault', fault: 'partition', detail: 'n1,n2 | n3,n4,n5' });
    for (let i = 1; i <= 20; i++)
      feed.observe(emit(7, 'coordinator', { type: 'vote', decision: `d${i}`, agent: 'n1', vote: 'a', reason: 'r', confidence: 0.5 }));
    const f = feed.frame(0);
    const m = Object.fromEntries(f.graph!.members.map((x) => [x.id, x]));
    expect(m.n2).toMatchObject({ role: 'leader', group: 0 });
    expect(m.n4).toMatchObject({ role: 'primary', group: 1 });
    expect(m.n5).toMatchObject({ byzantine: true, isolated: true, group: 1 });
    expect([f.raftTerm, f.pbftView]).toEqual([3, 1]);
    expect(f.votes.map((v) => v.decision)).toEqual(ids(12).map((_, i) => `d${i + 9}`));
    // One timeline entry per view and per liar, however many replicas report them.
    expect(f.timeline.map((e) => e.kind)).toEqual(['leader', 'view', 'byzantine', 'fault', 'fault']);
    feed.observe({ t: 8, type: 'fault', fault: 'heal', detail: 'partition healed' });
    expect(feed.frame(1).graph!.members.every((x) => x.group === undefined)).toBe(true);
  });

  it('offers "make Byzantine" with the protocol\'s lies only where it has an adversary, and rings a member made Byzantine', () => {
    let kinds: string[] = [];
    const feed = new LiveFeed(
      { run: 'r', mode: 'sim', protocol: 'raft', controls: ['crash', 'byzantine'] },
      { graph: () => buildTopology('mesh', ids(3)), ledger: () => undefined, byzantineKinds: () => kinds },
    );
    // Before the run attaches (or for gossip): no such action, no kinds.
    expect(feed.frame(0)).toMatchObject({ controls: ['crash'] });
    expect(feed.frame(0).byzantineKinds).toBeUndefined();
    kinds = ['conflicting_votes', 'silent'];
    expect(feed.frame(1)).toMatchObject({ controls: ['crash', 'byzantine'], byzantineKinds: ['conflicting_votes', 'silent'] });
    feed.observe({ t: 5, type: 'fault', fault: 'byzantine', detail: 'n2 now lies: silent' });
    const f = feed.frame(2);
    expect(f.graph!.members.find((m) => m.id === 'n2')).toEqual({ id: 'n2', compromised: true });
    expect(f.graph!.members.filter((m) => m.compromised)).toHaveLength(1);
    expect(f.timeline.map((e) => e.text)).toEqual(['byzantine: n2 now lies: silent']);
  });
});

describe('dynamic weights on the page', () => {
  it("lists each agent's first weight and its weight after the latest decision, heaviest first, at most 20", () => {
    const feed = feedOver(() => buildTopology('mesh', ids(3)));
    expect(feed.frame(0).weights).toBeUndefined();
    feed.observe(emit(1, 'coordinator', { type: 'weights', decision: 'd1', weights: { n1: 1, n2: 1, n3: 1 } }));
    feed.observe(emit(2, 'coordinator', { type: 'weights', decision: 'd2', weights: { n1: 1.2, n2: 0.7, n3: 1 } }));
    expect(feed.frame(1).weights).toEqual({
      decision: 'd2',
      agents: [
        { agent: 'n1', first: 1, now: 1.2 },
        { agent: 'n3', first: 1, now: 1 },
        { agent: 'n2', first: 1, now: 0.7 },
      ],
      more: 0,
    });
    const many = Object.fromEntries(ids(25).map((id, i) => [id, 1 + i / 100]));
    feed.observe(emit(3, 'coordinator', { type: 'weights', decision: 'd3', weights: many }));
    const w = feed.frame(2).weights!;
    expect([w.agents.length, w.more, w.agents[0].agent, w.agents[0].first]).toEqual([20, 5, 'n25', 1.24]);
  });
});

describe('control actions from the page', () => {
  it('"byzantine" takes a member of the graph and, optionally, a list of kinds; anything else is refused by name', () => {
    expect(checkControl({ action: 'byzantine', member: 'n2' }, 'threads', ids(3))).toEqual({ action: 'byzantine', member: 'n2' });
    expect(checkControl({ action: 'byzantine', member: 'n2', kinds: ['silent'] }, 'sim', ids(3))).toEqual({
      action: 'byzantine',
      member: 'n2',
      kinds: ['silent'],
    });
    expect(() => checkControl({ action: 'byzantine', member: 'n9' }, 'sim', ids(3))).toThrow(/"member" must be a member of the graph in force/);
    expect(() => checkControl({ action: 'byzantine', member: 'n1', kinds: 'silent' }, 'sim', ids(3))).toThrow(/"kinds" must be a list/);
    expect(() => checkControl({ action: 'byzantine', member: 'n1', kinds: [''] }, 'sim', ids(3))).toThrow(/"kinds" must be a list/);
  });
});
