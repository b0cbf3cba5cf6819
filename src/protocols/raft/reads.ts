import { answer } from './clients.ts';
import { type Ctx, RaftNodeState, type Waiter } from './raft-state.ts';
import { sendAppend } from './replication.ts';
import type { MachineCommand } from './state-machine.ts';

/**
 * ReadIndex reads (thesis section 6.4).
 */

// ---- ReadIndex reads (thesis section 6.4) ----

/**
 * A read is not logged. Its read index is the commit index now (and at least this term's no-op,
 * so that entries of earlier terms count as committed); a fresh heartbeat round confirms that
 * no newer leader existed when the read arrived; once a majority echoed that round and the
 * state machine applied up to the read index, the value is current.
 */
export function startRead(s: RaftNodeState, waiter: Waiter, clientId: string, seq: number, command: MachineCommand, ctx: Ctx): void {
  const round = ++s.round;
  s.reads.push({ waiter, clientId, seq, command, index: Math.max(s.commitIndex, s.termStart), round });
  // One heartbeat round per read: every AppendEntries from now on carries the new round.
  for (const p of s.others) sendAppend(s, p, ctx, false);
  serveReads(s, ctx); // a cluster of one needs nobody
}

/** Answers the reads, oldest first, whose round a majority confirmed and whose index is applied. */
export function serveReads(s: RaftNodeState, ctx: Ctx): void {
  const rounds = s.isMember ? [Infinity] : [];
  for (const p of s.others) rounds.push(s.ackedRound.get(p)!);
  rounds.sort((a, b) => b - a);
  const confirmed = rounds[s.majority - 1];
  let i = 0;
  for (; i < s.reads.length; i++) {
    const r = s.reads[i];
    if (r.round > confirmed || r.index > s.lastApplied) break;
    answer(r.waiter, { clientId: r.clientId, seq: r.seq, ok: true, index: r.index, result: s.applied.machine.read(r.command) }, ctx);
  }
  s.reads.splice(0, i);
}
