import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * The Raft properties the checkers judge.
 * - `election-safety`: at most one `raft-leader` per term.
 * - `state-machine-safety`: no two applies (or two leader commits) of different entries at one index.
 * - `leader-completeness`: every entry committed in a term is in the log of every leader of a later term.
 * - `apply-order`: each node applies 1, 2, 3, ... with no gap or repeat since it (re)started.
 * - `acked-command-lost`: every acknowledged client command was applied, as that command.
 * - `stale-read`: a read (`client-ok` with `f: 'read'`) returned a value no write to its key
 *   applied, or a value older than a write to that key acknowledged before the read was invoked.
 *
 * @example
 * ```ts
 * const p: RaftProperty = 'election-safety';
 * ```
 */
export type RaftProperty =
  | 'election-safety'
  | 'state-machine-safety'
  | 'leader-completeness'
  | 'log-matching'
  | 'leader-append-only'
  | 'apply-order'
  | 'acked-command-lost'
  | 'stale-read';

/**
 * A safety violation found in a Raft trace.
 *
 * @example
 * ```ts
 * const v: RaftViolation = { property: 'election-safety', detail: 'term 3 has two leaders: n1 (t=10) and n2 (t=12)', at: 57, positions: [31, 57] };
 * ```
 */
export interface RaftViolation {
  readonly property: RaftProperty;
  readonly detail: string;
  /**
   * The 0-based position, in the stream of events the monitor observed, of the event that proves
   * it (`trace[at]` when it saw the trace from its start); for an acknowledged command found lost
   * at the end, the `client-ok` that acknowledged it.
   */
  readonly at?: number;
  /** Every event involved, in trace order (the earlier leader, apply, commit...), then `at`. */
  readonly positions?: readonly number[];
}

interface Applied {
  readonly actor: string;
  readonly t: number;
  readonly term: unknown;
  readonly client?: string;
  readonly seq?: number;
  readonly command: unknown;
  readonly at: number;
}

interface Committed {
  readonly term: number;
  /** The earliest leader term in which the entry was seen committed: the strongest claim to check. */
  leaderTerm: number;
  readonly actor: string;
  readonly at: number;
}

interface Ack {
  readonly client: string;
  readonly seq: number;
  readonly index?: number;
  readonly t: number;
  readonly at: number;
}

/** What an applied entry is, for comparing two applies and for reports: its term and command. */
const identity = (term: unknown, command: unknown): string => `${term}:${JSON.stringify(command)}`;
/**
 * Whether an apply of (`term`, `command`) is the entry `a` applied first. Every node applies each
 * entry: the command is compared by reference first (in sim mode the nodes share one frozen
 * object), and written out only when the references differ (threads mode, or a real difference).
 */
const sameEntry = (a: Applied, term: unknown, command: unknown): boolean =>
  a.term === term && (a.command === command || JSON.stringify(a.command) === JSON.stringify(command));
const opKey = (client: string, seq: number): string => `${client}\u0000${seq}`;
/**
 * Where two logs break log matching, over the indexes both still hold (a compacted prefix is
 * not seen): the highest index where both hold the same term, and an earlier index where they
 * differ; undefined when they match.
 */
function divergence(a: LeaderLog, b: LeaderLog): { at: number; term: number; before: number } | undefined {
  const low = Math.max(a.base, b.base, 1);
  for (let i = Math.min(a.base + a.terms.length, b.base + b.terms.length); i >= low; i--) {
    if (termIn(a, i) !== termIn(b, i)) continue;
    for (let j = i - 1; j >= low; j--) if (termIn(a, j) !== termIn(b, j)) return { at: i, term: termIn(a, i) as number, before: j };
    return undefined;
  }
  return undefined;
}

/**
 * A leader's log as it was elected: the terms of the entries it held, from `base + 1` on (`base`
 * is where its log was compacted to, of term `baseTerm`; 0 when it never was), where it said so,
 * and how often it was reported.
 */
interface LeaderLog {
  readonly term: number;
  readonly actor: string;
  readonly base: number;
  readonly baseTerm: number;
  readonly terms: readonly number[];
  reported: number;
  readonly at: number;
}

/** The term a leader's log held at `index`: undefined beyond its end, 'compacted' before its base. */
function termIn(log: LeaderLog, index: number): number | 'compacted' | undefined {
  if (index === log.base) return log.base === 0 ? 0 : log.baseTerm;
  return index < log.base ? 'compacted' : log.terms[index - log.base - 1];
}

