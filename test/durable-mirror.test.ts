import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurableMirror, DurableStores } from '../src/actors/durable-store.ts';

/**
 * A host's durable stores shipped off as changes (src/net/: a node's actors' "disks" mirrored on
 * the coordinator): after every `takeChanges()`, applied in order through the wire's
 * serialisation, the mirror holds exactly what each actor would find on restart.
 */

/** The mirror as plain data, arrays' named properties (a Raft log's start/startTerm) included. */
const view = (entries: [string, unknown][] | undefined) => (entries === undefined ? undefined : structuredClone(Object.fromEntries(entries)));
const ship = (disks: DurableStores, mirror: DurableMirror) => {
  const changes = disks.takeChanges();
  mirror.apply(deserialize(serialize(changes)));
  return changes;
};

describe('durable stores mirrored by their changes', () => {
  it('ships a set once, a log growing in place as appends, and a truncation or compaction whole', () => {
    const disks = new DurableStores();
    disks.journal();
    const mirror = new DurableMirror();
    const d = disks.of('n1');
    const log: { term: number; c: string }[] & { start?: number; startTerm?: number } = [];
    d.set('log', log);
    d.set('term', 1);
    expect(ship(disks, mirror).map((c) => c.op)).toEqual(['set', 'set']);
    log.push({ term: 1, c: 'a' }, { term: 1, c: 'b' });
    expect(ship(disks, mirror)).toEqual([
      {
        actor: 'n1',
        op: 'append',
        key: 'log',
        from: 0,
        items: [
          { term: 1, c: 'a' },
          { term: 1, c: 'b' },
        ],
      },
    ]);
    expect(ship(disks, mirror)).toEqual([]); // nothing changed, nothing shipped
    log.push({ term: 1, c: 'c' });
    expect(ship(disks, mirror).map((c) => c.op)).toEqual(['append']);
    // A conflicting suffix replaced (same length): the last entry differs, so the log goes whole.
    log.length = 2;
    log.push({ term: 2, c: 'z' });
    expect(ship(disks, mirror).map((c) => c.op)).toEqual(['set']);
    expect(view(mirror.durableOf('n1'))).toEqual({
      log: [
        { term: 1, c: 'a' },
        { term: 1, c: 'b' },
        { term: 2, c: 'z' },
      ],
      term: 1,
    });
    // Compaction: the front goes, start/startTerm say where the log begins.
    log.splice(0, 2);
    log.start = 2;
    log.startTerm = 1;
    log.push({ term: 2, c: 'y' });
    d.set('log', log);
    expect(ship(disks, mirror).map((c) => c.op)).toEqual(['set']);
    const m = mirror.durableOf('n1')!;
    const mirrored = m.find(([k]) => k === 'log')![1] as typeof log;
    expect([mirrored.start, mirrored.startTerm, mirrored.length]).toEqual([2, 1, 2]);
    d.delete('term');
    disks.wipe('n2');
    expect(ship(disks, mirror).map((c) => c.op)).toEqual(['wipe', 'delete']);
    expect(mirror.durableOf('n1')!.map(([k]) => k)).toEqual(['log']);
  });

  it('a store seeded on a new host ships whole; a wipe empties its mirror', () => {
    const disks = new DurableStores();
    disks.journal();
    const mirror = new DurableMirror();
    disks.seed('n3', [
      ['term', 7],
      ['log', [{ term: 7 }]],
    ]);
    ship(disks, mirror);
    expect(view(mirror.durableOf('n3'))).toEqual({ term: 7, log: [{ term: 7 }] });
    (disks.of('n3').get('log') as unknown[]).push({ term: 8 });
    ship(disks, mirror);
    expect(view(mirror.durableOf('n3'))).toEqual({ term: 7, log: [{ term: 7 }, { term: 8 }] });
    disks.wipe('n3');
    ship(disks, mirror);
    expect(mirror.durableOf('n3')).toBeUndefined();
  });

  it('without journal() nothing is recorded (worker threads pay nothing)', () => {
    const disks = new DurableStores();
    disks.of('n1').set('term', 1);
    expect(disks.takeChanges()).toEqual([]);
  });

  it("an append the mirror cannot place drops that actor's mirror (a restart then starts empty), and keeps nothing for it until a wipe", () => {
    const mirror = new DurableMirror();
    mirror.apply([
      { actor: 'n1', op: 'set', key: 'log', value: [1, 2] },
      { actor: 'n2', op: 'set', key: 'term', value: 4 },
    ]);
    mirror.apply([{ actor: 'n1', op: 'append', key: 'log', from: 3, items: [4] }]); // 3 was never seen
    expect(mirror.durableOf('n1')).toBeUndefined();
    expect([...mirror.broken]).toEqual(['n1']);
    expect(mirror.durableOf('n2')).toEqual([['term', 4]]); // the others keep theirs
    mirror.apply([{ actor: 'n1', op: 'append', key: 'log', from: 4, items: [5] }]);
    expect(mirror.durableOf('n1')).toBeUndefined();
    // One key set again does not make the rest of its disk whole: still nothing.
    mirror.apply([{ actor: 'n1', op: 'set', key: 'term', value: 5 }]);
    expect(mirror.durableOf('n1')).toBeUndefined();
    // A wiped disk starts again from what is shipped after it.
    mirror.apply([
      { actor: 'n1', op: 'wipe' },
      { actor: 'n1', op: 'set', key: 'log', value: [] },
    ]);
    expect(mirror.durableOf('n1')).toEqual([['log', []]]);
    expect(mirror.broken.size).toBe(0);
  });

  it('property: any sequence of Raft-like log operations and shipments leaves the mirror equal to the store', () => {
    type Op = { kind: 'push'; n: number } | { kind: 'truncate'; keep: number } | { kind: 'compact'; drop: number } | { kind: 'term' } | { kind: 'ship' };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(10) }),
      fc.record({ kind: fc.constant('compact' as const), drop: fc.nat(5) }),
      fc.record({ kind: fc.constant('term' as const) }),
      fc.record({ kind: fc.constant('ship' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops: Op[]) => {
        const disks = new DurableStores();
        disks.journal();
        const mirror = new DurableMirror();
        const d = disks.of('n1');
        const log: { term: number; i: number }[] & { start?: number; startTerm?: number } = [];
        let term = 0;
        let next = 0;
        d.set('log', log);
        for (const o of [...ops, { kind: 'ship' } as Op]) {
          if (o.kind === 'push') for (let k = 0; k < o.n; k++) log.push({ term, i: next++ });
          else if (o.kind === 'truncate') log.length = Math.min(log.length, o.keep);
          else if (o.kind === 'compact' && o.drop > 0 && o.drop <= log.length) {
            log.startTerm = log[o.drop - 1].term;
            log.start = (log.start ?? 0) + o.drop;
            log.splice(0, o.drop);
            d.set('log', log); // as Raft does when it compacts (the class's contract)
          } else if (o.kind === 'term') d.set('term', ++term);
          else if (o.kind === 'ship') {
            ship(disks, mirror);
            expect(view(mirror.durableOf('n1'))).toEqual(view([...disks_entries(d)]));
          }
        }
        function disks_entries(store: typeof d): [string, unknown][] {
          const out: [string, unknown][] = [['log', store.get('log')]];
          if (store.get('term') !== undefined) out.push(['term', store.get('term')]);
          return out;
        }
      }),
      { numRuns: 300 },
    );
  });
});
