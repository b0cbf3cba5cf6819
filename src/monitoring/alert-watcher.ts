/**
 * Raises the `monitoring:` alerts of a run from its trace, as the events arrive: outside the
 * protocols (which know nothing of alerts), like the checkers and the progress line. It knows
 * how each protocol's trace opens and closes a decision; every protocol has a consensus time and
 * a success rate, so those rules work for all of them.
 */
import type { TraceEvent } from '../actors/trace-event.ts';
import type { MonitoringConfig } from '../scenario/monitoring.ts';
import type { AlertRecord } from './alert-record.ts';
import { CLOSES, OPENS } from './decision-keys.ts';

const ms = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;

/**
 * Folds a run's trace into alerts. `slow-consensus`: each decision that takes longer than the
 * threshold, once: as soon as an event of the run shows it still open past the threshold (so a
 * decision stuck open, or held for oversight, is reported while the run goes), else when it
 * closes. `failure-rate`: the share of closed decisions that failed (no
 * consensus, timed out, given up), over all closed so far, raised when it goes above the
 * threshold and again only after it has come back to or below it. `byzantine-detected`: once
 * per agent, at its first detection. `leader-storm`: when the Raft elections and PBFT view
 * changes within the window reach the configured count, and again only once the window has
 * fallen below it. `dead-letters`: once, when the envelopes dead-lettered (traced one by one or
 * summarised per turn) go over the threshold.
 *
 * @example
 * ```ts
 * const watcher = new AlertWatcher({ slowConsensusMs: 1000 }, (a) => console.log(a.message));
 * system.trace$.subscribe((e) => watcher.observe(e));
 * watcher.alerts; // AlertRecord[]
 * ```
 */
export class AlertWatcher {
  readonly alerts: AlertRecord[] = [];
  private origin: number | undefined;
  private readonly opened = new Map<string, number>();
  /** Decisions in the order they opened (so in order of age), for the live slow check; `head` is the oldest not yet looked at. */
  private readonly ages: { key: string; at: number }[] = [];
  private head = 0;
  /** Open decisions already reported slow (not reported again when they close). */
  private readonly reported = new Set<string>();
  private closed = 0;
  private failed = 0;
  private over = false;
  private readonly detected = new Set<string>();
  private readonly slowMs: number | undefined;
  private readonly failureRate: number | undefined;
  /** Times of the leader elections and view changes still within the storm window. */
  private readonly changes: number[] = [];
  private storming = false;
  private deadLetters = 0;
  private readonly views = new Set<number>();

  constructor(
    private readonly config: MonitoringConfig,
    private readonly onAlert?: (alert: AlertRecord) => void,
  ) {
    const performance = config.performanceAlerts !== false;
    this.slowMs = performance ? config.slowConsensusMs : undefined;
    this.failureRate = performance ? config.failureRate : undefined;
  }

  /** Whether any rule is on (no rule: nothing to watch). */
  get active(): boolean {
    return (
      this.slowMs !== undefined ||
      this.failureRate !== undefined ||
      this.config.byzantineDetection === true ||
      this.config.leaderStorm !== undefined ||
      this.config.deadLetters !== undefined
    );
  }

  observe(e: TraceEvent): void {
    this.origin ??= e.t;
    this.take(e);
    // After the event: a decision it closes is reported (if slow) as closed, not as still open.
    if (this.slowMs !== undefined) this.overdue(e.t);
  }

  private take(e: TraceEvent): void {
    if (e.type === 'dead-letter') return this.deadLettered(e.t, 1);
    if (e.type === 'dead-letters-summarised') return this.deadLettered(e.t, e.count);
    if (e.type !== 'emit') return;
    const ev = e.event as Record<string, unknown>;
    const type = String(ev.type);
    if (type === 'decided') {
      const key = OPENS.proposal(e.actor, ev);
      this.opened.delete(key);
      return this.close(e.t, String(ev.decision), Number(ev.latencyMs ?? 0), ev.consensus === true, key);
    }
    if (type === 'byzantine-detected') return this.detect(e.t, String(ev.agent), String(ev.evidence ?? ''));
    if (type === 'raft-leader') return this.leaderChange(e.t, `${e.actor} elected leader of term ${String(ev.term)}`);
    if (type === 'pbft-view') {
      // Every replica reports the view it enters: one change per view.
      const view = Number(ev.view);
      if (this.views.has(view)) return;
      this.views.add(view);
      return this.leaderChange(e.t, `view ${view} (primary ${String(ev.primary)})`);
    }
    if (type === 'pbft-detected') return this.detect(e.t, String(ev.suspect), `${String(ev.kind ?? 'misbehaviour')} (reported by ${e.actor})`);
    if (type === 'pbft-client-gave-up') {
      // Requests still waiting when the client's deadline passed: failures without a time each.
      const waiting = Number(ev.waiting ?? 0);
      for (let i = 0; i < waiting; i++) this.count(e.t, undefined, false);
      return;
    }
    const open = OPENS[type];
    if (open) {
      const key = open(e.actor, ev);
      this.opened.set(key, e.t);
      if (this.slowMs !== undefined) this.ages.push({ key, at: e.t });
      return;
    }
    const close = CLOSES[type];
    if (close) {
      const key = close.key(e.actor, ev);
      const at = this.opened.get(key);
      if (at === undefined) return;
      this.opened.delete(key);
      this.close(e.t, nameOf(key), e.t - at, close.ok, key);
    }
  }