/** A snapshot's digest at an index, who reported it first, and where. */
interface SnapshotSeen {
  readonly digest: string;
  readonly term: number;
  readonly actor: string;
  readonly how: string;
  readonly at: number;
}

/**
 * The writes to one key the stale-read check still needs, by value: those at or past the floor
 * of every read that can still be judged (`order` is first-apply order, which is index order,
 * from `head` on). A write below `forgottenBelow` is no longer known: a read returning it is
 * stale whatever its index was.
 */
interface KeyWrites {
  readonly index: Map<string, number>;
  order: string[];
  head: number;
  forgottenBelow: number;
  /** Held writes at which the next pruning is due (doubles with what pruning could not drop). */
  pruneAt: number;
}

/** The command seqs of one client whose acknowledgements are judged: every seq below `below`, and `above`. */
interface JudgedSeqs {
  below: number;
  readonly above: Set<number>;
}

/** Writes held per key before the first pruning of them. */
const PRUNE_WRITES_AT = 64;

/** Violations reported per leader, at most: a leader missing 10,000 entries is one story. */
const PER_LEADER = 5;

/**
 * The Raft safety checker, fed one trace event at a time (a long run need not keep its trace),
 * reading only what the nodes and clients emit (`raft-leader`, `raft-commit`, `raft-apply`,
 * `raft-snapshot`, `client-invoke`, `client-ok`, `client-info`, `client-fail`) and the runtime's
 * `spawn` events. Every property is judged as the events arrive, except an acknowledgement of a
 * command not applied yet, judged when it is or at `finish()`. Each violation names the position
 * of the event that proves it (`at`, counted over every event the monitor observed) and of the
 * earlier events involved (`positions`).
 *
 * Its memory is bounded by what it must remember, not by the length of the run (issue 18): what
 * it holds per log index (the commit and the first apply there) is forgotten once every node
 * that has applied or snapshotted anything holds a snapshot past that index (the horizon), as
 * the nodes' own logs forget it; the highest committed index is always kept. Per command it holds
 * only what an acknowledgement still to come needs; per key, only the writes a read can still
 * return without being stale. A node that stays down holds the horizon back (its recovery must be
 * judged against what it missed), so a run with one grows until it returns; so does a node
 * removed from the cluster, which the trace does not mark as gone for good.
 *
 * What it reads, and what it cannot see:
 * - election safety reads `raft-leader`; a node that led without announcing it is invisible.
 * - state-machine safety reads `raft-apply` (and `raft-commit`): entries are compared by term and
 *   command. Across log compaction it also reads `raft-snapshot`: two nodes' snapshots at one
 *   index (taken, installed or recovered) must have the same digest and term, and that term must
 *   be the one committed and applied there. A snapshot's state is judged only where another
 *   node snapshots the same index (nodes snapshot on a common grid of indexes, so they do). It
 *   also stands in for log matching, which would need every node's log: two logs that differ at
 *   a committed index show up as two different applies there once both apply it; differences in
 *   uncommitted suffixes (which Raft allows) are not seen, nor are differences a node never
 *   applies, nor an apply behind the horizon (only its order is judged: no node's log still holds
 *   such an entry, so a correct node applies one only from a log it kept through a long absence).
 * - leader completeness compares every `raft-commit` (index, term, committed in `leaderTerm`) with
 *   the `terms` array of every `raft-leader` event of a later term, in either trace order
 *   (`terms` start after `base` when the leader's log was compacted: an index at or behind
 *   `base` is in its snapshot, which the digests judge, and is not compared here; nor is an
 *   index behind the horizon, save the highest committed one). It sees the leader's log at
 *   election time only; leader append-only (a leader never overwrites its own entries) is
 *   enforced by the code, not checked.
 * - apply order reads `raft-apply` and `spawn` (a restarted node rebuilds its state machine from
 *   index 1, so its numbering restarts), and `raft-snapshot` (a node that recovered or installed
 *   a snapshot goes on right after its index).
 * - no acknowledged command lost: every `client-ok` (client, seq) must have been applied by some
 *   node, as the command `client-invoke` announced, at the index the ack names (when it names one).
 *   Together with state-machine safety this means no node applies anything else at that index.
 *   It cannot see a command lost after the trace ends, nor one lost on every node at once (a loss
 *   of every disk) if no node applies that index again, nor an ack naming an index behind the
 *   horizon that no unacknowledged command was applied at. Reads are not logged and not judged here.
 * - stale reads: for each key, the highest log index of a write acknowledged so far; a read
 *   invoked after that must return the value of a put to that key applied at that index or
 *   later (or null if no write to it was acknowledged). Values are compared as strings, so this
 *   assumes every write carries a distinct value (the client's `client:seq` values do). It is a
 *   necessary condition for linearizable reads, not a full linearizability check.
 *
 * @example
 * ```ts
 * const monitor = new RaftSafetyMonitor();
 * sim.trace$.subscribe((e) => monitor.observe(e));
 * // ... run ...
 * monitor.finish(); // []
 * ```
 */
