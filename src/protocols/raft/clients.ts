import type { Envelope } from '../../actors/envelope.ts';
import { isKvCommand } from './kv-store.ts';
import { lastIndex } from './log.ts';
import { type ClientReply, type ClientRequest, RAFT_KINDS } from './messages.ts';
import { type Ctx, key, RaftNodeState, type Waiter } from './raft-state.ts';
import { serveReads, startRead } from './reads.ts';
import { appendEntry } from './replication.ts';

/**
 * The state machine and clients: applying committed entries, answering and redirecting clients,
 * taking their commands (duplicates detected by client id + seq).
 */

// ---- the state machine and clients ----

export function applyCommitted(s: RaftNodeState, ctx: Ctx): void {
  while (s.lastApplied < s.commitIndex) {
    const index = ++s.lastApplied;
    const e = s.log[index - 1];
    const out = s.kv.apply(index, e.command, e.client, e.seq, e.lowestPending);
    ctx.emit(e.client === undefined ? { type: 'raft-apply', index, term: e.term, command: e.command } : { type: 'raft-apply', index, term: e.term, command: e.command, client: e.client, seq: e.seq });
    if (s.role !== 'leader' || e.client === undefined) continue;
    const k = key(e.client, e.seq!);
    s.proposed.delete(k);
    const w = s.waiters.get(k);
    if (w === undefined) continue;
    s.waiters.delete(k);
    answer(w, { clientId: e.client, seq: e.seq!, ok: true, index: out.index, result: out.result }, ctx);
  }
  if (s.role === 'leader' && s.reads.length > 0) serveReads(s, ctx);
}

export function answer(w: Waiter, body: ClientReply, ctx: Ctx): void {
  ctx.reply({ from: w.from, corr: w.corr } as Envelope, { kind: RAFT_KINDS.clientReply, body });
}

export function redirect(s: RaftNodeState, k: string, ctx: Ctx): void {
  const w = s.waiters.get(k)!;
  const [clientId, seq] = k.split('\u0000');
  answer(w, { clientId, seq: Number(seq), ok: false, leader: s.leader === s.self ? null : s.leader }, ctx);
}

export function onClientRequest(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const req = env.body as ClientRequest | undefined;
  if (typeof req?.clientId !== 'string' || !Number.isInteger(req.seq) || !isKvCommand(req.command)) return; // malformed: ignored
  const w: Waiter = { from: env.from, corr: env.corr };
  if (s.role !== 'leader') return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.leader }, ctx);
  // Handing over: no new commands (the target leads soon; it is the best hint).
  if (s.transfer !== null) return answer(w, { clientId: req.clientId, seq: req.seq, ok: false, leader: s.transfer.target }, ctx);
  if (req.command.op === 'get') return startRead(s, w, req.clientId, req.seq, req.command.key, ctx);
  const done = s.kv.lookup(req.clientId, req.seq);
  // Acknowledged already (the client has moved past it): a stray duplicate, nobody waits for it.
  if (done === 'forgotten') return;
  if (done !== undefined) return answer(w, { clientId: req.clientId, seq: req.seq, ok: true, ...done }, ctx);
  const k = key(req.clientId, req.seq);
  s.waiters.set(k, w); // the latest attempt is the one the client listens for
  if (s.proposed.has(k)) return; // in the log already, waiting to commit
  s.proposed.set(k, lastIndex(s.log) + 1);
  appendEntry(s, { term: s.term, command: req.command, client: req.clientId, seq: req.seq, lowestPending: req.lowestPending }, ctx);
}
