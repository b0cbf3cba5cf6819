import { describe, expect, it } from 'vitest';
import { type FaultCluster, layFaults } from '../src/adversary/lay-faults.ts';
import type { ActorId } from '../src/actors/envelope.ts';
import { ConfigError } from '../src/errors.ts';
import type { FaultControl } from '../src/scheduler/fault-control.ts';
import type { NetworkCondition } from '../src/scheduler/network-faults.ts';
import { createPrng } from '../src/scheduler/prng.ts';
import type { FaultPlan } from '../src/scenario/fault-plan.ts';

/**
 * The fault layer on a hand-driven fault control: which call each fault makes, at which virtual
 * time, on whom, and the errors for targets it cannot resolve (issue 20's mutation run of
 * src/adversary/lay-faults.ts). Everything it lays is recorded as `t call args`.
 */

class Faults implements FaultControl {
  t = 0;
  readonly log: string[] = [];
  readonly down = new Set<ActorId>();
  readonly refuse = new Set<ActorId>();
  readonly networks: [number, string, NetworkCondition | undefined][] = [];
  private queue: { at: number; seq: number; action: () => void }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  at(delayMs: number, action: () => void) {
    this.queue.push({ at: this.t + delayMs, seq: this.seq++, action });
    return () => undefined;
  }
  running(id: ActorId) {
    return !this.down.has(id);
  }
  crash(id: ActorId) {
    if (this.refuse.has(id)) return false;
    this.down.add(id);
    this.log.push(`${this.t} crash ${id}`);
    return true;
  }
  recover(id: ActorId, options?: { wipe?: boolean }) {
    this.down.delete(id);
    this.log.push(`${this.t} recover ${id}${options?.wipe ? ' wiped' : ''}`);
  }
  compromise(): boolean {
    throw new Error('not used');
  }
  partition(groups: readonly (readonly ActorId[])[]) {
    this.log.push(`${this.t} partition ${groups.map((g) => g.join(',')).join(' | ')}`);
  }
  block(links: readonly (readonly [ActorId, ActorId])[], detail: string) {
    this.log.push(`${this.t} block ${links.map(([a, b]) => `${a}>${b}`).join(' ')} (${detail})`);
  }
  heal() {
    this.log.push(`${this.t} heal`);
  }
  setNetwork(name: string, condition: NetworkCondition | undefined) {
    this.networks.push([this.t, name, condition]);
  }
  pause(id: ActorId, durationMs: number) {
    this.log.push(`${this.t} pause ${id} ${durationMs}`);
  }
  skewClock(id: ActorId, rate: number | undefined) {
    this.log.push(`${this.t} skew ${id} ${rate}`);
  }
  isolate() {
    throw new Error('not used');
  }
  note(fault: string, detail: string) {
    this.log.push(`${this.t} note ${fault}: ${detail}`);
  }
  /** Runs everything laid, in time order (then in the order laid). */
  run() {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue.shift();
      if (next === undefined) return;
      this.t = next.at;
      next.action();
    }
  }
}

const none: FaultPlan = { crashes: [], partitions: [], network: [], pauses: [], skews: [], cascade: undefined };
const plan = (p: Partial<FaultPlan>): FaultPlan => ({ ...none, ...p });

function cluster(over: Partial<FaultCluster> = {}, leader: () => ActorId | null = () => 'n1'): FaultCluster {
  const members = over.members ?? ['n1', 'n2', 'n3', 'n4', 'n5'];
  return {
    members,
    outsiders: ['client'],
    roles: new Map(members.map((m, i) => [m, i < 2 ? 'lead' : 'worker'])),
    leaderName: 'leader',
    leader,
    neighbours: () => [],
    seed: 11,
    ...over,
  };
}

function lay(p: Partial<FaultPlan>, c: FaultCluster = cluster(), f = new Faults()) {
  layFaults(f, c, plan(p));
  f.run();
  return f;
}