export class RaftSafetyMonitor {
  readonly violations: RaftViolation[] = [];
  /** Actors that led each term, in trace order. */
  readonly leaders = new Map<number, string[]>();
  /** Where each term's first leader announced itself. */
  private readonly leaderAt = new Map<number, number>();
  private readonly leaderLogs: LeaderLog[] = [];
  /** Per index at or past the horizon (and the highest committed one), its commit; in index order. */
  private readonly committed = new Map<number, Committed>();
  private highestCommitted = 0;
  /** Per index at or past the horizon, its first apply; in index order. */
  private readonly applied = new Map<number, Applied>();
  private readonly snapshots = new Map<number, SnapshotSeen>();
  /** Per node (an actor that applied or snapshotted), the index of its latest snapshot; 0 before one. */
  private readonly snapshotAt = new Map<string, number>();
  /** Indexes below it are forgotten: every node holds a snapshot at or past it. */
  private horizon = 0;
  /** The snapshot index a node being restarted recovered from (until its spawn event). */
  private readonly recoveredFrom = new Map<string, number>();
  /** Commands applied (first, at an index still held) and not yet judged acknowledged: command -> index. */
  private readonly appliedOps = new Map<string, number>();
  /** Commands applied at an index since forgotten, whose acknowledgement is still to be judged. */
  private readonly forgottenOps = new Map<string, Applied & { readonly index: number }>();
  private readonly nextApply = new Map<string, number>();
  /** Writes invoked whose acknowledgement is still to come (or to be judged). */
  private readonly invoked = new Map<string, { key: unknown; value: unknown }>();
  /** Acknowledgements waiting for their index (or, naming none, their command) to be applied. */
  private readonly waitingIndex = new Map<number, Ack[]>();
  private readonly waitingOp = new Map<string, Ack[]>();
  /** Per client, the commands whose acknowledgement was judged (a repeated ack is judged by its index only). */
  private readonly judged = new Map<string, JudgedSeqs>();
  /** Per key, the highest index of an acknowledged write; per read in flight, that floor when it was invoked. */
  private readonly ackedWrite = new Map<string, number>();
  private readonly readFloor = new Map<string, { key: string; floor: number }>();
  /** Per key, the writes a read may still return (value -> index where it was first applied). */
  private readonly writes = new Map<string, KeyWrites>();
  private finished = false;
  /** Events observed so far; `current` is the position of the one being observed. */
  private seen = 0;
  private current = -1;

  /**
   * What the monitor holds at the moment, counted (how its memory stays bounded on a long run):
   * log indexes (commits and first applies), commands (invoked, applied, waiting acks, judged
   * out of order) and
   * writes a read may still return, with the horizon below which indexes are forgotten.
   */
  held(): { readonly horizon: number; readonly indexes: number; readonly commands: number; readonly writes: number } {
    let writes = 0;
    for (const w of this.writes.values()) writes += w.index.size;
    let commands = this.invoked.size + this.appliedOps.size + this.forgottenOps.size + this.waitingIndex.size + this.waitingOp.size + this.readFloor.size;
    for (const j of this.judged.values()) commands += j.above.size;
    return { horizon: this.horizon, indexes: this.committed.size + this.applied.size, commands, writes };
  }

