import { describe, expect, it } from 'vitest';
import { checkAccounting } from '../src/check/accounting.ts';

/**
 * The accounting identity on hand-built final books, one rule per case (issue 20: the mutants
 * the registry's single unbalanced case left alive). The imbalance is given, not derived: the
 * checker reports what the books say, and its sign decides the wording.
 */
const books = (sent: number, delivered: number, accountingImbalance: number) => ({
  messages: { sent, delivered, dropped: 1, deadLettered: 2, inFlight: 3 },
  accountingImbalance,
});

describe('checkAccounting', () => {
  it('finds nothing when the books balance', () => {
    expect(checkAccounting(books(10, 4, 0))).toBeUndefined();
  });

  it('one envelope missing is named in the singular', () => {
    expect(checkAccounting(books(10, 3, 1))).toBe('sent 10 ≠ 3 delivered + 1 dropped + 2 dead-lettered + 3 in flight: 1 envelope unaccounted for');
  });

  it('several envelopes missing are named in the plural', () => {
    expect(checkAccounting(books(10, 1, 3))).toBe('sent 10 ≠ 1 delivered + 1 dropped + 2 dead-lettered + 3 in flight: 3 envelopes unaccounted for');
  });

  it('more accounted for than sent is said the other way round, as a positive count', () => {
    expect(checkAccounting(books(10, 6, -2))).toBe('sent 10 ≠ 6 delivered + 1 dropped + 2 dead-lettered + 3 in flight: 2 more accounted for than were sent');
  });

  it('one more accounted for than sent is not taken for one unaccounted for', () => {
    expect(checkAccounting(books(10, 5, -1))).toBe('sent 10 ≠ 5 delivered + 1 dropped + 2 dead-lettered + 3 in flight: 1 more accounted for than were sent');
  });
});
