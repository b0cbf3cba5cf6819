import type { ActorContext } from '../../actors/behaviour.ts';
import type { ActorId } from '../../actors/envelope.ts';
import { isConfig, RAFT_KINDS, type ClientReply, type RaftCommand } from './messages.ts';
import type { StateMachine } from './state-machine.ts';

/**
 * Refuses a message from `from`: traced as `raft-rejected {from, kind, reason}` (counted there),
 * nothing else changes.
 *
 * @example
 * ```ts
 * if (!wellFormed(env.kind, env.body, s.applied.machine)) return rejected(ctx, env.from, env.kind, 'malformed');
 * ```
 */
export function rejected(ctx: ActorContext<unknown>, from: ActorId, kind: string, reason: string): void {
  ctx.emit({ type: 'raft-rejected', from, kind, reason });
}

/**
 * Whether a Raft message between servers has the shape its handler reads: terms, indexes and
 * offsets are whole numbers from 0 to 2^53 - 1, flags are booleans, entries are entries the
 * state machine (or Raft itself) can apply. Raft trusts its servers' intent, not their bytes: a
 * member that sends `term: null` or `entries: [null]` (a bug, a bad build, an attacker) made the
 * handler throw, and a handler that throws is restarted by its supervisor with its state lost.
 * Such a message is refused instead (`raft-rejected`, malformed).
 *
 * @example
 * ```ts
 * wellFormed(RAFT_KINDS.requestVoteReply, { term: 3, granted: true }, machine); // true
 * wellFormed(RAFT_KINDS.requestVoteReply, { term: null, granted: true }, machine); // false
 * ```
 */
export function wellFormed(kind: string, body: unknown, machine: Pick<StateMachine, 'accepts'>): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  switch (kind) {
    case RAFT_KINDS.requestVote:
    case RAFT_KINDS.preVote:
      return count(b.term) && count(b.lastLogIndex) && count(b.lastLogTerm);
    case RAFT_KINDS.requestVoteReply:
      return count(b.term) && typeof b.granted === 'boolean';
    case RAFT_KINDS.preVoteReply:
      return count(b.term) && count(b.forTerm) && typeof b.granted === 'boolean';
    case RAFT_KINDS.appendEntries:
      return (
        count(b.term) &&
        count(b.prevLogIndex) &&
        count(b.prevLogTerm) &&
        count(b.leaderCommit) &&
        optionalCount(b.round) &&
        Array.isArray(b.entries) &&
        b.entries.every((e) => entry(e, machine))
      );
    case RAFT_KINDS.appendEntriesReply:
      return (
        count(b.term) &&
        typeof b.success === 'boolean' &&
        count(b.matchIndex) &&
        optionalCount(b.conflictTerm) &&
        optionalCount(b.conflictIndex) &&
        optionalCount(b.round)
      );
    case RAFT_KINDS.installSnapshot:
      return (
        count(b.term) &&
        count(b.index) &&
        count(b.lastTerm) &&
        count(b.configIndex) &&
        count(b.offset) &&
        typeof b.data === 'string' &&
        typeof b.done === 'boolean' &&
        Array.isArray(b.members) &&
        b.members.every((m) => typeof m === 'string')
      );
    case RAFT_KINDS.installSnapshotReply:
      return count(b.term) && count(b.index) && count(b.offset) && typeof b.done === 'boolean';
    case RAFT_KINDS.timeoutNow:
      return count(b.term);
    default:
      // Forwarded replies are checked where they are read (onForwardedReply, then the client).
      return true;
  }
}

/**
 * Whether a client's reply has the shape the client reads (a node's garbled answer must not
 * throw in the client either).
 *
 * @example
 * ```ts
 * clientReplyOk({ clientId: 'c1', seq: 1, ok: false, leader: null }); // true
 * ```
 */
export function clientReplyOk(body: unknown): body is ClientReply {
  if (typeof body !== 'object' || body === null) return false;
  const r = body as Record<string, unknown>;
  if (typeof r.clientId !== 'string' || !count(r.seq) || typeof r.ok !== 'boolean') return false;
  if (r.ok) return count(r.index) && (r.leader === undefined || typeof r.leader === 'string');
  return r.leader === null || typeof r.leader === 'string';
}

/**
 * Whether a received snapshot's text is a snapshot: JSON with the machine's state and the client
 * sessions (the machine's own part is checked by its `restore`, which refuses before it changes
 * anything).
 *
 * @example
 * ```ts
 * snapshotReadable('{"machine":[],"sessions":[]}'); // true
 * ```
 */
export function snapshotReadable(data: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || !('machine' in parsed)) return false;
  const sessions = (parsed as { sessions?: unknown }).sessions;
  return (
    Array.isArray(sessions) &&
    sessions.every(
      (x) =>
        Array.isArray(x) &&
        typeof x[0] === 'string' &&
        count(x[1]) &&
        Array.isArray(x[2]) &&
        x[2].every((r: unknown) => Array.isArray(r) && count(r[0]) && count(r[2])),
    )
  );
}

/** A term, index or offset: a whole number from 0 to 2^53 - 1. */
function count(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function optionalCount(v: unknown): boolean {
  return v === undefined || count(v);
}

/** A log entry: its term, a command Raft or the state machine applies, and a client's ids if any. */
function entry(e: unknown, machine: Pick<StateMachine, 'accepts'>): boolean {
  // Stryker disable next-line ConditionalExpression: a number or a string has no term, so count(x.term) refuses it next
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  if (!count(x.term) || !command(x.command, machine)) return false;
  if (x.client === undefined) return x.seq === undefined;
  return typeof x.client === 'string' && count(x.seq) && optionalCount(x.lowestPending);
}

function command(c: unknown, machine: Pick<StateMachine, 'accepts'>): boolean {
  // Stryker disable next-line ConditionalExpression: a primitive has no op, and the machine refuses it next (KeyValueMachine does)
  if (typeof c !== 'object' || c === null) return false;
  const op = (c as { op?: unknown }).op;
  if (op === 'noop') return true;
  if (op === 'config') return isConfig(c as RaftCommand) && (c as { members: unknown[] }).members.every((m) => typeof m === 'string');
  return machine.accepts(c);
}
