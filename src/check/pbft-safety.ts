import type { TraceEvent } from '../actors/trace-event.ts';
import { isAdversaryBehaviour } from './adversary-behaviour.ts';
import { SeqFlags, SeqStrings } from './seq-flags.ts';

/**
 * The PBFT properties the checker judges, all about honest replicas (those not named Byzantine):
 * - `agreement`: no two honest replicas commit different batches (digest or request list) at one
 *   sequence number, in any views; nor execute different requests at one position of one seq.
 * - `validity`: every request in an honest replica's committed batch was issued by its client.
 * - `integrity`: an honest replica executes each request (client#ts) at most once between restarts.
 * - `result-integrity`: every result a client accepted was the result of an honest execution of
 *   that request, and no honest replica executed it with another result.
 * - `liveness`: every request issued was accepted by the end (judged only when asked for).
 *
 * @example
 * ```ts
 * const p: PbftProperty = 'agreement';
 * ```
 */
export type PbftProperty = 'agreement' | 'validity' | 'integrity' | 'result-integrity' | 'liveness';

/**
 * A violation found in a PBFT trace. `at` is the 0-based position, in the stream of events the
 * monitor observed, of the event that proves it (for `trace[at]` when it saw the trace from its
 * start); liveness has the first request never accepted there.
 *
 * @example
 * ```ts
 * const v: PbftViolation = { property: 'agreement', detail: 'seq 7: p1 committed d=ab12 (view 0), p3 committed d=ff00 (view 1)', at: 412 };
 * ```
 */
export interface PbftViolation {
  readonly property: PbftProperty;
  readonly detail: string;
  readonly at?: number;
}

/**
 * How the monitor is set up: `byzantine` names the actors known to be Byzantine, whose events
 * every check ignores (the properties are about honest replicas).
 *
 * @example
 * ```ts
 * const options: PbftMonitorOptions = { byzantine: ['p3'] };
 * ```
 */
export interface PbftMonitorOptions {
  readonly byzantine?: Iterable<string>;
}

/**
 * What `finish()` judges besides safety: with `expectLiveness`, every request issued must have
 * been accepted by the end of the trace (only meaningful for a run that was let settle).
 *
 * @example
 * ```ts
 * monitor.finish({ expectLiveness: true } satisfies PbftFinishOptions);
 * ```
 */
export interface PbftFinishOptions {
  readonly expectLiveness?: boolean;
}

/**
 * A `pbft-detected` event from an honest replica, as recorded (not a violation): `by` holds
 * proof that `suspect` equivocated; `at` is where it first said so (the evidence is not kept).
 *
 * @example
 * ```ts
 * const d: PbftDetection = { by: 'p0', suspect: 'p3', kind: 'pre-prepare-equivocation', at: 90 };
 * ```
 */
export interface PbftDetection {
  readonly by: string;
  readonly suspect: string;
  readonly kind: string;
  readonly at: number;
}

interface Commit {
  readonly actor: string;
  readonly view: number;
  readonly digest: string;
  readonly requests: readonly string[];
}

/** Per seq, what honest replicas executed at each position, and who did first. */
interface Executed {
  readonly requests: string[];
  readonly actors: string[];
}

/** Where a replica is in executing its current batch; `diverged` once reported for that seq. */
interface Position {
  seq: number;
  next: number;
  diverged: boolean;
}

interface Result {
  readonly result: string;
  readonly actor: string;
  /** The highest seq an honest replica executed it at: once behind the horizon, no replica executes it again. */
  seq: number;
  /** A different result another honest replica gave (the first one seen), if any. */
  other?: { readonly result: string; readonly actor: string };
}

interface Accept {
  readonly id: string;
  readonly result: string;
  readonly at: number;
}

/** Requests named in a liveness report, at most. */
const LIVENESS_SHOWN = 5;
/** Requests shown of a batch in a report. */
const BATCH_SHOWN = 4;

const requestId = (client: string, ts: number): string => `${client}#${ts}`;
const quote = (s: string): string => JSON.stringify(s);
const batch = (requests: readonly string[]): string =>
  `[${requests.slice(0, BATCH_SHOWN).join(', ')}${requests.length > BATCH_SHOWN ? `, ... (${requests.length} in all)` : ''}]`;
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** A request id `client#ts` as its client and timestamp (-1 when it names none: then the whole id is the client). */
function split(id: string): [string, number] {
  const j = id.lastIndexOf('#');
  const ts = j < 0 ? Number.NaN : Number(id.slice(j + 1));
  return Number.isNaN(ts) ? [id, -1] : [id.slice(0, j), ts];
}
/** The flags of `key` in `m`, made on first use. */
function flagsOf(m: Map<string, SeqFlags>, key: string): SeqFlags {
  let f = m.get(key);
  if (f === undefined) m.set(key, (f = new SeqFlags()));
  return f;
}