  /** Reports each decision still open past the threshold at `t`, oldest first, once. */
  private overdue(t: number): void {
    const slow = this.slowMs!;
    while (this.head < this.ages.length) {
      const { key, at } = this.ages[this.head];
      if (this.opened.get(key) !== at) {
        this.head++; // closed (or reopened under the same key: its newer entry is further on)
        continue;
      }
      if (t - at <= slow) break;
      this.head++;
      this.reported.add(key);
      const decision = nameOf(key);
      this.raise({
        at: t,
        rule: 'slow-consensus',
        value: t - at,
        threshold: slow,
        decision,
        message: `decision ${decision} still open after ${ms(t - at)} (slow-consensus threshold ${ms(slow)})`,
      });
    }
    if (this.head > 1024 && this.head * 2 > this.ages.length) {
      this.ages.splice(0, this.head);
      this.head = 0;
    }
  }

  private close(t: number, decision: string, latencyMs: number, ok: boolean, key: string): void {
    if (this.slowMs !== undefined && latencyMs > this.slowMs && !this.reported.delete(key)) {
      this.raise({
        at: t,
        rule: 'slow-consensus',
        value: latencyMs,
        threshold: this.slowMs,
        decision,
        message: `decision ${decision} took ${ms(latencyMs)} (slow-consensus threshold ${ms(this.slowMs)})`,
      });
    }
    this.reported.delete(key);
    this.count(t, decision, ok);
  }

  private count(t: number, decision: string | undefined, ok: boolean): void {
    this.closed++;
    if (!ok) this.failed++;
    if (this.failureRate === undefined) return;
    const rate = this.failed / this.closed;
    if (!this.over && rate > this.failureRate) {
      this.over = true;
      this.raise({
        at: t,
        rule: 'failure-rate',
        value: rate,
        threshold: this.failureRate,
        ...(decision !== undefined ? { decision } : {}),
        message: `failure rate ${round(rate)} (${this.failed} of ${this.closed} decisions closed without consensus) is over the threshold ${this.failureRate}`,
      });
    } else if (this.over && rate <= this.failureRate) this.over = false;
  }

  private detect(t: number, agent: string, evidence: string): void {
    if (this.config.byzantineDetection !== true || this.detected.has(agent)) return;
    this.detected.add(agent);
    this.raise({
      at: t,
      rule: 'byzantine-detected',
      value: this.detected.size,
      threshold: 0,
      agent,
      message: `agent ${agent} detected as Byzantine: ${evidence}`,
    });
  }

  private leaderChange(t: number, what: string): void {
    const storm = this.config.leaderStorm;
    if (storm === undefined) return;
    this.changes.push(t);
    while (this.changes.length > 0 && this.changes[0] < t - storm.withinMs) this.changes.shift();
    if (this.changes.length < storm.changes) {
      this.storming = false;
      return;
    }
    if (this.storming) return;
    this.storming = true;
    this.raise({
      at: t,
      rule: 'leader-storm',
      value: this.changes.length,
      threshold: storm.changes,
      message: `leader change storm: ${this.changes.length} leader elections or view changes within ${ms(storm.withinMs)} (the last: ${what})`,
    });
  }

  private deadLettered(t: number, count: number): void {
    const limit = this.config.deadLetters;
    if (limit === undefined) return;
    const before = this.deadLetters;
    this.deadLetters += count;
    if (before <= limit && this.deadLetters > limit) {
      this.raise({
        at: t,
        rule: 'dead-letters',
        value: this.deadLetters,
        threshold: limit,
        message: `${this.deadLetters} envelopes dead-lettered, over the threshold ${limit}`,
      });
    }
  }

  private raise(a: Omit<AlertRecord, 'at'> & { at: number }): void {
    const alert: AlertRecord = { ...a, at: round(a.at - (this.origin ?? a.at)) };
    this.alerts.push(alert);
    this.onAlert?.(alert);
  }
}

/** `raft:client#3` -> `client#3`; `vote:coordinator#d1` -> `d1`. */
const nameOf = (key: string): string => (key.startsWith('vote:') ? key.slice(key.indexOf('#') + 1) : key.slice(key.indexOf(':') + 1));

const round = (x: number): number => Math.round(x * 1000) / 1000;
