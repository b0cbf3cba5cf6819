import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../src/actors/behaviour.ts';
import type { ActorId, Envelope, Message } from '../src/actors/envelope.ts';
import { RAFT_KINDS } from '../src/protocols/raft/messages.ts';
import { DEFAULT_RETRY_BUDGET, type RaftClientProps, raftClient } from '../src/protocols/raft/raft-client.ts';
import { envelope, fakeContext } from './fixtures/mut-context.ts';
import { refusal } from './fixtures/refusal.ts';

/**
 * The Raft client (`raft-client.ts`) one message at a time on a hand-driven context: the
 * refusals of its props, the requests it sends (to whom, with which seq and lowestPending), its
 * retry timers, where redirects and silences send it, the retry budget, and the summary it
 * replies to `start`.
 */

type Props = Partial<RaftClientProps>;

/** A client `c` of nodes n1..n3 (unless given), its clock at `clock.now`, its random stream `random`. */
function client(props: Props, random: readonly number[] = [0.5]) {
  const at = { now: 0 };
  const f = fakeContext<RaftClientProps>('c', { nodes: ['n1', 'n2', 'n3'], ...props } as RaftClientProps, { random });
  const replies: { to: ActorId; corr: number | undefined; message: Message }[] = [];
  // The clock moves when a test sets `at.now`; a reply keeps the request's corr.
  const ctx: ActorContext<RaftClientProps> = {
    ...f.ctx,
    now: () => at.now,
    reply: (request: Envelope, message: Message) => void replies.push({ to: request.from, corr: request.corr, message }),
  };
  const state = raftClient.init(ctx);
  const deliver = (from: ActorId, kind: string, body: unknown, corr?: number) =>
    raftClient.receive(state as never, envelope(from, 'c', kind, body, { corr }), ctx);
  return {
    f,
    ctx,
    at,
    replies,
    state,
    deliver,
    start: (corr = 7) => deliver('asker', 'start', undefined, corr),
    /** The requests sent since the last call, as [to, seq, lowestPending, command]. */
    requests() {
      const out = f.sent
        .filter((m) => m.message.kind === RAFT_KINDS.clientRequest)
        .map((m) => {
          const b = m.message.body as { clientId: string; seq: number; lowestPending: number; command: unknown };
          return [m.to, b.clientId, b.seq, b.lowestPending, b.command];
        });
      f.sent.length = 0;
      return out;
    },
    ok: (from: ActorId, seq: number, index: number, extra: Record<string, unknown> = {}) =>
      deliver(from, RAFT_KINDS.clientReply, { clientId: 'c', seq, ok: true, index, result: { ok: true, value: null }, ...extra }),
    redirect: (from: ActorId, seq: number, leader: ActorId | null) => deliver(from, RAFT_KINDS.clientReply, { clientId: 'c', seq, ok: false, leader }),
    retry: (seq: number) => deliver('c', 'client-retry', seq),
    emitted: (type: string) => f.emitted.filter((e) => e.type === type),
  };
}

const put = (seq: number, client = 'c') => ({ op: 'put', key: `k${seq % 16}`, value: `${client}:${seq}` });
const path = (field: string) => `raftClient("c").props.${field}`;
const invalid = (field: string, expected: string, got: string) => ({
  path: path(field),
  message: `Invalid configuration at "${path(field)}": expected ${expected}, got ${got}.`,
});
const init = (props: unknown) => () => raftClient.init(fakeContext('c', props as RaftClientProps).ctx);