/**
 * The PBFT checker, fed one trace event at a time (a long run need not keep its trace). It
 * reads what the protocol emits (`pbft-request`, `pbft-accepted` from clients; `pbft-committed`,
 * `pbft-executed`, `pbft-view`, `pbft-detected` from replicas) and the runtime's `spawn` and
 * `restart` events; emits of the actors named Byzantine are ignored. It keeps state per sequence
 * number and per request, nothing per event. Agreement and integrity are judged as the events
 * arrive; validity and result integrity at `finish()` (or once every honest replica is past the
 * request, see below), so a request or an execution the trace shows a little late (threads mode)
 * is not held against the run; liveness at `finish()` when asked for.
 *
 * Its memory is bounded by what it must remember, not by the length of the run (issue 18): per
 * sequence number, what was committed and executed there is forgotten once every honest replica
 * that has committed, executed or checkpointed anything holds a stable checkpoint past it (the
 * horizon), as the replicas themselves forget it; per request, a request executed behind the
 * horizon and accepted is judged then and forgotten, save one bit (closed); what every request
 * needs for ever is one bit per replica that executed it (integrity) and its operation as an
 * index into the distinct operations (validity). A replica that stays down holds the horizon
 * back, so a run with one grows until it returns.
 *
 * What it reads, and what it cannot see:
 * - agreement compares each honest `pbft-committed` (digest and request list) with the first
 *   honest commit at that seq, whatever the views; and each honest `pbft-executed` with what other
 *   honest replicas executed at that seq and position (a replica's position restarts at 0 when its
 *   seq changes or it restarts). One execution divergence is reported per replica and seq.
 *   Requests skipped as duplicates emit nothing, so replicas must skip the same ones.
 * - validity: every request key in an honest commit equals `${client}#${ts}#${op}` of some
 *   `pbft-request`, anywhere in the trace.
 * - integrity: per honest replica, the requests (client#ts) it executed since its last `spawn` or
 *   `restart` event (a restarted replica may execute them again, rebuilding its state). The
 *   runtime writes those events after the new incarnation's init has run, so what init itself
 *   emits counts as before the restart; in threads mode, executions between a crashed worker's
 *   respawn and the main thread's `restart` event are forgotten with the rest.
 * - result integrity: per request, the first result an honest replica executed it with (and a
 *   differing one, if any); each `pbft-accepted` must match it, and there must be one. Once the
 *   request is judged and forgotten (closed), a later execution or acceptance of it is not.
 * - agreement is not judged at a seq behind the horizon: no honest replica commits or executes
 *   there any more (its slots are gone), so only a faulty one could.
 * - liveness: every `pbft-request` (client#ts) has a `pbft-accepted`; one violation in all,
 *   naming how many are missing and the first few.
 * A request key is split into client#ts and op at the first `#<number>#` that names an issued
 * request (clients may have `#` in their names).
 *
 * @example
 * ```ts
 * const monitor = new PbftSafetyMonitor({ byzantine: ['p3'] });
 * sim.trace$.subscribe((e) => monitor.observe(e));
 * // ... run until the clients are done ...
 * monitor.finish({ expectLiveness: true }); // []
 * ```
 */
