import type { Arm } from '../hive/chooser.ts';
import type { StoreDb } from '../store/open-store.ts';
import { BankFileError } from './bank-file-error.ts';
import { PATTERN_PREFIX, armKey, readArms, readPatterns, type Figures } from './pattern-store.ts';

/** The format tag and version an export carries; an import refuses any other. */
export const BANK_FORMAT = 'conclave-reasoning-bank';
export const BANK_FORMAT_VERSION = 1;

export interface ExportedArm extends Figures {
  readonly arm: Arm;
}

export interface ExportedPattern extends Figures {
  readonly key: string;
  readonly name: string;
  readonly features: Readonly<Record<string, number>>;
  readonly approach: string;
  readonly arm: Arm | null;
  readonly arms: readonly ExportedArm[];
}

/** What `conclave memory export` writes: patterns with their all-time figures per arm (trajectories stay home). */
export interface BankExport {
  readonly format: typeof BANK_FORMAT;
  readonly version: typeof BANK_FORMAT_VERSION;
  readonly exportedAt: string;
  readonly patterns: readonly ExportedPattern[];
}

const figures = (f: Figures): Figures => ({
  uses: f.uses,
  successes: f.successes,
  qualitySum: f.qualitySum,
  qualitySq: f.qualitySq,
  durationSum: f.durationSum,
  durationSq: f.durationSq,
});

/**
 * Every pattern of the store as a shareable object (none for a store not made yet: `undefined`).
 *
 * @example
 * ```ts
 * writeFileSync('patterns.json', JSON.stringify(exportBank(db), null, 2));
 * ```
 */
export function exportBank(db: StoreDb | undefined, now: Date = new Date()): BankExport {
  return {
    format: BANK_FORMAT,
    version: BANK_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    patterns:
      db === undefined
        ? []
        : readPatterns(db).map((p) => ({
            key: p.key,
            name: p.name,
            features: p.features,
            approach: p.approach,
            arm: p.arm,
            ...figures(p),
            arms: readArms(db, p.key, 1).map((a) => ({ arm: a.arm, ...figures(a) })),
          })),
  };
}

const FIGURE_FIELDS = ['uses', 'successes', 'qualitySum', 'qualitySq', 'durationSum', 'durationSq'] as const;

/**
 * Checks a parsed export file field by field; the first bad field is refused by its path.
 *
 * @example
 * ```ts
 * const data = parseBankExport(JSON.parse(text), 'patterns.json'); // throws BankFileError on a bad field
 * ```
 */
export function parseBankExport(value: unknown, file: string): BankExport {
  const bad = (path: string, problem: string): never => {
    throw new BankFileError(file, path, problem);
  };
  if (!isObject(value)) return bad('', 'is not a JSON object');
  if (value.format !== BANK_FORMAT) bad('format', `must be "${BANK_FORMAT}" (got ${JSON.stringify(value.format) ?? 'nothing'})`);
  if (value.version !== BANK_FORMAT_VERSION)
    bad('version', `must be ${BANK_FORMAT_VERSION} (got ${JSON.stringify(value.version) ?? 'nothing'}): written by another Conclave`);
  if (!Array.isArray(value.patterns)) return bad('patterns', 'must be an array of patterns');
  const keys = new Set<string>();
  value.patterns.forEach((p: unknown, i: number) => {
    const at = `patterns[${i}]`;
    if (!isObject(p)) return bad(at, 'must be an object');
    if (typeof p.name !== 'string' || p.name === '' || p.name.includes('/')) bad(`${at}.name`, 'must be a non-empty name without "/"');
    if (p.key !== `${PATTERN_PREFIX}${p.name as string}`)
      bad(`${at}.key`, `must be "${PATTERN_PREFIX}${p.name as string}" (the pattern's name under ${PATTERN_PREFIX})`);
    if (keys.has(p.key as string)) bad(`${at}.key`, `appears twice (${p.key as string})`);
    keys.add(p.key as string);
    if (!isObject(p.features)) bad(`${at}.features`, 'must be an object of feature name -> number in [0, 1]');
    for (const [f, v] of Object.entries(p.features as object))
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) bad(`${at}.features.${f}`, `must be a number in [0, 1] (got ${JSON.stringify(v)})`);
    if (typeof p.approach !== 'string') bad(`${at}.approach`, 'must be a string');
    if (p.arm !== null) checkArm(p.arm, `${at}.arm`, bad);
    checkFigures(p, at, bad);
    if (!Array.isArray(p.arms)) return bad(`${at}.arms`, 'must be an array');
    const seen = new Set<string>();
    p.arms.forEach((a: unknown, j: number) => {
      const aat = `${at}.arms[${j}]`;
      if (!isObject(a)) return bad(aat, 'must be an object');
      checkArm(a.arm, `${aat}.arm`, bad);
      const k = armKey(a.arm as Arm);
      if (seen.has(k)) bad(`${aat}.arm`, `appears twice in the pattern (${k})`);
      seen.add(k);
      checkFigures(a, aat, bad);
    });
  });
  return value as unknown as BankExport;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkArm(v: unknown, path: string, bad: (path: string, problem: string) => never): void {
  if (!isObject(v) || Object.keys(v).length === 0) bad(path, 'must be an object of configuration fields (string, number or boolean values)');
  for (const [k, x] of Object.entries(v as object))
    if (!['string', 'number', 'boolean'].includes(typeof x) || (typeof x === 'number' && !Number.isFinite(x)))
      bad(`${path}.${k}`, `must be a string, a finite number or a boolean (got ${JSON.stringify(x)})`);
}

