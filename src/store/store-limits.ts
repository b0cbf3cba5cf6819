/** How much of a run the store keeps one by one, and how often it writes. */

/** Wall-clock ms between batches at most: `monitor` sees a run's progress at least this often. */
export const FLUSH_EVERY_MS = 250;

/**
 * Decisions stored one by one (with their votes) by default; a longer run keeps aggregates for
 * the rest (counts by outcome, latency sum and maximum per batch). Storing a decision costs the
 * writer thread about 13 µs (most of it SQLite's insert of a ~600-byte row) on a machine whose
 * other core runs the simulation, which closes a decision every 30 µs: measured with `npm run
 * bench -- store`, 1,000 keeps a 20,000-decision run within 10% of an unrecorded one, every
 * decision costs about a quarter. `--store-detail N`, and a scenario with an `audit:` section,
 * store more.
 */
export const DEFAULT_DETAIL_LIMIT = 1_000;

/** The detail limit of a run whose scenario asks for an audit trail: every decision. */
export const ALL_DECISIONS = 2 ** 31 - 1;
