import type { Arm, Outcome, TaskClass } from '../hive/chooser.ts';
import type Database from 'better-sqlite3';
import type { StoreDb } from '../store/open-store.ts';

/**
 * The ReasoningBank's rows in the run store (migration 2): patterns, what each arm did for each,
 * and trajectories. Plain reads and writes; the choosing lives in reasoning-bank.ts.
 */

/** The key a task class's pattern is stored under. */
export const PATTERN_PREFIX = 'reasoning-bank/pattern/';

/**
 * The pattern key of a task class name.
 *
 * @example
 * ```ts
 * patternKey('auth-jwt'); // 'reasoning-bank/pattern/auth-jwt'
 * ```
 */
export function patternKey(name: string): string {
  return `${PATTERN_PREFIX}${name}`;
}

/**
 * An arm as canonical JSON (keys sorted), so the same configuration is one row however its
 * fields were ordered.
 *
 * @example
 * ```ts
 * armKey({ b: 1, a: 'x' }); // '{"a":"x","b":1}'
 * ```
 */
export function armKey(arm: Arm): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(arm)
        .sort()
        .map((k) => [k, arm[k]]),
    ),
  );
}

/** Running figures: counts and sums (sums of squares give the spread). */
export interface Figures {
  readonly uses: number;
  readonly successes: number;
  readonly qualitySum: number;
  readonly qualitySq: number;
  readonly durationSum: number;
  readonly durationSq: number;
}

/** One arm of one pattern: all-time figures, and discounted ones already decayed to the pattern's current use. */
export interface ArmStats extends Figures {
  readonly arm: Arm;
  readonly armKey: string;
  readonly discounted: {
    readonly uses: number;
    readonly successes: number;
    readonly qualitySum: number;
    readonly durationSum: number;
    readonly durationSq: number;
  };
  readonly lastUsedAt: number;
}

