import type { KeyObject } from 'node:crypto';
import { decisionHash, genesisHash, resultHash, signCheckpoint, type ChainedDecision } from './audit-chain.ts';
import type { StoreDb } from './open-store.ts';
import type { RecordBatch } from './record-batch.ts';

/** The votes of a decision none were kept for (shared, never written to). */
const NO_VOTES: unknown[][] = [];

/** How a run ends in the store: its status, exit code, result and findings. */
export interface RunEnd {
  readonly status: 'completed' | 'failed' | 'violated' | 'broken';
  readonly exitCode: number;
  /** JSON of the run's result (or a stress or bench report). */
  readonly result?: string;
  readonly traceHash?: string;
  readonly tracePath?: string;
  readonly error?: string;
  readonly findings?: readonly { kind: 'safety' | 'liveness'; checker: string; text: string; detail: string }[];
}

/**
 * Where a run's writer stands: enough to carry on the chain in another thread (a run starts
 * writing in its own thread and moves to a writer thread once it proves big).
 */
export interface WriterState {
  readonly prevHash: string;
  readonly seq: number;
  readonly lastT: number;
  readonly openedAt: readonly (readonly [string, number])[];
  readonly pendingVotes: readonly (readonly [string, unknown[][]])[];
  readonly counts: WriterCounts;
}

/** What the writer has made durable so far: what `monitor` reads and what the run may report. */
export interface WriterCounts {
  opened: number;
  closed: number;
  decided: number;
  votes: number;
  latencySum: number;
  latencyMax: number;
}

/**
 * Writes one run's records into the store, one transaction per batch: decisions (chained and,
 * with a key, checkpointed with a signature per batch), their votes, the timeline's events, a
 * progress row; past `detailLimit` decisions, one aggregate row per batch instead. Runs in the
 * store's writer thread (or inline, for commands that record little).
 *
 * @example
 * ```ts
 * const w = new RunWriter(db, 'run-1', { detailLimit: 100_000, key: auditKey(file)?.privateKey, keyId });
 * w.apply(batch); w.finish({ status: 'completed', exitCode: 0, result: JSON.stringify(result) });
 * ```
 */
export class RunWriter {
  readonly counts: WriterCounts = { opened: 0, closed: 0, decided: 0, votes: 0, latencySum: 0, latencyMax: 0 };
  private prevHash: string;
  private seq = 0;
  /** Trace time of the last record stored. */
  private lastT = 0;
  /** Open decisions: when each opened. */
  private readonly openedAt = new Map<string, number>();
  /** Votes of decisions still open, as `[t, agent, vote, reason, confidence]`: stored with the decision's row when it closes, so that the row (and the chain) covers them. */
  private readonly pendingVotes = new Map<string, unknown[][]>();
  private readonly insertDecision;
  private readonly insertEvent;
  private readonly insertProgress;
  private readonly insertAggregate;
  private readonly insertCheckpoint;

