import type { AlertRecord, AlertRule } from '../monitoring/alert-record.ts';
import type { AlertChannel, AlertContext } from './alert-channel.ts';

/** Options of a dispatcher; clocks and waits are injected by tests. */
export interface DispatcherOptions {
  /** A rule notifies at most once per this many ms (default 60 s); the ones held back are counted in the next. */
  readonly cooldownMs?: number;
  /** Attempts per alert and channel (default 3). */
  readonly attempts?: number;
  /** Wait before the second attempt (default 500 ms), doubled before each further one. */
  readonly backoffMs?: number;
  /** Wall clock (default Date.now). */
  readonly now?: () => number;
  /** Waits between attempts (default a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told of each channel that gave up on an alert (default: nothing; the CLI prints it). */
  readonly onFailure?: (text: string) => void;
}

/** What a dispatcher did. */
export interface DispatchReport {
  /** Deliveries that a channel accepted (one per alert and channel). */
  readonly delivered: number;
  /** Deliveries a channel failed after every attempt, each with why. */
  readonly failures: readonly string[];
  /** Attempts that failed and were tried again. */
  readonly retried: number;
  /** Alerts not sent because their rule was cooling down (recorded all the same). */
  readonly heldBack: number;
}

/**
 * Sends a run's alerts to its channels without ever holding up or breaking the run: `notify`
 * returns at once and never throws; each channel gets its own attempts, with a doubling backoff;
 * a channel that fails every attempt is reported (`onFailure`, the report) and the others are
 * unaffected. Each rule has a cooldown, so a storm of one rule sends one notification (the next
 * one after the cooldown says how many were held back).
 *
 * @example
 * ```ts
 * const d = new AlertDispatcher([terminalChannel(console.error)], { run: 'r1', scenario: 'db-choice' }, { cooldownMs: 30_000 });
 * d.notify(alert);
 * const report = await d.drain(); // { delivered: 1, failures: [], retried: 0, heldBack: 0 }
 * ```
 */
export class AlertDispatcher {
  private readonly pending = new Set<Promise<void>>();
  private readonly lastSent = new Map<AlertRule, number>();
  private readonly held = new Map<AlertRule, number>();
  private delivered = 0;
  private retried = 0;
  private heldBack = 0;
  private readonly failures: string[] = [];
  private readonly cooldownMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly channels: readonly AlertChannel[],
    private readonly context: AlertContext,
    private readonly options: DispatcherOptions = {},
  ) {
    this.cooldownMs = options.cooldownMs ?? 60_000;
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sends an alert to every channel, unless its rule is cooling down. Returns at once. */
  notify(alert: AlertRecord): void {
    if (this.channels.length === 0) return;
    const now = this.now();
    const last = this.lastSent.get(alert.rule);
    if (last !== undefined && now - last < this.cooldownMs) {
      this.held.set(alert.rule, (this.held.get(alert.rule) ?? 0) + 1);
      this.heldBack++;
      return;
    }
    this.lastSent.set(alert.rule, now);
    const suppressed = this.held.get(alert.rule) ?? 0;
    this.held.delete(alert.rule);
    const sent: AlertRecord = suppressed > 0 ? { ...alert, suppressed } : alert;
    for (const channel of this.channels) {
      const p = this.deliver(channel, sent).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Waits until every alert notified so far was delivered or given up on; then the report. */
  async drain(): Promise<DispatchReport> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    return { delivered: this.delivered, failures: [...this.failures], retried: this.retried, heldBack: this.heldBack };
  }

  /** Drains, then closes the channels (an SMTP connection, say). */
  async close(): Promise<DispatchReport> {
    const report = await this.drain();
    await Promise.all(this.channels.map((c) => c.close().catch(() => undefined)));
    return report;
  }

  private async deliver(channel: AlertChannel, alert: AlertRecord): Promise<void> {
    let wait = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await channel.send(alert, this.context);
        this.delivered++;
        return;
      } catch (e) {
        if (attempt >= this.attempts) {
          const text = `alert channel ${channel.name} failed ${attempt} time${attempt === 1 ? '' : 's'} for a ${alert.rule} alert (last: ${(e as Error).message}); the run goes on, and the alert stays in its result (and the store, when recorded)`;
          this.failures.push(text);
          this.options.onFailure?.(text);
          return;
        }
        this.retried++;
        await this.sleep(wait);
        wait *= 2;
      }
    }
  }
}