describe('raftClient.init: the props refused, each by name', () => {
  it('nodes: missing props, not an array, an empty array', () => {
    expect(refusal(init(undefined))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({ commands: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'undefined'));
    expect(refusal(init({ nodes: 'n1', commands: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', '"n1"'));
    expect(refusal(init({ nodes: [], commands: 1 }))).toEqual(invalid('nodes', 'a non-empty array of node ids', 'an array of 0'));
    expect(() => init({ nodes: ['n1'], commands: 1 })()).not.toThrow();
  });

  it('commands and durationMs: one of the two, an integer >= 0, a finite number >= 0', () => {
    const need = 'an integer >= 0, or props.durationMs (issue commands for that long): one of the two is needed';
    expect(refusal(init({ nodes: ['n1'] }))).toEqual(invalid('commands', need, 'undefined'));
    expect(refusal(init({ nodes: ['n1'], commands: -1 }))).toEqual(invalid('commands', 'an integer >= 0', 'number -1'));
    expect(refusal(init({ nodes: ['n1'], commands: 1.5 }))).toEqual(invalid('commands', 'an integer >= 0', 'number 1.5'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, durationMs: -1 }))).toEqual(invalid('durationMs', 'a finite number of ms >= 0', 'number -1'));
    expect(refusal(init({ nodes: ['n1'], durationMs: Number.POSITIVE_INFINITY }))).toEqual(
      invalid('durationMs', 'a finite number of ms >= 0', 'number Infinity'),
    );
    expect(refusal(init({ nodes: ['n1'], durationMs: '5' }))).toEqual(invalid('durationMs', 'a finite number of ms >= 0', '"5"'));
    expect(() => init({ nodes: ['n1'], commands: 0 })()).not.toThrow();
    expect(() => init({ nodes: ['n1'], durationMs: 0 })()).not.toThrow();
    expect(() => init({ nodes: ['n1'], durationMs: 0.5 })()).not.toThrow();
  });

  it('retryBudget, window, retryMs, reads: each at its bounds, the value given named', () => {
    const budget = 'an integer >= 1 (attempts per command, the first included)';
    expect(refusal(init({ nodes: ['n1'], commands: 1, retryBudget: 0 }))).toEqual(invalid('retryBudget', budget, 'number 0'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, retryBudget: 1.5 }))).toEqual(invalid('retryBudget', budget, 'number 1.5'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, window: 0 }))).toEqual(invalid('window', 'an integer >= 1', 'number 0'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, window: 2.5 }))).toEqual(invalid('window', 'an integer >= 1', 'number 2.5'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, retryMs: 0 }))).toEqual(invalid('retryMs', 'a number of ms > 0', 'number 0'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, retryMs: Number.NaN }))).toEqual(invalid('retryMs', 'a number of ms > 0', 'number NaN'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, reads: -0.1 }))).toEqual(invalid('reads', 'a number between 0 and 1', 'number -0.1'));
    expect(refusal(init({ nodes: ['n1'], commands: 1, reads: 1.1 }))).toEqual(invalid('reads', 'a number between 0 and 1', 'number 1.1'));
    for (const ok of [{ retryBudget: 1 }, { window: 1 }, { retryMs: 0.5 }, { reads: 0 }, { reads: 1 }])
      expect(() => init({ nodes: ['n1'], commands: 1, ...ok })()).not.toThrow();
  });
});

