import type { AlertChannelSpec } from '../scenario/monitoring.ts';
import type { AlertChannel } from './alert-channel.ts';
import { emailChannel } from './email-channel.ts';
import { fileChannel } from './file-channel.ts';
import { terminalChannel } from './terminal-channel.ts';
import { webhookChannel } from './webhook-channel.ts';

/**
 * The channels a `monitoring.channels` list names.
 *
 * @example
 * ```ts
 * buildChannels([{ type: 'terminal' }, { type: 'file', path: 'alerts.jsonl' }], (l) => process.stderr.write(`${l}\n`));
 * ```
 */
export function buildChannels(specs: readonly AlertChannelSpec[], write: (line: string) => void): AlertChannel[] {
  return specs.map((s) => {
    switch (s.type) {
      case 'terminal':
        return terminalChannel(write);
      case 'file':
        return fileChannel(s.path);
      case 'webhook':
        return webhookChannel(s.url);
      case 'email':
        return emailChannel(s);
    }
  });
}