  observe(e: TraceEvent): void {
    this.current = this.seen++;
    if (e.type === 'spawn') {
      // A node restarts applying at 1, or right after the snapshot it recovered from (its init
      // announces that before the runtime records the spawn).
      const from = this.recoveredFrom.get(e.actor);
      if (from === undefined) this.nextApply.delete(e.actor);
      else this.nextApply.set(e.actor, from + 1);
      this.recoveredFrom.delete(e.actor);
      return;
    }
    if (e.type !== 'emit') return;
    const ev = e.event as Record<string, unknown>;
    switch (ev.type) {
      case 'raft-leader':
        return this.onLeader(e.actor, e.t, ev);
      case 'raft-snapshot':
        return this.onSnapshot(e.actor, ev);
      case 'raft-commit':
        return this.onCommit(e.actor, ev.index as number, ev.term as number, (ev.leaderTerm as number | undefined) ?? (ev.term as number));
      case 'raft-apply': {
        // A batch (`entries`, the first at `index`) or, as other implementations and
        // hand-written traces give it, one entry with its fields inline.
        // What is not a list of entries is read as the one-entry form, and an entry that is not
        // an object as one with nothing in it: a node of another implementation that emits
        // garbage gets findings, never a checker that throws.
        const entries: unknown = ev.entries;
        if (!Array.isArray(entries)) return this.onApply(e.actor, e.t, ev.index as number, ev);
        const first = ev.index as number;
        for (let i = 0; i < entries.length; i++) {
          const x: unknown = entries[i];
          this.onApply(e.actor, e.t, first + i, typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {});
        }
        return;
      }
      case 'client-invoke': {
        const k = opKey(ev.client as string, ev.seq as number);
        if (!this.judged.has(ev.client as string)) this.judged.set(ev.client as string, { below: ev.seq as number, above: new Set() });
        if (ev.f === 'read') this.readFloor.set(k, { key: ev.key as string, floor: this.ackedWrite.get(ev.key as string) ?? 0 });
        else this.invoked.set(k, { key: ev.key, value: ev.value });
        return;
      }
      case 'client-ok':
        if (ev.f === 'read') return this.onRead(e.t, ev);
        this.onWriteAck(ev);
        return this.judgeOrWait({ client: ev.client as string, seq: ev.seq as number, index: ev.index as number | undefined, t: e.t, at: this.current });
      case 'client-info':
      case 'client-fail': {
        // Given up: no acknowledgement follows, so nothing of the command is needed any more.
        const k = opKey(ev.client as string, ev.seq as number);
        this.invoked.delete(k);
        this.readFloor.delete(k);
        return;
      }
    }
  }

  /**
   * Ends the run: judges the acknowledgements still waiting for an apply (their command was
   * never applied), and returns all violations. Call it once the trace is complete (calling it
   * again changes nothing).
   */
  finish(): RaftViolation[] {
    if (this.finished) return this.violations;
    this.finished = true;
    const waiting = [...this.waitingIndex.values(), ...this.waitingOp.values()].flat().sort((a, b) => a.at - b.at);
    for (const ack of waiting) this.judgeAck(ack, ack.index, undefined);
    return this.violations;
  }

  /** Records a violation proven by the event at `at` (the one being observed unless named), with the earlier events involved. */
  private report(property: RaftProperty, detail: string, earlier: readonly number[] = [], at = this.current): void {
    this.violations.push({ property, detail, at, positions: [...new Set([...earlier, at])].sort((a, b) => a - b) });
  }

  private onLeader(actor: string, t: number, ev: Record<string, unknown>): void {
    const term = ev.term as number;
    const earlier = this.leaders.get(term);
    if (earlier === undefined) {
      this.leaders.set(term, [actor]);
      this.leaderAt.set(term, this.current);
    } else {
      this.report('election-safety', `term ${term} has more than one leader: ${earlier.join(', ')} and then ${actor} (t=${t})`, [this.leaderAt.get(term)!]);
      earlier.push(actor);
    }
    const log: LeaderLog = {
      term,
      actor,
      base: (ev.base as number | undefined) ?? 0,
      baseTerm: (ev.baseTerm as number | undefined) ?? 0,
      terms: (ev.terms as number[] | undefined) ?? [],
      reported: 0,
      at: this.current,
    };
    // Log matching, over the logs the trace reveals (each leader's, as elected): where two logs
    // hold an entry of the same term at the same index, they agree on everything before it.
    for (const other of this.leaderLogs) {
      const diverged = divergence(other, log);
      if (diverged !== undefined)
        this.report(
          'log-matching',
          `${other.actor} (term ${other.term}) and ${actor} (term ${term}) both hold term ${diverged.term} at index ${diverged.at} but differ at index ${diverged.before}`,
          [other.at],
        );
    }
    this.leaderLogs.push(log);
    for (const [index, c] of this.committed) if (c.leaderTerm < term) this.judgeCompleteness(log, index, c);
  }