  constructor(
    private readonly db: StoreDb,
    private readonly runId: string,
    private readonly o: { detailLimit: number; key?: KeyObject; keyId?: string },
    from?: WriterState,
  ) {
    this.prevHash = from?.prevHash ?? genesisHash(runId);
    if (from) {
      this.seq = from.seq;
      this.lastT = from.lastT;
      for (const [d, t] of from.openedAt) this.openedAt.set(d, t);
      for (const [d, v] of from.pendingVotes) this.pendingVotes.set(d, v);
      Object.assign(this.counts, from.counts);
    }
    this.insertDecision = db.prepare(
      'INSERT INTO decisions (run_id, seq, decision, t, opened_t, latency_ms, outcome, value, strength, votes, of, algorithm, detail, ballots, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertEvent = db.prepare('INSERT INTO events (run_id, t, kind, actor, detail) VALUES (?, ?, ?, ?, ?)');
    this.insertProgress = db.prepare(
      'INSERT INTO progress (run_id, at, t, opened, closed, decided, votes, latency_sum, latency_max) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertAggregate = db.prepare('INSERT INTO aggregates (run_id, t, closed, by_outcome, latency_sum, latency_max) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertCheckpoint = db.prepare('INSERT INTO checkpoints (run_id, upto, hashes, signature, key_id, at) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Where this writer stands, for another to carry on from. */
  state(): WriterState {
    return {
      prevHash: this.prevHash,
      seq: this.seq,
      lastT: this.lastT,
      openedAt: [...this.openedAt],
      pendingVotes: [...this.pendingVotes],
      counts: { ...this.counts },
    };
  }

  /** Stores a batch in one transaction, with a progress row (and a checkpoint for its decisions). */
  apply(b: RecordBatch): void {
    this.db.transaction(() => {
      const hashes: string[] = [];
      if (b.size > 0) this.lastT = b.lastT;
      const opens = b.opens;
      for (let i = 0; i < opens.t.length; i++) this.openedAt.set(opens.decision[i]!, opens.t[i]!);
      this.counts.opened += opens.t.length;
      const v = b.votes;
      for (let i = 0; i < v.t.length; i++) {
        const list = this.pendingVotes.get(v.decision[i]!);
        const vote = [v.t[i]!, v.agent[i]!, v.vote[i]!, v.reason[i]!, v.confidence[i]!];
        if (list) list.push(vote);
        else this.pendingVotes.set(v.decision[i]!, [vote]);
      }
      this.counts.votes += v.t.length + b.votesCounted;
      const c = b.closes;
      let aggregate: { closed: number; byOutcome: Record<string, number>; latencySum: number; latencyMax: number } | undefined;
      for (let i = 0; i < c.t.length; i++) {
        const decision = c.decision[i]!;
        const openedT = this.openedAt.get(decision) ?? null;
        this.openedAt.delete(decision);
        // Past the detail limit no votes come: most runs hold none here, so skip the lookup.
        const votes = this.pendingVotes.size === 0 ? NO_VOTES : (this.pendingVotes.get(decision) ?? NO_VOTES);
        if (votes !== NO_VOTES) this.pendingVotes.delete(decision);
        const latency = c.latencyMs[i] ?? (openedT === null ? null : c.t[i]! - openedT);
        this.counts.closed++;
        if (c.outcome[i] !== 'no-consensus') this.counts.decided++;
        if (latency !== null) {
          this.counts.latencySum += latency;
          if (latency > this.counts.latencyMax) this.counts.latencyMax = latency;
        }
        if (this.seq >= this.o.detailLimit) {
          aggregate ??= { closed: 0, byOutcome: {}, latencySum: 0, latencyMax: 0 };
          aggregate.closed++;
          aggregate.byOutcome[c.outcome[i]!] = (aggregate.byOutcome[c.outcome[i]!] ?? 0) + 1;
          if (latency !== null) {
            aggregate.latencySum += latency;
            aggregate.latencyMax = Math.max(aggregate.latencyMax, latency);
          }
          continue;
        }
        hashes.push(
          this.chain({
            seq: this.seq + 1,
            decision,
            t: c.t[i]!,
            openedT,
            latencyMs: latency,
            outcome: c.outcome[i]!,
            value: c.value[i]!,
            strength: c.strength[i]!,
            votes: c.votes[i]!,
            of: c.of[i]!,
            algorithm: c.algorithm[i]!,
            detail: c.detail[i]!,
            ballots: votes.length > 0 ? JSON.stringify(votes) : null,
          }),
        );
      }
      if (aggregate)
        this.insertAggregate.run(this.runId, b.lastT, aggregate.closed, JSON.stringify(aggregate.byOutcome), aggregate.latencySum, aggregate.latencyMax);
      for (const e of b.events) this.insertEvent.run(this.runId, e.t, e.kind, e.actor, e.detail);
      if (hashes.length > 0) this.checkpoint(hashes.join(' '));
      const n = this.counts;
      this.insertProgress.run(this.runId, Date.now(), b.size > 0 ? b.lastT : null, n.opened, n.closed, n.decided, n.votes, n.latencySum, n.latencyMax);
    })();
  }

  /** Stores one decision row chained to the one before; returns its hash. */
  private chain(row: ChainedDecision): string {
    const hash = decisionHash(this.runId, this.prevHash, row);
    this.insertDecision.run(
      this.runId,
      row.seq,
      row.decision,
      row.t,
      row.openedT,
      row.latencyMs,
      row.outcome,
      row.value,
      row.strength,
      row.votes,
      row.of,
      row.algorithm,
      row.detail,
      row.ballots,
      this.prevHash,
      hash,
    );
    this.seq = row.seq;
    this.prevHash = hash;
    return hash;
  }

  /**
   * Closes the run: decisions still open (opened, or with votes, but never closed) are stored as
   * `unclosed` at the end of the chain, the result and findings stored, and a last checkpoint
   * signs the chain's head with the result's hash.
   */
  finish(end: RunEnd): void {
    this.db.transaction(() => {
      const hashes: string[] = [];
      const unclosed = new Set([...this.openedAt.keys(), ...this.pendingVotes.keys()]);
      for (const decision of unclosed) {
        if (this.seq >= this.o.detailLimit) break;
        const votes = this.pendingVotes.get(decision) ?? [];
        hashes.push(
          this.chain({
            seq: this.seq + 1,
            decision,
            t: this.lastT,
            openedT: this.openedAt.get(decision) ?? null,
            latencyMs: null,
            outcome: 'unclosed',
            value: null,
            strength: null,
            votes: votes.length,
            of: null,
            algorithm: null,
            detail: null,
            ballots: votes.length > 0 ? JSON.stringify(votes) : null,
          }),
        );
      }
      if (hashes.length > 0) this.checkpoint(hashes.join(' '));
      this.pendingVotes.clear();
      this.openedAt.clear();
      const f = this.db.prepare('INSERT INTO findings (run_id, kind, checker, text, detail) VALUES (?, ?, ?, ?, ?)');
      for (const x of end.findings ?? []) f.run(this.runId, x.kind, x.checker, x.text, x.detail);
      this.db
        .prepare('UPDATE runs SET status = ?, exit_code = ?, ended_at = ?, result = ?, trace_hash = ?, trace_path = ?, error = ? WHERE id = ?')
        .run(end.status, end.exitCode, Date.now(), end.result ?? null, end.traceHash ?? null, end.tracePath ?? null, end.error ?? null, this.runId);
      this.checkpoint(`head:${this.prevHash} result:${resultHash(end.result ?? '')}`, this.seq + 0.5);
    })();
  }

  /**
   * Records the hashes of the rows a batch added (or, at the end, the head and the result) with
   * the key's signature. The final checkpoint's `upto` is the last seq + 0.5: after every row,
   * distinct from the last batch's checkpoint.
   */
  private checkpoint(hashes: string, upto: number = this.seq): void {
    const signature = this.o.key ? signCheckpoint(this.o.key, this.runId, upto, hashes) : null;
    this.insertCheckpoint.run(this.runId, upto, hashes, signature, this.o.keyId ?? null, Date.now());
  }
}
