import { describe, expect, it } from 'vitest';
import type { ActorId, Envelope, Message } from '../src/actors/envelope.ts';
import { answer, applyCommitted, onClientRequest, onForwardedReply, redirect } from '../src/protocols/raft/clients.ts';
import { refreshConfig } from '../src/protocols/raft/membership.ts';
import { type ClientRequest, type LogEntry, RAFT_KINDS, type RaftProps, resolveRaftProps } from '../src/protocols/raft/messages.ts';
import { key, RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import type { MachineCommand, StateMachine } from '../src/protocols/raft/state-machine.ts';
import { entry, eventsOf, follower, leader, type Recording, recordingCtx } from './fixtures/raft-by-hand.ts';

/**
 * `clients.ts` one function at a time: applying committed entries (the `raft-apply` events, cut
 * at a snapshot, emitted before the answers and also when the machine throws; the waiting clients
 * answered by the leader only), answering directly or through the follower that forwarded,
 * passing a forwarded answer on, redirecting, and every rule of a client's request (malformed
 * ones ignored, forwarding once, a transfer, a read, a duplicate, a retry).
 */

const three = ['n1', 'n2', 'n3'];

const put = (k: string, v: string) => ({ op: 'put', key: k, value: v });
const clientEntry = (term: number, client: string, seq: number, k: string, lowestPending?: number): LogEntry =>
  lowestPending === undefined
    ? { term, command: put(k, `${client}:${seq}`), client, seq }
    : { term, command: put(k, `${client}:${seq}`), client, seq, lowestPending };

/** Everything the context was asked to do, in one order: ['send', to, kind, body] and ['emit', event]. */
function trail(r: Recording): unknown[][] {
  const all: unknown[][] = [];
  Object.assign(r.ctx, {
    send: (to: ActorId, m: Message) => {
      r.sent.push({ to, kind: m.kind, body: m.body });
      all.push(['send', to, m.kind, m.body]);
    },
    reply: (req: Envelope, m: Message) => {
      r.sent.push({ to: req.from, kind: m.kind, body: m.body });
      all.push(['send', req.from, m.kind, m.body]);
    },
    emit: (e: Record<string, unknown>) => {
      r.events.push({ ...e });
      all.push(['emit', { ...e }]);
    },
  });
  return all;
}

/** A machine that takes any object with an op (Raft's own included, to see the node refuse them), and throws on `boom`. */
class Loose implements StateMachine {
  readonly applied: MachineCommand[] = [];
  accepts(c: unknown): c is MachineCommand {
    return typeof (c as MachineCommand | null)?.op === 'string';
  }
  isRead(c: MachineCommand): boolean {
    return c.op === 'read';
  }
  apply(c: MachineCommand): unknown {
    if (c.op === 'boom') throw new Error('boom');
    this.applied.push(c);
    return this.applied.length;
  }
  read(): unknown {
    return this.applied.length;
  }
}

function looseNode(role: 'leader' | 'follower', log: LogEntry[] = [], props: Omit<RaftProps, 'peers'> = {}): { s: RaftNodeState; r: Recording } {
  const r = recordingCtx('n1', three);
  const s = new RaftNodeState('n1', resolveRaftProps({ ...props, peers: three }, 'n1'), 2, null, log, new Loose());
  refreshConfig(s, r.ctx);
  r.events.length = 0;
  if (role === 'leader') {
    s.role = 'leader';
    s.leader = 'n1';
    for (const p of s.others) {
      s.matchIndex.set(p, 0);
      s.nextIndex.set(p, log.length + 1);
      s.inflight.set(p, []);
      s.lastAck.set(p, 0);
      s.ackedRound.set(p, 0);
    }
  }
  return { s, r };
}

let nextId = 1;
const env = (from: ActorId, body: unknown, corr?: number, kind: string = RAFT_KINDS.clientRequest): Envelope =>
  ({ id: nextId++, from, to: 'n1', kind, body, corr }) as Envelope;
const req = (seq: number, more: Partial<ClientRequest> = {}): ClientRequest => ({ clientId: 'c', seq, command: put('k', `c:${seq}`), ...more });

describe('applyCommitted', () => {
  it('applies up to the commit index in one raft-apply event; client and seq listed only for a client entry', () => {
    const { s, r } = follower('n1', three, 2, [entry(1), clientEntry(2, 'c', 1, 'x'), entry(2, 'y')]);
    s.commitIndex = 3;
    applyCommitted(s, r.ctx);
    expect(s.lastApplied).toBe(3);
    expect(r.events).toEqual([
      {
        type: 'raft-apply',
        index: 1,
        entries: [
          { term: 1, command: { op: 'noop' } },
          { term: 2, command: put('x', 'c:1'), client: 'c', seq: 1 },
          { term: 2, command: put('y', 'y@2') },
        ],
      },
    ]);
    expect(Object.keys((r.events[0].entries as object[])[0])).toEqual(['term', 'command']);
    expect(s.applied.lookup('c', 1)).toEqual({ result: { ok: true, value: null }, index: 2 });
    expect(r.sent).toEqual([]);
  });

  it('from the last applied entry on, and nothing (no event) when all is applied', () => {
    const { s, r } = follower('n1', three, 2, [entry(1, 'a'), entry(2, 'b'), entry(2, 'c')]);
    s.lastApplied = 1;
    s.commitIndex = 2;
    applyCommitted(s, r.ctx);
    expect(r.events).toEqual([{ type: 'raft-apply', index: 2, entries: [{ term: 2, command: put('b', 'b@2') }] }]);
    applyCommitted(s, r.ctx);
    expect(r.events).toHaveLength(1);
  });

  it('a snapshot cuts the event: the entries it covers first, then the snapshot, then the rest', () => {
    const { s, r } = follower('n1', three, 2, [entry(1, 'a'), entry(1, 'b'), entry(2, 'c'), entry(2, 'd'), entry(2, 'e')]);
    s.snapshotEvery = 2;
    s.commitIndex = 5;
    applyCommitted(s, r.ctx);
    expect(r.events.map((e) => [e.type, e.index, (e.entries as unknown[] | undefined)?.length])).toEqual([
      ['raft-apply', 1, 2],
      ['raft-snapshot', 2, undefined],
      ['raft-apply', 3, 2],
      ['raft-snapshot', 4, undefined],
      ['raft-apply', 5, 1],
    ]);
  });

  it('a snapshot at the last entry applied leaves no empty event behind', () => {
    const { s, r } = follower('n1', three, 2, [entry(1, 'a'), entry(1, 'b')]);
    s.snapshotEvery = 2;
    s.commitIndex = 2;
    applyCommitted(s, r.ctx);
    expect(r.events.map((e) => e.type)).toEqual(['raft-apply', 'raft-snapshot']);
  });

  it('the leader answers each client waiting, after the raft-apply event, and forgets what it proposed', () => {
    const log = [entry(2), clientEntry(2, 'c', 1, 'x'), clientEntry(2, 'd', 4, 'y'), clientEntry(2, 'e', 1, 'z')];
    const { s, r } = leader('n1', three, 2, log);
    const all = trail(r);
    s.waiters.set(key('c', 1), { from: 'client-c', corr: 7 });
    s.waiters.set(key('d', 4), { from: 'client-d', corr: 8, via: 'n2' });
    for (const [c, q, i] of [
      ['c', 1, 2],
      ['d', 4, 3],
      ['e', 1, 4],
    ] as const)
      s.proposed.set(key(c, q), i);
    s.commitIndex = 4;
    applyCommitted(s, r.ctx);
    expect(all.map((a) => (a[0] === 'emit' ? ['emit', (a[1] as { type: string }).type] : a))).toEqual([
      ['emit', 'raft-apply'],
      ['send', 'client-c', RAFT_KINDS.clientReply, { clientId: 'c', seq: 1, ok: true, index: 2, result: { ok: true, value: null } }],
      [
        'send',
        'n2',
        RAFT_KINDS.forwardedReply,
        { to: { from: 'client-d', corr: 8 }, reply: { clientId: 'd', seq: 4, ok: true, index: 3, result: { ok: true, value: null }, leader: 'n1' } },
      ],
    ]);
    expect([s.waiters.size, s.proposed.size]).toEqual([0, 0]);
  });

  it('a duplicate applied answers with the index and result of the first time', () => {
    const log = [entry(2), clientEntry(2, 'c', 1, 'x'), clientEntry(2, 'c', 1, 'x')];
    const { s, r } = leader('n1', three, 2, log, {}, 2);
    s.applied.apply(2, put('x', 'c:1'), 'c', 1);
    s.waiters.set(key('c', 1), { from: 'client', corr: 1 });
    s.commitIndex = 3;
    applyCommitted(s, r.ctx);
    expect(r.sent).toEqual([
      { to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 1, ok: true, index: 2, result: { ok: true, value: null } } },
    ]);
  });

  it('a follower answers nobody and keeps what it was told (waiters are a leader\u2019s)', () => {
    const { s, r } = follower('n1', three, 2, [clientEntry(2, 'c', 1, 'x')]);
    s.waiters.set(key('c', 1), { from: 'client', corr: 1 });
    s.proposed.set(key('c', 1), 1);
    s.commitIndex = 1;
    applyCommitted(s, r.ctx);
    expect(r.sent).toEqual([]);
    expect([s.waiters.size, s.proposed.size]).toEqual([1, 1]);
  });

  it('a leader serves the reads waiting once their index is applied', () => {
    const { s, r } = leader('n1', three, 2, [entry(2), entry(2, 'a')], { n2: 2, n3: 2 });
    s.ackedRound.set('n2', 1);
    s.reads.push({ waiter: { from: 'client', corr: 2 }, clientId: 'c', seq: 5, command: { op: 'get', key: 'a' }, index: 2, round: 1 });
    s.commitIndex = 2;
    applyCommitted(s, r.ctx);
    expect(r.sent).toEqual([
      { to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 5, ok: true, index: 2, result: { ok: true, value: 'a@2' } } },
    ]);
    expect(s.reads).toEqual([]);
  });

  it('a follower does not serve reads', () => {
    const { s, r } = follower('n1', three, 2, [entry(2)]);
    s.reads.push({ waiter: { from: 'client', corr: 2 }, clientId: 'c', seq: 5, command: { op: 'get', key: 'a' }, index: 0, round: 0 });
    s.commitIndex = 1;
    applyCommitted(s, r.ctx);
    expect([r.sent, s.reads.length]).toEqual([[], 1]);
  });

  it('a machine that throws: what it applied before is in the trace, and nobody is answered', () => {
    const log: LogEntry[] = [
      { term: 2, command: { op: 'add' }, client: 'c', seq: 1 },
      { term: 2, command: { op: 'boom' }, client: 'c', seq: 2 },
      { term: 2, command: { op: 'add' } },
    ];
    const { s, r } = looseNode('leader', log);
    s.waiters.set(key('c', 1), { from: 'client', corr: 1 });
    s.commitIndex = 3;
    expect(() => applyCommitted(s, r.ctx)).toThrow('boom');
    expect(r.events).toEqual([{ type: 'raft-apply', index: 1, entries: [{ term: 2, command: { op: 'add' }, client: 'c', seq: 1 }] }]);
    expect(s.lastApplied).toBe(2);
    expect(r.sent).toEqual([]);
  });
});