  private onCommit(actor: string, index: number, term: number, leaderTerm: number): void {
    // Leader append-only: what a leader commits in its term at an index its log already held
    // when it was elected must be that very entry (a leader never overwrites its own log).
    const own = this.leaderLogs.find((l) => l.term === leaderTerm && l.actor === actor);
    const held = own === undefined ? undefined : termIn(own, index);
    if (typeof held === 'number' && held !== term) {
      this.report(
        'leader-append-only',
        `${actor}, leader of term ${leaderTerm}, committed index ${index} as term ${term}, but its log held term ${held} there when it was elected`,
        [own!.at],
      );
    }
    // Behind the horizon every node holds a snapshot: what was committed there is forgotten.
    if (index < this.horizon && index !== this.highestCommitted) return;
    const c = this.committed.get(index);
    if (c !== undefined && c.term !== term) {
      this.report('state-machine-safety', `index ${index} committed with term ${c.term} by ${c.actor} and with term ${term} by ${actor}`, [c.at]);
      return;
    }
    if (c !== undefined && c.leaderTerm <= leaderTerm) return; // judged already, as strictly
    // Committed in an earlier term than seen so far: only the leaders in between are new to judge.
    const judgedUpTo = c?.leaderTerm ?? Infinity;
    const entry = c ?? { term, leaderTerm, actor, at: this.current };
    entry.leaderTerm = leaderTerm;
    this.committed.set(index, entry);
    if (index > this.highestCommitted) {
      const before = this.highestCommitted;
      this.highestCommitted = index;
      // The highest committed index was kept past the horizon; now it is not the highest.
      if (before < this.horizon) this.committed.delete(before);
    }
    for (const log of this.leaderLogs) if (log.term > leaderTerm && log.term <= judgedUpTo) this.judgeCompleteness(log, index, entry);
  }

  private judgeCompleteness(log: LeaderLog, index: number, c: Committed): void {
    const has = termIn(log, index);
    // A compacted index is in the leader's snapshot, which holds committed entries only; the
    // snapshot digests (onSnapshot) judge that state.
    if (has === c.term || has === 'compacted' || log.reported >= PER_LEADER) return;
    log.reported++;
    this.report(
      'leader-completeness',
      `${log.actor} led term ${log.term} without index ${index} of term ${c.term}, committed in term ${c.leaderTerm} by ${c.actor} (its log has ${has === undefined ? 'no such index' : `term ${has} there`})`,
      [log.at, c.at],
    );
  }

  private onApply(actor: string, t: number, index: number, ev: Record<string, unknown>): void {
    // Stryker disable next-line ConditionalExpression: equivalent, resetting a node to 0 on every apply only lowers the minimum until its next snapshot, and the horizon never moves back
    if (!this.snapshotAt.has(actor)) this.snapshotAt.set(actor, 0);
    const expected = this.nextApply.get(actor) ?? 1;
    if (index !== expected) this.report('apply-order', `${actor} applied index ${index} when ${expected} was next (t=${t})`);
    this.nextApply.set(actor, index + 1);
    const cmd = ev.command as { op?: unknown; key?: unknown; value?: unknown } | undefined;
    if ((cmd?.op === 'put' || cmd?.op === 'cas') && typeof cmd.value === 'string') this.onWrite(cmd.key as string, cmd.value, index);
    if (index < this.horizon) return; // forgotten: only its order is judged (see the class comment)
    const first = this.applied.get(index);
    if (first === undefined) {
      const client = ev.client as string | undefined;
      const seq = ev.seq as number | undefined;
      const a: Applied = { actor, t, term: ev.term, client, seq, command: ev.command, at: this.current };
      this.applied.set(index, a);
      const waiting = this.waitingIndex.get(index);
      this.waitingIndex.delete(index);
      for (const ack of waiting ?? []) this.judgeAck(ack, index, a);
      if (client === undefined || seq === undefined) return;
      const k = opKey(client, seq);
      const byOp = this.waitingOp.get(k);
      this.waitingOp.delete(k);
      for (const ack of byOp ?? []) this.judgeAck(ack, index, a);
      if (byOp === undefined && !this.appliedOps.has(k) && !this.isJudged(client, seq)) this.appliedOps.set(k, index);
    } else if (!sameEntry(first, ev.term, ev.command)) {
      const [was, is] = [identity(first.term, first.command), identity(ev.term, ev.command)];
      this.report('state-machine-safety', `index ${index}: ${first.actor} applied ${was} (t=${first.t}) but ${actor} applied ${is} (t=${t})`, [first.at]);
    }
  }

