import { describe, expect, it } from 'vitest';
import { ConclaveError, ConfigError } from '../src/errors.ts';
import { buildTopology, type Member, type TopologySpec } from '../src/topologies/index.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

/** The ConfigError `build` throws (fails the test if it throws nothing or something else). */
function configError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(ConclaveError);
    expect((e as ConfigError).code).toBe('config');
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

const bad = (spec: unknown, members: unknown = ids(3)) => configError(() => buildTopology(spec as TopologySpec, members as Member[]));

describe('buildTopology: bad specs name the field, say what was expected and what was given', () => {
  it('an unknown topology name lists the known ones', () => {
    const e = bad('torus');
    expect(e.path).toBe('topology');
    expect(e.message).toContain('expected one of "mesh", "star", "ring", "hierarchical"');
    expect(e.message).toContain('got "torus"');
    expect(bad('Mesh').path).toBe('topology'); // names are case-sensitive
  });

  it('an unknown or missing type in an object spec is reported at topology.type', () => {
    const e = bad({ type: 'hypercube' });
    expect(e.path).toBe('topology.type');
    expect(e.message).toContain('"mesh", "star", "ring", "hierarchical"');
    expect(bad({ hub: 'm0' }).path).toBe('topology.type');
  });

  it('a spec that is neither a name nor an object is reported at topology', () => {
    for (const spec of [undefined, null, 42, ['ring'], true]) expect(bad(spec).path).toBe('topology');
  });

  it('an option the topology does not have is an error, not a silent default', () => {
    const e = bad({ type: 'star', hubb: 'm0' });
    expect(e.path).toBe('topology.hubb');
    expect(e.message).toContain('(hub)');
    expect(bad({ type: 'mesh', hub: 'm0' }).path).toBe('topology.hub');
    expect(bad({ type: 'ring', teams: 2 }).path).toBe('topology.teams');
    expect(bad({ type: 'hierarchical', hub: 'm0' }).path).toBe('topology.hub');
  });

  it('a hub that is not a member', () => {
    const e = bad({ type: 'star', hub: 'ghost' });
    expect(e.path).toBe('topology.hub');
    expect(e.message).toContain('the id of a member ("m0", "m1", "m2")');
    expect(e.message).toContain('got "ghost"');
    expect(bad({ type: 'star', hub: 0 }).path).toBe('topology.hub');
    // A long member list is abbreviated, not printed whole.
    expect(bad({ type: 'star', hub: 'ghost' }, ids(10_000)).message).toContain('... 9995 more');
  });

  it('a queen that is not a member', () => {
    const e = bad({ type: 'hierarchical', queen: 'nobody' });
    expect(e.path).toBe('topology.queen');
    expect(e.message).toContain('got "nobody"');
  });

  it('teams < 1 or not an integer', () => {
    for (const teams of [0, -1, 1.5, Number.NaN, Infinity, '3', null]) {
      const e = bad({ type: 'hierarchical', teams });
      expect(e.path).toBe('topology.teams');
      expect(e.message).toContain('an integer >= 1');
    }
  });

  it('teams fewer than the teams the members name (it would merge them)', () => {
    const members = [
      { id: 'q', role: 'queen' },
      { id: 'a', team: 'A' },
      { id: 'b', team: 'B' },
      { id: 'c', team: 'C' },
    ];
    const e = bad({ type: 'hierarchical', teams: 2 }, members);
    expect(e.path).toBe('topology.teams');
    expect(e.message).toContain('an integer >= 3, the number of distinct teams the members name');
    expect(() => buildTopology({ type: 'hierarchical', teams: 3 }, members)).not.toThrow();
  });

  it('fanout < 2 or not an integer', () => {
    for (const fanout of [1, 0, -3, 2.5, Infinity, '4']) {
      const e = bad({ type: 'hierarchical', fanout });
      expect(e.path).toBe('topology.fanout');
      expect(e.message).toContain('an integer >= 2');
    }
  });

  it('bidirectional that is not a boolean', () => {
    expect(bad({ type: 'ring', bidirectional: 'yes' }).path).toBe('topology.bidirectional');
  });

  it('the caller can name where the spec came from, e.g. a scenario schedule entry', () => {
    const e = configError(() => buildTopology({ type: 'star', hub: 'ghost' }, ids(2), { path: 'schedule[2].switch_topology' }));
    expect(e.path).toBe('schedule[2].switch_topology.hub');
    const m = configError(() => buildTopology('mesh', [], { membersPath: 'swarm.members' }));
    expect(m.path).toBe('swarm.members');
  });
});

describe('buildTopology: bad member lists', () => {
  it('an empty member list', () => {
    const e = bad('mesh', []);
    expect(e.path).toBe('members');
    expect(e.message).toContain('at least one member');
  });

  it('a member list that is not an array', () => {
    for (const members of [undefined, null, 'm0', { m0: {} }]) {
      expect(configError(() => buildTopology('ring', members as never)).path).toBe('members');
    }
  });

  it('duplicate member ids name both positions', () => {
    const e = bad('star', ['a', 'b', { id: 'a', role: 'queen' }]);
    expect(e.path).toBe('members[2].id');
    expect(e.message).toContain('"a" is also members[0].id');
  });

  it('a member without a usable id, or with a role or team of the wrong type', () => {
    expect(bad('mesh', ['a', null]).path).toBe('members[1]');
    expect(bad('mesh', ['a', 7]).path).toBe('members[1]');
    expect(bad('mesh', ['a', '']).path).toBe('members[1].id');
    expect(bad('mesh', [{ role: 'queen' }]).path).toBe('members[0].id');
    expect(bad('mesh', [{ id: 'a', role: 5 }]).path).toBe('members[0].role');
    expect(bad('hierarchical', [{ id: 'a', team: { name: 'x' } }]).path).toBe('members[0].team');
    expect(bad('hierarchical', [{ id: 'a' }, { id: 'b', team: Number.NaN }]).path).toBe('members[1].team');
  });

  it('the spec is checked before the members, so a bad name is reported even with no members', () => {
    expect(bad('torus', []).path).toBe('topology');
  });
});