export class PbftSafetyMonitor {
  readonly violations: PbftViolation[] = [];
  /** Each honest replica's current view and its primary, from `pbft-view`. */
  readonly views = new Map<string, { readonly view: number; readonly primary: string }>();
  /** Equivocations honest replicas proved, once per (by, suspect, kind), in trace order. */
  readonly detections: PbftDetection[] = [];
  private readonly byzantine: Set<string>;
  private seen = 0;
  /** Per seq at or past the horizon, the first honest commit and what was executed there. */
  private readonly committed = new Map<number, Commit>();
  private readonly executed = new Map<number, Executed>();
  private readonly positions = new Map<string, Position>();
  /** Per honest replica and client, the timestamps it executed since it (re)started. */
  private readonly executedTs = new Map<string, Map<string, SeqFlags>>();
  /** Per honest replica, where it executed each request at a seq still past the horizon (for reports). */
  private readonly executedAt = new Map<string, Map<string, { readonly at: number; readonly seq: number }>>();
  /** Per client, the operation of each timestamp it issued (indexes into `ops`). */
  private readonly issuedOps = new Map<string, SeqStrings>();
  private readonly ops: string[] = [];
  private issuedCount = 0;
  /** Issued requests not accepted yet, in trace order, and where they were issued. */
  private readonly open = new Map<string, number>();
  /** Per client, the timestamps judged and forgotten once behind the horizon. */
  private readonly closed = new Map<string, SeqFlags>();
  /** Requests accepted a second time with another result: judged at the end, so never closed. */
  private readonly reacceptedIds = new Set<string>();
  /** Per honest replica (one that committed, executed or checkpointed), its latest stable checkpoint; 0 before one. */
  private readonly checkpointAt = new Map<string, number>();
  /** Seqs below it are forgotten: every honest replica holds a stable checkpoint at or past it. */
  private horizon = 0;
  /** Committed request keys no `pbft-request` has matched yet: where they were first committed. */
  private readonly unissued = new Map<string, { readonly actor: string; readonly seq: number; readonly view: number; readonly at: number }>();
  private readonly results = new Map<string, Result>();
  private readonly accepted = new Map<string, Accept>();
  /** Later acceptances of a request with a result other than its first one. */
  private readonly reaccepted: Accept[] = [];
  private readonly detected = new Set<string>();
  private finished = false;
  private livenessJudged = false;

  constructor(options: PbftMonitorOptions = {}) {
    // Stryker disable next-line ArrayDeclaration: equivalent, the default names nobody and the mutant's made-up name is no actor's
    this.byzantine = new Set(options.byzantine ?? []);
  }

  observe(e: TraceEvent): void {
    const at = this.seen++;
    if (e.type === 'spawn' || e.type === 'restart') {
      // A replica compromised mid-run is judged as honest up to here and as a liar from here on.
      if (e.type === 'spawn' && isAdversaryBehaviour(e.behaviour)) this.byzantine.add(e.actor);
      this.executedTs.delete(e.actor);
      this.executedAt.delete(e.actor);
      this.positions.delete(e.actor);
      return;
    }
    if (e.type !== 'emit' || this.byzantine.has(e.actor)) return;
    const ev = e.event as Record<string, unknown>;
    switch (ev.type) {
      case 'pbft-request':
        return this.onRequest(at, ev.client as string, ev.ts as number, ev.op as string);
      case 'pbft-accepted':
        return this.onAccepted(at, ev.client as string, ev.ts as number, ev.result as string);
      case 'pbft-committed':
        return this.onCommitted(
          at,
          e.actor,
          ev.view as number,
          ev.seq as number,
          ev.digest as string,
          Array.isArray(ev.requests) ? (ev.requests as string[]) : [],
        );
      case 'pbft-executed':
        return this.onExecuted(at, e.actor, ev.seq as number, ev.request as string, ev.result as string);
      case 'pbft-checkpoint':
        return this.onCheckpoint(e.actor, ev.seq as number);
      case 'pbft-view':
        this.views.set(e.actor, { view: ev.view as number, primary: ev.primary as string });
        return;
      case 'pbft-detected': {
        const key = JSON.stringify([e.actor, ev.suspect, ev.kind]);
        if (this.detected.has(key)) return;
        this.detected.add(key);
        this.detections.push({ by: e.actor, suspect: ev.suspect as string, kind: ev.kind as string, at });
        return;
      }
    }
  }

  /**
   * Ends the run: judges validity and result integrity over everything seen (and liveness, with
   * `expectLiveness`), and returns all violations. Calling it again adds nothing, except a first
   * liveness judgement when only now asked for.
   */
  finish(options: PbftFinishOptions = {}): PbftViolation[] {
    if (!this.finished) {
      this.finished = true;
      for (const [key, c] of this.unissued) {
        this.report('validity', `${c.actor} committed ${key} at seq ${c.seq} (view ${c.view}), a request no client issued`, c.at);
      }
      for (const a of this.accepted.values()) this.judgeAccept(a);
      for (const a of this.reaccepted) this.judgeAccept(a);
    }
    if (options.expectLiveness === true && !this.livenessJudged) {
      this.livenessJudged = true;
      this.judgeLiveness();
    }
    return this.violations;
  }

  private report(property: PbftProperty, detail: string, at?: number): void {
    // Stryker disable next-line ConditionalExpression,ObjectLiteral: equivalent, every caller has a position (liveness reports only with a request missing, whose position it took)
    this.violations.push(at === undefined ? { property, detail } : { property, detail, at });
  }

