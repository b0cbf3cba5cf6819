import { describe, expect, it } from 'vitest';
import { DEFAULT_SNAPSHOT_EVERY, isConfig, RAFT_KINDS, type RaftCommand, type RaftProps, resolveRaftProps } from '../src/protocols/raft/messages.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * Raft's messages module (`messages.ts`): the props with every default filled in and each bad
 * field refused by name (at its bounds), the configuration-entry test, and the wire's kinds.
 */

const at = (path: string, expected: string, got: string) => ({
  path,
  message: `Invalid configuration at "${path}": expected ${expected}, got ${got}.`,
});
/** The refusal of `props` for node n1 (a member unless the props say otherwise). */
const refused = (props: Partial<RaftProps>) => refusal(() => resolveRaftProps({ peers: ['n1', 'n2'], ...props } as RaftProps, 'n1'));
const ok = (props: Partial<RaftProps>) => resolveRaftProps({ peers: ['n1', 'n2'], ...props } as RaftProps, 'n1');
const field = (name: string, expected: string, got: string) => at(`raft("n1").props.${name}`, expected, got);

describe('resolveRaftProps', () => {
  it('fills in every default', () => {
    expect(resolveRaftProps({ peers: ['a', 'b', 'c'] })).toEqual({
      peers: ['a', 'b', 'c'],
      electionTimeoutMinMs: 150,
      electionTimeoutMaxMs: 300,
      heartbeatMs: 50,
      maxBatch: 64,
      maxInflight: 4,
      forward: true,
      preVote: true,
      checkQuorum: true,
      stateMachine: 'kv',
      snapshotEvery: 10_000,
      snapshotChunkChars: 65_536,
      learnerRounds: 0,
    });
    expect(DEFAULT_SNAPSHOT_EVERY).toBe(10_000);
  });

  it('keeps every value given, and copies the peers (the caller’s array may change later)', () => {
    const peers = ['n1', 'n2'];
    const given: RaftProps = {
      peers,
      electionTimeoutMinMs: 20,
      electionTimeoutMaxMs: 40,
      heartbeatMs: 5,
      maxBatch: 3,
      maxInflight: 2,
      forward: false,
      preVote: false,
      checkQuorum: false,
      stateMachine: 'kv',
      snapshotEvery: 7,
      snapshotChunkChars: 11,
      learnerRounds: 9,
    };
    const r = resolveRaftProps(given, 'n1');
    expect(r).toEqual({ ...given, peers: ['n1', 'n2'] });
    expect(r.peers).not.toBe(peers);
    peers.push('n3');
    expect(r.peers).toEqual(['n1', 'n2']);
  });

  it('props that are not an object: refused as a whole, the node named when known', () => {
    expect(refusal(() => resolveRaftProps(undefined))).toEqual(at('raft.props', '{ peers: string[], ... }', 'undefined'));
    expect(refusal(() => resolveRaftProps(null as never, 'n1'))).toEqual(at('raft("n1").props', '{ peers: string[], ... }', 'null'));
    expect(refusal(() => resolveRaftProps('peers' as never, 'n1'))).toEqual(at('raft("n1").props', '{ peers: string[], ... }', '"peers"'));
  });

  it('peers: a non-empty array of strings that includes this node', () => {
    const peers = 'a non-empty array of node ids';
    expect(refusal(() => resolveRaftProps({} as RaftProps))).toEqual(at('raft.props.peers', peers, 'undefined'));
    expect(refused({ peers: 'n1' as never })).toEqual(field('peers', peers, '"n1"'));
    expect(refused({ peers: [] })).toEqual(field('peers', peers, 'an array of 0'));
    expect(refused({ peers: ['n1', 2 as never] })).toEqual(field('peers', peers, 'an array of 2'));
    expect(refused({ peers: ['n2', 'n3'] })).toEqual(field('peers', 'a list that includes this node ("n1")', 'an array of 2'));
    expect(resolveRaftProps({ peers: ['n2'] }).peers).toEqual(['n2']);
  });

  it('election timeouts: the minimum > 0, the maximum at least the minimum', () => {
    expect(refused({ electionTimeoutMinMs: 0 })).toEqual(field('electionTimeoutMinMs', 'a number of ms > 0', 'number 0'));
    expect(refused({ electionTimeoutMinMs: Number.NaN })).toEqual(field('electionTimeoutMinMs', 'a number of ms > 0', 'number NaN'));
    expect(refused({ electionTimeoutMinMs: 100, electionTimeoutMaxMs: 99 })).toEqual(
      field('electionTimeoutMaxMs', 'a number of ms >= electionTimeoutMinMs (100)', 'number 99'),
    );
    expect(ok({ electionTimeoutMinMs: 100, electionTimeoutMaxMs: 100, heartbeatMs: 0.5 })).toMatchObject({
      electionTimeoutMinMs: 100,
      electionTimeoutMaxMs: 100,
      heartbeatMs: 0.5,
    });
    expect(ok({ electionTimeoutMinMs: 0.75, heartbeatMs: 0.5 }).electionTimeoutMinMs).toBe(0.75);
  });

  it('heartbeatMs: > 0 and below the minimum election timeout', () => {
    const hb = (got: string) => field('heartbeatMs', 'a number of ms > 0 and < electionTimeoutMinMs (150)', got);
    expect(refused({ heartbeatMs: 0 })).toEqual(hb('number 0'));
    expect(refused({ heartbeatMs: 150 })).toEqual(hb('number 150'));
    expect(refused({ heartbeatMs: Number.NaN })).toEqual(hb('number NaN'));
    expect(ok({ heartbeatMs: 149 }).heartbeatMs).toBe(149);
  });

  it('maxBatch and maxInflight: integers >= 1', () => {
    expect(refused({ maxBatch: 0 })).toEqual(field('maxBatch', 'an integer >= 1', 'number 0'));
    expect(refused({ maxBatch: 1.5 })).toEqual(field('maxBatch', 'an integer >= 1', 'number 1.5'));
    expect(refused({ maxInflight: 0 })).toEqual(field('maxInflight', 'an integer >= 1', 'number 0'));
    expect(refused({ maxInflight: 2.5 })).toEqual(field('maxInflight', 'an integer >= 1', 'number 2.5'));
    expect(ok({ maxBatch: 1, maxInflight: 1 })).toMatchObject({ maxBatch: 1, maxInflight: 1 });
  });

  it('preVote, forward, checkQuorum: booleans; stateMachine: kv', () => {
    expect(refused({ preVote: 'yes' as never })).toEqual(field('preVote', 'a boolean', '"yes"'));
    expect(refused({ forward: 1 as never })).toEqual(field('forward', 'a boolean', 'number 1'));
    expect(refused({ checkQuorum: 0 as never })).toEqual(field('checkQuorum', 'a boolean', 'number 0'));
    expect(refused({ stateMachine: 'sql' as never })).toEqual(field('stateMachine', "'kv'", '"sql"'));
  });

  it('snapshotEvery: an integer from 0 to 1e9', () => {
    const e = (got: string) => field('snapshotEvery', 'an integer from 0 (compaction off) to 1e9', got);
    expect(refused({ snapshotEvery: -1 })).toEqual(e('number -1'));
    expect(refused({ snapshotEvery: 2.5 })).toEqual(e('number 2.5'));
    expect(refused({ snapshotEvery: 1e9 + 1 })).toEqual(e('number 1000000001'));
    expect(ok({ snapshotEvery: 0 }).snapshotEvery).toBe(0);
    expect(ok({ snapshotEvery: 1e9 }).snapshotEvery).toBe(1e9);
  });

  it('learnerRounds: an integer from 0 to 1,000', () => {
    const e = (got: string) => field('learnerRounds', 'an integer from 0 (add voters at once) to 1,000', got);
    expect(refused({ learnerRounds: -1 })).toEqual(e('number -1'));
    expect(refused({ learnerRounds: 0.5 })).toEqual(e('number 0.5'));
    expect(refused({ learnerRounds: 1001 })).toEqual(e('number 1001'));
    expect(ok({ learnerRounds: 1000 }).learnerRounds).toBe(1000);
  });

  it('snapshotChunkChars: an integer from 1 to 2^26', () => {
    const e = (got: string) => field('snapshotChunkChars', 'an integer from 1 to 67,108,864', got);
    expect(refused({ snapshotChunkChars: 0 })).toEqual(e('number 0'));
    expect(refused({ snapshotChunkChars: 1.5 })).toEqual(e('number 1.5'));
    expect(refused({ snapshotChunkChars: 2 ** 26 + 1 })).toEqual(e('number 67108865'));
    expect(ok({ snapshotChunkChars: 1 }).snapshotChunkChars).toBe(1);
    expect(ok({ snapshotChunkChars: 2 ** 26 }).snapshotChunkChars).toBe(2 ** 26);
  });
});