describe('crashes', () => {
  it('crashes the target at its time; recovers it after the duration, wiped if asked', () => {
    const f = lay({
      crashes: [
        { target: 'n2', atMs: 100, durationMs: 50, wipe: true },
        { target: 'n3', atMs: 120, durationMs: undefined, wipe: false },
        { target: 'n4', atMs: 130, durationMs: 10, wipe: false },
      ],
    });
    expect(f.log).toEqual(['100 crash n2', '120 crash n3', '130 crash n4', '140 recover n4', '150 recover n2 wiped']);
  });

  it('a target already down is not crashed again nor recovered by this fault; one that refuses is not recovered', () => {
    const f = new Faults();
    f.down.add('n2');
    f.refuse.add('n3');
    lay(
      {
        crashes: [
          { target: 'n2', atMs: 100, durationMs: 50, wipe: false },
          { target: 'n3', atMs: 100, durationMs: 50, wipe: false },
        ],
      },
      cluster(),
      f,
    );
    expect(f.log).toEqual([]);
  });

  it('a target back up before the recovery (recovered by someone else) is left as it is', () => {
    const f = new Faults();
    layFaults(f, cluster(), plan({ crashes: [{ target: 'n2', atMs: 100, durationMs: 50, wipe: false }] }));
    f.at(120, () => f.down.delete('n2'));
    f.run();
    expect(f.log).toEqual(['100 crash n2']);
  });
});

describe('targets', () => {
  it('leader and primary: whoever leads when the fault fires; nobody when nobody leads', () => {
    let now: ActorId | null = 'n1';
    const f = new Faults();
    layFaults(
      f,
      cluster({}, () => now),
      plan({
        crashes: [
          { target: 'leader', atMs: 100, durationMs: undefined, wipe: false },
          { target: 'primary', atMs: 200, durationMs: undefined, wipe: false },
          { target: 'leader', atMs: 300, durationMs: undefined, wipe: false },
        ],
      }),
    );
    f.at(150, () => {
      now = 'n4';
    });
    f.at(250, () => {
      now = null;
    });
    f.run();
    expect(f.log).toEqual(['100 crash n1', '200 crash n4']);
  });

  it('random: a seeded member among those running then; nobody when none runs', () => {
    const c = cluster();
    const f = new Faults();
    f.down.add('n1');
    f.down.add('n2');
    lay({ pauses: [{ target: 'random', atMs: 10, durationMs: 5 }] }, c, f);
    const alive = ['n3', 'n4', 'n5'];
    expect(f.log).toEqual([`10 pause ${alive[Math.floor(createPrng(11, '$faults')() * 3)]} 5`]);
    const g = new Faults();
    for (const m of c.members) g.down.add(m);
    lay({ pauses: [{ target: 'random', atMs: 10, durationMs: 5 }] }, c, g);
    expect(g.log).toEqual([]);
  });

  it('a role: every member of it', () => {
    expect(lay({ skews: [{ target: 'lead', rate: 2, atMs: 5, durationMs: undefined }] }).log).toEqual(['5 skew n1 2', '5 skew n2 2']);
  });

  it('leader where the protocol has none: refused with the path', () => {
    const c = cluster({ leaderName: undefined });
    const f = new Faults();
    const go = () => layFaults(f, c, plan({ pauses: [{ target: 'leader', atMs: 1, durationMs: 1 }] }));
    expect(go).toThrow(ConfigError);
    expect(go).toThrow(
      'Invalid configuration at "faults.pause[0].target": expected random, an agent id or a role (this protocol has no leader), got "leader".',
    );
    expect(() => layFaults(f, c, plan({ pauses: [{ target: 'primary', atMs: 1, durationMs: 1 }] }))).toThrow('(this protocol has no leader)');
  });

  it('a name that is nothing: refused listing what would be (three ids, then ...), and an outsider named as such', () => {
    expect(() => lay({ crashes: [{ target: 'n9', atMs: 1, durationMs: undefined, wipe: false }] })).toThrow(
      'Invalid configuration at "faults.crash[0].target": expected leader, random, an agent id (n1, n2, n3, ...) or a role (lead, worker), got "n9".',
    );
    expect(() => lay({ skews: [{ target: 'client', rate: 2, atMs: 1, durationMs: undefined }] })).toThrow(
      'expected leader, random, an agent id (n1, n2, n3, ...) or a role (lead, worker) ("client" drives the run: it is not a member faults can hit), got "client"',
    );
    const small = cluster({ members: ['a', 'b', 'c'], leaderName: 'primary' });
    expect(() => lay({ pauses: [{ target: 'zz', atMs: 1, durationMs: 1 }] }, small)).toThrow(
      'at "faults.pause[0].target": expected primary, random, an agent id (a, b, c) or a role (lead, worker), got "zz"',
    );
    expect(() => lay({ pauses: [{ target: 'zz', atMs: 1, durationMs: 1 }] }, cluster({ leaderName: undefined }))).toThrow(
      'expected random, an agent id (n1, n2, n3, ...) or a role (lead, worker), got "zz"',
    );
  });
});

