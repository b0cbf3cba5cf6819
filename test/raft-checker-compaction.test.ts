import { describe, expect, it } from 'vitest';
import { checkRaftSafety } from '../src/check/raft-safety.ts';
import type { TraceEvent } from '../src/index.ts';

/**
 * The Raft checker's rules across log compaction, on hand-built traces (the mutation run of
 * src/check/raft-safety.ts after compaction landed left them unpinned): log matching compares only
 * what both leaders' logs still hold, a compacted log's base counts with its term, and two
 * snapshots at one index must agree in digest and term.
 */
const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });
/** A leader elected with its log compacted to `base` (of term `baseTerm`), holding `terms` after it. */
const leader = (actor: string, term: number, terms: number[], base = 0, baseTerm = 0) =>
  emit(0, actor, { type: 'raft-leader', term, lastIndex: base + terms.length, terms, base, baseTerm });
const snapshot = (actor: string, how: string, index: number, term: number, digest: string) =>
  emit(0, actor, { type: 'raft-snapshot', how, index, term, digest, chars: 10, logStart: index });
const brief = (events: TraceEvent[]) => checkRaftSafety(events).map((v) => [v.property, v.detail, v.positions]);

describe('raft checker across compaction: log matching', () => {
  it('an index inside a compacted prefix is not compared (the snapshot digests judge it)', () => {
    // n1 was compacted to index 2: what n2 holds at index 1 (term 2) is in n1's snapshot, not its log.
    expect(brief([leader('n2', 3, [2, 1, 1]), leader('n1', 4, [1], 2, 1)])).toEqual([]);
  });

  it("a compacted log's base is compared with its term: matching at 3, differing at the base 2", () => {
    expect(brief([leader('n2', 3, [1, 2, 1]), leader('n1', 4, [1], 2, 1)])).toEqual([
      ['log-matching', 'n2 (term 3) and n1 (term 4) both hold term 1 at index 3 but differ at index 2', [0, 1]],
    ]);
  });

  it('is judged over the indexes both logs hold: a longer log beyond the other ends is not a divergence', () => {
    expect(brief([leader('n2', 3, [1, 1, 1, 2, 3]), leader('n1', 4, [1, 1], 1, 1)])).toEqual([]);
    // ... and the lowest common index counts: they agree at 3 and differ at 2, the first index n1 holds after its base.
    expect(brief([leader('n2', 3, [1, 2, 1]), leader('n1', 4, [1, 1], 1, 1)])).toEqual([
      ['log-matching', 'n2 (term 3) and n1 (term 4) both hold term 1 at index 3 but differ at index 2', [0, 1]],
    ]);
  });
});

describe('raft checker across compaction: snapshots', () => {
  it('two snapshots at one index with the same digest agree; a different digest is state-machine safety, naming both', () => {
    expect(brief([snapshot('n1', 'taken', 50, 2, 'a'.repeat(64)), snapshot('n2', 'installed', 50, 2, 'a'.repeat(64))])).toEqual([]);
    expect(brief([snapshot('n1', 'taken', 50, 2, 'a'.repeat(64)), snapshot('n2', 'taken', 50, 2, 'b'.repeat(64))])).toEqual([
      [
        'state-machine-safety',
        `index 50: n1's snapshot (taken, term 2, digest ${'a'.repeat(12)}) differs from n2's (taken, term 2, digest ${'b'.repeat(12)})`,
        [0, 1],
      ],
    ]);
  });

  it('the same digest under another term at one index is a violation too', () => {
    expect(brief([snapshot('n1', 'taken', 50, 2, 'a'.repeat(64)), snapshot('n2', 'recovered', 50, 3, 'a'.repeat(64))]).map((v) => v[0])).toEqual([
      'state-machine-safety',
    ]);
  });
});

describe('raft checker across compaction: what a snapshot says about applies and commits', () => {
  const spawn = (actor: string): TraceEvent => ({ t: 0, type: 'spawn', actor, behaviour: 'raft-node', host: 0 });
  const apply = (actor: string, index: number) => emit(0, actor, { type: 'raft-apply', index, term: 1, command: { op: 'noop' } });
  const commit = (actor: string, index: number, term: number) => emit(0, actor, { type: 'raft-commit', index, term, leaderTerm: term });

  it('a node that took a snapshot and restarted wiped applies from 1 again; one that recovered from it applies from after it', () => {
    expect(brief([snapshot('n1', 'taken', 50, 1, 'a'.repeat(64)), spawn('n1'), apply('n1', 1)])).toEqual([]);
    expect(brief([snapshot('n1', 'recovered', 50, 1, 'a'.repeat(64)), spawn('n1'), apply('n1', 51)])).toEqual([]);
  });

  it('a snapshot whose last entry is not the one committed at its index is state-machine safety', () => {
    expect(brief([commit('n1', 50, 2), snapshot('n2', 'installed', 50, 3, 'a'.repeat(64))])).toEqual([
      ['state-machine-safety', 'n2 installed a snapshot up to index 50 of term 3, but index 50 was committed with term 2 by n1', [0, 1]],
    ]);
  });

  it('two logs that share no term at any index they both hold do not break log matching', () => {
    expect(brief([leader('n2', 3, [1, 1]), leader('n1', 4, [2, 2])])).toEqual([]);
  });
});
