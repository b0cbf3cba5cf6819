import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { openStore, type StoreDb } from '../store/open-store.ts';
import {
  BankFileError,
  PATTERN_PREFIX,
  deletePattern,
  exportBank,
  importBank,
  parseBankExport,
  queryPatterns,
  readArms,
  readPattern,
  readPatterns,
  readTrajectories,
  describeArm,
  type PatternRow,
} from '../reasoning-bank/index.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

/** The discount `show` decays the recent figures by: the ReasoningBank's default. */
const SHOW_DISCOUNT = 0.998;

type Out = (line: string) => void;

/** Runs `read` on the store opened read-only; a store not made yet holds no pattern. */
function reading<T>(file: string, read: (db: StoreDb | undefined) => T): T {
  if (!existsSync(file)) return read(undefined);
  const db = openStore(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** A KEY argument: a full `reasoning-bank/pattern/<name>` key, or just the name. */
function fullKey(key: string): string {
  return key.startsWith(PATTERN_PREFIX) ? key : `${PATTERN_PREFIX}${key}`;
}

const pct = (s: number, n: number) => (n > 0 ? `${((100 * s) / n).toFixed(0)}%` : '-');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function patternLine(p: PatternRow): string {
  return `${p.key.padEnd(44)} ${String(p.uses).padStart(6)} ${pct(p.successes, p.uses).padStart(7)} ${(p.uses ? secs(p.durationSum / p.uses) : '-').padStart(9)}  ${p.approach || '(nothing tried yet)'}`;
}

const HEADER = `${'KEY'.padEnd(44)} ${'USES'.padStart(6)} ${'SUCCESS'.padStart(7)} ${'MEAN TIME'.padStart(9)}  APPROACH`;

/** `conclave memory list`. */
export function memoryList(o: { store: string; json?: boolean }, out: Out): number {
  const patterns = reading(o.store, (db) => (db ? readPatterns(db) : []));
  if (o.json) out(JSON.stringify(patterns, null, 2));
  else if (patterns.length === 0) out(`No patterns in ${o.store} yet: a hive (or the learning benchmark) stores one per task class as it learns.`);
  else {
    out(HEADER);
    for (const p of patterns) out(patternLine(p));
  }
  return EXIT_OK;
}

/** `conclave memory show KEY`. */
export function memoryShow(key: string, o: { store: string; json?: boolean; arms: number; trajectories: number }, out: Out, err: Out): number {
  const k = fullKey(key);
  const found = reading(o.store, (db) => {
    const p = db && readPattern(db, k);
    if (!db || !p) return undefined;
    const arms = readArms(db, k, SHOW_DISCOUNT).sort((a, b) => b.discounted.uses - a.discounted.uses || a.armKey.localeCompare(b.armKey));
    return { pattern: p, arms, trajectories: readTrajectories(db, k, o.trajectories) };
  });
  if (!found) {
    err(`conclave: no pattern ${k} in ${o.store}. conclave memory list shows the keys there.`);
    return EXIT_BAD_INPUT;
  }
  if (o.json) {
    out(JSON.stringify(found, null, 2));
    return EXIT_OK;
  }
  const { pattern: p, arms, trajectories } = found;
  out(`${p.key}`);
  out(
    `  features:  ${
      Object.entries(p.features)
        .map(([f, v]) => `${f}=${v}`)
        .join(', ') || '(none)'
    }`,
  );
  out(`  approach:  ${p.approach || '(nothing tried yet)'}`);
  out(
    `  uses:      ${p.uses}, ${pct(p.successes, p.uses)} succeeded, mean quality ${p.uses ? (p.qualitySum / p.uses).toFixed(2) : '-'}, mean time ${p.uses ? secs(p.durationSum / p.uses) : '-'}`,
  );
  out(
    `  changes:   ${p.resets === 0 ? 'none detected' : `${p.resets} detected (each restarted every pattern's recent figures; all-time figures kept)`}, drift now ${p.drift.toFixed(2)}`,
  );
  out(`  stored:    ${new Date(p.createdAt).toISOString()}, last updated ${new Date(p.updatedAt).toISOString()}`);
  out(`  arms (${arms.length} tried; by recent uses, decayed by ${SHOW_DISCOUNT} per use):`);
  for (const a of arms.slice(0, o.arms)) {
    const d = a.discounted;
    out(
      `    ${describeArm(a.arm).padEnd(60)} ${String(a.uses).padStart(5)} uses ${pct(a.successes, a.uses).padStart(5)}  recent ${d.uses.toFixed(1).padStart(6)} ${pct(d.successes, d.uses).padStart(5)} ${d.uses > 0 ? secs(d.durationSum / d.uses) : '-'}`,
    );
  }
  if (arms.length > o.arms) out(`    ... and ${arms.length - o.arms} more (--arms N)`);
  if (trajectories.length > 0) {
    out(`  last ${trajectories.length} trajector${trajectories.length === 1 ? 'y' : 'ies'}:`);
    for (const t of trajectories) {
      out(`    #${t.seq} ${t.success ? 'ok    ' : 'failed'} q ${t.quality.toFixed(2)} ${secs(t.durationMs)}  ${describeArm(t.arm)}  (${t.reason})`);
      for (const s of t.steps ?? []) out(`        ${s.step}: ${s.outcome}`);
    }
  }
  return EXIT_OK;
}

/** `conclave memory query "<text or features>"`. */
export function memoryQuery(query: string, o: { store: string; json?: boolean; limit: number }, out: Out, err: Out): number {
  let hits;
  try {
    hits = reading(o.store, (db) => (db ? queryPatterns(db, query, o.limit) : []));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    err(`conclave: memory query: ${e.message}`);
    return EXIT_BAD_INPUT;
  }
  if (o.json)
    out(
      JSON.stringify(
        hits.map((h) => ({ score: h.score, ...h.pattern })),
        null,
        2,
      ),
    );
  else if (hits.length === 0) out(`No stored pattern matches "${query}".`);
  else {
    out(`${'MATCH'.padStart(5)} ${HEADER}`);
    for (const h of hits) out(`${h.score.toFixed(2).padStart(5)} ${patternLine(h.pattern)}`);
  }
  return EXIT_OK;
}

/** `conclave memory export [FILE]`. */
export function memoryExport(file: string | undefined, o: { store: string }, out: Out, err: Out): number {
  const data = reading(o.store, (db) => exportBank(db));
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (file === undefined || file === '-') out(text.trimEnd());
  else {
    writeFileSync(file, text);
    err(`Exported ${data.patterns.length} pattern${data.patterns.length === 1 ? '' : 's'} to ${file}.`);
  }
  return EXIT_OK;
}

/** `conclave memory import FILE`. */
export function memoryImport(file: string, o: { store: string }, out: Out): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BankFileError(file, '', `cannot be read (${(e as Error).message})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BankFileError(file, '', `is not JSON (${(e as Error).message})`, { cause: e });
  }
  const data = parseBankExport(parsed, file);
  const db = openStore(o.store);
  try {
    const { created, merged } = importBank(db, data);
    out(
      `Imported ${data.patterns.length} pattern${data.patterns.length === 1 ? '' : 's'} from ${file} into ${o.store}: ${created} new, ${merged} merged (counts and sums added).`,
    );
  } finally {
    db.close();
  }
  return EXIT_OK;
}

/** `conclave memory forget KEY`. */
export function memoryForget(key: string, o: { store: string }, out: Out, err: Out): number {
  const k = fullKey(key);
  const gone =
    existsSync(o.store) &&
    (() => {
      const db = openStore(o.store);
      try {
        return deletePattern(db, k);
      } finally {
        db.close();
      }
    })();
  if (!gone) {
    err(`conclave: no pattern ${k} in ${o.store}: nothing forgotten. conclave memory list shows the keys there.`);
    return EXIT_BAD_INPUT;
  }
  out(`Forgot ${k} (its figures per arm and its trajectories).`);
  return EXIT_OK;
}