describe('partitions', () => {
  const p = { atMs: 100, durationMs: 50, ratio: 0.4, direction: 'both', shape: 'split', client: 'majority' } as const;

  it('split: the leader and the next members by ratio on one side, the rest and the driver on the other; healed after', () => {
    const f = lay(
      { partitions: [p] },
      cluster({}, () => 'n3'),
    );
    expect(f.log).toEqual(['100 partition n3,n1 | n2,n4,n5,client', '150 heal']);
  });

  it('split with the driver on the minority side, and with no leader', () => {
    expect(
      lay(
        { partitions: [{ ...p, client: 'minority' }] },
        cluster({}, () => null),
      ).log,
    ).toEqual(['100 partition n1,n2,client | n3,n4,n5', '150 heal']);
  });

  it('the minority side has at least one member and at most all but one', () => {
    expect(lay({ partitions: [{ ...p, ratio: 0.01 }] }).log[0]).toBe('100 partition n1 | n2,n3,n4,n5,client');
    expect(lay({ partitions: [{ ...p, ratio: 0.99 }] }).log[0]).toBe('100 partition n1,n2,n3,n4 | n5,client');
    // 5 * 0.5 = 2.5 rounds to 3.
    expect(lay({ partitions: [{ ...p, ratio: 0.5 }] }).log[0]).toBe('100 partition n1,n2,n3 | n4,n5,client');
  });

  it('bridge: the member after the minority belongs to neither side; at most all but two on the minority side', () => {
    expect(lay({ partitions: [{ ...p, shape: 'bridge' }] }).log).toEqual(['100 partition n1,n2 | n4,n5,client', '150 heal']);
    expect(lay({ partitions: [{ ...p, shape: 'bridge', ratio: 0.99 }] }).log[0]).toBe('100 partition n1,n2,n3 | n5,client');
  });

  it('bridge with fewer than 3 members: refused with the path; 3 are enough', () => {
    const two = cluster({ members: ['a', 'b'] });
    expect(() => lay({ partitions: [p, { ...p, shape: 'bridge' }] }, two)).toThrow(
      'Invalid configuration at "faults.partition[1].shape": expected split or ring (a bridge needs 3 members or more), got "bridge".',
    );
    expect(
      lay(
        { partitions: [{ ...p, shape: 'bridge' }] },
        cluster({ members: ['a', 'b', 'c'] }, () => 'a'),
      ).log[0],
    ).toBe('100 partition a | c,client');
  });

  it('one way: the minority cannot reach the majority (links blocked one way), bridge named', () => {
    expect(
      lay(
        { partitions: [{ ...p, direction: 'one_way', ratio: 0.2 }] },
        cluster({ members: ['a', 'b', 'c'] }, () => 'a'),
      ).log,
    ).toEqual(['100 block a>b a>c a>client (one-way: a cannot reach b,c,client)', '150 heal']);
    expect(
      lay(
        { partitions: [{ ...p, direction: 'one_way', shape: 'bridge', ratio: 0.2 }] },
        cluster({ members: ['a', 'b', 'c'] }, () => 'a'),
      ).log[0],
    ).toBe('100 block a>c a>client (one-way: a cannot reach c,client (bridge b))');
  });

  it('one way with several on each side: the lists are comma-separated', () => {
    expect(lay({ partitions: [{ ...p, direction: 'one_way' }] }).log[0]).toBe(
      '100 block n1>n3 n1>n4 n1>n5 n1>client n2>n3 n2>n4 n2>n5 n2>client (one-way: n1,n2 cannot reach n3,n4,n5,client)',
    );
  });

  it('ring: each member reaches the nearest on each side, a majority, never the same', () => {
    // 5 members: d = ceil(floor(5/2)/2) = 1.
    const five = lay({ partitions: [{ ...p, shape: 'ring' }] }, cluster({ members: ['a', 'b', 'c', 'd', 'e'] }));
    expect(five.log).toEqual(['100 block a>c a>d b>d b>e c>a c>e d>a d>b e>b e>c (ring: each member reaches the 1 nearest on each side)', '150 heal']);
    // 4 members: d = 1; 8 members: d = 2.
    expect(lay({ partitions: [{ ...p, shape: 'ring' }] }, cluster({ members: ['a', 'b', 'c', 'd'] })).log[0]).toBe(
      '100 block a>c b>d c>a d>b (ring: each member reaches the 1 nearest on each side)',
    );
    const eight = lay({ partitions: [{ ...p, shape: 'ring' }] }, cluster({ members: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }));
    expect(eight.log[0]).toBe(
      '100 block a>d a>e a>f b>e b>f b>g c>f c>g c>h d>a d>g d>h e>a e>b e>h f>a f>b f>c g>b g>c g>d h>c h>d h>e (ring: each member reaches the 2 nearest on each side)',
    );
  });

  it('between hosts: every actor with the host it is on when the partition starts; noted; healed', () => {
    const where = new Map<ActorId, number>([
      ['n1', 0],
      ['n2', 1],
      ['n3', 1],
      ['n4', 2],
      ['n5', 0],
      ['client', 0],
    ]);
    const c = cluster({ hostOf: (id) => where.get(id) });
    const f = new Faults();
    layFaults(f, c, plan({ partitions: [{ ...p, hosts: [[0], [1, 2]] }] }));
    f.at(50, () => where.set('n5', 2));
    f.run();
    expect(f.log).toEqual(['100 note partition-hosts: 0 | 1,2', '100 partition n1,client | n2,n3,n4,n5', '150 heal']);
  });

  it('between hosts where a group is empty: noted, no partition, still healed; an actor on no host is in no group', () => {
    const c = cluster({ hostOf: (id) => (id === 'n2' ? undefined : 0) });
    expect(lay({ partitions: [{ ...p, hosts: [[0], [1]] }] }, c).log).toEqual(['100 note partition-hosts: 0 | 1', '150 heal']);
    const d = cluster({ hostOf: (id) => (id === 'n2' ? undefined : id === 'n1' ? 1 : 0) });
    expect(lay({ partitions: [{ ...p, hosts: [[0], [1]] }] }, d).log[1]).toBe('100 partition n3,n4,n5,client | n1');
  });

  it('between hosts in sim mode (one host): refused with the path', () => {
    expect(() => lay({ partitions: [p, { ...p, hosts: [[0], [1]] }] })).toThrow(
      'Invalid configuration at "faults.partition[1].hosts": expected a run on several hosts (threads mode, or across nodes with --nats): sim mode has one, got',
    );
  });
});

