import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import { KeyValueMachine } from '../src/protocols/raft/kv-store.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { clientReplyOk, rejected, snapshotReadable, wellFormed } from '../src/protocols/raft/wire-check.ts';

const machine = new KeyValueMachine();
const put = { op: 'put', key: 'k', value: 'v' };

// A valid body of each kind a server reads, and for each field the values it must refuse.
const VALID: Record<string, Record<string, unknown>> = {
  [RAFT_KINDS.requestVote]: { term: 3, lastLogIndex: 10, lastLogTerm: 2 },
  [RAFT_KINDS.preVote]: { term: 3, lastLogIndex: 10, lastLogTerm: 2 },
  [RAFT_KINDS.requestVoteReply]: { term: 3, granted: true },
  [RAFT_KINDS.preVoteReply]: { term: 3, forTerm: 4, granted: false },
  [RAFT_KINDS.appendEntries]: {
    term: 3,
    prevLogIndex: 10,
    prevLogTerm: 2,
    leaderCommit: 9,
    round: 1,
    entries: [
      { term: 3, command: put, client: 'c1', seq: 7, lowestPending: 7 },
      { term: 3, command: { op: 'noop' } },
      { term: 3, command: { op: 'config', members: ['a', 'b', 'c'] } },
    ],
  },
  [RAFT_KINDS.appendEntriesReply]: { term: 3, success: true, matchIndex: 10, conflictTerm: 2, conflictIndex: 4, round: 1 },
  [RAFT_KINDS.installSnapshot]: { term: 3, index: 100, lastTerm: 2, configIndex: 0, members: ['a', 'b'], offset: 0, data: '{', done: false },
  [RAFT_KINDS.installSnapshotReply]: { term: 3, index: 100, offset: 64, done: true },
  [RAFT_KINDS.timeoutNow]: { term: 3 },
};

const NOT_A_COUNT = [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '3', null, undefined, true, {}];
const NOT_A_FLAG = [1, 'true', null, undefined];
/** Fields that may be left out. */
const OPTIONAL = new Set(['round', 'conflictTerm', 'conflictIndex']);