  /**
   * `raft-snapshot` (taken, installed or recovered at `index`): two nodes' states at one index
   * must be the same (their digests equal: state-machine safety across compaction), a snapshot's
   * last entry must be the entry committed and applied there, and a node that installed or
   * recovered one applies from `index + 1` on. Every node past an index moves the horizon.
   */
  private onSnapshot(actor: string, ev: Record<string, unknown>): void {
    const index = ev.index as number;
    const term = ev.term as number;
    const digest = ev.digest as string;
    const how = String(ev.how);
    if (how === 'installed') this.nextApply.set(actor, index + 1);
    else if (how === 'recovered') this.recoveredFrom.set(actor, index);
    const first = this.snapshots.get(index);
    if (first === undefined) this.snapshots.set(index, { digest, term, actor, how, at: this.current });
    else if (first.digest !== digest || first.term !== term) {
      this.report(
        'state-machine-safety',
        `index ${index}: ${first.actor}'s snapshot (${first.how}, term ${first.term}, digest ${first.digest.slice(0, 12)}) differs from ${actor}'s (${how}, term ${term}, digest ${digest.slice(0, 12)})`,
        [first.at],
      );
    }
    const c = this.committed.get(index);
    if (c !== undefined && c.term !== term)
      this.report(
        'state-machine-safety',
        `${actor} ${how} a snapshot up to index ${index} of term ${term}, but index ${index} was committed with term ${c.term} by ${c.actor}`,
        [c.at],
      );
    const a = this.applied.get(index);
    if (a !== undefined && a.term !== term)
      this.report(
        'state-machine-safety',
        `${actor} ${how} a snapshot up to index ${index} of term ${term}, but ${a.actor} applied ${identity(a.term, a.command)} there`,
        [a.at],
      );
    if (index > (this.snapshotAt.get(actor) ?? 0)) this.snapshotAt.set(actor, index);
    let horizon = Infinity;
    for (const at of this.snapshotAt.values()) horizon = Math.min(horizon, at);
    if (horizon > this.horizon) this.forget(horizon);
  }

  /**
   * Moves the horizon to `horizon`: forgets the commits and applies below it (both maps are in
   * index order: the first commit and the first apply of an index come in index order), keeping
   * the highest committed index, and moves what an acknowledgement still to come needs of a
   * command applied there to `forgottenOps`.
   */
  private forget(horizon: number): void {
    this.horizon = horizon;
    for (const [index, a] of this.applied) {
      if (index >= horizon) break;
      this.applied.delete(index);
      if (a.client === undefined || a.seq === undefined) continue;
      const k = opKey(a.client, a.seq);
      if (this.appliedOps.get(k) !== index) continue;
      this.appliedOps.delete(k);
      this.forgottenOps.set(k, { ...a, index });
    }
    for (const index of this.committed.keys()) {
      if (index >= horizon || index === this.highestCommitted) break;
      this.committed.delete(index);
    }
  }

  private onWriteAck(ev: Record<string, unknown>): void {
    const k = opKey(ev.client as string, ev.seq as number);
    const key = (ev.key as string | undefined) ?? (this.invoked.get(k)?.key as string | undefined);
    const index = (ev.index as number | undefined) ?? this.appliedOps.get(k) ?? this.forgottenOps.get(k)?.index;
    if (key === undefined || index === undefined) return;
    if (index > (this.ackedWrite.get(key) ?? 0)) this.ackedWrite.set(key, index);
  }

