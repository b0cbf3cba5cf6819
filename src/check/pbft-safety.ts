import type { TraceEvent } from '../actors/trace-event.ts';

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

/**
 * The PBFT checker, fed one trace event at a time (a long run need not keep its trace). It
 * reads what the protocol emits (`pbft-request`, `pbft-accepted` from clients; `pbft-committed`,
 * `pbft-executed`, `pbft-view`, `pbft-detected` from replicas) and the runtime's `spawn` and
 * `restart` events; emits of the actors named Byzantine are ignored. It keeps state per sequence
 * number and per request, nothing per event. Agreement and integrity are judged as the events
 * arrive; validity and result integrity at `finish()`, so a request or an execution the trace
 * shows a little late (threads mode) is not held against the run; liveness at `finish()` when
 * asked for.
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
 *   differing one, if any); each `pbft-accepted` must match it, and there must be one.
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
  private readonly byzantine: ReadonlySet<string>;
  private seen = 0;
  private readonly committed = new Map<number, Commit>();
  private readonly executed = new Map<number, Executed>();
  private readonly positions = new Map<string, Position>();
  /** Per honest replica, the requests (client#ts) it executed since it (re)started, and where. */
  private readonly executedIds = new Map<string, Map<string, number>>();
  /** Issued requests (client#ts -> op), in trace order, and where. */
  private readonly issued = new Map<string, { readonly op: string; readonly at: number }>();
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
    this.byzantine = new Set(options.byzantine ?? []);
  }

  observe(e: TraceEvent): void {
    const at = this.seen++;
    if (e.type === 'spawn' || e.type === 'restart') {
      this.executedIds.delete(e.actor);
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
    this.violations.push(at === undefined ? { property, detail } : { property, detail, at });
  }

  private onRequest(at: number, client: string, ts: number, op: string): void {
    const id = requestId(client, ts);
    if (!this.issued.has(id)) this.issued.set(id, { op, at });
    this.unissued.delete(`${id}#${op}`);
  }

  private onAccepted(at: number, client: string, ts: number, result: string): void {
    const id = requestId(client, ts);
    const first = this.accepted.get(id);
    if (first === undefined) this.accepted.set(id, { id, result, at });
    else if (first.result !== result) this.reaccepted.push({ id, result, at });
  }

  private onCommitted(at: number, actor: string, view: number, seq: number, digest: string, requests: readonly string[]): void {
    const first = this.committed.get(seq);
    if (first === undefined) this.committed.set(seq, { actor, view, digest, requests: [...requests] });
    else if (first.digest !== digest) {
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
      const req = this.issued.get(id);
      if (req === undefined || `${id}#${req.op}` !== key) this.unissued.set(key, { actor, seq, view, at });
    }
  }

  private onExecuted(at: number, actor: string, seq: number, request: string, result: string): void {
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
    // Integrity: once per request per replica, since it (re)started.
    const id = this.idOf(request);
    let mine = this.executedIds.get(actor);
    if (mine === undefined) {
      mine = new Map();
      this.executedIds.set(actor, mine);
    }
    const before = mine.get(id);
    if (before !== undefined) this.report('integrity', `${actor} executed ${id} twice without restarting: first at event ${before}, again at seq ${seq}`, at);
    else mine.set(id, at);
    // Results, for judging what clients accepted.
    const r = this.results.get(id);
    if (r === undefined) this.results.set(id, { result, actor });
    else if (r.result !== result && r.other === undefined) r.other = { result, actor };
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
    const missing: string[] = [];
    let firstAt: number | undefined;
    for (const [id, req] of this.issued) {
      if (this.accepted.has(id)) continue;
      firstAt ??= req.at;
      missing.push(id);
    }
    if (missing.length === 0) return;
    const shown = missing.slice(0, LIVENESS_SHOWN).join(', ');
    this.report(
      'liveness',
      `${missing.length} of ${this.issued.size} requests never accepted: ${shown}${missing.length > LIVENESS_SHOWN ? ', ...' : ''}`,
      firstAt,
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
      if (j < 0) break;
      const ts = key.slice(i + 1, j);
      if (String(Number(ts)) !== ts) continue;
      const id = key.slice(0, j);
      if (this.issued.has(id)) return id;
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