describe('Raft wire shapes', () => {
  it.each(Object.keys(VALID))('%s: the valid body passes, each field of a wrong type is refused', (kind) => {
    const body = VALID[kind]!;
    expect(wellFormed(kind, body, machine)).toBe(true);
    for (const bad of [null, undefined, 3, 'x', []]) expect(wellFormed(kind, bad, machine)).toBe(false);
    for (const [field, value] of Object.entries(body)) {
      const wrong =
        typeof value === 'number' ? NOT_A_COUNT : typeof value === 'boolean' ? NOT_A_FLAG : typeof value === 'string' ? [null, 3, []] : [null, 3, 'x'];
      for (const w of wrong) {
        const ok = w === undefined && OPTIONAL.has(field);
        expect(wellFormed(kind, { ...body, [field]: w }, machine), `${kind}.${field} = ${String(w)}`).toBe(ok);
      }
    }
    if (kind === RAFT_KINDS.installSnapshot) expect(wellFormed(kind, { ...body, members: ['a', 3] }, machine)).toBe(false);
  });

  it('the edges of a count: 0 and 2^53 - 1 pass', () => {
    expect(wellFormed(RAFT_KINDS.timeoutNow, { term: 0 }, machine)).toBe(true);
    expect(wellFormed(RAFT_KINDS.timeoutNow, { term: Number.MAX_SAFE_INTEGER }, machine)).toBe(true);
  });

  it('entries: each needs a term, a command Raft or the machine applies, and a client with its seq', () => {
    const ae = VALID[RAFT_KINDS.appendEntries]!;
    const with1 = (e: unknown) => wellFormed(RAFT_KINDS.appendEntries, { ...ae, entries: [e] }, machine);
    expect(with1({ term: 1, command: put })).toBe(true);
    expect(with1({ term: 1, command: put, client: 'c', seq: 0 })).toBe(true);
    expect(with1({ term: 1, command: put, client: 'c', seq: 0, lowestPending: -1 })).toBe(false);
    expect(with1({ term: 1, command: put, client: 'c' })).toBe(false); // a client without its seq
    expect(with1({ term: 1, command: put, seq: 3 })).toBe(false); // a seq without its client
    expect(with1({ term: 1, command: put, client: 4, seq: 3 })).toBe(false);
    expect(with1({ term: -1, command: put })).toBe(false);
    expect(with1({ term: 1, command: null })).toBe(false);
    expect(with1({ term: 1, command: 'put' })).toBe(false);
    expect(with1({ term: 1, command: { op: 'drop-table' } })).toBe(false); // the machine refuses it
    expect(with1({ term: 1, command: { op: 'config', members: ['a', null] } })).toBe(false);
    expect(with1({ term: 1, command: { op: 'config' } })).toBe(false);
    expect(with1(null)).toBe(false);
    expect(with1(7)).toBe(false);
    expect(wellFormed(RAFT_KINDS.appendEntries, { ...ae, entries: [] }, machine)).toBe(true);
  });

  it('kinds it does not know of pass through (their handlers check them)', () => {
    expect(wellFormed(RAFT_KINDS.forwardedReply, { anything: 1 }, machine)).toBe(true);
    expect(wellFormed(RAFT_KINDS.forwardedReply, null, machine)).toBe(false);
  });

  it('a client reply: ids, the flag, and an index or a leader hint as the flag says', () => {
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: true, index: 4, result: null })).toBe(true);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: true, index: 4, result: null, leader: 'n1' })).toBe(true);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: true, index: 4, leader: null })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: true })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: false, leader: null })).toBe(true);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: false, leader: 'n2' })).toBe(true);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: false })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: false, leader: 5 })).toBe(false);
    expect(clientReplyOk({ clientId: 3, seq: 1, ok: false, leader: null })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: -1, ok: false, leader: null })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: 'yes', leader: null })).toBe(false);
    expect(clientReplyOk({ clientId: 'c', seq: 1, ok: 1, index: 4 })).toBe(false); // a truthy flag is no flag
    expect(clientReplyOk(null)).toBe(false);
    expect(clientReplyOk('reply')).toBe(false);
  });

  it('a snapshot reads as one: JSON with the machine and well-formed client sessions', () => {
    const snap = (x: unknown) => snapshotReadable(JSON.stringify(x));
    expect(snap({ machine: [['k', 'v']], sessions: [['c1', 3, [[3, { ok: true }, 12]]]] })).toBe(true);
    expect(snap({ machine: null, sessions: [] })).toBe(true);
    expect(snapshotReadable('{"machine"')).toBe(false);
    expect(snapshotReadable('5')).toBe(false); // JSON, but no object to look in
    expect(snap(null)).toBe(false);
    expect(snap({ sessions: [] })).toBe(false); // no machine
    expect(snap({ machine: [], sessions: {} })).toBe(false);
    expect(snap({ machine: [], sessions: [null] })).toBe(false);
    expect(snap({ machine: [], sessions: [[1, 3, []]] })).toBe(false);
    expect(snap({ machine: [], sessions: [['c', -3, []]] })).toBe(false);
    expect(snap({ machine: [], sessions: [['c', 3, {}]] })).toBe(false);
    expect(snap({ machine: [], sessions: [['c', 3, [null]]] })).toBe(false);
    expect(snap({ machine: [], sessions: [['c', 3, [[1.5, null, 2]]]] })).toBe(false);
    expect(
      snap({
        machine: [],
        sessions: [
          [
            'c',
            3,
            [
              [1, null, 2],
              [1.5, null, 2],
            ],
          ],
        ],
      }),
    ).toBe(false); // every result, not the first
    expect(snap({ machine: [], sessions: [['c', 3, [[1, null, 'x']]]] })).toBe(false);
  });

  it('a refusal is traced with who sent what and why', () => {
    const emitted: unknown[] = [];
    rejected({ emit: (e: unknown) => void emitted.push(e) } as unknown as ActorContext<unknown>, 'n2', RAFT_KINDS.appendEntries, 'malformed');
    expect(emitted).toEqual([{ type: 'raft-rejected', from: 'n2', kind: RAFT_KINDS.appendEntries, reason: 'malformed' }]);
  });
});