  /**
   * Judges an acknowledgement now if what it names was applied (or can no longer be known), else
   * holds it until it is, or until `finish()`.
   */
  private judgeOrWait(ack: Ack): void {
    const k = opKey(ack.client, ack.seq);
    const forgotten = this.forgottenOps.get(k);
    if (ack.index !== undefined) {
      const a = this.applied.get(ack.index);
      if (a !== undefined) return this.judgeAck(ack, ack.index, a);
      if (forgotten !== undefined && forgotten.index === ack.index) return this.judgeAck(ack, ack.index, forgotten);
      if (ack.index < this.horizon) return this.judged1(ack.client, ack.seq); // forgotten: cannot be judged
      this.waitingIndex.set(ack.index, [...(this.waitingIndex.get(ack.index) ?? []), ack]);
      return;
    }
    const index = this.appliedOps.get(k);
    if (index !== undefined) return this.judgeAck(ack, index, this.applied.get(index));
    if (forgotten !== undefined) return this.judgeAck(ack, forgotten.index, forgotten);
    if (this.isJudged(ack.client, ack.seq)) return; // a repeated ack of a command judged already
    this.waitingOp.set(k, [...(this.waitingOp.get(k) ?? []), ack]);
  }

  /** Judges an acknowledgement against the first apply `a` at `index` (undefined: nothing was applied there, or the command never was). */
  private judgeAck(ack: Ack, index: number | undefined, a: Applied | undefined): void {
    const name = `${ack.client}#${ack.seq}`;
    const k = opKey(ack.client, ack.seq);
    const inv = this.invoked.get(k);
    this.invoked.delete(k);
    this.appliedOps.delete(k);
    this.forgottenOps.delete(k);
    this.judged1(ack.client, ack.seq);
    if (a === undefined || a.client !== ack.client || a.seq !== ack.seq) {
      const where =
        index === undefined
          ? 'never applied'
          : a === undefined
            ? `nothing applied at index ${index}`
            : `index ${index} applied ${identity(a.term, a.command)} instead`;
      this.report('acked-command-lost', `${name} acknowledged (t=${ack.t}) but ${where}`, a === undefined ? [] : [a.at], ack.at);
      return;
    }
    const cmd = a.command as { key?: unknown; value?: unknown } | undefined;
    if (inv !== undefined && (cmd?.key !== inv.key || cmd?.value !== inv.value)) {
      this.report(
        'acked-command-lost',
        `${name} was invoked as ${String(inv.key)}=${String(inv.value)} but applied as ${JSON.stringify(a.command)} at index ${index}`,
        [a.at],
        ack.at,
      );
    }
  }

  private isJudged(client: string, seq: number): boolean {
    const j = this.judged.get(client);
    return j !== undefined && (seq < j.below || j.above.has(seq));
  }

  /** Marks the command `client#seq` as judged. */
  private judged1(client: string, seq: number): void {
    let j = this.judged.get(client);
    if (j === undefined) {
      j = { below: seq, above: new Set() };
      this.judged.set(client, j);
    }
    if (seq < j.below) return;
    j.above.add(seq);
    while (j.above.delete(j.below)) j.below++;
  }

  /** A put applied at `index`: a value reads of `key` may return, unless older than what they may. */
  private onWrite(key: string, value: string, index: number): void {
    let w = this.writes.get(key);
    if (w === undefined) {
      w = { index: new Map(), order: [], head: 0, forgottenBelow: 0, pruneAt: PRUNE_WRITES_AT };
      this.writes.set(key, w);
    }
    if (w.index.has(value) || index < w.forgottenBelow) return;
    w.index.set(value, index);
    w.order.push(value);
    if (w.order.length - w.head >= w.pruneAt) this.pruneWrites(key, w);
  }

  /**
   * Forgets the writes to `key` below every floor a read of it can still be judged against: the
   * reads in flight on it, and the highest acknowledged write (the floor of every read to come).
   * A read that returns a forgotten one is stale whatever its index was.
   */
  private pruneWrites(key: string, w: KeyWrites): void {
    let floor = this.ackedWrite.get(key) ?? 0;
    for (const r of this.readFloor.values()) if (r.key === key && r.floor < floor) floor = r.floor;
    while (w.head < w.order.length && w.index.get(w.order[w.head])! < floor) w.index.delete(w.order[w.head++]);
    if (w.head > 0) w.forgottenBelow = Math.max(w.forgottenBelow, floor);
    if (w.head > w.order.length / 2) {
      w.order = w.order.slice(w.head);
      w.head = 0;
    }
    w.pruneAt = Math.max(PRUNE_WRITES_AT, 2 * (w.order.length - w.head));
  }

