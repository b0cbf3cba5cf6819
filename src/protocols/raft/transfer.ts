import type { Envelope } from '../../actors/envelope.ts';
import { lastIndex } from './log.ts';
import { RAFT_KINDS, type TimeoutNow, type TransferLeadership } from './messages.ts';
import { type Ctx, RaftNodeState, type Waiter } from './raft-state.ts';
import { pump } from './replication.ts';

/**
 * Leadership transfer (thesis section 3.10).
 */

// ---- leadership transfer (thesis section 3.10) ----

export function onTransferLeadership(s: RaftNodeState, env: Envelope, ctx: Ctx): void {
  const target = (env.body as TransferLeadership | undefined)?.target;
  const w: Waiter = { from: env.from, corr: env.corr };
  const no = (reason: string) =>
    ctx.reply({ from: w.from, corr: w.corr } as Envelope, { kind: RAFT_KINDS.transferReply, body: { ok: false, reason, leader: s.leader } });
  if (s.role !== 'leader') return no('not the leader');
  if (target === s.self) return ctx.reply(env, { kind: RAFT_KINDS.transferReply, body: { ok: true, target } });
  if (typeof target !== 'string' || !s.otherSet.has(target)) return no(`unknown target ${JSON.stringify(target)}`);
  if (s.transfer !== null) return no(`a transfer to ${s.transfer.target} is in progress`);
  s.transfer = { target, waiter: w, sent: false };
  ctx.emit({ type: 'raft-transfer', term: s.term, target, phase: 'start' });
  ctx.setTimer('transfer', s.props.electionTimeoutMaxMs, { kind: RAFT_KINDS.transferTimeout });
  tryTransfer(s, ctx);
}

/** Once the target holds the whole log, TimeoutNow; until then, replication brings it up to date. */
export function tryTransfer(s: RaftNodeState, ctx: Ctx): void {
  const t = s.transfer!;
  if (t.sent) return;
  if (s.matchIndex.get(t.target)! < lastIndex(s.log)) {
    pump(s, t.target, ctx);
    return;
  }
  t.sent = true;
  ctx.send(t.target, { kind: RAFT_KINDS.timeoutNow, body: { term: s.term } satisfies TimeoutNow });
  ctx.emit({ type: 'raft-transfer', term: s.term, target: t.target, phase: 'timeout-now' });
}

/** The transfer is over: it happened (we were deposed after TimeoutNow) or it timed out. */
export function endTransfer(s: RaftNodeState, ok: boolean, reason: string, ctx: Ctx): void {
  const t = s.transfer!;
  s.transfer = null;
  ctx.cancelTimer('transfer');
  ctx.emit({ type: 'raft-transfer', term: s.term, target: t.target, phase: ok ? 'done' : 'aborted', reason });
  ctx.reply({ from: t.waiter.from, corr: t.waiter.corr } as Envelope, {
    kind: RAFT_KINDS.transferReply,
    body: ok ? { ok: true, target: t.target } : { ok: false, reason, leader: s.leader },
  });
}
