import type { AlertChannel } from './alert-channel.ts';
import { alertLine } from './alert-channel.ts';

/**
 * Alerts as lines on a stream (stderr by default: stdout may carry --json).
 *
 * @example
 * ```ts
 * const terminal = terminalChannel((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export function terminalChannel(write: (line: string) => void): AlertChannel {
  return {
    name: 'terminal',
    send: async (alert, context) => write(alertLine(alert, context)),
    close: async () => undefined,
  };
}