  private onRead(t: number, ev: Record<string, unknown>): void {
    const k = opKey(ev.client as string, ev.seq as number);
    const inv = this.readFloor.get(k);
    if (inv === undefined) return; // invoked before the trace began
    this.readFloor.delete(k);
    const name = `${String(ev.client)}#${String(ev.seq)}`;
    const value = ev.value as string | null;
    if (value === null) {
      if (inv.floor > 0)
        this.report('stale-read', `${name} read ${inv.key} as null (t=${t}), but a write to it at index ${inv.floor} was acknowledged before the read began`);
      return;
    }
    const w = this.writes.get(inv.key);
    const index = w?.index.get(value);
    if (index === undefined) {
      const forgotten = w !== undefined && w.forgottenBelow > 0;
      this.report(
        'stale-read',
        forgotten
          ? `${name} read ${inv.key} = ${value} (t=${t}), a value no write to ${inv.key} applied at index ${w.forgottenBelow} or later has (the write at index ${inv.floor} was acknowledged before the read began)`
          : `${name} read ${inv.key} = ${value} (t=${t}), a value no applied write to ${inv.key} has`,
      );
    } else if (index < inv.floor)
      this.report(
        'stale-read',
        `${name} read ${inv.key} = ${value}, written at index ${index} (t=${t}), but the write at index ${inv.floor} was acknowledged before the read began`,
      );
  }
}

/**
 * All Raft safety checks over a whole trace (see RaftSafetyMonitor for what each reads and what
 * it cannot see). Pure: the same events give the same answer, whichever mode produced them.
 *
 * @example
 * ```ts
 * expect(checkRaftSafety(sim.recorder.events)).toEqual([]);
 * ```
 */
export function checkRaftSafety(events: Iterable<TraceEvent>): RaftViolation[] {
  const monitor = new RaftSafetyMonitor();
  for (const e of events) monitor.observe(e);
  return monitor.finish();
}

const only =
  (property: RaftProperty) =>
  (events: Iterable<TraceEvent>): RaftViolation[] =>
    checkRaftSafety(events).filter((v) => v.property === property);

/**
 * Election safety alone: at most one `raft-leader` event per term.
 *
 * @example
 * ```ts
 * checkElectionSafety(sim.recorder.events); // []
 * ```
 */
export const checkElectionSafety: (events: Iterable<TraceEvent>) => RaftViolation[] = only('election-safety');

/**
 * State-machine safety alone (and, through it, an approximation of log matching): no index is
 * applied (or committed) as two different entries.
 *
 * @example
 * ```ts
 * checkStateMachineSafety(sim.recorder.events); // []
 * ```
 */
export const checkStateMachineSafety: (events: Iterable<TraceEvent>) => RaftViolation[] = only('state-machine-safety');

/**
 * Log matching alone, over every leader's log as it was elected: two logs with an entry of the
 * same term at the same index agree on all entries before it.
 *
 * @example
 * ```ts
 * checkLogMatching(sim.recorder.events); // []
 * ```
 */
export const checkLogMatching: (events: Iterable<TraceEvent>) => RaftViolation[] = only('log-matching');

/**
 * Leader append-only alone: a leader commits, at indexes its log held when elected, the entries
 * it held (it never overwrote them).
 *
 * @example
 * ```ts
 * checkLeaderAppendOnly(sim.recorder.events); // []
 * ```
 */
export const checkLeaderAppendOnly: (events: Iterable<TraceEvent>) => RaftViolation[] = only('leader-append-only');

/**
 * Leader completeness alone: a leader of term T holds every entry committed before T.
 *
 * @example
 * ```ts
 * checkLeaderCompleteness(sim.recorder.events); // []
 * ```
 */
export const checkLeaderCompleteness: (events: Iterable<TraceEvent>) => RaftViolation[] = only('leader-completeness');

/**
 * No acknowledged command lost, alone: every `client-ok` was applied, as invoked.
 *
 * @example
 * ```ts
 * checkNoAckedCommandLost(sim.recorder.events); // []
 * ```
 */
export const checkNoAckedCommandLost: (events: Iterable<TraceEvent>) => RaftViolation[] = only('acked-command-lost');

/**
 * Stale reads alone: every read returns a value at least as new as the writes to its key
 * acknowledged before it began.
 *
 * @example
 * ```ts
 * checkStaleReads(sim.recorder.events); // []
 * ```
 */
export const checkStaleReads: (events: Iterable<TraceEvent>) => RaftViolation[] = only('stale-read');