  /**
   * What the monitor holds at the moment, counted (how its memory stays bounded on a long run):
   * seqs (commits and executions), requests (open, results, acceptances, execution positions)
   * and the horizon below which seqs are forgotten.
   */
  held(): { readonly horizon: number; readonly seqs: number; readonly requests: number } {
    let at = 0;
    for (const m of this.executedAt.values()) at += m.size;
    return { horizon: this.horizon, seqs: this.committed.size + this.executed.size, requests: this.open.size + this.results.size + this.accepted.size + at };
  }

  private opOf(id: string): string | undefined {
    const [client, ts] = split(id);
    return this.issuedOps.get(client)?.get(ts);
  }

  private isClosed(id: string, [client, ts] = split(id)): boolean {
    return this.closed.get(client)?.has(ts) ?? false;
  }

  private onRequest(at: number, client: string, ts: number, op: string): void {
    const id = requestId(client, ts);
    if (this.opOf(id) === undefined) {
      let ops = this.issuedOps.get(client);
      if (ops === undefined) this.issuedOps.set(client, (ops = new SeqStrings(this.ops)));
      ops.set(ts, op);
      this.issuedCount++;
      if (!this.accepted.has(id) && !this.isClosed(id)) this.open.set(id, at);
    }
    this.unissued.delete(`${id}#${op}`);
  }

  private onAccepted(at: number, client: string, ts: number, result: string): void {
    const id = requestId(client, ts);
    this.open.delete(id);
    if (this.isClosed(id)) return; // judged and forgotten: a repeated acceptance is not judged again
    const first = this.accepted.get(id);
    if (first === undefined) this.accepted.set(id, { id, result, at });
    else if (first.result !== result) {
      this.reaccepted.push({ id, result, at });
      this.reacceptedIds.add(id);
    }
  }

  /**
   * A replica's stable checkpoint moved to `seq`: once every honest replica is past a seq, what
   * was committed and executed there is forgotten, and the requests executed behind it that
   * were accepted are judged and closed.
   */
  private onCheckpoint(actor: string, seq: number): void {
    if (seq > (this.checkpointAt.get(actor) ?? 0)) this.checkpointAt.set(actor, seq);
    let horizon = Infinity;
    for (const at of this.checkpointAt.values()) horizon = Math.min(horizon, at);
    if (horizon <= this.horizon) return;
    this.horizon = horizon;
    for (const n of this.committed.keys()) if (n < horizon) this.committed.delete(n);
    for (const n of this.executed.keys()) if (n < horizon) this.executed.delete(n);
    for (const m of this.executedAt.values()) for (const [id, x] of m) if (x.seq < horizon) m.delete(id);
    for (const [id, r] of this.results) {
      const a = this.accepted.get(id);
      if (r.seq >= horizon || a === undefined || this.reacceptedIds.has(id)) continue;
      this.judgeAccept(a);
      this.results.delete(id);
      this.accepted.delete(id);
      const [client, ts] = split(id);
      flagsOf(this.closed, client).add(ts);
    }
  }

  /** An honest replica took part: it holds the horizon until its first stable checkpoint. */
  private member(actor: string): void {
    if (!this.checkpointAt.has(actor)) this.checkpointAt.set(actor, 0);
  }

  private onCommitted(at: number, actor: string, view: number, seq: number, digest: string, requests: readonly string[]): void {
    this.member(actor);
    const first = seq < this.horizon ? undefined : this.committed.get(seq);
    if (first === undefined) {
      if (seq >= this.horizon) this.committed.set(seq, { actor, view, digest, requests: [...requests] });
    } else if (first.digest !== digest) {
      this.report(
        'agreement',
        `seq ${seq}: ${first.actor} committed d=${first.digest} (view ${first.view}), ${actor} committed d=${digest} (view ${view})`,
        at,
      );
    } else if (!sameList(first.requests, requests)) {
      this.report(
        'agreement',
        `seq ${seq}: ${first.actor} committed d=${digest} as ${batch(first.requests)} (view ${first.view}), ${actor} committed d=${digest} as ${batch(requests)} (view ${view})`,
        at,
      );
    }
    for (const key of requests) {
      if (this.unissued.has(key)) continue;
      const id = this.idOf(key);
      const op = this.opOf(id);
      if (op === undefined || `${id}#${op}` !== key) this.unissued.set(key, { actor, seq, view, at });
    }
  }