describe('raftClient: issuing commands', () => {
  it('start fills the window (default 1) with puts to the first node, each with its retry timer (default 100 ms), and draws nothing without reads', () => {
    const c = client({ commands: 3 });
    expect(c.requests()).toEqual([]);
    c.start();
    expect(c.requests()).toEqual([['n1', 'c', 1, 1, put(1)]]);
    expect([...c.f.timers]).toEqual([['retry:1', { delayMs: 100, message: { kind: 'client-retry', body: 1 } }]]);
    expect(c.emitted('client-invoke')).toEqual([{ type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }]);
    expect(c.f.draws()).toBe(0);
  });

  it('a window of 3 sends three commands at once, each naming the lowest seq still pending; a given clientId is used', () => {
    const c = client({ commands: 5, window: 3, retryMs: 40, clientId: 'me' });
    c.start();
    expect(c.requests()).toEqual([
      ['n1', 'me', 1, 1, put(1, 'me')],
      ['n1', 'me', 2, 1, put(2, 'me')],
      ['n1', 'me', 3, 1, put(3, 'me')],
    ]);
    expect([...c.f.timers.keys()]).toEqual(['retry:1', 'retry:2', 'retry:3']);
    expect(c.f.timers.get('retry:2')?.delayMs).toBe(40);
    // The first one acknowledged: seq 4 goes out with lowestPending 2; the third acknowledged: seq 5, still 2.
    c.deliver('n1', RAFT_KINDS.clientReply, { clientId: 'me', seq: 1, ok: true, index: 1, result: { ok: true, value: null } });
    expect(c.requests()).toEqual([['n1', 'me', 4, 2, put(4, 'me')]]);
    c.deliver('n1', RAFT_KINDS.clientReply, { clientId: 'me', seq: 3, ok: true, index: 2, result: { ok: true, value: null } });
    expect(c.requests()).toEqual([['n1', 'me', 5, 2, put(5, 'me')]]);
    expect(c.f.cancelled).toEqual(['retry:1', 'retry:3']);
  });

  it('commands caps the issuing: a window of 5 for 2 commands sends 2; seq 17 puts key k1', () => {
    const c = client({ commands: 2, window: 5 });
    c.start();
    expect(c.requests().map((r) => r[2])).toEqual([1, 2]);
    expect(put(17).key).toBe('k1');
  });

  it('reads: a draw below the share is a get (invoked without a value), at or above it a put', () => {
    const c = client({ commands: 3, window: 3, reads: 0.5 }, [0.2, 0.5, 0.9]);
    c.start();
    expect(c.requests()).toEqual([
      ['n1', 'c', 1, 1, { op: 'get', key: 'k1' }],
      ['n1', 'c', 2, 1, put(2)],
      ['n1', 'c', 3, 1, put(3)],
    ]);
    expect(c.emitted('client-invoke')).toEqual([
      { type: 'client-invoke', client: 'c', seq: 1, f: 'read', key: 'k1' },
      { type: 'client-invoke', client: 'c', seq: 2, f: 'write', key: 'k2', value: 'c:2' },
      { type: 'client-invoke', client: 'c', seq: 3, f: 'write', key: 'k3', value: 'c:3' },
    ]);
  });

  it('a second start is ignored: nothing sent again, one summary to the first asker', () => {
    const c = client({ commands: 1 });
    c.start(7);
    c.requests();
    c.start(8);
    expect(c.requests()).toEqual([]);
    c.ok('n1', 1, 1);
    expect(c.replies.map((r) => [r.to, r.corr])).toEqual([['asker', 7]]);
  });

  it('durationMs: issues while the clock is before start + durationMs, not at it; then ends once nothing is pending', () => {
    const c = client({ durationMs: 100 });
    c.at.now = 10;
    c.start();
    expect(c.requests().map((r) => r[2])).toEqual([1]);
    c.at.now = 109;
    c.ok('n1', 1, 1);
    expect(c.requests().map((r) => r[2])).toEqual([2]);
    expect(c.replies).toEqual([]);
    c.at.now = 110;
    c.ok('n1', 2, 2);
    expect(c.requests()).toEqual([]);
    expect(c.replies).toEqual([
      {
        to: 'asker',
        corr: 7,
        message: {
          kind: 'raft-client-summary',
          body: { issued: 2, acked: 2, gaveUp: 0, failed: 0, reads: 0, retries: 0, firstAt: 10, lastAt: 110 },
        },
      },
    ]);
  });
});