export interface PatternRow extends Figures {
  readonly key: string;
  readonly name: string;
  readonly features: Readonly<Record<string, number>>;
  readonly approach: string;
  readonly arm: Arm | null;
  readonly drift: number;
  readonly resets: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TrajectoryRow {
  readonly seq: number;
  readonly arm: Arm;
  readonly success: boolean;
  readonly quality: number;
  readonly durationMs: number;
  readonly steps: readonly { readonly step: string; readonly outcome: string }[] | null;
  readonly reason: string;
  readonly at: number;
}

interface RawPattern {
  key: string;
  name: string;
  features: string;
  approach: string;
  arm: string | null;
  uses: number;
  successes: number;
  quality_sum: number;
  quality_sq: number;
  duration_sum: number;
  duration_sq: number;
  drift: number;
  resets: number;
  created_at: number;
  updated_at: number;
}
interface RawArm {
  arm: string;
  uses: number;
  successes: number;
  quality_sum: number;
  quality_sq: number;
  duration_sum: number;
  duration_sq: number;
  d_uses: number;
  d_successes: number;
  d_quality_sum: number;
  d_duration_sum: number;
  d_duration_sq: number;
  d_tick: number;
  last_used_at: number;
}

/** Prepared statements per open store: preparing costs more than running these small queries. */
const statements = new WeakMap<StoreDb, Map<string, Database.Statement<unknown[], unknown>>>();

function sql(db: StoreDb, text: string): Database.Statement<unknown[], unknown> {
  let mine = statements.get(db);
  if (!mine) statements.set(db, (mine = new Map()));
  let st = mine.get(text);
  if (!st) mine.set(text, (st = db.prepare(text)));
  return st;
}

/** Whether the store has the ReasoningBank's tables (a store not yet opened for writing by this Conclave may not). */
export function hasBankTables(db: StoreDb): boolean {
  return (db.pragma('user_version', { simple: true }) as number) >= 2;
}

function toPattern(r: RawPattern): PatternRow {
  return {
    key: r.key,
    name: r.name,
    features: JSON.parse(r.features),
    approach: r.approach,
    arm: r.arm === null ? null : JSON.parse(r.arm),
    uses: r.uses,
    successes: r.successes,
    qualitySum: r.quality_sum,
    qualitySq: r.quality_sq,
    durationSum: r.duration_sum,
    durationSq: r.duration_sq,
    drift: r.drift,
    resets: r.resets,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Every pattern, by key. */
export function readPatterns(db: StoreDb): PatternRow[] {
  if (!hasBankTables(db)) return [];
  return (sql(db, 'SELECT * FROM rb_patterns ORDER BY key').all() as RawPattern[]).map(toPattern);
}

/** One pattern, or undefined. */
export function readPattern(db: StoreDb, key: string): PatternRow | undefined {
  if (!hasBankTables(db)) return undefined;
  const r = sql(db, 'SELECT * FROM rb_patterns WHERE key = ?').get(key) as RawPattern | undefined;
  return r && toPattern(r);
}

/**
 * The arms of a pattern, their discounted figures decayed by `discount` per use of the pattern
 * since each was last updated (lazily: see migration 2).
 */
export function readArms(db: StoreDb, key: string, discount: number): ArmStats[] {
  if (!hasBankTables(db)) return [];
  const tick = (sql(db, 'SELECT uses FROM rb_patterns WHERE key = ?').get(key) as { uses: number } | undefined)?.uses ?? 0;
  const rows = sql(db, 'SELECT * FROM rb_arms WHERE pattern_key = ? ORDER BY arm').all(key) as RawArm[];
  return rows.map((r) => {
    const decay = Math.pow(discount, tick - r.d_tick);
    return {
      arm: JSON.parse(r.arm),
      armKey: r.arm,
      uses: r.uses,
      successes: r.successes,
      qualitySum: r.quality_sum,
      qualitySq: r.quality_sq,
      durationSum: r.duration_sum,
      durationSq: r.duration_sq,
      lastUsedAt: r.last_used_at,
      discounted: {
        uses: r.d_uses * decay,
        successes: r.d_successes * decay,
        qualitySum: r.d_quality_sum * decay,
        durationSum: r.d_duration_sum * decay,
        durationSq: r.d_duration_sq * decay,
      },
    };
  });
}

/** The last `limit` trajectories of a pattern, newest first. */
export function readTrajectories(db: StoreDb, key: string, limit: number): TrajectoryRow[] {
  if (!hasBankTables(db)) return [];
  const rows = sql(db, 'SELECT * FROM rb_trajectories WHERE pattern_key = ? ORDER BY seq DESC LIMIT ?').all(key, limit) as {
    seq: number;
    arm: string;
    success: number;
    quality: number;
    duration_ms: number;
    steps: string | null;
    reason: string;
    at: number;
  }[];
  return rows.map((r) => ({
    seq: r.seq,
    arm: JSON.parse(r.arm),
    success: r.success === 1,
    quality: r.quality,
    durationMs: r.duration_ms,
    steps: r.steps === null ? null : JSON.parse(r.steps),
    reason: r.reason,
    at: r.at,
  }));
}

/** One outcome to add to a pattern and one of its arms. */
export interface OutcomeWrite {
  readonly taskClass: TaskClass;
  readonly arm: Arm;
  readonly outcome: Outcome;
  readonly reason: string;
  /** Per use of the pattern (1: no discounting). */
  readonly discount: number;
  readonly at: number;
}

/**
 * Adds an outcome: the pattern's figures (created with the class's features if new), the arm's
 * all-time and discounted figures, and a trajectory row. Call inside a transaction (the caller
 * also sets the best arm in it). Returns the pattern's new use count.
 */
export function addOutcome(db: StoreDb, w: OutcomeWrite): number {
  const key = patternKey(w.taskClass.name);
  const { success, quality, durationMs } = w.outcome;
  const s = success ? 1 : 0;
  sql(
    db,
    `INSERT INTO rb_patterns (key, name, features, approach, arm, uses, successes, quality_sum, quality_sq, duration_sum, duration_sq, drift, resets, created_at, updated_at)
    VALUES (?, ?, ?, '', NULL, 0, 0, 0, 0, 0, 0, 0, 0, ?, ?) ON CONFLICT (key) DO NOTHING`,
  ).run(key, w.taskClass.name, JSON.stringify(w.taskClass.features), w.at, w.at);
  sql(
    db,
    `UPDATE rb_patterns SET uses = uses + 1, successes = successes + ?, quality_sum = quality_sum + ?, quality_sq = quality_sq + ?,
    duration_sum = duration_sum + ?, duration_sq = duration_sq + ?, updated_at = ? WHERE key = ?`,
  ).run(s, quality, quality * quality, durationMs, durationMs * durationMs, w.at, key);
  const tick = (sql(db, 'SELECT uses FROM rb_patterns WHERE key = ?').get(key) as { uses: number }).uses;
  const ak = armKey(w.arm);
  const old = sql(db, 'SELECT d_tick FROM rb_arms WHERE pattern_key = ? AND arm = ?').get(key, ak) as { d_tick: number } | undefined;
  if (old === undefined) {
    sql(db, `INSERT INTO rb_arms VALUES (?, ?, 1, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`).run(
      key,
      ak,
      s,
      quality,
      quality * quality,
      durationMs,
      durationMs * durationMs,
      s,
      quality,
      durationMs,
      durationMs * durationMs,
      tick,
      w.at,
    );
  } else {
    const decay = Math.pow(w.discount, tick - old.d_tick);
    sql(
      db,
      `UPDATE rb_arms SET uses = uses + 1, successes = successes + ?, quality_sum = quality_sum + ?, quality_sq = quality_sq + ?,
      duration_sum = duration_sum + ?, duration_sq = duration_sq + ?,
      d_uses = d_uses * ? + 1, d_successes = d_successes * ? + ?, d_quality_sum = d_quality_sum * ? + ?, d_duration_sum = d_duration_sum * ? + ?, d_duration_sq = d_duration_sq * ? + ?,
      d_tick = ?, last_used_at = ? WHERE pattern_key = ? AND arm = ?`,
    ).run(
      s,
      quality,
      quality * quality,
      durationMs,
      durationMs * durationMs,
      decay,
      decay,
      s,
      decay,
      quality,
      decay,
      durationMs,
      decay,
      durationMs * durationMs,
      tick,
      w.at,
      key,
      ak,
    );
  }
  sql(db, 'INSERT INTO rb_trajectories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    key,
    tick,
    ak,
    s,
    quality,
    durationMs,
    w.outcome.trajectory ? JSON.stringify(w.outcome.trajectory) : null,
    w.reason,
    w.at,
  );
  return tick;
}

/**
 * Adds to a pattern's drift (see migration 2); past `threshold` the world has changed: the hive
 * every pattern runs on is no longer the one the figures were measured on, so every pattern's
 * arms keep only `keep` of their discounted figures (0: a restart; all-time figures and
 * trajectories stay), every drift starts again from 0, and this pattern counts the change in
 * `resets`. Returns whether it reset.
 */
export function addDrift(db: StoreDb, key: string, step: number, threshold: number, keep: number): boolean {
  const { drift } = sql(db, 'SELECT drift FROM rb_patterns WHERE key = ?').get(key) as { drift: number };
  const next = Math.max(0, drift + step);
  if (next <= threshold) {
    sql(db, 'UPDATE rb_patterns SET drift = ? WHERE key = ?').run(next, key);
    return false;
  }
  sql(db, 'UPDATE rb_patterns SET drift = 0, resets = resets + (key = ?)').run(key);
  sql(
    db,
    `UPDATE rb_arms SET d_uses = d_uses * @keep, d_successes = d_successes * @keep, d_quality_sum = d_quality_sum * @keep,
    d_duration_sum = d_duration_sum * @keep, d_duration_sq = d_duration_sq * @keep`,
  ).run({ keep });
  return true;
}

/** Sets the arm a pattern now believes best, and its approach text. */
export function setBestArm(db: StoreDb, key: string, arm: Arm, approach: string): void {
  sql(db, 'UPDATE rb_patterns SET arm = ?, approach = ? WHERE key = ?').run(armKey(arm), approach, key);
}

/** Deletes a pattern with its arms and trajectories; false when there was none. */
export function deletePattern(db: StoreDb, key: string): boolean {
  return db
    .transaction(() => {
      sql(db, 'DELETE FROM rb_arms WHERE pattern_key = ?').run(key);
      sql(db, 'DELETE FROM rb_trajectories WHERE pattern_key = ?').run(key);
      return sql(db, 'DELETE FROM rb_patterns WHERE key = ?').run(key).changes > 0;
    })
    .immediate();
}

/**
 * An arm in words, for a pattern's approach: `topology=mesh, consensus=byzantine, ...`.
 *
 * @example
 * ```ts
 * describeArm({ topology: 'mesh', teamSize: 5 }); // 'topology=mesh, teamSize=5'
 * ```
 */
export function describeArm(arm: Arm): string {
  return Object.entries(arm)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
