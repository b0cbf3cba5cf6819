import { describe, expect, it } from 'vitest';
import { buildTopology, type Member, type RouteGraph } from '../src/topologies/index.ts';
import { bfsDistances } from './fixtures/bfs.ts';

const SIZES = [1, 2, 3, 5, 20, 100];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
const sorted = (xs: readonly string[]) => [...xs].sort();

/** The ids a message visits after leaving `from`, following nextHop. */
function route(g: RouteGraph, from: string, to: string): string[] {
  const path: string[] = [];
  for (let at = from; at !== to; ) {
    const next = g.nextHop(at, to);
    if (next === undefined || path.length > g.members.length) throw new Error(`no route ${from} -> ${to} at ${at}`);
    path.push((at = next));
  }
  return path;
}

/** Each node's broadcast children from `root`, for nodes that have any. */
function broadcastTree(g: RouteGraph, root: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of g.members) {
    const kids = g.broadcastChildren(root, id);
    if (kids.length) out[id] = [...kids];
  }
  return out;
}

/** The longest shortest path by breadth-first search over `neighbours`: an oracle independent of `hops`. */
function bfsDiameter(g: RouteGraph): number {
  let best = 0;
  for (const source of g.members) {
    const dist = bfsDistances(g, source);
    best = Math.max(best, ...dist.values());
  }
  return best;
}

describe('every topology: edge cases shared by all', () => {
  const specs = ['mesh', 'star', 'ring', { type: 'ring', bidirectional: false }, 'hierarchical'] as const;
  for (const spec of specs) {
    const name = JSON.stringify(spec);
    it(`${name}: nextHop to itself or to/from a non-member is undefined; hops is 0 to itself, Infinity for a non-member`, () => {
      const g = buildTopology(spec, ids(5));
      expect(g.nextHop('m1', 'm1')).toBeUndefined();
      expect(g.nextHop('m1', 'ghost')).toBeUndefined();
      expect(g.nextHop('ghost', 'm1')).toBeUndefined();
      expect(g.hops('m3', 'm3')).toBe(0);
      expect(g.hops('m3', 'ghost')).toBe(Infinity);
      expect(g.hops('ghost', 'ghost')).toBe(Infinity);
      expect(g.neighbours('ghost')).toEqual([]);
      expect(g.broadcastChildren('ghost', 'm1')).toEqual([]);
      expect(g.broadcastChildren('m1', 'ghost')).toEqual([]);
    });
    it(`${name}: a single member has no neighbours, diameter 0, and a broadcast reaches only itself`, () => {
      const g = buildTopology(spec, ['solo']);
      expect(g.members).toEqual(['solo']);
      expect(g.neighbours('solo')).toEqual([]);
      expect(g.diameter).toBe(0);
      expect(g.broadcastChildren('solo', 'solo')).toEqual([]);
    });
    it(`${name}: the graph is frozen, and its data fields survive JSON`, () => {
      const g = buildTopology(spec, ids(3));
      expect(Object.isFrozen(g)).toBe(true);
      expect(Object.isFrozen(g.members)).toBe(true);
      const plain = JSON.parse(JSON.stringify(g));
      expect(plain).toEqual({ kind: g.kind, spec: g.spec, members: ['m0', 'm1', 'm2'], diameter: g.diameter });
    });
  }

  it('accepts bare ids and Member objects alike, and keeps the members in the order given', () => {
    const g = buildTopology('ring', ['c', { id: 'a' }, { id: 'b', role: 'worker', team: 1 }]);
    expect(g.members).toEqual(['c', 'a', 'b']);
    expect(g.nextHop('c', 'a')).toBe('a');
  });
});

describe('mesh', () => {
  for (const n of SIZES) {
    it(`n=${n}: everyone neighbours everyone, every route is one direct hop, diameter ${n > 1 ? 1 : 0}`, () => {
      const g = buildTopology('mesh', ids(n));
      expect(g.kind).toBe('mesh');
      expect(g.spec).toEqual({ type: 'mesh' });
      expect(g.diameter).toBe(n > 1 ? 1 : 0);
      for (const a of g.members) {
        expect(sorted(g.neighbours(a))).toEqual(sorted(g.members.filter((x) => x !== a)));
        for (const b of g.members) {
          if (a === b) continue;
          expect(g.nextHop(a, b)).toBe(b);
          expect(g.hops(a, b)).toBe(1);
        }
      }
    });
  }

  it('a broadcast is the root sending to each member; nobody relays', () => {
    const g = buildTopology('mesh', ids(5));
    expect(broadcastTree(g, 'm2')).toEqual({ m2: ['m0', 'm1', 'm3', 'm4'] });
  });
});

