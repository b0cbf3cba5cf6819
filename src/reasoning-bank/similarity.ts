/**
 * How alike two task classes are, from their feature vectors: 1 for the same features, falling
 * towards 0 with Euclidean distance over the features either names (a feature one of them lacks
 * counts as 0.5, the middle of [0, 1], so a missing feature neither matches nor repels fully).
 *
 * @example
 * ```ts
 * featureSimilarity({ complexity: 0.9 }, { complexity: 0.8 }); // about 0.96
 * ```
 */
export function featureSimilarity(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): number {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  if (names.size === 0) return 0;
  let sq = 0;
  for (const n of names) {
    const d = (a[n] ?? 0.5) - (b[n] ?? 0.5);
    sq += d * d;
  }
  // Normalised by the feature count so that similarity means the same for 2 features or 10;
  // the scale makes a distance of 0.25 per feature (clearly another class) weigh about a third.
  return Math.exp(-(sq / names.size) / SIMILARITY_SCALE);
}

/** Mean squared feature distance at which similarity falls to 1/e. */
const SIMILARITY_SCALE = 0.06;