describe('answer, onForwardedReply, redirect', () => {
  const ok = { clientId: 'c', seq: 1, ok: true as const, index: 3, result: 'r' };
  const no = { clientId: 'c', seq: 1, ok: false as const, leader: 'n2' };

  it('a direct waiter gets a client reply to its own address', () => {
    const { r } = follower('n1', three, 2, []);
    answer({ from: 'client', corr: 5 }, ok, r.ctx);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.clientReply, body: ok }]);
  });

  it('a forwarded waiter is answered through the follower; a success names this node as leader, a refusal is passed as it is', () => {
    const { r } = follower('n1', three, 2, []);
    answer({ from: 'client', corr: 5, via: 'n3' }, ok, r.ctx);
    answer({ from: 'client', corr: 6, via: 'n3' }, no, r.ctx);
    expect(r.sent).toEqual([
      { to: 'n3', kind: RAFT_KINDS.forwardedReply, body: { to: { from: 'client', corr: 5 }, reply: { ...ok, leader: 'n1' } } },
      { to: 'n3', kind: RAFT_KINDS.forwardedReply, body: { to: { from: 'client', corr: 6 }, reply: no } },
    ]);
  });

  it('onForwardedReply passes a member\u2019s answer to the client named', () => {
    const { s, r } = follower('n1', three, 2, []);
    onForwardedReply(s, env('n2', { to: { from: 'client', corr: 4 }, reply: ok }, undefined, RAFT_KINDS.forwardedReply), r.ctx);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.clientReply, body: ok }]);
  });

  it('onForwardedReply ignores a stranger, and a body with no client address', () => {
    const { s, r } = follower('n1', three, 2, []);
    const bodies = [undefined, null, {}, { to: null }, { to: {} }, { to: { from: 7 } }];
    onForwardedReply(s, env('n9', { to: { from: 'client', corr: 4 }, reply: ok }), r.ctx);
    for (const b of bodies) onForwardedReply(s, env('n2', b), r.ctx);
    expect(r.sent).toEqual([]);
  });

  it('redirect answers the waiter of a key with the leader it knows, none when that is itself', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.waiters.set(key('cl', 12), { from: 'client', corr: 1 });
    s.leader = 'n3';
    redirect(s, key('cl', 12), r.ctx);
    s.leader = 'n1';
    redirect(s, key('cl', 12), r.ctx);
    expect(r.sent.map((m) => m.body)).toEqual([
      { clientId: 'cl', seq: 12, ok: false, leader: 'n3' },
      { clientId: 'cl', seq: 12, ok: false, leader: null },
    ]);
  });
});