describe('network, pauses, clock skews', () => {
  it('a network condition on the links from and to the targets of the moment, lifted after its duration', () => {
    const latency = { kind: 'fixed', ms: 5 } as never;
    const f = lay({
      network: [
        { atMs: 10, durationMs: 20, from: ['lead'], to: ['n5', 'leader'], latency, dropRate: 0.5, duplicateRate: 0.1, reorder: true },
        { atMs: 15, durationMs: undefined, dropRate: 1 },
      ],
    });
    expect(f.networks).toEqual([
      [10, 'faults.network[0]', { from: new Set(['n1', 'n2']), to: new Set(['n5', 'n1']), latency, dropRate: 0.5, duplicateRate: 0.1, reorder: true }],
      [15, 'faults.network[1]', { from: undefined, to: undefined, latency: undefined, dropRate: 1, duplicateRate: undefined, reorder: undefined }],
      [30, 'faults.network[0]', undefined],
    ]);
  });

  it('a network target that is nothing: refused with its path', () => {
    expect(() => lay({ network: [{ atMs: 0, durationMs: undefined, from: ['n1'], to: ['n1', 'nope'] }] })).toThrow('at "faults.network[0].to[1]"');
    expect(() => lay({ network: [{ atMs: 0, durationMs: undefined, from: ['nope'] }] })).toThrow('at "faults.network[0].from[0]"');
  });

  it('pauses only what runs, for the duration', () => {
    const f = new Faults();
    f.down.add('n2');
    lay({ pauses: [{ target: 'lead', atMs: 7, durationMs: 30 }] }, cluster(), f);
    expect(f.log).toEqual(['7 pause n1 30']);
  });

  it('a clock skew, reset after its duration', () => {
    expect(lay({ skews: [{ target: 'n3', rate: 1.5, atMs: 5, durationMs: 10 }] }).log).toEqual(['5 skew n3 1.5', '15 skew n3 undefined']);
  });

  it('the error paths name each list', () => {
    const bad = { target: 'nope', atMs: 1, durationMs: 1 };
    expect(() => lay({ pauses: [bad, bad] })).toThrow('at "faults.pause[0].target"');
    expect(() => lay({ skews: [{ ...bad, rate: 2 }] })).toThrow('at "faults.clock_skew[0].target"');
    expect(() => lay({ crashes: [{ ...bad, wipe: false }] })).toThrow('at "faults.crash[0].target"');
  });
});

