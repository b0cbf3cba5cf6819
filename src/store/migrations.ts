/**
 * The run store's schema, versioned in code: migration i takes a store from `user_version` i to
 * i + 1, in one transaction. A store written by a newer Conclave (a higher version than this
 * list knows) is refused rather than guessed at.
 *
 * Times: `*_at` columns are wall-clock epoch ms; `t` columns are trace times (virtual ms from 0
 * in sim mode, epoch ms in threads mode), so a run's own events sort and subtract alike.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, their progress, decisions with their votes (hash-chained), timeline events, findings,
  // signed checkpoints of the chain, oversight approvals.
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,               -- run | replay | stress | bench
    status TEXT NOT NULL,             -- running | completed | failed | violated | broken
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    argv TEXT,
    name TEXT NOT NULL,
    file TEXT,
    scenario_given TEXT,              -- the scenario as the user wrote it (file text), if any
    scenario_resolved TEXT,           -- the parsed scenario the run used (JSON)
    protocol TEXT NOT NULL,
    mode TEXT,
    seed INTEGER,
    agents INTEGER,
    topology TEXT,
    machine TEXT NOT NULL,            -- JSON: cpus, memory, node, platform
    detail_limit INTEGER NOT NULL,    -- decisions stored one by one (votes included); the rest in aggregates
    signed INTEGER NOT NULL,          -- 1: the decision chain's checkpoints are signed
    exit_code INTEGER,
    result TEXT,                      -- JSON: the run's result (a stress or bench report for those kinds)
    trace_hash TEXT,
    trace_path TEXT,
    error TEXT
  );
  CREATE INDEX runs_by_start ON runs (started_at);
  CREATE TABLE progress (
    run_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    t REAL,
    opened INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    decided INTEGER NOT NULL,
    votes INTEGER NOT NULL,
    latency_sum REAL NOT NULL,
    latency_max REAL NOT NULL
  );
  CREATE INDEX progress_by_run ON progress (run_id, at);
  CREATE TABLE decisions (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,             -- 1, 2, ... in the order the decisions closed
    decision TEXT NOT NULL,
    t REAL NOT NULL,
    opened_t REAL,
    latency_ms REAL,
    outcome TEXT NOT NULL,            -- decided | no-consensus | ok (Raft) | accepted (PBFT) | unclosed (open when the run ended)
    value TEXT,
    strength REAL,
    votes INTEGER,
    of INTEGER,
    algorithm TEXT,
    detail TEXT,                      -- JSON: what else the closing event said
    ballots TEXT,                     -- JSON: the votes, [[t, agent, vote, reason, confidence], ...] in arrival order
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;                    -- rows live in the key's b-tree: one b-tree to write per decision, not a table and an index
  CREATE TABLE aggregates (
    run_id TEXT NOT NULL,
    t REAL NOT NULL,
    closed INTEGER NOT NULL,
    by_outcome TEXT NOT NULL,         -- JSON: outcome -> count
    latency_sum REAL NOT NULL,
    latency_max REAL NOT NULL
  );
  CREATE TABLE events (
    run_id TEXT NOT NULL,
    t REAL NOT NULL,
    kind TEXT NOT NULL,               -- topology | fault | leader | view | byzantine | weights | crash | restart | stage | escalated | alert | oversight
    actor TEXT,
    detail TEXT NOT NULL              -- JSON
  );
  CREATE INDEX events_by_run ON events (run_id, kind, t);
  CREATE TABLE findings (
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,               -- safety | liveness
    checker TEXT NOT NULL,
    text TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TABLE checkpoints (
    run_id TEXT NOT NULL,
    upto INTEGER NOT NULL,            -- the last decision seq this checkpoint covers
    hashes TEXT NOT NULL,             -- the covered rows' hashes, in order (space-separated hex)
    signature TEXT,                   -- Ed25519 over run id, upto and hashes; null when unsigned
    key_id TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, upto)
  );
  CREATE TABLE approvals (
    run_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    verdict TEXT NOT NULL,            -- approve | reject
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, decision)
  );
  `,
  // 2: the ReasoningBank (issue 19): a pattern per task class, what each candidate configuration
  // (arm) did for it, and the trajectory of every objective recorded. Discounted figures are
  // stored as of the pattern's use count in `d_tick` and decay lazily (factor ** uses since), so
  // a record updates one arm row, not every arm of the pattern.
  `
  CREATE TABLE rb_patterns (
    key TEXT PRIMARY KEY,             -- reasoning-bank/pattern/<name>
    name TEXT NOT NULL,
    features TEXT NOT NULL,           -- JSON: feature name -> number in [0, 1]
    approach TEXT NOT NULL,           -- the configuration believed best, in words
    arm TEXT,                         -- JSON: that configuration (null until one has been tried)
    uses INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    quality_sum REAL NOT NULL,
    quality_sq REAL NOT NULL,
    duration_sum REAL NOT NULL,
    duration_sq REAL NOT NULL,
    drift REAL NOT NULL,              -- CUSUM of expected minus actual successes: a change in the world shows here
    resets INTEGER NOT NULL,          -- how often drift said the world changed (the discounted figures were cut back)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE rb_arms (
    pattern_key TEXT NOT NULL,
    arm TEXT NOT NULL,                -- canonical JSON (keys sorted)
    uses INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    quality_sum REAL NOT NULL,
    quality_sq REAL NOT NULL,
    duration_sum REAL NOT NULL,
    duration_sq REAL NOT NULL,
    d_uses REAL NOT NULL,             -- discounted counts and sums, as of the pattern's use d_tick
    d_successes REAL NOT NULL,
    d_quality_sum REAL NOT NULL,
    d_duration_sum REAL NOT NULL,
    d_duration_sq REAL NOT NULL,
    d_tick INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (pattern_key, arm)
  ) WITHOUT ROWID;
  CREATE TABLE rb_trajectories (
    pattern_key TEXT NOT NULL,
    seq INTEGER NOT NULL,             -- the pattern's use number (1, 2, ...)
    arm TEXT NOT NULL,
    success INTEGER NOT NULL,
    quality REAL NOT NULL,
    duration_ms REAL NOT NULL,
    steps TEXT,                       -- JSON: [{step, outcome}, ...] as the run reported them
    reason TEXT NOT NULL,             -- why this arm was chosen
    at INTEGER NOT NULL,
    PRIMARY KEY (pattern_key, seq)
  ) WITHOUT ROWID;
  `,
];

/** What `PRAGMA application_id` holds in a Conclave store ('CNCL'): how a foreign SQLite file is told apart. */
export const APPLICATION_ID = 0x434e434c;