describe('onClientRequest', () => {
  it('malformed requests are ignored: no client id, a seq that is not an integer, a command the machine refuses', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], {}, 1);
    const bodies = [
      undefined,
      { seq: 1, command: put('k', 'v') },
      { clientId: 7, seq: 1, command: put('k', 'v') },
      { clientId: 'c', seq: 1.5, command: put('k', 'v') },
      { clientId: 'c', seq: '1', command: put('k', 'v') },
      { clientId: 'c', seq: 1, command: { op: 'put', key: 'k' } },
    ];
    for (const b of bodies) onClientRequest(s, env('client', b, 1), r.ctx);
    expect([r.sent, s.log.length, s.waiters.size]).toEqual([[], 1, 0]);
  });

  it('Raft\u2019s own ops are ignored even by a machine that takes them', () => {
    const { s, r } = looseNode('leader');
    onClientRequest(s, env('client', req(1, { command: { op: 'noop' } })), r.ctx);
    onClientRequest(s, env('client', req(2, { command: { op: 'config', members: ['n1'] } })), r.ctx);
    expect([r.sent, s.log.length]).toEqual([[], 0]);
    onClientRequest(s, env('client', req(3, { command: { op: 'add' } })), r.ctx);
    expect(s.log).toEqual([{ term: 2, command: { op: 'add' }, client: 'c', seq: 3 }]);
  });

  it('a leader appends a new command, remembers where it proposed it and who waits', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('client', req(1, { lowestPending: 1 }), 9), r.ctx);
    expect(s.log[1]).toEqual({ term: 2, command: put('k', 'c:1'), client: 'c', seq: 1, lowestPending: 1 });
    expect(s.proposed.get(key('c', 1))).toBe(2);
    expect(s.waiters.get(key('c', 1))).toEqual({ from: 'client', corr: 9 });
    expect(r.sent.map((m) => [m.to, m.kind])).toEqual([
      ['n2', RAFT_KINDS.appendEntries],
      ['n3', RAFT_KINDS.appendEntries],
    ]);
  });

  it('a retry of a command in the log waits for it (the latest attempt answered), appending nothing', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('client', req(1), 9), r.ctx);
    r.sent.length = 0;
    onClientRequest(s, env('client2', req(1), 10), r.ctx);
    expect([s.log.length, r.sent]).toEqual([2, []]);
    expect(s.waiters.get(key('c', 1))).toEqual({ from: 'client2', corr: 10 });
    expect(s.proposed.get(key('c', 1))).toBe(2);
  });

  it('a command applied already is answered from the session; one acknowledged already is dropped', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], {}, 1);
    s.applied.apply(5, put('k', 'v'), 'c', 3);
    s.applied.apply(6, put('k', 'w'), 'c', 4, 4);
    onClientRequest(s, env('client', req(4), 1), r.ctx);
    onClientRequest(s, env('client', req(3), 2), r.ctx);
    expect(r.sent).toEqual([
      { to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 4, ok: true, index: 6, result: { ok: true, value: 'v' } } },
    ]);
    expect([s.log.length, s.waiters.size, s.proposed.size]).toEqual([1, 0, 0]);
  });

  it('a read starts a ReadIndex round instead of entering the log', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('client', req(1, { command: { op: 'get', key: 'k' } }), 3), r.ctx);
    expect(s.log.length).toBe(1);
    expect(s.reads).toEqual([{ waiter: { from: 'client', corr: 3 }, clientId: 'c', seq: 1, command: { op: 'get', key: 'k' }, index: 1, round: 1 }]);
  });

  it('a leader handing over refuses new commands and reads, naming the target', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], {}, 1);
    s.transfer = { target: 'n3', waiter: { from: 'x', corr: 0 }, sent: false };
    onClientRequest(s, env('client', req(1), 1), r.ctx);
    onClientRequest(s, env('client', req(2, { command: { op: 'get', key: 'k' } }), 2), r.ctx);
    expect(r.sent.map((m) => m.body)).toEqual([
      { clientId: 'c', seq: 1, ok: false, leader: 'n3' },
      { clientId: 'c', seq: 2, ok: false, leader: 'n3' },
    ]);
    expect([s.log.length, s.reads.length]).toEqual([1, 0]);
  });

  it('a follower that knows the leader forwards the request once, with the client as the address to answer', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n2';
    onClientRequest(s, env('client', req(1), 6), r.ctx);
    expect(r.sent).toEqual([{ to: 'n2', kind: RAFT_KINDS.clientRequest, body: { ...req(1), replyTo: { from: 'client', corr: 6 } } }]);
  });

  it('a follower with forwarding off, or knowing no leader, redirects', () => {
    const { s, r } = looseNode('follower', [], { forward: false });
    s.leader = 'n2';
    onClientRequest(s, env('client', req(1, { command: { op: 'add' } }), 6), r.ctx);
    const { s: s2, r: r2 } = follower('n1', three, 2, []);
    onClientRequest(s2, env('client', req(1), 6), r2.ctx);
    expect([...r.sent, ...r2.sent]).toEqual([
      { to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 1, ok: false, leader: 'n2' } },
      { to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 1, ok: false, leader: null } },
    ]);
  });

  it('a follower that takes itself for the leader does not forward to itself', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n1';
    onClientRequest(s, env('client', req(1), 6), r.ctx);
    expect(r.sent).toEqual([{ to: 'client', kind: RAFT_KINDS.clientReply, body: { clientId: 'c', seq: 1, ok: false, leader: 'n1' } }]);
  });

  it('a forwarded request reaching a follower is redirected through the member that forwarded it, not forwarded again', () => {
    const { s, r } = follower('n1', three, 2, []);
    s.leader = 'n3';
    onClientRequest(s, env('n2', req(1, { replyTo: { from: 'client', corr: 6 } })), r.ctx);
    expect(r.sent).toEqual([
      { to: 'n2', kind: RAFT_KINDS.forwardedReply, body: { to: { from: 'client', corr: 6 }, reply: { clientId: 'c', seq: 1, ok: false, leader: 'n3' } } },
    ]);
  });

  it('a leader waits on a forwarded request to answer through the member that forwarded it', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('n2', req(1, { replyTo: { from: 'client', corr: 6 } })), r.ctx);
    expect(s.waiters.get(key('c', 1))).toEqual({ from: 'client', corr: 6, via: 'n2' });
  });

  it('a reply address from a stranger is not believed: the answer goes to the sender', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('client', req(1, { replyTo: { from: 'victim', corr: 6 } }), 2), r.ctx);
    expect(s.waiters.get(key('c', 1))).toEqual({ from: 'client', corr: 2 });
  });

  it('a member\u2019s request with no reply address is its own: answered to it directly', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    onClientRequest(s, env('n2', req(1), 4), r.ctx);
    expect(s.waiters.get(key('c', 1))).toEqual({ from: 'n2', corr: 4 });
  });

  it('a member\u2019s reply address that is not one is ignored', () => {
    const { s, r } = leader('n1', three, 2, [entry(2)], { n2: 1, n3: 1 }, 1);
    for (const replyTo of ['client', null, {}, { from: 3 }]) onClientRequest(s, env('n2', { ...req(1), replyTo }), r.ctx);
    expect([r.sent, s.log.length, s.waiters.size]).toEqual([[], 1, 0]);
  });
});
