import { ConfigError } from '../errors.ts';

/**
 * The known key a misspelt one was probably meant to be, or `undefined` when none is close.
 * "Close" means the same key up to case and `_`/`-` (`inFlight` -> `in_flight`), or at most two
 * edits away where a swap of neighbouring letters is one edit (`agnets` -> `agents`), and fewer
 * edits than half the key, so short keys do not all look alike.
 *
 * @example
 * ```ts
 * didYouMean('agnets', ['name', 'agents', 'task']); // 'agents'
 * didYouMean('votingTimeout', ['voting_timeout']);  // 'voting_timeout'
 * didYouMean('colour', ['name', 'agents']);         // undefined
 * ```
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  // The edit distance costs key x candidate: a key far longer than any known one is no typo of it.
  if (key.length > 2 * known.reduce((m, k) => Math.max(m, k.length), 0) + 2) return undefined;
  const folded = fold(key);
  const exact = known.find((k) => fold(k) === folded);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(folded, fold(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= 2 && bestDistance < folded.length / 2 ? best : undefined;
}

/**
 * Refuses the first key of `record` that is not in `known`, naming its path and the close one it
 * was probably meant to be: a misspelt setting is an error, never a silent default.
 *
 * @example
 * ```ts
 * refuseUnknownKeys({ hearbeat: '50ms' }, ['heartbeat', 'max_batch'], 'consensus.raft'); // throws at consensus.raft.hearbeat: heartbeat (did you mean it?), ...
 * ```
 */
export function refuseUnknownKeys(record: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const near = didYouMean(key, known);
    throw new ConfigError(`${path}.${key}`, `${near ? `${near} (did you mean it?), or ` : ''}one of ${known.join(', ')}`, record[key]);
  }
}

/** Case and separators carry no meaning a user would intend to differ by. */
function fold(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
