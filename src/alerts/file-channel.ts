import { appendFile } from 'node:fs/promises';
import type { AlertChannel } from './alert-channel.ts';

/**
 * Alerts appended to a file, one JSON object per line: `{ run, scenario, ...alert }`.
 *
 * @example
 * ```ts
 * const file = fileChannel('alerts.jsonl');
 * ```
 */
export function fileChannel(path: string): AlertChannel {
  return {
    name: `file ${path}`,
    send: (alert, context) => appendFile(path, `${JSON.stringify({ run: context.run, scenario: context.scenario, ...alert })}\n`),
    close: async () => undefined,
  };
}
