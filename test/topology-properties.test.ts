import fc from 'fast-check';
import { bfsDistances } from './fixtures/bfs.ts';
import { describe, expect, it } from 'vitest';
import { buildTopology, type Member, type RouteGraph, type TopologySpec } from '../src/topologies/index.ts';

const RUNS = { seed: 42, numRuns: 200 };

/** Members with random roles (some queens or coordinators) and teams (numbers and strings, or none). */
const membersArb = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc
    .array(
      fc.record({
        role: fc.constantFrom(undefined, undefined, undefined, 'worker', 'queen', 'coordinator'),
        team: fc.option(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom('red', 'blue', '3')), { nil: undefined, freq: 2 }),
      }),
      { minLength: n, maxLength: n },
    )
    .map((attrs) => attrs.map(({ role, team }, i): Member => ({ id: `agent-${i}`, ...(role && { role }), ...(team !== undefined && { team }) }))),
);

/** Distinct team names the non-queen members use (what `teams` must at least cover). */
function namedTeams(members: readonly Member[], queen: string): number {
  return new Set(members.filter((m) => m.id !== queen && m.team !== undefined).map((m) => String(m.team))).size;
}

/** A random member list and a valid random spec for it. */
const caseArb = membersArb.chain((members) => {
  const memberId = fc.integer({ min: 0, max: members.length - 1 }).map((i) => members[i].id);
  const spec: fc.Arbitrary<TopologySpec> = fc.oneof(
    fc.constantFrom<TopologySpec>('mesh', 'star', 'ring', 'hierarchical', { type: 'mesh' }),
    fc.record({ type: fc.constant('star' as const), hub: fc.option(memberId, { nil: undefined }) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('ring' as const), bidirectional: fc.boolean() }, { requiredKeys: ['type'] }),
    fc
      .record(
        {
          type: fc.constant('hierarchical' as const),
          queen: memberId,
          teams: fc.integer({ min: 1, max: 40 }),
          fanout: fc.integer({ min: 2, max: 12 }),
        },
        { requiredKeys: ['type'] },
      )
      .map((s) => {
        // A teams count below the teams the members name is rejected (tested in the bad-input file).
        const queen = s.queen ?? (members.find((m) => m.role === 'queen' || m.role === 'coordinator') ?? members[0]).id;
        return s.teams !== undefined && s.teams < namedTeams(members, queen) ? { ...s, teams: undefined } : s;
      }),
  );
  return fc.record({ members: fc.constant(members), spec, seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });
});

const forwardOnly = (g: RouteGraph) => g.spec.type === 'ring' && !g.spec.bidirectional;

/** A few hundred (from, to) pairs: all of them for small graphs, a seeded sample for large ones. */
function pairs(n: number, seed: number): Array<[number, number]> {
  if (n * n <= 900) return Array.from({ length: n * n }, (_, k) => [Math.floor(k / n), k % n]);
  let s = seed | 1;
  const rnd = () => (s = (Math.imul(s, 48271) >>> 0) % 2147483647) / 2147483647;
  return Array.from({ length: 600 }, () => [Math.floor(rnd() * n), Math.floor(rnd() * n)]);
}