describe('cascading failures', () => {
  const ring = (id: ActorId) => {
    const m = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const i = m.indexOf(id);
    return [m[(i + 4) % 5], m[(i + 1) % 5], 'client'];
  };

  it('initial failures drawn per member, each spreading to its member neighbours after a hop, seeded; recovered after', () => {
    const c = cluster({ neighbours: ring });
    const f = lay({ cascade: { atMs: 100, initialFailureRate: 0.3, propagation: 0.6, recoveryMs: 500, hopMs: 20 } }, c);
    // The expected run, drawn from the same seeded stream by hand.
    const rnd = createPrng(11, '$cascade');
    const expected: string[] = [];
    const failed = new Set<string>();
    const spread: [number, string][] = [];
    for (const id of c.members) if (rnd() < 0.3 && !failed.has(id)) failed.add(id), spread.push([120, id]), expected.push(`100 ${id} initial`);
    expect(expected.length).toBeGreaterThan(0);
    expect(f.log.filter((l) => l.includes('note cascade')).slice(0, expected.length)).toEqual(expected.map((e) => e.replace(/^100 /, '100 note cascade: ')));
    // Every failure is a crash at its time and a recovery 500 ms later; the driver is never hit.
    const crashes = f.log.filter((l) => l.includes(' crash '));
    const recoveries = f.log.filter((l) => l.includes(' recover '));
    expect(crashes.length).toBe(recoveries.length);
    for (const cr of crashes) {
      const [t, , id] = cr.split(' ');
      expect(recoveries).toContain(`${Number(t) + 500} recover ${id}`);
    }
    expect(f.log.join('\n')).not.toContain('client');
    // A spread names where it came from.
    for (const note of f.log.filter((l) => l.includes('note cascade') && !l.includes('initial'))) expect(note).toMatch(/^\d+ note cascade: n\d from n\d$/);
  });

  it('a propagation of 0 spreads nothing', () => {
    const c = cluster({ neighbours: ring });
    const f = lay({ cascade: { atMs: 0, initialFailureRate: 0.087, propagation: 0, recoveryMs: undefined, hopMs: 10 } }, c);
    expect(f.log).toEqual(['0 note cascade: n2 initial', '0 crash n2']);
  });

  it('no initial failure: nothing; every member failing at once: each noted and crashed once, none again by the spread', () => {
    const c = cluster({ neighbours: ring });
    const f = lay({ cascade: { atMs: 0, initialFailureRate: 0, propagation: 1, recoveryMs: undefined, hopMs: 10 } }, c);
    expect(f.log).toEqual([]);
    const g = new Faults();
    layFaults(
      g,
      cluster({ neighbours: ring, members: ['n1', 'n2', 'n3', 'n4', 'n5'] }),
      plan({ cascade: { atMs: 0, initialFailureRate: 1, propagation: 1, recoveryMs: undefined, hopMs: 10 } }),
    );
    g.run();
    expect(g.log).toEqual([
      '0 note cascade: n1 initial',
      '0 crash n1',
      '0 note cascade: n2 initial',
      '0 crash n2',
      '0 note cascade: n3 initial',
      '0 crash n3',
      '0 note cascade: n4 initial',
      '0 crash n4',
      '0 note cascade: n5 initial',
      '0 crash n5',
    ]);
  });

  it('spreads hop by hop from one failure to members only; a member already down is skipped; one that refuses the crash spreads nothing', () => {
    const c = cluster({ neighbours: ring });
    const f = new Faults();
    // The seeded draws for n1..n5: at a rate of 0.087 only n2's is below.
    const r = createPrng(11, '$cascade');
    expect(c.members.filter(() => r() < 0.087)).toEqual(['n2']);
    f.down.add('n3');
    f.refuse.add('n5');
    layFaults(f, c, plan({ cascade: { atMs: 0, initialFailureRate: 0.087, propagation: 1, recoveryMs: undefined, hopMs: 10 } }));
    f.run();
    expect(f.log).toEqual([
      '0 note cascade: n2 initial',
      '0 crash n2',
      // n2's neighbours: n1 (fails), n3 (down: skipped), the driver (not a member).
      '10 note cascade: n1 from n2',
      '10 crash n1',
      // n1's: n5 refuses the crash (noted, spreads nothing), n2 failed already.
      '20 note cascade: n5 from n1',
    ]);
  });
});