describe('star', () => {
  for (const n of SIZES) {
    it(`n=${n}: spokes link to the hub only; spoke to spoke is 2 hops via the hub; diameter ${Math.min(n - 1, 2)}`, () => {
      const g = buildTopology('star', ids(n));
      const hub = 'm0'; // no coordinator or queen: the first member
      expect(g.spec).toEqual({ type: 'star', hub });
      expect(g.diameter).toBe(Math.min(n - 1, 2));
      expect(g.neighbours(hub)).toEqual(ids(n).slice(1));
      for (const a of g.members.slice(1)) {
        expect(g.neighbours(a)).toEqual([hub]);
        expect(g.nextHop(a, hub)).toBe(hub);
        expect(g.nextHop(hub, a)).toBe(a);
        expect(g.hops(a, hub)).toBe(1);
        for (const b of g.members.slice(1)) {
          if (a === b) continue;
          expect(route(g, a, b)).toEqual([hub, b]);
          expect(g.hops(a, b)).toBe(2);
        }
      }
    });
  }

  it('the hub defaults to the first coordinator or queen, and can be named', () => {
    expect(buildTopology('star', ['a', { id: 'b', role: 'worker' }, { id: 'c', role: 'coordinator' }]).spec).toEqual({ type: 'star', hub: 'c' });
    expect(buildTopology('star', ['a', { id: 'q', role: 'queen' }, { id: 'c', role: 'coordinator' }]).spec).toEqual({ type: 'star', hub: 'q' });
    const g = buildTopology({ type: 'star', hub: 'b' }, ['a', 'b', { id: 'c', role: 'coordinator' }]);
    expect(g.spec).toEqual({ type: 'star', hub: 'b' });
    expect(g.nextHop('a', 'c')).toBe('b');
    expect(g.neighbours('c')).toEqual(['b']);
  });

  it('a broadcast from the hub fans out; from a spoke it goes through the hub', () => {
    const g = buildTopology({ type: 'star', hub: 'm1' }, ids(4));
    expect(broadcastTree(g, 'm1')).toEqual({ m1: ['m0', 'm2', 'm3'] });
    expect(broadcastTree(g, 'm3')).toEqual({ m3: ['m1'], m1: ['m0', 'm2'] });
  });
});

describe('ring', () => {
  it('ring of 5: hops(0,2) = 2 both ways; hops(0,3) = 2 bidirectional (backwards), 3 forward-only', () => {
    const bi = buildTopology('ring', ids(5));
    const fwd = buildTopology({ type: 'ring', bidirectional: false }, ids(5));
    expect(bi.hops('m0', 'm2')).toBe(2);
    expect(route(bi, 'm0', 'm2')).toEqual(['m1', 'm2']);
    expect(bi.hops('m0', 'm3')).toBe(2);
    expect(route(bi, 'm0', 'm3')).toEqual(['m4', 'm3']);
    expect(fwd.hops('m0', 'm2')).toBe(2);
    expect(fwd.hops('m0', 'm3')).toBe(3);
    expect(route(fwd, 'm0', 'm3')).toEqual(['m1', 'm2', 'm3']);
    expect(fwd.hops('m1', 'm0')).toBe(4);
  });

  it('equal ways round go forward, so routes are deterministic (ring of 6: m0 -> m3 via m1)', () => {
    const g = buildTopology('ring', ids(6));
    expect(route(g, 'm0', 'm3')).toEqual(['m1', 'm2', 'm3']);
    expect(route(g, 'm3', 'm0')).toEqual(['m4', 'm5', 'm0']);
  });

  for (const n of SIZES) {
    it(`n=${n}: successor/predecessor links, index-arithmetic routes, diameter ${Math.floor(n / 2)} / ${n - 1}`, () => {
      const bi = buildTopology('ring', ids(n));
      const fwd = buildTopology({ type: 'ring', bidirectional: false }, ids(n));
      expect(bi.spec).toEqual({ type: 'ring', bidirectional: true });
      expect(fwd.spec).toEqual({ type: 'ring', bidirectional: false });
      expect(bi.diameter).toBe(Math.floor(n / 2));
      expect(fwd.diameter).toBe(n - 1);
      const at = (i: number) => `m${((i % n) + n) % n}`;
      for (let i = 0; i < n; i++) {
        const expected = n === 1 ? [] : n === 2 ? [at(i + 1)] : [at(i + 1), at(i - 1)];
        expect(bi.neighbours(at(i))).toEqual(expected);
        expect(fwd.neighbours(at(i))).toEqual(n === 1 ? [] : [at(i + 1)]);
        if (n > 20 && i % 17 !== 0) continue; // all pairs for small rings, a stride of sources for n = 100
        for (let j = 0; j < n; j++) {
          if (i === j) continue;
          const d = (j - i + n) % n;
          expect(fwd.hops(at(i), at(j))).toBe(d);
          expect(fwd.nextHop(at(i), at(j))).toBe(at(i + 1));
          expect(bi.hops(at(i), at(j))).toBe(Math.min(d, n - d));
          expect(bi.nextHop(at(i), at(j))).toBe(d <= n - d ? at(i + 1) : at(i - 1));
        }
      }
    });
  }

  it('a bidirectional broadcast goes half-way round each way; a forward-only one goes all the way round', () => {
    expect(broadcastTree(buildTopology('ring', ids(5)), 'm0')).toEqual({ m0: ['m1', 'm4'], m1: ['m2'], m4: ['m3'] });
    expect(broadcastTree(buildTopology('ring', ids(6)), 'm2')).toEqual({ m2: ['m3', 'm1'], m3: ['m4'], m4: ['m5'], m1: ['m0'] });
    expect(broadcastTree(buildTopology('ring', ids(2)), 'm1')).toEqual({ m1: ['m0'] });
    expect(broadcastTree(buildTopology({ type: 'ring', bidirectional: false }, ids(4)), 'm2')).toEqual({ m2: ['m3'], m3: ['m0'], m0: ['m1'] });
  });
});