  private onExecuted(at: number, actor: string, seq: number, request: string, result: string): void {
    this.member(actor);
    const id = this.idOf(request);
    const parts = split(id);
    this.integrity(at, actor, seq, id, parts);
    // Results, for judging what clients accepted (not of a request judged and forgotten).
    if (!this.isClosed(id, parts)) {
      const r = this.results.get(id);
      if (r === undefined) this.results.set(id, { result, actor, seq });
      else {
        if (seq > r.seq) r.seq = seq;
        if (r.result !== result && r.other === undefined) r.other = { result, actor };
      }
    }
    if (seq < this.horizon) return; // forgotten there (see the class comment)
    // Agreement on what is executed where: this replica's next position in its current batch.
    let pos = this.positions.get(actor);
    if (pos === undefined || pos.seq !== seq) {
      pos = { seq, next: 0, diverged: false };
      this.positions.set(actor, pos);
    }
    const i = pos.next++;
    let ex = this.executed.get(seq);
    if (ex === undefined) {
      ex = { requests: [], actors: [] };
      this.executed.set(seq, ex);
    }
    if (i >= ex.requests.length) {
      ex.requests.push(request);
      ex.actors.push(actor);
    } else if (ex.requests[i] !== request && !pos.diverged) {
      pos.diverged = true;
      this.report('agreement', `seq ${seq} position ${i}: ${ex.actors[i]} executed ${ex.requests[i]}, ${actor} executed ${request}`, at);
    }
  }

  /** Integrity: once per request per replica, since it (re)started. */
  private integrity(at: number, actor: string, seq: number, id: string, [client, ts]: [string, number]): void {
    let mine = this.executedTs.get(actor);
    if (mine === undefined) this.executedTs.set(actor, (mine = new Map()));
    let where = this.executedAt.get(actor);
    if (where === undefined) this.executedAt.set(actor, (where = new Map()));
    const flags = flagsOf(mine, client);
    if (flags.has(ts)) {
      const before = where.get(id);
      const first = before === undefined ? `first at a seq behind the horizon (${this.horizon})` : `first at event ${before.at}`;
      this.report('integrity', `${actor} executed ${id} twice without restarting: ${first}, again at seq ${seq}`, at);
      return;
    }
    flags.add(ts);
    where.set(id, { at, seq });
  }

  private judgeAccept(a: Accept): void {
    const r = this.results.get(a.id);
    if (r === undefined) this.report('result-integrity', `${a.id} accepted result ${quote(a.result)}, but no honest replica executed it`, a.at);
    else if (r.result !== a.result)
      this.report('result-integrity', `${a.id} accepted result ${quote(a.result)}, but ${r.actor} executed it with result ${quote(r.result)}`, a.at);
    else if (r.other !== undefined)
      this.report(
        'result-integrity',
        `${a.id} accepted result ${quote(a.result)}, but ${r.other.actor} executed it with result ${quote(r.other.result)}`,
        a.at,
      );
  }

  private judgeLiveness(): void {
    const missing = [...this.open.keys()];
    if (missing.length === 0) return;
    const shown = missing.slice(0, LIVENESS_SHOWN).join(', ');
    this.report(
      'liveness',
      `${missing.length} of ${this.issuedCount} requests never accepted: ${shown}${missing.length > LIVENESS_SHOWN ? ', ...' : ''}`,
      this.open.get(missing[0]),
    );
  }

  /**
   * The client#ts part of a request key `${client}#${ts}#${op}`: the first prefix ending in
   * `#<number>` before a `#` that names an issued request, else the first such prefix at all.
   */
  private idOf(key: string): string {
    let fallback: string | undefined;
    for (let i = key.indexOf('#'); i >= 0; i = key.indexOf('#', i + 1)) {
      const j = key.indexOf('#', i + 1);
      // Stryker disable next-line EqualityOperator: equivalent, j > i >= 0 so j is never 0
      if (j < 0) break;
      const ts = key.slice(i + 1, j);
      if (String(Number(ts)) !== ts) continue;
      const id = key.slice(0, j);
      if (this.opOf(id) !== undefined) return id;
      fallback ??= id;
    }
    return fallback ?? key;
  }
}

/**
 * All PBFT checks over a whole trace (see PbftSafetyMonitor for what each reads and what it
 * cannot see), with the Byzantine actors to leave out and whether to expect liveness. Pure: the
 * same events give the same answer, whichever mode produced them.
 *
 * @example
 * ```ts
 * expect(checkPbftSafety(sim.recorder.events, { byzantine: ['p3'], expectLiveness: true })).toEqual([]);
 * ```
 */
export function checkPbftSafety(events: Iterable<TraceEvent>, options: PbftMonitorOptions & PbftFinishOptions = {}): PbftViolation[] {
  const monitor = new PbftSafetyMonitor(options);
  for (const e of events) monitor.observe(e);
  return monitor.finish(options);
}
