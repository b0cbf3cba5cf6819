/**
 * The range of every number a scenario holds. Each is finite and bounded so that no value can
 * make a run hang (an Infinity duration), overflow (a weight of 1e308 summed over voters) or
 * allocate without limit (an agent count of 1e15) before the machine-specific check in
 * `footprint.ts` even runs. The limits sit far above anything a simulation on one machine can
 * use, so they only ever stop mistakes; README's "Scenario limits" table lists them.
 */

/** Agents in one group, and in the whole scenario: a million agents is already ~4 GB (see footprint.ts). */
export const MAX_AGENTS = 1_000_000;

/** `task.decisions`: 10^8 decisions is ~3 h of simulation at the fastest measured rate (~100 µs each). */
export const MAX_DECISIONS = 100_000_000;

/** `task.in_flight`: decisions open at once; the coordinator's mailbox is sized from it. */
export const MAX_IN_FLIGHT = 100_000;

/** Weights (`weight`, `agent_weights`, `expert_weight`, `regular_weight`, expertise weights): summed over voters, so bounded far below overflow. */
export const MAX_WEIGHT = 1_000_000;

/** Protocol tuning integers (`consensus.pbft.checkpoint_interval`, `log_window`, `max_batch`, `max_inflight`, `f`; `consensus.raft.max_batch`). */
export const MAX_PROTOCOL_SETTING = 1_000_000;

/** Seeds: exact integers only (beyond 2^53 a written seed is not the number JavaScript reads). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Every duration (run length, schedule times, fault times and lengths, delays): 24 h, virtual or real. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** `consensus.voting_timeout`: a vote that waits longer than an hour for ballots is a mistake, not a setting. */
export const MAX_VOTING_TIMEOUT_MS = 3_600_000;

/** `task.options` and a stage's `options`: entries in the list. */
export const MAX_OPTIONS = 10_000;

/**
 * A scenario or configuration file, in bytes. The largest example is 3 KB and a 10,000-option
 * list about 80 KB; the YAML parser takes ~60 us per flow entry (10,000 entries: 0.6 s), so 1 MB
 * keeps the worst parse to seconds, not minutes.
 */
export const MAX_FILE_BYTES = 2 ** 20;

/**
 * YAML nesting: no scenario needs more than a handful of levels, and the YAML parser (then
 * structured clone, then JSON) recurse per level, so deep input would exhaust the stack.
 */
export const MAX_NESTING = 64;

/**
 * `n` with thousands separators, for messages.
 *
 * @example
 * ```ts
 * count(1_000_000); // '1,000,000'
 * ```
 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Every limit above in one object, for programs that check their input before writing a scenario.
 *
 * @example
 * ```ts
 * if (agents > SCENARIO_LIMITS.agents) throw new Error('too many agents');
 * ```
 */
export const SCENARIO_LIMITS = Object.freeze({
  agents: MAX_AGENTS,
  decisions: MAX_DECISIONS,
  inFlight: MAX_IN_FLIGHT,
  weight: MAX_WEIGHT,
  seed: MAX_SEED,
  durationMs: MAX_DURATION_MS,
  votingTimeoutMs: MAX_VOTING_TIMEOUT_MS,
  options: MAX_OPTIONS,
  nesting: MAX_NESTING,
  fileBytes: MAX_FILE_BYTES,
  protocolSetting: MAX_PROTOCOL_SETTING,
});
