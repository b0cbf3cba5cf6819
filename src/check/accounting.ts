import type { MessageAccounting } from '../actors/counters.ts';

/**
 * A run's final books, as `system.shutdown()` returns them (a RunResult has both fields).
 *
 * @example
 * ```ts
 * const books: Books = await system.shutdown();
 * ```
 */
export interface Books {
  readonly messages: Pick<MessageAccounting, 'sent' | 'delivered' | 'dropped' | 'deadLettered' | 'inFlight'>;
  readonly accountingImbalance: number;
}

/**
 * The accounting identity, judged on a run's final books: every envelope sent was delivered,
 * dropped by a named fault, dead-lettered with a reason, or is still in flight. Returns what is
 * wrong, or undefined when the books balance.
 *
 * @example
 * ```ts
 * checkAccounting(await system.shutdown()); // undefined
 * checkAccounting({ messages: { sent: 10, delivered: 8, dropped: 1, deadLettered: 0, inFlight: 0 }, accountingImbalance: 1 });
 * // 'sent 10 ≠ 8 delivered + 1 dropped + 0 dead-lettered + 0 in flight: 1 envelope unaccounted for'
 * ```
 */
export function checkAccounting(books: Books): string | undefined {
  const m = books.messages;
  const off = books.accountingImbalance;
  if (off === 0) return undefined;
  const what = off > 0 ? `${off} envelope${off === 1 ? '' : 's'} unaccounted for` : `${-off} more accounted for than were sent`;
  return `sent ${m.sent} ≠ ${m.delivered} delivered + ${m.dropped} dropped + ${m.deadLettered} dead-lettered + ${m.inFlight} in flight: ${what}`;
}
