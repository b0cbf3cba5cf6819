import type { StoreDb } from '../store/open-store.ts';
import { readPatterns, type PatternRow } from './pattern-store.ts';
import { featureSimilarity } from './similarity.ts';

/** A pattern found by a query, and how well it matched (in [0, 1]). */
export interface QueryHit {
  readonly pattern: PatternRow;
  readonly score: number;
}

/**
 * Parses a query as features when it is written as features: `complexity=0.8,novelty=0.3` (or a
 * JSON object of numbers); undefined for plain text. A feature outside [0, 1] is refused.
 *
 * @example
 * ```ts
 * queryFeatures('complexity=0.8, novelty=0.3'); // { complexity: 0.8, novelty: 0.3 }
 * queryFeatures('jwt auth'); // undefined
 * ```
 */
export function queryFeatures(query: string): Record<string, number> | undefined {
  const q = query.trim();
  let pairs: [string, unknown][];
  if (q.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(q);
    } catch (e) {
      throw new RangeError(`the query looks like JSON features but does not parse (${(e as Error).message}); write {"complexity": 0.8} or complexity=0.8`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new RangeError('JSON features must be an object of feature name -> number in [0, 1]');
    pairs = Object.entries(parsed);
  } else if (/^[\w.-]+\s*=/.test(q)) {
    pairs = q
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((part) => {
        const m = /^([\w.-]+)=(.*)$/.exec(part);
        if (!m) throw new RangeError(`"${part}" is not name=value; write features as complexity=0.8,novelty=0.3`);
        return [m[1]!, m[2] === '' ? NaN : Number(m[2])];
      });
  } else return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of pairs) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`feature "${k}" must be a number in [0, 1] (got ${JSON.stringify(v)})`);
    out[k] = v;
  }
  return out;
}

/**
 * The stored patterns nearest a query: by task-class similarity when the query is features, else
 * by the share of the query's words found in the pattern's name and approach. Best first, only
 * patterns that match at all.
 *
 * @example
 * ```ts
 * queryPatterns(db, 'complexity=0.9,novelty=0.8', 3); // the three most similar task classes
 * ```
 */
export function queryPatterns(db: StoreDb, query: string, limit: number): QueryHit[] {
  const features = queryFeatures(query);
  const words = query
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const hits = readPatterns(db).map((pattern) => {
    if (features) return { pattern, score: featureSimilarity(features, pattern.features) };
    const text = `${pattern.name} ${pattern.approach}`.toLowerCase();
    return { pattern, score: words.length === 0 ? 0 : words.filter((w) => text.includes(w)).length / words.length };
  });
  return hits
    .filter((h) => h.score > 0.01)
    .sort((a, b) => b.score - a.score || a.pattern.key.localeCompare(b.pattern.key))
    .slice(0, limit);
}