describe('hierarchical', () => {
  const teamed: Member[] = [
    { id: 'q', role: 'queen' },
    { id: 'a1', team: 'A' },
    { id: 'b1', team: 'B' },
    { id: 'a2', team: 'A' },
    { id: 'b2', team: 'B' },
    { id: 'a3', team: 'A' },
    { id: 'b3', team: 'B' },
  ];

  it('a member in team A reaches a member in team B by climbing to the queen and descending', () => {
    const g = buildTopology('hierarchical', teamed);
    expect(g.spec).toEqual({ type: 'hierarchical', queen: 'q' });
    expect(g.neighbours('q')).toEqual(['a1', 'b1']); // the first member of each team leads it
    expect(g.neighbours('a1')).toEqual(['q', 'a2', 'a3']);
    expect(g.neighbours('b3')).toEqual(['b1']);
    expect(route(g, 'a2', 'b3')).toEqual(['a1', 'q', 'b1', 'b3']);
    expect(g.hops('a2', 'b3')).toBe(4);
    expect(route(g, 'a2', 'a3')).toEqual(['a1', 'a3']); // the common ancestor is the lead: no need to climb further
    expect(route(g, 'q', 'b2')).toEqual(['b1', 'b2']);
    expect(g.diameter).toBe(4);
  });

  it('a broadcast follows the tree re-rooted at its sender: it climbs, then descends', () => {
    const g = buildTopology('hierarchical', teamed);
    expect(broadcastTree(g, 'a2')).toEqual({ a2: ['a1'], a1: ['q', 'a3'], q: ['b1'], b1: ['b2', 'b3'] });
    expect(broadcastTree(g, 'q')).toEqual({ q: ['a1', 'b1'], a1: ['a2', 'a3'], b1: ['b2', 'b3'] });
  });

  it('the queen defaults to the first queen or coordinator, and can be named; a queen that names a team stays the root', () => {
    expect(buildTopology('hierarchical', ['a', { id: 'c', role: 'coordinator' }]).spec).toEqual({ type: 'hierarchical', queen: 'c' });
    const g = buildTopology({ type: 'hierarchical', queen: 'b1' }, teamed);
    expect(g.spec).toEqual({ type: 'hierarchical', queen: 'b1' });
    expect(g.neighbours('b1')).toEqual(['q', 'a1', 'b2']); // team B is led by b2 now; q has no team, so it leads one alone
    expect(
      buildTopology('hierarchical', [
        { id: 'x', role: 'queen', team: 'A' },
        { id: 'y', team: 'A' },
      ]).neighbours('x'),
    ).toEqual(['y']);
  });

  // Default teams = ceil(sqrt(n - 1)); the non-queen members are cut, in order, into that many
  // contiguous teams of near-equal size, each led by its first member.
  const defaults: Record<number, { leads: string[]; diameter: number }> = {
    1: { leads: [], diameter: 0 },
    2: { leads: ['m1'], diameter: 1 },
    3: { leads: ['m1', 'm2'], diameter: 2 },
    5: { leads: ['m1', 'm3'], diameter: 4 },
    20: { leads: ['m1', 'm4', 'm8', 'm12', 'm16'], diameter: 4 },
    100: { leads: Array.from({ length: 10 }, (_, k) => `m${1 + Math.floor((k * 99) / 10)}`), diameter: 4 },
  };
  for (const n of SIZES) {
    it(`n=${n}: the queen, ${defaults[n].leads.length} team leads under it, members under their lead; diameter ${defaults[n].diameter}`, () => {
      const g = buildTopology('hierarchical', ids(n));
      const { leads, diameter } = defaults[n];
      expect(g.neighbours('m0')).toEqual(leads);
      expect(g.diameter).toBe(diameter);
      expect(bfsDiameter(g)).toBe(diameter);
      const leadOf = (i: number) => leads.filter((l) => Number(l.slice(1)) <= i).at(-1)!;
      for (let i = 1; i < n; i++) {
        const me = `m${i}`,
          lead = leadOf(i);
        if (me === lead) {
          expect(g.nextHop(me, 'm0')).toBe('m0');
          expect(g.hops(me, 'm0')).toBe(1);
        } else {
          expect(g.neighbours(me)).toEqual([lead]);
          expect(route(g, me, 'm0')).toEqual([lead, 'm0']);
          expect(route(g, 'm0', me)).toEqual([lead, me]);
        }
      }
    });
  }

  it('teams sets how many leads sit under the queen; it cannot exceed the members available', () => {
    const one = buildTopology({ type: 'hierarchical', teams: 1 }, ids(6));
    expect(one.neighbours('m0')).toEqual(['m1']);
    expect(one.neighbours('m1')).toEqual(['m0', 'm2', 'm3', 'm4', 'm5']);
    expect(one.diameter).toBe(2);
    const many = buildTopology({ type: 'hierarchical', teams: 50 }, ids(4));
    expect(many.neighbours('m0')).toEqual(['m1', 'm2', 'm3']);
    expect(many.diameter).toBe(2);
    expect(many.spec).toEqual({ type: 'hierarchical', queen: 'm0', teams: 50 });
  });

  it('named teams come first; members without a team fill the remaining teams; 1 and "1" are the same team', () => {
    const members: Member[] = [
      { id: 'q', role: 'queen' },
      { id: 'x', team: 1 },
      { id: 'u1' },
      { id: 'y', team: '1' },
      { id: 'u2' },
      { id: 'u3' },
      { id: 'u4' },
    ];
    const g = buildTopology({ type: 'hierarchical', teams: 3 }, members);
    expect(g.neighbours('q')).toEqual(['x', 'u1', 'u3']);
    expect(g.neighbours('x')).toEqual(['q', 'y']);
    expect(g.neighbours('u1')).toEqual(['q', 'u2']);
    expect(g.neighbours('u3')).toEqual(['q', 'u4']);
    // When the named teams already reach the count, members without a team are dealt round-robin into them.
    const dealt = buildTopology({ type: 'hierarchical', teams: 1 }, members);
    expect(dealt.neighbours('x')).toEqual(['q', 'u1', 'y', 'u2', 'u3', 'u4']);
    // Without a teams option the count is at least the number of named teams.
    const named = buildTopology('hierarchical', [{ id: 'q', role: 'queen' }, ...['a', 'b', 'c', 'd'].map((t) => ({ id: `${t}1`, team: t }))]);
    expect(named.neighbours('q')).toEqual(['a1', 'b1', 'c1', 'd1']);
  });

  it("fanout caps every node's children by adding levels: leads under leads, members under members of their own team", () => {
    const g = buildTopology({ type: 'hierarchical', fanout: 2 }, ids(20));
    expect(g.spec).toEqual({ type: 'hierarchical', queen: 'm0', fanout: 2 });
    // Teams (default 5): m1-m3, m4-m7, m8-m11, m12-m15, m16-m19. Each lead keeps one slot for its own team.
    expect(g.neighbours('m0')).toEqual(['m1', 'm4']);
    expect(g.neighbours('m1')).toEqual(['m0', 'm2', 'm8']);
    expect(g.neighbours('m4')).toEqual(['m0', 'm5', 'm12']);
    expect(g.neighbours('m8')).toEqual(['m1', 'm9', 'm16']);
    expect(g.neighbours('m5')).toEqual(['m4', 'm6', 'm7']);
    expect(route(g, 'm19', 'm15')).toEqual(['m17', 'm16', 'm8', 'm1', 'm0', 'm4', 'm12', 'm13', 'm15']);
    expect(g.diameter).toBe(bfsDiameter(g));
    expect(g.diameter).toBe(9); // m19 .. m15 above
    for (const id of g.members) {
      const children = g.neighbours(id).length - (id === 'm0' ? 0 : 1);
      expect(children).toBeLessThanOrEqual(2);
    }
  });

  it('with a wide fanout the tree is the plain three levels', () => {
    const wide = buildTopology({ type: 'hierarchical', fanout: 100 }, ids(100));
    const plain = buildTopology('hierarchical', ids(100));
    for (const id of plain.members) expect(wide.neighbours(id)).toEqual(plain.neighbours(id));
  });

  it('a deep tree (chains of leads at fanout 2, 10,000 members) routes without recursion limits', () => {
    const g = buildTopology({ type: 'hierarchical', fanout: 2, teams: 5000 }, ids(10_000));
    expect(g.hops('m9999', 'm1')).toBe(route(g, 'm9999', 'm1').length);
    expect(g.diameter).toBeGreaterThan(100);
  });
});