describe('route graphs: properties over random members and options', () => {
  it('every member reaches every other by following nextHop, each step to a neighbour, in exactly hops(from, to) <= diameter steps', () => {
    fc.assert(
      fc.property(caseArb, ({ members, spec, seed }) => {
        const g = buildTopology(spec, members);
        const ids = g.members;
        for (const [i, j] of pairs(ids.length, seed)) {
          const from = ids[i],
            to = ids[j];
          let at = from,
            steps = 0;
          while (at !== to) {
            const next = g.nextHop(at, to);
            if (next === undefined || !g.neighbours(at).includes(next)) return false;
            at = next;
            if (++steps > ids.length) return false; // a loop
          }
          if (g.nextHop(to, to) !== undefined) return false;
          if (steps !== g.hops(from, to) || steps > g.diameter) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('neighbours are members, never the node itself, never repeated; symmetric except in a forward-only ring', () => {
    fc.assert(
      fc.property(caseArb, ({ members, spec }) => {
        const g = buildTopology(spec, members);
        const all = new Set(g.members);
        const sets = new Map(g.members.map((id) => [id, new Set(g.neighbours(id))]));
        for (const id of g.members) {
          const list = g.neighbours(id);
          if (sets.get(id)!.size !== list.length || sets.get(id)!.has(id)) return false;
          for (const other of list) {
            if (!all.has(other)) return false;
            if (!forwardOnly(g) && !sets.get(other)!.has(id)) return false;
          }
        }
        // A forward-only ring links each member to its successor only.
        return !forwardOnly(g) || g.members.every((id) => g.neighbours(id).length === (g.members.length > 1 ? 1 : 0));
      }),
      RUNS,
    );
  });

  it('diameter is the largest hops over all pairs (every pair, via hops: O(depth) each)', () => {
    fc.assert(
      fc.property(caseArb, ({ members, spec }) => {
        const g = buildTopology(spec, members);
        let max = 0;
        for (const a of g.members) for (const b of g.members) max = Math.max(max, g.hops(a, b));
        return max === g.diameter;
      }),
      RUNS,
    );
  });

  it('routes are shortest paths: hops equals the breadth-first distance over neighbours (graphs up to 60 members)', () => {
    const small = caseArb.filter(({ members }) => members.length <= 60);
    fc.assert(
      fc.property(small, ({ members, spec }) => {
        const g = buildTopology(spec, members);
        for (const source of g.members) {
          const dist = bfsDistances(g, source);
          if (dist.size !== g.members.length) return false;
          for (const [target, d] of dist) if (g.hops(source, target) !== d) return false;
        }
        return true;
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it('broadcastChildren from any root reaches every member exactly once, over neighbour links, along the nextHop routes from the root', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ({ members, spec }, pick) => {
        const g = buildTopology(spec, members);
        const root = g.members[pick % g.members.length];
        const depth = new Map([[root, 0]]);
        const relay = new Map<string, string>(); // who forwards the broadcast to each member
        const queue = [root];
        for (let k = 0; k < queue.length; k++) {
          const node = queue[k];
          for (const child of g.broadcastChildren(root, node)) {
            if (depth.has(child)) return false; // reached twice
            if (!g.neighbours(node).includes(child)) return false;
            depth.set(child, depth.get(node)! + 1);
            relay.set(child, node);
            queue.push(child);
          }
        }
        if (depth.size !== g.members.length) return false;
        for (const [id, d] of depth) if (g.hops(root, id) !== d) return false;
        // The broadcast takes the unicast route: a member hears it from the node just before it on
        // the nextHop path from the root (checked for a stride of members to bound the walk).
        const stride = Math.max(1, Math.floor(g.members.length / 40));
        for (let k = 0; k < g.members.length; k += stride) {
          const target = g.members[k];
          if (target === root) continue;
          let at = root,
            before = root;
          while (at !== target) {
            before = at;
            at = g.nextHop(at, target)!;
          }
          if (relay.get(target) !== before) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('hierarchies respect the fanout: no node has more children than fanout', () => {
    const hier = fc.tuple(membersArb, fc.integer({ min: 2, max: 6 }));
    fc.assert(
      fc.property(hier, ([members, fanout]) => {
        const g = buildTopology({ type: 'hierarchical', fanout, teams: Math.max(1, namedTeams(members, members[0].id)), queen: members[0].id }, members);
        return g.members.every((id) => g.neighbours(id).length - (id === members[0].id ? 0 : 1) <= fanout);
      }),
      RUNS,
    );
  });

  it('building is deterministic: the same spec and members give the same routes', () => {
    fc.assert(
      fc.property(caseArb, ({ members, spec, seed }) => {
        const a = buildTopology(spec, members),
          b = buildTopology(spec, members);
        expect(b.spec).toEqual(a.spec);
        for (const [i, j] of pairs(members.length, seed).slice(0, 100)) {
          const from = a.members[i],
            to = a.members[j];
          if (a.nextHop(from, to) !== b.nextHop(from, to)) return false;
        }
        return a.members.every((id) => a.neighbours(id).join() === b.neighbours(id).join());
      }),
      { ...RUNS, numRuns: 50 },
    );
  });
});
