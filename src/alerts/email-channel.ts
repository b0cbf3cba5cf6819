import nodemailer from 'nodemailer';
import type { AlertChannelSpec } from '../scenario/monitoring.ts';
import type { AlertChannel } from './alert-channel.ts';
import { alertLine } from './alert-channel.ts';

/**
 * Alerts as e-mails through an SMTP server (nodemailer): the subject names the rule and the
 * scenario, the body is the alert line and the alert as JSON.
 *
 * @example
 * ```ts
 * const mail = emailChannel({ type: 'email', host: 'smtp.example.com', port: 587, from: 'conclave@example.com', to: ['oncall@example.com'], secure: false });
 * ```
 */
export function emailChannel(spec: Extract<AlertChannelSpec, { type: 'email' }>): AlertChannel {
  const transport = nodemailer.createTransport({
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 10_000,
  });
  return {
    name: `email to ${spec.to.join(', ')} via ${spec.host}:${spec.port}`,
    async send(alert, context) {
      await transport.sendMail({
        from: spec.from,
        to: [...spec.to],
        subject: `[conclave] ${alert.rule}: ${context.scenario}`,
        text: `${alertLine(alert, context)}\n\n${JSON.stringify({ run: context.run, ...alert }, null, 2)}\n`,
      });
    },
    close: async () => transport.close(),
  };
}
