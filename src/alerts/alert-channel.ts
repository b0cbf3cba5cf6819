import type { AlertRecord } from '../monitoring/alert-record.ts';

/**
 * One place alerts are sent to. `send` resolves once the alert was accepted (written, answered
 * 2xx, queued by the mail server) and rejects with an Error saying why not; the dispatcher
 * retries and reports, so a channel never needs to catch its own failures.
 *
 * @example
 * ```ts
 * const quiet: AlertChannel = { name: 'nowhere', send: async () => undefined, close: async () => undefined };
 * ```
 */
export interface AlertChannel {
  /** How reports name it: `terminal`, `file alerts.jsonl`, `webhook https://...`, `email to a@b`. */
  readonly name: string;
  send(alert: AlertRecord, context: AlertContext): Promise<void>;
  close(): Promise<void>;
}

/** What an alert is about besides itself: the run (for the subject line and the body). */
export interface AlertContext {
  readonly run: string;
  readonly scenario: string;
}

/**
 * An alert as one line for people.
 *
 * @example
 * ```ts
 * alertLine(alert, { run: 'r1', scenario: 'db-choice' }); // 'conclave alert [slow-consensus] db-choice (run r1) at 1,200 ms: decision d1 took ...'
 * ```
 */
export function alertLine(a: AlertRecord, c: AlertContext): string {
  const suppressed = a.suppressed ? ` (${a.suppressed} more of this rule were held back by its cooldown)` : '';
  return `conclave alert [${a.rule}] ${c.scenario} (run ${c.run}) at ${Math.round(a.at).toLocaleString('en-US')} ms: ${a.message}${suppressed}`;
}
