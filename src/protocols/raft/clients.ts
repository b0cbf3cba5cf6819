import type { Envelope } from '../../actors/envelope.ts';
import { entryAt, lastIndex } from './log.ts';
import { type ClientReply, type ClientRequest, RAFT_KINDS } from './messages.ts';
import { type Ctx, key, RaftNodeState, type Waiter } from './raft-state.ts';
import { serveReads, startRead } from './reads.ts';
import { appendEntry } from './replication.ts';
import { maybeSnapshot } from './snapshots.ts';

/**
 * The state machine and clients: applying committed entries, answering and redirecting clients,
 * taking their commands (duplicates detected by client id + seq).
 */

// ---- the state machine and clients ----

export function applyCommitted(s: RaftNodeState, ctx: Ctx): void {
  // One `raft-apply` event per step, not per entry (see raft-node.ts), emitted before the
  // replies it acknowledges leave, as when each entry had its own event.
  let first = s.lastApplied + 1;
  let applied: AppliedEntry[] = [];
  let answers: [Waiter, ClientReply][] | undefined;
  try {
    while (s.lastApplied < s.commitIndex) {
      const index = ++s.lastApplied;
      const e = entryAt(s.log, index)!;
      const out = s.applied.apply(index, e.command, e.client, e.seq, e.lowestPending);
      applied.push(e.client === undefined ? { term: e.term, command: e.command } : { term: e.term, command: e.command, client: e.client, seq: e.seq });
      if (s.snapshotEvery > 0 && index % s.snapshotEvery === 0) {
        // maybeSnapshot snapshots here: the checkers must see the entries it covers applied first.
        ctx.emit({ type: 'raft-apply', index: first, entries: applied });
        first = index + 1;
        applied = [];
      }
      maybeSnapshot(s, index, e.term, ctx);
      if (s.role !== 'leader' || e.client === undefined) continue;
      const k = key(e.client, e.seq!);
      s.proposed.delete(k);
      const w = s.waiters.get(k);
      if (w === undefined) continue;
      s.waiters.delete(k);
      (answers ??= []).push([w, { clientId: e.client, seq: e.seq!, ok: true, index: out.index, result: out.result }]);
    }
  } finally {
    // Also when a state machine threw: what it applied before is in the trace.
    if (applied.length > 0) ctx.emit({ type: 'raft-apply', index: first, entries: applied });
  }
  if (answers !== undefined) for (const [w, body] of answers) answer(w, body, ctx);
  if (s.role === 'leader' && s.reads.length > 0) serveReads(s, ctx);
}

/** One applied entry as `raft-apply` lists it (the first at the event's `index`, the next after it). */
interface AppliedEntry {
  readonly term: number;
  readonly command: unknown;
  readonly client?: string;
  readonly seq?: number;
}

export function answer(w: Waiter, body: ClientReply, ctx: Ctx): void {
  // A forwarded request is answered through the follower the client asked: a reply must come
  // from the actor that was asked (the runtime refuses an ask's answer from anyone else).
  if (w.via !== undefined) {
    const reply: ClientReply = body.ok ? { ...body, leader: ctx.self } : body;
    ctx.send(w.via, { kind: RAFT_KINDS.forwardedReply, body: { to: { from: w.from, corr: w.corr }, reply } satisfies ForwardedReply });
  } else ctx.reply({ from: w.from, corr: w.corr } as Envelope, { kind: RAFT_KINDS.clientReply, body });
}

/** A leader's answer to a request this follower forwarded: pass it on to the client. */
export function onForwardedReply(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const f = env.body as ForwardedReply | undefined;
  if (!s.known.has(env.from) || typeof f?.to?.from !== 'string') return;
  ctx.reply({ from: f.to.from, corr: f.to.corr } as Envelope, { kind: RAFT_KINDS.clientReply, body: f.reply });
}

/** What a leader sends back through the follower that forwarded a client's request. */
interface ForwardedReply {
  readonly to: { readonly from: string; readonly corr: number | undefined };
  readonly reply: ClientReply;
}

export function redirect(s: RaftNodeState, k: string, ctx: Ctx): void {
  const w = s.waiters.get(k)!;
  const [clientId, seq] = k.split('\u0000');
  answer(w, { clientId, seq: Number(seq), ok: false, leader: s.leader === s.self ? null : s.leader }, ctx);
}

/** A whole number from 0 to 2^53 - 1. */
const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

export function onClientRequest(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const req = env.body as ClientRequest | undefined;
  const machine = s.applied.machine;
  // seq and lowestPending as the followers' wire check takes them (whole numbers from 0): an
  // entry they refuse would be resent to them, and refused, until the leader lost its term. A
  // lowestPending above the seq is a client's own contradiction (the command it sends is
  // pending): the sessions would take the command for one already done.
  if (
    typeof req?.clientId !== 'string' ||
    !count(req.seq) ||
    (req.lowestPending !== undefined && (!count(req.lowestPending) || req.lowestPending > req.seq)) ||
    !machine.accepts(req.command) ||
    req.command.op === 'noop' ||
    req.command.op === 'config'
  )
    return; // malformed: ignored
  // A request a peer forwarded is answered to the client that sent it (a client cannot claim
  // someone else's reply address: only members' replyTo count). A reply address that is none is
  // a malformed request, not one to answer to nobody.
  const forwarded = req.replyTo !== undefined && s.known.has(env.from);
  if (forwarded && typeof req.replyTo?.from !== 'string') return;
  const w: Waiter = forwarded ? { from: req.replyTo!.from, corr: req.replyTo!.corr, via: env.from } : { from: env.from, corr: env.corr };
  if (s.role !== 'leader') {
    // Forward once to the leader we know, so a client need not know who leads; a forwarded
    // request that lands on a non-leader gets a redirect instead (no forwarding chains).
    if (s.props.forward && !forwarded && s.leader !== null && s.leader !== s.self) {
      ctx.send(s.leader, { kind: RAFT_KINDS.clientRequest, body: { ...req, replyTo: w } satisfies ClientRequest });
      return;
    }
    return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.leader }, ctx);
  }
  // Handing over: no new commands (the target leads soon; it is the best hint).
  if (s.transfer !== null) return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.transfer.target }, ctx);
  if (machine.isRead(req.command)) return startRead(s, w, req.clientId, req.seq, req.command, ctx);
  const done = s.applied.lookup(req.clientId, req.seq);
  // Acknowledged already (the client has moved past it): a stray duplicate, nobody waits for it.
  if (done === 'forgotten') return;
  if (done !== undefined) return answer(w, { clientId: req.clientId, seq: req.seq, ok: true, ...done }, ctx);
  const k = key(req.clientId, req.seq);
  s.waiters.set(k, w); // the latest attempt is the one the client listens for
  if (s.proposed.has(k)) return; // in the log already, waiting to commit
  s.proposed.set(k, lastIndex(s.log) + 1);
  appendEntry(s, { term: s.term, command: req.command, client: req.clientId, seq: req.seq, lowestPending: req.lowestPending }, ctx);
}