describe('raftClient: answers', () => {
  it('an acknowledged write: timer cancelled, client-ok with its index; the summary and client-done once all are in', () => {
    const c = client({ commands: 2, window: 2 });
    c.at.now = 5;
    c.start();
    c.requests();
    c.at.now = 30;
    c.ok('n1', 2, 4);
    expect(c.f.cancelled).toEqual(['retry:2']);
    expect(c.emitted('client-ok')).toEqual([{ type: 'client-ok', client: 'c', seq: 2, f: 'write', key: 'k2', value: 'c:2', index: 4 }]);
    expect(c.replies).toEqual([]);
    c.at.now = 40;
    c.ok('n1', 1, 3);
    const summary = { issued: 2, acked: 2, gaveUp: 0, failed: 0, reads: 0, retries: 0, firstAt: 5, lastAt: 40 };
    expect(c.emitted('client-done')).toEqual([{ type: 'client-done', client: 'c', ...summary }]);
    expect(c.replies).toEqual([{ to: 'asker', corr: 7, message: { kind: 'raft-client-summary', body: summary } }]);
    // Done: a late retry timer or answer changes nothing.
    c.retry(1);
    c.ok('n1', 1, 3);
    expect(c.replies.length).toBe(1);
    expect(c.emitted('client-done').length).toBe(1);
  });

  it('an acknowledged read: client-ok with the value read and its readIndex, counted in reads', () => {
    const c = client({ commands: 1, reads: 1 }, [0.3]);
    c.start();
    c.requests();
    c.ok('n1', 1, 9, { result: { ok: true, value: 'v' } });
    expect(c.emitted('client-ok')).toEqual([{ type: 'client-ok', client: 'c', seq: 1, f: 'read', key: 'k1', value: 'v', readIndex: 9 }]);
    expect(c.replies[0].message.body).toMatchObject({ acked: 1, reads: 1 });
  });

  it('the node that answered (or the leader it names) is asked next', () => {
    const c = client({ commands: 3 });
    c.start();
    c.requests();
    c.ok('n2', 1, 1);
    expect(c.requests().map((r) => r[0])).toEqual(['n2']);
    c.ok('n2', 2, 2, { leader: 'n3' });
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
  });

  it('a leader it did not know of, named on success, is learned and asked next; silence then moves round-robin from it', () => {
    const c = client({ commands: 3 });
    c.start();
    c.requests();
    c.ok('n2', 1, 1, { leader: 'n4' });
    expect(c.requests().map((r) => r[0])).toEqual(['n4']);
    c.retry(2);
    // Four nodes now: on from n4 (place 3) to place 0.
    expect(c.requests().map((r) => r[0])).toEqual(['n1']);
  });

  it('a malformed answer is refused by name; a late one (unknown seq) and another client’s are ignored', () => {
    const c = client({ commands: 2 });
    c.start();
    c.requests();
    c.deliver('n1', RAFT_KINDS.clientReply, { clientId: 'c', seq: 1 });
    expect(c.emitted('raft-rejected')).toEqual([{ type: 'raft-rejected', from: 'n1', kind: RAFT_KINDS.clientReply, reason: 'malformed' }]);
    c.ok('n1', 5, 1);
    c.deliver('n1', RAFT_KINDS.clientReply, { clientId: 'd', seq: 1, ok: true, index: 1, result: {} });
    c.deliver('n1', RAFT_KINDS.clientReply, { clientId: 'd', seq: 1, ok: false, leader: 'n2' });
    expect(c.requests()).toEqual([]);
    expect(c.emitted('client-ok')).toEqual([]);
    expect(c.f.cancelled).toEqual([]);
  });

  it('a retry timer from anyone but itself is ignored', () => {
    const c = client({ commands: 1 });
    c.start();
    c.requests();
    c.deliver('n1', 'client-retry', 1);
    expect(c.requests()).toEqual([]);
  });
});

