import type { AlertChannel } from './alert-channel.ts';
import { alertLine } from './alert-channel.ts';

/** A webhook that does not answer within this long has failed (the attempt is retried). */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Alerts POSTed as JSON to a URL, in the body a Slack incoming webhook takes (`text`), with the
 * alert itself beside it (`alert`, `run`, `scenario`) for receivers that read fields. Anything but
 * a 2xx answer is a failure.
 *
 * @example
 * ```ts
 * const slack = webhookChannel('https://hooks.slack.com/services/T000/B000/XXXX');
 * ```
 */
export function webhookChannel(url: string): AlertChannel {
  return {
    name: `webhook ${new URL(url).origin}`,
    async send(alert, context) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: alertLine(alert, context), alert, run: context.run, scenario: context.scenario }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // Read the answer so the connection is released.
      const answer = await res.text();
      if (!res.ok) throw new Error(`the webhook answered ${res.status}${answer ? `: ${answer.slice(0, 200)}` : ''}`);
    },
    close: async () => undefined,
  };
}