describe('isConfig', () => {
  it('true only for op config with a list of members', () => {
    expect(isConfig({ op: 'config', members: ['n1'] })).toBe(true);
    expect(isConfig({ op: 'config', members: [] })).toBe(true);
    expect(isConfig({ op: 'config' } as unknown as RaftCommand)).toBe(false);
    expect(isConfig({ op: 'config', members: 'n1' } as unknown as RaftCommand)).toBe(false);
    expect(isConfig({ op: 'put', key: 'k', value: 'v', members: ['n1'] } as unknown as RaftCommand)).toBe(false);
    expect(isConfig({ op: 'noop' })).toBe(false);
  });
});

describe('RAFT_KINDS', () => {
  it('names the wire and the timers', () => {
    expect(RAFT_KINDS).toEqual({
      requestVote: 'raft-request-vote',
      requestVoteReply: 'raft-request-vote-reply',
      appendEntries: 'raft-append-entries',
      appendEntriesReply: 'raft-append-entries-reply',
      clientRequest: 'raft-client-request',
      clientReply: 'raft-client-reply',
      electionTimeout: 'raft-election-timeout',
      heartbeat: 'raft-heartbeat',
      preVote: 'raft-pre-vote',
      preVoteReply: 'raft-pre-vote-reply',
      timeoutNow: 'raft-timeout-now',
      transferLeadership: 'raft-transfer-leadership',
      transferReply: 'raft-transfer-reply',
      transferTimeout: 'raft-transfer-timeout',
      changeMembership: 'raft-change-membership',
      membershipReply: 'raft-membership-reply',
      forwardedReply: 'raft-forwarded-reply',
      installSnapshot: 'raft-install-snapshot',
      installSnapshotReply: 'raft-install-snapshot-reply',
    });
  });
});