describe('raftClient: redirects and retries', () => {
  it('a redirect goes to the leader named, at once, counted as a retry; the next command goes there too', () => {
    const c = client({ commands: 2 });
    c.start();
    c.requests();
    c.redirect('n1', 1, 'n3');
    expect(c.requests()).toEqual([['n3', 'c', 1, 1, put(1)]]);
    expect(c.f.timers.get('retry:1')?.delayMs).toBe(100);
    c.ok('n3', 1, 1, { leader: undefined });
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    c.ok('n3', 2, 2);
    expect(c.replies[0].message.body).toMatchObject({ issued: 2, acked: 2, retries: 1 });
  });

  it('a redirect naming nobody, or the node itself, goes on to the next node (wrapping round)', () => {
    const c = client({ commands: 1 });
    c.start();
    c.requests();
    c.redirect('n1', 1, null);
    expect(c.requests().map((r) => r[0])).toEqual(['n2']);
    c.redirect('n2', 1, 'n2');
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    c.redirect('n3', 1, null);
    expect(c.requests().map((r) => r[0])).toEqual(['n1']);
  });

  it('a redirect to a leader it did not know of learns it and goes there', () => {
    const c = client({ commands: 2 });
    c.start();
    c.requests();
    c.redirect('n1', 1, 'n9');
    expect(c.requests().map((r) => r[0])).toEqual(['n9']);
    c.redirect('n9', 1, null);
    // n9 is the fourth node: the next after it is n1, and the next after n3 is n9.
    expect(c.requests().map((r) => r[0])).toEqual(['n1']);
    c.redirect('n3', 1, null);
    expect(c.requests().map((r) => r[0])).toEqual(['n9']);
  });

  it('after a redirect to a leader it did not know of, a command given up leaves the next one going there', () => {
    const c = client({ commands: 2, retryBudget: 1 });
    c.start();
    c.requests();
    c.redirect('n1', 1, 'n2');
    c.redirect('n2', 1, 'n3');
    c.redirect('n3', 1, 'n9');
    // Four nodes now: a fourth redirect in a row is followed, the fifth is not.
    c.redirect('n9', 1, 'n1');
    c.redirect('n1', 1, 'n9');
    expect(c.requests().map((r) => r[0])).toEqual(['n2', 'n3', 'n9', 'n1']);
    c.retry(1);
    expect(c.requests()).toEqual([['n9', 'c', 2, 2, put(2)]]);
  });

  it('at most as many redirects in a row as nodes; then the timer paces a resend to where the last one pointed', () => {
    const c = client({ commands: 1 });
    c.start();
    c.requests();
    c.redirect('n1', 1, 'n2');
    c.redirect('n2', 1, 'n3');
    c.redirect('n3', 1, 'n1');
    expect(c.requests().map((r) => r[0])).toEqual(['n2', 'n3', 'n1']);
    c.redirect('n1', 1, 'n3');
    expect(c.requests()).toEqual([]);
    // The timer: answered, so no move round-robin (that would be n2); the resend goes to n3, redirects counted from 0 again.
    c.retry(1);
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    c.redirect('n3', 1, 'n1');
    c.redirect('n1', 1, 'n2');
    c.redirect('n2', 1, 'n3');
    expect(c.requests().map((r) => r[0])).toEqual(['n1', 'n2', 'n3']);
    c.ok('n3', 1, 1);
    expect(c.replies[0].message.body).toMatchObject({ retries: 7 });
  });

  it('the last redirect points the next command too: a command given up while answered leaves the guess where it pointed', () => {
    const c = client({ commands: 2, retryBudget: 1 });
    c.start();
    c.requests();
    c.redirect('n1', 1, 'n2');
    c.redirect('n2', 1, 'n1');
    c.redirect('n1', 1, 'n2');
    c.redirect('n2', 1, 'n3');
    expect(c.requests().map((r) => r[0])).toEqual(['n2', 'n1', 'n2']);
    c.retry(1);
    expect(c.emitted('client-info')).toMatchObject([{ seq: 1, attempts: 1 }]);
    expect(c.requests()).toEqual([['n3', 'c', 2, 2, put(2)]]);
  });

  it('a redirect from a node not in the list, naming nobody, goes to the first node', () => {
    const c = client({ commands: 1 });
    c.start();
    c.requests();
    c.redirect('n2', 1, null);
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    c.redirect('stranger', 1, null);
    expect(c.requests().map((r) => r[0])).toEqual(['n1']);
  });

  it('silence moves round-robin from the last node acknowledged, not from where hints went', () => {
    const c = client({ commands: 1 });
    c.start();
    c.requests();
    c.retry(1);
    expect(c.requests()).toEqual([['n2', 'c', 1, 1, put(1)]]);
    c.retry(1);
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    c.retry(1);
    expect(c.requests().map((r) => r[0])).toEqual(['n1']);
    c.redirect('n1', 1, 'n3');
    expect(c.requests().map((r) => r[0])).toEqual(['n3']);
    // Silence after the redirect: on from the rotor (n1), not from n3.
    c.retry(1);
    expect(c.requests().map((r) => r[0])).toEqual(['n2']);
  });

  it('a retry timer for a command no longer pending does nothing', () => {
    const c = client({ commands: 2 });
    c.start();
    c.requests();
    c.retry(5);
    expect(c.requests()).toEqual([]);
  });

  it('the retry budget: a write given up after its attempts (client-info), the next command issued; the summary counts it', () => {
    const c = client({ commands: 2, retryBudget: 3 });
    c.start();
    c.requests();
    c.at.now = 100;
    c.retry(1);
    c.at.now = 200;
    c.retry(1);
    expect(c.requests().map((r) => r[2])).toEqual([1, 1]);
    expect(c.emitted('client-info')).toEqual([]);
    c.at.now = 300;
    c.retry(1);
    expect(c.emitted('client-info')).toEqual([
      { type: 'client-info', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1', attempts: 3, reason: 'retry budget spent (3 attempts)' },
    ]);
    // Moved on from the silent node first: seq 2 goes to the next one (n1 -> n2 -> n3 -> n1).
    expect(c.requests()).toEqual([['n1', 'c', 2, 2, put(2)]]);
    c.at.now = 310;
    c.ok('n1', 2, 1);
    expect(c.replies[0].message.body).toEqual({ issued: 2, acked: 1, gaveUp: 1, failed: 0, reads: 0, retries: 2, firstAt: 0, lastAt: 310 });
  });

  it('a read given up fails (client-fail); with nothing acknowledged the summary’s lastAt is the time it ends', () => {
    const c = client({ commands: 1, retryBudget: 1, reads: 1 }, [0]);
    c.start();
    c.requests();
    c.at.now = 100;
    c.retry(1);
    expect(c.emitted('client-fail')).toEqual([
      { type: 'client-fail', client: 'c', seq: 1, f: 'read', key: 'k1', attempts: 1, reason: 'retry budget spent (1 attempts)' },
    ]);
    expect(c.emitted('client-info')).toEqual([]);
    expect(c.replies[0].message.body).toEqual({ issued: 1, acked: 0, gaveUp: 1, failed: 1, reads: 0, retries: 0, firstAt: 0, lastAt: 100 });
  });

  it(`the default budget is ${DEFAULT_RETRY_BUDGET} attempts`, () => {
    const c = client({ commands: 1 });
    c.start();
    for (let k = 1; k < DEFAULT_RETRY_BUDGET; k++) c.retry(1);
    expect(c.requests().length).toBe(DEFAULT_RETRY_BUDGET);
    expect(c.emitted('client-info')).toEqual([]);
    c.retry(1);
    expect(c.emitted('client-info')).toMatchObject([{ attempts: 50 }]);
    expect(DEFAULT_RETRY_BUDGET).toBe(50);
  });

  it('commands: 0 answers start at once with an empty summary, its lastAt the time it started', () => {
    const c = client({ commands: 0 });
    c.at.now = 20;
    c.start();
    expect(c.requests()).toEqual([]);
    expect(c.replies).toEqual([
      {
        to: 'asker',
        corr: 7,
        message: { kind: 'raft-client-summary', body: { issued: 0, acked: 0, gaveUp: 0, failed: 0, reads: 0, retries: 0, firstAt: 20, lastAt: 20 } },
      },
    ]);
  });
});
