import type { DeadLetterReason } from './envelope.ts';

/**
 * Message accounting for one host. Every envelope the host accepts is counted once as `sent`
 * and, later, once as delivered, dropped (by a named fault) or dead-lettered (with a reason);
 * until then it is in flight. `queued` counts envelopes sitting in this host's mailboxes.
 */
export class MessageCounters {
  sent = 0;
  delivered = 0;
  dropped = 0;
  deadLettered = 0;
  queued = 0;
  /** Envelopes that passed through this host on their way elsewhere (topology relay hops). */
  relayed = 0;
  readonly droppedBy: Record<string, number> = {};
  readonly deadLetteredBy: Partial<Record<DeadLetterReason, number>> = {};

  drop(fault: string): void {
    this.dropped++;
    this.droppedBy[fault] = (this.droppedBy[fault] ?? 0) + 1;
  }

  deadLetter(reason: DeadLetterReason, n = 1): void {
    this.deadLettered += n;
    this.deadLetteredBy[reason] = (this.deadLetteredBy[reason] ?? 0) + n;
  }
}

/**
 * A run's message accounting, as reported in every result. The identity
 * `sent = delivered + dropped + deadLettered + inFlight` must hold; `inFlight` is measured
 * (envelopes in mailboxes, event queues and transit between workers), not derived.
 *
 * @example
 * ```ts
 * const m: MessageAccounting = await system.accounting();
 * console.log(m.sent, m.inFlight, m.deadLetteredBy['mailbox-full'] ?? 0);
 * ```
 */
export interface MessageAccounting {
  sent: number;
  delivered: number;
  dropped: number;
  deadLettered: number;
  inFlight: number;
  /**
   * Relay hops: deliveries to an intermediate member's host on the way to the destination. Not
   * part of the identity (a relayed envelope is still one envelope); links crossed per delivered
   * envelope is `1 + relayed / delivered`.
   */
  relayed: number;
  droppedBy: Record<string, number>;
  deadLetteredBy: Record<string, number>;
}

/**
 * Checks the accounting identity; returns the imbalance (0 when it holds).
 *
 * @example
 * ```ts
 * accountingImbalance(result.messages) === 0
 * ```
 */
export function accountingImbalance(m: MessageAccounting): number {
  return m.sent - (m.delivered + m.dropped + m.deadLettered + m.inFlight);
}

/** Sums per-reason maps. */
export function addInto(target: Record<string, number>, source: Readonly<Record<string, number | undefined>>): void {
  for (const [k, v] of Object.entries(source)) if (v) target[k] = (target[k] ?? 0) + v;
}