function checkFigures(o: Record<string, unknown>, at: string, bad: (path: string, problem: string) => never): void {
  for (const f of FIGURE_FIELDS) {
    const v = o[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`${at}.${f}`, `must be a finite number >= 0 (got ${JSON.stringify(v) ?? 'nothing'})`);
  }
  if (!Number.isInteger(o.uses) || !Number.isInteger(o.successes)) bad(`${at}.uses`, 'uses and successes must be whole numbers');
  if ((o.successes as number) > (o.uses as number)) bad(`${at}.successes`, `cannot exceed uses (${o.successes as number} > ${o.uses as number})`);
  if ((o.qualitySum as number) > (o.uses as number)) bad(`${at}.qualitySum`, `cannot exceed uses (quality is in [0, 1] per use)`);
}

/**
 * Merges an export into the store in one transaction: a pattern the store lacks is created
 * (with the file's features); one it has keeps its own features and approach and adds the
 * file's counts and sums, per pattern and per arm. Imported uses join the discounted figures as
 * recent evidence. Returns how many patterns were created and merged.
 *
 * @example
 * ```ts
 * importBank(db, parseBankExport(JSON.parse(readFileSync(file, 'utf8')), file)); // { created: 2, merged: 4 }
 * ```
 */
export function importBank(db: StoreDb, data: BankExport, at: number = Date.now()): { created: number; merged: number } {
  let created = 0,
    merged = 0;
  db.transaction(() => {
    for (const p of data.patterns) {
      const exists = db.prepare('SELECT 1 FROM rb_patterns WHERE key = ?').get(p.key) !== undefined;
      if (exists) merged++;
      else {
        created++;
        db.prepare(`INSERT INTO rb_patterns (key, name, features, approach, arm, uses, successes, quality_sum, quality_sq, duration_sum, duration_sq, drift, resets, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, ?, ?)`).run(
          p.key,
          p.name,
          JSON.stringify(p.features),
          p.approach,
          p.arm === null ? null : armKey(p.arm),
          at,
          at,
        );
      }
      db.prepare(`UPDATE rb_patterns SET uses = uses + ?, successes = successes + ?, quality_sum = quality_sum + ?, quality_sq = quality_sq + ?,
        duration_sum = duration_sum + ?, duration_sq = duration_sq + ?, updated_at = ? WHERE key = ?`).run(
        p.uses,
        p.successes,
        p.qualitySum,
        p.qualitySq,
        p.durationSum,
        p.durationSq,
        at,
        p.key,
      );
      const tick = (db.prepare('SELECT uses FROM rb_patterns WHERE key = ?').get(p.key) as { uses: number }).uses;
      for (const a of p.arms) {
        db.prepare(`INSERT INTO rb_arms VALUES (@key, @arm, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, @tick, @at) ON CONFLICT (pattern_key, arm) DO NOTHING`).run({
          key: p.key,
          arm: armKey(a.arm),
          tick,
          at,
        });
        // The imported figures join the discounted ones as of the arm's own d_tick: as recent as
        // what the store last learned about that arm.
        db.prepare(`UPDATE rb_arms SET uses = uses + @uses, successes = successes + @successes, quality_sum = quality_sum + @qualitySum, quality_sq = quality_sq + @qualitySq,
          duration_sum = duration_sum + @durationSum, duration_sq = duration_sq + @durationSq,
          d_uses = d_uses + @uses, d_successes = d_successes + @successes, d_quality_sum = d_quality_sum + @qualitySum,
          d_duration_sum = d_duration_sum + @durationSum, d_duration_sq = d_duration_sq + @durationSq, last_used_at = max(last_used_at, @at)
          WHERE pattern_key = @key AND arm = @arm`).run({ ...figures(a), key: p.key, arm: armKey(a.arm), at });
      }
    }
  }).immediate();
  return { created, merged };
}
