import type { MonitoringConfig } from '../scenario/monitoring.ts';
import type { AlertContext } from './alert-channel.ts';
import { AlertDispatcher } from './alert-dispatcher.ts';
import { buildChannels } from './build-channels.ts';

/**
 * The dispatcher for a run's `monitoring:` channels (undefined when it names none): its cooldown,
 * attempts and backoff as configured; failures written as lines (the run goes on).
 *
 * @example
 * ```ts
 * const alerts = runAlerts(scenario.monitoring, { run: 'r1', scenario: scenario.name }, (l) => process.stderr.write(`${l}\n`));
 * alerts?.notify(alert);
 * await alerts?.close();
 * ```
 */
export function runAlerts(monitoring: MonitoringConfig | undefined, context: AlertContext, write: (line: string) => void): AlertDispatcher | undefined {
  const specs = monitoring?.channels ?? [];
  if (specs.length === 0) return undefined;
  return new AlertDispatcher(buildChannels(specs, write), context, {
    cooldownMs: monitoring?.cooldownMs,
    attempts: monitoring?.retries,
    backoffMs: monitoring?.retryBackoffMs,
    onFailure: (text) => write(`conclave: ${text}`),
  });
}
